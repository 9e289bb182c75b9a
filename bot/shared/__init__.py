"""Code both runtimes import: the knowledge base, answers, the fit check, privacy, guided checks.

Imports under pydantic 1 (.venv, Rasa) and pydantic 2 (.venv-gateway); never imports Rasa, rasa_sdk,
FastAPI or the LINE SDK (tests/test_layout.py checks it).
"""
