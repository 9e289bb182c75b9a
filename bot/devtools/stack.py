"""Starting and stopping the real Rasa server and action server for tests and benchmarks.

`running_stack()` runs scripts/run.sh (both servers, as `make run` does); `server()` runs any one
command as its own process group, so a test can stop and restart one part (e.g. the action server).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator, List, Optional

import httpx

from bot.shared.paths import PROJECT_ROOT, VAR_DIR as VAR



def wait_for(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> float:
    """Seconds until `url` answers 200; raises if it does not within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop_process_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def server(command: List[str], ready_url: str, env: dict, log_name: str, timeout: float = 180) -> Iterator[subprocess.Popen]:
    """Runs `command` (own process group, output in var/<log_name>.log, readable by this user only)
    until the block ends."""
    VAR.mkdir(mode=0o700, exist_ok=True)
    path = VAR / f"{log_name}.log"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as log:
        os.chmod(path, 0o600)
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(ready_url, timeout, process)
            yield process
        finally:
            stop_process_group(process)


def stack_env(rasa_port: int, action_port: int) -> dict:
    return {
        "TRACKER_DB": os.environ.get("TRACKER_DB", str(VAR / f"rasa_tracker-{rasa_port}.db")),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "RASA_TOKEN": secrets.token_hex(16),
    }


@contextlib.contextmanager
def running_stack(rasa_port: int = 5105, action_port: int = 5155, timeout: float = 180,
                  with_actions: bool = True, gateway_port: Optional[int] = None,
                  gateway_env: Optional[dict] = None, rasa_workers: int = 1) -> Iterator[dict]:
    """Runs scripts/run.sh on the given ports until the block ends; yields URLs and start-up time.

    `with_actions=False` starts Rasa alone (the test runs `action_server()` itself);
    `gateway_port` starts the gateway too (as `make run` does), with `gateway_env` added;
    `rasa_workers` Rasa processes listen on rasa_port, rasa_port + 1, …; the block starts when the
    first one answers (the others start after it: `wait_for_workers`).
    """
    env = {**stack_env(rasa_port, action_port), "START_ACTIONS": "1" if with_actions else "0",
           "RASA_WORKERS": str(rasa_workers)}
    if gateway_port is not None:
        env.update({"WITH_GATEWAY": "1", "GATEWAY_PORT": str(gateway_port), **(gateway_env or {})})
    started = time.monotonic()
    with server([str(PROJECT_ROOT / "scripts" / "run.sh")], f"http://127.0.0.1:{rasa_port}/",
                env, f"stack-{rasa_port}", timeout) as process:
        if with_actions:
            wait_for(f"http://127.0.0.1:{action_port}/health", timeout)
        if gateway_port is not None:
            wait_for(f"http://127.0.0.1:{gateway_port}/health", timeout)
        yield {
            "rest": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "rasa_urls": [f"http://127.0.0.1:{rasa_port + worker}" for worker in range(rasa_workers)],
            "gateway": f"http://127.0.0.1:{gateway_port}" if gateway_port is not None else None,
            "started": started,
            "startup_s": time.monotonic() - started,   # the first Rasa worker (see wait_for_workers)
            "token": env["RASA_TOKEN"],
            "pgid": process.pid,
        }


def wait_for_workers(stack: dict, timeout: float = 180) -> None:
    """Until every Rasa worker of a `running_stack` answers."""
    for url in stack["rasa_urls"]:
        wait_for(f"{url}/", timeout)


def action_server_command(action_port: int) -> List[str]:
    return [str(PROJECT_ROOT / ".venv" / "bin" / "rasa"), "run", "actions", "--port", str(action_port),
            "--actions", "actions"]


@contextlib.contextmanager
def action_server(action_port: int, timeout: float = 120) -> Iterator[subprocess.Popen]:
    """The action server alone (SANIC_HOST=127.0.0.1), e.g. to stop and restart it under Rasa."""
    env = {"PYTHONPATH": str(PROJECT_ROOT), "SANIC_HOST": "127.0.0.1"}
    with server(action_server_command(action_port), f"http://127.0.0.1:{action_port}/health", env,
                f"actions-{action_port}", timeout) as process:
        yield process


def gateway_command(port: int) -> List[str]:
    return [str(PROJECT_ROOT / ".venv-gateway" / "bin" / "python"), "-m", "uvicorn", "--factory",
            "bot.gateway.app:create_app", "--host", "127.0.0.1", "--port", str(port), "--no-proxy-headers",
            "--log-level", "warning"]


@contextlib.contextmanager
def gateway_server(port: int, env: dict, timeout: float = 30) -> Iterator[str]:
    """The FastAPI gateway (uvicorn, .venv-gateway) on 127.0.0.1:port; yields its base URL."""
    with server(gateway_command(port), f"http://127.0.0.1:{port}/health",
                {"PYTHONPATH": str(PROJECT_ROOT), **env}, f"gateway-{port}", timeout):
        yield f"http://127.0.0.1:{port}"


def process_group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (Linux /proc), in MB."""
    total_kb = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024
