"""Turning knowledge entries into bot messages; shared by the Rasa actions and the channels.

Each message is a `bot.shared.message.BotMessage`, handed to the actions in Rasa's dispatcher form
(`to_rasa`): `text` (an answer's with its 出典 line), `buttons` ([{title, payload}]) and `custom`
({"answer_id", "sources", "links", "citation"} for answers, {"fallback": true} for fallbacks).
"""
from __future__ import annotations

import json
import re
from typing import Dict, Iterable, List, Optional, Set

from bot.shared.concepts import Lexicon
from bot.shared.fit import ANOTHER_QUESTION, INSTEAD_RE, MAX_CANDIDATES, Decision, asked_topics, decide
from bot.shared.knowledge import Entry, KnowledgeBase
from bot.shared.message import BotMessage
from bot.shared.privacy import redact

MAX_ANSWER_BUTTONS = 4
MAX_QUOTED_CHARS = 40
MAX_LINES_ASKED = 3
ASKED_POINT = "ご質問の点："
MIN_POINT_CHARS = 20
PARTS_OF_A_PRECISE_QUESTION = 3   # a concept named by this many `together` parts asks one thing (認知症 × 手伝う × 気をつける)
LIST_MARK = re.compile(r"^(?:\d+\.|・)\s*")
TIMELINE_STEP = re.compile(r"^(?:\d+\.\s*)?(?:事前|当日|前日|約?\d+日前|申請の数日後)[^：。]{0,6}：")   # 「事前：」: b61 c03-4
# a closing line that says where to ask (not a last note: 「・資格確認書では過去のお薬や健診の情報は共有されず…」, b66 c01-6)
WHERE_TO_ASK_LINE = re.compile(r"問い?合わ?せ|相談|ご確認|連絡|フリーダイヤル|0120|へ。$")
LINE_SUBJECT = re.compile(r"^(?:\d+\.\s*|・)?([^、。：（]{4,20}?)(?:には|は)、")   # 「利用登録したカードがない方には、」
CONNECTIVE = re.compile(r"^(?:なお|また|ただし|さらに)、")   # not said first: 「ご質問の点：なお、…」 (b61 c06-3)


def show_answer_payload(entry_id: str, **entities: str) -> str:
    """Button payload that makes Rasa answer with exactly this entry (and `entities`: reading="hiragana")."""
    return "/show_answer" + json.dumps({"answer_id": entry_id, **entities}, ensure_ascii=False)


def entry_buttons(kb: KnowledgeBase, entry_ids: Iterable[str]) -> List[Dict[str, str]]:
    return [
        {"title": kb.by_id[i].title, "payload": show_answer_payload(i)} for i in entry_ids if i in kb.by_id
    ]


def answer(kb: KnowledgeBase, entry: Entry, lead: str = "") -> BotMessage:
    """The answer with its 出典 (after the `lead` line, if any); related entries as buttons; id, sources and links."""
    text = f"{lead}\n{entry.answer}" if lead else entry.answer
    return BotMessage(text=text, citation=kb.citation(entry), sources=kb.sources_payload(entry),
                      buttons=entry_buttons(kb, entry.related), links=[link.dict() for link in entry.links],
                      answer_id=entry.id)


def answer_message(kb: KnowledgeBase, entry: Entry, lead: str = "") -> dict:
    """`answer` in Rasa's dispatcher form: the text, then its 出典 line; the parts in custom."""
    return answer(kb, entry, lead).to_rasa()


