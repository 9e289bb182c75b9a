"""A failing action answers with the safe message and logs only where it failed.

Without this, an exception makes the action server answer 500 with the whole request (the tracker:
every message of the conversation) and Rasa logs that body. Here the action server never sees the
exception: the log line names the action, the exception type and the line, never its message or the
tracker (both may hold what the user typed).
"""
from __future__ import annotations

import functools
import logging
import traceback

from bot.shared.knowledge import load_knowledge

log = logging.getLogger(__name__)


def safe_run(run):
    """Decorates an action's `run(self, dispatcher, tracker, domain)`."""

    @functools.wraps(run)
    async def guarded(self, dispatcher, tracker, domain):
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - every failure gets the same safe answer
            frame = traceback.extract_tb(error.__traceback__)[-1]
            log.error("action %s failed: %s at %s:%s", self.name(), type(error).__name__, frame.filename, frame.lineno)
            dispatcher.messages.clear()
            dispatcher.utter_message(text=load_knowledge().messages["service_down"], json_message={"fallback": True})
            return []

    return guarded
