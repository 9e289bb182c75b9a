"""Custom actions: thin over the knowledge base (bot.knowledge) and its message rendering (bot.answers)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

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


class ActionAnswer(Action):
    """Answer a knowledge intent (or a /show_answer button) with the matching entry."""

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
        utter(dispatcher, answer_message(kb, entry) if entry else unknown_answer_message(kb))
        return []


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
