"""The staff helpdesk (/helpdesk): login, pages, JSON API, tickets and the web widget's pending answers.

In process with TestClient (no Rasa), plus one round trip against the real gateway and Rasa.
"""
from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.shared.answers import answer_message
from bot.gateway.app import create_app
from bot.gateway.core import ConversationCore
from bot.gateway.storage import Store, secret_hash
from bot.shared.knowledge import load_knowledge
from tests import ports
from tests.gateway.fake_line import running_fake_line

PASSWORD = "test-password"          # conftest's settings
AUTH = ("staff", PASSWORD)
SCRIPT = {"X-Requested-With": "XMLHttpRequest"}      # what changes with Basic auth need (no cross-site form)
FAKE_LINE_PORT, LINE_TOKEN = ports.HELPDESK_FAKE_LINE, "test-access-token"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture
def store(app) -> Store:
    return app.state.store


def form_token(client, path="/helpdesk/login") -> str:
    return TOKEN_RE.search(client.get(path).text).group(1)


def login(client, user="staff", password=PASSWORD, next_page=""):
    return client.post("/helpdesk/login", follow_redirects=False, data={
        "username": user, "password": password, "csrf_token": form_token(client), "next": next_page})


@pytest.fixture
def staff(client):
    assert login(client).status_code == 303
    return client


# ---- authentication -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/helpdesk", "/helpdesk/search?q=紛失", "/helpdesk/conversations",
                                  "/helpdesk/unanswered", "/helpdesk/feedback", "/helpdesk/tickets",
                                  "/helpdesk/tickets/1", "/helpdesk/conversations/u1"])
