"""Choose the FallbackClassifier threshold on held-out TRAINING data (not on the evaluation set).

Splits data/nlu 80/20 (stratified by intent, fixed seed), trains the NLU of config.yml on the 80%,
parses the 20%, and prints accuracy / fallback / out-of-scope decline for a grid of thresholds.
Usage: PYTHONPATH=. .venv/bin/python scripts/tune_fallback.py
"""
from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data

from bot.devtools.evaluation import score

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    random.seed(7)
    data = load_data(str(ROOT / "data" / "nlu"))
    train, held_out = data.train_test_split(train_frac=0.8, random_seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "nlu.yml"
        train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
        model = train_nlu(str(ROOT / "config.yml"), str(train_file), tmp, fixed_model_name="tune")
        agent = Agent.load(model)
        questions = [{"text": e.get("text"), "intent": e.get("intent")} for e in held_out.intent_examples]

        async def parse_all():
            return [await agent.parse_message(q["text"]) for q in questions]

        parsed = asyncio.run(parse_all())
    rankings = [[r for r in p["intent_ranking"] if r["name"] != "nlu_fallback"] for p in parsed]
    conversation = {"greet", "goodbye", "thank", "help", "bot_challenge", "human_handoff", "affirm", "deny"}
    print(f"{len(questions)} held-out examples")
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        for ambiguity in (0.0, 0.05, 0.1):
            predicted = []
            for ranking in rankings:
                top, second = ranking[0], (ranking[1]["confidence"] if len(ranking) > 1 else 0.0)
                unsure = top["confidence"] < threshold or top["confidence"] - second < ambiguity
                predicted.append("nlu_fallback" if unsure else top["name"])
            kept = [(q, p) for q, p in zip(questions, predicted) if q["intent"] not in conversation]
            result = score([q for q, _ in kept], [p for _, p in kept])
            print(
                f"threshold {threshold:.2f} ambiguity {ambiguity:.2f}: accuracy {result.accuracy:.3f} "
                f"fallback {result.fallback_rate:.3f} declined {result.declined_rate:.3f}"
            )


if __name__ == "__main__":
    main()
