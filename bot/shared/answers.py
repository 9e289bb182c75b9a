"""Turning knowledge entries into bot messages; shared by the Rasa actions and the channels.

Each message is a `bot.shared.message.BotMessage`, handed to the actions in Rasa's dispatcher form
(`to_rasa`): `text` (an answer's with its 出典 line), `buttons` ([{title, payload}]) and `custom`
({"answer_id", "sources", "links", "citation"} for answers, {"fallback": true} for fallbacks).
"""
from __future__ import annotations

import json
import re
from typing import Dict, Iterable, List, Optional

from bot.shared.concepts import Lexicon
from bot.shared.fit import Decision, decide
from bot.shared.knowledge import Entry, KnowledgeBase
from bot.shared.message import BotMessage

MAX_CANDIDATES = 3
SHORT_REPLIES = ("affirm", "deny")   # 「はい」「いいえ」
ASKS = re.compile(r"(?:[?？]|の|かな|ですか|ますか|でしょうか)[\s。…]*$")   # 「それって家族でもいいの？」
REFERS_BACK = re.compile(r"^(?:それ|その|そっち|じゃあ|じゃ、|では|だったら|なら|ほんなら|ほな)"
                         r"|その場合|そういう場合|そのとき|その時|それなら|それでも")


def show_answer_payload(entry_id: str) -> str:
    """Button payload that makes Rasa answer with exactly this entry."""
    return "/show_answer" + json.dumps({"answer_id": entry_id}, ensure_ascii=False)


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


def _answers(kb: KnowledgeBase, intents: List[str], entities: Dict[str, List[str]]) -> List[dict]:
    entries = [kb.select(intent, entities) for intent in intents]
    return [answer_message(kb, entry) for entry in entries if entry]


def decision_messages(kb: KnowledgeBase, decision: Decision, entities: Dict[str, List[str]]) -> List[dict]:
    """The messages for a decision of bot.shared.fit: one or two answers, 「もしかして」, a routing reply (with the
    answer to a covered part beside it) or a decline."""
    if decision.kind == "answer":
        return _answers(kb, decision.intents, entities) or [unknown_answer_message(kb)]
    if decision.kind == "route" and decision.route:
        return [route_message(decision.route.id, decision.route.reply), *_answers(kb, decision.intents, entities)]
    if decision.kind == "clarify":
        return [clarify_message(kb, decision.intents, decision.doubtful)]
    return [decline_message(kb)]


def asks(text: str) -> bool:
    """The message is a question, not 「はい」/「いいえ」, whatever the classifier read."""
    return bool(ASKS.search(text.strip()))


COURTESY = re.compile(   # a thanks or greeting before the question: 「ありがとうございました。ところで…？」
    r"^(?:(?:どうも|本当に|ほんとに)?ありがと(?:う|ー)?(?:ございま(?:す|した))?|助かりま(?:す|した)|助かった|よくわかりました"
    r"|わかりました|了解(?:です|しました)|こんにちは|こんばんは|おはよう(?:ございます)?|お世話になって(?:おり|い)ます"
    r"|お世話になります|お疲れ(?:様|さま)です|おつかれさまです|はじめまして|初めまして)[、。,.!！\s]*")
THEN = re.compile(r"^(?:ところで|それと|それから|あと|また|もう一つ|もうひとつ|別件で(?:すが)?)[、,\s]*")
REQUEST = re.compile(r"教えて(?:ください|下さい|ほしい(?:です)?|もらえますか)?[\s。…!！]*$")
MIN_QUESTION_CHARS = 10


def question_after_courtesy(text: str) -> str:
    """The question when a thanks or greeting comes first (「ありがとう、助かりました。それと資格確認書の申請先は？」
    → 「資格確認書の申請先は？」); else the text as it is (「ありがとうございました」, 「こんにちは、質問いいですか」)."""
    rest = text.strip()
    while (courtesy := COURTESY.match(rest)) and courtesy.end():
        rest = rest[courtesy.end():]
    rest = THEN.sub("", rest)
    asked = asks(rest) or bool(REQUEST.search(rest))
    return rest if rest != text.strip() and len(rest) >= MIN_QUESTION_CHARS and asked else text


