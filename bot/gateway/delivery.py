"""Staff answers back to the user: one `Delivery` per channel, registered in `create_app`.

The helpdesk stores a staff answer on its ticket (not yet delivered), then asks the conversation's
channel to deliver it:

- web: `Pending` — nothing to send; the widget polls GET /api/tickets/pending (bot/gateway/api.py)
  with the ticket's token and gets the answer once;
- LINE: `bot.gateway.line.LineDelivery` — a push through the Messaging API, with the one LINE client
  made when the gateway starts;
- any other channel (FAX): `Unreachable` — staff are told to answer another way.

A delivery never raises: a failure is an `Outcome` with `delivered=False` and a note saying so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Dict, Protocol

log = logging.getLogger(__name__)

STAFF_PREFIX = "担当者からの回答です。\n"     # how a staff answer starts, in every channel


@dataclass(frozen=True)
class Conversation:
    """A conversation is a sender on a channel (a LINE user, group or room; a web client)."""

    channel: str
    sender_id: str


@dataclass(frozen=True)
class Outcome:
    delivered: bool      # the user has it now (else it waits, or staff must answer another way)
    note: str            # what the helpdesk tells staff, in Japanese


class Delivery(Protocol):
    async def deliver(self, conversation: Conversation, answer: str) -> Outcome:
        """Bring the staff `answer` to the conversation, or say why it could not be."""


class Pending:
    """Web chat: the answer waits on its ticket until the widget fetches it."""

    async def deliver(self, conversation: Conversation, answer: str) -> Outcome:
        return Outcome(False, "回答を保存しました。利用者がチャット画面を開いているときに表示されます。")


class Unreachable:
    """A channel the gateway cannot write to."""

    async def deliver(self, conversation: Conversation, answer: str) -> Outcome:
        return Outcome(False, "回答を保存しました。このチャネルには自動では届きません。別の方法で連絡してください。")


class Deliveries:
    """The delivery of each channel; `Unreachable` for a channel without one."""

    def __init__(self) -> None:
        self._by_channel: Dict[str, Delivery] = {}

    def register(self, channel: str, delivery: Delivery) -> None:
        self._by_channel[channel] = delivery

    def __getitem__(self, channel: str) -> Delivery:
        return self._by_channel.get(channel, Unreachable())

    async def deliver(self, conversation: Conversation, answer: str) -> Outcome:
        try:
            return await self[conversation.channel].deliver(conversation, answer)
        except Exception:   # a bug in a channel must not lose the stored answer: staff see the failure
            log.exception("delivery of a staff answer failed (%s)", conversation.channel)
            return Outcome(False, "回答を保存しましたが、送信できませんでした。別の方法で連絡してください。")
