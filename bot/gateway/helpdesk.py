"""Staff helpdesk under /helpdesk: knowledge search, conversation log, unanswered questions, feedback
and handoff tickets, as Japanese HTML pages and a JSON API (/helpdesk/api/*).

Pages need a login (a session kept in SQL, its id in a signed cookie, SESSION_HOURS long; logout or a
password change ends it); the API takes the session or HTTP Basic auth. Accounts: HELPDESK_USER /
HELPDESK_PASSWORD and HELPDESK_USERS (bot/gateway/helpdesk_users.py).
After LOGIN_MAX_FAILURES wrong passwords within LOGIN_WINDOW for one account name or one client address,
logins from it are refused (429) until the window has passed; the failures are kept in SQL.
GET /api/tickets/pending (no login, the ticket's token) hands staff answers to the web widget, once each.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import importlib
import inspect
import logging
import math
import secrets
import threading
import time
import unicodedata
from pathlib import Path
from typing import List, Optional
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, Header, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from bot.shared.answers import answer_message
from bot.gateway.api import SENDER_ID_PATTERN
from bot.gateway.helpdesk_users import Accounts
from bot.gateway.settings import Settings
from bot.gateway.storage import MAX_ID, secret_hash, utcnow
from bot.shared.knowledge import Entry, KnowledgeBase, load_knowledge
from bot.shared.privacy import BIRTH_DATE, MYNUMBER, PIN, redact

log = logging.getLogger(__name__)

PREFIX = "/helpdesk"
SESSION_COOKIE = "helpdesk_session"
PAGE_SIZE = 20
MAX_RESULTS = 20
MAX_QUERY_CHARS = 200
MAX_ANSWER_CHARS = 4000
STATUSES = {"open": "未対応", "answered": "回答済み", "closed": "完了"}
CHANNELS = {"web": "Web", "line": "LINE", "fax": "FAX"}
DIRECTIONS = {"user": "利用者", "bot": "Bot"}
JST = dt.timezone(dt.timedelta(hours=9), "JST")
LOGIN_FAILED = "ユーザー名またはパスワードが正しくありません。"
LOGIN_LOCKED = ("ログインの失敗が続いたため、しばらくログインできません。"
                "15分ほどたってから、もう一度お試しください。")
SESSION_EXPIRED = "ログインの有効期限が切れました。もう一度ログインしてください。"
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_LOCK = threading.Lock()
CROSS_SITE = "ほかのサイトからの操作は受け付けません。"
NEEDS_HEADER = ("Basic認証での変更には X-Requested-With ヘッダーが必要です"
                "（ほかのサイトのフォームから送られないようにするためです）。")
FORM_EXPIRED = "フォームの有効期限が切れました。ページを開き直してから、もう一度送信してください。"
STAFF_PREFIX = "担当者からの回答です。\n"
UNKNOWN = object()
STAFF_GUARD = (MYNUMBER, PIN, BIRTH_DATE)    # phone numbers are fine in answers (offices' numbers)
PERSONAL_IN_ANSWER = ("回答に{kinds}と思われる番号があります。個人番号・暗証番号・生年月日は回答に書かず、"
                      "伏せてから保存してください。")


# ---- formatting ---------------------------------------------------------------------------------

def as_utc(value) -> Optional[dt.datetime]:
    """A stored time (naive UTC datetime or ISO string) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def iso(value) -> Optional[str]:
    value = as_utc(value)
    return value.isoformat() if value else None


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
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True)
    env.filters.update(jst=jst, status_label=lambda s: STATUSES.get(s, s),
                       channel_label=lambda c: CHANNELS.get(c, c),
                       direction_label=lambda d: DIRECTIONS.get(d, d))
    env.globals.update(prefix=PREFIX, statuses=STATUSES)
    return Jinja2Templates(env=env)


TEMPLATES = make_templates()


# ---- knowledge search ---------------------------------------------------------------------------

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


# ---- authentication -----------------------------------------------------------------------------

class LoginRequired(Exception):
    """A page needs a staff login; answered with a redirect to the login page."""


