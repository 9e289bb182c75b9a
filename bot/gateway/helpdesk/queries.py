"""What the helpdesk reads, once for the pages and the JSON API: plain functions over the store.

Each function is synchronous (SQLAlchemy): the handlers that call them are plain `def` (FastAPI runs
them in its thread pool) or call them with `run_in_threadpool`. None runs a query per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from bot.gateway.storage import Message, Store, Ticket
from bot.shared.knowledge import load_knowledge

PAGE_SIZE = 20
TICKET_HISTORY = 10          # messages of the conversation shown with a ticket
STATUSES = ("open", "answered", "closed")


@dataclass
class ConversationView:
    sender_id: str
    channel: Optional[str]         # None: the sender's messages on every channel
    messages: List[Message]
    tickets: List[Ticket]


def home_counts(store: Store) -> Dict[str, int]:
    """The home page's figures: open tickets, kinds of unanswered questions (two grouped queries)."""
    return {"open_count": store.ticket_counts().get("open", 0), "unanswered_count": len(store.unanswered())}


def conversations(store: Store, limit: int = PAGE_SIZE, offset: int = 0) -> tuple:
    """(a page of conversations, latest activity first; whether there are more)."""
    rows = store.conversation_list(limit=limit + 1, offset=offset)
    return rows[:limit], len(rows) > limit


def waiting_conversations(store: Store) -> set:
    """(channel, sender) of the conversations with an open ticket."""
    return {(t.channel, t.sender_id) for t in store.tickets("open")}


def conversation(store: Store, sender_id: str, channel: Optional[str] = None) -> Optional[ConversationView]:
    """A conversation's latest messages and its tickets; None when there is neither."""
    messages = store.conversation(sender_id, channel=channel)
    tickets = store.tickets(channel=channel, sender_id=sender_id)
    if not messages and not tickets:
        return None
    return ConversationView(sender_id, channel, messages, tickets)


def ticket_history(store: Store, ticket: Ticket) -> List[Message]:
    """The last messages of the ticket's conversation (its channel only)."""
    return store.conversation(ticket.sender_id, limit=TICKET_HISTORY, channel=ticket.channel)


def tickets_by_status(store: Store, status: str = "") -> tuple:
    """(the tickets with `status`, or all; the number of tickets per status)."""
    counts = store.ticket_counts()
    return store.tickets(status or None), {s: counts.get(s, 0) for s in STATUSES}


def feedback_rows(store: Store) -> List[dict]:
    """👍/👎 per answer with the answer's title."""
    kb = load_knowledge()
    rows = []
    for row in store.feedback_summary():
        entry = kb.by_id.get(row["answer_id"] or "")
        rows.append({**row, "title": entry.title if entry else None})
    return rows
