"""The personal-data corpus (tests/privacy_corpus.yml) as variants, and how a detector scores on it.

`python -m tests.privacy_corpus` prints the figures for bot.shared.privacy (README, Security and privacy);
`--module PATH` scores another version of the module (e.g. the one before, from git show).
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import yaml

CORPUS = Path(__file__).with_name("privacy_corpus.yml")
KANJI = "〇一二三四五六七八九"


@dataclass
class Variant:
    id: str
    kind: Optional[str]          # None for a negative
    messages: List[str]
    secrets: List[str] = field(default_factory=list)


def fullwidth(text: str) -> str:
    """ASCII letters, digits and signs as full-width forms, spaces as ideographic spaces."""
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def kanji(text: str, every: int = 1) -> str:
    """Digits as kanji numerals (every `every`-th digit: 2 gives a mixed writing)."""
    digits = itertools.count()
    return "".join(KANJI[int(ch)] if ch.isdigit() and next(digits) % every == 0 else ch for ch in text)


NUMERALS: dict = {"ascii": lambda t: t, "fullwidth": fullwidth, "kanji": kanji, "mixed": lambda t: kanji(t, 2)}


def digits_of(text: str) -> str:
    """The digits of a text, read simply (NFKC, kanji numerals one by one): how a secret is searched for."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(KANJI.index(ch)) if ch in KANJI else ch for ch in text if ch.isdigit() or ch in KANJI)


_NUMERAL = "0-9０-９" + KANJI
_NUMBER = re.compile(f"[{_NUMERAL}][{_NUMERAL}\\s\\-‐－―ー−–—.,/_()（）、・，．／＿\u200b\u00ad]*")


def numbers_in(text: str) -> List[str]:
    """The digits of each number written in `text` (digits with separators between them)."""
    return [digits_of(chunk) for chunk in _NUMBER.findall(text)]


def found_in(secrets: List[str], text: str, shortest: int = 1, fewest: int = 4) -> List[str]:
    """The secrets in `text`: as written (from `shortest` characters), or, for a number, as one of its
    numbers written any other way (from `fewest` digits)."""
    numbers = numbers_in(text)
    return [s for s in secrets if (len(s) >= shortest and s in text)
            or (_NUMBER.fullmatch(s) and len(digits_of(s)) >= fewest and any(digits_of(s) in n for n in numbers))]


def load(path: Path = CORPUS) -> List[Variant]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    variants: List[Variant] = []
    for number, section in enumerate(data["sections"]):
        sentences = itertools.cycle(section["sentences"])
        for value in section["values"]:
            for numeral in section["numerals"]:
                written = NUMERALS[numeral](value)
                variants.append(Variant(f"s{number}-{len(variants)}-{numeral}", section["kind"],
                                        [next(sentences).format(written)], [written]))
    for case in data["cases"]:
        variants.append(Variant(f"c{len(variants)}", case["kind"], case["messages"], case["secrets"]))
    for text in data["negatives"]:
        variants.append(Variant(f"n{len(variants)}", None, [text]))
    return variants


def run_detector(guard, variant: Variant) -> list:
    """The redactions of the variant's messages by `guard` (a module with redact() and, if it can
    follow a number over messages, carry() and continues(), as the gateway joins them)."""
    results, previous = [], ""
    carry, continues = getattr(guard, "carry", None), getattr(guard, "continues", None)
    for message in variant.messages:
        results.append(guard.redact(message, previous=previous) if carry else guard.redact(message))
        ending = carry(message) if carry else ""
        previous = f"{previous}\n{ending}" if previous and ending and continues and continues(message) else ending
    return results


def hidden(variant: Variant, results) -> bool:
    """Every secret is gone from every redacted message and from them read together, and the kind was named."""
    texts = [r.text for r in results]
    if any(found_in(variant.secrets, text) for text in texts + ["\n".join(texts)]):
        return False
    return any(variant.kind in r.found for r in results)


def score(guard, variants: List[Variant]) -> dict:
    """found / missed per kind, false alarms on the negatives."""
    figures: Counter = Counter()
    misses, alarms = [], []
    for variant in variants:
        results = run_detector(guard, variant)
        if variant.kind is None:
            figures["negatives"] += 1
            if any(r.found for r in results) or [r.text for r in results] != variant.messages:
                figures["false alarms"] += 1
                alarms.append(variant)
        else:
            figures[f"{variant.kind} variants"] += 1
            if hidden(variant, results):
                figures[f"{variant.kind} found"] += 1
            else:
                misses.append(variant)
    return {"figures": dict(figures), "misses": misses, "false_alarms": alarms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", help="score this file's redact() instead of bot.shared.privacy")
    parser.add_argument("--show", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    if args.module:
        spec = importlib.util.spec_from_file_location("privacy_under_test", args.module)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        guard = module
    else:
        from bot.shared import privacy as guard
    result = score(guard, load())
    for name, value in sorted(result["figures"].items()):
        print(f"{name:24} {value}")
    if args.show:
        for variant in result["misses"]:
            print("MISSED", variant.kind, [r.text for r in run_detector(guard, variant)])
        for variant in result["false_alarms"]:
            print("FALSE ALARM", [r.text for r in run_detector(guard, variant)])


if __name__ == "__main__":
    main()
