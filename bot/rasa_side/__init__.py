"""Rasa-side code (.venv only): custom NLU components and the Rasa server entry point."""
