"""The helpdesk cannot be entered or steered without a password (issue 13, §2): real HTTP against the real
gateway (uvicorn, SQLite; Rasa is not needed), as an attacker would try it.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.gateway.storage import Store
from tests import ports
from tests.gateway.conftest import gateway_server

GATEWAY_PORT = ports.HELPDESK_TRUST_GATEWAY
PASSWORD = "trust-password"
AUTH = ("staff", PASSWORD)
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def env(tmp_path) -> dict:
    return {"RASA_URL": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
            "SECRET_KEY": "trust-secret", "HELPDESK_PASSWORD": PASSWORD, "HELPDESK_USERS": ""}


@pytest.fixture
def live(env):
    with gateway_server(GATEWAY_PORT, env) as url:
        yield url


@pytest.fixture
def store(env) -> Store:
    return Store(env["DATABASE_URL"])


def login(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    token = TOKEN_RE.search(client.get("/helpdesk/login").text).group(1)
    return client.post("/helpdesk/login", data={"username": "staff", "password": password, "csrf_token": token,
                                                "next": ""})


# ---- sessions end on logout and on a password change --------------------------------------------

def test_logout_ends_the_session_also_for_a_copy_of_the_cookie(live):
    with httpx.Client(base_url=live, timeout=10) as staff:
        assert login(staff).status_code == 303
        stolen = dict(staff.cookies)
        token = TOKEN_RE.search(staff.get("/helpdesk").text).group(1)
        assert staff.post("/helpdesk/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=live, timeout=10, cookies=stolen) as thief:
        assert thief.get("/helpdesk", follow_redirects=False).status_code == 303
        assert thief.get("/helpdesk/api/tickets").status_code == 401


def test_a_password_change_ends_the_sessions_of_the_account(env):
    with gateway_server(GATEWAY_PORT, env) as url, httpx.Client(base_url=url, timeout=10) as staff:
        assert login(staff).status_code == 303
        cookies = dict(staff.cookies)
    with gateway_server(GATEWAY_PORT, env) as url, httpx.Client(base_url=url, timeout=10, cookies=cookies) as staff:
        assert staff.get("/helpdesk", follow_redirects=False).status_code == 200      # a restart keeps it
    changed = {**env, "HELPDESK_PASSWORD": "a-new-password"}
    with gateway_server(GATEWAY_PORT, changed) as url, httpx.Client(base_url=url, timeout=10, cookies=cookies) as staff:
        assert staff.get("/helpdesk", follow_redirects=False).status_code == 303
        assert staff.get("/helpdesk/api/tickets").status_code == 401


# ---- the lockout cannot be raced ----------------------------------------------------------------

def parallel(count: int, call) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_thirty_parallel_guesses_check_five_passwords(live):
    codes = parallel(30, lambda i: httpx.get(f"{live}/helpdesk/api/tickets", auth=("staff", f"guess-{i}"),
                                             timeout=60).status_code)
    assert sorted(codes) == [401] * 5 + [429] * 25
    assert httpx.get(f"{live}/helpdesk/api/tickets", auth=AUTH, timeout=10).status_code == 429


def test_thirty_parallel_form_logins_check_five_passwords(live):
    clients = [httpx.Client(base_url=live, timeout=60) for _ in range(30)]
    tokens = [TOKEN_RE.search(client.get("/helpdesk/login").text).group(1) for client in clients]

    def guess(i: int) -> int:
        form = {"username": "staff", "password": f"guess-{i}", "csrf_token": tokens[i], "next": ""}
        return clients[i].post("/helpdesk/login", data=form).status_code

    assert sorted(parallel(30, guess)) == [401] * 5 + [429] * 25
    for client in clients:
        client.close()


# ---- no cross-site changes with the browser's cached Basic credentials ---------------------------

def test_a_cross_site_form_cannot_change_tickets_with_cached_basic_credentials(live, store):
    ticket = store.create_ticket("web", "w-csrf", "質問")
    close, answer = f"{live}/helpdesk/api/tickets/{ticket.id}/close", f"{live}/helpdesk/api/tickets/{ticket.id}/answer"
    form = {"content-type": "application/x-www-form-urlencoded"}
    # what a browser sends for <form method=POST> on another site, the Basic credentials added by itself
    for headers in ({**form, "origin": "https://evil.example", "sec-fetch-site": "cross-site"}, form, {}):
        assert httpx.post(close, auth=AUTH, headers=headers, timeout=10).status_code == 403
        refused = httpx.post(answer, auth=AUTH, content='{"answer": "x"}', timeout=10,
                             headers={**headers, "content-type": "text/plain"})
        assert refused.status_code == 403 and refused.json()["detail"]
    assert store.ticket(ticket.id).status == "open" and store.ticket(ticket.id).answer is None
    # a script (curl, a staff tool) sets the header, which a cross-site form cannot
    script = {"X-Requested-With": "XMLHttpRequest"}
    answered = httpx.post(answer, auth=AUTH, json={"answer": "お答えします。"}, headers=script, timeout=10)
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    # …but not from another site's page, where a script could set it
    foreign = {**script, "origin": "https://evil.example"}
    assert httpx.post(close, auth=AUTH, headers=foreign, timeout=10).status_code == 403
    assert httpx.post(close, auth=AUTH, headers=script, timeout=10).json()["status"] == "closed"


# ---- X-Forwarded-For only from configured proxies ------------------------------------------------

def fail_from(url: str, forwarded_for: str, user: str) -> int:
    return httpx.get(f"{url}/helpdesk/api/tickets", auth=(user, "wrong"), timeout=10,
                     headers={"X-Forwarded-For": forwarded_for}).status_code


def test_x_forwarded_for_is_not_trusted_by_default(live, env):
    for n in range(5):                                   # five names, five made-up addresses
        assert fail_from(live, f"10.9.0.{n}", f"user{n}") == 401
    # all five came from 127.0.0.1: that address is locked, whatever the header says
    reply = httpx.get(f"{live}/helpdesk/api/tickets", auth=AUTH, headers={"X-Forwarded-For": "10.9.0.99"}, timeout=10)
    assert reply.status_code == 429
    # the per-address rate limit of /api/ cannot be dodged with the header either
    with gateway_server(GATEWAY_PORT + 1, {**env, "RATE_PER_IP": "3"}) as url:
        codes = [httpx.post(f"{url}/api/feedback", json={"message_id": 1, "helpful": True}, timeout=10,
                            headers={"X-Forwarded-For": f"10.9.1.{n}"}).status_code for n in range(5)]
    assert codes[3:] == [429, 429]


def test_x_forwarded_for_from_a_configured_proxy(env):
    with gateway_server(GATEWAY_PORT, {**env, "TRUSTED_PROXIES": "127.0.0.1"}) as url:
        for n in range(5):
            assert fail_from(url, "203.0.113.7", f"user{n}") == 401
        locked = httpx.get(f"{url}/helpdesk/api/tickets", auth=AUTH, timeout=10,
                           headers={"X-Forwarded-For": "203.0.113.7"})
        assert locked.status_code == 429
        # another client behind the proxy; what the client itself put in front of the header is not believed
        for forwarded in ("203.0.113.8", "203.0.113.7, 203.0.113.8"):
            reply = httpx.get(f"{url}/helpdesk/api/tickets", auth=AUTH, timeout=10,
                              headers={"X-Forwarded-For": forwarded})
            assert reply.status_code == 200


# ---- helpdesk pages are not kept by the browser --------------------------------------------------

def test_helpdesk_responses_are_not_cached(live, store):
    ticket = store.create_ticket("web", "w-cache", "質問")
    store.log_message("web", "w-cache", "user", "質問")
    with httpx.Client(base_url=live, timeout=10) as staff:
        replies = [staff.get("/helpdesk/login"), staff.get("/helpdesk", follow_redirects=False)]
        assert login(staff).status_code == 303
        replies += [staff.get(path) for path in (
            "/helpdesk", "/helpdesk/conversations", "/helpdesk/conversations/w-cache", f"/helpdesk/tickets/{ticket.id}",
            "/helpdesk/tickets/99999", "/helpdesk/api/tickets", "/helpdesk/unanswered", "/helpdesk/search?q=紛失")]
    replies.append(httpx.get(f"{live}/helpdesk/api/tickets", timeout=10))          # 401
    for reply in replies:
        assert "no-store" in reply.headers.get("cache-control", ""), (reply.request.url, reply.status_code)


# ---- a sender id cannot steer the helpdesk's links -----------------------------------------------

STEERING = ["../tickets/1", "..", ".", "a/../../logout", "%2e%2e", "x?next=/evil", "a#b"]


def test_a_sender_id_cannot_steer_the_conversation_links(live, store):
    ticket = store.create_ticket("web", "../tickets/1", "質問")
    for sender in STEERING:
        store.log_message("web", sender, "user", f"質問 {sender}")
    with httpx.Client(base_url=live, timeout=10) as staff:
        assert login(staff).status_code == 303
        pages = [staff.get("/helpdesk/conversations"), staff.get(f"/helpdesk/tickets/{ticket.id}")]
        for page in pages:
            links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*conversation[^"]*)"', page.text)]
            for link in links:
                target = page.url.join(link)                 # as a browser resolves it (dot segments too)
                if target.path == "/helpdesk/conversations" and not target.query:
                    continue                                 # the list itself
                shown = staff.get(target)
                assert shown.status_code == 200 and target.path.startswith("/helpdesk/conversation"), link
                sender = re.search(r"<h1>会話：(.*)</h1>", shown.text).group(1)
                assert sender.replace("&amp;", "&") in STEERING, link
        assert len({link for page in pages for link in re.findall(r'href="([^"]*conversation[^"]*)"', page.text)}) \
            >= len(STEERING)


@pytest.mark.parametrize("sender", ["../x", "a/b", "..", " a", "a\\b", "a?b", "a#b", "", "a" * 129])
def test_the_chat_api_refuses_sender_ids_that_are_not_plain_names(live, sender):
    for request in (lambda: httpx.post(f"{live}/api/chat", json={"sender_id": sender, "text": "こんにちは"}, timeout=10),
                    lambda: httpx.get(f"{live}/api/tickets/pending", params={"sender_id": sender}, timeout=10)):
        reply = request()
        assert reply.status_code == 422 and "sender_id" in reply.text
    assert httpx.post(f"{live}/api/chat", json={"sender_id": "w-0123abcd", "text": "こんにちは"},
                      timeout=10).status_code == 200
