"""Storage runs off the event loop: while one request waits on a slow database call, others are answered.

Each test holds one storage call inside a request (a threading.Event it waits on), then observes a
second request being answered while the first is still held, then lets the first finish.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.core import ConversationCore

AUTH = ("staff", "test-password")        # conftest's settings


def rasa(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[{"recipient_id": "x", "text": "お答えします。"}])


def held(store, method: str, when):
    """Make `store.<method>` wait, for the calls `when(*args)` picks, until released; (entered, release)."""
    entered, release, real = threading.Event(), threading.Event(), getattr(store, method)

    def slow(*args, **kwargs):
        if when(*args):
            entered.set()
            release.wait(20)
        return real(*args, **kwargs)

    setattr(store, method, slow)
    return entered, release


CASES = {
    # a chat message whose logging is slow; another user's chat message meanwhile
    "chat": ("log_message", lambda channel, sender, *rest: sender == "slow",
             lambda c: c.post("/api/chat", json={"sender_id": "slow", "text": "こんにちは"}),
             lambda c: c.post("/api/chat", json={"sender_id": "quick", "text": "こんにちは"})),
    # the helpdesk's ticket list is slow; its list of unanswered questions meanwhile
    "helpdesk": ("tickets", lambda *args: True,
                 lambda c: c.get("/helpdesk/api/tickets", auth=AUTH),
                 lambda c: c.get("/helpdesk/api/unanswered", auth=AUTH)),
    # the widget's poll for staff answers is slow; a chat message meanwhile
    "pending": ("undelivered_answers", lambda *args: True,
                lambda c: c.get("/api/tickets/pending", params={"sender_id": "w1"}),
                lambda c: c.post("/api/chat", json={"sender_id": "quick", "text": "こんにちは"})),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_slow_storage_call_does_not_hold_up_another_request(settings, case):
    method, when, slow_request, other_request = CASES[case]
    app = create_app(settings)
    app.state.core = ConversationCore(settings, app.state.store,
                                      client=httpx.AsyncClient(transport=httpx.MockTransport(rasa)))
    entered, release = held(app.state.store, method, when)
    with TestClient(app) as client, ThreadPoolExecutor(2) as pool:
        try:
            first = pool.submit(slow_request, client)
            assert entered.wait(20), "the slow storage call was never made"
            other = pool.submit(other_request, client)
            assert other.result(timeout=20).status_code == 200      # answered while the first is held
            assert not first.done()                                 # the first is still in the storage call
        finally:
            release.set()
        assert first.result(timeout=20).status_code == 200
