"""A local fake of the LINE Messaging API for tests: it records reply and push requests.

    with running_fake_line(9120, "token") as fake:
        ...                       # point the gateway's LINE_API_BASE at fake.url
        fake.wait_for(lambda r: r["body"].get("replyToken") == "rt-1")

It runs uvicorn in a thread of the test process. POST /v2/bot/message/reply and /push check
`Authorization: Bearer <token>` (401 otherwise, like LINE), record the JSON body and answer with
`sentMessages`; a reply token listed in `expired_tokens` gets LINE's 400 「Invalid reply token」;
GET /_fake/received lists what was recorded, DELETE clears it.
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from typing import Callable, Iterator, List, Optional

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class FakeLine:
    """The fake's state; `delay_s` slows every accepted request down (to test non-blocking)."""

    def __init__(self, token: str, url: str = ""):
        self.token = token
        self.url = url
        self.delay_s = 0.0
        self.received: List[dict] = []
        self.rejected: List[dict] = []
        self.expired_tokens: set = set()
        self.app = self._make_app()

    def _make_app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v2/bot/message/reply")
        async def reply(request: Request):
            return await self._record("reply", request)

        @app.post("/v2/bot/message/push")
        async def push(request: Request):
            return await self._record("push", request)

        @app.get("/_fake/received")
        async def received() -> list:
            return self.received

        @app.delete("/_fake/received")
        async def clear() -> dict:
            self.received.clear()
            self.rejected.clear()
            return {}

        return app

    async def _record(self, kind: str, request: Request):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            self.rejected.append({"kind": kind, "authorization": request.headers.get("authorization")})
            return JSONResponse({"message": "Authentication failed. Confirm that the access token in the "
                                            "authorization header is valid."}, status_code=401)
        body = await request.json()
        if kind == "reply" and body.get("replyToken") in self.expired_tokens:
            self.rejected.append({"kind": kind, "body": body})
            return JSONResponse({"message": "Invalid reply token"}, status_code=400)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.received.append({"kind": kind, "body": body, "at": time.monotonic(),
                              "retry_key": request.headers.get("x-line-retry-key")})
        messages = body.get("messages") or [{}]
        return {"sentMessages": [{"id": uuid.uuid4().hex[:18], "quoteToken": uuid.uuid4().hex} for _ in messages]}

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 30) -> dict:
        """The first recorded request for which `match` is true; waits up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(match)
            if found is not None:
                return found
            time.sleep(0.1)
        raise TimeoutError(f"the fake LINE API received nothing matching within {timeout} s: {self.received}")

    def find(self, match: Callable[[dict], bool]) -> Optional[dict]:
        return next((r for r in list(self.received) if match(r)), None)


@contextlib.contextmanager
def running_fake_line(port: int, token: str) -> Iterator[FakeLine]:
    """The fake on 127.0.0.1:port (in a thread) until the block ends."""
    fake = FakeLine(token, f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the fake LINE API did not start on port {port}")
        time.sleep(0.05)
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
