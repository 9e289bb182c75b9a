"""The helpdesk's Japanese HTML pages under /helpdesk (login, home, search, conversations, unanswered
questions, feedback, tickets). Handlers that only read or write the store are plain `def`: FastAPI runs
them in its thread pool, so a slow database never holds up the event loop."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from bot.gateway.helpdesk import queries
from bot.gateway.helpdesk.auth import (
    FORM_EXPIRED, LOGIN_FAILED, LOGIN_LOCKED, PREFIX, LoginLocked, PageError, authenticate, end_session,
    safe_next, session_user, staff_form, staff_page, start_session, token_ok,
)
from bot.gateway.helpdesk.search import search_hits
from bot.gateway.helpdesk.tickets import save_answer
from bot.gateway.helpdesk.views import STATUSES, conversation_dict, render

log = logging.getLogger(__name__)
pages = APIRouter(prefix=PREFIX, include_in_schema=False)


def get_ticket(request: Request, ticket_id: int):
    ticket = request.app.state.store.ticket(ticket_id)
    if ticket is None:
        raise PageError(404, "チケットが見つかりません。")
    return ticket


@pages.get("/login")
def login_page(request: Request, next: str = ""):
    if session_user(request):
        return RedirectResponse(safe_next(next), 303)
    return render(request, "helpdesk/login.html", next=safe_next(next))


@pages.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          csrf_token: str = Form(""), next: str = Form("")):
    if not token_ok(request, csrf_token):
        return render(request, "helpdesk/login.html", 403, error=FORM_EXPIRED, username=username,
                      next=safe_next(next))
    try:
        user = authenticate(request, username, password)       # scrypt and SQL: in the thread pool
    except LoginLocked as locked:
        response = render(request, "helpdesk/login.html", 429, error=LOGIN_LOCKED, username=username,
                          next=safe_next(next))
        response.headers["Retry-After"] = str(locked.retry_after)
        return response
    if user is None:
        log.warning("helpdesk login failed")
        return render(request, "helpdesk/login.html", 401, error=LOGIN_FAILED, username=username,
                      next=safe_next(next))
    log.info("helpdesk login: %s", user)
    start_session(request, user)
    return RedirectResponse(safe_next(next), 303)


@pages.post("/logout")
def logout(request: Request, user: str = Depends(staff_form)):
    end_session(request)
    request.session["flash"] = "ログアウトしました。"
    return RedirectResponse(PREFIX + "/login", 303)


@pages.get("")
def home(request: Request, user: str = Depends(staff_page)):
    return render(request, "helpdesk/home.html", nav="home", **queries.home_counts(request.app.state.store))


@pages.api_route("/search", methods=["GET", "POST"])
async def search_page(request: Request, q: str = "", user: str = Depends(staff_page)):
    """The form posts the words (kept out of URLs and access logs); shown back with personal data hidden."""
    if request.method == "POST":
        q = str((await request.form()).get("q") or "")
    q, hits = search_hits(q)
    return await run_in_threadpool(render, request, "helpdesk/search.html", nav="search", q=q, hits=hits)


@pages.get("/conversations")
def conversations_page(request: Request, page: int = Query(1, ge=1, le=100000), user: str = Depends(staff_page)):
    store = request.app.state.store
    rows, has_next = queries.conversations(store, queries.PAGE_SIZE, (page - 1) * queries.PAGE_SIZE)
    return render(request, "helpdesk/conversations.html", nav="conversations", page=page,
                  conversations=[conversation_dict(r) for r in rows], has_next=has_next,
                  waiting=queries.waiting_conversations(store))


@pages.get("/conversation")                    # the links: a sender id in the query cannot change the path
@pages.get("/conversations/{sender_id:path}")
def conversation_page(request: Request, sender_id: str, channel: str = None, user: str = Depends(staff_page)):
    view = queries.conversation(request.app.state.store, sender_id, channel or None)
    if view is None:
        raise PageError(404, "この会話は見つかりません。")
    return render(request, "helpdesk/conversation.html", nav="conversations", sender_id=sender_id,
                  channel=view.channel, messages=view.messages, tickets=view.tickets)


@pages.get("/unanswered")
def unanswered_page(request: Request, user: str = Depends(staff_page)):
    return render(request, "helpdesk/unanswered.html", nav="unanswered", questions=request.app.state.store.unanswered())


@pages.get("/feedback")
def feedback_page(request: Request, user: str = Depends(staff_page)):
    return render(request, "helpdesk/feedback.html", nav="feedback", rows=queries.feedback_rows(request.app.state.store))


@pages.get("/tickets")
def tickets_page(request: Request, status: str = "", user: str = Depends(staff_page)):
    status = status if status in STATUSES else ""
    tickets, counts = queries.tickets_by_status(request.app.state.store, status)
    return render(request, "helpdesk/tickets.html", nav="tickets", status=status, tickets=tickets, counts=counts)


def ticket_page(request: Request, ticket, status_code: int = 200, error: str = None, draft: str = None):
    return render(request, "helpdesk/ticket.html", status_code, nav="tickets", ticket=ticket,
                  history=queries.ticket_history(request.app.state.store, ticket), error=error,
                  draft=ticket.answer if draft is None else draft)


@pages.get("/tickets/{ticket_id}")
def ticket_detail(request: Request, ticket_id: int, user: str = Depends(staff_page)):
    return ticket_page(request, get_ticket(request, ticket_id))


@pages.post("/tickets/{ticket_id}/answer")
async def ticket_answer(request: Request, ticket_id: int, answer: str = Form(""), user: str = Depends(staff_form)):
    ticket = await run_in_threadpool(get_ticket, request, ticket_id)
    try:
        request.session["flash"] = await save_answer(request.app, ticket, answer, user)
    except ValueError as error:
        return await run_in_threadpool(ticket_page, request, ticket, 422, error=str(error), draft=answer)
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", 303)


@pages.post("/tickets/{ticket_id}/close")
def ticket_close(request: Request, ticket_id: int, user: str = Depends(staff_form)):
    get_ticket(request, ticket_id)
    request.app.state.store.update_ticket(ticket_id, status="closed")
    request.session["flash"] = f"チケット #{ticket_id} を完了にしました。"
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", 303)
