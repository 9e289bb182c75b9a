"""The helpdesk's knowledge search: the bot's own answers, found by words, shown as the bot sends them."""
from __future__ import annotations

import unicodedata
from typing import List

from bot.shared.answers import answer_message
from bot.shared.knowledge import Entry, KnowledgeBase, load_knowledge
from bot.shared.privacy import redact

MAX_RESULTS = 20
MAX_QUERY_CHARS = 200


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def search(kb: KnowledgeBase, query: str, limit: int = MAX_RESULTS) -> List[tuple]:
    """(entry, score) best first; terms must all match (any, when no entry has them all).

    Per term: title 3, intent or id 2, answer 1 per occurrence (up to 3).
    """
    terms = normalize(query).split()
    if not terms:
        return []
    scored = []
    for index, entry in enumerate(kb.entries):
        title, answer, names = normalize(entry.title), normalize(entry.answer), f"{entry.intent} {entry.id}"
        hits = [3 * (t in title) + 2 * (t in names) + min(answer.count(t), 3) for t in terms]
        scored.append((all(hits), sum(hits), index, entry))
    matches = [s for s in scored if s[0]] or [s for s in scored if s[1]]
    matches.sort(key=lambda s: (-s[1], s[2]))
    return [(entry, score) for _, score, _, entry in matches[:limit]]


def hit_dict(kb: KnowledgeBase, entry: Entry, score: int) -> dict:
    """An entry exactly as the bot sends it (text with 出典, buttons, sources)."""
    message = answer_message(kb, entry)
    sources = message["custom"]["sources"]
    lines = [f"{s['document']}　{s['section']}" + (f"　p.{s['page']}" if s["page"] else "") for s in sources]
    return {"answer_id": entry.id, "title": entry.title, "intent": entry.intent, "score": score,
            "as_of": entry.as_of.isoformat(), "text": message["text"], "buttons": message["buttons"],
            "sources": sources, "source_lines": list(dict.fromkeys(lines))}


def search_hits(query: str) -> tuple:
    """(the query with personal data hidden, its hits as dicts): what the page and the API show."""
    kb = load_knowledge()
    query = redact(query[:MAX_QUERY_CHARS]).text
    return query, [hit_dict(kb, entry, score) for entry, score in search(kb, query)]
