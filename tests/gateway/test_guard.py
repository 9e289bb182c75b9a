"""Size limits, rate limits, security headers and CORS of the gateway (in process, Rasa down)."""
from __future__ import annotations

from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.guard import RateLimiter


def client_for(settings, **changes) -> TestClient:
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.rasa_url = "http://127.0.0.1:9"  # nothing listens: the core answers its safe message
    return TestClient(create_app(settings))


def test_security_headers_on_every_response(settings):
    response = client_for(settings).get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_huge_body_is_413_in_japanese(settings):
    response = client_for(settings).post("/api/chat", content=b"x" * 200_000,
                                         headers={"content-type": "application/json"})
    assert response.status_code == 413 and "大きすぎ" in response.json()["detail"]


def test_sender_rate_limit(settings):
    client = client_for(settings, rate_per_sender=3)
    codes = [client.post("/api/chat", json={"sender_id": "same", "text": "こんにちは"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert client.post("/api/chat", json={"sender_id": "other", "text": "こんにちは"}).status_code == 200


def test_ip_rate_limit(settings):
    client = client_for(settings, rate_per_ip=4)
    codes = [client.post("/api/chat", json={"sender_id": f"s{i}", "text": "こんにちは"}).status_code for i in range(6)]
    assert codes[:4] == [200] * 4 and codes[4:] == [429, 429]
    assert "少し待って" in client.post("/api/chat", json={"sender_id": "x", "text": "a"}).json()["detail"]


def test_cors_only_for_configured_origins(settings):
    client = client_for(settings, cors_origins=["https://care.example.jp"])
    allowed = client.options("/api/chat", headers={"origin": "https://care.example.jp", "access-control-request-method": "POST"})
    assert allowed.headers.get("access-control-allow-origin") == "https://care.example.jp"
    other = client.options("/api/chat", headers={"origin": "https://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in other.headers


def test_rate_limiter_window_slides():
    limiter = RateLimiter(2)
    assert limiter.allow("k", 0) and limiter.allow("k", 1) and not limiter.allow("k", 2)
    assert limiter.allow("k", 61.5)
