"""LINE channel: signed webhook → conversation core → Reply API; `push_text` for staff answers.

The webhook checks `X-Line-Signature` with the official SDK, answers 200 at once and handles the
events in a background task; each event's `webhookEventId` is recorded first (in the store), so an
event that LINE redelivers or sends twice is acknowledged but not answered or logged again. Answers
become LINE text messages; their buttons become quick replies, followed by 「役に立った」「役に立たなかった」
(postback `feedback:<message_id>:1|0`).
"""
from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import List, Optional

import aiohttp
from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiException, AsyncApiClient, AsyncMessagingApi, Configuration, MessageAction, PostbackAction,
    PushMessageRequest, QuickReply, QuickReplyItem, ReplyMessageRequest, TextMessage,
)
from linebot.v3.webhooks import FollowEvent, JoinEvent, MessageEvent, PostbackEvent, TextMessageContent

from bot.answers import show_answer_payload
from bot.gateway.core import ChatReply
from bot.gateway.settings import Settings
from bot.knowledge import load_knowledge

log = logging.getLogger(__name__)
router = APIRouter(tags=["line"])

MAX_TEXT = 5000          # characters of one text message
MAX_MESSAGES = 5         # messages of one reply or push
MAX_QUICK_REPLIES = 13   # quick-reply items of one message
MAX_LABEL = 20           # characters of a quick-reply label
MAX_ACTION_TEXT = 300    # postback data, displayText, message-action text
API_TIMEOUT = aiohttp.ClientTimeout(total=10)

WELCOME_TOPICS = ["lost_card", "pin_forgot", "photo_exception", "proxy_pickup_documents",
                  "face_auth_card_about", "free_dial"]
WELCOME_TEXT = (
    "友だち追加ありがとうございます。マイナサポートBotです。\n"
    "福祉施設・病院の職員、支援団体の方、ご家族など、マイナンバーカードの取得や管理をお手伝いする方の"
    "質問に、国などの公開資料（マニュアル・案内）をもとにお答えします。回答には出典を付けています。\n"
    "知りたいことを文章で送ってください（例：「利用者さんのカードをなくした」「暗証番号を忘れた人は？」）。\n"
    "※マイナンバー（12桁の番号）や暗証番号は、絶対に送らないでください。\n"
    "よくある質問は下のボタンからも選べます。"
)
NON_TEXT_TEXT = ("申し訳ありません。画像・スタンプ・音声・位置情報などにはお答えできません。"
                 "ご質問は文章（テキスト）で送ってください。")
THANKS_TEXT = "ご意見ありがとうございます。今後の回答の改善に役立てます。"
FEEDBACK_MISSING_TEXT = "申し訳ありません。その回答が見つからず、ご意見を記録できませんでした。"
RATE_LIMITED_TEXT = "短い時間にたくさんのメッセージが送られました。少し待ってからもう一度お試しください。"
HELPFUL_LABEL, NOT_HELPFUL_LABEL = "役に立った", "役に立たなかった"
FEEDBACK_DATA = re.compile(r"feedback:(\d+):([01])")


# ---- text limits (counted in UTF-16 units, so that no limit is exceeded however LINE counts) ----

def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def utf16_len(text: str) -> int:
    return sum(_units(ch) for ch in text)


