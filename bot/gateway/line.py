"""LINE channel: signed webhook → conversation core → Reply API; `LineDelivery` pushes staff answers.

The webhook checks `X-Line-Signature` with the official SDK, answers 200 at once and handles the
events in a background task; each event's `webhookEventId` is recorded first (in the store), so an
event that LINE redelivers or sends twice is acknowledged but not answered or logged again. When
the reply token of an event has expired (LINE redelivered it late), the answer is pushed instead,
with an `X-Line-Retry-Key` made from the event id.

One conversation per source, as LINE intends: a user's 1:1 chat, a group, a room. In a group or
room the bot answers only messages addressed to it — a mention of the bot, or its name
「マイナサポート」 in the text — and taps on its buttons; everything else is not read, stored or
answered.

Answers become LINE text messages of a readable size (`BUBBLE_CHARS`, split between lines, the
answer first and its 出典 shortened at the end); their buttons become quick replies (postbacks, so
that a tap in a group reaches the bot), followed by 「役に立った」「役に立たなかった」
(postback `feedback:<message_id>:1|0`).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
import uuid
from typing import List, Optional, Sequence, Tuple

import aiohttp
from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Request
from linebot.v3 import WebhookParser
from starlette.concurrency import run_in_threadpool
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiException, AsyncApiClient, AsyncMessagingApi, Configuration, PostbackAction, PushMessageRequest,
    QuickReply, QuickReplyItem, ReplyMessageRequest, TextMessage,
)
from linebot.v3.webhooks import FollowEvent, JoinEvent, MessageEvent, PostbackEvent, TextMessageContent

from bot.shared.answers import show_answer_payload
from bot.gateway.core import BotMessage, ChatReply, Refused
from bot.gateway.delivery import STAFF_PREFIX, Conversation, Outcome
from bot.gateway.settings import Settings
from bot.shared.knowledge import load_knowledge

log = logging.getLogger(__name__)
router = APIRouter(tags=["line"])

MAX_TEXT = 5000          # characters of one text message
MAX_MESSAGES = 5         # messages of one reply or push
MAX_QUICK_REPLIES = 13   # quick-reply items of one message
MAX_LABEL = 20           # characters of a quick-reply label
MAX_ACTION_TEXT = 300    # postback data, displayText
BUBBLE_CHARS = 400       # about one phone screen in a LINE bubble: longer answers are split between lines
API_TIMEOUT = aiohttp.ClientTimeout(total=10)
BOT_NAME = "マイナサポート"   # naming the bot (「マイナサポートBot、…」) addresses it in a group or room
RETRY_NAMESPACE = uuid.UUID("6f1c1e0e-5a8e-4d59-9a7e-2f4f3b1c9d11")   # push retry keys from event ids

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
GROUP_WELCOME_TEXT = (
    "グループに招待していただき、ありがとうございます。マイナサポートBotです。\n"
    "マイナンバーカードの取得や管理について、国などの公開資料（マニュアル・案内）をもとに、出典を付けてお答えします。\n"
    "このグループでは、わたしあてのメッセージにだけお答えします。メンション（@マイナサポートBot）を付けるか、"
    "「マイナサポート」と書いてから質問してください（例：「マイナサポート、代理で受け取るときの書類は？」）。"
    "わたしが出したボタンは、そのまま押せます。ふだんの会話には入りません。\n"
    "※マイナンバー（12桁の番号）や暗証番号は、このグループにも送らないでください。"
)
NON_TEXT_TEXT = ("申し訳ありません。画像・スタンプ・音声・位置情報などにはお答えできません。"
                 "ご質問は文章（テキスト）で送ってください。")
NON_TEXT_IN_QUESTION = ("申し訳ありません。画像・スタンプなどにはお答えできません。"
                        "次の質問に、下のボタンか文章で答えてください。")
THANKS_TEXT = "ご意見ありがとうございます。今後の回答の改善に役立てます。"
FEEDBACK_MISSING_TEXT = "申し訳ありません。その回答が見つからず、ご意見を記録できませんでした。"
HELPFUL_LABEL, NOT_HELPFUL_LABEL = "役に立った", "役に立たなかった"
FEEDBACK_DATA = re.compile(r"feedback:(\d+):([01])")


# ---- text limits (counted in UTF-16 units, so that no limit is exceeded however LINE counts) ----

def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def utf16_len(text: str) -> int:
    return sum(_units(ch) for ch in text)


def split_text(text: str, limit: int = MAX_TEXT) -> List[str]:
    """Chunks of at most `limit` units, never splitting a character."""
    chunks: List[str] = []
    current: List[str] = []
    used = 0
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
    """A postback showing the title as the user's message; None if it cannot fit.

    Postbacks, not message actions: a tap then reaches the bot in a group as well (a tapped text
    would be an ordinary group message, not addressed to the bot) and is known to be a tap.
    """
    title, payload = (title or "").strip(), (payload or "").strip()
    label = truncate(title or payload, MAX_LABEL)
    if not label or not payload or utf16_len(payload) > MAX_ACTION_TEXT:
        return None
    action = PostbackAction(label=label, data=payload, display_text=truncate(title or label, MAX_ACTION_TEXT))
    return QuickReplyItem(action=action)


def feedback_items(message_id: int) -> List[QuickReplyItem]:
    return [quick_reply_item(HELPFUL_LABEL, f"feedback:{message_id}:1"),
            quick_reply_item(NOT_HELPFUL_LABEL, f"feedback:{message_id}:0")]


def text_messages(texts, items: Sequence[QuickReplyItem] = ()) -> List[TextMessage]:
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


# ---- readable bubbles: the answer first, its 出典 shortened, long texts split between lines ----

@functools.lru_cache(maxsize=1)
def document_names() -> Tuple[str, ...]:
    """The documents' short names as they start a 出典 part (longest first)."""
    return tuple(sorted((d.short for d in load_knowledge().documents.values()), key=len, reverse=True))


