"""Staff helpdesk under /helpdesk: knowledge search, conversation log, unanswered questions, feedback
and handoff tickets, as Japanese HTML pages and a JSON API (/helpdesk/api/*).

    auth.py      who is logged in: sessions, login lockout, form and API tokens
    queries.py   what pages and API read from the store (one function each, no query per row)
    search.py    the knowledge search
    tickets.py   staff answers: checked, stored, delivered through the channel (bot/gateway/delivery.py)
    views.py     labels, times, JSON shapes, templates (templates/helpdesk/)
    pages.py     the HTML pages
    api.py       the JSON API

The widget's polling for staff answers (GET /api/tickets/pending) belongs to the web channel:
bot/gateway/api.py.
"""
from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from urllib.parse import quote

from bot.gateway.helpdesk.api import api
from bot.gateway.helpdesk.auth import PREFIX, LoginRequired, PageError, safe_next
from bot.gateway.helpdesk.pages import pages
from bot.gateway.helpdesk.views import render
from bot.gateway.helpdesk_users import Accounts
from bot.gateway.settings import Settings

SESSION_COOKIE = "helpdesk_session"


async def on_login_required(request: Request, exc: LoginRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = PREFIX
    return RedirectResponse(f"{PREFIX}/login?next={quote(safe_next(target), safe='/')}", 303)


async def on_page_error(request: Request, exc: PageError) -> Response:
    return await run_in_threadpool(render, request, "helpdesk/error.html", exc.status_code, message=exc.message)


def install(app: FastAPI, settings: Settings) -> None:
    """Accounts, session middleware (cookie only under /helpdesk, HttpOnly, SameSite=Lax, Secure with
    COOKIE_SECURE), the pages and the API."""
    app.state.accounts = Accounts(settings.helpdesk_user, settings.helpdesk_password, settings.helpdesk_users,
                                  settings.secret_key)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=math.ceil(settings.session_hours * 3600), path=PREFIX, same_site="lax",
                       https_only=settings.cookie_secure)
    # Starlette types every handler as taking Exception; ours take their own exception class.
    app.add_exception_handler(LoginRequired, on_login_required)  # type: ignore[arg-type]
    app.add_exception_handler(PageError, on_page_error)  # type: ignore[arg-type]
    app.include_router(pages)
    app.include_router(api)