def test_pages_redirect_to_the_login(client, path):
    reply = client.get(path, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/helpdesk/login?next=/helpdesk")


@pytest.mark.parametrize("path", ["/helpdesk/api/search?q=紛失", "/helpdesk/api/conversations",
                                  "/helpdesk/api/conversations/u1", "/helpdesk/api/unanswered",
                                  "/helpdesk/api/feedback", "/helpdesk/api/tickets", "/helpdesk/api/tickets/1"])
def test_api_answers_401_without_login(client, path):
    reply = client.get(path)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Basic")
    assert reply.json()["detail"] == "ログインが必要です。"


def test_post_without_login_changes_nothing(client, store):
    ticket = store.create_ticket("web", "u1", "質問")
    reply = client.post(f"/helpdesk/tickets/{ticket.id}/answer", data={"answer": "x"}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/helpdesk/login")
    assert client.post(f"/helpdesk/api/tickets/{ticket.id}/close").status_code == 401
    assert store.ticket(ticket.id).status == "open" and store.ticket(ticket.id).answer is None


@pytest.mark.parametrize("user, password", [("staff", "wrong"), ("someone", PASSWORD), ("", "")])
def test_wrong_credentials_are_refused_without_saying_which(client, user, password):
    reply = login(client, user, password)
    assert reply.status_code == 401
    assert "ユーザー名またはパスワードが正しくありません。" in reply.text
    assert client.get("/helpdesk", follow_redirects=False).status_code == 303


def test_login_then_logout(client):
    reply = login(client, next_page="/helpdesk/tickets")
    assert reply.headers["location"] == "/helpdesk/tickets"
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/helpdesk" in cookie
    page = client.get("/helpdesk/tickets")
    assert page.status_code == 200 and "ログアウト（staff）" in page.text
    assert client.get("/helpdesk/api/tickets").status_code == 200      # the session works for the API too
    logout = client.post("/helpdesk/logout", data={"csrf_token": form_token(client, "/helpdesk")},
                         follow_redirects=False)
    assert logout.status_code == 303 and logout.headers["location"] == "/helpdesk/login"
    assert "ログアウトしました。" in client.get("/helpdesk/login").text
    assert client.get("/helpdesk/tickets", follow_redirects=False).status_code == 303


def test_login_goes_only_to_helpdesk_pages(client):
    assert login(client, next_page="https://evil.example/").headers["location"] == "/helpdesk"


def test_forms_need_the_session_token(staff, store):
    ticket = store.create_ticket("web", "u1", "質問")
    reply = staff.post(f"/helpdesk/tickets/{ticket.id}/answer", data={"answer": "回答", "csrf_token": "forged"})
    assert reply.status_code == 403 and "有効期限" in reply.text
    assert staff.post("/helpdesk/logout", data={}).status_code == 403
    assert store.ticket(ticket.id).answer is None


def test_login_form_needs_its_token(client):
    client.get("/helpdesk/login")
    reply = client.post("/helpdesk/login", data={"username": "staff", "password": PASSWORD})
    assert reply.status_code == 403
    assert client.get("/helpdesk", follow_redirects=False).status_code == 303


def test_api_takes_basic_auth(client):
    assert client.get("/helpdesk/api/tickets", auth=AUTH).status_code == 200
    assert client.get("/helpdesk/api/tickets", auth=("staff", "wrong")).status_code == 401
    assert client.get("/helpdesk/api/tickets", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert client.get("/helpdesk/tickets", auth=AUTH, follow_redirects=False).status_code == 303  # pages: login


def test_api_changes_with_a_session_need_the_token_header(staff, store):
    ticket = store.create_ticket("web", "u1", "質問")
    assert staff.post(f"/helpdesk/api/tickets/{ticket.id}/close").status_code == 403
    token = re.search(r'name="csrf-token" content="([^"]+)"', staff.get("/helpdesk").text).group(1)
    reply = staff.post(f"/helpdesk/api/tickets/{ticket.id}/close", headers={"X-CSRF-Token": token})
    assert reply.status_code == 200 and reply.json()["status"] == "closed"


# ---- knowledge search ---------------------------------------------------------------------------

def test_search_gives_the_answers_exactly_as_the_bot(client):
    kb = load_knowledge()
    body = client.get("/helpdesk/api/search", params={"q": "紛失"}, auth=AUTH).json()
    ids = [r["answer_id"] for r in body["results"]]
    assert "lost_card" in ids and body["count"] == len(ids)
    for result in body["results"]:
        bot = answer_message(kb, kb.by_id[result["answer_id"]])
        assert result["text"] == bot["text"] and "出典：" in result["text"]
        assert result["sources"] == bot["custom"]["sources"]
        assert result["buttons"] == bot["buttons"]


def test_search_normalizes_and_ranks(client):
    def ids(q):
        return [r["answer_id"] for r in client.get("/helpdesk/api/search", params={"q": q}, auth=AUTH).json()["results"]]
    assert ids("ＦＡＸ")[0] == "fax_inquiry"                      # full-width → NFKC
    assert ids("暗証番号　忘れ")[0] == "pin_forgot"                 # full-width space splits terms
    assert ids("lost_card")[0] == "lost_card"                        # intent / id: the default entry first, then its variants
    assert set(ids("lost_card")[:4]) == {"lost_card", "lost_card_notice_card", "lost_card_smartphone", "lost_card_foreign_language"}
    assert ids("") == [] and ids("まったく関係のないことば") == []


def test_search_page_shows_the_bot_text(staff):
    kb = load_knowledge()
    page = staff.get("/helpdesk/search", params={"q": "紛失"})
    assert page.status_code == 200
    assert kb.by_id["lost_card"].title in page.text
    assert kb.citation(kb.by_id["lost_card"]) in page.text
    assert "0120-95-0178" in page.text


# ---- conversation log, unanswered, feedback -----------------------------------------------------

def test_conversation_log_lists_stored_messages(staff, store):
    store.log_message("web", "alice", "user", "カードをなくしました")
    store.log_message("web", "alice", "bot", "まず、カードの機能を止めます。", answer_id="lost_card")
    store.log_message("line", "Ubob", "user", "暗証番号を忘れました")
    page = staff.get("/helpdesk/conversations").text
    assert page.index("Ubob") < page.index("alice")                   # newest first
    assert "/helpdesk/conversation?sender_id=alice" in page and "LINE" in page
    detail = staff.get("/helpdesk/conversations/alice").text
    assert "カードをなくしました" in detail and "まず、カードの機能を止めます。" in detail and "lost_card" in detail
    body = staff.get("/helpdesk/api/conversations").json()
    assert [(c["channel"], c["sender_id"], c["count"]) for c in body["conversations"]] == [
        ("line", "Ubob", 1), ("web", "alice", 2)]
    messages = staff.get("/helpdesk/api/conversations/alice").json()["messages"]
    assert [m["direction"] for m in messages] == ["user", "bot"]
    assert staff.get("/helpdesk/api/conversations/nobody").status_code == 404
    assert staff.get("/helpdesk/conversations/nobody").status_code == 404


def test_conversation_log_is_paginated(staff, store):
    for n in range(25):
        store.log_message("web", f"user{n:02d}", "user", f"質問{n}")
    first = staff.get("/helpdesk/conversations").text
    assert "user24" in first and "user04" not in first and "page=2" in first
    second = staff.get("/helpdesk/conversations?page=2").text
    assert "user04" in second and "user05" not in second and "page=1" in second
    body = staff.get("/helpdesk/api/conversations", params={"limit": 20, "offset": 20}).json()
    assert len(body["conversations"]) == 5 and body["has_more"] is False


def test_a_long_conversation_shows_its_latest_200_messages(staff, store):
    for n in range(250):
        store.log_message("web", "long", "user" if n % 2 == 0 else "bot", f"メッセージ{n:03d}")
    page = staff.get("/helpdesk/conversations/long").text
    assert "メッセージ249" in page and "メッセージ050" in page and "メッセージ049" not in page
    assert page.index("メッセージ050") < page.index("メッセージ249")          # still oldest first
    assert "最新の200件" in page
    messages = staff.get("/helpdesk/api/conversations/long").json()["messages"]
    assert [m["text"] for m in messages] == [f"メッセージ{n:03d}" for n in range(50, 250)]


def ask_unanswered(store, sender, question):
    store.log_message("web", sender, "user", question)
    store.log_message("web", sender, "bot", "すみません、わかりませんでした。", fallback=True)


def test_unanswered_questions_are_grouped_and_counted(staff, store):
    ask_unanswered(store, "a", "住民票の写しは どこで取れますか")
    ask_unanswered(store, "b", "住民票の写しは  どこで取れますか ")
    ask_unanswered(store, "c", "カードの色は何色？")
    store.log_message("web", "d", "user", "カードをなくしました")
    store.log_message("web", "d", "bot", "まず、カードの機能を止めます。", answer_id="lost_card")
    questions = staff.get("/helpdesk/api/unanswered").json()["questions"]
    assert [(q["text"], q["count"]) for q in questions] == [
        ("住民票の写しは どこで取れますか", 2), ("カードの色は何色？", 1)]
    page = staff.get("/helpdesk/unanswered").text
    assert "住民票の写しは どこで取れますか" in page and "カードをなくしました" not in page


def test_feedback_summary_per_answer(staff, store):
    kb = load_knowledge()
    message = store.log_message("web", "a", "bot", "…", answer_id="lost_card")
    for helpful in (True, True, False):
        store.add_feedback(message.id, helpful, "web", "a")
    answers = staff.get("/helpdesk/api/feedback").json()["answers"]
    assert answers == [{"answer_id": "lost_card", "title": kb.by_id["lost_card"].title,
                        "helpful": 2, "not_helpful": 1}]
    page = staff.get("/helpdesk/feedback").text
    assert kb.by_id["lost_card"].title in page and '<td class="num">2</td>' in page


# ---- tickets ------------------------------------------------------------------------------------

def answer_form(client, ticket_id, answer):
    token = form_token(client, f"/helpdesk/tickets/{ticket_id}")
    return client.post(f"/helpdesk/tickets/{ticket_id}/answer", data={"answer": answer, "csrf_token": token},
                       follow_redirects=False)


def pending(client, sender, token="ticket-token-of-w1"):
    return client.get("/api/tickets/pending", params={"sender_id": sender}, headers={"X-Ticket-Token": token})


def test_ticket_answer_close_and_web_delivery_once(staff, store):
    ticket = store.create_ticket("web", "w1", "代理で受け取るときの持ち物を詳しく知りたい",
                                 secret_hash("ticket-token-of-w1"))
    listing = staff.get("/helpdesk/tickets?status=open").text
    assert f"/helpdesk/tickets/{ticket.id}" in listing and "未対応（1件）" in listing
    assert pending(staff, "w1").json() == {"answers": []}

    reply = answer_form(staff, ticket.id, "  委任状と本人確認書類をお持ちください。  ")
    assert reply.status_code == 303
    page = staff.get(reply.headers["location"]).text
    assert "回答を保存しました" in page and "まだ届いていません" in page
    saved = store.ticket(ticket.id)
    assert (saved.status, saved.answer, saved.delivered) == ("answered", "委任状と本人確認書類をお持ちください。", False)

    public = TestClient(staff.app)                                 # the widget: no login
    first = pending(public, "w1").json()["answers"]
    assert [(a["ticket_id"], a["answer"]) for a in first] == [(ticket.id, "委任状と本人確認書類をお持ちください。")]
    assert first[0]["text"].startswith("担当者からの回答です。")
    assert pending(public, "w1").json() == {"answers": []}
    assert pending(public, "other").json() == {"answers": []}
    assert public.get("/api/tickets/pending").status_code == 422
    assert store.ticket(ticket.id).delivered is True

    token = form_token(staff, f"/helpdesk/tickets/{ticket.id}")
    staff.post(f"/helpdesk/tickets/{ticket.id}/close", data={"csrf_token": token})
    assert store.ticket(ticket.id).status == "closed"
    assert "完了（1件）" in staff.get("/helpdesk/tickets").text
    refused = staff.post(f"/helpdesk/tickets/{ticket.id}/answer", data={"answer": "追記", "csrf_token": token})
    assert refused.status_code == 422 and "完了したチケットには回答できません。" in refused.text


def test_empty_answer_is_refused(staff, store):
    ticket = store.create_ticket("web", "w2", "質問")
    reply = answer_form(staff, ticket.id, "   ")
    assert reply.status_code == 422 and "回答が空です。" in reply.text
    assert store.ticket(ticket.id).status == "open"
    assert staff.get("/helpdesk/tickets/999").status_code == 404


def test_ticket_api_with_basic_auth(client, store):
    ticket = store.create_ticket("web", "w3", "質問")
    assert [t["id"] for t in client.get("/helpdesk/api/tickets?status=open", auth=AUTH).json()["tickets"]] == [ticket.id]
    assert client.get("/helpdesk/api/tickets?status=bogus", auth=AUTH).status_code == 422
    body = client.post(f"/helpdesk/api/tickets/{ticket.id}/answer", json={"answer": "お答えします。"}, auth=AUTH,
                       headers=SCRIPT).json()
    assert body["status"] == "answered" and body["answer"] == "お答えします。" and body["note"]
    assert client.post(f"/helpdesk/api/tickets/{ticket.id}/answer", json={"answer": ""}, auth=AUTH,
                       headers=SCRIPT).status_code == 422
    assert client.post(f"/helpdesk/api/tickets/{ticket.id}/close", auth=AUTH, headers=SCRIPT).json()["status"] == "closed"
    assert client.post(f"/helpdesk/api/tickets/{ticket.id}/answer", json={"answer": "x"}, auth=AUTH,
                       headers=SCRIPT).status_code == 409
    assert client.get("/helpdesk/api/tickets/999", auth=AUTH).status_code == 404


@pytest.fixture(scope="module")
def fake_line():
    with running_fake_line(FAKE_LINE_PORT, LINE_TOKEN) as fake:
        yield fake


def line_staff(settings, token: str = None, base: str = None):
    """A logged-in helpdesk client of a gateway whose LINE points at the fake (its one client opened with
    the app)."""
    settings.line_channel_secret = "test-channel-secret"
    settings.line_channel_access_token = LINE_TOKEN if token is None else token
    settings.line_api_base = base or f"http://127.0.0.1:{FAKE_LINE_PORT}"
    client = TestClient(create_app(settings))
    return client


def test_line_answers_are_pushed(settings, fake_line):
    with line_staff(settings) as staff:
        assert login(staff).status_code == 303
        store = staff.app.state.store
        ticket = store.create_ticket("line", "U123", "質問")
        page = staff.get(answer_form(staff, ticket.id, "お答えします。").headers["location"]).text
        assert "LINEで送信しました" in page
        push = fake_line.wait_for(lambda r: r["kind"] == "push" and r["body"]["to"] == "U123")
        assert push["body"]["messages"] == [{"type": "text", "text": "担当者からの回答です。\nお答えします。"}]
        assert store.ticket(ticket.id).delivered is True


@pytest.mark.parametrize("line", ["not configured", "fails", "unreachable"])
def test_line_answer_not_delivered_stays_answered(settings, fake_line, line):
    token, base = {"not configured": ("", None), "fails": ("wrong-token", None),
                   "unreachable": (None, "http://127.0.0.1:9")}[line]
    with line_staff(settings, token, base) as staff:
        assert login(staff).status_code == 303
        store = staff.app.state.store
        ticket = store.create_ticket("line", "U456", "質問")
        page = staff.get(answer_form(staff, ticket.id, "お答えします。").headers["location"]).text
        assert "LINEへの送信はできませんでした" in page
        saved = store.ticket(ticket.id)
        assert (saved.status, saved.delivered) == ("answered", False)


def test_handoff_through_the_core_makes_a_ticket(app, staff, store):
    """Rasa's reply for utter_human_handoff (text, then custom handoff) → a ticket staff can answer."""
    def rasa(request):
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "担当者から、このチャットでお答えします。"},
                                         {"recipient_id": "x", "custom": {"handoff": True}}])

    app.state.core = ConversationCore(app.state.settings, store,
                                      client=httpx.AsyncClient(transport=httpx.MockTransport(rasa)))
    body = staff.post("/api/chat", json={"sender_id": "w9", "text": "人と話したい"}).json()
    ticket_id = body["ticket_id"]
    assert ticket_id and store.ticket(ticket_id).question == "人と話したい"
    assert "人と話したい" in staff.get(f"/helpdesk/tickets/{ticket_id}").text
    answer_form(staff, ticket_id, "お電話ください。")
    answers = pending(staff, "w9", body["ticket_token"]).json()["answers"]
    assert [a["answer"] for a in answers] == ["お電話ください。"]


