"""The LINE channel over real HTTP: signed webhooks into a real gateway and Rasa, replies to a fake LINE API."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from types import SimpleNamespace

import httpx
import pytest

from bot.gateway.core import BotMessage, ChatReply
from bot.gateway.line import (
    BUBBLE_CHARS, RETRY_NAMESPACE, LineApi, bubbles, reply_messages, split_sources, text_messages,
)
from bot.gateway.settings import Settings
from bot.gateway.storage import LINE_EVENT_KEEP, Feedback, LineEvent, Message, Store
from tests import ports
from tests.gateway.conftest import GATEWAY_PORT, gateway_server
from tests.gateway.fake_line import running_fake_line

SECRET, TOKEN = "test-channel-secret", "test-access-token"
FAKE_LINE_PORT = ports.FAKE_LINE
LINE_GATEWAY_PORT, UNCONFIGURED_PORT, RESTARTED_PORT = GATEWAY_PORT + 7, GATEWAY_PORT + 8, GATEWAY_PORT + 9
FREE_DIAL = "0120-95-0178"


# ---- helpers ----

def sign(body: bytes, secret: str = SECRET) -> str:
    """X-Line-Signature as LINE computes it: base64(HMAC-SHA256(channel secret, body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def event(kind: str, user: str = None, token: str = None, source: dict = None, **extra) -> dict:
    return {"type": kind, "mode": "active", "timestamp": int(time.time() * 1000),
            "webhookEventId": uuid.uuid4().hex.upper(), "deliveryContext": {"isRedelivery": False},
            "source": source or {"type": "user", "userId": user}, "replyToken": token, **extra}


def text_event(user: str, text: str, token: str, mention: dict = None, **kw) -> dict:
    message = {"type": "text", "id": "1", "text": text, "quoteToken": "q", **({"mention": mention} if mention else {})}
    return event("message", user, token, message=message, **kw)


def postback_event(user: str, data: str, token: str, **kw) -> dict:
    return event("postback", user, token, postback={"data": data}, **kw)


def group_source(user: str, group: str) -> dict:
    return {"type": "group", "groupId": group, "userId": user}


def mention_of(name: str, text: str, is_self: bool = True) -> dict:
    """LINE's mention info for 「@name」 at the start of `text` (index and length in UTF-16 units)."""
    assert text.startswith("@" + name)
    return {"mentionees": [{"index": 0, "length": len(name) + 1, "type": "user", "userId": new_id("U"),
                            "isSelf": is_self}]}


def webhook_body(*events) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode()


def post(url: str, body: bytes, signature=None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["X-Line-Signature"] = signature
    return httpx.post(f"{url}/webhooks/line/webhook", content=body, headers=headers, timeout=10)


def send(url: str, *events) -> httpx.Response:
    body = webhook_body(*events)
    return post(url, body, sign(body))


def assert_within_line_limits(body: dict) -> None:
    messages = body["messages"]
    assert 1 <= len(messages) <= 5
    for index, message in enumerate(messages):
        assert message["type"] == "text" and 0 < len(message["text"]) <= 5000
        if index < len(messages) - 1:
            assert "quickReply" not in message
    items = messages[-1].get("quickReply", {}).get("items", [])
    assert len(items) <= 13
    for item in items:
        action = item["action"]
        assert 0 < len(action["label"]) <= 20
        assert action["type"] in ("postback", "message")
        for key in ("data", "displayText", "text"):
            assert len(action.get(key, "")) <= 300


def quick_replies(body: dict) -> list:
    return [i["action"] for i in body["messages"][-1].get("quickReply", {}).get("items", [])]


def reply_for(fake, token: str) -> dict:
    return fake.wait_for(lambda r: r["kind"] == "reply" and r["body"]["replyToken"] == token)["body"]


# ---- fixtures ----

@pytest.fixture(scope="module")
def fake_line():
    with running_fake_line(FAKE_LINE_PORT, TOKEN) as fake:
        yield fake


def line_env(rasa_stack, fake_line, database_url: str) -> dict:
    """Environment of a gateway with LINE configured against the fake."""
    return {"RASA_URL": rasa_stack["rasa"], "DATABASE_URL": database_url, "HELPDESK_PASSWORD": "test-password",
            "SECRET_KEY": "test-secret", "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_BASE": fake_line.url}


@pytest.fixture(scope="module")
def line_gateway(rasa_stack, fake_line, tmp_path_factory):
    """A gateway with LINE configured against the fake, and its store (read from the test)."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('line') / 'gateway.db'}"
    with gateway_server(LINE_GATEWAY_PORT, line_env(rasa_stack, fake_line, database_url)) as url:
        yield SimpleNamespace(url=url, store=Store(database_url))


def count(store: Store, model) -> int:
    with store.sessions() as session:
        return session.query(model).count()


# ---- the webhook ----

def test_text_is_acknowledged_at_once_and_answered_through_the_reply_api(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    fake_line.delay_s = 1.5          # a slow LINE API must not slow the webhook down
    try:
        started = time.monotonic()
        response = send(line_gateway.url, text_event(user, "カードをなくしました", token))
        elapsed = time.monotonic() - started
        assert response.status_code == 200 and elapsed < 1.0
        body = reply_for(fake_line, token)
    finally:
        fake_line.delay_s = 0.0
    assert FREE_DIAL in body["messages"][0]["text"] and "出典" in body["messages"][-1]["text"]
    assert_within_line_limits(body)
    actions = quick_replies(body)
    related = [a for a in actions if a["data"].startswith("/show_answer")]
    assert related and all(a["type"] == "postback" and a["displayText"] for a in related)
    helpful, not_helpful = actions[-2:]
    assert (helpful["label"], not_helpful["label"]) == ("役に立った", "役に立たなかった")
    message_id = int(helpful["data"].split(":")[1])
    assert (helpful["data"], not_helpful["data"]) == (f"feedback:{message_id}:1", f"feedback:{message_id}:0")
    logged = line_gateway.store.message(message_id)
    assert (logged.channel, logged.sender_id, logged.direction) == ("line", user, "bot")
    assert logged.answer_id.startswith("lost_card")


def test_forged_or_tampered_signature_is_rejected_and_nothing_happens(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    messages_before = count(line_gateway.store, Message)
    body = webhook_body(text_event(user, "カードをなくしました", token))
    forged = post(line_gateway.url, body, sign(body, "not-the-secret"))
    tampered = post(line_gateway.url, body.replace("なくしました".encode(), "忘れました".encode()), sign(body))
    assert forged.status_code == 400 and tampered.status_code == 400
    assert "署名" in forged.json()["detail"]
    after = new_id("rt")                  # a rightly signed event afterwards is answered; the rejected ones were not
    assert send(line_gateway.url, text_event(user, "暗証番号を忘れました", after)).status_code == 200
    reply_for(fake_line, after)
    assert fake_line.find(lambda r: r["body"].get("replyToken") == token) is None
    logged = line_gateway.store.conversation(user)
    assert [m.text for m in logged if m.direction == "user"] == ["暗証番号を忘れました"]
    assert count(line_gateway.store, Message) == messages_before + len(logged)


def test_missing_signature_is_400(line_gateway, fake_line):
    token = new_id("rt")
    response = post(line_gateway.url, webhook_body(text_event(new_id("U"), "カードをなくしました", token)))
    assert response.status_code == 400 and "X-Line-Signature" in response.json()["detail"]
    assert post(line_gateway.url, webhook_body(), "").status_code == 400


@pytest.mark.parametrize("body", [b'{"events": [', b"not json", b"[]", b'{"destination": "U"}', b"\xff\xfe"])
def test_signed_but_malformed_body_is_400(line_gateway, body):
    response = post(line_gateway.url, body, sign(body))
    assert response.status_code == 400 and "形式" in response.json()["detail"]


def test_verification_request_without_events_is_200(line_gateway):
    assert send(line_gateway.url).status_code == 200


def test_postback_with_a_show_answer_payload_gives_that_answer(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    assert send(line_gateway.url, postback_event(user, '/show_answer{"answer_id": "free_dial"}', token)).status_code == 200
    body = reply_for(fake_line, token)
    assert FREE_DIAL in body["messages"][0]["text"]
    assert_within_line_limits(body)
    answers = [m for m in line_gateway.store.conversation(user) if m.direction == "bot"]
    assert [m.answer_id for m in answers] == ["free_dial"]


def test_follow_gets_the_welcome_with_topic_quick_replies(line_gateway, fake_line):
    token = new_id("rt")
    assert send(line_gateway.url, event("follow", new_id("U"), token, follow={"isUnblocked": False})).status_code == 200
    body = reply_for(fake_line, token)
    text = body["messages"][0]["text"]
    assert "マイナサポートBot" in text and "公開資料" in text
    assert "暗証番号" in text and "送らないで" in text
    assert_within_line_limits(body)
    payloads = [a["data"] for a in quick_replies(body)]
    assert payloads == [f'/show_answer{{"answer_id": "{i}"}}' for i in
                        ["lost_card", "pin_forgot", "photo_exception", "proxy_pickup_documents",
                         "face_auth_card_about", "free_dial"]]


@pytest.mark.parametrize("answer_id", [
    "lost_card", "pin_forgot", "photo_exception",
    "proxy_pickup_documents", "face_auth_card_about", "free_dial",
])
def test_welcome_topic_buttons_are_answered(line_gateway, fake_line, answer_id):
    user, token = new_id("U"), new_id("rt")
    send(line_gateway.url, postback_event(user, f'/show_answer{{"answer_id": "{answer_id}"}}', token))
    body = reply_for(fake_line, token)
    assert_within_line_limits(body)
    assert [m.answer_id for m in line_gateway.store.conversation(user) if m.direction == "bot"] == [answer_id]


def test_personal_numbers_are_warned_about_and_never_sent_back(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    send(line_gateway.url, text_event(user, "利用者さんのマイナンバー 1234 5678 9018 のカードをなくしました", token))
    body = reply_for(fake_line, token)
    assert_within_line_limits(body)
    warning, answer = body["messages"][0]["text"], body["messages"][1]["text"]
    assert "ご注意" in warning and FREE_DIAL in answer
    assert "9018" not in json.dumps(body, ensure_ascii=False)
    assert all("9018" not in m.text for m in line_gateway.store.conversation(user))


def test_unfollow_gets_nothing(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    unfollow = event("unfollow", user)
    del unfollow["replyToken"]
    received_before = len(fake_line.received)
    assert send(line_gateway.url, unfollow, text_event(user, "暗証番号を忘れました", token)).status_code == 200
    reply_for(fake_line, token)      # the text after it is answered (events of one body in order): the unfollow sent nothing
    assert len(fake_line.received) == received_before + 1
    assert len(line_gateway.store.conversation(user)) == 2


@pytest.mark.parametrize("message", [
    {"type": "sticker", "id": "2", "packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC",
     "quoteToken": "q"},
    {"type": "image", "id": "3", "contentProvider": {"type": "line"}, "quoteToken": "q"},
    {"type": "location", "id": "4", "latitude": 35.6, "longitude": 139.7},
])
def test_non_text_messages_get_a_polite_reply(line_gateway, fake_line, message):
    user, token = new_id("U"), new_id("rt")
    assert send(line_gateway.url, event("message", user, token, message=message)).status_code == 200
    body = reply_for(fake_line, token)
    assert "文章" in body["messages"][0]["text"] and "申し訳ありません" in body["messages"][0]["text"]
    assert_within_line_limits(body)
    assert line_gateway.store.conversation(user) == []


def test_feedback_postback_is_stored_and_thanked(line_gateway, fake_line):
    user = new_id("U")
    first = new_id("rt")
    send(line_gateway.url, text_event(user, "暗証番号を忘れました", first))
    data = quick_replies(reply_for(fake_line, first))[-1]["data"]          # 「役に立たなかった」
    message_id = int(data.split(":")[1])
    feedback_before = count(line_gateway.store, Feedback)

    thanks = new_id("rt")
    send(line_gateway.url, postback_event(user, data, thanks))
    assert "ありがとうございます" in reply_for(fake_line, thanks)["messages"][0]["text"]
    with line_gateway.store.sessions() as session:
        rows = session.query(Feedback).filter_by(message_id=message_id).all()
    assert [(r.helpful, r.channel) for r in rows] == [(False, "line")]
    assert rows[0].answer_id and rows[0].answer_id.startswith("pin")

    stranger = new_id("rt")          # someone else cannot rate this user's answer
    send(line_gateway.url, postback_event(new_id("U"), f"feedback:{message_id}:1", stranger))
    assert "記録できませんでした" in reply_for(fake_line, stranger)["messages"][0]["text"]
    assert count(line_gateway.store, Feedback) == feedback_before + 1


def test_a_redelivered_event_is_acknowledged_but_answered_and_logged_once(rasa_stack, fake_line, tmp_path):
    """LINE may send an event again (same webhookEventId; deliveryContext.isRedelivery), even after a restart."""
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    env = line_env(rasa_stack, fake_line, database_url)
    user, token, later = new_id("U"), new_id("rt"), new_id("rt")
    first = text_event(user, "カードをなくしました", token)
    with gateway_server(RESTARTED_PORT, env) as url:
        assert send(url, first).status_code == 200
        reply_for(fake_line, token)
        assert send(url, first).status_code == 200                  # the same signed body again
    with gateway_server(RESTARTED_PORT, env) as url:                 # restarted: still remembered
        redelivered = {**first, "deliveryContext": {"isRedelivery": True}}
        assert send(url, redelivered).status_code == 200
        assert send(url, text_event(user, "暗証番号を忘れました", later)).status_code == 200
        reply_for(fake_line, later)                                  # a new event is still answered
    replies = [r for r in fake_line.received if r["kind"] == "reply" and r["body"]["replyToken"] == token]
    assert len(replies) == 1
    texts = [m.text for m in Store(database_url).conversation(user) if m.direction == "user"]
    assert texts == ["カードをなくしました", "暗証番号を忘れました"]


def test_handled_event_ids_are_forgotten_after_a_week(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    assert store.first_delivery("E1") and not store.first_delivery("E1")
    with store.sessions.begin() as session:
        session.get(LineEvent, "E1").created_at -= LINE_EVENT_KEEP + dt.timedelta(minutes=1)
    assert store.first_delivery("E2")                                # prunes E1 on the way
    assert count(store, LineEvent) == 1 and store.first_delivery("E1")


def test_unconfigured_line_is_503(gateway_env):
    with gateway_server(UNCONFIGURED_PORT, gateway_env) as url:
        body = webhook_body()
        response = post(url, body, sign(body))
    assert response.status_code == 503 and "LINE_CHANNEL_SECRET" in response.json()["detail"]


# ---- groups and rooms: answer only when addressed, one conversation per source ----

def test_group_messages_not_for_the_bot_are_not_read(line_gateway, fake_line):
    """A family group: the brother's question to the others, a photo, a mention of someone else."""
    user, group = new_id("U"), new_id("C")
    source = group_source(user, group)
    tokens = [new_id("rt") for _ in range(4)]
    events = [text_event(user, "来週の土曜日に実家行ける？", tokens[0], source=source),
              text_event(user, "マイナンバーカード、どこにしまったっけ", tokens[1], source=source),
              text_event(user, "@お兄ちゃん 暗証番号わかる？", tokens[2], source=source,
                         mention=mention_of("お兄ちゃん", "@お兄ちゃん 暗証番号わかる？", is_self=False)),
              event("message", user, tokens[3], source=source,
                    message={"type": "sticker", "id": "2", "packageId": "446", "stickerId": "1988",
                             "stickerResourceType": "STATIC", "quoteToken": "q"})]
    assert send(line_gateway.url, *events).status_code == 200
    answered = new_id("rt")            # a message after them is answered: they were handled, not queued
    send(line_gateway.url, text_event(user, "マイナサポートBot、暗証番号を忘れました", answered, source=source))
    reply_for(fake_line, answered)
    assert not fake_line.find(lambda r: r["body"].get("replyToken") in tokens or r["body"].get("to") == group)
    assert [m.text for m in line_gateway.store.conversation(group) if m.direction == "user"] == ["暗証番号を忘れました"]
    assert line_gateway.store.conversation(user) == []


@pytest.mark.parametrize("source_of", [
    lambda user: group_source(user, new_id("C")),
    lambda user: {"type": "room", "roomId": new_id("R"), "userId": user},
])
def test_a_mention_or_the_bot_name_is_answered_in_a_group_or_room(line_gateway, fake_line, source_of):
    user = new_id("U")
    source = source_of(user)
    conversation = source.get("groupId") or source.get("roomId")
    mentioned, named = new_id("rt"), new_id("rt")
    text = "@マイナサポートBot カードをなくしました"
    send(line_gateway.url, text_event(user, text, mentioned, source=source, mention=mention_of("マイナサポートBot", text)))
    assert FREE_DIAL in reply_for(fake_line, mentioned)["messages"][0]["text"]
    send(line_gateway.url, text_event(user, "マイナサポートさん、暗証番号を忘れた人はどうするの", named, source=source))
    assert "市区町村" in reply_for(fake_line, named)["messages"][0]["text"]
    logged = [m.text for m in line_gateway.store.conversation(conversation) if m.direction == "user"]
    assert logged == ["カードをなくしました", "暗証番号を忘れた人はどうするの"]      # the mention and name taken out
    assert line_gateway.store.conversation(user) == []


def test_join_greets_the_group_and_says_how_to_ask(line_gateway, fake_line):
    token = new_id("rt")
    send(line_gateway.url, event("join", token=token, source={"type": "group", "groupId": new_id("C")}))
    body = reply_for(fake_line, token)
    text = body["messages"][0]["text"]
    assert "友だち追加" not in text and "グループ" in text
    assert "@マイナサポートBot" in text and "「マイナサポート」" in text and "ふだんの会話には入りません" in text
    assert "暗証番号" in text and "送らないで" in text
    assert_within_line_limits(body)
    assert all(a["type"] == "postback" for a in quick_replies(body))


def test_each_source_is_its_own_conversation(line_gateway, fake_line):
    """A check started in the group is not paused in her 1:1 chat; a group message is not put on her 1:1 ticket."""
    user, group = new_id("U"), new_id("C")
    source = group_source(user, group)
    started = new_id("rt")
    send(line_gateway.url, postback_event(user, '/start_guide{"guide": "lost"}', started, source=source))
    question = reply_for(fake_line, started)
    assert "紛失チェック" in question["messages"][0]["text"]
    tap = next(a for a in quick_replies(question))        # a tap in the group reaches the bot: a postback
    assert tap["type"] == "postback"
    tapped = new_id("rt")
    send(line_gateway.url, postback_event(user, tap["data"], tapped, source=source))
    assert "？" in reply_for(fake_line, tapped)["messages"][-1]["text"]            # the check goes on

    resume = new_id("rt")                                  # her 1:1 chat knows nothing of the group's check
    send(line_gateway.url, postback_event(user, "/resume_guide", resume))
    assert "途中のチェックはありません" in reply_for(fake_line, resume)["messages"][0]["text"]

    handoff, in_group, question_1to1 = new_id("rt"), new_id("rt"), new_id("rt")
    send(line_gateway.url, text_event(user, "人と話したい", handoff))
    assert "担当者に伝えるご質問" in reply_for(fake_line, handoff)["messages"][-1]["text"]
    send(line_gateway.url, text_event(user, "マイナサポート、代理交付の必要書類は？", in_group, source=source))
    assert "ご質問を担当者に伝えました" not in reply_for(fake_line, in_group)["messages"][0]["text"]
    send(line_gateway.url, text_event(user, "施設の母の暗証番号を代わりに再設定できますか", question_1to1))
    assert "ご質問を担当者に伝えました" in reply_for(fake_line, question_1to1)["messages"][0]["text"]
    ticket, = [t for t in line_gateway.store.tickets() if t.sender_id in (user, group)]
    assert ticket.sender_id == user and "施設の母の暗証番号" in ticket.question and "代理交付" not in ticket.question


# ---- readable bubbles ----

def test_an_answer_comes_first_and_its_sources_are_short(line_gateway, fake_line):
    user, token = new_id("U"), new_id("rt")
    send(line_gateway.url, text_event(user, "暗証番号を忘れました", token))
    texts = [m["text"] for m in reply_for(fake_line, token)["messages"]]
    assert texts[0].startswith("暗証番号を忘れたとき")
    sources = texts[-1][texts[-1].index("出典："):]
    assert sources == "出典：取得・管理マニュアルVer.2（2023年12月） 第8 p.28～、第2 p.6、第3 p.10"
    assert all(len(t) <= BUBBLE_CHARS + 1 + len(sources) for t in texts)   # a full bubble, a line break, the 出典
    full = next(m for m in line_gateway.store.conversation(user) if m.answer_id)   # the log keeps the full 出典
    assert "＜暗証番号を忘れた場合＞" in full.text


def test_a_long_guide_result_comes_in_a_few_readable_bubbles(line_gateway, fake_line):
    user = new_id("U")
    for text in ["12月15日の出張申請の段取りを組みたい", "いない"]:
        token = new_id("rt")
        send(line_gateway.url, text_event(user, text, token))
        reply_for(fake_line, token)
    token = new_id("rt")
    send(line_gateway.url, postback_event(user, "いない", token))
    body = reply_for(fake_line, token)
    assert_within_line_limits(body)
    texts = [m["text"] for m in body["messages"]]
    assert texts[0].startswith("（1/3）段取り")   # the plan in parts (issue 14): the first, then 「続き」
    labels = [item["action"]["label"] for item in body["messages"][-1]["quickReply"]["items"]]
    assert labels[0].startswith("続き：打合せから前日まで")
    for text in texts:
        body_text, _, sources = text.partition("出典：")
        assert len(body_text) <= 2 * BUBBLE_CHARS and len(sources) <= 120, text
        assert "＜" not in sources and "施設等における" not in sources


def test_split_bubbles_keep_every_line_in_order():
    text = "\n".join(f"{i}行目：" + "あ" * 60 for i in range(20)) + "\n出典：取得・管理マニュアルVer.2（2023年12月） 第8 ＜紛失＞ p.28"
    chunks = bubbles(*split_sources(text), 400)
    assert len(chunks) == 4 and all(len(c) <= 400 + 40 for c in chunks)
    assert "\n".join(chunks).replace("＜紛失＞ ", "") == text.replace("＜紛失＞ ", "")
    assert chunks[-1].endswith("出典：取得・管理マニュアルVer.2（2023年12月） 第8 p.28")


# ---- a sticker during a check, taps, an expired reply token ----

def test_a_sticker_during_a_check_asks_the_question_again_with_its_buttons(line_gateway, fake_line):
    user, started, sticker = new_id("U"), new_id("rt"), new_id("rt")
    send(line_gateway.url, postback_event(user, '/start_guide{"guide": "lost"}', started))
    question = reply_for(fake_line, started)
    send(line_gateway.url, event("message", user, sticker, message={
        "type": "sticker", "id": "2", "packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC",
        "quoteToken": "q"}))
    again = reply_for(fake_line, sticker)
    texts = [m["text"] for m in again["messages"]]
    assert "スタンプ" in texts[0] and texts[-1] == question["messages"][-1]["text"]
    assert quick_replies(again) == quick_replies(question)


def test_quick_taps_are_not_rate_limited(line_gateway, fake_line):
    user = new_id("U")
    tokens = [new_id("rt") for _ in range(25)]     # more than RATE_PER_SENDER (20) a minute
    for token in tokens:
        send(line_gateway.url, postback_event(user, '/show_answer{"answer_id": "free_dial"}', token))
    for token in tokens:
        assert FREE_DIAL in reply_for(fake_line, token)["messages"][0]["text"]


def test_an_expired_reply_token_falls_back_to_a_push_with_a_retry_key(line_gateway, fake_line):
    """LINE redelivers an event late (isRedelivery): its reply token is refused, the answer is pushed once."""
    user, token = new_id("U"), new_id("rt")
    fake_line.expired_tokens.add(token)
    late = {**text_event(user, "カードをなくしました", token), "deliveryContext": {"isRedelivery": True}}
    assert send(line_gateway.url, late).status_code == 200
    push = fake_line.wait_for(lambda r: r["kind"] == "push" and r["body"]["to"] == user)
    assert FREE_DIAL in push["body"]["messages"][0]["text"]
    assert push["retry_key"] == str(uuid.uuid5(RETRY_NAMESPACE, late["webhookEventId"]))
    assert fake_line.find(lambda r: r["kind"] == "reply" and r["body"]["replyToken"] == token) is None
    after = new_id("rt")                           # the same event again (handled already), then a new one
    assert send(line_gateway.url, late, text_event(user, "暗証番号を忘れました", after)).status_code == 200
    reply_for(fake_line, after)                    # the events of one body are handled in order
    assert len([r for r in fake_line.received if r["kind"] == "push" and r["body"]["to"] == user]) == 1


# ---- push_text (the delivery of staff answers) ----

def line_settings(token: str = TOKEN, base: str = None) -> Settings:
    return Settings(line_channel_secret=SECRET, line_channel_access_token=token,
                    line_api_base=base or f"http://127.0.0.1:{FAKE_LINE_PORT}")


def push_text(settings: Settings, to: str, text: str) -> bool:
    """LineApi.push_text with a client opened and closed around it, as the gateway's lifespan does."""
    async def push() -> bool:
        async with LineApi(settings) as api:
            return await api.push_text(to, text)
    return asyncio.run(push())


def test_push_text_reaches_the_fake(fake_line):
    user = new_id("U")
    assert push_text(line_settings(), user, "スタッフからの回答です。\n市区町村の窓口にご相談ください。")
    push = fake_line.wait_for(lambda r: r["kind"] == "push" and r["body"]["to"] == user)
    assert push["body"]["messages"] == [{"type": "text", "text": "スタッフからの回答です。\n市区町村の窓口にご相談ください。"}]
    assert push["retry_key"]


def test_long_push_is_split_within_limits(fake_line):
    user = new_id("U")
    assert push_text(line_settings(), user, "あ" * 12000)
    body = fake_line.wait_for(lambda r: r["kind"] == "push" and r["body"]["to"] == user)["body"]
    assert [len(m["text"]) for m in body["messages"]] == [5000, 5000, 2000]


def test_push_text_failures_return_false(fake_line):
    assert push_text(line_settings(token="wrong-token"), new_id("U"), "こんにちは") is False
    assert fake_line.rejected
    assert push_text(line_settings(base="http://127.0.0.1:9"), new_id("U"), "こんにちは") is False
    assert push_text(line_settings(token=""), new_id("U"), "こんにちは") is False


# ---- message format (in process) ----

def test_quick_replies_are_cut_to_line_limits():
    buttons = [{"title": f"とても長い関連する質問のタイトル番号{i}です🙂🙂", "payload": f'/show_answer{{"answer_id": "a{i}"}}'}
               for i in range(20)]
    buttons += [{"title": "長すぎるペイロード", "payload": "/x" + "あ" * 400}, {"title": "メニュー", "payload": "メニュー"}]
    reply = ChatReply(messages=[BotMessage(text="回答", buttons=buttons, answer_id="lost_card", message_id=7)])
    body = {"messages": [m.to_dict() for m in reply_messages(reply)]}
    assert_within_line_limits(body)
    actions = quick_replies(body)
    assert len(actions) == 13 and actions[0]["label"].endswith("…")
    assert [a["data"] for a in actions[-2:]] == ["feedback:7:1", "feedback:7:0"]
    assert all(len(a["data"]) <= 300 for a in actions)


def test_each_bot_message_is_its_own_bubble_with_quick_replies_on_the_last():
    reply = ChatReply(messages=[BotMessage(text="ご注意：…", message_id=1),
                                BotMessage(text="回答", buttons=[{"title": "関連", "payload": "/show_answer{}"}],
                                           answer_id="lost_card", message_id=2)])
    body = {"messages": [m.to_dict() for m in reply_messages(reply)]}
    assert [m["text"] for m in body["messages"]] == ["ご注意：…", "回答"]
    assert_within_line_limits(body)
    assert [a["data"] for a in quick_replies(body)] == ["/show_answer{}", "feedback:2:1", "feedback:2:0"]


def test_plain_text_payload_is_a_postback_too_and_fallbacks_get_no_feedback():
    """Every button is a postback (a tap in a group must reach the bot); the title shows as the user's message."""
    reply = ChatReply(messages=[BotMessage(text="もしかして", buttons=[{"title": "メニュー", "payload": "メニュー"}],
                                           message_id=3)], fallback=True)
    actions = quick_replies({"messages": [m.to_dict() for m in reply_messages(reply)]})
    assert actions == [{"type": "postback", "label": "メニュー", "data": "メニュー", "displayText": "メニュー"}]


def test_long_text_is_split_into_at_most_five_messages():
    messages = [m.to_dict() for m in text_messages("い" * 26000)]
    assert len(messages) == 5 and all(len(m["text"]) <= 5000 for m in messages)
    assert messages[-1]["text"].endswith("…")
    emoji = [m.to_dict()["text"] for m in text_messages("😀" * 2600)]
    assert [len(t) for t in emoji] == [2500, 100]          # never split inside a surrogate pair


def test_links_to_our_pages_become_full_urls():
    from bot.gateway.core import BotMessage, ChatReply

    reply = ChatReply(messages=[BotMessage(text="FAXで問い合わせできます。", answer_id="fax_inquiry", message_id=1,
                                           links=[{"title": "FAX用紙を作る", "path": "/fax"}])])
    texts = [m.text for m in reply_messages(reply, "https://bot.example.jp")]
    assert texts[0].endswith("FAX用紙を作る：https://bot.example.jp/fax")
