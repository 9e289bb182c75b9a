"""Schema migrations (Alembic, bot/gateway/migrations/): a new database gets exactly the models' schema;
a database made by the version before migrations — or an older one, missing columns and tables — is
taken over at start with nothing lost; on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from bot.gateway.app import create_app
from bot.gateway.settings import Settings
from bot.gateway.storage import Base, Store, make_engine
from tests.gateway import legacy_schema

AUTH = ("staff", "test-password")
HEAD = "0001"
NOW = legacy_schema.utcnow().replace(microsecond=0) - dt.timedelta(minutes=1)    # the old rows' time (login failures last 15 min)


def differences(url: str) -> list:
    """What Alembic's autogenerate would change to make the database match the models (nothing, we want)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)


def revision(url: str) -> str:
    with create_engine(url).connect() as connection:
        return connection.execute(text("select version_num from alembic_version")).scalar_one()


def legacy_database(url: str, drop: dict = None) -> None:
    """A database as the version before migrations left it, with a row in every table; `drop`: columns
    (table → names) and tables (name → None) an even older version did not have."""
    engine = create_engine(url)
    legacy_schema.Base.metadata.create_all(engine)
    now = NOW
    with engine.begin() as db:
        db.execute(text("insert into messages (id, channel, sender_id, direction, text, answer_id, fallback, buttons, "
                        "created_at) values (1, 'web', 'old-user', 'user', 'カードをなくしました', null, false, null, :t),"
                        " (2, 'web', 'old-user', 'bot', 'まず止めます。', 'lost_card', false, "
                        "'[{\"title\": \"メニュー\", \"payload\": \"メニュー\"}]', :t)"), {"t": now})
        db.execute(text("insert into feedback (id, message_id, answer_id, channel, helpful, created_at) "
                        "values (1, 2, 'lost_card', 'web', false, :t)"), {"t": now})
        db.execute(text("insert into tickets (id, channel, sender_id, question, status, answer, delivered, answered_by, "
                        "client_token, created_at, updated_at) values (1, 'web', 'old-user', '人と話したい', 'answered', "
                        "'お答えします。', false, 'staff', 'hash', :t, :t)"), {"t": now})
        db.execute(text("insert into line_events (event_id, created_at) values ('EV1', :t)"), {"t": now})
        db.execute(text("insert into login_failures (id, key, created_at) values (1, 'ip:x', :t)"), {"t": now})
        db.execute(text('insert into staff_sessions (id, "user", version, created_at) values (\'s1\', \'staff\', '
                        '\'v\', :t)'), {"t": now})
        if engine.dialect.name == "postgresql":     # the ids were given: move the sequences past them
            for table in ("messages", "feedback", "tickets", "login_failures"):
                db.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"))
        for table, columns in (drop or {}).items():
            if columns is None:
                db.execute(text(f"drop table {table}"))
            for column in columns or []:
                db.execute(text(f"alter table {table} drop column {column}"))
    engine.dispose()


def assert_old_rows_kept(app_settings: Settings, dropped: bool = False) -> None:
    """The new gateway on the old database: every old row is read back, and it goes on working."""
    with TestClient(create_app(app_settings)) as client:
        conversation = client.get("/helpdesk/api/conversations/old-user", auth=AUTH).json()
        assert [(m["id"], m["text"]) for m in conversation["messages"]] == [(1, "カードをなくしました"), (2, "まず止めます。")]
        assert [(t["id"], t["answer"], t["status"]) for t in conversation["tickets"]] == [(1, "お答えします。", "answered")]
        assert client.get("/helpdesk/api/feedback", auth=AUTH).json()["answers"][0]["not_helpful"] == 1
        store = client.app.state.store
        assert store.first_delivery("EV1") is False                       # the handled LINE event is still known
        assert store.login_failures(["ip:x"], since=NOW - dt.timedelta(days=1)) == {"ip:x": [NOW]}
        if not dropped:
            assert store.staff_session("s1").user == "staff"
            assert store.last_reply("web", "old-user")[0].button_list() == [{"title": "メニュー", "payload": "メニュー"}]
        row = store.log_message("web", "old-user", "bot", "新しい回答", buttons=[{"title": "a", "payload": "b"}])
        assert row.id == 3
        ticket, created = store.open_ticket("web", "new-user", "質問", "token-hash")
        assert created and ticket.id == 2


def test_a_new_database_gets_exactly_the_schema_of_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store(url)
    assert revision(url) == HEAD
    assert differences(url) == []


def test_a_database_of_the_version_before_migrations_is_taken_over_with_nothing_lost(settings):
    legacy_database(settings.database_url)
    assert_old_rows_kept(settings)
    assert revision(settings.database_url) == HEAD
    assert differences(settings.database_url) == []
    Store(settings.database_url)                       # started again: nothing more to do
    assert revision(settings.database_url) == HEAD


def test_an_older_database_gets_its_missing_columns_and_tables(settings):
    legacy_database(settings.database_url, drop={"messages": ["buttons"], "tickets": ["answered_by", "client_token"],
                                                 "staff_sessions": None})
    assert_old_rows_kept(settings, dropped=True)
    assert differences(settings.database_url) == []
    columns = {c["name"] for c in inspect(create_engine(settings.database_url)).get_columns("tickets")}
    assert {"answered_by", "client_token"} <= columns


def test_postgresql_new_and_old_databases(postgres, settings):
    new = postgres.create_database("migrated_new")
    Store(new)
    assert revision(new) == HEAD and differences(new) == []

    old = postgres.create_database("migrated_old")
    legacy_database(old)
    settings.database_url = old
    assert_old_rows_kept(settings)
    assert revision(old) == HEAD and differences(old) == []
