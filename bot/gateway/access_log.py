"""Access-log lines without what people typed: uvicorn's access log gets the path without its query
string (search words, sender ids) and with personal data in the path redacted (bot.shared.privacy)."""
from __future__ import annotations

import logging
from urllib.parse import unquote

from fastapi import FastAPI

from bot.gateway.settings import Settings
from bot.shared.privacy import redact

ACCESS_LOGGER = "uvicorn.access"


def private_path(full_path: str) -> str:
    """「/helpdesk/search?q=…」 → 「/helpdesk/search?…」; a path with personal data in it is redacted."""
    path, query_mark, _ = str(full_path).partition("?")
    redaction = redact(unquote(path))
    return (redaction.text if redaction.changed else path) + ("?…" if query_mark else "")


class PrivateAccessLog(logging.Filter):
    """Rewrites uvicorn's access record (client, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, full_path, version, status = record.args
            record.args = (client, method, private_path(str(full_path)), version, status)
        return True


def install(app: FastAPI, settings: Settings) -> None:
    """Add the filter to uvicorn's access logger once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, PrivateAccessLog) for f in logger.filters):
        logger.addFilter(PrivateAccessLog())
