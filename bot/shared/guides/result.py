"""Results of a check: lines made of parts, each fact part a verbatim piece of a knowledge entry
(`Part(text, entry_id)`; the guide's own words — headings, verdicts, connectives — have no entry),
and their rendering as chat messages with ［n］ marks and the 出典 list."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.shared.answers import entry_buttons
from bot.shared.knowledge import KnowledgeBase, page_label

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
    parts: List[str] = field(default_factory=list)  # titles when the messages are given one at a time

    def all_buttons(self, kb: KnowledgeBase) -> List[Dict[str, str]]:
        return entry_buttons(kb, self.related) + self.buttons + END_BUTTONS

    def lines(self) -> Iterable[Line]:
        for sections in self.messages:
            for section in sections:
                yield from section.lines


def format_date(day: dt.date) -> str:
    """2026年12月15日（火）"""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def source_refs(kb: KnowledgeBase, entry_id: str) -> List[Tuple[str, dict]]:
    """(label, payload) of each source of an entry, once each: 「取得・管理マニュアルVer.2（2023年12月） 第8 … p.28～」."""
    entry = kb.by_id[entry_id]
    out: Dict[str, dict] = {}
    for ref, payload in zip(entry.sources, kb.sources_payload(entry)):
        page = f" p.{page_label(ref.page)}" if ref.page else ""
        out.setdefault(f"{kb.documents[ref.doc].short} {ref.section}{page}", payload)
    return list(out.items())


def marks(numbers: List[int]) -> str:
    """[1] → ［1］; [2, 3] → ［2,3］; [1, 2, 3] → ［1～3］ (the 出典 list's numbers, compact)."""
    if not numbers:
        return ""
    runs: List[List[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "［" + ",".join(f"{r[0]}～{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs) + "］"


def next_part_button(result: Result, index: int) -> Dict[str, str]:
    """「続き：打合せから前日まで（2/3）」 — 「続き」 typed does the same (resume_guide)."""
    return {"title": f"続き：{result.parts[index]}（{index + 1}/{len(result.parts)}）", "payload": "/resume_guide"}


def render_messages(kb: KnowledgeBase, result: Result) -> List[dict]:
    """Chat messages (text, buttons, custom): each fact line ends with ［n］, and each message ends
    with its 出典 list, n numbering the distinct sources (document, section, page) of the entries
    used in that message — each source listed once. A result in parts has one message per part,
    each but the last with the button to the next."""
    messages = []
    for index, sections in enumerate(result.messages):
        labels: List[str] = []
        sources: List[dict] = []
        entry_ids: List[str] = []
        out: List[str] = []
        if result.parts:
            out.append(f"（{index + 1}/{len(result.parts)}）{result.parts[index]}")
        for section in sections:
            if section.heading:
                out.append(f"【{section.heading}】")
            for ln in section.lines:
                numbers: List[int] = []
                for entry_id in ln.entries():
                    if entry_id not in entry_ids:
                        entry_ids.append(entry_id)
                    for label, payload in source_refs(kb, entry_id):
                        if label not in labels:
                            labels.append(label)
                            sources.append(payload)
                        if labels.index(label) + 1 not in numbers:
                            numbers.append(labels.index(label) + 1)
                out.append(ln.bullet + "".join(p.text for p in ln.parts) + marks(numbers))
        citation = "出典：" + "".join(f"\n［{i + 1}］{label}" for i, label in enumerate(labels)) if labels else ""
        if citation:
            out.append(citation)
        last = index == len(result.messages) - 1
        custom: Dict[str, Any] = {"guide": result.flow, "entries": entry_ids, "sources": sources,
                                  "links": result.links if last else []}
        if citation:
            custom["citation"] = citation        # the message contract (bot/shared/message.py): text ends with it
        if result.parts:
            custom.update(part=index + 1, parts=len(result.parts))
        messages.append({
            "text": "\n".join(out),
            "buttons": result.all_buttons(kb) if last else ([next_part_button(result, index + 1)] if result.parts else []),
            "custom": custom,
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
