"""POST /api/chat and /api/feedback over real HTTP, against the real Rasa stack."""
from __future__ import annotations

import re

import httpx
import pytest

from bot.gateway.settings import Settings, SettingsError
from tests.gateway.conftest import GATEWAY_PORT, gateway_server


def test_answer_has_text_sources_buttons_and_ids(gateway):
    reply = httpx.post(f"{gateway}/api/chat", json={"sender_id": "u1", "text": "カードをなくしました"}, timeout=30)
    assert reply.status_code == 200
    body = reply.json()
    assert body["fallback"] is False
    first = body["messages"][0]
    assert "0120-95-0178" in first["text"]
    assert first["answer_id"].startswith("lost_card") and first["sources"]
    assert first["buttons"] and first["message_id"]


def test_button_payload_is_answered(gateway):
    body = httpx.post(f"{gateway}/api/chat", json={"sender_id": "u2", "text": '/show_answer{"answer_id": "free_dial"}'},
                      timeout=30).json()
    assert body["messages"][0]["answer_id"] == "free_dial"


def test_out_of_scope_is_a_fallback(gateway):
    body = httpx.post(f"{gateway}/api/chat", json={"sender_id": "u3", "text": "今日の天気は？"}, timeout=30).json()
    assert body["fallback"] is True


@pytest.mark.parametrize("payload, status", [
    ({"sender_id": "u", "text": ""}, 422),
    ({"sender_id": "u", "text": "   \n "}, 422),
    ({"sender_id": "u", "text": "あ" * 1001}, 422),
    ({"sender_id": "u"}, 422),
    ({"text": "こんにちは"}, 422),
    ({"sender_id": "u", "text": 12}, 422),
    ({"sender_id": "", "text": "こんにちは"}, 422),
])
def test_bad_requests_get_clear_japanese_errors(gateway, payload, status):
    reply = httpx.post(f"{gateway}/api/chat", json=payload, timeout=30)
    assert reply.status_code == status
    detail = reply.json()["detail"]
    text = detail if isinstance(detail, str) else " ".join(d["message"] for d in detail)
    assert any("\u3040" <= ch <= "\u30ff" for ch in text)


def test_malformed_json_is_400(gateway):
    reply = httpx.post(f"{gateway}/api/chat", content=b'{"sender_id": "u", "text": ', headers={"content-type": "application/json"})
    assert reply.status_code == 400


def test_feedback_round_trip(gateway):
    body = httpx.post(f"{gateway}/api/chat", json={"sender_id": "u4", "text": "暗証番号を忘れました"}, timeout=30).json()
    message_id = body["messages"][0]["message_id"]
    assert httpx.post(f"{gateway}/api/feedback", json={"sender_id": "u4", "message_id": message_id, "helpful": True}).status_code == 201
    assert httpx.post(f"{gateway}/api/feedback", json={"sender_id": "u4", "message_id": 999999, "helpful": True}).status_code == 404


def test_rasa_down_gives_the_safe_message_fast(gateway_env):
    env = {**gateway_env, "RASA_URL": "http://127.0.0.1:9"}
    with gateway_server(GATEWAY_PORT + 1, env) as url:
        reply = httpx.post(f"{url}/api/chat", json={"sender_id": "u5", "text": "カードをなくしました"}, timeout=5)
    assert reply.status_code == 200
    body = reply.json()
    assert body["fallback"] is True and "0120-95-0178" in body["messages"][0]["text"]


def test_log_survives_a_restart(gateway_env):
    with gateway_server(GATEWAY_PORT + 2, gateway_env) as url:
        body = httpx.post(f"{url}/api/chat", json={"sender_id": "u6", "text": "顔認証マイナンバーカードとは"}, timeout=30).json()
        message_id = body["messages"][0]["message_id"]
    with gateway_server(GATEWAY_PORT + 2, gateway_env) as url:
        assert httpx.post(f"{url}/api/feedback", json={"sender_id": "u6", "message_id": message_id, "helpful": False}).status_code == 201


@pytest.mark.parametrize("mode", ["development", "production"])
def test_the_documented_example_secrets_are_refused_in_every_mode(mode, tmp_path):
    for env in ({"SECRET_KEY": "change-me"}, {"HELPDESK_PASSWORD": "change-me"}):
        with pytest.raises(SettingsError):
            Settings.from_env({"APP_ENV": mode, "VAR_DIR": str(tmp_path), **env})
    Settings.from_env({"APP_ENV": mode, "SECRET_KEY": "s3cret", "HELPDESK_PASSWORD": "pw"})


def test_personal_numbers_are_redacted_before_storage(gateway, gateway_env):
    import sqlite3

    secret, pin = "123456789018", "8246"
    body = httpx.post(f"{gateway}/api/chat", json={"sender_id": "u7", "text": f"母のマイナンバー{secret}、暗証番号は{pin}です。カードをなくしました"},
                      timeout=30).json()
    assert "マイナンバー" in body["messages"][0]["text"] and "送らないでください" in body["messages"][0]["text"]
    assert all(secret not in m["text"] and pin not in m["text"] for m in body["messages"])
    database = gateway_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        dump = "\n".join(connection.iterdump())
    # the PIN as a number of its own: a timestamp's microseconds may hold its digits (「17:13:03.082460」 failed a CI run)
    assert secret not in dump and not re.search(rf"(?<![0-9]){pin}(?![0-9])", dump)
    # Rasa's tracker store and every log of the servers (var/) hold none of it either
    from bot.devtools.stack import VAR

    for path in [p for p in VAR.rglob("*") if p.is_file()]:
        try:
            content = path.read_bytes()
        except FileNotFoundError:   # a SQLite -wal/-shm file removed when its last connection closed
            continue
        if path.suffix == ".db":
            with sqlite3.connect(path) as connection:
                content = "\n".join(connection.iterdump()).encode("utf-8")
        assert secret.encode() not in content and f"暗証番号は{pin}".encode() not in content, path


def test_a_redacted_number_does_not_change_the_answer(gateway):
    """The NLU reads the message without the placeholder: same answer as without the number."""
    plain = "母の暗証番号がロックされてしまいました。どうすればいいですか"
    with_phone = "母の暗証番号がロックされてしまいました。連絡先は090-1234-5678です。どうすればいいですか"
    answers = []
    for sender, text in (("u8", plain), ("u9", with_phone)):
        body = httpx.post(f"{gateway}/api/chat", json={"sender_id": sender, "text": text}, timeout=30).json()
        answers.append([m["answer_id"] for m in body["messages"] if m["answer_id"]])
    assert answers[0] and answers[0] == answers[1]
