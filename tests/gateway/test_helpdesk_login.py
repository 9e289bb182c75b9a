"""Helpdesk login hardening: lockout after repeated wrong passwords (kept in SQL, across a restart), the
session cookie's flags and lifetime, several staff accounts with hashed passwords and the name of the
staff member recorded with a ticket answer.

In process with TestClient (any client address), plus the real gateway (uvicorn, no Rasa needed) for the
restart and for SQLite/PostgreSQL migrations of an older database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
import subprocess
import sys
import time
import types

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from bot.gateway.helpdesk import auth as helpdesk
from bot.gateway.app import create_app
from bot.gateway.helpdesk_users import hash_password, verify_password
from bot.gateway.settings import Settings, SettingsError
from bot.gateway.storage import Store
from tests import ports
from tests.gateway.conftest import ROOT, gateway_server

PASSWORD = "test-password"          # conftest's settings, account "staff"
TANAKA, SUZUKI = "tanaka-pass-1", "suzuki-pass-2"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LOCKED = "ログインの失敗が続いたため、しばらくログインできません。"
GATEWAY_PORT = ports.HELPDESK_LOGIN_GATEWAY


@pytest.fixture(scope="module")
def users_setting() -> str:
    return f"tanaka:{hash_password(TANAKA)},suzuki:{hash_password(SUZUKI)}"


@pytest.fixture
def app(settings, users_setting):
    return create_app(dataclasses.replace(settings, helpdesk_users=users_setting))


@pytest.fixture
def store(app) -> Store:
    return app.state.store


def client_at(app, address: str = "10.0.0.1") -> TestClient:
    return TestClient(app, client=(address, 50000))


def login(client, user="staff", password=PASSWORD):
    token = TOKEN_RE.search(client.get("/helpdesk/login").text).group(1)
    return client.post("/helpdesk/login", follow_redirects=False,
                       data={"username": user, "password": password, "csrf_token": token, "next": ""})


def fail(app, user: str, times: int, address: str = "10.0.0.1") -> None:
    client = client_at(app, address)
    for _ in range(times):
        assert login(client, user, "wrong-password").status_code == 401


def age_failures(store: Store, minutes: float) -> None:
    """Every recorded failure as if it happened `minutes` ago."""
    with store.sessions.begin() as session:
        session.execute(text("update login_failures set created_at = :t"),
                        {"t": helpdesk.utcnow() - dt.timedelta(minutes=minutes)})


# ---- lockout ------------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(app):
    fail(app, "staff", 5)
    client = client_at(app, "10.0.0.2")                      # another address: the account is locked
    reply = login(client)
    assert reply.status_code == 429 and LOCKED in reply.text
    assert 890 <= int(reply.headers["retry-after"]) <= 900
    assert client.get("/helpdesk", follow_redirects=False).status_code == 303          # not logged in
    basic = client.get("/helpdesk/api/tickets", auth=("staff", PASSWORD))            # Basic auth too
    assert basic.status_code == 429 and basic.json()["detail"].startswith(LOCKED)
    assert int(basic.headers["retry-after"]) > 0
    assert login(client, "tanaka", TANAKA).status_code == 303                           # other accounts: fine


def test_a_name_that_does_not_exist_is_locked_the_same_way(app):
    fail(app, "nobody", 4, "10.0.0.1")
    fail(app, "staff", 4, "10.0.0.2")
    for address in ("10.0.0.3", "10.0.0.4"):
        fail(app, "nobody" if address == "10.0.0.3" else "staff", 1, address)
    unknown, known = login(client_at(app, "10.0.0.5"), "nobody", "x"), login(client_at(app, "10.0.0.6"), "staff", "x")
    assert (unknown.status_code, known.status_code) == (429, 429)
    strip = lambda page: TOKEN_RE.sub("", page.text).replace("nobody", "").replace("staff", "")  # noqa: E731
    assert strip(unknown) == strip(known)
    assert abs(int(unknown.headers["retry-after"]) - int(known.headers["retry-after"])) <= 1


def test_five_failures_from_one_address_lock_that_address(app):
    for user in ["a", "b", "c", "staff", "tanaka"]:
        fail(app, user, 1, "10.0.0.1")
    locked = client_at(app, "10.0.0.1")
    assert login(locked, "suzuki", SUZUKI).status_code == 429
    assert locked.get("/helpdesk/api/tickets", auth=("suzuki", SUZUKI)).status_code == 429
    assert login(client_at(app, "10.0.0.9"), "suzuki", SUZUKI).status_code == 303      # elsewhere: fine


def test_the_lock_ends_after_fifteen_minutes(app, store):
    fail(app, "staff", 5)
    assert login(client_at(app, "10.0.0.2")).status_code == 429
    age_failures(store, 14)
    assert login(client_at(app, "10.0.0.2")).status_code == 429
    age_failures(store, 15.1)
    assert login(client_at(app, "10.0.0.2")).status_code == 303


def test_failures_older_than_the_window_do_not_count(app, store):
    fail(app, "staff", 4)
    age_failures(store, 16)
    fail(app, "staff", 4)
    assert login(client_at(app, "10.0.0.2")).status_code == 303


def test_a_successful_login_clears_the_accounts_failures(app, store):
    fail(app, "staff", 4, "10.0.0.1")
    assert login(client_at(app, "10.0.0.2")).status_code == 303
    fail(app, "staff", 4, "10.0.0.3")                        # 4 more: not 8, so no lock
    assert login(client_at(app, "10.0.0.4")).status_code == 303


def test_basic_auth_failures_count_and_lock(app):
    client = client_at(app)
    for _ in range(5):
        assert client.get("/helpdesk/api/tickets", auth=("tanaka", "wrong")).status_code == 401
    reply = client_at(app, "10.0.0.2").get("/helpdesk/api/tickets", auth=("tanaka", TANAKA))
    assert reply.status_code == 429 and reply.json() == {"detail": helpdesk.LOGIN_LOCKED}
    assert login(client_at(app, "10.0.0.3"), "tanaka", TANAKA).status_code == 429       # the form as well
    # requests without credentials or with an unreadable header are not counted
    for _ in range(10):
        assert client_at(app, "10.0.0.7").get("/helpdesk/api/tickets").status_code == 401
        assert client_at(app, "10.0.0.7").get("/helpdesk/api/tickets",
                                              headers={"Authorization": "Basic !!!"}).status_code == 401
    assert client_at(app, "10.0.0.7").get("/helpdesk/api/tickets", auth=("suzuki", SUZUKI)).status_code == 200


def test_the_typed_name_is_not_stored(app, store):
    fail(app, "my-secret-typed-in-the-name-field", 1)
    with store.engine.connect() as db:
        keys = [row[0] for row in db.execute(text("select key from login_failures"))]
    assert sorted(k.split(":")[0] for k in keys) == ["ip", "user"]
    assert not any("secret" in k for k in keys) and "ip:10.0.0.1" in keys


# ---- session cookie -----------------------------------------------------------------------------

def cookie_of(reply) -> str:
    return next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and "helpdesk_session=" in v).lower()


def test_cookie_flags_default_and_secure(settings):
    reply = login(TestClient(create_app(settings)))
    cookie = cookie_of(reply)
    assert reply.status_code == 303 and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/helpdesk" in cookie and "max-age=28800" in cookie and "secure" not in cookie
    secure = dataclasses.replace(settings, cookie_secure=True, session_hours=1)
    reply = login(TestClient(create_app(secure), base_url="https://testserver"))
    cookie = cookie_of(reply)
    assert reply.status_code == 303 and "; secure" in cookie and "httponly" in cookie and "max-age=3600" in cookie


def test_staff_log_in_again_after_the_session_lifetime(app, monkeypatch):
    client = client_at(app)
    assert login(client).status_code == 303
    real = time.time
    for hours in (4, 7.9):                                   # using it does not extend the lifetime
        monkeypatch.setattr(helpdesk, "time", types.SimpleNamespace(time=lambda h=hours: real() + h * 3600))
        assert client.get("/helpdesk").status_code == 200
    monkeypatch.setattr(helpdesk, "time", types.SimpleNamespace(time=lambda: real() + 8 * 3600 + 1))
    assert client.get("/helpdesk/api/tickets").status_code == 401
    reply = client.get("/helpdesk/tickets", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/helpdesk/login")
    assert helpdesk.SESSION_EXPIRED in client.get(reply.headers["location"]).text
    assert client.get("/helpdesk", follow_redirects=False).status_code == 303
    assert login(client).status_code == 303 and client.get("/helpdesk").status_code == 200


def test_a_removed_account_loses_its_session(settings, users_setting):
    first = create_app(dataclasses.replace(settings, helpdesk_users=users_setting))
    client = client_at(first)
    assert login(client, "tanaka", TANAKA).status_code == 303
    second = TestClient(create_app(settings), client=("10.0.0.1", 50000))   # restarted without tanaka
    second.cookies = client.cookies
    assert second.get("/helpdesk", follow_redirects=False).status_code == 303


# ---- several accounts, answers signed -----------------------------------------------------------

def test_each_account_logs_in_and_answers_under_its_name(app, store):
    first, second = store.create_ticket("web", "w1", "質問1"), store.create_ticket("line", "U1", "質問2")
    tanaka = client_at(app)
    assert login(tanaka, "tanaka", TANAKA).status_code == 303
    assert "ログアウト（tanaka）" in tanaka.get("/helpdesk").text
    token = TOKEN_RE.search(tanaka.get(f"/helpdesk/tickets/{first.id}").text).group(1)
    tanaka.post(f"/helpdesk/tickets/{first.id}/answer", data={"answer": "お答えします。", "csrf_token": token})
    assert store.ticket(first.id).answered_by == "tanaka"
    assert re.search(r"<dt>回答した職員</dt><dd>tanaka</dd>", tanaka.get(f"/helpdesk/tickets/{first.id}").text)

    api = client_at(app, "10.0.0.2")
    body = api.post(f"/helpdesk/api/tickets/{second.id}/answer", json={"answer": "こちらも。"},
                    auth=("suzuki", SUZUKI), headers={"X-Requested-With": "XMLHttpRequest"}).json()
    assert body["answered_by"] == "suzuki"
    assert api.get(f"/helpdesk/api/tickets/{first.id}", auth=("staff", PASSWORD)).json()["answered_by"] == "tanaka"
    assert login(client_at(app, "10.0.0.3"), "tanaka", SUZUKI).status_code == 401      # not each other's


def test_helpdesk_users_alone(settings, users_setting):
    app = create_app(dataclasses.replace(settings, helpdesk_password="", helpdesk_users=users_setting))
    client = client_at(app)
    assert login(client, "staff", "").status_code == 401                 # the single account is off
    assert login(client, "suzuki", SUZUKI).status_code == 303


def test_settings_of_the_accounts(users_setting, tmp_path):
    env = {"HELPDESK_USERS": users_setting, "HELPDESK_PASSWORD": "", "COOKIE_SECURE": "true", "SESSION_HOURS": "2",
           "VAR_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    assert (settings.helpdesk_users, settings.cookie_secure, settings.session_hours) == (users_setting, True, 2)
    assert settings.helpdesk_password == ""                     # HELPDESK_USERS alone: no shared account
    empty = Settings.from_env({"VAR_DIR": str(tmp_path)})
    assert empty.cookie_secure is False and empty.session_hours == 8
    for bad in ({"HELPDESK_USERS": "tanaka:plain-password"}, {"HELPDESK_USERS": "tanaka"},
                {"HELPDESK_USERS": users_setting + "," + users_setting.split(",")[0]},
                {"SESSION_HOURS": "0"}, {"SECRET_KEY": "change-me", "HELPDESK_USERS": users_setting}):
        with pytest.raises(SettingsError):
            Settings.from_env({"VAR_DIR": str(tmp_path), **bad})
    Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s", "HELPDESK_PASSWORD": "",
                       "HELPDESK_USERS": users_setting})


def test_the_hash_command(tmp_path):
    def run(*args, stdin="a-good-password\n"):
        return subprocess.run([sys.executable, "-m", "bot.gateway.helpdesk_users", *args], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})

    made = run("hash", "yamada")
    name, _, encoded = made.stdout.strip().partition(":")
    assert made.returncode == 0 and name == "yamada" and encoded.startswith("scrypt:16384:8:1:")
    assert verify_password(encoded, "a-good-password") and not verify_password(encoded, "a-good-passwore")
    assert "$" not in encoded and "," not in encoded and " " not in encoded
    assert run("hash").stdout.startswith("scrypt:")
    assert run("hash", "yamada").stdout != made.stdout                     # salted
    short = run("hash", "yamada", stdin="short\n")
    assert short.returncode == 1 and "8文字以上" in short.stderr
    assert run("hash", "yamada", stdin="change-me\n").returncode == 1
    assert run().returncode == 2 and run("hash", "a:b").returncode == 2


# ---- storage: an older database gains the new column and table ----------------------------------

OLD_TICKETS = """CREATE TABLE tickets (id INTEGER NOT NULL PRIMARY KEY, channel VARCHAR(16) NOT NULL,
    sender_id VARCHAR(128) NOT NULL, question TEXT NOT NULL, status VARCHAR(16) NOT NULL, answer TEXT,
    delivered BOOLEAN NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)"""


def test_an_older_sqlite_database_keeps_working(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(OLD_TICKETS)
        db.execute("INSERT INTO tickets VALUES (1, 'web', 'w1', '古い質問', 'answered', '古い回答', 1, "
                   "'2025-01-01 00:00:00', '2025-01-01 00:00:00')")
    store = Store(f"sqlite:///{path}")
    old = store.ticket(1)
    assert (old.question, old.answer, old.answered_by) == ("古い質問", "古い回答", None)
    assert store.update_ticket(1, answered_by="tanaka").answered_by == "tanaka"
    Store(f"sqlite:///{path}")                                            # a second start: nothing to add
    assert store.login_failures(["ip:x"], since=helpdesk.utcnow()) == {"ip:x": []}


def test_an_older_postgresql_database_keeps_working(postgres):
    url = postgres.create_database("old_gateway")
    with postgres.connect("old_gateway") as db:
        db.execute(OLD_TICKETS.replace("DATETIME", "TIMESTAMP WITHOUT TIME ZONE"))
        db.execute("INSERT INTO tickets VALUES (1, 'web', 'w1', '古い質問', 'open', NULL, false, now(), now())")
    store = Store(url)
    assert store.ticket(1).answered_by is None
    assert store.update_ticket(1, answer="回答", answered_by="suzuki").answered_by == "suzuki"
    now = helpdesk.utcnow()
    store.add_login_failure(["user:a", "ip:b"], now, keep=helpdesk.LOGIN_WINDOW)
    store.add_login_failure(["user:a"], now - dt.timedelta(hours=1), keep=helpdesk.LOGIN_WINDOW)
    assert {k: len(v) for k, v in store.login_failures(["user:a", "ip:b"], now - helpdesk.LOGIN_WINDOW).items()} \
        == {"user:a": 1, "ip:b": 1}
    store.clear_login_failures("user:a")
    assert store.login_failures(["user:a"], now - dt.timedelta(days=1)) == {"user:a": []}
    store.engine.dispose()


# ---- the real gateway: lockout survives a restart -----------------------------------------------

def https_login(client: httpx.Client, user: str, password: str) -> httpx.Response:
    """The login form, sending back the Secure session cookie as a browser would over HTTPS."""
    page = client.get("/helpdesk/login")
    form = {"username": user, "password": password, "next": "", "csrf_token": TOKEN_RE.search(page.text).group(1)}
    return client.post("/helpdesk/login", data=form, headers={"cookie": page.headers["set-cookie"].split(";")[0]})


@pytest.mark.integration
def test_real_gateway_lockout_survives_a_restart(tmp_path, users_setting):
    env = {"RASA_URL": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
           "SECRET_KEY": "test-secret", "HELPDESK_PASSWORD": "", "HELPDESK_USERS": users_setting,
           "COOKIE_SECURE": "1", "SESSION_HOURS": "8"}
    ticket = Store(env["DATABASE_URL"]).create_ticket("web", "e2e", "人と話したい")
    with gateway_server(GATEWAY_PORT, env) as url, httpx.Client(base_url=url, timeout=10) as client:
        page = client.get("/helpdesk/login")
        form = {"username": "tanaka", "password": TANAKA, "next": "", "csrf_token": TOKEN_RE.search(page.text).group(1)}
        assert client.post("/helpdesk/login", data=form).status_code == 403   # http: the Secure cookie stays away
        reply = https_login(client, "tanaka", TANAKA)
        assert reply.status_code == 303
        cookie = reply.headers["set-cookie"].lower()
        assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
        answered = client.post(f"/helpdesk/api/tickets/{ticket.id}/answer", json={"answer": "お答えします。"},
                               auth=("suzuki", SUZUKI), headers={"X-Requested-With": "XMLHttpRequest"})
        assert answered.json()["answered_by"] == "suzuki"
        for _ in range(5):
            assert client.get("/helpdesk/api/tickets", auth=("tanaka", "wrong")).status_code == 401
        assert client.get("/helpdesk/api/tickets", auth=("tanaka", TANAKA)).status_code == 429
    with gateway_server(GATEWAY_PORT, env) as url, httpx.Client(base_url=url, timeout=10) as client:
        reply = client.get("/helpdesk/api/tickets", auth=("tanaka", TANAKA))
        assert reply.status_code == 429 and reply.json()["detail"] == helpdesk.LOGIN_LOCKED
        assert 0 < int(reply.headers["retry-after"]) <= 900
        form = https_login(client, "suzuki", SUZUKI)
        assert form.status_code == 429 and LOCKED in form.text           # 127.0.0.1 failed 5 times too
    assert Store(env["DATABASE_URL"]).ticket(ticket.id).answered_by == "suzuki"


# ---- no default credentials ---------------------------------------------------------------------

@pytest.mark.integration
def test_with_no_settings_the_first_start_generates_a_password_and_a_secret(tmp_path):
    """The real gateway with neither SECRET_KEY nor HELPDESK_PASSWORD: staff/change-me is refused, a random
    password and secret are kept in VAR_DIR (0600); the first start names the file — the password itself is printed
    on a terminal only, never into a log (session 67's blind trial read it in the service's log)."""
    var = tmp_path / "var"
    env = {"RASA_URL": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
           "VAR_DIR": str(var), "SECRET_KEY": "", "HELPDESK_PASSWORD": "", "HELPDESK_USERS": ""}
    log = ROOT / "var" / f"gateway-{GATEWAY_PORT}.log"
    for _start in (1, 2):
        with gateway_server(GATEWAY_PORT, env) as url, httpx.Client(base_url=url, timeout=10) as client:
            assert client.get("/helpdesk/api/tickets", auth=("staff", "change-me")).status_code == 401
            password = (var / "helpdesk_password").read_text().strip()
            assert len(password) >= 16
            assert client.get("/helpdesk/api/tickets", auth=("staff", password)).status_code == 200
        for name in ("helpdesk_password", "secret_key"):
            assert oct((var / name).stat().st_mode & 0o777) == "0o600"
        logged = log.read_text(errors="replace")
        assert password not in logged and logged.count(f"{var / 'helpdesk_password'} に保存しました") == 1   # once only
    assert len((var / "secret_key").read_text().strip()) >= 32


@pytest.mark.integration
def test_the_gateway_does_not_start_with_the_documented_example_secret(tmp_path):
    for env in ({"SECRET_KEY": "change-me", "HELPDESK_PASSWORD": "a-password"},
                {"SECRET_KEY": "a-secret", "HELPDESK_PASSWORD": "change-me"}):
        started = subprocess.run([sys.executable, "-c", "from bot.gateway.app import create_app; create_app()"],
                                 capture_output=True, text=True, cwd=ROOT, timeout=60,
                                 env={"PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path), "APP_ENV": "development",
                                      "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", **env})
        assert started.returncode != 0 and "SettingsError" in started.stderr and "change-me" in started.stderr
