"""The gateway's surface: request size limit, rate limits, security headers and CORS.

All limits answer with a short Japanese message and a 4xx status, never a stack trace.
"""
from __future__ import annotations

import ipaddress
import json
import math
import time
from collections import defaultdict, deque
from typing import Deque, Dict

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.gateway.settings import Settings

MAX_BODY_BYTES = 64 * 1024
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
]

NO_STORE_PREFIXES = ("/helpdesk", "/api/tickets/")


async def send_json(send: Send, status: int, detail: str, extra_headers=()) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *extra_headers]})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """413 for bodies over `limit` bytes, whether Content-Length says so or the stream shows it (a chunked
    body): then whatever the endpoint answers (FastAPI turns the interrupted read into a 400) is replaced."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await send_json(send, 413, TOO_LARGE)
        received, too_large, started = 0, False, False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise BodyTooLarge()
            return message

        async def checked_send(message: Message) -> None:
            nonlocal started
            if too_large:
                if not started:
                    started = True
                    await send_json(send, 413, TOO_LARGE)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, checked_send)
        except BodyTooLarge:
            if not started:
                await send_json(send, 413, TOO_LARGE)


class NoNul:
    """400 for a NUL character in the path or the query: no file or database takes it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            return await send_json(send, 400, "URLに使えない文字が含まれています。")
        await self.app(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class RateLimiter:
    """Sliding-window limits: `per_ip` requests a minute per client address on the chat endpoints."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.hits: Dict[str, Deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float = None) -> bool:
        now = time.monotonic() if now is None else now
        window = self.hits[key]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        if len(self.hits) > 100_000:  # forget idle keys so memory stays bounded
            for stale in [k for k, w in self.hits.items() if not w or now - w[-1] > 60]:
                del self.hits[stale]
        return True

    def retry_after(self, key: str, now: float = None) -> int:
        """Seconds until `key` may send again (for the Retry-After header)."""
        now = time.monotonic() if now is None else now
        window = self.hits.get(key)
        return max(1, math.ceil(60 - (now - window[0]))) if window else 1


TOO_LARGE = "送信された内容が大きすぎます。"
RATE_LIMITED = "短い時間にたくさんのメッセージが送られました。少し待ってからもう一度お試しください。"


class IpRateLimit:
    """429 when one client address sends too many requests to the rate-limited paths: POSTs under /api/,
    and, counted apart, GETs under /api/ (the widget's polling for staff answers)."""

    # not /webhooks/line/: every LINE event comes from LINE's servers (signed; limited per user there)
    def __init__(self, app: ASGIApp, limiter: RateLimiter, prefixes=("/api/",)):
        self.app, self.limiter, self.prefixes = app, limiter, prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes) and scope["method"] in ("POST", "GET"):
            key = f'{scope["method"]} {(scope.get("client") or ("unknown", 0))[0]}'
            if not self.limiter.allow(key):
                retry = str(self.limiter.retry_after(key)).encode()
                return await send_json(send, 429, RATE_LIMITED, [(b"retry-after", retry)])
        await self.app(scope, receive, send)


class ClientAddress:
    """The client address for limits and lockouts: the connection's peer, or, only when the peer is one of
    TRUSTED_PROXIES, the last address in X-Forwarded-For that is not a trusted proxy (what the client put
    in front of it is not believed). Uvicorn runs with --no-proxy-headers: this is the only place that
    reads the header."""

    def __init__(self, app: ASGIApp, trusted=()):
        self.app = app
        self.networks = [ipaddress.ip_network(proxy, strict=False) for proxy in trusted]

    def trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and self.trusted(peer[0]):
            forwarded = [host.strip() for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
                         for host in value.decode("latin-1").split(",")]
            client = next((host for host in reversed(forwarded) if not self.trusted(host)), None)
            if client:
                scope = {**scope, "client": (client[:100], 0)}
        await self.app(scope, receive, send)


class SecurityHeaders:
    """SECURITY_HEADERS on every response; `Cache-Control: no-store` on the helpdesk and on staff answers,
    so that Back after logout, or the next user of a shared PC, does not see a conversation."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        private = scope["path"].startswith(NO_STORE_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", [])
                           if not (private and name.lower() == b"cache-control")]
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ] + ([(b"cache-control", b"no-store")] if private else [])
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost first: security headers (so that the refusals below carry them too), the client address,
    NUL in the URL, size limit, rate limit, CORS for configured origins. (A 500 is answered outside all
    of them: app.on_server_error adds the headers itself.)"""
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["content-type", "x-ticket-token"], max_age=600)
    app.add_middleware(IpRateLimit, limiter=RateLimiter(settings.rate_per_ip))
    app.add_middleware(BodySizeLimit)
    app.add_middleware(NoNul)
    app.add_middleware(ClientAddress, trusted=settings.trusted_proxies)
    app.add_middleware(SecurityHeaders)
