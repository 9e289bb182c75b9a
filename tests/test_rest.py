"""The real stack over HTTP: action server and Rasa started by scripts/run.sh, asked over REST."""
from __future__ import annotations

import uuid

import httpx
import pytest

from bot.stack import running_stack


@pytest.fixture(scope="module")
def stack():
    with running_stack(rasa_port=5205, action_port=5255) as urls:
        yield urls


def ask(stack, text: str, sender: str = None) -> list:
    response = httpx.post(
        stack["rest"], json={"sender": sender or uuid.uuid4().hex, "message": text}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def test_answer_over_rest_carries_text_source_buttons_and_custom(stack):
    messages = ask(stack, "利用者さんのカードをなくしてしまいました。どうしたらいいですか")
    text = next(m for m in messages if "text" in m)
    custom = next(m["custom"] for m in messages if "custom" in m)
    assert "0120-95-0178" in text["text"] and "出典：" in text["text"]
    assert text["buttons"]
    assert custom["answer_id"].startswith("lost_card")
    assert custom["sources"]


def test_button_payload_over_rest_gives_that_answer(stack):
    messages = ask(stack, '/show_answer{"answer_id": "fax_inquiry"}')
    custom = next(m["custom"] for m in messages if "custom" in m)
    assert custom["answer_id"] == "fax_inquiry"
    assert any("0120-601-785" in m.get("text", "") for m in messages)


def test_out_of_scope_over_rest_is_a_fallback(stack):
    messages = ask(stack, "明日の天気を教えてください")
    assert {"fallback": True}.items() <= next(m["custom"] for m in messages if "custom" in m).items()


def test_conversation_keeps_going_for_the_same_sender(stack):
    sender = uuid.uuid4().hex
    assert ask(stack, "こんにちは", sender)
    messages = ask(stack, "暗証番号を忘れた人はどうすればいい？", sender)
    custom = next(m["custom"] for m in messages if "custom" in m)
    assert custom["answer_id"].startswith("pin_")


def test_rasa_http_api_needs_the_token(stack):
    assert httpx.get(f"{stack['rasa']}/conversations/x/tracker", timeout=10).status_code == 401
    ok = httpx.get(f"{stack['rasa']}/conversations/x/tracker", params={"token": stack["token"]}, timeout=10)
    assert ok.status_code == 200


def test_servers_listen_on_loopback_only(stack):
    import subprocess

    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    for port in ("5205", "5255"):
        lines = [l for l in listening.splitlines() if f":{port} " in l]
        assert lines and all("127.0.0.1:" in l for l in lines), lines
