"""Parts of the stack go down and come back: the gateway answers safely and recovers by itself."""
from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from bot.gateway.core import worker_order
from bot.gateway.settings import Settings
from bot.devtools.stack import action_server, running_stack, wait_for_workers
from tests import ports
from tests.gateway.conftest import gateway_server

pytestmark = pytest.mark.integration  # starts its own servers
RASA_PORT, ACTION_PORT, GATEWAY_PORT = (ports.FAILURES[key] for key in ("rasa_port", "action_port", "gateway"))


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


def rasa_worker_pids(port: int) -> list:
    """Processes of `bot.rasa_side.server run … --port <port>` (a Rasa worker started by scripts/run.sh)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
            if "bot.rasa_side.server" in args and "--port" in args and args[args.index("--port") + 1] == str(port):
                pids.append(int(cmdline.parent.name))
    return pids


def sender_on_worker(urls: list, worker: int) -> str:
    """A web sender id that the gateway sends to `urls[worker]` first."""
    return next(sender for sender in (f"worker-test-{n}" for n in range(1000))
                if worker_order(urls, f"web:{sender}")[0] == urls[worker])


def test_worker_order_is_stable_and_spreads_conversations():
    urls = ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"]
    orders = [worker_order(urls, f"web:user-{n}") for n in range(300)]
    assert all(sorted(order) == urls for order in orders)
    assert orders[:5] == [worker_order(urls, f"web:user-{n}") for n in range(5)]
    firsts = [order[0] for order in orders]
    assert all(firsts.count(url) > 60 for url in urls)
    assert Settings.from_env({"RASA_URL": "http://a:1/, http://b:2/", "HELPDESK_PASSWORD": "x"}).rasa_urls == [
        "http://a:1", "http://b:2"]


def test_a_rasa_worker_killed_its_conversations_continue_on_the_other(tmp_path):
    """Two Rasa workers share the tracker store: a guided check started on the worker that dies
    goes on, at the same question, on the other one; every reply is a real answer."""
    with running_stack(RASA_PORT, ACTION_PORT, rasa_workers=2) as stack:
        wait_for_workers(stack)
        urls = stack["rasa_urls"]
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "RASA_URL": ",".join(urls)}
        with gateway_server(GATEWAY_PORT, env) as url:
            moving, staying = sender_on_worker(urls, 1), sender_on_worker(urls, 0)
            body = ask(url, "代理で受け取れるかチェックしたい", moving)[0].json()
            assert "代理交付チェックを始めます" in body["messages"][0]["text"]
            assert ask(url, "カードをなくしました", staying)[0].json()["fallback"] is False
            for pid in rasa_worker_pids(RASA_PORT + 1):
                os.kill(pid, signal.SIGKILL)
            reply, seconds = ask(url, "92歳です", moving)
            assert reply.status_code == 200 and seconds < 3
            assert "施設に入所していますか" in "\n".join(m["text"] for m in reply.json()["messages"])
            assert ask(url, "暗証番号を忘れました", staying)[0].json()["fallback"] is False
