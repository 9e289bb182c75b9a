"""Custom actions: thin over the knowledge base (bot.knowledge) and its message rendering (bot.answers)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.guides import pause_events
from bot import guides
from bot.answers import answer_message, fallback_message, decline_message, unknown_answer_message
from bot.knowledge import load_knowledge


def utter(dispatcher: CollectingDispatcher, message: dict) -> None:
    dispatcher.utter_message(
        text=message["text"], buttons=message["buttons"] or None, json_message=message["custom"]
    )


def latest_entities(tracker: Tracker) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for entity in tracker.latest_message.get("entities", []):
        found.setdefault(entity["entity"], []).append(str(entity.get("value")))
    return found


def with_guide_buttons(message: dict, intent: str, paused: str = None) -> dict:
    """A paused check gets 「チェックを続ける」; answers of a topic with a check offer it."""
    if paused in guides.FLOWS:
        message["text"] += f"\n（{guides.FLOWS[paused].title}は一時停止中です。続きは「チェックを続ける」から）"
        message["buttons"].append({"title": "チェックを続ける", "payload": "/resume_guide"})
    elif intent in guides.GUIDE_FOR_INTENT:
        message["buttons"].append(guides.check_button(guides.GUIDE_FOR_INTENT[intent]))
    return message


class ActionAnswer(Action):
    """Answer a knowledge intent (or a /show_answer button) with the matching entry.

    Asked in the middle of a check, it pauses the check (see actions/guides.py).
    """

    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        kb = load_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        entities = latest_entities(tracker)
        if intent == "show_answer":
            entry = kb.by_id.get(next(iter(entities.get("answer_id", [])), ""))
        else:
            entry = kb.select(intent, entities)
        events = pause_events(tracker) or []
        message = answer_message(kb, entry) if entry else unknown_answer_message(kb)
        paused = events[-1]["value"] if events else tracker.get_slot("paused_guide")
        message = with_guide_buttons(message, entry.intent if entry else "", paused)
        utter(dispatcher, message)
        return events


class ActionFallback(Action):
    """Unsure or out of scope: 「もしかして」 candidates, or say the documents do not cover it."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        kb = load_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "nlu_fallback":
            message = fallback_message(kb, tracker.latest_message.get("intent_ranking") or [])
        else:
            message = decline_message(kb)
        utter(dispatcher, message)
        return []