def lines_asked(lexicon: Lexicon, entry: Entry, text: str, asked: Optional[Set[str]] = None,
                by_subject: bool = False) -> List[str]:
    """The answer's lines after its first that name a topic the message asks and the first line does not name, and no
    topic of another answer (session 42's trial, in hiragana: 「ふりーだいやるは なんじから なんじまで ですか」 got the
    number in short, not the hours; 「おかね かかる？」 after a lost card: not the 資格確認書's 「無償交付」). `asked`: the
    topics the message asks, if already found. `by_subject`: also a line whose subject (「…方には、」) names what is asked,
    whatever else it names (for the answer in short)."""
    lines = entry.answer.strip().splitlines()
    if asked is None:
        asked = set(asked_topics(lexicon.find(text).covered, lexicon))
    asked = asked - lexicon.covered_in(lines[0])

    def on_what_was_asked(line: str) -> bool:
        subject = LINE_SUBJECT.match(line) if by_subject else None
        if subject and asked & lexicon.covered_in(subject.group(1)):   # the line is about what was asked, whatever else
            return True   # it names (b65 c10-2: 「利用登録したカードがない方には、…申請しなくても…」 for 「カード持ってない…申請しなきゃ」)
        named = set(asked_topics(list(lexicon.covered_in(line)), lexicon))
        if any(len(lexicon.covered[cid].together) >= PARTS_OF_A_PRECISE_QUESTION for cid in asked & named):   # each part
            return True   # in the line (b63 c01-3: 認知症 × 手伝う × 気をつける — the line names 申請 and 受診, too)
        return bool(asked & named) and all(entry.intent in lexicon.covered[cid].intents for cid in named - asked)
    return [line for line in lines[1:] if on_what_was_asked(line)][:MAX_LINES_ASKED] if asked else []


def point_asked(lexicon: Lexicon, entry: Entry, text: str, asked_ids: Optional[List[str]] = None) -> str:
    """The one line of a long answer, below its first two, that names what the message asks and the rest does not
    (session 53's blind trial, b52 c10-5: 「…限度額適用認定証をいつも申請しているんですが、マイナ保険証を使えばその手続きは
    いらなくなるんですか？」 got the マイナ保険証's merits with 限度額 as the second of three) — said first, as 「ご質問の点：…」;
    "" otherwise — nor for a concept the answer's title names (「マイナンバーカードで何ができる？」: not the line on local
    services, which names what the title names). `asked_ids`: the message's asked topics when already found."""
    lines = entry.answer.strip().splitlines()
    if len(lines) <= 3:
        return ""
    asked = set(asked_ids if asked_ids is not None else asked_topics(lexicon.find(text).covered, lexicon))
    if not asked - lexicon.covered_in(entry.title):
        return ""
    found = lines_asked(lexicon, entry, text, asked)
    if (len(found) != 1 or found[0] in lines[:2]
            or (found[0] == lines[-1] and WHERE_TO_ASK_LINE.search(found[0]))   # the closing line: where to ask (b57 c01-5)
            or not found[0].endswith("。") or len(found[0]) < MIN_POINT_CHARS
            or TIMELINE_STEP.match(found[0])):   # 「当日：職員が…訪問し、申請を受け付けます。」: a step of a flow, no point
        return ""
    # a concept of its own, not the answer's topic as its title names it
    named = set(asked_topics(list(lexicon.covered_in(found[0])), lexicon)) & asked
    return ASKED_POINT + CONNECTIVE.sub("", LIST_MARK.sub("", found[0])) if named - lexicon.covered_in(entry.title) else ""


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


def _selected(kb: KnowledgeBase, intent: str, entities: Dict[str, List[str]], lexicon: Optional[Lexicon],
              asked_ids: List[str]) -> Optional[Entry]:
    """The entry of `intent` the entities select; when they select none of its variants but one of the main topic of a
    concept asked that places the message there too (b57 c03-2, 津軽弁: 「施設さ役場の人来るどき、何そろえでおげばいいんだべ？」
    read as how to get a card, the outreach named: the outreach's preparation), that variant — the words chose it. Only a
    variant by `topic` (what about the topic is asked): those by a kind of card, a route or a term are the classifier's to
    choose (「郵便局で申請できる？」 names the mail, but asks about the post office)."""
    entry = kb.select(intent, entities)
    if entry is None or entry.when or lexicon is None or not asked_ids:
        return entry
    concepts = [lexicon.covered[cid] for cid in asked_ids]
    mains = sorted({c.intents[0] for c in concepts if intent in c.intents[1:]})
    variants = [v for v in (kb.select(main, entities) for main in mains) if v is not None and set(v.when) == {"topic"}]
    return variants[0] if len(variants) == 1 else entry