class PageError(Exception):
    """An error shown to staff as a Japanese HTML page."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code, self.message = status_code, message


class LoginLocked(Exception):
    """Too many failed logins for the account name or the client address; `retry_after` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(LOGIN_LOCKED)
        self.retry_after = retry_after


def failure_keys(request: Request, user: str) -> tuple:
    """Keys of the failure counts: the account name (keyed hash: a password typed as the name is not
    stored) and the client address."""
    secret = request.app.state.settings.secret_key.encode("utf-8")
    digest = hmac.new(secret, user.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:40]
    return "user:" + digest, "ip:" + (request.client.host if request.client else "unknown")[:100]


def authenticate(request: Request, user: str, password: str) -> Optional[str]:
    """The account for right credentials, None for wrong ones (counted); LoginLocked, before any password
    check, while the name or the address has LOGIN_MAX_FAILURES failures within LOGIN_WINDOW. The same
    for names that do not exist. A successful login clears the account's failures.

    Each attempt is counted as a failure *before* its password is checked, in one step with the count
    (under LOGIN_LOCK; the gateway is one process), so parallel guesses cannot check more than
    LOGIN_MAX_FAILURES passwords; a right password takes its attempt back."""
    store, now = request.app.state.store, utcnow()
    keys = failure_keys(request, user)
    with LOGIN_LOCK:
        failures = store.login_failures(keys, since=now - LOGIN_WINDOW)
        ends = [times[LOGIN_MAX_FAILURES - 1] + LOGIN_WINDOW for times in failures.values()
                if len(times) >= LOGIN_MAX_FAILURES]
        if ends:
            log.warning("helpdesk login refused: too many failures")
            raise LoginLocked(max(1, math.ceil((max(ends) - now).total_seconds())))
        attempt = store.add_login_failure(keys, now, keep=LOGIN_WINDOW)
    account = request.app.state.accounts.verify(user, password)
    if account is not None:
        store.clear_login_failures(keys[0])
        store.delete_login_failures(attempt)
    return account


def session_user(request: Request) -> Optional[str]:
    """The session's account while its row exists (not logged out), the account's password is unchanged
    and the login is younger than SESSION_HOURS."""
    known = getattr(request.state, "staff_user", UNKNOWN)       # looked up once per request
    if known is not UNKNOWN:
        return known
    user, since, sid = (request.session.get(k) for k in ("user", "login_at", "sid"))
    max_age = request.app.state.settings.session_hours * 3600
    fresh = isinstance(since, (int, float)) and 0 <= time.time() - since < max_age
    accounts, row = request.app.state.accounts, None
    if fresh and isinstance(sid, str) and user in accounts:
        row = request.app.state.store.staff_session(secret_hash(sid))
    ok = row is not None and row.user == user and hmac.compare_digest(row.version, accounts.versions[user])
    request.state.staff_user = user if ok else None
    return request.state.staff_user


def start_session(request: Request, user: str) -> None:
    """A new session for `user`: a new id, its row in the store, a new form token."""
    sid, settings = secrets.token_urlsafe(32), request.app.state.settings
    request.app.state.store.add_session(secret_hash(sid), user, request.app.state.accounts.versions[user],
                                        keep=dt.timedelta(hours=settings.session_hours))
    request.session.clear()
    request.session.update(user=user, sid=sid, login_at=int(time.time()), csrf=secrets.token_urlsafe(32))
    request.state.staff_user = user


def end_session(request: Request) -> None:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        request.app.state.store.end_session(secret_hash(sid))
    request.session.clear()
    request.state.staff_user = None


def basic_user(request: Request) -> Optional[str]:
    """The user of a valid `Authorization: Basic …` header, else None; 429 while locked out."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    try:
        return authenticate(request, user, password)
    except LoginLocked as locked:
        raise HTTPException(429, detail=LOGIN_LOCKED, headers={"Retry-After": str(locked.retry_after)})


def csrf_token(request: Request) -> str:
    """The session's form token, created on first use."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def token_ok(request: Request, token: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and token) and hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))


