"""The personal-data corpus (tests/privacy_corpus.yml) end to end, through the real gateway and Rasa.

Every variant is sent as a user would (a split one in two messages); some conversations then ask for
a person, staff try to answer with personal data, search for it, a sender id carries it, the FAX
sheet gets it, an action gets a payload of the wrong type. Afterwards every table of the gateway,
Rasa's tracker store (this run's events), every log written during the run (the gateway's with its
access log, Rasa's and the action server's) and every helpdesk page and API answer are searched for
every planted value: none may be found. Each positive got the warning naming its kind; each negative
got no warning and was stored as typed.
"""
from __future__ import annotations

import html
import json
import os
import random
import re
import sqlite3
import string
import time

import httpx
import pytest

from bot.devtools.stack import VAR, gateway_command, server
from tests.gateway.conftest import GATEWAY_PORT, RASA_PORT
from tests.privacy_corpus import found_in, load

PORT = GATEWAY_PORT + 11
RUN = "".join(random.choices(string.ascii_lowercase, k=6))   # sender ids hold no digits of their own
AUTH = ("staff", "test-password")
VARIANTS = load()
SENDER_SECRETS = ["123456789018", "090-1234-5678"]          # planted in sender ids
STAFF_SECRETS = ["314159265352", "暗証番号は2748です", "S24.8.21"]
FAX_SECRET = "463728190566"
MARKER = "施設の利用者さんのカードのことで相談しています"      # conversation text that must stay out of logs


def sender(variant) -> str:
    """pv-<run>-<letters>: a conversation per variant."""
    number, letters = VARIANTS.index(variant), ""
    while True:
        number, digit = divmod(number, 26)
        letters += string.ascii_lowercase[digit]
        if not number:
            return f"pv-{RUN}-{letters}"


def warning_of(messages: list) -> str:
    return next((m["text"] for m in messages if m["text"].startswith("ご注意：")), "")


def all_secrets() -> list:
    planted = [s for v in VARIANTS if v.kind for s in v.secrets]
    return planted + SENDER_SECRETS + STAFF_SECRETS + [FAX_SECRET]


def scrub(text: str) -> str:
    """Without what holds digits by itself: times, Rasa's event timestamps and confidences, hashed sender ids (a
    fresh-clone run found 「05/31/1956」 in the timestamp 1796205311.9567854)."""
    text = re.sub(r"anon-[0-9a-f]{32}", " ", text)
    text = re.sub(r'"(?:timestamp|confidence)": [0-9.e+-]+', " ", text)
    return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00)?", " ", text)


def leaks(text: str, whole: bool = False) -> list:
    """The planted values in one stored text, as written or as a number written any way. In a `whole`
    page or record, which has numbers of its own (ids, counts), only values of 6+ characters or 8+ digits."""
    return found_in(all_secrets(), scrub(text), *((6, 8) if whole else (1, 4)))


def log_sizes() -> dict:
    return {path: path.stat().st_size for path in VAR.glob("*.log")}


