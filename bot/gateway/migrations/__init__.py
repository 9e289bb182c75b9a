"""Schema migrations of the gateway's SQL store (Alembic), run by `Store` at start (bot/gateway/storage.py).

    versions/0001_initial.py   the schema of the first version with migrations (every table as it was)

A database made before migrations existed (no `alembic_version` table) is brought to that schema the way
the old code did (missing tables created, missing nullable columns added) and stamped 0001; every later
change is a migration here. To write one after changing a model in storage.py:

    PYTHONPATH=. DATABASE_URL=sqlite:///var/mynasupport.db .venv-gateway/bin/alembic -c bot/gateway/migrations/alembic.ini \
        revision --autogenerate -m "what changes"

then read and fix the generated file (tests/gateway/test_migrations.py fails while the models and the
migrations disagree).
"""
