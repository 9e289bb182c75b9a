"""The helpdesk's JSON API under /helpdesk/api (session or HTTP Basic auth; a change needs
X-CSRF-Token with the session, X-Requested-With with Basic auth). The same queries as the pages
(bot/gateway/helpdesk/queries.py); plain `def` handlers run in the thread pool."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from bot.gateway.helpdesk import queries
from bot.gateway.helpdesk.auth import PREFIX, staff_api, staff_api_change
from bot.gateway.helpdesk.search import MAX_QUERY_CHARS, search_hits
from bot.gateway.helpdesk.tickets import save_answer
from bot.gateway.helpdesk.views import STATUSES, conversation_dict, message_dict, ticket_dict
from bot.gateway.storage import MAX_ID, iso

api = APIRouter(prefix=PREFIX + "/api", tags=["helpdesk"])


class TicketAnswer(BaseModel):
    answer: str


def get_ticket(request: Request, ticket_id: int):
    ticket = request.app.state.store.ticket(ticket_id)
    if ticket is None:
        raise HTTPException(404, detail="チケットが見つかりません。")
    return ticket


def check_status(status: Optional[str]) -> Optional[str]:
    if status and status not in STATUSES:
        raise HTTPException(422, detail="status は open / answered / closed のいずれかです。")
    return status or None


@api.get("/search")
def api_search(q: str = Query("", max_length=MAX_QUERY_CHARS), user: str = Depends(staff_api)) -> dict:
    q, results = search_hits(q)
    return {"query": q, "count": len(results), "results": results}


@api.get("/conversations")
def api_conversations(request: Request, limit: int = Query(queries.PAGE_SIZE, ge=1, le=100),
                      offset: int = Query(0, ge=0, le=MAX_ID), user: str = Depends(staff_api)) -> dict:
    rows, has_more = queries.conversations(request.app.state.store, limit, offset)
    return {"conversations": [conversation_dict(r) for r in rows], "limit": limit, "offset": offset,
            "has_more": has_more}


@api.get("/conversations/{sender_id:path}")
def api_conversation(request: Request, sender_id: str, channel: str = None, user: str = Depends(staff_api)) -> dict:
    view = queries.conversation(request.app.state.store, sender_id, channel or None)
    if view is None:
        raise HTTPException(404, detail="この会話は見つかりません。")
    return {"sender_id": sender_id, "messages": [message_dict(m) for m in view.messages],
            "tickets": [ticket_dict(t) for t in view.tickets]}


@api.get("/unanswered")
def api_unanswered(request: Request, user: str = Depends(staff_api)) -> dict:
    questions = request.app.state.store.unanswered()
    return {"questions": [{**q, "last_seen": iso(q["last_seen"])} for q in questions]}


@api.get("/feedback")
def api_feedback(request: Request, user: str = Depends(staff_api)) -> dict:
    return {"answers": queries.feedback_rows(request.app.state.store)}


@api.get("/tickets")
def api_tickets(request: Request, status: Optional[str] = None, user: str = Depends(staff_api)) -> dict:
    tickets = request.app.state.store.tickets(check_status(status))
    return {"tickets": [ticket_dict(t) for t in tickets]}


@api.get("/tickets/{ticket_id}")
def api_ticket(request: Request, ticket_id: int, user: str = Depends(staff_api)) -> dict:
    return ticket_dict(get_ticket(request, ticket_id))


@api.post("/tickets/{ticket_id}/answer")
async def api_ticket_answer(request: Request, ticket_id: int, body: TicketAnswer,
                            user: str = Depends(staff_api_change)) -> dict:
    ticket = await run_in_threadpool(get_ticket, request, ticket_id)
    try:
        note = await save_answer(request.app, ticket, body.answer, user)
    except ValueError as error:
        raise HTTPException(409 if ticket.status == "closed" else 422, detail=str(error)) from None
    return {**ticket_dict(await run_in_threadpool(request.app.state.store.ticket, ticket_id)), "note": note}


@api.post("/tickets/{ticket_id}/close")
def api_ticket_close(request: Request, ticket_id: int, user: str = Depends(staff_api_change)) -> dict:
    get_ticket(request, ticket_id)
    return ticket_dict(request.app.state.store.update_ticket(ticket_id, status="closed"))
