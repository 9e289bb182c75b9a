"""Shared fixtures: the knowledge base, the domain and training data, and the trained model."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# Test tiers, given by the fixtures a test uses (a module may also set `pytestmark` itself):
# e2e = a real browser; integration = real servers (Rasa, action server, gateway, PostgreSQL, fake LINE API)
# or the trained model; unit = everything else (in process, no trained model). `make test-fast` runs unit.
E2E_FIXTURES = {"browser", "page", "phone"}
INTEGRATION_FIXTURES = {"rasa_stack", "gateway", "postgres", "pg_stack", "stack", "agent", "fake_line",
                        "line_gateway", "live", "own", "run", "gateway_env"}


# A test that starts a server in its own body is integration too (its source names one of these).
SERVER_CALLS = ("gateway_server(", "running_stack(", "running_postgres(", "logged_gateway(", "subprocess.")


def starts_a_server(item) -> bool:
    import inspect

    function = getattr(item, "function", None)
    try:
        return function is not None and any(call in inspect.getsource(function) for call in SERVER_CALLS)
    except (OSError, TypeError):
        return False


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(tier) for tier in ("unit", "integration", "e2e")):
            continue
        fixtures = set(getattr(item, "fixturenames", ()))
        tier = ("e2e" if fixtures & E2E_FIXTURES else
                "integration" if fixtures & INTEGRATION_FIXTURES or starts_a_server(item) else "unit")
        item.add_marker(getattr(pytest.mark, tier))


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
