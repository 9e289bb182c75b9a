"""Load benchmark of the whole stack through the gateway: N concurrent simulated users for T seconds.

Each user sends a question from the evaluation set, waits for the answer, pauses, repeats, in one
conversation (one sender id) for the whole run; users arrive spread over the first pause. The pause
("think time") is drawn uniformly from THINK_S: 1–3 s, far shorter than a person reading a reply
and typing the next question (10 s or more), so the load is harsher than real use. Reports errors,
throughput and p50/p95/p99 latency; `make bench` runs 20 and 50 users, and 20 with no pause.
"""
from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from typing import List, Tuple

import httpx

from bot.devtools.evaluation import percentile

THINK_S = (1.0, 3.0)


async def simulated_user(client: httpx.AsyncClient, url: str, texts: List[str], until: float,
                         latencies: List[float], errors: List[str], think_s: Tuple[float, float]) -> None:
    sender = uuid.uuid4().hex
    rng = random.Random(sender)
    await asyncio.sleep(rng.uniform(0, think_s[1]))  # users arrive spread out, not all in one instant
    while time.monotonic() < until:
        start = time.monotonic()
        try:
            response = await client.post(f"{url}/api/chat", json={"sender_id": sender, "text": rng.choice(texts)})
            if response.status_code != 200 or response.json().get("messages") is None:
                errors.append(f"HTTP {response.status_code}")
            else:
                latencies.append(time.monotonic() - start)
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)
        await asyncio.sleep(rng.uniform(*think_s))


async def run_load(url: str, texts: List[str], users: int, seconds: float,
                   think_s: Tuple[float, float] = THINK_S) -> dict:
    latencies: List[float] = []
    errors: List[str] = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        start = time.monotonic()
        until = start + seconds
        await asyncio.gather(*(simulated_user(client, url, texts, until, latencies, errors, think_s)
                               for _ in range(users)))
        elapsed = time.monotonic() - start
    ms = [s * 1000 for s in latencies]
    return {
        "users": users, "think_s": list(think_s), "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
        "errors": len(errors), "error_kinds": dict(Counter(errors)), "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99),
    }
