"""The flow machine: a check is a `Flow` (its questions, which of them matter, its result); the
registry of checks; which question comes next; the values a typed answer gives.

Nothing here knows a particular check: what is special to one check is a hook of its `Flow`
(`slots_for`, `after_extract`, `render`) or of its questions (`parser`, `titles`).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.shared.guides.parsing import (UNKNOWN, UNKNOWN_FIRST, Question, correcting_parts, date_of, is_past, normalize, parse_answer,
                                       sentences)
from bot.shared.guides.result import Result, format_date

Values = Dict[str, Any]   # slot → answer: a text, a list of texts or None


@dataclass(frozen=True)
class Flow:
    name: str                                   # proxy, photo, lost, pin, face_auth, outreach
    title: str                                  # 代理交付チェック …
    questions: Tuple[Question, ...]
    slots_for: Callable[[Values], List[str]]    # the questions that matter, in order
    intro: str
    render: Callable[[Values, dt.date], Result]  # the result of the completed check
    button_title: str = ""                      # the button that offers the check under an answer
    intents: Tuple[str, ...] = ()               # knowledge intents whose answers offer the check
    # found, values → more values found (e.g. 「92歳」 answers the proxy check's reason too)
    after_extract: Optional[Callable[[Values, Values], None]] = None

    @property
    def form(self) -> str:
        return f"{self.name}_form"

    @property
    def slots(self) -> List[str]:
        return [q.slot for q in self.questions]

    def question(self, slot: str) -> Question:
        return next(q for q in self.questions if q.slot == slot)


# The registry (filled by bot/shared/guides/__init__.py, in the order of the menu)
FLOWS: Dict[str, Flow] = {}
FLOW_BY_FORM: Dict[str, Flow] = {}
GUIDE_FOR_INTENT: Dict[str, str] = {}   # knowledge intent → the check its answer offers
CHECK_TITLE: Dict[str, str] = {}        # check → the title of the button offering it


def register(*flows: Flow) -> None:
    for flow in flows:
        if flow.name in FLOWS:
            raise ValueError(f"check {flow.name} registered twice")
        FLOWS[flow.name] = flow
        FLOW_BY_FORM[flow.form] = flow
        CHECK_TITLE[flow.name] = flow.button_title or flow.title
        for intent in flow.intents:
            GUIDE_FOR_INTENT[intent] = flow.name


def start_payload(name: str) -> str:
    return "/start_guide" + json.dumps({"guide": name}, ensure_ascii=False)


def check_button(name: str) -> Dict[str, str]:
    return {"title": CHECK_TITLE[name], "payload": start_payload(name)}


def menu_buttons() -> List[Dict[str, str]]:
    return [{"title": f.title, "payload": start_payload(f.name)} for f in FLOWS.values()]


def render(flow: str, values: Values, today: Optional[dt.date] = None) -> Result:
    """The result of a completed check."""
    return FLOWS[flow].render(values, today or dt.date.today())


def next_slot(flow: Flow, values: Values) -> Optional[str]:
    """The first question that matters and has no answer yet; None when the check is complete."""
    return next((s for s in flow.slots_for(values) if values.get(s) is None), None)


def extract(flow: Flow, text: str, requested: Optional[str], values: Values, today: dt.date) -> Values:
    """Values found in `text`: the requested question, plus any unanswered question marked `strong`
    whose words are distinctive enough («92歳で施設にいる母» answers reason and age at once)."""
    found: Values = {}
    if requested in flow.slots:
        question = flow.question(requested)
        value = parse_answer(question, text, today, asked=True)
        if value in (UNKNOWN, [UNKNOWN]) and not UNKNOWN_FIRST.search(text):   # not after 「わからない。」 said first
            value = _definite_in_a_sentence(question, text, today) or value
        if value is not None:
            found[requested] = value
    strong = [q for q in flow.questions if q.slot != requested and q.strong and values.get(q.slot) is None]
    found.update(_given(strong, text, today))
    found = {slot: value for slot, value in found.items()   # a past date is no plan
             if not (flow.question(slot).kind == "date" and is_past(value, today))}
    if flow.after_extract is not None:
        flow.after_extract(found, values)
    return found


def _given(questions: List[Question], text: str, today: dt.date) -> Values:
    """The definite answers (not 「わからない」) that `text` gives to these questions, unasked."""
    found: Values = {}
    for question in questions:
        value = parse_answer(question, text, today, asked=False)
        if value is not None and value not in (UNKNOWN, [UNKNOWN]):
            found[question.slot] = value
    return found


def _definite_in_a_sentence(question: Question, text: str, today: dt.date) -> Optional[object]:
    """「2人ほど隣の町に住民票が残ってる人がいます。あ、あと…来ないかもなので…」: the one definite answer its sentences
    give when the whole reads 「わからない」 (the 「かも」 was about something else); None when they disagree. A sentence
    that asks is no answer (「通知カード？わかんない、たんすとかにあるかも」 is 「わからない」)."""
    values = [parse_answer(question, sentence, today) for sentence in sentences(text)
              if not sentence.rstrip().endswith(("?", "？"))]   # 「通知カード？わかんない…」: the question echoed
    definite = {str(v): v for v in values if v is not None and v not in (UNKNOWN, [UNKNOWN])}
    return next(iter(definite.values())) if len(definite) == 1 and len(values) > 1 else None


def corrected(flow: Flow, text: str, requested: Optional[str], values: Values, today: dt.date) -> Values:
    """Earlier answers the message corrects (「ちがう、入院中です」 asked about the 本人確認書類; 「…2月22日の月曜に訂正します」):
    the new values of answered questions other than `requested`, read in the words that say what is meant now."""
    answered = [q for q in flow.questions if q.slot != requested and values.get(q.slot) is not None]
    for part in correcting_parts(text)[0]:
        found = {slot: value for slot, value in _given(answered, part, today).items() if value != values[slot]}
        if found:
            if flow.after_extract is not None:
                flow.after_extract(found, values)
            return found
    return {}


def describe_date(value: str) -> str:
    """"2026-12-15" → 2026年12月15日（火）; "2026-12-15~" → 2026年12月15日（火）ごろ; "2026-12" → 2026年12月."""
    day, exact = date_of(value)
    if day is None:
        return "わからない"
    if exact == "month":
        return f"{day.year}年{day.month}月"
    return format_date(day) + ("ごろ" if exact == "about" else "")


def describe(flow: Flow, found: Values) -> str:
    """「施設に入所している、75歳以上」: the values understood, in the buttons' words."""
    words: List[str] = []
    for question in flow.questions:
        if question.slot not in found or found[question.slot] is None:
            continue
        value = found[question.slot]
        if question.kind == "date" and value != UNKNOWN:
            words.append(describe_date(str(value)))
            continue
        titles = {o.value: o.title for o in question.options}
        titles.update(dict(question.titles))
        titles[UNKNOWN] = "わからない"
        for v in value if isinstance(value, list) else [value]:
            if titles.get(v, str(v)) not in words:
                words.append(titles.get(v, str(v)))
    return "、".join(words)


def is_button_text(flow: Flow, text: str) -> bool:
    text = normalize(text)
    return any(normalize(o.title) == text for q in flow.questions for o in q.options)
