"""Gateway test fixtures (run in .venv-gateway): the real Rasa stack and a real gateway server.

`rasa_stack` starts scripts/run.sh (Rasa + action server) once per session; `gateway` runs uvicorn
in a subprocess against it with a fresh SQLite file, so tests talk real HTTP end to end; `postgres` is
a throw-away PostgreSQL server (tests/gateway/postgres.py), started only for the tests that ask for it.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.gateway.settings import Settings
from bot.devtools.stack import gateway_server, running_stack  # noqa: F401  (gateway_server used by tests)
from tests import ports
from tests.gateway.postgres import running_postgres

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT, ACTION_PORT = ports.GATEWAY_STACK["rasa_port"], ports.GATEWAY_STACK["action_port"]
GATEWAY_PORT, POSTGRES_PORT = ports.GATEWAY, ports.POSTGRES
# A gateway started without SECRET_KEY / HELPDESK_PASSWORD generates them: into a directory of the test
# run, not into the project's var/ (whose password `make run` prints once).
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="gateway-var-")


@pytest.fixture(scope="session")
def rasa_stack():
    with running_stack(rasa_port=RASA_PORT, action_port=ACTION_PORT) as urls:
        yield urls


@pytest.fixture(scope="session")
def postgres():
    with running_postgres(POSTGRES_PORT) as server:
        yield server


@pytest.fixture
def gateway_env(tmp_path, rasa_stack) -> dict:
    """Environment of a gateway that uses the session's Rasa and a fresh database."""
    return {
        "RASA_URL": rasa_stack["rasa"],
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "HELPDESK_USER": "staff",
        "HELPDESK_PASSWORD": "test-password",
        "SECRET_KEY": "test-secret",
    }


@pytest.fixture
def gateway(gateway_env):
    with gateway_server(GATEWAY_PORT, gateway_env) as url:
        yield url


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for in-process tests (no Rasa needed unless the test asks it)."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'gateway.db'}", secret_key="test-secret",
                    helpdesk_password="test-password")
