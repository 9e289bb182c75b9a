"""Results of a check: lines made of parts, each fact part a verbatim piece of a knowledge entry
(`Part(text, entry_id)`; the guide's own words — headings, verdicts, connectives — have no entry),
and their rendering as chat messages with ［n］ marks and the 出典 list."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from bot.shared.answers import entry_buttons
from bot.shared.knowledge import KnowledgeBase

WEEKDAYS = "月火水木金土日"

END_BUTTONS = [
    {"title": "最初からやり直す", "payload": "/restart_guide"},
    {"title": "ほかのチェック", "payload": "/start_guide"},
]

@dataclass(frozen=True)
class Part:
    text: str
    entry: Optional[str] = None     # the knowledge entry the text is quoted from; None = guide's words


@dataclass
class Line:
    parts: List[Part]
    bullet: str = "・"

    def entries(self) -> List[str]:
        out: List[str] = []
        for part in self.parts:
            if part.entry and part.entry not in out:
                out.append(part.entry)
        return out


def fact(entry: str, text: str, bullet: str = "・") -> Line:
    return Line([Part(text, entry)], bullet)


def say(text: str, bullet: str = "") -> Line:
    return Line([Part(text)], bullet)


def line(*parts: Part, bullet: str = "・") -> Line:
    return Line(list(parts), bullet)


@dataclass
class Section:
    heading: str
    lines: List[Line] = field(default_factory=list)


@dataclass
class Result:
    flow: str
    messages: List[List[Section]]               # one list of sections per chat message
    related: List[str] = field(default_factory=list)            # entries offered as buttons
    buttons: List[Dict[str, str]] = field(default_factory=list)  # other buttons (another check)
    links: List[Dict[str, str]] = field(default_factory=list)

    def all_buttons(self, kb: KnowledgeBase) -> List[Dict[str, str]]:
        return entry_buttons(kb, self.related) + self.buttons + END_BUTTONS

    def lines(self) -> Iterable[Line]:
        for sections in self.messages:
            for section in sections:
                yield from section.lines


def format_date(day: dt.date) -> str:
    """2026年12月15日（火）"""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def render_messages(kb: KnowledgeBase, result: Result) -> List[dict]:
    """Chat messages (text, buttons, custom): each fact line ends with ［n］, and each message ends
    with its 出典 list, n numbering the distinct citations of the entries used in that message."""
    messages = []
    for index, sections in enumerate(result.messages):
        citations: List[str] = []
        entry_ids: List[str] = []
        out: List[str] = []
        for section in sections:
            if section.heading:
                out.append(f"【{section.heading}】")
            for ln in section.lines:
                marks = ""
                for entry_id in ln.entries():
                    if entry_id not in entry_ids:
                        entry_ids.append(entry_id)
                    citation = kb.citation(kb.by_id[entry_id]).replace("出典：", "", 1)
                    if citation not in citations:
                        citations.append(citation)
                    mark = f"［{citations.index(citation) + 1}］"
                    if mark not in marks:
                        marks += mark
                out.append(ln.bullet + "".join(p.text for p in ln.parts) + marks)
        if citations:
            out.append("出典：" + "".join(f"\n［{i + 1}］{c}" for i, c in enumerate(citations)))
        sources = [s for e in entry_ids for s in kb.sources_payload(kb.by_id[e])]
        last = index == len(result.messages) - 1
        messages.append({
            "text": "\n".join(out),
            "buttons": result.all_buttons(kb) if last else [],
            "custom": {"guide": result.flow, "entries": entry_ids, "sources": sources,
                       "links": result.links if last else []},
        })
    return messages


def fact_problems(kb: KnowledgeBase, result: Result) -> List[str]:
    """Fact parts that are not verbatim in their entry's answer (white space ignored)."""
    problems = []
    for ln in result.lines():
        for part in ln.parts:
            if part.entry is None:
                continue
            entry = kb.by_id.get(part.entry)
            if entry is None:
                problems.append(f"unknown entry {part.entry}")
            elif re.sub(r"\s+", "", part.text) not in re.sub(r"\s+", "", entry.answer):
                problems.append(f"{part.entry}: {part.text!r}")
    return problems
