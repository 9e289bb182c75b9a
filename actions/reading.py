"""Reading a part of a message with the NLU (Rasa's HTTP API, `/model/parse`): a question asked beside a check's
answer, a corrected question, another question of the message. The tracker holds only the whole message's reading;
a part read on its own gets both signals of bot.shared.fit (the classifier and the concepts), not the concepts alone.

The action server finds Rasa from its environment (scripts/run.sh sets it): RASA_URL, else
http://127.0.0.1:$RASA_PORT, with RASA_TOKEN. Without them (the actions run in-process, as the unit tests run
them) or when Rasa does not answer in time, `parse` gives None and the caller reads the part by its concepts.
"""
from __future__ import annotations

import functools
import logging
import os
from typing import Optional

import httpx

TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _endpoint() -> Optional[tuple]:
    """(the parse URL, the token), or None when the environment names no Rasa server. httpx logs each request's URL
    at INFO — with Rasa's token in it (Rasa 3.6 takes it only as ?token=): its logger is set to warnings."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = os.environ.get("RASA_URL", "").split(",")[0].strip().rstrip("/")
    if not url and os.environ.get("RASA_PORT"):
        url = f"http://127.0.0.1:{os.environ['RASA_PORT']}"
    return (f"{url}/model/parse", os.environ.get("RASA_TOKEN", "")) if url else None


@functools.lru_cache(maxsize=1)
def _client() -> httpx.Client:
    """One client for every reading: its connection to Rasa is kept, and its SSL context (which httpx builds for each
    `httpx.post`, ~4 ms) is built once. httpx clients are safe to share between threads."""
    return httpx.Client(timeout=TIMEOUT_S)


def parse(text: str) -> Optional[dict]:
    """The NLU's reading of `text` (intent, intent_ranking, entities, text), or None."""
    endpoint = _endpoint()
    if endpoint is None or not text.strip():
        return None
    url, token = endpoint
    try:
        response = _client().post(url, params={"token": token} if token else None, json={"text": text})
        response.raise_for_status()
        parsed = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("reading a part of a message failed (%s): read by its concepts", type(error).__name__)
        return None
    return parsed if isinstance(parsed, dict) and isinstance(parsed.get("intent"), dict) else None
