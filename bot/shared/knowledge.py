"""The knowledge base: YAML entries in knowledge/, validated with pydantic at load.

Nothing is read at import time; call `load_knowledge()` (cached per directory).
`python -m bot.shared.knowledge` validates the knowledge base and prints a summary.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple, Union

import yaml

from bot.shared.paths import KNOWLEDGE_DIR, PROJECT_ROOT, SOURCES_SUBDIR

try:  # the gateway's venv has pydantic 2 (line-bot-sdk needs it); Rasa's has pydantic 1.10
    from pydantic.v1 import BaseModel, Field, validator
except ImportError:
    from pydantic import BaseModel, Field, validator  # type: ignore[assignment]



@functools.lru_cache(maxsize=1)
def sources_dir() -> Path:
    """The official documents: $SOURCES_DIR, else ../shared/sources beside the project, else beside the
    local repository this one was cloned from (a CI clone in a temporary folder)."""
    if os.environ.get("SOURCES_DIR"):
        return Path(os.environ["SOURCES_DIR"])
    candidates = [PROJECT_ROOT.parent / SOURCES_SUBDIR]
    git_config = PROJECT_ROOT / ".git" / "config"
    if git_config.is_file():
        origin = re.search(r'\[remote "origin"\][^\[]*?url\s*=\s*(\S+)', git_config.read_text(encoding="utf-8"))
        if origin and origin.group(1).startswith("/"):
            candidates.append(Path(origin.group(1)).parent / SOURCES_SUBDIR)
    return next((path for path in candidates if path.is_dir()), candidates[0])

MAX_ANSWER_CHARS = 400
MAX_TITLE_CHARS = 20
MAX_RELATED = 3

# 0120-95-0178, 050-3818-1250, 03-5253-5366, 0120-0178-26 (4-4-2) … — always the whole number, so that a
# number cut short (0120-0178-2) or made longer is checked as written, not passed as a piece of a right one
PHONE_RE = re.compile(r"(?<![\d-])0\d{1,4}-\d{1,4}-\d{1,4}(?![\d-])")
# 2024年12月2日 / 令和6年12月2日 / 2025（令和7）年12月1日 / 本年12月2日 (本年 = the document's year)
DATE_RE = re.compile(
    r"(?:(令和|平成)\s*(\d{1,2}|元)|(\d{4})|(本))\s*(?:\([^)]*\))?\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
# 令和6年10月 / 2023年12月 / 2025（令和7）年12月 — a month with its year, with or without a day after it
MONTH_RE = re.compile(
    r"(?:(令和|平成)\s*(\d{1,2}|元)|(\d{4})|(本))\s*(?:\([^)]*\))?\s*年\s*(\d{1,2})\s*月"
)
ERA_OFFSET = {"令和": 2018, "平成": 1988}


class SourceDocument(BaseModel):
    id: str
    file: str
    title: str
    version: Optional[str] = None
    date: dt.date
    short: str = Field(..., description="short name used in the 出典 line")

    def cite(self) -> str:
        version = f" {self.version}" if self.version else ""
        return f"{self.title}{version}（{self.date.year}年{self.date.month}月）"


PAGE_RANGE_RE = re.compile(r"^(\d+)-(\d*)$")


def page_span(page: Union[int, str, None]) -> Optional[Tuple[int, Optional[int]]]:
    """28 → (28, 28); "15-21" → (15, 21); "28-" → (28, None): from page 28 on, end not known."""
    if page is None:
        return None
    if isinstance(page, int):
        return page, page
    match = PAGE_RANGE_RE.fullmatch(page)
    if match is None:
        raise ValueError(f"page {page!r}: a number or a range like 15-21 or 28-")
    first, last = match.groups()
    return int(first), int(last) if last else None


def page_label(page: Union[int, str, None]) -> str:
    """How a page is shown after 「p.」: 28, 15–21, 28～."""
    span = page_span(page)
    if span is None:
        return ""
    first, last = span
    if last == first:
        return str(first)
    return f"{first}–{last}" if last else f"{first}～"


class SourceRef(BaseModel):
    doc: str
    section: str
    # the page in Ver.2's table of contents; a range ("15-21", "28-" = from 28 on) when the section cited is
    # a part of a TOC entry whose own page the TOC does not give
    page: Optional[Union[int, str]] = None
    quote: str = Field(..., min_length=4)

    @validator("page")
    def page_or_range(cls, value):
        if value is None or isinstance(value, int):
            return value
        value = str(value).strip()
        if value.isdigit():
            return int(value)
        match = PAGE_RANGE_RE.fullmatch(value)
        if not match or (match.group(2) and int(match.group(2)) <= int(match.group(1))):
            raise ValueError(f"page {value!r} is neither a number nor a range like 15-21 or 28-")
        return value


class Link(BaseModel):
    """A link to one of our own pages (e.g. the FAX sheet form), shown with the answer."""

    title: str
    path: str = Field(..., regex=r"^/[a-z0-9/_-]*$")


class Entry(BaseModel):
    id: str
    intent: str
    when: Dict[str, str] = Field(default_factory=dict)
    title: str
    answer: str
    sources: List[SourceRef] = Field(..., min_items=1)
    as_of: dt.date
    related: List[str] = Field(default_factory=list)
    links: List[Link] = Field(default_factory=list)

    @validator("id", "intent")
    def snake_case(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise ValueError(f"{value!r} is not snake_case")
        return value

    @validator("title")
    def short_title(cls, value: str) -> str:
        if len(value) > MAX_TITLE_CHARS:
            raise ValueError(f"title over {MAX_TITLE_CHARS} characters: {value!r}")
        return value

    @validator("answer")
    def short_answer(cls, value: str) -> str:
        value = value.strip()
        if len(value) > MAX_ANSWER_CHARS:
            raise ValueError(f"answer over {MAX_ANSWER_CHARS} characters ({len(value)})")
        return value

    @validator("related")
    def few_related(cls, value: List[str]) -> List[str]:
        if len(value) > MAX_RELATED:
            raise ValueError(f"more than {MAX_RELATED} related entries")
        return value


class Messages(BaseModel):
    """Fixed messages in knowledge/messages.yml."""

    decline: str
    clarify: str
    clarify_doubtful: str    # 「もしかして」 when the topic may not be in the documents (bot.shared.fit.OOS_DOUBT)
    clarify_follow_up: str   # 「もしかして」 for a question that follows an answer up; {title}: that answer's title
    said_before: str         # a follow-up the previous answer answers: its lines that name the follow-up's words; {title}
    from_topic: str          # a question inside a check that the check's topic answers: its lines, as said_before; {title}
    dates_today: str         # after lines with dates, which are past today: {today}, {dates}
    steps_left: str          # a step done: the answer's other steps; {title}
    where_follow_up: str     # 「それってどこに申し込めばいいの？」: the previous answer's lines that say where; {title}
    unknown_answer: str
    in_short: str            # the answer just given was hard to read: {first}, its first sentence; {ask}: one of
    in_short_phone: str      # where to ask by phone
    in_short_fax: str        # where to ask, for a user who has said they cannot phone
    result_in_short: str     # a check's result was hard to read: {lines}, its lines that matter most
    fax_note: str            # after a fallback, for a user who cannot phone: the FAX line for questions about the card
    medical_side: str        # in place of 「受診する医療機関…にお問い合わせください」 to the staff of a clinic or pharmacy
    same_route: str          # the same topic the documents do not cover, asked again: said in short
    route_where: str         # 「じゃあどこに聞けばいい？」 after a routing reply: its lines that say where; {places}
    same_again: str          # the answer just given, asked for again in other words: not repeated; {title}
    unanswered: str          # other questions of the message that no answer given answers; {questions}: quoted
    unanswered_alone: str    # the same, for questions already read on their own (sending them again would not help)
    unanswered_near: str     # the same, read on their own near some answers (offered as buttons); {questions}
    service_down: str
    not_japanese: str        # a message in Latin letters that is not romaji Japanese: Japanese only, the foreign-language lines
    thanks: str              # a message that only thanks, read as a question (「まず電話してみっから。あんがとね」)


def _title_key(text: str) -> str:
    """A title as typed: NFKC, no white space, no final 「。」."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).rstrip("。.")