# ---- escaping -----------------------------------------------------------------------------------

def test_stored_markup_is_escaped(staff, store):
    evil = '<script>alert("x")</script>'
    store.log_message("web", "evil<b>", "user", evil)
    ask_unanswered(store, "evil2", evil)
    ticket = store.create_ticket("web", "evil<b>", evil)
    pages = [staff.get(path).text for path in (
        "/helpdesk/conversations", "/helpdesk/conversations/evil<b>", "/helpdesk/unanswered",
        "/helpdesk/tickets", f"/helpdesk/tickets/{ticket.id}", f"/helpdesk/search?q={evil}")]
    for page in pages:
        assert "<script>" not in page and "evil<b>" not in page
    assert "&lt;script&gt;" in pages[1] and "evil&lt;b&gt;" in pages[1]


# ---- end to end: the real gateway and Rasa -------------------------------------------------------

def test_a_question_is_counted_once_when_the_privacy_warning_came_with_the_fallback(gateway):
    question = "090-1234-5678 の兄に、来週の土曜日に実家に行けるか聞いてほしい"
    chat = httpx.post(f"{gateway}/api/chat", json={"sender_id": "warned", "text": question}, timeout=30).json()
    assert chat["fallback"] and len(chat["messages"]) == 2 and "ご注意" in chat["messages"][0]["text"]
    questions = httpx.get(f"{gateway}/helpdesk/api/unanswered", auth=AUTH, timeout=10).json()["questions"]
    assert [q["count"] for q in questions if "実家" in q["text"]] == [1]


