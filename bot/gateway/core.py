"""The conversation core shared by every channel: input rules, log, ask Rasa over HTTP, shape the reply.

Channels (web API, LINE) call `ConversationCore.receive()` and render the `ChatReply`, or the `Refused`
it raises (one set of Japanese messages for every channel). A conversation is (channel, sender).
"""
from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import httpx
from starlette.concurrency import run_in_threadpool

from bot.gateway.guard import RATE_LIMITED, RateLimiter
from bot.gateway.settings import Settings
from bot.gateway.storage import Store, secret_hash
from bot.shared.knowledge import load_knowledge
from bot.shared.message import BotMessage as SharedBotMessage
from bot.shared.privacy import (Redaction, carry, continues, for_understanding, placeholder, pseudonym, redact,
                                warning_text)

log = logging.getLogger(__name__)

CARRY_SECONDS = 300       # how long the end of a message is kept (in memory) to join a number split in two
CARRY_MAX = 10_000        # conversations remembered at most
CARRY_PARTS = 3           # messages a number may be split over (a マイナンバー typed four digits a message: b66 c09)

# 「人と話したい」: the ticket is made at once, then the bot asks what the question is; the next typed
# message goes on the ticket (not to Rasa) and is confirmed.
HANDOFF_ASK = ("担当者に伝えるご質問を、このあと1つのメッセージで送ってください。どなたの、どんなことで"
               "お困りかを書いていただくと、担当者が答えやすくなります（例：「施設に入所している母のカードの"
               "暗証番号を忘れました。代理で手続きできますか」）。お名前・マイナンバー・暗証番号は書かないでください。")
HANDOFF_NOTED = "ご質問を担当者に伝えました（受付番号：{ticket_id}）。担当者の回答は、このチャットに届きます。"


EMPTY_TEXT = "メッセージが空です。質問を入力してください。"
TOO_LONG_TEXT = "メッセージが長すぎます（{limit}文字まで）。短くしてもう一度送ってください。"


class Refused(Exception):
    """A message the core does not take: `kind` empty | too_long | rate_limited, the HTTP status, the
    Japanese message for the user and, for the rate limit, the seconds to wait."""

    def __init__(self, kind: str, status: int, message: str, retry_after: Optional[int] = None):
        super().__init__(message)
        self.kind, self.status, self.message, self.retry_after = kind, status, message, retry_after


@dataclass
class BotMessage(SharedBotMessage):
    """The bot message of bot/shared/message.py, with its row in the conversation log."""

    message_id: Optional[int] = None      # id in the conversation log, for 👍/👎 feedback

    def as_dict(self) -> dict:
        """As the web API sends it: `text` with its 出典 line (as Rasa says it, and as it is logged), `body`
        without it and `citation` (the widget shows the body and the sources as a list)."""
        return {"text": self.full_text, "body": self.text, "citation": self.citation, "buttons": self.buttons,
                "sources": self.sources, "answer_id": self.answer_id, "links": self.links,
                "message_id": self.message_id}


@dataclass
class ChatReply:
    messages: List[BotMessage]
    fallback: bool = False
    ticket_id: Optional[int] = None        # set when the user asked for a person
    ticket_token: Optional[str] = None     # with a new ticket: what fetches the staff answer (only once)


# Rasa's own commands, when a user types them: Rasa acts (starts the conversation again, takes the last
# message back) and says nothing, which is not a failure and not an unanswered question.
RASA_COMMAND = re.compile(r"/(restart|session_start|back)(\{.*\})?", re.DOTALL)
COMMAND_REPLIES = {
    "restart": "会話を最初からやり直しました。知りたいことを、そのまま入力してください。",
    "session_start": "会話を最初からやり直しました。知りたいことを、そのまま入力してください。",
    "back": "ひとつ前のやりとりを取り消しました。知りたいことを、そのまま入力してください。",
}


def merge_rasa_messages(raw: List[dict]) -> Tuple[List[BotMessage], bool, bool]:
    """Rasa's REST output → messages (bot.shared.message.BotMessage.from_rasa): a `custom` payload
    belongs to the text before it.

    Returns (messages, fallback, handoff).
    """
    messages: List[BotMessage] = []
    fallback = handoff = False
    for item in raw:
        custom = item.get("custom")
        if isinstance(custom, dict):
            fallback = fallback or bool(custom.get("fallback"))
            handoff = handoff or bool(custom.get("handoff"))
            if messages:
                last = messages[-1]
                parsed = SharedBotMessage.from_rasa(last.full_text, last.buttons, custom)
                last.text, last.citation = parsed.text, parsed.citation
                last.answer_id = parsed.answer_id or last.answer_id
                last.sources = parsed.sources or last.sources
                last.links = parsed.links or last.links
                last.fallback, last.handoff = last.fallback or parsed.fallback, last.handoff or parsed.handoff
            continue
        if item.get("text"):
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in item.get("buttons") or []
            ]
            messages.append(BotMessage(text=item["text"], buttons=buttons))
    return messages, fallback, handoff


