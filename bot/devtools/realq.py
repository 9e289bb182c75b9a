"""The real-question evaluation: questions copied word for word from public pages (tests/realq/),
graded on the reply text a user sees.

Each question has its page `url`, a `kind` (`in_scope`: the documents answer it; `uncovered`: about
the card, but the documents do not answer it) and, for in-scope questions, `facts`: regexes written
from the documents that a correct reply must all contain. The set is split **by page** into `dev`
(tune on it) and `test` (report only): a page's questions are never on both sides.

Grading, on the REST reply (every text message joined, NFKC, white space removed):
- in scope: answered with the key facts = not a fallback and every `facts` regex matches;
  wrongly declined = a fallback (decline or 「もしかして」);
- uncovered: declined = a fallback (`custom.fallback: true`); routed = declined and `route` matches.
- in scope, one tap away: not answered, but the reply is a 「もしかして」 and one of its buttons, tapped, gives a
  reply with every key fact (reported beside the answered rate, never instead of it: the user must pick the
  right button).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import yaml

from bot.devtools.evaluation import rate
from bot.shared.paths import REALQ_DIR

SPLITS = ("dev", "test")


def page_key(url: str) -> str:
    """The page a question comes from, without scheme, query, fragment or trailing slash."""
    url = re.sub(r"^https?://", "", url.strip()).split("#")[0].split("?")[0]
    return url.rstrip("/")


def split_of(url: str) -> str:
    """`dev` or `test`, fixed by the page: about half the pages each, stable across runs."""
    digest = hashlib.sha1(page_key(url).encode("utf-8")).digest()
    return SPLITS[digest[0] % 2]


def load_realq(split: Optional[str] = None, directory: Path = REALQ_DIR) -> List[dict]:
    """The questions of one split (or all). A question found word for word on several pages counts
    once, in `dev` if any of its pages is there: `test` never holds a question seen in `dev`."""
    by_text: Dict[str, dict] = {}
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            item = {**item, "split": split_of(item["url"]), "file": path.name}
            key = normalize_reply(item["text"])
            if key not in by_text or (item["split"] == "dev" and by_text[key]["split"] == "test"):
                by_text[key] = item
    return [q for q in by_text.values() if split is None or q["split"] == split]


def normalize_reply(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def reply_text(messages: Iterable[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def is_fallback(messages: Iterable[dict]) -> bool:
    return any(isinstance(m.get("custom"), dict) and m["custom"].get("fallback") for m in messages)


@dataclass
class Grade:
    ok: bool
    declined: bool
    missing: List[str] = field(default_factory=list)   # facts not found (in scope)
    routed: bool = False                               # uncovered: declined and the right place named


def is_answer(message: dict) -> bool:
    return isinstance(message.get("custom"), dict) and bool(message["custom"].get("answer_id"))


def declining_text(messages: List[dict]) -> str:
    """The text of the fallback messages only. Over REST a message's text and its custom payload arrive as
    two messages, the text first: a custom payload belongs to the text messages before it."""
    texts: List[str] = []
    declining: List[str] = []
    for message in messages:
        if message.get("text"):
            texts.append(message["text"])
        if "custom" in message:
            if is_fallback([message]):
                declining += texts
            texts = []
    return normalize_reply("\n".join(declining))


def grade(question: dict, messages: List[dict]) -> Grade:
    """Uncovered: declined when any message is a fallback, routed when the declining messages name the place.
    In scope: declined when no answer is given — a routing reply for another part of the message beside an
    answer (bot.shared.fit: `route` with the covered part answered) does not take the answer away."""
    if question["kind"] == "uncovered":
        declined = is_fallback(messages)
        return Grade(ok=declined, declined=declined,
                     routed=declined and bool(re.search(question.get("route") or ".", declining_text(messages))))
    text = normalize_reply(reply_text(messages))
    declined = is_fallback(messages) and not any(is_answer(m) for m in messages)
    missing = [fact for fact in question.get("facts", []) if not re.search(fact, text)]
    return Grade(ok=not declined and not missing, declined=declined, missing=missing)


@dataclass
class RealScore:
    in_scope: int = 0
    answered: int = 0            # in scope, answered with every key fact
    wrongly_declined: int = 0    # in scope, fallback or 「もしかして」
    uncovered: int = 0
    declined: int = 0            # uncovered, flagged fallback
    routed: int = 0              # uncovered, declined and the right place named
    one_tap: int = 0             # in scope, not answered, but a 「もしかして」 button's reply has every key fact
    misses: List[str] = field(default_factory=list)

    @property
    def answered_rate(self) -> float:
        return rate(self.answered, self.in_scope)

    @property
    def within_one_tap_rate(self) -> float:
        return rate(self.answered + self.one_tap, self.in_scope)

    @property
    def wrongly_declined_rate(self) -> float:
        return rate(self.wrongly_declined, self.in_scope)

    @property
    def declined_rate(self) -> float:
        return rate(self.declined, self.uncovered)

    @property
    def routed_rate(self) -> float:
        return rate(self.routed, self.uncovered)

    def as_dict(self) -> Dict[str, float]:
        return {"in_scope": self.in_scope, "uncovered": self.uncovered, "answered": self.answered_rate,
                "wrongly_declined": self.wrongly_declined_rate, "within_one_tap": self.within_one_tap_rate,
                "declined": self.declined_rate,
                "routed": self.routed_rate}


def answer_label(messages: List[dict]) -> str:
    ids = [m["custom"].get("answer_id") for m in messages if isinstance(m.get("custom"), dict)]
    ids = [i for i in ids if i]
    if ids:
        return "+".join(ids)
    return "fallback" if is_fallback(messages) else "other"


def score_realq(questions: List[dict], replies: List[List[dict]],
                taps: Optional[List[List[List[dict]]]] = None) -> RealScore:
    """`taps`: for each reply, the replies to its buttons when it is a 「もしかして」 (`tap_all`)."""
    result = RealScore()
    for index, (question, messages) in enumerate(zip(questions, replies)):
        verdict = grade(question, messages)
        label = answer_label(messages)
        if question["kind"] == "uncovered":
            result.uncovered += 1
            result.declined += verdict.declined
            result.routed += verdict.routed
            if not verdict.ok:
                result.misses.append(f"uncovered, answered with {label}: {question['text']} ({question['url']})")
            continue
        result.in_scope += 1
        result.answered += verdict.ok
        result.wrongly_declined += verdict.declined
        result.one_tap += taps is not None and not verdict.ok and any(grade(question, t).ok for t in taps[index])
        if verdict.declined:
            result.misses.append(f"in scope, declined ({label}): {question['text']} ({question['url']})")
        elif not verdict.ok:
            result.misses.append(f"in scope, {label} lacks {verdict.missing}: {question['text']} ({question['url']})")
    return result


def ask_all(rest_url: str, questions: List[dict], timeout: float = 30) -> List[List[dict]]:
    """Each question in a new conversation over the REST channel; the replies as Rasa sends them."""
    import uuid

    import httpx

    replies = []
    with httpx.Client(timeout=timeout) as client:
        for question in questions:
            response = client.post(rest_url, json={"sender": uuid.uuid4().hex, "message": question["text"]})
            response.raise_for_status()
            replies.append(response.json())
    return replies


def is_clarification(messages: List[dict]) -> bool:
    """A 「もしかして」: a fallback with buttons and no answer."""
    return is_fallback(messages) and not any(is_answer(m) for m in messages) and any(m.get("buttons") for m in messages)


def tap_all(rest_url: str, replies: List[List[dict]], timeout: float = 30) -> List[List[List[dict]]]:
    """For each 「もしかして」 reply, the replies to each of its buttons (none for other replies). Each button is
    tapped in a new conversation: its payload names the entry to show, whatever came before."""
    import uuid

    import httpx

    taps: List[List[List[dict]]] = []
    with httpx.Client(timeout=timeout) as client:
        for messages in replies:
            payloads = [b["payload"] for m in messages for b in m.get("buttons") or []] if is_clarification(messages) else []
            tapped = []
            for payload in payloads:
                response = client.post(rest_url, json={"sender": uuid.uuid4().hex, "message": payload})
                response.raise_for_status()
                tapped.append(response.json())
            taps.append(tapped)
    return taps


def replay(model_path: str, questions: List[dict]) -> List[List[dict]]:
    """The replies without servers, for quick experiments: the trained model parses each question once,
    then bot.shared.fit and bot.shared.answers decide and write the reply as the action server would (guided checks
    and the other rules are not run; on the real-question set it gives the REST figures)."""
    import asyncio

    from rasa.core.agent import Agent

    from bot.shared.answers import fitting_reply
    from bot.shared.concepts import load_lexicon
    from bot.shared.knowledge import load_knowledge

    kb, lexicon, agent = load_knowledge(), load_lexicon(), Agent.load(model_path)

    async def parse_all() -> List[dict]:
        return [await agent.parse_message(question["text"]) for question in questions]

    return [fitting_reply(kb, lexicon, parsed) for parsed in asyncio.run(parse_all())]


def main() -> int:
    """`python -m bot.devtools.realq [dev|test|all] [REST_URL | models/X.tar.gz]`: grade a running stack (or replay a
    trained model without servers) and print the misses."""
    import sys

    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    target = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:5005/webhooks/rest/webhook"
    questions = load_realq(None if split == "all" else split)
    taps: Optional[List[List[List[dict]]]] = None   # a 「もしかして」's buttons are tapped over REST only
    if target.endswith(".tar.gz"):
        replies = replay(target, questions)
    else:
        replies = ask_all(target, questions)
        taps = tap_all(target, replies)
    result = score_realq(questions, replies, taps)
    for miss in result.misses:
        print("-", miss)
    print(f"{split}: in scope answered {result.answered_rate:.1%} ({result.answered}/{result.in_scope}), "
          f"wrongly declined {result.wrongly_declined_rate:.1%}"
          + (f", answered or one tap away {result.within_one_tap_rate:.1%}" if taps is not None else "")
          + f"; uncovered declined {result.declined_rate:.1%} "
          f"({result.declined}/{result.uncovered}), routed {result.routed_rate:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
