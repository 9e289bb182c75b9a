"""For a user who reads hiragana only (asked for it: 「かんじ よめない」): every message of the conversation in hiragana
until 「漢字でいい」. The answers are made so in actions.actions (`fitting_messages`: an answer in short); here, the other
messages of an action — a check's questions, echoes, hints and result, 「承知しました」 — through `for_the_reader`, and
a check's questions through one `action_ask_<slot>` per slot (Rasa asks with it instead of `utter_ask_<slot>`).
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import session_events
from actions.safety import safe_run
from bot.shared import guides
from bot.shared.conversation import KANJI_IS_FINE, buttons_in_hiragana, readable_in_hiragana
from bot.shared.message import BotMessage


def reads_hiragana(tracker: Tracker) -> bool:
    """The conversation has had a reply in hiragana, asked for, and the user has not said since that kanji is fine."""
    for event in reversed(session_events(tracker)):
        if event.get("event") == "user" and KANJI_IS_FINE.search(event.get("text") or ""):
            return False
        if event.get("event") == "bot" and ((event.get("data") or {}).get("custom") or {}).get("reading") == "hiragana":
            return True
    return False


def in_hiragana(message: Dict[str, Any], domain: Dict[Text, Any]) -> Dict[str, Any]:
    """A dispatcher message with its text and button titles in hiragana (payloads as they are: a button still answers
    the check), marked so; a domain response (`utter_ask_…`) is written out first. Already marked: only the button
    titles still in kanji; unchanged when it has no text (a response the domain does not hold)."""
    custom = message.get("custom") or {}
    if custom.get("reading"):   # an answer made for the reader; a check's button added after it (「チェックを続ける」)
        return {**message, "buttons": buttons_in_hiragana(message.get("buttons") or [])}
    name = message.get("response")
    variants = (domain.get("responses") or {}).get(name) or [] if name else []
    text = message.get("text") or (variants[0].get("text") if variants else None)
    if not text:
        return message
    buttons = message.get("buttons") or (variants[0].get("buttons") if variants else None) or []
    said = readable_in_hiragana(BotMessage.from_rasa(text, buttons, custom)).to_rasa()
    return {**message, **said, "response": None, "template": None}


def for_the_reader(run):
    """Decorates an action's `run(self, dispatcher, tracker, domain)`: for a reader of hiragana only, the messages it
    sends in hiragana (`in_hiragana`)."""

    @functools.wraps(run)
    async def reader_run(self, dispatcher, tracker, domain):
        start = len(dispatcher.messages)
        events = await run(self, dispatcher, tracker, domain)
        if reads_hiragana(tracker):
            dispatcher.messages[start:] = [in_hiragana(m, domain or {}) for m in dispatcher.messages[start:]]
        return events

    return reader_run


class AskForSlot(Action):
    """A check's question: the domain's `utter_ask_<slot>` (in hiragana for a reader of hiragana only)."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


def ask_class(slot: str) -> type:
    """AskProxyAge, AskPinKind…: the action `action_ask_<slot>` (served like a class written out)."""
    class_name = "Ask" + "".join(part.title() for part in slot.split("_"))
    return type(class_name, (AskForSlot,), {"slot": slot, "__module__": __name__, "__doc__": f"action_ask_{slot}"})


ASK_CLASSES = {slot: ask_class(slot) for flow in guides.FLOWS.values() for slot in flow.slots}
globals().update({cls.__name__: cls for cls in ASK_CLASSES.values()})  # AskProxyAge…