def test_round_trip_with_the_real_bot(gateway, gateway_env):
    chat = httpx.post(f"{gateway}/api/chat", json={"sender_id": "e2e", "text": "カードを紛失しました"}, timeout=30).json()
    answer = chat["messages"][0]
    results = httpx.get(f"{gateway}/helpdesk/api/search", params={"q": "紛失"}, auth=AUTH, timeout=10).json()["results"]
    hit = next(r for r in results if r["answer_id"] == answer["answer_id"])
    assert (hit["text"], hit["sources"]) == (answer["text"], answer["sources"])

    log = httpx.get(f"{gateway}/helpdesk/api/conversations/e2e", auth=AUTH, timeout=10).json()
    assert [m["text"] for m in log["messages"]][:2] == ["カードを紛失しました", answer["text"]]

    ticket = Store(gateway_env["DATABASE_URL"]).create_ticket("web", "e2e", "人と話したい", secret_hash("e2e-token"))
    assert httpx.post(f"{gateway}/helpdesk/api/tickets/{ticket.id}/answer", json={"answer": "お答えします。"},
                      auth=AUTH, headers=SCRIPT, timeout=10).status_code == 200
    def fetch():
        return httpx.get(f"{gateway}/api/tickets/pending", params={"sender_id": "e2e"},
                         headers={"X-Ticket-Token": "e2e-token"}, timeout=10).json()["answers"]

    assert [a["answer"] for a in fetch()] == ["お答えします。"]
    assert fetch() == []
