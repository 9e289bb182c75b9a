"""Starting and stopping the real Rasa server and action server (scripts/run.sh) for tests and benchmarks."""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from typing import Iterator, Optional

import httpx

from bot.knowledge import PROJECT_ROOT


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


@contextlib.contextmanager
def running_stack(rasa_port: int = 5105, action_port: int = 5155, timeout: float = 180) -> Iterator[dict]:
    """Runs scripts/run.sh on the given ports until the block ends; yields URLs and start-up time."""
    env = {
        "TRACKER_DB": str(PROJECT_ROOT / "var" / f"rasa_tracker-{rasa_port}.db"),
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "RASA_TOKEN": secrets.token_hex(16),
    }
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    log = open(PROJECT_ROOT / "var" / f"stack-{rasa_port}.log", "wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(PROJECT_ROOT / "scripts" / "run.sh")],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", timeout, process)
        wait_for(f"http://127.0.0.1:{rasa_port}/", timeout, process)
        yield {
            "rest": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "startup_s": time.monotonic() - started,
            "token": env["RASA_TOKEN"],
        }
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
