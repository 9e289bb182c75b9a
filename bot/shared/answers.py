"""Turning knowledge entries into bot messages; shared by the Rasa actions and the channels.

Each message is a `bot.shared.message.BotMessage`, handed to the actions in Rasa's dispatcher form
(`to_rasa`): `text` (an answer's with its 出典 line), `buttons` ([{title, payload}]) and `custom`
({"answer_id", "sources", "links", "citation"} for answers, {"fallback": true} for fallbacks).
"""
from __future__ import annotations

import json
import re
from typing import Dict, Iterable, List

from bot.shared.concepts import Lexicon
from bot.shared.fit import ANOTHER_QUESTION, INSTEAD_RE, MAX_CANDIDATES, Decision, decide
from bot.shared.knowledge import Entry, KnowledgeBase
from bot.shared.message import BotMessage
from bot.shared.privacy import redact

MAX_ANSWER_BUTTONS = 4
MAX_QUOTED_CHARS = 40


def show_answer_payload(entry_id: str, **entities: str) -> str:
    """Button payload that makes Rasa answer with exactly this entry (and `entities`: reading="hiragana")."""
    return "/show_answer" + json.dumps({"answer_id": entry_id, **entities}, ensure_ascii=False)


def entry_buttons(kb: KnowledgeBase, entry_ids: Iterable[str]) -> List[Dict[str, str]]:
    return [
        {"title": kb.by_id[i].title, "payload": show_answer_payload(i)} for i in entry_ids if i in kb.by_id
    ]


def answer(kb: KnowledgeBase, entry: Entry) -> BotMessage:
    """The answer with its 出典; related entries as buttons; id, sources and links."""
    return BotMessage(text=entry.answer, citation=kb.citation(entry), sources=kb.sources_payload(entry),
                      buttons=entry_buttons(kb, entry.related), links=[link.dict() for link in entry.links],
                      answer_id=entry.id)


def answer_message(kb: KnowledgeBase, entry: Entry) -> dict:
    """`answer` in Rasa's dispatcher form: the text, then its 出典 line; the parts in custom."""
    return answer(kb, entry).to_rasa()


def clarify_message(kb: KnowledgeBase, intents: List[str], doubtful: bool = False) -> dict:
    """「もしかして」 with the default entries of `intents` as buttons; a decline when there are none.
    `doubtful`: the question may be about something the documents do not cover — said, with where to ask."""
    entries = [kb.default_entry(i) for i in intents]
    ids = list(dict.fromkeys(e.id for e in entries if e))[:MAX_CANDIDATES]
    if not ids:
        return decline_message(kb)
    text = kb.messages["clarify_doubtful" if doubtful else "clarify"]
    return BotMessage(text=text, buttons=entry_buttons(kb, ids), fallback=True,
                      extra={"candidates": ids}).to_rasa()


def route_message(concept_id: str, reply: str) -> dict:
    """A card topic the documents do not cover: say so, and where to ask."""
    return BotMessage(text=reply, fallback=True, extra={"uncovered": concept_id}).to_rasa()


def decline_message(kb: KnowledgeBase) -> dict:
    return BotMessage(text=kb.messages["decline"], fallback=True).to_rasa()


def unknown_answer_message(kb: KnowledgeBase) -> dict:
    return BotMessage(text=kb.messages["unknown_answer"], fallback=True).to_rasa()


def unanswered_message(kb: KnowledgeBase, questions: List[str], read_alone: bool = False,
                       near: Iterable[str] = ()) -> dict:
    """Says which other questions of the message the reply does not answer, quoted without personal data (and
    listed in custom `unanswered`, for the actions to read them on their own); `read_alone`: they were, and nothing
    placed them — the note says so and where to ask, instead of asking for them again (twentieth trial: 「その質問だけを、
    もう一度送ってください」, and the question sent again got no answer either); `near`: read alone, they came near
    these entries without placing one — offered as buttons instead of 「見つかりませんでした」."""
    plain = [redact(ANOTHER_QUESTION.sub("", question)).text for question in questions]
    quoted = "".join(f"「{q if len(q) <= MAX_QUOTED_CHARS else q[:MAX_QUOTED_CHARS] + '…'}」" for q in plain)
    offered = list(dict.fromkeys(near))[:MAX_CANDIDATES]
    key = "unanswered_near" if offered else "unanswered_alone" if read_alone else "unanswered"
    return BotMessage(text=kb.messages[key].format(questions=quoted), buttons=entry_buttons(kb, offered),
                      extra={"unanswered": plain}).to_rasa()


