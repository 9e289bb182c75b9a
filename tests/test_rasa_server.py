"""The Rasa launcher's speed-ups behave exactly like the Rasa code they replace."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from bot.rasa_side.server import (RasaInternalsChanged, cached_event_type_resolver, check_rasa_internals,
                                  graph_execution_order, remembered_rule_keys, run_graph_in_order,
                                  validate_action_result, with_token)

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


def test_the_token_goes_into_rasas_arguments_not_onto_the_command_line():
    argv = ["bot.rasa_side.server", "run", "--enable-api", "--port", "5005"]
    assert with_token(argv, {"RASA_TOKEN": "s3cret"}) == argv + ["--auth-token", "s3cret"]
    assert with_token(argv, {}) == argv
    assert with_token(["bot.rasa_side.server", "shell"], {"RASA_TOKEN": "s3cret"}) == ["bot.rasa_side.server", "shell"]
    given = argv + ["--auth-token", "other"]
    assert with_token(given, {"RASA_TOKEN": "s3cret"}) == given


def test_intent_payloads_are_not_interpolated_and_log_nothing():
    from structlog.testing import capture_logs

    from rasa.core.nlg import interpolator
    from rasa.shared.core.domain import Domain

    from bot.rasa_side.server import install_speedups

    install_speedups()
    domain = Domain.load("domain.yml")
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    slots = {slot.name: None for slot in domain.slots}
    with capture_logs() as logs:
        reply = nlg.generate_from_slots("utter_help", slots, "rest")
        filled = interpolator.interpolate("{guide}です", {"guide": "代理"})
    assert '/show_answer{"answer_id": "lost_card"}' in [b["payload"] for b in reply["buttons"]]
    assert filled == "代理です"                          # slots are still filled in other texts
    assert not [entry for entry in logs if entry.get("log_level") == "error"]


def test_the_installed_rasa_has_everything_the_launcher_patches():
    check_rasa_internals()


def test_another_rasa_version_fails_loudly_at_start():
    with pytest.raises(RasaInternalsChanged, match="Rasa 3.7.0"):
        check_rasa_internals(version="3.7.0")


def test_a_renamed_internal_fails_loudly_at_start():
    from types import SimpleNamespace

    from rasa.core.actions import action
    from rasa.shared.core import events

    renamed = SimpleNamespace(RemoteAction=action.RemoteAction, Event=events.Event,
                              interpolator=SimpleNamespace(interpolate_template=lambda *a: None))
    with pytest.raises(RasaInternalsChanged, match="interpolate_text is gone"):
        check_rasa_internals(modules={"action": renamed, "events": renamed, "interpolator": renamed.interpolator})


def test_a_sqlite_tracker_store_keeps_its_connections_and_its_conversations(tmp_path):
    from rasa.core import tracker_store
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.pool import QueuePool

    from bot.rasa_side.server import install_speedups, pooled_sqlite_kwargs

    assert pooled_sqlite_kwargs(lambda url: {})("sqlite:///x.db")["poolclass"] is QueuePool
    assert pooled_sqlite_kwargs(lambda url: {"pool_size": 50})("postgresql://h/db") == {"pool_size": 50}
    install_speedups()
    store = tracker_store.SQLTrackerStore(Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("こんにちは", {"name": "greet"})])
    import asyncio

    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("someone")).latest_message.text == "こんにちは"


def test_the_sql_tracker_store_reads_and_saves_the_same_events_as_rasas_own_code(tmp_path, monkeypatch):
    """install_speedups: Core statements for SQLTrackerStore._retrieve and save. The same rows stored and the
    same trackers read back as with Rasa's own ORM code, over two conversation sessions and repeated saves."""
    import asyncio

    from rasa.core import tracker_store
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_side.server import RASA_SQL_STORE, install_speedups, retrieve_with_core, save_with_core

    install_speedups()
    store_class = tracker_store.SQLTrackerStore
    assert (store_class._retrieve, store_class.save) == (retrieve_with_core, save_with_core)
    domain = Domain.load("domain.yml")

    def conversation(name):
        store = store_class(domain, dialect="sqlite", db=str(tmp_path / f"{name}.db"))
        tracker = DialogueStateTracker.from_events("someone", [
            ActionExecuted("action_session_start", timestamp=1), SessionStarted(timestamp=2),
            ActionExecuted("action_listen", timestamp=3), UserUttered("こんにちは", {"name": "greet"}, timestamp=4)])
        asyncio.run(store.save(tracker))
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve("someone"))
        for event in [ActionExecuted("action_session_start", timestamp=10), SessionStarted(timestamp=11),
                      ActionExecuted("action_listen", timestamp=12),
                      UserUttered("暗証番号を忘れた", {"name": "pin_forgot"}, timestamp=13)]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        with store.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()
        read = [asyncio.run(store.retrieve(who)) for who in ("someone", "nobody")]
        return rows, [t and t.current_state() for t in read], asyncio.run(store.retrieve_full_tracker("someone")).current_state()

    with_core = conversation("core")
    monkeypatch.setattr(store_class, "_retrieve", RASA_SQL_STORE["_retrieve"])
    monkeypatch.setattr(store_class, "save", RASA_SQL_STORE["save"])
    assert conversation("rasa") == with_core
    assert with_core[1][0]["latest_message"]["text"] == "暗証番号を忘れた" and with_core[1][1] is None


