"""How the helpdesk shows things: Japanese labels, times in JST, rows as JSON, the page templates."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from bot.gateway.helpdesk.auth import PREFIX, csrf_token, session_user
from bot.gateway.storage import as_utc, iso

STATUSES = {"open": "未対応", "answered": "回答済み", "closed": "完了"}
CHANNELS = {"web": "Web", "line": "LINE", "fax": "FAX"}
DIRECTIONS = {"user": "利用者", "bot": "Bot"}
JST = dt.timezone(dt.timedelta(hours=9), "JST")


def jst(value) -> str:
    """Template filter: 2026-11-22 09:30 in Japan time."""
    value = as_utc(value)
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M") if value else ""


def message_dict(message) -> dict:
    return {"id": message.id, "channel": message.channel, "sender_id": message.sender_id,
            "direction": message.direction, "text": message.text, "intent": message.intent,
            "answer_id": message.answer_id, "fallback": message.fallback, "created_at": iso(message.created_at)}


def ticket_dict(ticket) -> dict:
    return {"id": ticket.id, "channel": ticket.channel, "sender_id": ticket.sender_id,
            "question": ticket.question, "status": ticket.status, "answer": ticket.answer,
            "delivered": ticket.delivered, "answered_by": ticket.answered_by, "created_at": iso(ticket.created_at),
            "updated_at": iso(ticket.updated_at)}


def conversation_dict(row: dict) -> dict:
    last = row["last"]
    return {"channel": row["channel"], "sender_id": row["sender_id"], "count": row["count"],
            "last_at": iso(last.created_at), "last_direction": last.direction, "last_text": last.text}


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates"),
                             autoescape=True)
    env.filters.update(jst=jst, status_label=lambda s: STATUSES.get(s, s),
                       channel_label=lambda c: CHANNELS.get(c, c),
                       direction_label=lambda d: DIRECTIONS.get(d, d))
    env.globals.update(prefix=PREFIX, statuses=STATUSES)
    return Jinja2Templates(env=env)


TEMPLATES = make_templates()


def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
    """A page with the session's form token, the logged-in user and the flash message. Reads the store
    (the session): call it from a plain `def` handler or the thread pool."""
    context.update(csrf_token=csrf_token(request), user=session_user(request),
                   flash=request.session.pop("flash", None))
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