def new_log_text(before: dict) -> str:
    parts = []
    for path in VAR.glob("*.log"):
        with open(path, "rb") as handle:
            handle.seek(before.get(path, 0))
            parts.append(handle.read().decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def run(rasa_stack, tmp_path_factory):
    """Everything sent, then everything stored, logged and shown, collected for the tests below."""
    tmp = tmp_path_factory.mktemp("privacy")
    database = tmp / "gateway.db"
    env = {"PYTHONPATH": str(VAR.parent), "RASA_URL": rasa_stack["rasa"], "DATABASE_URL": f"sqlite:///{database}",
           "HELPDESK_USER": "staff", "HELPDESK_PASSWORD": AUTH[1], "SECRET_KEY": "test-secret",
           "RATE_PER_IP": "100000", "RATE_PER_SENDER": "1000"}
    command = [part if part != "warning" else "info" for part in gateway_command(PORT)] + ["--access-log"]
    before, started = log_sizes(), time.time()
    replies, staff_answers = {}, []
    with server(command, f"http://127.0.0.1:{PORT}/health", env, f"gateway-privacy-{PORT}", 60):
        url = f"http://127.0.0.1:{PORT}"
        with httpx.Client(base_url=url, timeout=30) as client:
            def chat(sender_id: str, text: str) -> list:
                reply = client.post("/api/chat", json={"sender_id": sender_id, "text": text})
                assert reply.status_code == 200, (reply.status_code, text)
                return reply.json()["messages"]

            for variant in VARIANTS:
                replies[variant.id] = [chat(sender(variant), message) for message in variant.messages]
            handoffs = [v for v in VARIANTS if v.kind][::25]
            for variant in handoffs:                            # the staff read the question on a ticket
                chat(sender(variant), "人と話したい")
            for number, value in enumerate(SENDER_SECRETS):
                replies[f"sender{number}"] = [chat(f"pv-{RUN}-{value}", "カードをなくしました")]
            chat(f"pv-{RUN}-bad", MARKER)
            replies["bad payload"] = [chat(f"pv-{RUN}-bad", '/start_guide{"guide": {"a": 1}}')]
            tickets = client.get("/helpdesk/api/tickets", auth=AUTH).json()["tickets"]
            for ticket, secret in zip(tickets, STAFF_SECRETS):
                answer = client.post(f"/helpdesk/api/tickets/{ticket['id']}/answer", auth=AUTH,
                                     headers={"X-Requested-With": "test"},   # Basic auth needs it (CSRF)
                                     json={"answer": f"確認しました。{secret}"})
                staff_answers.append(answer.status_code)
            for secret in all_secrets()[:20] + STAFF_SECRETS:
                client.get("/helpdesk/api/search", params={"q": f"紛失 {secret}"}, auth=AUTH)
            fax = {"inquiry_type": "question", "name": "佐藤 太郎", "reply_fax": "0312345678",
                   "question": f"マイナンバーは{FAX_SECRET}です"}
            fax_reply = client.post("/api/fax", json=fax)
        pages = helpdesk_pages(url)
    time.sleep(0.5)                                            # the servers' last log lines
    return {"replies": replies, "database": database, "started": started, "pages": pages,
            "logs": new_log_text(before), "tickets": tickets, "staff_answers": staff_answers,
            "handoffs": handoffs, "fax": fax_reply}


def helpdesk_pages(url: str) -> dict:
    """Every helpdesk page and API answer that shows this run's data (a logged-in staff session)."""
    pages = {}
    with httpx.Client(base_url=url, timeout=30) as staff:
        form = staff.get("/helpdesk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        staff.post("/helpdesk/login", data={"username": AUTH[0], "password": AUTH[1], "csrf_token": token})
        senders, offset = [], 0
        while True:
            body = staff.get("/helpdesk/api/conversations", params={"limit": 100, "offset": offset}).json()
            senders += [c["sender_id"] for c in body["conversations"]]
            pages[f"api conversations {offset}"] = json.dumps(body, ensure_ascii=False)
            if not body["has_more"]:
                break
            offset += 100
        for page in range(1, len(senders) // 20 + 2):
            pages[f"conversations {page}"] = staff.get("/helpdesk/conversations", params={"page": page}).text
        for sender_id in senders:
            pages[f"conversation {sender_id}"] = staff.get(f"/helpdesk/conversations/{sender_id}").text
            pages[f"api conversation {sender_id}"] = staff.get(f"/helpdesk/api/conversations/{sender_id}").text
        for path in ("/helpdesk", "/helpdesk/unanswered", "/helpdesk/tickets", "/helpdesk/api/unanswered",
                     "/helpdesk/api/tickets", "/helpdesk/feedback"):
            pages[path] = staff.get(path).text
        for ticket in staff.get("/helpdesk/api/tickets").json()["tickets"]:
            pages[f"ticket {ticket['id']}"] = staff.get(f"/helpdesk/tickets/{ticket['id']}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get("/helpdesk/search").text).group(1)
        pages["search"] = staff.post("/helpdesk/search", data={"q": f"紛失 {STAFF_SECRETS[0]}", "csrf_token": token}).text
    return pages


# ---- what the users saw -----------------------------------------------------------------------------

@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.kind], ids=lambda v: v.id)
def test_every_positive_got_the_warning_naming_its_kind(run, variant):
    warnings = [warning_of(messages) for messages in run["replies"][variant.id]]
    assert any(variant.kind in w for w in warnings), run["replies"][variant.id]
    shown = json.dumps(run["replies"][variant.id], ensure_ascii=False)
    assert not [s for s in variant.secrets if s in shown]


def test_no_negative_got_a_warning(run):
    alarms = [v.messages for v in VARIANTS if not v.kind and warning_of(run["replies"][v.id][0])]
    assert alarms == []


def test_every_negative_was_stored_as_typed(run):
    with sqlite3.connect(run["database"]) as connection:
        stored = dict(connection.execute("SELECT sender_id, text FROM messages WHERE direction = 'user'").fetchall())
    changed = [(v.messages[0], stored.get(sender(v))) for v in VARIANTS
               if not v.kind and stored.get(sender(v)) != v.messages[0].strip()]
    assert changed == []


# ---- nothing planted is found anywhere ------------------------------------------------------------------

def test_no_planted_value_in_any_table(run):
    found = []
    with sqlite3.connect(run["database"]) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row):
                    if isinstance(value, str):
                        hits = leaks(value, whole=column not in ("text", "question", "answer"))
                        found += [(table, column, value, hits)] if hits else []
    assert found == []
    assert {"messages", "tickets"} <= set(tables)


def test_no_planted_value_in_rasas_tracker(run):
    path = os.environ.get("TRACKER_DB") or str(VAR / f"rasa_tracker-{RASA_PORT}.db")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT sender_id, data FROM events WHERE timestamp >= ?",
                                  (run["started"] - 1,)).fetchall()
    ours = [(s, json.loads(d)) for s, d in rows if s.startswith((f"web:pv-{RUN}", "web:anon-"))]
    assert len(ours) > len(VARIANTS)
    found = []
    for sender_id, event in ours:
        parse = event.get("parse_data") or {}
        texts = [event.get("text") or "", parse.get("text") or ""] + [str(e.get("value")) for e in parse.get("entities") or []]
        found += [(sender_id, text, leaks(text)) for text in texts if leaks(text)]
        record = json.dumps(event, ensure_ascii=False)
        found += [(sender_id, "event", leaks(record, whole=True))] if leaks(record, whole=True) else []
        found += [(sender_id, "sender id")] if leaks(sender_id, whole=True) else []
    assert found == []