def short_sources(citation: str) -> str:
    """「A 第8 ＜…＞ p.28／A 第2 2. … p.6」 → 「A 第8 p.28、第2 p.6」: per document, section numbers and pages."""
    by_document: dict = {}
    names = "|".join(re.escape(n) for n in document_names())
    parts = re.split(f"／(?=(?:{names}) )", citation) if names else [citation]   # 「利用できる／できない」 stays whole
    for part in parts:
        name = next((n for n in document_names() if part.startswith(n + " ")), None)
        if name is None:
            by_document.setdefault(part, [])
            continue
        rest = part[len(name) + 1:]
        page = re.search(r" (p\.\d+(?:[–-]\d+|～)?)$", rest)   # p.10, p.15–21, p.28～
        number = re.split(r"[ ＜]", rest[:page.start()] if page else rest)[0]
        ref = " ".join(x for x in (number, page.group(1) if page else "") if x)
        refs = by_document.setdefault(name, [])
        if ref and ref not in refs:
            refs.append(ref)
    return "／".join(f"{name} {'、'.join(refs)}" if refs else name for name, refs in by_document.items())


def split_sources(text: str) -> Tuple[str, str]:
    """(the answer, its 出典 block shortened) — the block starts at the line 「出典：…」."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("出典：")), len(lines))
    block = []
    for line in lines[start:]:
        mark = re.match(r"(出典：|［\d+］)", line)
        block.append(mark.group(1) + short_sources(line[mark.end():]) if mark and line[mark.end():] else line)
    return "\n".join(lines[:start]).strip(), "\n".join(block)


def pieces(text: str, limit: int) -> List[str]:
    """`text` as pieces of at most `limit` characters: 【sections】, else lines, else sentences."""
    sections: List[List[str]] = []
    out: List[str] = []
    for line in text.split("\n"):
        if line.startswith("【") or not sections:
            sections.append([])
        sections[-1].append(line)
    for section in sections:
        joined = "\n".join(section)
        if len(joined) <= limit:
            out.append(joined)
            continue
        for line in section:
            sentences = re.findall(r"[^。]+。?", line) if len(line) > limit else [line]
            out += [chunk for sentence in sentences for chunk in split_text(sentence, limit)]
    return out


def bubbles(body: str, sources: str, limit: int) -> List[str]:
    """One message as bubbles of about `limit` characters, packed in order; its 出典 at the end."""
    chunks: List[str] = []
    for piece in pieces(body, limit):
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] += "\n" + piece
        else:
            chunks.append(piece)
    if sources:
        chunks = chunks or [""]
        chunks[-1] = (chunks[-1] + "\n" + sources).strip()
    return chunks


def message_parts(message: BotMessage, base_url: str) -> Tuple[str, str]:
    """(the text with its links to our pages, e.g. the FAX form, as full URLs; its 出典 shortened). The 出典
    is the message's citation (an answer's line, a guided check's numbered list; bot/shared/message.py)."""
    body = message.text.strip()
    sources = split_sources(message.citation)[1] if message.citation else ""
    links = [f"{link.get('title', '')}：{base_url}{link.get('path', '')}"
             for link in message.links if str(link.get("path", "")).startswith("/")]
    return "\n".join(part for part in [body, *links] if part), sources