def worker_order(urls: List[str], sender: str) -> List[str]:
    """Rasa workers in the order to try for a conversation: always the same first one (the
    conversation's lock lives in that process), the others only when it cannot be reached."""
    first = zlib.crc32(sender.encode("utf-8")) % len(urls)
    return urls[first:] + urls[:first]


def valid_unicode(value: str) -> str:
    """Text that can be stored and sent: lone surrogates (malformed UTF-16 from JSON) become 「?」, NUL
    characters (which PostgreSQL cannot store) are dropped."""
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def offers(last: list, text: str) -> bool:
    """Whether `text` is the payload of a button in the bot's last reply `last`: a tap, not typing."""
    return any(text == button.get("payload") for message in last for button in message.button_list())


class ConversationCore:
    """Ask Rasa for one user message; every step is logged in the store before returning."""

    def __init__(self, settings: Settings, store: Store, client: Optional[httpx.AsyncClient] = None):
        self.settings = settings
        self.store = store
        self.client = client or httpx.AsyncClient(timeout=settings.rasa_timeout_s)
        # conversation → (when, [(row, end of the message)] of its last user messages that may each hold a part of one
        # number): memory only
        self._recent: Dict[str, Tuple[float, List[Tuple[int, str]]]] = {}
        self._recent_lock = threading.Lock()           # used from the thread pool
        self.limiter = RateLimiter(settings.rate_per_sender)   # per conversation, typed messages only

    async def close(self) -> None:
        await self.client.aclose()

    async def _rasa(self, channel: str, sender_id: str, text: str) -> List[dict]:
        sender = f"{channel}:{sender_id}"
        for attempt, url in enumerate(worker_order(self.settings.rasa_urls, sender), start=1):
            try:
                response = await self.client.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                    timeout=self.settings.rasa_timeout_s,
                )
                break
            except httpx.TimeoutException:  # the worker may still be working on it: do not send it twice
                raise
            except httpx.TransportError:  # refused, or the worker died (a kept-alive connection is reset)
                if attempt == len(self.settings.rasa_urls):
                    raise
                log.warning("Rasa worker %s unreachable, trying the next one", url)
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, list):
            raise ValueError("unexpected reply from Rasa")
        return data

    def stored_sender(self, channel: str, sender_id: str) -> str:
        """The id a conversation is kept under: a web client's own id, or a keyed hash of it when it
        holds personal data (LINE ids come from LINE and are needed to push staff answers)."""
        sender_id = valid_unicode(sender_id)
        return pseudonym(sender_id, self.settings.secret_key) if channel == "web" else sender_id

    def _redact(self, key: str, text: str) -> Tuple[Redaction, List[Tuple[int, str]]]:
        """Redact `text`, joining it to the ends of the conversation's last messages (a number split over
        messages); the stored messages lose their parts of such a number too. Also the parts it was joined to."""
        with self._recent_lock:
            when, parts = self._recent.pop(key, (0.0, []))
        if time.monotonic() - when > CARRY_SECONDS:
            parts = []
        redaction = redact(text, previous="\n".join(end for _, end in parts))
        if redaction.previous_cut:
            cut, kind = redaction.previous_cut
            start = 0
            for row_id, end in parts:
                if cut < start + len(end):
                    self.store.replace_text_end(row_id, end[max(0, cut - start):], placeholder(kind))
                start += len(end) + 1
        return redaction, parts

    def _remember(self, key: str, text: str, row_id: int, parts: List[Tuple[int, str]]) -> None:
        """Keep the end of the message when it ends in a digit — after the ends it was joined to, when it goes on
        with their number (「3917」 after 「親父の番号 5820」)."""
        ending = carry(text)
        if not ending:
            return
        parts = [*parts, (row_id, ending)][-CARRY_PARTS:] if parts and continues(text) else [(row_id, ending)]
        now = time.monotonic()
        with self._recent_lock:
            if len(self._recent) >= CARRY_MAX:
                for stale in [k for k, (when, _) in self._recent.items() if now - when > CARRY_SECONDS]:
                    del self._recent[stale]
                while len(self._recent) >= CARRY_MAX:
                    del self._recent[next(iter(self._recent))]
            self._recent[key] = (now, parts)

    async def receive(self, channel: str, sender_id: str, text: str, tap: Optional[bool] = None) -> ChatReply:
        """The input rules, the same for every channel, then `ask`: the text is stripped; an empty or
        over-long one is refused; typed messages count against the conversation's per-minute limit
        (RATE_PER_SENDER) — a tap on a button does not (`tap`: the channel knows, e.g. a LINE postback;
        None: it is a tap when the text is the payload of a button the bot just offered)."""
        text, limit = text.strip(), self.settings.max_text_chars
        if not text:
            raise Refused("empty", 422, EMPTY_TEXT)
        if len(text) > limit:
            raise Refused("too_long", 422, TOO_LONG_TEXT.format(limit=limit))
        last = None
        if tap is None:
            last = await run_in_threadpool(self.store.last_reply, channel, self.stored_sender(channel, sender_id))
            tap = offers(last, text)
        key = f"{channel}:{self.stored_sender(channel, sender_id)}"
        if not tap and not self.limiter.allow(key):
            raise Refused("rate_limited", 429, RATE_LIMITED, self.limiter.retry_after(key))
        return await self.ask(channel, sender_id, text, last)

    async def ask(self, channel: str, sender_id: str, text: str, last: Optional[list] = None) -> ChatReply:
        """Redact personal data first: only the redacted text is stored, logged or sent to Rasa.

        The store is synchronous (SQLAlchemy): its work runs in the thread pool, in three steps (take the
        message in; ask Rasa; log the reply), so that a slow database never holds up the event loop.
        `last`: the bot's last reply to this conversation, when the caller has read it already."""
        sender_id, redaction, waiting = await run_in_threadpool(self._take_in, channel, sender_id, text, last)
        text = redaction.text
        if waiting is not None:
            return await run_in_threadpool(self._note_question, channel, sender_id, redaction, waiting)
        try:
            raw = await self._rasa(channel, sender_id, for_understanding(text) if redaction.changed else text)
            messages, fallback, handoff = merge_rasa_messages(raw)
        except (httpx.HTTPError, ValueError) as error:
            log.warning("Rasa unavailable: %r", error)
            messages, fallback, handoff = [BotMessage(text=load_knowledge().messages["service_down"])], True, False
        command = RASA_COMMAND.fullmatch(text.strip())
        if not messages and command:
            messages = [BotMessage(text=COMMAND_REPLIES[command.group(1)])]
        if not messages:  # every intent answers something: an empty reply means a part is down
            messages, fallback = [BotMessage(text=load_knowledge().messages["service_down"])], True
        return await run_in_threadpool(self._answer, channel, sender_id, text, redaction, messages, fallback, handoff)

    def _take_in(self, channel: str, sender_id: str, text: str, last: Optional[list] = None) -> tuple:
        """(the stored sender id, the redaction, the open ticket waiting for this message as its question);
        the user's message is logged (redacted)."""
        text, sender_id = valid_unicode(text), self.stored_sender(channel, sender_id)
        redaction, parts = self._redact(f"{channel}:{sender_id}", text)
        waiting = self._ticket_waiting_for_question(channel, sender_id, redaction.text, last)   # before it is logged
        row = self.store.log_message(channel, sender_id, "user", redaction.text)
        self._remember(f"{channel}:{sender_id}", text, row.id, parts)
        return sender_id, redaction, waiting

    def _note_question(self, channel: str, sender_id: str, redaction: Redaction, waiting) -> ChatReply:
        """The message is the question of the ticket just opened: it goes on the ticket, not to Rasa."""
        self.store.update_ticket(waiting.id, question=f"{waiting.question}\n【ご質問】{redaction.text}")
        noted = [BotMessage(HANDOFF_NOTED.format(ticket_id=waiting.id))]
        return self._reply(channel, sender_id, redaction, noted, ticket_id=waiting.id)   # the same ticket, no token

    def _answer(self, channel: str, sender_id: str, text: str, redaction: Redaction, messages: List[BotMessage],
                fallback: bool, handoff: bool) -> ChatReply:
        """Rasa's messages logged; 「人と話したい」 opens (or finds) the conversation's ticket."""
        ticket_id = ticket_token = None
        if handoff:
            token = secrets.token_urlsafe(32)
            ticket, created = self.store.open_ticket(channel, sender_id, self._handoff_question(channel, sender_id, text),
                                                     secret_hash(token))
            ticket_id, ticket_token = ticket.id, token if created else None
            messages.append(BotMessage(text=HANDOFF_ASK))
        return self._reply(channel, sender_id, redaction, messages, fallback, ticket_id, ticket_token)

    def _reply(self, channel: str, sender_id: str, redaction, messages: List[BotMessage], fallback: bool = False,
               ticket_id: Optional[int] = None, ticket_token: Optional[str] = None) -> ChatReply:
        """The privacy warning first if needed; every message logged (with its buttons) and given its id."""
        if redaction.changed:
            messages.insert(0, BotMessage(text=warning_text(redaction.found, redaction.text)))
        for message in messages:
            row = self.store.log_message(channel, sender_id, "bot", message.full_text, answer_id=message.answer_id,
                                         fallback=fallback, buttons=message.buttons)
            message.message_id = row.id
        return ChatReply(messages=messages, fallback=fallback, ticket_id=ticket_id, ticket_token=ticket_token)

    def _ticket_waiting_for_question(self, channel: str, sender_id: str, text: str, last: Optional[list] = None):
        """The open ticket whose question the bot just asked for, if `text` is typed (a tap is not the answer).
        `last`: the bot's last reply, if already read (else it is read here)."""
        if text.startswith("/"):
            return None
        if last is None:
            last = self.store.last_reply(channel, sender_id)
        if not last or last[-1].text != HANDOFF_ASK:
            return None
        return self.store.latest_open_ticket(channel, sender_id)

    def _handoff_question(self, channel: str, sender_id: str, text: str) -> str:
        """The request itself plus the user's previous question, for the staff to read."""
        history = [m for m in self.store.conversation(sender_id, channel=channel) if m.direction == "user"]
        earlier = [m.text for m in history[-3:-1]]
        return "\n".join(earlier + [text])
