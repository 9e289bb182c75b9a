"""The gateway's tables as the last version without migrations made them (Base.metadata.create_all at start,
bot/gateway/storage.py at commit 8a9cc99), frozen here so that tests can make such a database."""
from __future__ import annotations

import datetime as dt
import json
from typing import List, Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Message(Base):
    """One message in or out; `direction` is "user" or "bot"."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    answer_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    buttons: Mapped[Optional[str]] = mapped_column(Text, nullable=True)   # a bot message's buttons, JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    def button_list(self) -> List[dict]:
        return json.loads(self.buttons) if self.buttons else []


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    answer_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Ticket(Base):
    """A request to talk to a person; staff answer and close it in the helpdesk."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | answered | closed
    answer: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)   # the staff account
    client_token: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)  # hash of the asker's token
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LineEvent(Base):
    """A LINE webhook event already handled (its webhookEventId): a redelivery is not answered twice."""

    __tablename__ = "line_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class LoginFailure(Base):
    """One wrong helpdesk password, under a key for the account and one for the client address."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class StaffSession(Base):
    """A helpdesk login. The cookie holds a random id, this row its hash: logout deletes the row, and the
    session ends when the account's password changes (`version` no longer matches)."""

    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
