"""PostgreSQL instead of SQLite: the gateway's store (DATABASE_URL) and Rasa's tracker store (scripts/run.sh's
TRACKER_* settings), against a throw-away server (the `postgres` fixture), read back with psycopg."""
from __future__ import annotations

import json
import os
import uuid
from unittest import mock

import httpx
import pytest

from tests import ports
from tests.gateway.conftest import gateway_server, running_stack

RASA_PORT, ACTION_PORT, GATEWAY_PORT = (ports.POSTGRES_STACK[key] for key in ("rasa_port", "action_port", "gateway"))
STAFF = ("staff", "test-password")


@pytest.fixture(scope="module")
def pg_stack(postgres):
    """scripts/run.sh (Rasa + action server) with Rasa's tracker store in database `rasa_tracker`."""
    postgres.create_database("rasa_tracker")
    tracker = {"TRACKER_DIALECT": "postgresql", "TRACKER_HOST": postgres.host, "TRACKER_PORT": str(postgres.port),
               "TRACKER_USER": postgres.user, "TRACKER_PASSWORD": postgres.password, "TRACKER_DB": "rasa_tracker"}
    with mock.patch.dict(os.environ, tracker):     # run.sh gets the test's environment (bot.devtools.stack.server)
        with running_stack(RASA_PORT, ACTION_PORT) as stack:
            yield stack


def test_rasa_tracker_events_are_in_postgresql(pg_stack, postgres):
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    reply = httpx.post(pg_stack["rest"], json={"sender": sender, "message": "暗証番号を忘れました"}, timeout=30)
    assert reply.status_code == 200 and reply.json()
    with postgres.connect("rasa_tracker") as db:
        rows = db.execute("select type_name, action_name, data from events where sender_id = %s order by id",
                          (sender,)).fetchall()
    user = [json.loads(data) for kind, _, data in rows if kind == "user"]
    assert [u["text"] for u in user] == ["暗証番号を忘れました"]
    assert user[0]["parse_data"]["intent"]["name"].startswith("pin")
    assert "action_answer" in [action for kind, action, _ in rows if kind == "action"]
    bot = [json.loads(data).get("text") for kind, _, data in rows if kind == "bot"]
    assert bot == [reply.json()[0]["text"]]


def test_gateway_keeps_chats_feedback_and_tickets_in_postgresql_across_a_restart(pg_stack, postgres):
    env = {"RASA_URL": pg_stack["rasa"], "DATABASE_URL": postgres.create_database("gateway"),
           "HELPDESK_PASSWORD": STAFF[1], "SECRET_KEY": "test-secret"}
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    with gateway_server(GATEWAY_PORT, env) as url:
        chat = httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": "カードをなくしました"}, timeout=30).json()
        answer = chat["messages"][0]
        assert answer["answer_id"].startswith("lost_card")
        feedback = httpx.post(f"{url}/api/feedback", json={"sender_id": sender, "message_id": answer["message_id"],
                                                                 "helpful": False})
        assert feedback.status_code == 201
        ticket_id = httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": "人と話したい"},
                               timeout=30).json()["ticket_id"]
        assert ticket_id

    with postgres.connect("gateway") as db:         # the gateway is stopped: it is all in PostgreSQL
        messages = db.execute("select id, direction, text from messages where sender_id = %s order by id",
                              (sender,)).fetchall()
        feedback_rows = db.execute("select message_id, helpful, channel from feedback").fetchall()
        tickets = db.execute("select id, channel, sender_id, status from tickets").fetchall()
    assert [(d, t) for _, d, t in messages if d == "user"] == [("user", "カードをなくしました"), ("user", "人と話したい")]
    assert (answer["message_id"], "bot") in [(i, d) for i, d, _ in messages]
    assert feedback_rows == [(answer["message_id"], False, "web")]
    assert tickets == [(ticket_id, "web", sender, "open")]

    with gateway_server(GATEWAY_PORT, env) as url:  # restarted, it reads them back
        conversation = httpx.get(f"{url}/helpdesk/api/conversations/{sender}", auth=STAFF).json()
        assert [m["id"] for m in conversation["messages"]] == [i for i, _, _ in messages]
        assert [t["id"] for t in conversation["tickets"]] == [ticket_id]
        summary = httpx.get(f"{url}/helpdesk/api/feedback", auth=STAFF).json()["answers"]
        assert [(a["answer_id"], a["not_helpful"]) for a in summary] == [(answer["answer_id"], 1)]
        again = httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": "暗証番号を忘れました"}, timeout=30)
        assert again.json()["messages"][0]["message_id"] > messages[-1][0]