def test_no_planted_value_or_conversation_text_in_any_log(run):
    logs = run["logs"]
    assert '"POST /api/chat HTTP/1.1" 200' in logs                 # the access log is on
    assert "GET /helpdesk/api/search?… " in logs or "GET /helpdesk/api/search?…" in logs
    found = [s for s in all_secrets() if len(s) >= 6 and s in logs]
    texts = [m for v in VARIANTS for m in v.messages if len(m) >= 8 and re.search("[ぁ-んァ-ン一-龥]", m)]
    assert found == [] and [t for t in texts + [MARKER] if t in logs] == []
    assert "request_body" not in logs and "Failed to execute custom action" not in logs


def test_no_planted_value_on_any_helpdesk_page(run):
    found = {}
    for name, page in run["pages"].items():
        hits = leaks(html.unescape(re.sub(r"<[^>]+>", " ", page)), whole=True)
        try:                                                   # a JSON answer: each text by itself too
            body = json.loads(page)
        except ValueError:
            body = {}
        items = [item for key in ("messages", "tickets", "conversations", "questions") for item in body.get(key, [])]
        hits += [h for item in items for key in ("text", "question", "answer", "last_text") for h in leaks(item.get(key) or "")]
        if hits:
            found[name] = hits
    assert found == {}
    assert len(run["pages"]) > len(VARIANTS)                      # a page per conversation at least


# ---- the other ways in ---------------------------------------------------------------------------------

def test_tickets_were_made_and_staff_answers_with_personal_data_refused(run):
    assert len(run["tickets"]) >= 3
    assert run["staff_answers"] == [422] * len(STAFF_SECRETS)


def test_fax_question_with_a_mynumber_is_refused(run):
    assert run["fax"].status_code == 422 and "FAXに書かないでください" in run["fax"].text


def test_a_payload_of_the_wrong_type_gets_an_ordinary_answer(run):
    messages = run["replies"]["bad payload"][0]
    assert messages and "不具合" not in messages[0]["text"]
