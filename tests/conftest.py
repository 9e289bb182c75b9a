"""Shared fixtures: the knowledge base, the domain and training data, and the trained model."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb():
    from bot.shared.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def domain():
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def training_data():
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="session")
def eval_questions():
    return yaml.safe_load((ROOT / "tests" / "eval" / "nlu_eval.yml").read_text(encoding="utf-8"))["questions"]
