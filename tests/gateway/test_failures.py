"""Parts of the stack go down and come back: the gateway answers safely and recovers by itself."""
from __future__ import annotations

import time

import httpx

from bot.stack import action_server, running_stack
from tests.gateway.conftest import PORT_BASE, gateway_server

RASA_PORT, ACTION_PORT, GATEWAY_PORT = 5505 + PORT_BASE, 5555 + PORT_BASE, 8505 + PORT_BASE


def ask(url: str, text: str, sender: str = "failure-test") -> tuple:
    start = time.monotonic()
    reply = httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": text}, timeout=10)
    return reply, time.monotonic() - start


def test_action_server_down_then_back(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "RASA_URL": f"http://127.0.0.1:{RASA_PORT}"}
    with running_stack(RASA_PORT, ACTION_PORT, with_actions=False), gateway_server(GATEWAY_PORT, env) as url:
        reply, seconds = ask(url, "カードをなくしました")
        assert reply.status_code == 200 and seconds < 3
        body = reply.json()
        assert body["fallback"] is True and "0120-95-0178" in body["messages"][0]["text"]
        with action_server(ACTION_PORT):
            body = ask(url, "カードをなくしました")[0].json()
            assert body["fallback"] is False and body["messages"][0]["answer_id"].startswith("lost_card")
        body = ask(url, "暗証番号を忘れました")[0].json()
        assert body["fallback"] is True


def test_rasa_down_then_back(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "RASA_URL": f"http://127.0.0.1:{RASA_PORT}"}
    with gateway_server(GATEWAY_PORT, env) as url:
        reply, seconds = ask(url, "カードをなくしました")
        assert reply.status_code == 200 and seconds < 3 and reply.json()["fallback"] is True
        with running_stack(RASA_PORT, ACTION_PORT):
            body = ask(url, "カードをなくしました")[0].json()
            assert body["fallback"] is False
