"""(stub) helpdesk channel of the gateway; `install(app, settings)` adds its routes."""
from __future__ import annotations

from fastapi import FastAPI

from bot.gateway.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Add this part's routes (and any middleware or state) to the app."""
