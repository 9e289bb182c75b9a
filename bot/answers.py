"""Turning knowledge entries into bot messages; shared by the Rasa actions and the channels.

A message is a dict in Rasa's dispatcher form: `text`, `buttons` ([{title, payload}]) and
`custom` ({"answer_id", "sources"} for answers, {"fallback": true} for fallbacks).
"""
from __future__ import annotations

import json
from typing import Dict, Iterable, List

from bot.knowledge import Entry, KnowledgeBase

MAX_CANDIDATES = 3
MIN_CANDIDATE_CONFIDENCE = 0.05


def show_answer_payload(entry_id: str) -> str:
    """Button payload that makes Rasa answer with exactly this entry."""
    return "/show_answer" + json.dumps({"answer_id": entry_id}, ensure_ascii=False)


def entry_buttons(kb: KnowledgeBase, entry_ids: Iterable[str]) -> List[Dict[str, str]]:
    return [
        {"title": kb.by_id[i].title, "payload": show_answer_payload(i)} for i in entry_ids if i in kb.by_id
    ]


def answer_message(kb: KnowledgeBase, entry: Entry) -> dict:
    """The answer, then its 出典 line; related entries as buttons; id and sources as custom."""
    return {
        "text": f"{entry.answer}\n{kb.citation(entry)}",
        "buttons": entry_buttons(kb, entry.related),
        "custom": {
            "answer_id": entry.id,
            "sources": kb.sources_payload(entry),
            "links": [link.dict() for link in entry.links],
        },
    }


def fallback_message(kb: KnowledgeBase, intent_ranking: List[dict]) -> dict:
    """「もしかして」 with the likely knowledge intents, or a plain decline with the contacts.

    Declines when the most likely real intent is out_of_scope.
    """
    ranked_intents = [r for r in intent_ranking if r.get("name") != "nlu_fallback"]
    if ranked_intents and ranked_intents[0].get("name") == "out_of_scope":
        return decline_message(kb)
    candidates = []
    for ranked in ranked_intents:
        entry = kb.default_entry(ranked.get("name") or "")
        if entry and (ranked.get("confidence") or 0) >= MIN_CANDIDATE_CONFIDENCE and entry not in candidates:
            candidates.append(entry)
    candidates = candidates[:MAX_CANDIDATES]
    if candidates:
        return {
            "text": kb.messages["clarify"],
            "buttons": entry_buttons(kb, [e.id for e in candidates]),
            "custom": {"fallback": True, "candidates": [e.id for e in candidates]},
        }
    return decline_message(kb)


def decline_message(kb: KnowledgeBase) -> dict:
    return {"text": kb.messages["decline"], "buttons": [], "custom": {"fallback": True}}


def unknown_answer_message(kb: KnowledgeBase) -> dict:
    return {"text": kb.messages["unknown_answer"], "buttons": [], "custom": {"fallback": True}}
