"""The knowledge base: YAML entries in knowledge/, validated with pydantic at load.

Nothing is read at import time; call `load_knowledge()` (cached per directory).
`python -m bot.knowledge` validates the knowledge base and prints a summary.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Dict, List, Optional

import yaml

try:  # the gateway's venv has pydantic 2 (line-bot-sdk needs it); Rasa's has pydantic 1.10
    from pydantic.v1 import BaseModel, Field, validator
except ImportError:
    from pydantic import BaseModel, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SOURCES_SUBDIR = Path("shared") / "sources"   # beside the project: ../shared/sources


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

# 0120-95-0178, 050-3818-1250, 03-5253-5366 …
PHONE_RE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")
# 2024年12月2日 / 令和6年12月2日 / 2025（令和7）年12月1日 / 本年12月2日 (本年 = the document's year)
DATE_RE = re.compile(
    r"(?:(令和|平成)\s*(\d{1,2}|元)|(\d{4})|(本))\s*(?:\([^)]*\))?\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
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


class SourceRef(BaseModel):
    doc: str
    section: str
    page: Optional[int] = None
    quote: str = Field(..., min_length=4)


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
    unknown_answer: str
    service_down: str


class KnowledgeError(ValueError):
    """The knowledge base does not hold together."""


def normalize_text(text: str) -> str:
    """NFKC and no white space: how quotes are compared with the extracted PDF text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


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


class KnowledgeBase:
    """All entries and documents, with the lookups the actions need."""

    def __init__(
        self, documents: Dict[str, SourceDocument], entries: List[Entry], messages: Dict[str, str]
    ):
        self.documents = documents
        self.entries = entries
        self.messages = messages
        self.by_id = {entry.id: entry for entry in entries}
        self.by_intent: Dict[str, List[Entry]] = {}
        for entry in entries:
            self.by_intent.setdefault(entry.intent, []).append(entry)

    @property
    def intents(self) -> List[str]:
        return sorted(self.by_intent)

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
            page = f" p.{ref.page}" if ref.page else ""
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
                "page": ref.page,
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


def verify_against_sources(kb: KnowledgeBase, directory: Optional[Path] = None) -> List[str]:
    """Quotes, phone numbers and dates of every entry checked against the source texts."""
    texts = {doc_id: source_text(doc, directory) for doc_id, doc in kb.documents.items()}
    normalized = {doc_id: normalize_text(text) for doc_id, text in texts.items()}
    all_text = "\n".join(texts.values())
    all_dates = {
        date for doc_id, text in texts.items() for date in dates_in(text, kb.documents[doc_id].date.year)
    }
    problems = []
    for entry in kb.entries:
        for ref in entry.sources:
            if normalize_text(ref.quote) not in normalized[ref.doc]:
                problems.append(f"{entry.id}: quote not in {ref.doc}: {ref.quote!r}")
        for number in PHONE_RE.findall(unicodedata.normalize("NFKC", entry.answer)):
            if number not in all_text:
                problems.append(f"{entry.id}: number {number} is in no source")
        for date in dates_in(entry.answer):
            if date not in all_dates:
                problems.append(f"{entry.id}: date {date} is in no source")
    for name, message in kb.messages.items():
        for number in PHONE_RE.findall(unicodedata.normalize("NFKC", message)):
            if number not in all_text:
                problems.append(f"message {name}: number {number} is in no source")
    return problems


def main() -> int:
    from bot.concepts import check_lexicon, load_lexicon   # the lexicon names this base's intents

    kb = load_knowledge()
    lexicon = load_lexicon(with_readings=False)
    problems = verify_against_sources(kb) + check_lexicon(lexicon, set(kb.intents))
    all_text = "\n".join(source_text(doc) for doc in kb.documents.values())
    for concept in lexicon.uncovered.values():
        problems += [f"concept {concept.id}: number {n} is in no source"
                     for n in PHONE_RE.findall(unicodedata.normalize("NFKC", concept.reply)) if n not in all_text]
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{len(kb.entries)} entries, {len(kb.intents)} intents, {len(lexicon.covered)} covered and "
          f"{len(lexicon.uncovered)} uncovered concepts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
