"""The chat channel as an attacker or a careless user would use it (issue 13, §3): real HTTP against the
real gateway, with the real Rasa stack where the bot's answer matters, and real SQL.
"""
from __future__ import annotations

import httpx
import pytest

from bot.gateway.storage import Store
from tests.gateway.conftest import GATEWAY_PORT, gateway_server

AUTH = ("staff", "test-password")                      # conftest's gateway_env
SCRIPT = {"X-Requested-With": "XMLHttpRequest"}
OWN_PORT = GATEWAY_PORT + 20                            # gateways started by a test itself


def chat(url: str, sender: str, text: str) -> httpx.Response:
    return httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": text}, timeout=30)


def pending(url: str, sender: str, token: str = None) -> httpx.Response:
    headers = {"X-Ticket-Token": token} if token is not None else {}
    return httpx.get(f"{url}/api/tickets/pending", params={"sender_id": sender}, headers=headers, timeout=10)


# ---- a staff answer reaches only the client that asked ------------------------------------------

def test_the_staff_answer_goes_only_to_the_client_that_asked(gateway, gateway_env):
    asked = chat(gateway, "w-asker", "人と話したい").json()
    ticket_id, token = asked["ticket_id"], asked["ticket_token"]
    assert ticket_id and token and len(token) >= 32
    answered = httpx.post(f"{gateway}/helpdesk/api/tickets/{ticket_id}/answer", json={"answer": "お電話します。"},
                          auth=AUTH, headers=SCRIPT, timeout=10)
    assert answered.status_code == 200
    # someone who knows (or guesses) the sender id, without the ticket's token: nothing, and nothing used up
    for token_tried in (None, "", "forged-token", token[:-1]):
        assert pending(gateway, "w-asker", token_tried).json() == {"answers": []}
    assert Store(gateway_env["DATABASE_URL"]).ticket(ticket_id).delivered is False
    assert pending(gateway, "w-other", token).json() == {"answers": []}           # the token of another sender
    # the client that asked
    answers = pending(gateway, "w-asker", token).json()["answers"]
    assert [(a["ticket_id"], a["answer"]) for a in answers] == [(ticket_id, "お電話します。")]
    assert pending(gateway, "w-asker", token).json() == {"answers": []}           # once


def test_one_open_ticket_per_conversation(gateway, gateway_env):
    first = chat(gateway, "w-twice", "人と話したい").json()
    second = chat(gateway, "w-twice", "人と話したい").json()
    assert first["ticket_id"] and second["ticket_id"] == first["ticket_id"]
    assert second["ticket_token"] is None           # the token is given once: a second request cannot take it
    tickets = [t for t in Store(gateway_env["DATABASE_URL"]).tickets() if t.sender_id == "w-twice"]
    assert len(tickets) == 1 and tickets[0].status == "open"
    httpx.post(f"{gateway}/helpdesk/api/tickets/{first['ticket_id']}/close", auth=AUTH, headers=SCRIPT, timeout=10)
    third = chat(gateway, "w-twice", "人と話したい").json()                        # closed: a new one
    assert third["ticket_id"] not in (None, first["ticket_id"]) and third["ticket_token"]


def test_polling_for_answers_is_rate_limited(gateway_env):
    with gateway_server(OWN_PORT, {**gateway_env, "RATE_PER_IP": "5"}) as url:
        replies = [pending(url, f"w-poll{n}", "x") for n in range(7)]
    assert [r.status_code for r in replies] == [200] * 5 + [429] * 2
    assert 0 < int(replies[-1].headers["retry-after"]) <= 60 and "少し待って" in replies[-1].json()["detail"]


# ---- Rasa's own commands typed by a user ---------------------------------------------------------

@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back", '/restart{"x": 1}'])
def test_rasa_commands_typed_by_a_user_get_a_plain_answer(gateway, command):
    sender = "w-command" + str(abs(hash(command)) % 1000)
    assert chat(gateway, sender, "カードをなくしました").json()["fallback"] is False
    reply = chat(gateway, sender, command)
    body = reply.json()
    assert reply.status_code == 200 and body["fallback"] is False
    text = "\n".join(m["text"] for m in body["messages"])
    assert "不具合" not in text and text
    unanswered = httpx.get(f"{gateway}/helpdesk/api/unanswered", auth=AUTH, timeout=10).json()["questions"]
    assert command not in [q["text"] for q in unanswered]
    assert chat(gateway, sender, "暗証番号を忘れました").json()["fallback"] is False     # the bot goes on


# ---- 👍/👎 only for one's own answers -------------------------------------------------------------

def test_feedback_only_for_ones_own_answers(gateway, gateway_env):
    message_id = chat(gateway, "w-mine", "カードをなくしました").json()["messages"][0]["message_id"]

    def vote(sender, helpful=False):
        return httpx.post(f"{gateway}/api/feedback", json={"sender_id": sender, "message_id": message_id,
                                                            "helpful": helpful}, timeout=10)

    assert vote("w-someone-else").status_code == 404
    assert httpx.post(f"{gateway}/api/feedback", json={"message_id": message_id, "helpful": False},
                      timeout=10).status_code == 422                               # who votes must be said
    assert vote("w-mine", True).status_code == 201
    rows = Store(gateway_env["DATABASE_URL"]).feedback_summary()
    assert [(r["helpful"], r["not_helpful"]) for r in rows] == [(1, 0)]