def reply_texts(parts: List[Tuple[str, str]]) -> List[str]:
    """The bubbles of a reply: readable sizes, larger only when five messages could not hold them."""
    for limit in (BUBBLE_CHARS, 2 * BUBBLE_CHARS, 4 * BUBBLE_CHARS):
        chunks = [chunk for body, sources in parts for chunk in bubbles(body, sources, limit)]
        if len(chunks) <= MAX_MESSAGES:
            break
    return chunks


def button_items(buttons: List[dict]) -> List[QuickReplyItem]:
    items, seen = [], set()
    for button in buttons:
        item = quick_reply_item(button.get("title", ""), button.get("payload", ""))
        if item is not None and button.get("payload") not in seen:
            seen.add(button.get("payload"))
            items.append(item)
    return items


def reply_messages(reply: ChatReply, base_url: str = "") -> List[TextMessage]:
    """A ChatReply as LINE messages: its texts, then buttons (+ 👍/👎 after an answer) as quick replies."""
    buttons = button_items([button for message in reply.messages for button in message.buttons])
    answers = [m.message_id for m in reply.messages if m.answer_id and m.message_id]
    feedback = feedback_items(answers[-1]) if answers else []
    texts = reply_texts([message_parts(m, base_url) for m in reply.messages])
    return text_messages(texts, buttons[:MAX_QUICK_REPLIES - len(feedback)] + feedback)


def topic_items() -> List[QuickReplyItem]:
    kb = load_knowledge()
    return [quick_reply_item(kb.by_id[i].title, show_answer_payload(i)) for i in WELCOME_TOPICS if i in kb.by_id]


def welcome_messages(group: bool = False) -> List[TextMessage]:
    return text_messages(GROUP_WELCOME_TEXT if group else WELCOME_TEXT, topic_items())


# ---- the Messaging API ----

def configured(settings: Settings) -> bool:
    return bool(settings.line_channel_secret and settings.line_channel_access_token)


