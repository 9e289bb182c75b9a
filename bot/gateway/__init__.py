"""FastAPI gateway in front of Rasa: chat API, web widget, LINE bot, staff helpdesk, FAX sheets.

Runs in its own venv (.venv-gateway, pydantic 2); talks to Rasa over HTTP only.
"""
