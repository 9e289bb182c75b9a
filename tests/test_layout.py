"""The layout's one hard rule, checked: which side of the project may import what.

bot/shared runs in both venvs (pydantic 1 under Rasa, pydantic 2 under the gateway), so it imports neither
runtime; the gateway never imports Rasa; the Rasa side and the actions never import the gateway.
"""
import ast
from pathlib import Path

import pytest

from bot.shared.paths import PROJECT_ROOT

RASA = ("rasa", "rasa_sdk", "sanic", "tensorflow", "bot.rasa_side", "actions")
GATEWAY = ("fastapi", "starlette", "uvicorn", "linebot", "sqlalchemy", "jinja2", "reportlab", "bot.gateway")
DEVTOOLS = ("bot.devtools",)
FORBIDDEN = {
    "bot/shared": RASA + GATEWAY + DEVTOOLS,
    "bot/gateway": RASA + DEVTOOLS,
    # Rasa's own SQL tracker store is SQLAlchemy 1.4 (Rasa's pin): the launcher configures its pool
    "bot/rasa_side": tuple(p for p in GATEWAY if p != "sqlalchemy") + DEVTOOLS,
    "actions": GATEWAY + DEVTOOLS,
    "bot/devtools": GATEWAY,
}


def imported_names(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_module_imports_across_the_boundary(folder):
    wrong = sorted(f"{path.relative_to(PROJECT_ROOT)} imports {name}"
                   for path in (PROJECT_ROOT / folder).rglob("*.py")
                   for name in set(imported_names(path))
                   if any(is_under(name, package) for package in FORBIDDEN[folder]))
    assert not wrong, "\n".join(wrong)


def test_every_module_of_bot_belongs_to_one_side():
    loose = [path.name for path in (PROJECT_ROOT / "bot").glob("*.py") if path.name != "__init__.py"]
    assert not loose, f"put these under bot/shared, bot/rasa_side, bot/gateway or bot/devtools: {loose}"


def test_the_boundary_test_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from rasa.core import agent\n", encoding="utf-8")
    assert any(is_under(name, "rasa") for name in imported_names(module))