class LineApi:
    """The Messaging API with the channel token, through LINE's SDK and one HTTP client: opened when the
    gateway starts (`open`, in its event loop), closed when it stops."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client: Optional[AsyncApiClient] = None

    async def open(self) -> "LineApi":
        if self._client is None and configured(self.settings):
            config = Configuration(host=self.settings.line_api_base,
                                   access_token=self.settings.line_channel_access_token)
            self._client = AsyncApiClient(config)
        return self

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def __aenter__(self) -> "LineApi":
        return await self.open()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _call(self, call) -> int:
        """Run `call(AsyncMessagingApi)`; the HTTP status (200 when LINE accepted it, 0 when it could not
        be reached or the client is not open)."""
        if self._client is None:
            log.warning("LINE API not available: LINE not configured, or the gateway not started")
            return 0
        try:
            await call(AsyncMessagingApi(self._client))
            return 200
        except ApiException as error:
            log.warning("LINE API refused the request: %s %s", error.status, error.reason)
            return error.status or 0
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            log.warning("LINE API unreachable: %r", error)
            return 0

    async def reply(self, reply_token: str, messages: List[TextMessage]) -> int:
        request = ReplyMessageRequest(reply_token=reply_token, messages=messages[:MAX_MESSAGES])
        return await self._call(lambda api: api.reply_message(request, _request_timeout=API_TIMEOUT))

    async def push(self, to: str, messages: List[TextMessage], retry_key: str) -> bool:
        """Push to a user, group or room; the retry key lets LINE drop a duplicate (409: already accepted)."""
        request = PushMessageRequest(to=to, messages=messages[:MAX_MESSAGES])
        status = await self._call(lambda api: api.push_message(request, x_line_retry_key=retry_key,
                                                               _request_timeout=API_TIMEOUT))
        return status in (200, 409)

    async def push_text(self, to: str, text: str) -> bool:
        """Send `text` to a LINE user, group or room with the Push API; True when LINE accepted it."""
        if not configured(self.settings) or not to or not text.strip():
            log.warning("LINE push skipped: LINE not configured, or no user or text")
            return False
        return await self.push(to, text_messages(text), str(uuid.uuid4()))


class LineDelivery:
    """Staff answers to a LINE conversation (bot.gateway.delivery): pushed at once."""

    def __init__(self, api: LineApi):
        self.api = api

    async def deliver(self, conversation: Conversation, answer: str) -> Outcome:
        if await self.api.push_text(conversation.sender_id, STAFF_PREFIX + answer):
            return Outcome(True, "回答を保存し、LINEで送信しました。")
        return Outcome(False, "回答を保存しましたが、LINEへの送信はできませんでした。別の方法で連絡してください。")


async def reply_or_push(app: FastAPI, event, to: str, messages: List[TextMessage]) -> None:
    """Reply with the event's token; when LINE refuses the token (it expired: a late redelivery, or it
    was used), push to the conversation instead, with a retry key made from the event id so that the
    push is sent at most once however often it is tried. (A reply that failed otherwise — LINE not
    reachable — is not pushed: it may have arrived.)"""
    line_api, token = app.state.line_api, getattr(event, "reply_token", None)
    if not token or await line_api.reply(token, messages) != 400:
        return
    event_id = getattr(event, "webhook_event_id", None) or str(uuid.uuid4())
    log.info("LINE reply token unusable for event %s: pushing the answer instead", event_id)
    await line_api.push(to, messages, str(uuid.uuid5(RETRY_NAMESPACE, event_id)))


# ---- events ----

def conversation_of(event) -> Optional[str]:
    """One conversation per source: the user (1:1 chat), the group or the room."""
    source = getattr(event, "source", None)
    kind = getattr(source, "type", None)
    return {"user": getattr(source, "user_id", None), "group": getattr(source, "group_id", None),
            "room": getattr(source, "room_id", None)}.get(kind or "")


def in_group(event) -> bool:
    return getattr(getattr(event, "source", None), "type", None) in ("group", "room")


def without_spans(text: str, spans: list) -> str:
    """`text` without the mentions' spans (LINE counts index and length in UTF-16 units)."""
    units = text.encode("utf-16-le")
    for span in sorted(spans, key=lambda m: m.index, reverse=True):
        units = units[:2 * span.index] + units[2 * (span.index + span.length):]
    return units.decode("utf-16-le", "replace")


def addressed_text(event) -> Optional[str]:
    """The text of a message for the bot, or None. In a 1:1 chat every message; in a group or room only
    one that mentions the bot (LINE marks it `isSelf`) or names it (「マイナサポート…」), the mention
    or name taken out."""
    message = event.message
    text = message.text or ""
    if not in_group(event):
        return text
    mentionees = getattr(getattr(message, "mention", None), "mentionees", None) or []
    own = [m for m in mentionees if getattr(m, "is_self", False)]
    if own:
        text = without_spans(text, own)
    elif BOT_NAME in text:
        text = re.sub(BOT_NAME + r"(?:bot|ボット)?(?:さん)?", "", text, flags=re.IGNORECASE)
    else:
        return None
    return text.strip(" 　、,，:：")


