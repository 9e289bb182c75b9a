"""The machine the stack runs on: no secret on a command line, private files, a quiet Rasa log.

Against the real stack started by scripts/run.sh (`rasa_stack`) and the real gateway.
"""
from __future__ import annotations

import contextlib
import stat
from pathlib import Path

import httpx

from bot.devtools.stack import VAR
from tests.gateway.conftest import RASA_PORT


def command_lines() -> list:
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            lines.append(path.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
    return lines


def test_the_rasa_token_is_on_no_command_line(rasa_stack):
    token = rasa_stack["token"]
    rasa = [line for line in command_lines() if "bot.rasa_side.server" in line and str(RASA_PORT) in line]
    assert rasa, "the Rasa process was not found"
    assert not [line for line in command_lines() if token in line]
    # the HTTP API still needs the token
    assert httpx.get(f"{rasa_stack['rasa']}/status", timeout=10).status_code == 401
    assert httpx.get(f"{rasa_stack['rasa']}/status", params={"token": token}, timeout=10).status_code == 200


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_databases_and_logs_are_private(rasa_stack, gateway, gateway_env):
    reply = httpx.post(f"{gateway}/api/chat", json={"sender_id": "files", "text": "カードをなくしました"}, timeout=30)
    assert reply.status_code == 200
    gateway_db = Path(gateway_env["DATABASE_URL"].removeprefix("sqlite:///"))
    files = [gateway_db, VAR / f"rasa_tracker-{RASA_PORT}.db", VAR / f"stack-{RASA_PORT}.log"]
    files += [p for p in gateway_db.parent.glob(gateway_db.name + "-*")]      # SQLite's -wal and -shm
    for path in files:
        assert path.exists() and private(path), (path, oct(path.stat().st_mode))
    assert private(VAR)


def test_buttons_with_intent_payloads_log_no_error(rasa_stack):
    """utter_help's buttons are `/show_answer{"answer_id": …}`: Rasa's response interpolator must not
    read the braces as a slot name (it logged an ERROR with a traceback for each button)."""
    log = VAR / f"stack-{RASA_PORT}.log"
    start = log.stat().st_size
    reply = httpx.post(rasa_stack["rest"], json={"sender": "interpolator", "message": "/help"}, timeout=30).json()
    payloads = [b["payload"] for m in reply for b in m.get("buttons", [])]
    assert '/show_answer{"answer_id": "lost_card"}' in payloads
    with open(log, "rb") as handle:
        handle.seek(start)
        added = handle.read().decode(errors="replace")
    assert "interpolator" not in added and "ERROR" not in added