def staff_page(request: Request) -> str:
    user = session_user(request)
    if user is None:
        if request.session.get("user"):          # expired, ended elsewhere, or the account was removed
            end_session(request)
            request.session["flash"] = SESSION_EXPIRED
        raise LoginRequired()
    return user


async def staff_form(request: Request, csrf_token: str = Form("")) -> str:
    """A logged-in staff form POST with the session's token."""
    user = staff_page(request)
    if not token_ok(request, csrf_token):
        raise PageError(403, FORM_EXPIRED)
    return user


def staff_api(request: Request) -> str:
    user = session_user(request) or basic_user(request)
    if user is None:
        raise HTTPException(401, detail="ログインが必要です。",
                            headers={"WWW-Authenticate": 'Basic realm="helpdesk", charset="UTF-8"'})
    return user


def same_origin(request: Request) -> bool:
    """False when the browser says that the request comes from a page of another site."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        return False
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def staff_api_change(request: Request) -> str:
    """staff_api for changes, which a page of another site cannot make. With the session: its token in
    X-CSRF-Token. With Basic auth, which a browser caches and adds by itself to a cross-site form: the
    header X-Requested-With (any value), which a form cannot set, nor another site's script (CORS).
    Never from another origin."""
    if not same_origin(request):
        raise HTTPException(403, detail=CROSS_SITE)
    basic = request.headers.get("authorization", "").lower().startswith("basic ")
    user = basic_user(request) if basic else session_user(request)
    if user is None:
        raise HTTPException(401, detail="ログインが必要です。",
                            headers={"WWW-Authenticate": 'Basic realm="helpdesk", charset="UTF-8"'})
    if basic and not request.headers.get("x-requested-with"):
        raise HTTPException(403, detail=NEEDS_HEADER)
    if not basic and not token_ok(request, request.headers.get("x-csrf-token", "")):
        raise HTTPException(403, detail=FORM_EXPIRED)
    return user


def safe_next(target: str) -> str:
    """Only a helpdesk page may follow the login (no open redirect)."""
    ok = (target == PREFIX or target.startswith(PREFIX + "/")) and "\\" not in target \
        and not target.startswith((PREFIX + "/login", PREFIX + "/logout", PREFIX + "/api"))
    return target if ok else PREFIX


def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
    context.update(csrf_token=csrf_token(request), user=session_user(request),
                   flash=request.session.pop("flash", None))
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


# ---- tickets ------------------------------------------------------------------------------------

async def push_line(app: FastAPI, user_id: str, text: str) -> bool:
    """bot.gateway.line.push_text(app, user_id, text) if it exists; False when missing or failing."""
    try:
        push = getattr(importlib.import_module("bot.gateway.line"), "push_text", None)
        if push is None:
            return False
        result = push(app, user_id, text)
        if inspect.isawaitable(result):
            result = await result
    except Exception:  # any failure of the LINE side: the answer stays for staff to see
        log.exception("LINE push failed")
        return False
    return result is not False


async def save_answer(app: FastAPI, ticket, text: str, user: str) -> str:
    """Store the staff answer (and who gave it), deliver it where the channel allows; returns a note for staff.

    Raises ValueError (Japanese) for an empty or over-long answer or a closed ticket.
    """
    text = text.replace("\x00", "").strip()              # NUL: PostgreSQL cannot store it
    if not text:
        raise ValueError("回答が空です。回答を入力してください。")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"回答が長すぎます（{MAX_ANSWER_CHARS}文字まで）。")
    if ticket.status == "closed":
        raise ValueError("完了したチケットには回答できません。")
    personal = redact(text, kinds=STAFF_GUARD).found
    if personal:
        raise ValueError(PERSONAL_IN_ANSWER.format(kinds="・".join(personal)))
    store = app.state.store
    store.update_ticket(ticket.id, answer=text, status="answered", delivered=False, answered_by=user)
    if ticket.channel == "web":
        return "回答を保存しました。利用者がチャット画面を開いているときに表示されます。"
    if ticket.channel == "line":
        if await push_line(app, ticket.sender_id, STAFF_PREFIX + text):
            store.update_ticket(ticket.id, delivered=True)
            return "回答を保存し、LINEで送信しました。"
        return "回答を保存しましたが、LINEへの送信はできませんでした。別の方法で連絡してください。"
    return "回答を保存しました。このチャネルには自動では届きません。別の方法で連絡してください。"


def get_ticket(request: Request, ticket_id: int, api: bool = False):
    ticket = request.app.state.store.ticket(ticket_id)
    if ticket is None:
        if api:
            raise HTTPException(404, detail="チケットが見つかりません。")
        raise PageError(404, "チケットが見つかりません。")
    return ticket


def check_status(status: Optional[str]) -> Optional[str]:
    if status and status not in STATUSES:
        raise HTTPException(422, detail="status は open / answered / closed のいずれかです。")
    return status or None


# ---- pages --------------------------------------------------------------------------------------

pages = APIRouter(prefix=PREFIX, include_in_schema=False)


@pages.get("/login")
async def login_page(request: Request, next: str = ""):
    if session_user(request):
        return RedirectResponse(safe_next(next), 303)
    return render(request, "helpdesk/login.html", next=safe_next(next))


@pages.post("/login")
async def login(request: Request, username: str = Form(""), password: str = Form(""),
                csrf_token: str = Form(""), next: str = Form("")):
    if not token_ok(request, csrf_token):
        return render(request, "helpdesk/login.html", 403, error=FORM_EXPIRED, username=username,
                      next=safe_next(next))
    try:
        user = await run_in_threadpool(authenticate, request, username, password)   # scrypt: off the loop
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
async def logout(request: Request, user: str = Depends(staff_form)):
    end_session(request)
    request.session["flash"] = "ログアウトしました。"
    return RedirectResponse(PREFIX + "/login", 303)


@pages.get("")
async def home(request: Request, user: str = Depends(staff_page)):
    store = request.app.state.store
    return render(request, "helpdesk/home.html", nav="home",
                  open_count=len(store.tickets("open")), unanswered_count=len(store.unanswered()))


@pages.api_route("/search", methods=["GET", "POST"])
async def search_page(request: Request, q: str = "", user: str = Depends(staff_page)):
    """The form posts the words (kept out of URLs and access logs); shown back with personal data hidden."""
    if request.method == "POST":
        q = str((await request.form()).get("q") or "")
    kb = load_knowledge()
    q = redact(q[:MAX_QUERY_CHARS]).text
    hits = [hit_dict(kb, entry, score) for entry, score in search(kb, q)]
    return render(request, "helpdesk/search.html", nav="search", q=q, hits=hits)


@pages.get("/conversations")
async def conversations_page(request: Request, page: int = Query(1, ge=1, le=100000),
                             user: str = Depends(staff_page)):
    store = request.app.state.store
    rows = store.conversation_list(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    waiting = {(t.channel, t.sender_id) for t in store.tickets("open")}
    return render(request, "helpdesk/conversations.html", nav="conversations", page=page,
                  conversations=[conversation_dict(r) for r in rows[:PAGE_SIZE]],
                  has_next=len(rows) > PAGE_SIZE, waiting=waiting)


@pages.get("/conversation")                    # the links: a sender id in the query cannot change the path
@pages.get("/conversations/{sender_id:path}")
async def conversation_page(request: Request, sender_id: str, user: str = Depends(staff_page)):
    store = request.app.state.store
    messages = store.conversation(sender_id)
    tickets = [t for t in store.tickets() if t.sender_id == sender_id]
    if not messages and not tickets:
        raise PageError(404, "この会話は見つかりません。")
    return render(request, "helpdesk/conversation.html", nav="conversations", sender_id=sender_id,
                  messages=messages, tickets=tickets)


@pages.get("/unanswered")
async def unanswered_page(request: Request, user: str = Depends(staff_page)):
    return render(request, "helpdesk/unanswered.html", nav="unanswered",
                  questions=request.app.state.store.unanswered())


def feedback_rows(store) -> List[dict]:
    kb = load_knowledge()
    rows = []
    for row in store.feedback_summary():
        entry = kb.by_id.get(row["answer_id"] or "")
        rows.append({**row, "title": entry.title if entry else None})
    return rows


@pages.get("/feedback")
async def feedback_page(request: Request, user: str = Depends(staff_page)):
    return render(request, "helpdesk/feedback.html", nav="feedback", rows=feedback_rows(request.app.state.store))


@pages.get("/tickets")
async def tickets_page(request: Request, status: str = "", user: str = Depends(staff_page)):
    store = request.app.state.store
    status = status if status in STATUSES else ""
    everything = store.tickets()
    counts = {s: sum(t.status == s for t in everything) for s in STATUSES}
    tickets = [t for t in everything if not status or t.status == status]
    return render(request, "helpdesk/tickets.html", nav="tickets", status=status, tickets=tickets, counts=counts)


def ticket_page(request: Request, ticket, status_code: int = 200, error: str = None, draft: str = None):
    history = [m for m in request.app.state.store.conversation(ticket.sender_id) if m.channel == ticket.channel]
    return render(request, "helpdesk/ticket.html", status_code, nav="tickets", ticket=ticket,
                  history=history[-10:], error=error, draft=ticket.answer if draft is None else draft)


@pages.get("/tickets/{ticket_id}")
async def ticket_detail(request: Request, ticket_id: int, user: str = Depends(staff_page)):
    return ticket_page(request, get_ticket(request, ticket_id))


@pages.post("/tickets/{ticket_id}/answer")
async def ticket_answer(request: Request, ticket_id: int, answer: str = Form(""),
                        user: str = Depends(staff_form)):
    ticket = get_ticket(request, ticket_id)
    try:
        request.session["flash"] = await save_answer(request.app, ticket, answer, user)
    except ValueError as error:
        return ticket_page(request, ticket, 422, error=str(error), draft=answer)
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", 303)


@pages.post("/tickets/{ticket_id}/close")
async def ticket_close(request: Request, ticket_id: int, user: str = Depends(staff_form)):
    get_ticket(request, ticket_id)
    request.app.state.store.update_ticket(ticket_id, status="closed")
    request.session["flash"] = f"チケット #{ticket_id} を完了にしました。"
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", 303)


# ---- JSON API -----------------------------------------------------------------------------------

api = APIRouter(prefix=PREFIX + "/api", tags=["helpdesk"])


class TicketAnswer(BaseModel):
    answer: str


@api.get("/search")
async def api_search(q: str = Query("", max_length=MAX_QUERY_CHARS), user: str = Depends(staff_api)) -> dict:
    kb = load_knowledge()
    q = redact(q).text
    results = [hit_dict(kb, entry, score) for entry, score in search(kb, q)]
    return {"query": q, "count": len(results), "results": results}


@api.get("/conversations")
async def api_conversations(request: Request, limit: int = Query(PAGE_SIZE, ge=1, le=100),
                            offset: int = Query(0, ge=0, le=MAX_ID), user: str = Depends(staff_api)) -> dict:
    rows = request.app.state.store.conversation_list(limit=limit + 1, offset=offset)
    return {"conversations": [conversation_dict(r) for r in rows[:limit]], "limit": limit, "offset": offset,
            "has_more": len(rows) > limit}


@api.get("/conversations/{sender_id:path}")
async def api_conversation(request: Request, sender_id: str, user: str = Depends(staff_api)) -> dict:
    store = request.app.state.store
    messages = store.conversation(sender_id)
    tickets = [t for t in store.tickets() if t.sender_id == sender_id]
    if not messages and not tickets:
        raise HTTPException(404, detail="この会話は見つかりません。")
    return {"sender_id": sender_id, "messages": [message_dict(m) for m in messages],
            "tickets": [ticket_dict(t) for t in tickets]}


@api.get("/unanswered")
async def api_unanswered(request: Request, user: str = Depends(staff_api)) -> dict:
    questions = request.app.state.store.unanswered()
    return {"questions": [{**q, "last_seen": iso(q["last_seen"])} for q in questions]}


@api.get("/feedback")
async def api_feedback(request: Request, user: str = Depends(staff_api)) -> dict:
    return {"answers": feedback_rows(request.app.state.store)}


@api.get("/tickets")
async def api_tickets(request: Request, status: Optional[str] = None, user: str = Depends(staff_api)) -> dict:
    tickets = request.app.state.store.tickets(check_status(status))
    return {"tickets": [ticket_dict(t) for t in tickets]}


@api.get("/tickets/{ticket_id}")
async def api_ticket(request: Request, ticket_id: int, user: str = Depends(staff_api)) -> dict:
    return ticket_dict(get_ticket(request, ticket_id, api=True))


@api.post("/tickets/{ticket_id}/answer")
async def api_ticket_answer(request: Request, ticket_id: int, body: TicketAnswer,
                            user: str = Depends(staff_api_change)) -> dict:
    ticket = get_ticket(request, ticket_id, api=True)
    try:
        note = await save_answer(request.app, ticket, body.answer, user)
    except ValueError as error:
        raise HTTPException(409 if ticket.status == "closed" else 422, detail=str(error))
    return {**ticket_dict(request.app.state.store.ticket(ticket_id)), "note": note}


@api.post("/tickets/{ticket_id}/close")
async def api_ticket_close(request: Request, ticket_id: int, user: str = Depends(staff_api_change)) -> dict:
    get_ticket(request, ticket_id, api=True)
    return ticket_dict(request.app.state.store.update_ticket(ticket_id, status="closed"))


# ---- web widget: staff answers waiting for the user ---------------------------------------------

public = APIRouter(prefix="/api", tags=["chat"])


@public.get("/tickets/pending")
async def pending_answers(request: Request, sender_id: str = Query(..., pattern=SENDER_ID_PATTERN),
                          x_ticket_token: str = Header("", max_length=2000)) -> dict:
    """Staff answers not yet shown for the tickets whose tokens (returned by /api/chat with the ticket,
    comma-separated in X-Ticket-Token) the client holds; each is returned once, then marked delivered.
    Knowing the sender id is not enough."""
    store, held = request.app.state.store, {secret_hash(t.strip()) for t in x_ticket_token.split(",") if t.strip()}
    sender_id = request.app.state.core.stored_sender("web", sender_id)   # a sender id with personal data is hashed
    answers = []
    mine = [t for t in store.undelivered_answers("web", sender_id) if t.client_token in held]
    for ticket in sorted(mine, key=lambda t: t.id):
        store.update_ticket(ticket.id, delivered=True)
        answers.append({"ticket_id": ticket.id, "answer": ticket.answer, "text": STAFF_PREFIX + ticket.answer,
                        "answered_at": iso(ticket.updated_at)})
    return {"answers": answers}


# ---- wiring -------------------------------------------------------------------------------------

async def on_login_required(request: Request, exc: LoginRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = PREFIX
    return RedirectResponse(f"{PREFIX}/login?next={quote(safe_next(target), safe='/')}", 303)


async def on_page_error(request: Request, exc: PageError) -> Response:
    return render(request, "helpdesk/error.html", exc.status_code, message=exc.message)


def install(app: FastAPI, settings: Settings) -> None:
    """Accounts, session middleware (cookie only under /helpdesk, HttpOnly, SameSite=Lax, Secure with
    COOKIE_SECURE), the pages, the API and the pending endpoint."""
    app.state.accounts = Accounts(settings.helpdesk_user, settings.helpdesk_password, settings.helpdesk_users,
                                  settings.secret_key)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=math.ceil(settings.session_hours * 3600), path=PREFIX, same_site="lax",
                       https_only=settings.cookie_secure)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(PageError, on_page_error)
    app.include_router(pages)
    app.include_router(api)
    app.include_router(public)