def _offer_first(kb: KnowledgeBase, message: dict, intents: List[str]) -> None:
    """The default entries of `intents` as the first buttons of an answer (before its related entries)."""
    answered = {message["custom"].get("answer_id")}
    ids = [e.id for e in (kb.default_entry(i) for i in intents) if e and e.id not in answered]
    offered = entry_buttons(kb, dict.fromkeys(ids))
    known = {button["payload"] for button in offered}
    message["buttons"] = (offered + [b for b in message["buttons"] if b["payload"] not in known])[:MAX_ANSWER_BUTTONS]


def _answers(kb: KnowledgeBase, intents: List[str], entities: Dict[str, List[str]]) -> List[dict]:
    entries = [kb.select(intent, entities) for intent in intents]
    return [answer_message(kb, entry) for entry in entries if entry]


def decision_messages(kb: KnowledgeBase, decision: Decision, entities: Dict[str, List[str]]) -> List[dict]:
    """The messages for a decision of bot.shared.fit: one or two answers, 「もしかして」, a routing reply (with the
    answer to a covered part beside it) or a decline."""
    if decision.kind == "answer":
        answers = _answers(kb, decision.intents, entities)
        if answers and decision.also:
            _offer_first(kb, answers[-1], decision.also)
        if answers and decision.unanswered:
            answers.append(unanswered_message(kb, decision.unanswered))
        if answers:
            answers += [route_message(route.id, route.reply) for route in decision.more_routes]
        return answers or [unknown_answer_message(kb)]
    if decision.kind == "route" and decision.route:
        routed, answers = [route_message(decision.route.id, decision.route.reply)], _answers(kb, decision.intents, entities)
        messages = answers + routed if decision.answer_first and answers else routed + answers
        if decision.also:
            _offer_first(kb, (answers or routed)[-1], decision.also)
        if decision.unanswered:
            messages.append(unanswered_message(kb, decision.unanswered))
        return messages + [route_message(route.id, route.reply) for route in decision.more_routes]
    if decision.kind == "clarify":
        return [clarify_message(kb, decision.intents, decision.doubtful)]
    return [decline_message(kb)]


def message_entities(message: dict) -> Dict[str, List[str]]:
    """Entity name → its values in a parsed message, as text; values of other types (a typed payload like
    /start_guide{"guide": {"a": 1}}) are ignored."""
    found: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        if not isinstance(entity, dict) or not isinstance(entity.get("entity"), str):
            continue
        value = entity.get("value")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            found.setdefault(entity["entity"], []).append(str(value))
    return found


# right after an entity's words: the person has none or cannot use it (「スマホもパソコンもない」「スマホは使えない」)
NOT_HAD = re.compile(r"^(?:も|が|は|を|とか)?(?:[^、。?？!！\s]{0,8}?(?:も|とか))?"
                     r"(?:持って(?:い)?(?:ない|ません|なく)|持っておら(?:ず|ない)|使え(?:ない|ません|ず)|使ったことが(?:ない|ありません)"
                     r"|使いこなせ|[な無](?:い(?![たてま])|し|く(?![しな]))|ありません|苦手)")   # not 「をなくした」: lost


def meant_entities(message: dict) -> Dict[str, List[str]]:
    """`message_entities`, without those named before 「じゃなくて」 (「オンラインじゃなくて郵送です」: the mail variant) and
    those the person has not got (session 26's blind trials: 「スマホもパソコンもないが申請できるか」 got the smartphone
    steps — the default, the four ways, is meant)."""
    text = message.get("text") or ""
    marks = list(re.finditer(INSTEAD_RE, text))
    cut = marks[-1].start() if marks else -1

    def meant(entity: object) -> bool:
        if not isinstance(entity, dict) or entity.get("end") is None:
            return True
        end = int(entity["end"])
        return end > cut and not NOT_HAD.match(text[end:])
    return message_entities({**message, "entities": [e for e in message.get("entities") or [] if meant(e)]})


def fitting_reply(kb: KnowledgeBase, lexicon: Lexicon, message: dict) -> List[dict]:
    """The reply to a parsed message (Rasa's latest_message or a /model/parse result), given only when the
    answer fits it (bot.shared.fit)."""
    intent = message.get("intent") or {}
    ranking = message.get("intent_ranking") or [{"confidence": 1.0, **intent}]   # an /intent payload: sure
    decision = decide(message.get("text") or "", intent.get("name") or "", ranking, lexicon, set(kb.intents))
    return decision_messages(kb, decision, meant_entities(message))
