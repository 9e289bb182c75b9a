"""Scoring the NLU on the evaluation set (tests/eval/nlu_eval.yml); used by the tests and `make bench`."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.shared.paths import CHECK_DIR, EVAL_FILE, MODELS_DIR

DECLINED = {"out_of_scope", "nlu_fallback"}


def load_questions(path: Path = EVAL_FILE) -> List[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def load_check_corpus(directory: Path = CHECK_DIR) -> List[dict]:
    """The check corpus as questions ({text, intent}): answered_questions.yml (the intent that answers each)
    and uncovered_questions.yml (out_of_scope). Rasa's NLU format; entity markup is removed."""
    from rasa.shared.nlu.training_data.loading import load_data

    questions: List[dict] = []
    for name in ("answered_questions.yml", "uncovered_questions.yml"):
        data = load_data(str(directory / name))
        questions += [{"text": e.get("text"), "intent": e.get("intent")} for e in data.intent_examples]
    return questions


def latest_model(models_dir: Path = MODELS_DIR) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError(f"no trained model in {models_dir}: run `make train`")
    return models[-1]


def rate(part: int, whole: int) -> float:
    """part / whole, 0.0 for an empty whole."""
    return part / whole if whole else 0.0


@dataclass
class Score:
    """Top-1 accuracy on in-scope questions, fallback and decline rates, misses for reading."""

    in_scope: int = 0
    correct: int = 0
    fell_back: int = 0
    out_of_scope: int = 0
    declined: int = 0
    misses: List[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return rate(self.correct, self.in_scope)

    @property
    def fallback_rate(self) -> float:
        return rate(self.fell_back, self.in_scope)

    @property
    def declined_rate(self) -> float:
        return rate(self.declined, self.out_of_scope)


def score(questions: List[dict], predicted: List[Optional[str]]) -> Score:
    """`predicted[i]` is the intent chosen for `questions[i]` (nlu_fallback / out_of_scope = declined)."""
    result = Score()
    for question, intent in zip(questions, predicted):
        if question["intent"] == "out_of_scope":
            result.out_of_scope += 1
            if intent in DECLINED:
                result.declined += 1
            else:
                result.misses.append(f"OOS answered as {intent}: {question['text']}")
            continue
        result.in_scope += 1
        accepted = {question["intent"], *question.get("also", [])}
        if intent in accepted:
            result.correct += 1
        else:
            if intent == "nlu_fallback":
                result.fell_back += 1
            result.misses.append(f"{question['intent']} → {intent}: {question['text']}")
    return result


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency_summary(seconds: List[float]) -> Dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
    }
