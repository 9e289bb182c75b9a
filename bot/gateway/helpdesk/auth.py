"""Helpdesk authentication: who is logged in, login lockout, sessions, form and API tokens.

Pages need a login (a session kept in SQL, its id in a signed cookie, SESSION_HOURS long; logout or a
password change ends it); the API takes the session or HTTP Basic auth. Accounts: HELPDESK_USER /
HELPDESK_PASSWORD and HELPDESK_USERS (bot/gateway/helpdesk_users.py).
After LOGIN_MAX_FAILURES wrong passwords within LOGIN_WINDOW for one account name or one client address,
logins from it are refused (429) until the window has passed; the failures are kept in SQL.

Everything here reads or writes the store: the dependencies are plain functions (FastAPI runs them in
its thread pool), `staff_form` runs its check there itself.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import logging
import math
import secrets
import threading
import time
from typing import Optional
from urllib.parse import urlsplit

from fastapi import Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from bot.gateway.storage import secret_hash, utcnow

log = logging.getLogger(__name__)

PREFIX = "/helpdesk"
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
UNKNOWN = object()


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
        return known  # type: ignore[return-value]
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
        raise HTTPException(429, detail=LOGIN_LOCKED, headers={"Retry-After": str(locked.retry_after)}) from None


def csrf_token(request: Request) -> str:
    """The session's form token, created on first use."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def token_ok(request: Request, token: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and token) and hmac.compare_digest(token.encode("utf-8"), str(expected).encode("utf-8"))


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
    user = await run_in_threadpool(staff_page, request)
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