class KnowledgeError(ValueError):
    """The knowledge base does not hold together."""


def normalize_text(text: str) -> str:
    """NFKC, no white space and no 「**」 (bold marks left by the PDF extraction): how quotes are compared
    with the extracted PDF text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("**", "")


def dates_in(text: str, this_year: Optional[int] = None) -> List[dt.date]:
    """Full dates written in `text`, eras converted; 「本年」 counts as `this_year` when given."""
    found = []
    for era, era_year, year, this, month, day in DATE_RE.findall(unicodedata.normalize("NFKC", text)):
        if era:
            y = (1 if era_year == "元" else int(era_year)) + ERA_OFFSET[era]
        elif year:
            y = int(year)
        elif this and this_year:
            y = this_year
        else:
            continue
        try:
            found.append(dt.date(y, int(month), int(day)))
        except ValueError:
            continue
    return found


def _year(era: str, era_year: str, year: str, this: str, this_year: Optional[int]) -> Optional[int]:
    if era:
        return (1 if era_year == "元" else int(era_year)) + ERA_OFFSET[era]
    if year:
        return int(year)
    return this_year if this else None


def months_in(text: str, this_year: Optional[int] = None) -> List[Tuple[int, int]]:
    """(year, month) of every month written with its year in `text` (「令和6年10月」, 「2023年12月」, and the
    month of every full date); 「本年」 counts as `this_year` when given."""
    found = []
    for era, era_year, year, this, month in MONTH_RE.findall(unicodedata.normalize("NFKC", text)):
        y = _year(era, era_year, year, this, this_year)
        if y is not None and 1 <= int(month) <= 12:
            found.append((y, int(month)))
    return found


def numbers_in(text: str) -> List[str]:
    """Phone and FAX numbers written in `text` (full-width digits and hyphens read as ASCII)."""
    return PHONE_RE.findall(unicodedata.normalize("NFKC", text))


class KnowledgeBase:
    """All entries and documents, with the lookups the actions need."""

    def __init__(
        self, documents: Dict[str, SourceDocument], entries: List[Entry], messages: Dict[str, str]
    ):
        self.documents = documents
        self.entries = entries
        self.messages = messages
        self.by_id = {entry.id: entry for entry in entries}
        self.by_title = {_title_key(entry.title): entry for entry in entries}
        self.by_intent: Dict[str, List[Entry]] = {}
        for entry in entries:
            self.by_intent.setdefault(entry.intent, []).append(entry)

    @property
    def intents(self) -> List[str]:
        return sorted(self.by_intent)

    def titled(self, text: str) -> Optional[Entry]:
        """The entry whose title the message is (a button's title typed, as LINE users do: 「暗証番号の問い合わせ（代理）」)."""
        return self.by_title.get(_title_key(text))

    def default_entry(self, intent: str) -> Optional[Entry]:
        return next((e for e in self.by_intent.get(intent, []) if not e.when), None)

    def select(self, intent: str, entities: Dict[str, List[str]]) -> Optional[Entry]:
        """The entry of `intent` whose entity conditions match most; the default when none does."""
        best, best_score = None, -1
        for entry in self.by_intent.get(intent, []):
            if all(value in entities.get(name, []) for name, value in entry.when.items()):
                if len(entry.when) > best_score:
                    best, best_score = entry, len(entry.when)
        return best

    def citation(self, entry: Entry) -> str:
        """「出典：…」 line: document, section and page for each source of the entry."""
        parts = []
        for ref in entry.sources:
            doc = self.documents[ref.doc]
            page = f" p.{page_label(ref.page)}" if ref.page else ""
            part = f"{doc.short} {ref.section}{page}"
            if part not in parts:
                parts.append(part)
        return "出典：" + "／".join(parts)

    def sources_payload(self, entry: Entry) -> List[dict]:
        return [
            {
                "document": self.documents[ref.doc].cite(),
                "doc_id": ref.doc,
                "section": ref.section,
                "page": ref.page if ref.page is None or isinstance(ref.page, int) else page_label(ref.page),
            }
            for ref in entry.sources
        ]


def _read_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _check(documents: Dict[str, SourceDocument], entries: List[Entry]) -> None:
    problems = []
    seen = set()
    for entry in entries:
        if entry.id in seen:
            problems.append(f"duplicate id {entry.id}")
        seen.add(entry.id)
    ids = {e.id for e in entries}
    defaults: Dict[str, int] = {}
    for entry in entries:
        if not entry.when:
            defaults[entry.intent] = defaults.get(entry.intent, 0) + 1
        for rel in entry.related:
            if rel not in ids or rel == entry.id:
                problems.append(f"{entry.id}: related {rel!r} is not another entry")
        for ref in entry.sources:
            if ref.doc not in documents:
                problems.append(f"{entry.id}: unknown document {ref.doc!r}")
            elif ref.doc == "manual_v2" and ref.page is None:
                problems.append(f"{entry.id}: manual_v2 source needs a page")
    for intent in {e.intent for e in entries}:
        if defaults.get(intent, 0) != 1:
            problems.append(f"intent {intent} has {defaults.get(intent, 0)} default entries (needs 1)")
    if problems:
        raise KnowledgeError("; ".join(problems))


def load_knowledge(knowledge_dir: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    return _load_cached(Path(knowledge_dir).resolve())


@functools.lru_cache(maxsize=4)
def _load_cached(knowledge_dir: Path) -> KnowledgeBase:
    documents = {
        doc_id: SourceDocument(id=doc_id, **data)
        for doc_id, data in _read_yaml(knowledge_dir / "sources.yml")["documents"].items()
    }
    entries: List[Entry] = []
    for path in sorted((knowledge_dir / "entries").glob("*.yml")):
        for raw in _read_yaml(path) or []:
            try:
                entries.append(Entry(**raw))
            except Exception as error:  # pydantic.ValidationError, TypeError
                raise KnowledgeError(f"{path.name}: {raw.get('id', '?')}: {error}") from error
    _check(documents, entries)
    messages = Messages(**_read_yaml(knowledge_dir / "messages.yml")).dict()
    return KnowledgeBase(documents, entries, messages)


def source_text(doc: SourceDocument, directory: Optional[Path] = None) -> str:
    return ((directory or sources_dir()) / doc.file).read_text(encoding="utf-8")


# Source lines that must never be quoted, whatever an entry says about them.
FORBIDDEN_QUOTES: List[Tuple[str, str, str]] = [
    ("qr_notice_2021",
     "健康保険証として使えるようになっても、受診歴や薬剤情報などプライバシー性の高い情報がカードのICチップに入ることはあります。",
     "text-extraction error: the leaflet says 「入ることはありません」 (policy_2019 has the same leaflet right)"),
    ("qr_notice_2021", "※現在の健康保険証が利用できなくなるわけではありません。",
     "2021: out of date since the 健康保険証 stopped being issued on 2024-12-02 (mhlw_letter_2024)"),
    ("policy_2019", "※現在の健康保険証が利用できなくなるわけではありません。",
     "2021: out of date since the 健康保険証 stopped being issued on 2024-12-02 (mhlw_letter_2024)"),
]

# The document whose table of contents gives the pages, and the 用語解説 that follows its last chapter.
PAGED_DOC = "manual_v2"
TOC_LINE_RE = re.compile(r"^(.+?)-{3,}\s*(\d+)\s*$", re.M)
GLOSSARY_HEADING = "<用語解説>"


@dataclasses.dataclass
class TocEntry:
    key: str                  # 「第5」, 「第5 1.」, 「第2 <参考>」, 「用語解説」
    title: str                # normalized title without 「第5」 / 「1.」
    page: int
    level: int                # 1 chapter, 2 item
    last_page: Optional[int] = None  # the last page the entry can reach by the TOC; None: not known
    start: int = 0            # where its heading is in the normalized text
    end: int = 0              # where the next entry of the same or a higher level begins


def manual_toc(text: str) -> Dict[str, TocEntry]:
    """The table of contents of manual Ver.2, each entry located in the normalized body text.

    An item ends at the latest on the page where the next item begins; a chapter begins a new page
    (第4, a one-page chapter, is p.14 and 第5 p.15), so the entry before a chapter ends on the page before.
    """
    matches = list(TOC_LINE_RE.finditer(text))
    entries: List[TocEntry] = []
    chapter = ""
    for raw_title, page in (m.groups() for m in matches):
        title = normalize_text(raw_title)
        chapter_match = re.match(r"第(\d+)(.*)", title)
        item_match = re.match(r"(\d+)\.(.*)", title)
        if chapter_match:
            chapter = f"第{chapter_match.group(1)}"
            entries.append(TocEntry(key=chapter, title=chapter_match.group(2), page=int(page), level=1))
        elif item_match:
            entries.append(TocEntry(key=f"{chapter} {item_match.group(1)}.", title=item_match.group(2),
                                    page=int(page), level=2))
        elif title.startswith("<参考>"):
            entries.append(TocEntry(key=f"{chapter} <参考>", title=title, page=int(page), level=2))
        else:
            entries.append(TocEntry(key=title, title=title, page=int(page), level=1))
    body = normalize_text(text)
    position = len(normalize_text(text[:matches[-1].end()])) if matches else 0   # the body after the TOC
    for entry in entries:
        if entry.level == 1 and entry.key.startswith("第"):
            pattern = re.escape(entry.key) + r"\.?" + re.escape(entry.title)
        elif entry.key.endswith("."):
            pattern = re.escape(entry.key.split(" ")[1]) + re.escape(entry.title)
        else:
            pattern = re.escape(entry.title)
        found = re.compile(pattern).search(body, position)
        if not found:
            raise KnowledgeError(f"TOC entry {entry.key} {entry.title} is not in the text")
        entry.start = position = found.start()
    glossary = body.find(normalize_text(GLOSSARY_HEADING), position)
    if glossary >= 0:
        entries.append(TocEntry(key="用語解説", title="用語解説", page=entries[-1].page, level=1, start=glossary))
    for index, entry in enumerate(entries):
        following = next((e for e in entries[index + 1:] if e.level <= entry.level), None)
        entry.end = following.start if following else len(body)
        if entry.key == "用語解説":        # after the last chapter: its page is not in the TOC
            entry.last_page = None
        elif following and following.key != "用語解説":
            entry.last_page = max(entry.page, following.page - 1 if following.level == 1 else following.page)
    return {entry.key: entry for entry in entries}


SUBPART_RE = re.compile(r"^(\(|<|【)")


def toc_citation(toc: Dict[str, TocEntry], section: str) -> Tuple[Optional[TocEntry], Optional[Tuple[int, Optional[int]]], str]:
    """(TOC entry, expected page span, problem) for a section cited from manual Ver.2.

    A section that is a TOC entry is cited with its page; a part of an entry that the TOC does not list
    (「(5) 当日までに必要な準備」, 「＜ご相談・お問い合わせ先＞」, 「（参考）」) with the pages its entry spans.
    """
    text = normalize_text(section)
    if text.startswith("用語解説"):
        entry, rest = toc["用語解説"], text[len("用語解説"):]
    elif text in toc:                                  # an unnumbered TOC entry: 「はじめに」
        entry, rest = toc[text], ""
    elif text.startswith("<参考>"):
        reference = next((e for e in toc.values() if e.key.endswith("<参考>") and e.title.startswith(text)), None)
        if reference is None:
            return None, None, f"section {section!r} is not in the table of contents"
        entry = reference
        rest = ""
    else:
        match = re.match(r"(第\d+)\.?\s*(?:(\d+)\.)?(.*)", unicodedata.normalize("NFKC", section).strip())
        key = match and (f"{match.group(1)} {match.group(2)}." if match.group(2) else match.group(1))
        if match is None or not key or key not in toc:
            return None, None, f"section {section!r} is not in the table of contents"
        entry, rest = toc[key], normalize_text(match.group(3))
        if rest.startswith(entry.title):
            rest = rest[len(entry.title):]
    if rest and not SUBPART_RE.match(rest):
        return entry, None, f"section {section!r} does not give the TOC title of {entry.key} ({entry.title})"
    if rest or entry.key == "用語解説":
        return entry, (entry.page, entry.last_page), ""
    return entry, (entry.page, entry.page), ""


def verify_against_sources(kb: KnowledgeBase, directory: Optional[Path] = None) -> List[str]:
    """Quotes, phone numbers, dates, months and manual pages of every entry checked against the source texts.

    - a quote is verbatim in its document (white space ignored), and not only in a forbidden line;
    - a quote from manual Ver.2 is in the section cited, and the page is that section's page in the TOC;
    - every phone/FAX number, full date and month-with-year in an answer is in some source.
    """
    texts = {doc_id: source_text(doc, directory) for doc_id, doc in kb.documents.items()}
    normalized = {doc_id: normalize_text(text) for doc_id, text in texts.items()}
    problems = []
    allowed = dict(normalized)      # each text with its forbidden lines cut out
    forbidden_texts = []
    for doc_id, line, _reason in FORBIDDEN_QUOTES:
        forbidden = normalize_text(line)
        forbidden_texts.append(forbidden)
        if doc_id not in allowed or forbidden not in allowed[doc_id]:
            problems.append(f"forbidden quote not found in {doc_id}: {line!r}")
            continue
        allowed[doc_id] = allowed[doc_id].replace(forbidden, "\x00")
    all_numbers = {number for text in texts.values() for number in numbers_in(text)}
    all_dates = {
        date for doc_id, text in texts.items() for date in dates_in(text, kb.documents[doc_id].date.year)
    }
    all_months = {
        month for doc_id, text in texts.items() for month in months_in(text, kb.documents[doc_id].date.year)
    }
    # each document's own date is written in it (「令和元年６月４日」 for policy_2019's 2019-06-04, era converted)
    problems += [f"{doc_id}: date {kb.documents[doc_id].date} is not written in {kb.documents[doc_id].file}"
                 for doc_id, text in texts.items()
                 if kb.documents[doc_id].date not in dates_in(text, kb.documents[doc_id].date.year)]
    toc = manual_toc(texts[PAGED_DOC]) if PAGED_DOC in texts else {}
    for entry in kb.entries:
        for ref in entry.sources:
            quote = normalize_text(ref.quote)
            if quote not in normalized[ref.doc]:
                problems.append(f"{entry.id}: quote not in {ref.doc}: {ref.quote!r}")
                continue
            if quote not in allowed[ref.doc]:
                problems.append(f"{entry.id}: quote is (part of) a forbidden line of {ref.doc}: {ref.quote!r}")
            if ref.doc != PAGED_DOC:
                continue
            toc_entry, span, problem = toc_citation(toc, ref.section)
            if problem:
                problems.append(f"{entry.id}: {problem}")
            if toc_entry and not _quote_within(normalized[ref.doc], quote, toc_entry):
                problems.append(f"{entry.id}: quote is not in {toc_entry.key} ({ref.section}): {ref.quote!r}")
            if span and page_span(ref.page) != span:
                problems.append(f"{entry.id}: {ref.section} is p.{page_label(_span_page(span))} "
                                f"in the table of contents, not p.{page_label(ref.page)}")
        problems += _fact_problems(entry.id, entry.answer, all_numbers, all_dates, all_months)
        answer = normalize_text(entry.answer)
        problems += [f"{entry.id}: answer repeats a forbidden line" for f in forbidden_texts if f in answer]
    for name, message in kb.messages.items():
        problems += _fact_problems(f"message {name}", message, all_numbers, all_dates, all_months)
    return problems


def _quote_within(text: str, quote: str, entry: TocEntry) -> bool:
    start = text.find(quote)
    while start >= 0:
        if entry.start <= start and start + len(quote) <= entry.end:
            return True
        start = text.find(quote, start + 1)
    return False


def _span_page(span: Tuple[int, Optional[int]]) -> Union[int, str]:
    first, last = span
    if last == first:
        return first
    return f"{first}-{last if last else ''}"


def _fact_problems(name: str, text: str, numbers: Set[str], dates: Set[dt.date],
                   months: Set[Tuple[int, int]]) -> List[str]:
    """Numbers, full dates and months with their year in `text` that no source has."""
    problems = [f"{name}: number {n} is in no source" for n in numbers_in(text) if n not in numbers]
    problems += [f"{name}: date {d} is in no source" for d in dates_in(text) if d not in dates]
    problems += [f"{name}: month {y}年{m}月 is in no source" for y, m in months_in(text) if (y, m) not in months]
    return problems


def main() -> int:
    from bot.shared.concepts import check_lexicon, load_lexicon   # the lexicon names this base's intents

    kb = load_knowledge()
    lexicon = load_lexicon(with_readings=False)
    problems = verify_against_sources(kb) + check_lexicon(lexicon, set(kb.intents))
    all_numbers = {n for doc in kb.documents.values() for n in numbers_in(source_text(doc))}
    for concept in lexicon.uncovered.values():
        problems += [f"concept {concept.id}: number {n} is in no source"
                     for n in numbers_in(concept.reply) if n not in all_numbers]
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{len(kb.entries)} entries, {len(kb.intents)} intents, {len(lexicon.covered)} covered and "
          f"{len(lexicon.uncovered)} uncovered concepts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