async def answer(app: FastAPI, conversation: str, text: str, tap: bool = False) -> List[TextMessage]:
    """The core's reply as LINE messages; what the core refuses (bot/gateway/core.py: too long, too many
    typed messages a minute) is said in the chat, an empty text gets nothing. A postback is a tap."""
    try:
        reply = await app.state.core.receive("line", conversation, text, tap=tap)
    except Refused as refused:
        return [] if refused.kind == "empty" else text_messages(refused.message)
    return reply_messages(reply, app.state.settings.public_base_url)


def waiting_question(message) -> bool:
    """Whether a logged bot message is a question waiting for an answer: no answer or fallback, and
    buttons that answer it (plain texts, as a check's choices are; not commands like /show_answer)."""
    return (not message.answer_id and not message.fallback
            and any(not b.get("payload", "").startswith("/") for b in message.button_list()))


def non_text_reply(app: FastAPI, conversation: str) -> List[TextMessage]:
    """A sticker, image…: the bot cannot read it, but keeps the user where they were — the pending
    question of a check is asked again with its buttons, else the last reply's buttons stay."""
    last = app.state.store.last_reply("line", conversation)
    items = button_items([button for message in last for button in message.button_list()])
    if last and waiting_question(last[-1]):
        return text_messages([NON_TEXT_IN_QUESTION, last[-1].text], items)
    return text_messages(NON_TEXT_TEXT, items or topic_items())


def record_feedback(app: FastAPI, conversation: str, data: str) -> List[TextMessage]:
    """Store 👍/👎 for one of this conversation's LINE answers and thank them."""
    store, match = app.state.store, FEEDBACK_DATA.fullmatch(data)
    message = store.message(int(match.group(1))) if match else None
    if match is None or message is None or message.channel != "line" or message.sender_id != conversation:
        return text_messages(FEEDBACK_MISSING_TEXT)
    store.add_feedback(message.id, match.group(2) == "1", "line", conversation)
    return text_messages(THANKS_TEXT)


async def handle_event(app: FastAPI, event) -> None:
    """Answer one webhook event (unfollow, leave, messages not for the bot and others: nothing)."""
    conversation = conversation_of(event)
    messages: List[TextMessage] = []
    if isinstance(event, FollowEvent):
        messages = welcome_messages()
    elif isinstance(event, JoinEvent):
        messages = welcome_messages(group=True)
    elif isinstance(event, MessageEvent) and conversation:
        if isinstance(event.message, TextMessageContent):
            text = addressed_text(event)
            messages = await answer(app, conversation, text) if text is not None else []
        elif not in_group(event):      # in a group, a photo or sticker is for the others
            messages = await run_in_threadpool(non_text_reply, app, conversation)
    elif isinstance(event, PostbackEvent) and conversation:
        data = event.postback.data or ""
        if data.startswith("feedback:"):
            messages = await run_in_threadpool(record_feedback, app, conversation, data)
        else:
            messages = await answer(app, conversation, data, tap=True)
    if messages and conversation:
        await reply_or_push(app, event, conversation, messages)


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
        raise HTTPException(400, detail="署名が正しくありません。") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):   # bad UTF-8 or JSON, no events list
        raise HTTPException(400, detail="本文の形式が正しくありません。") from None
    background.add_task(handle_events, request.app, await run_in_threadpool(new_events, request.app, events))
    return {}


def install(app: FastAPI, settings: Settings) -> None:
    """Add the LINE webhook (it answers 503 while LINE is not configured) and register the delivery of
    staff answers; the one LINE client is opened and closed with the app (create_app's lifespan)."""
    app.state.line_api = LineApi(settings)
    app.state.deliveries.register("line", LineDelivery(app.state.line_api))
    app.include_router(router)
