"""Gateway test fixtures (run in .venv-gateway): the real Rasa stack and a real gateway server.

`rasa_stack` starts scripts/run.sh (Rasa + action server) once per session; `gateway` runs uvicorn
in a subprocess against it with a fresh SQLite file, so tests talk real HTTP end to end.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.gateway.settings import Settings
from bot.stack import running_stack, wait_for

ROOT = Path(__file__).resolve().parents[2]
# TEST_PORT_BASE shifts every port, so that several test runs can share a machine.
PORT_BASE = int(os.environ.get("TEST_PORT_BASE", "0"))
RASA_PORT, ACTION_PORT, GATEWAY_PORT = 5405 + PORT_BASE, 5455 + PORT_BASE, 8405 + PORT_BASE


@pytest.fixture(scope="session")
def rasa_stack():
    with running_stack(rasa_port=RASA_PORT, action_port=ACTION_PORT) as urls:
        yield urls


@contextlib.contextmanager
def gateway_server(port: int, env: dict):
    """uvicorn serving bot.gateway.app:create_app on 127.0.0.1:port until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bot.gateway.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", 30, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


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
