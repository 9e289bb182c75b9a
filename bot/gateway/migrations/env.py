"""Alembic environment: the connection the gateway passes (config.attributes["connection"]), or, from
Alembic's command line, a new one to DATABASE_URL."""
from __future__ import annotations

import os

from alembic import context

from bot.gateway.storage import Base, make_engine

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///var/mynasupport.db"))
    with engine.begin() as connection:
        run(connection)
