"""SQL storage of the gateway: conversation log, feedback, handoff tickets, handled LINE event ids,
failed helpdesk logins and helpdesk sessions.

SQLite file by default, PostgreSQL by URL (DATABASE_URL); every write is committed before the
request is answered, so an acknowledged message survives a restart. The schema is Alembic's
(bot/gateway/migrations/): `Store` upgrades the database to the newest migration at start; a database
made before migrations existed is first brought to the initial schema and stamped (`migrate`).

Every method is synchronous (one short transaction each): the gateway calls them from plain `def`
handlers (run in FastAPI's thread pool) or through `run_in_threadpool`, never on the event loop.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import (
    Boolean, DateTime, ForeignKey, Integer, String, Text, create_engine, delete, event, func, inspect, select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, aliased, mapped_column, sessionmaker


MAX_ID = 2 ** 31 - 1     # ids are INTEGER (32 bits on PostgreSQL): a larger one names no row


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def as_utc(value) -> Optional[dt.datetime]:
    """A stored time (naive UTC datetime or ISO string) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def iso(value) -> Optional[str]:
    """A stored time as ISO 8601 with its UTC offset (what the JSON APIs show)."""
    value = as_utc(value)
    return value.isoformat() if value else None


def secret_hash(secret: str) -> str:
    """How a bearer secret (session id, ticket token) is stored: a copy of the table gives none of them."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


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


LINE_EVENT_KEEP = dt.timedelta(days=7)   # ids older than this are forgotten (pruned on each new one)


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


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # readable by this user only; SQLite gives its -wal and -shm files the same mode
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _erase_deleted)
        return engine
    # hide_parameters: an error names the SQL, never the values (a user's text) in the log
    return create_engine(database_url, pool_pre_ping=True, hide_parameters=True)


def _erase_deleted(connection, _record) -> None:
    """SQLite overwrites what is deleted or replaced with zeros (the first part of a number split over messages,
    replaced once the number is complete, must not stay in the file's free space)."""
    connection.execute("PRAGMA secure_delete=ON")


MIGRATIONS = Path(__file__).with_name("migrations")
LEGACY_REVISION = "0001"     # the schema of the last version without migrations


def adopt_legacy_schema(connection) -> None:
    """A database made before migrations (tables, no alembic_version): what the old code did at start —
    create missing tables, add each missing nullable column — so that it has the initial schema."""
    tables = Base.metadata.sorted_tables
    Base.metadata.create_all(connection, tables=tables)
    inspector = inspect(connection)
    for table in tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=connection.dialect)
                connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}')


def migrate(engine: Engine) -> None:
    """Bring the database to the newest migration: a new database gets every table from the migrations,
    one made before migrations is adopted (adopt_legacy_schema) and stamped LEGACY_REVISION first."""
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and tables & set(Base.metadata.tables):
            adopt_legacy_schema(connection)
            command.stamp(config, LEGACY_REVISION)
        command.upgrade(config, "head")