def test_graph_nodes_run_after_the_nodes_they_need():
    from types import SimpleNamespace

    def node(*needs):
        return SimpleNamespace(needs={f"arg{i}": need for i, need in enumerate(needs)})

    schema = SimpleNamespace(nodes={"tokens": node("__message__"), "features": node("tokens"),
                                    "intent": node("features", "tokens"), "unused": node("tokens")})
    assert graph_execution_order(schema, ["intent"]) == ["tokens", "features", "intent"]
    assert graph_execution_order(schema, ["unused", "intent"]) == ["tokens", "unused", "features", "intent"]


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    from bot.devtools.evaluation import latest_model

    return Agent.load(str(latest_model()))


def test_the_graph_run_in_order_parses_and_predicts_as_dask_does(agent):
    import asyncio

    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.trackers import DialogueStateTracker

    messages = ["代理交付に必要な書類は？", "あんしょうばんごうわすれた", "今日の天気は？", "/greet"]
    runners = {"dask": DaskGraphRunner.run, "in order": run_graph_in_order}
    results = {}
    try:
        for name, run in runners.items():
            DaskGraphRunner.run = run
            parsed = [asyncio.run(agent.parse_message(text)) for text in messages]
            tracker = DialogueStateTracker.from_events("s", [
                ActionExecuted("action_listen"),
                UserUttered(messages[0], parsed[0]["intent"], parsed[0]["entities"])], agent.domain.slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            results[name] = (parsed, prediction.probabilities, prediction.policy_name)
    finally:
        DaskGraphRunner.run = runners["dask"]
    assert results["in order"] == results["dask"]


def rule(*states):
    import json

    return json.dumps([{"prev_action": {"action_name": "action_listen"}, **state} for state in states])


def rule_states(*states):
    import json

    return json.loads(rule(*states))


GREET, BYE, THANKS = ({"user": {"intent": name}} for name in ("greet", "bye", "thanks"))


def test_rule_keys_are_found_once_per_lookup_and_recent_states():
    from rasa.core.policies.rule_policy import RulePolicy

    calls = []

    def get_possible_keys(self, lookup, states):
        calls.append(states)
        return RulePolicy._get_possible_keys(self, lookup, states)

    remembered = remembered_rule_keys(get_possible_keys)
    policy = RulePolicy.__new__(RulePolicy)   # the matching needs no trained state
    rules = {rule(GREET): "utter_greet", rule(BYE): "utter_bye", rule(GREET, THANKS): "utter_welcome"}
    loop_rules = {rule(GREET): "loop"}
    states = [*rule_states(GREET, THANKS)]
    assert remembered(policy, rules, states) == {rule(GREET, THANKS)}
    remembered(policy, rules, states).add("changed by the caller")
    assert remembered(policy, rules, [*rule_states(BYE, GREET, THANKS)]) == {rule(GREET, THANKS)}  # older: same
    assert len(calls) == 1
    assert remembered(policy, loop_rules, states) == set()
    assert remembered(policy, rules, [*rule_states(BYE)]) == {rule(BYE)}
    assert len(calls) == 3


def test_remembered_rule_keys_are_rasas_for_any_history():
    import itertools

    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    remembered = remembered_rule_keys(RulePolicy._get_possible_keys)
    rules = {rule(GREET): "utter_greet", rule(BYE): "utter_bye", rule(GREET, THANKS): "utter_welcome",
             rule(THANKS, GREET, BYE): "utter_bye_again"}
    for history in itertools.product((GREET, BYE, THANKS), repeat=4):
        for length in range(1, 5):
            states = rule_states(*history[:length])
            assert remembered(policy, rules, states) == RulePolicy._get_possible_keys(policy, rules, states), states