def _answers(kb: KnowledgeBase, intents: List[str], entities: Dict[str, List[str]],
             lexicon: Optional[Lexicon] = None, text: str = "") -> List[dict]:
    """The answers of `intents`, each led by the point the message `text` asks when one line holds it (`point_asked`)."""
    asked_ids = asked_topics(lexicon.find(text).covered, lexicon) if lexicon is not None and text else []
    entries = [entry for entry in (_selected(kb, intent, entities, lexicon, asked_ids) for intent in intents) if entry]
    entries = list({entry.id: entry for entry in entries}.values())
    return [answer_message(kb, entry, point_asked(lexicon, entry, text, asked_ids) if lexicon is not None and text
                           else "") for entry in entries]


def decision_messages(kb: KnowledgeBase, decision: Decision, entities: Dict[str, List[str]],
                      lexicon: Optional[Lexicon] = None, text: str = "") -> List[dict]:
    """The messages for a decision of bot.shared.fit: one or two answers, 「もしかして」, a routing reply (with the
    answer to a covered part beside it) or a decline; given the `lexicon` and the message `text`, an answer is led by
    the point asked (`point_asked`)."""
    if decision.kind == "answer":
        answers = _answers(kb, decision.intents, entities, lexicon, text)
        if answers and decision.also:
            _offer_first(kb, answers[-1], decision.also)
        if answers and decision.unanswered:
            answers.append(unanswered_message(kb, decision.unanswered))
        if answers:
            answers += [route_message(route.id, route.reply) for route in decision.more_routes]
        return answers or [unknown_answer_message(kb)]
    if decision.kind == "route" and decision.route:
        routed = [route_message(decision.route.id, decision.route.reply)]
        answers = _answers(kb, decision.intents, entities, lexicon, text)
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
                     r"|使いこなせ|[な無](?:い(?![たてま])|し|く(?![しな]))|ありません|苦手"
                     # in an old or rural voice (b63 c08-5: 「パソコンもスマートフォンもござらぬ者でも…」)
                     r"|ござら(?:ぬ|ん|ない)|ございません|持た(?:ぬ|ない|ず)|ねえ|ねぇ)")   # not 「をなくした」: lost


# 「家で私がスマホで撮って、郵送で申請する」 (b59 c04-2 got the exception's online steps): the device the photo is taken with
PHOTO_TAKEN_WITH = re.compile(r"^(?:で|を使って|を使い)\s*(?:写真を)?(?:撮|とっ|とり|撮影)")


def meant_entities(message: dict) -> Dict[str, List[str]]:
    """`message_entities`, without those named before 「じゃなくて」 (「オンラインじゃなくて郵送です」: the mail variant),
    those the person has not got (session 26's blind trials: 「スマホもパソコンもないが申請できるか」 got the smartphone
    steps — the default, the four ways, is meant) and a way to apply that only takes the photo (PHOTO_TAKEN_WITH)."""
    text = message.get("text") or ""
    marks = list(re.finditer(INSTEAD_RE, text))
    cut = marks[-1].start() if marks else -1

    def meant(entity: object) -> bool:
        if not isinstance(entity, dict) or entity.get("end") is None:
            return True
        end = int(entity["end"])
        photo_only = entity.get("entity") == "route" and PHOTO_TAKEN_WITH.match(text[end:])
        return end > cut and not NOT_HAD.match(text[end:]) and not photo_only
    return message_entities({**message, "entities": [e for e in message.get("entities") or [] if meant(e)]})


def fitting_reply(kb: KnowledgeBase, lexicon: Lexicon, message: dict) -> List[dict]:
    """The reply to a parsed message (Rasa's latest_message or a /model/parse result), given only when the
    answer fits it (bot.shared.fit)."""
    intent = message.get("intent") or {}
    ranking = message.get("intent_ranking") or [{"confidence": 1.0, **intent}]   # an /intent payload: sure
    text = message.get("text") or ""
    decision = decide(text, intent.get("name") or "", ranking, lexicon, set(kb.intents))
    return decision_messages(kb, decision, meant_entities(message), lexicon, text)