class Store:
    """The gateway's tables behind small methods; one short transaction each."""

    def __init__(self, database_url: str):
        self.engine = make_engine(database_url)
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _add(self, row):
        with self.sessions.begin() as session:
            session.add(row)
        return row

    def log_message(self, channel: str, sender_id: str, direction: str, text: str,
                    intent: str = None, answer_id: str = None, fallback: bool = False,
                    buttons: List[dict] = None) -> Message:
        return self._add(Message(channel=channel, sender_id=sender_id, direction=direction, text=text,
                                 intent=intent, answer_id=answer_id, fallback=fallback,
                                 buttons=json.dumps(buttons, ensure_ascii=False) if buttons else None))

    def replace_text_end(self, message_id: int, ending: str, replacement: str) -> bool:
        """Replace the end of a stored message's text (the first part of a number split over two
        messages); False when the text does not end so (e.g. it was redacted already)."""
        with self.sessions.begin() as session:
            message = session.get(Message, message_id)
            if message is None or not ending or not message.text.endswith(ending):
                return False
            message.text = message.text[: len(message.text) - len(ending)] + replacement
        if self.engine.dialect.name == "sqlite":   # the text as typed is still in the write-ahead log: empty it
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return True

    def message(self, message_id: int) -> Optional[Message]:
        if not 0 < message_id <= MAX_ID:
            return None
        with self.sessions() as session:
            return session.get(Message, message_id)

    def conversation(self, sender_id: str, limit: int = 200, channel: Optional[str] = None) -> List[Message]:
        """The latest `limit` messages of a sender (on `channel`, when given: a conversation is (channel,
        sender)), oldest first."""
        with self.sessions() as session:
            query = select(Message).where(Message.sender_id == sender_id)
            if channel is not None:
                query = query.where(Message.channel == channel)
            return list(session.scalars(query.order_by(Message.id.desc()).limit(limit)))[::-1]

    def last_reply(self, channel: str, sender_id: str) -> List[Message]:
        """The bot's messages since the user's last message (the reply the user is looking at)."""
        recent = self.conversation(sender_id, limit=10, channel=channel)
        users = [i for i, m in enumerate(recent) if m.direction == "user"]
        return recent[users[-1] + 1:] if users else []

    def conversation_list(self, limit: int = 20, offset: int = 0) -> List[dict]:
        """Conversations (channel, sender_id), latest activity first: message count and last message."""
        with self.sessions() as session:
            last_id = func.max(Message.id).label("last_id")
            rows = session.execute(
                select(Message.channel, Message.sender_id, func.count(Message.id), last_id)
                .group_by(Message.channel, Message.sender_id)
                .order_by(last_id.desc()).limit(limit).offset(offset)
            ).all()
            last = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_([r[3] for r in rows])))}
        return [{"channel": channel, "sender_id": sender_id, "count": count, "last": last[message_id]}
                for channel, sender_id, count, message_id in rows]

    def add_feedback(self, message_id: int, helpful: bool, channel: str, sender_id: str) -> Optional[Feedback]:
        """👍/👎 for one of the sender's own bot messages on that channel; None for any other message."""
        message = self.message(message_id)
        if message is None or message.direction != "bot" or (message.channel, message.sender_id) != (channel, sender_id):
            return None
        return self._add(Feedback(message_id=message_id, answer_id=message.answer_id,
                                  channel=channel, helpful=helpful))

    def feedback_summary(self) -> List[dict]:
        """👍/👎 counts per answer id, most 👎 first."""
        with self.sessions() as session:
            rows = session.execute(
                select(Feedback.answer_id,
                       func.sum(func.cast(Feedback.helpful, Integer)),
                       func.count(Feedback.id))
                .group_by(Feedback.answer_id)
            ).all()
        summary = [{"answer_id": a, "helpful": int(h or 0), "not_helpful": int(n - (h or 0))} for a, h, n in rows]
        return sorted(summary, key=lambda r: (-r["not_helpful"], r["answer_id"] or ""))

    def unanswered(self, limit: int = 100) -> List[dict]:
        """User questions that got a fallback, grouped by text (normalized) and counted; a question is
        counted once however many bot messages of its reply are flagged (e.g. a privacy warning too).
        Two queries, whatever the number of fallbacks."""
        user = aliased(Message)
        question_id = (select(func.max(user.id))
                       .where(user.channel == Message.channel, user.sender_id == Message.sender_id,
                              user.direction == "user", user.id < Message.id)
                       .correlate(Message).scalar_subquery())
        with self.sessions() as session:
            ids = set(session.scalars(select(question_id).where(Message.direction == "bot",
                                                                Message.fallback.is_(True))))
            ids.discard(None)
            questions = list(session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id)))
        groups: dict = {}
        for question in questions:
            key = " ".join(question.text.split()).lower()
            group = groups.setdefault(key, {"text": question.text, "count": 0, "last_seen": question.created_at})
            group["count"] += 1
            group["last_seen"] = max(group["last_seen"], question.created_at)
        ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["text"]))
        return [{**g, "last_seen": g["last_seen"].isoformat()} for g in ordered[:limit]]

    def create_ticket(self, channel: str, sender_id: str, question: str, client_token: str = None) -> Ticket:
        return self._add(Ticket(channel=channel, sender_id=sender_id, question=question, client_token=client_token))

    def open_ticket(self, channel: str, sender_id: str, question: str, client_token: str = None) -> Tuple[Ticket, bool]:
        """The conversation's open ticket, or a new one: (ticket, created). One open ticket per conversation."""
        with self.sessions.begin() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.channel == channel, Ticket.sender_id == sender_id,
                                                          Ticket.status == "open").limit(1)).first()
            if ticket is not None:
                return ticket, False
            ticket = Ticket(channel=channel, sender_id=sender_id, question=question, client_token=client_token)
            session.add(ticket)
        return ticket, True

    def tickets(self, status: Optional[str] = None, channel: Optional[str] = None,
                sender_id: Optional[str] = None) -> List[Ticket]:
        """Tickets, newest first: all, or those with `status`, of a sender (on `channel`)."""
        with self.sessions() as session:
            query = select(Ticket).order_by(Ticket.id.desc())
            if status:
                query = query.where(Ticket.status == status)
            if channel is not None:
                query = query.where(Ticket.channel == channel)
            if sender_id is not None:
                query = query.where(Ticket.sender_id == sender_id)
            return list(session.scalars(query))

    def ticket_counts(self) -> Dict[str, int]:
        """Number of tickets per status (one query)."""
        with self.sessions() as session:
            rows = session.execute(select(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)).all()
            return {status: count for status, count in rows}

    def latest_open_ticket(self, channel: str, sender_id: str) -> Optional[Ticket]:
        """The conversation's latest ticket if it is still open."""
        with self.sessions() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.channel == channel, Ticket.sender_id == sender_id)
                                     .order_by(Ticket.id.desc()).limit(1)).first()
        return ticket if ticket is not None and ticket.status == "open" else None

    def ticket(self, ticket_id: int) -> Optional[Ticket]:
        if not 0 < ticket_id <= MAX_ID:
            return None
        with self.sessions() as session:
            return session.get(Ticket, ticket_id)

    def update_ticket(self, ticket_id: int, **changes) -> Optional[Ticket]:
        if not 0 < ticket_id <= MAX_ID:
            return None
        with self.sessions.begin() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return None
            for name, value in changes.items():
                setattr(ticket, name, value)
            return ticket

    def first_delivery(self, event_id: str) -> bool:
        """Record a LINE webhook event id; False if it was recorded before (a redelivery or duplicate)."""
        try:
            with self.sessions.begin() as session:
                session.execute(delete(LineEvent).where(LineEvent.created_at < utcnow() - LINE_EVENT_KEEP))
                session.add(LineEvent(event_id=event_id))
            return True
        except IntegrityError:
            return False

    def undelivered_answers(self, channel: str, sender_id: str) -> List[Ticket]:
        with self.sessions() as session:
            query = select(Ticket).where(Ticket.channel == channel, Ticket.sender_id == sender_id,
                                         Ticket.answer.is_not(None), Ticket.delivered.is_(False))
            return list(session.scalars(query))

    def login_failures(self, keys: Iterable[str], since: dt.datetime) -> Dict[str, List[dt.datetime]]:
        """Times of the failed logins under each key since `since`, newest first."""
        keys = list(keys)
        found: Dict[str, List[dt.datetime]] = {key: [] for key in keys}
        with self.sessions() as session:
            rows = session.execute(select(LoginFailure.key, LoginFailure.created_at)
                                   .where(LoginFailure.key.in_(keys), LoginFailure.created_at >= since)
                                   .order_by(LoginFailure.created_at.desc()))
            for key, created_at in rows:
                found[key].append(created_at)
        return found

    def add_login_failure(self, keys: Iterable[str], now: dt.datetime, keep: dt.timedelta) -> List[int]:
        """Record a failed login under each key (their ids); failures older than `keep` are deleted."""
        rows = [LoginFailure(key=key, created_at=now) for key in keys]
        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.created_at < now - keep))
            session.add_all(rows)
        return [row.id for row in rows]

    def delete_login_failures(self, ids: Iterable[int]) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.id.in_(list(ids))))

    def add_session(self, session_id: str, user: str, version: str, keep: dt.timedelta) -> None:
        """Record a login; sessions older than `keep` are deleted."""
        with self.sessions.begin() as session:
            session.execute(delete(StaffSession).where(StaffSession.created_at < utcnow() - keep))
            session.add(StaffSession(id=session_id, user=user, version=version))

    def staff_session(self, session_id: str) -> Optional[StaffSession]:
        with self.sessions() as session:
            return session.get(StaffSession, session_id)

    def end_session(self, session_id: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(StaffSession).where(StaffSession.id == session_id))

    def clear_login_failures(self, key: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key == key))