def split_text(text: str, limit: int = MAX_TEXT) -> List[str]:
    """Chunks of at most `limit` units, never splitting a character."""
    chunks, current, used = [], [], 0
    for ch in text:
        if used + _units(ch) > limit:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += _units(ch)
    if current:
        chunks.append("".join(current))
    return chunks


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` units with a trailing 「…」 when it was longer."""
    return text if utf16_len(text) <= limit else split_text(text, limit - 1)[0] + "…"


# ---- building LINE messages ----

def quick_reply_item(title: str, payload: str) -> Optional[QuickReplyItem]:
    """A postback for `/intent{...}` payloads, a message action for plain text; None if it cannot fit."""
    title, payload = (title or "").strip(), (payload or "").strip()
    label = truncate(title or payload, MAX_LABEL)
    if not label or not payload or utf16_len(payload) > MAX_ACTION_TEXT:
        return None
    if payload.startswith("/") or payload.startswith("feedback:"):
        action = PostbackAction(label=label, data=payload, display_text=truncate(title or label, MAX_ACTION_TEXT))
    else:
        action = MessageAction(label=label, text=payload)
    return QuickReplyItem(action=action)


def feedback_items(message_id: int) -> List[QuickReplyItem]:
    return [quick_reply_item(HELPFUL_LABEL, f"feedback:{message_id}:1"),
            quick_reply_item(NOT_HELPFUL_LABEL, f"feedback:{message_id}:0")]


def text_messages(texts, items: List[QuickReplyItem] = ()) -> List[TextMessage]:
    """One text (or a list of texts, one bubble each) as at most five LINE text messages.

    Over-long texts are split at 5000 characters, the fifth message takes the rest (cut with 「…」);
    the quick replies go on the last message.
    """
    texts = [texts] if isinstance(texts, str) else list(texts)
    chunks = [chunk for text in texts for chunk in split_text(text.strip())] or ["…"]
    if len(chunks) > MAX_MESSAGES:
        chunks = chunks[:MAX_MESSAGES - 1] + [truncate("\n".join(chunks[MAX_MESSAGES - 1:]), MAX_TEXT)]
    items = [i for i in items if i is not None][:MAX_QUICK_REPLIES]
    messages = [TextMessage(text=chunk) for chunk in chunks]
    if items:
        messages[-1].quick_reply = QuickReply(items=items)
    return messages


def with_links(message, base_url: str) -> str:
    """The message text with its links to our pages (e.g. the FAX form) as full URLs."""
    lines = [message.text] + [f"{link.get('title', '')}：{base_url}{link.get('path', '')}"
                              for link in message.links if str(link.get("path", "")).startswith("/")]
    return "\n".join(lines)


def reply_messages(reply: ChatReply, base_url: str = "") -> List[TextMessage]:
    """A ChatReply as LINE messages: its texts, then buttons (+ 👍/👎 after an answer) as quick replies."""
    buttons, seen = [], set()
    for message in reply.messages:
        for button in message.buttons:
            item = quick_reply_item(button.get("title", ""), button.get("payload", ""))
            if item is not None and button.get("payload") not in seen:
                seen.add(button.get("payload"))
                buttons.append(item)
    answers = [m for m in reply.messages if m.answer_id and m.message_id]
    feedback = feedback_items(answers[-1].message_id) if answers else []
    texts = [with_links(m, base_url) for m in reply.messages]
    return text_messages(texts, buttons[:MAX_QUICK_REPLIES - len(feedback)] + feedback)


def topic_items() -> List[QuickReplyItem]:
    kb = load_knowledge()
    return [quick_reply_item(kb.by_id[i].title, show_answer_payload(i)) for i in WELCOME_TOPICS if i in kb.by_id]


def welcome_messages() -> List[TextMessage]:
    return text_messages(WELCOME_TEXT, topic_items())


# ---- the Messaging API ----

def configured(settings: Settings) -> bool:
    return bool(settings.line_channel_secret and settings.line_channel_access_token)


async def _call(settings: Settings, call) -> None:
    """Run `call(AsyncMessagingApi)` against settings.line_api_base with the channel token."""
    config = Configuration(host=settings.line_api_base, access_token=settings.line_channel_access_token)
    async with AsyncApiClient(config) as client:
        await call(AsyncMessagingApi(client))


async def send_reply(settings: Settings, reply_token: str, messages: List[TextMessage]) -> bool:
    request = ReplyMessageRequest(reply_token=reply_token, messages=messages[:MAX_MESSAGES])
    try:
        await _call(settings, lambda api: api.reply_message(request, _request_timeout=API_TIMEOUT))
        return True
    except (ApiException, aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("LINE reply failed: %s", error)
        return False


async def push_text(app: FastAPI, user_id: str, text: str) -> bool:
    """Send `text` to a LINE user with the Push API (staff answers); True when LINE accepted it."""
    settings = app.state.settings
    if not configured(settings) or not user_id or not text.strip():
        log.warning("LINE push skipped: LINE not configured, or no user or text")
        return False
    request = PushMessageRequest(to=user_id, messages=text_messages(text))
    retry_key = str(uuid.uuid4())   # lets LINE drop a duplicate if this request is ever retried
    try:
        await _call(settings, lambda api: api.push_message(request, x_line_retry_key=retry_key,
                                                           _request_timeout=API_TIMEOUT))
        return True
    except (ApiException, aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("LINE push failed: %s", error)
        return False


# ---- events ----

def sender_of(event) -> Optional[str]:
    """The user id; in a group or room without one, the group or room id."""
    source = getattr(event, "source", None)
    return (getattr(source, "user_id", None) or getattr(source, "group_id", None)
            or getattr(source, "room_id", None))


async def answer(app: FastAPI, sender: str, text: str) -> List[TextMessage]:
    text, limit = text.strip(), app.state.settings.max_text_chars
    if not text:
        return []
    if len(text) > limit:
        return text_messages(f"メッセージが長すぎます（{limit}文字まで）。短くしてもう一度送ってください。")
    limiter = getattr(app.state, "sender_limiter", None)     # per-user limit, set by guard.install
    if limiter is not None and not limiter.allow(f"line:{sender}"):
        return text_messages(RATE_LIMITED_TEXT)
    reply = await app.state.core.ask("line", sender, text)
    return reply_messages(reply, app.state.settings.public_base_url)


def record_feedback(app: FastAPI, sender: str, data: str) -> List[TextMessage]:
    """Store 👍/👎 for one of this user's LINE answers and thank them."""
    store, match = app.state.store, FEEDBACK_DATA.fullmatch(data)
    message = store.message(int(match.group(1))) if match else None
    if message is None or message.channel != "line" or message.sender_id != sender:
        return text_messages(FEEDBACK_MISSING_TEXT)
    store.add_feedback(message.id, match.group(2) == "1", "line", sender)
    return text_messages(THANKS_TEXT)


async def handle_event(app: FastAPI, event) -> None:
    """Answer one webhook event through the Reply API (unfollow and others: nothing)."""
    sender, token = sender_of(event), getattr(event, "reply_token", None)
    messages: List[TextMessage] = []
    if isinstance(event, (FollowEvent, JoinEvent)):
        messages = welcome_messages()
    elif isinstance(event, MessageEvent) and sender:
        if isinstance(event.message, TextMessageContent):
            messages = await answer(app, sender, event.message.text)
        else:
            messages = text_messages(NON_TEXT_TEXT, topic_items())
    elif isinstance(event, PostbackEvent) and sender:
        data = event.postback.data or ""
        if data.startswith("feedback:"):
            messages = record_feedback(app, sender, data)
        else:
            messages = await answer(app, sender, data)
    if token and messages:
        await send_reply(app.state.settings, token, messages)


def new_events(app: FastAPI, events: list) -> list:
    """The events not handled before; a redelivered or duplicated event (same webhookEventId) is skipped."""
    fresh = []
    for event in events:
        event_id = getattr(event, "webhook_event_id", None)
        if event_id and not app.state.store.first_delivery(event_id):
            redelivery = getattr(getattr(event, "delivery_context", None), "is_redelivery", None)
            log.info("LINE event %s already handled, skipped (redelivery: %s)", event_id, redelivery)
            continue
        fresh.append(event)
    return fresh


async def handle_events(app: FastAPI, events: list) -> None:
    for event in events:
        try:
            await handle_event(app, event)
        except Exception:   # one bad event must not stop the others
            log.exception("LINE event failed: %s", getattr(event, "type", "?"))


@router.post("/webhooks/line/webhook")
async def webhook(request: Request, background: BackgroundTasks) -> dict:
    """Verify the signature, acknowledge at once, handle the events in the background."""
    settings = request.app.state.settings
    if not configured(settings):
        raise HTTPException(503, detail="LINE連携が設定されていません（LINE_CHANNEL_SECRET と "
                                        "LINE_CHANNEL_ACCESS_TOKEN を設定してください）。")
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        raise HTTPException(400, detail="署名（X-Line-Signature）がありません。")
    try:
        body = (await request.body()).decode("utf-8")
        events = WebhookParser(settings.line_channel_secret).parse(body, signature)
    except InvalidSignatureError:
        raise HTTPException(400, detail="署名が正しくありません。")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):   # bad UTF-8 or JSON, no events list
        raise HTTPException(400, detail="本文の形式が正しくありません。")
    background.add_task(handle_events, request.app, new_events(request.app, events))
    return {}


def install(app: FastAPI, settings: Settings) -> None:
    """Add the LINE webhook (it answers 503 while LINE is not configured)."""
    app.include_router(router)
