"""The conversation's current session, as the actions read it."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker


def session_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The events of the conversation's current session: after the last `session_started` (Rasa keeps the events of
    earlier sessions in the tracker; a conversation idle longer than domain.yml's session_expiration_time starts anew —
    session 27's blind trials, reusing a conversation id, got 「さきほどのお答え…と同じになるため」 and hiragana for a
    first message)."""
    events = list(tracker.events)
    start = max((i for i, event in enumerate(events) if event.get("event") == "session_started"), default=-1)
    return events[start + 1:]