def is_plain_decline(messages: List[dict]) -> bool:
    """Nothing to go on: one fallback message, without choices or a topic the documents do not cover."""
    return (len(messages) == 1 and bool(messages[0]["custom"].get("fallback")) and not messages[0]["buttons"]
            and not messages[0]["custom"].get("uncovered"))


def refers_back(text: str) -> bool:
    """The message starts from what was just said (「それって…」「その場合は…」「じゃあ…」)."""
    return bool(REFERS_BACK.search(text.strip()))


def still_governed(lexicon: Lexicon, previous_reply: List[dict]) -> List[dict]:
    """The routing reply again when the previous reply routed a topic that `governs` its message (a deceased
    person's card) and the latest message starts from it (「じゃあ母の資格確認書は？」): [message] or []."""
    routed = [lexicon.uncovered.get(custom.get("uncovered") or "") for custom in previous_reply]
    governing = next((concept for concept in routed if concept is not None and concept.governs), None)
    return [route_message(governing.id, governing.reply)] if governing else []


def routed_in_context(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """A follow-up about an uncovered side of the previous answer's topic (「それっていつまで使えるんですか？」 after
    the 資格確認書: its validity) gets that topic's routing reply, as if the topic had been named: [message] or []."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None or lexicon.blocking(lexicon.find(text)) or lexicon.blocking(lexicon.find(previous.title)):
        return []   # no answer before it, or the message or the title alone routes (the fit rules do that)
    concept = lexicon.blocking(lexicon.find(f"{previous.title}。{text}"))
    return [route_message(concept.id, concept.reply)] if concept else []


def following_up(kb: KnowledgeBase, messages: List[dict], previous_answer_id: Optional[str],
                 unsure: bool = False) -> List[dict]:
    """`messages` — unless they give no answer (nor where to ask about an uncovered topic), or only an answer the
    classifier was `unsure` of, and an answer came just before: then 「もしかして」 naming that answer, its related
    entries first (the message most likely follows it up), then the answers or candidates of `messages`."""
    previous = kb.by_id.get(previous_answer_id or "")
    custom = messages[0]["custom"] if messages else {}
    answered = [m["custom"]["answer_id"] for m in messages if m["custom"].get("answer_id")]
    if previous is None or (answered and not unsure) or custom.get("uncovered"):
        return messages
    candidates = [*previous.related, *answered, *custom.get("candidates", [])]
    ids = [i for i in dict.fromkeys(candidates) if i in kb.by_id and i != previous.id]
    text = kb.messages["clarify_follow_up"].format(title=previous.title)
    return [BotMessage(text=text, buttons=entry_buttons(kb, ids[:MAX_CANDIDATES]), fallback=True,
                       extra={"candidates": ids[:MAX_CANDIDATES]}).to_rasa()]


def follow_up_reply(kb: KnowledgeBase, lexicon: Lexicon, message: dict, previous_answer_id: Optional[str]) -> List[dict]:
    """A question the classifier read as 「はい」/「いいえ」 (「それって家族でもいいの？」) gets no 「承知しました」: the
    reply the fit rules give it without those two intents, `following_up` the previous answer."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") not in SHORT_REPLIES]
    unsure = {**message, "intent": {"name": "nlu_fallback", "confidence": 0.0}, "intent_ranking": ranking}
    return following_up(kb, fitting_reply(kb, lexicon, unsure), previous_answer_id, unsure=True)


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


def fitting_reply(kb: KnowledgeBase, lexicon: Lexicon, message: dict) -> List[dict]:
    """The reply to a parsed message (Rasa's latest_message or a /model/parse result), given only when the
    answer fits it (bot.shared.fit)."""
    intent = message.get("intent") or {}
    ranking = message.get("intent_ranking") or [{"confidence": 1.0, **intent}]   # an /intent payload: sure
    decision = decide(message.get("text") or "", intent.get("name") or "", ranking, lexicon, set(kb.intents))
    return decision_messages(kb, decision, message_entities(message))
