"""bot.shared imports under the gateway's pydantic 2 without pulling in Rasa (see tests/test_layout.py)."""
import importlib
import pkgutil
import sys

import bot.shared


def test_every_shared_module_imports_in_the_gateway_venv_without_rasa():
    for module in pkgutil.walk_packages(bot.shared.__path__, "bot.shared."):
        importlib.import_module(module.name)
    assert not [name for name in sys.modules if name == "rasa" or name.startswith(("rasa.", "rasa_sdk"))]
