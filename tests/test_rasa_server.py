"""The Rasa launcher's speed-ups behave exactly like the Rasa code they replace."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot.rasa_server import cached_event_type_resolver, validate_action_result

VALID_REPLY = {
    "events": [{"event": "slot", "name": "guide", "value": "pin"}],
    "responses": [{"text": "こんにちは", "buttons": [], "custom": {"answer_id": "greet"}}],
}
INVALID_REPLIES = [
    {"events": [{"event": "slot"}]},              # a slot event without a name
    {"events": [{"name": "x"}]},                   # an event without a type
    {"responses": "not a list"},
    ["not", "an", "object"],
]


def rasa_action() -> RemoteAction:
    return RemoteAction("action_answer", None)


def test_valid_reply_passes_both_validators():
    assert validate_action_result(rasa_action(), VALID_REPLY) is True
    assert rasa_action()._validate_action_result(VALID_REPLY) is True


@pytest.mark.parametrize("reply", INVALID_REPLIES)
def test_invalid_reply_fails_like_rasa(reply):
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(rasa_action(), reply)
    with pytest.raises(jsonschema.ValidationError) as rasas:
        rasa_action()._validate_action_result(reply)
    assert ours.value.message == rasas.value.message


def test_event_lookup_is_cached_and_unknown_names_still_fail():
    calls = []

    def resolve(type_name, default=None):
        calls.append(type_name)
        return Event.resolve_by_type(type_name, default)

    cached = cached_event_type_resolver(resolve)
    for name, event_class in [("user", UserUttered), ("action", ActionExecuted), ("slot", SlotSet)]:
        assert cached(name) is event_class
        assert cached(name) is event_class
    assert calls == ["user", "action", "slot"]
    assert cached("no_such_event", default=SlotSet) is SlotSet
    assert cached("no_such_event", default=UserUttered) is UserUttered  # a default is never remembered
    with pytest.raises(ValueError):
        cached("no_such_event")
