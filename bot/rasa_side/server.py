"""Runs Rasa's command line (`python -m bot.rasa_side.server run ...`) with a faster per-message path.

Hot spots of Rasa 3.6 found by profiling a loaded server:
- every action-server reply is checked with `jsonschema.validate()`, which first re-checks the large,
  constant events schema itself (~20 ms of CPU per custom action, more than the NLU pipeline). Here
  the schema is checked once and its compiled validator reused; replies are validated exactly as
  before (same schema, same error).
- every stored event read back from the tracker store looks its class up by walking all subclasses
  of `Event` (a quarter of the CPU time of a conversation of 30 messages). Here a found class is
  remembered by its type name; unknown names still take Rasa's own path.
- the SQL tracker store on a SQLite file opened a new connection for each of its two sessions a message
  (SQLAlchemy 1.4's NullPool); here they are pooled, in write-ahead-log mode (a commit does not wait
  for the disk).
- the SQL tracker store reads and saves a conversation through the ORM (a Query with a subquery, a
  count, one ORM object per event); here the same rows are read and written by single SQLAlchemy Core
  statements (same table, same columns, same "events since the last session start").
- every graph run (the NLU pipeline, then the policies, for each message) built a dask graph of the
  model's nodes and ran it through dask's scheduler; here the same nodes are called in an order worked
  out once (the graph is small and runs in one thread anyway).
- RulePolicy tests every rule against the conversation's states twice a message; here the rule keys
  found for the last states (as many as the longest rule has) are remembered (bounded); other states
  are looked up anew.
`make bench` measures the difference.

Two more changes, not about speed:
- the HTTP API token comes from $RASA_TOKEN, not from the command line. Rasa 3.6 reads it only from
  `--auth-token` (no environment variable, no file, nothing in endpoints.yml), and a command line is
  readable by every local user (`ps`, /proc/*/cmdline); so `--auth-token` is added to Rasa's argument
  list inside this process, where `ps` does not see it. /proc/<pid>/environ is readable only by the
  process's own user.
- button payloads that are intents (`/show_answer{"answer_id": …}`) are not run through Rasa's response
  interpolator, which takes `{…}` for a slot name and logs an ERROR with a traceback for every button.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Dict, List, NamedTuple, Optional, Text


@functools.lru_cache(maxsize=1)
def action_response_validator():
    """The validator for the action-server response schema, built and schema-checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """Drop-in for `RemoteAction._validate_action_result` (raises the same ValidationError)."""
    from jsonschema.exceptions import best_match

    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def cached_event_type_resolver(resolve):
    """Wraps `Event.resolve_by_type` so that a class found once is not searched for again."""
    found: Dict[Text, Any] = {}

    def resolve_by_type(type_name, default=None):
        if type_name in found:
            return found[type_name]
        event_class = resolve(type_name, default)
        if event_class is not None and event_class is not default:
            found[type_name] = event_class
        return event_class

    return resolve_by_type


def quiet_interpolation(interpolate_text):
    """Wraps Rasa's `interpolate_text`: an intent payload (`/intent{json}`) is returned unchanged.

    Slots are never put into this project's intent payloads; every other text is interpolated as before.
    """
    def interpolate(response, values):
        if isinstance(response, str) and response.startswith("/"):
            return response
        return interpolate_text(response, values)

    interpolate.__wrapped_interpolator__ = True
    return interpolate


def sqlite_connection(path: str):
    """A connection to the tracker's SQLite file in write-ahead-log mode with `synchronous=NORMAL`: a commit
    appends to the log without waiting for the disk (readers and the one writer do not block each other).
    The file stays consistent after any crash; a power cut may lose the last commits, never corrupt it."""
    import sqlite3

    connection = sqlite3.connect(path, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def pooled_sqlite_kwargs(engine_kwargs):
    """Wraps Rasa's `create_engine_kwargs`: a SQLite file keeps its connections in a pool, in WAL mode.

    SQLAlchemy 1.4 opens a new SQLite connection for every session on a file database (NullPool), and
    Rasa's SQL tracker store opens two sessions a message (read the conversation, save its new events).
    Pooled: about 1 ms a message less over REST (A/B, 2026-12-01); WAL + synchronous=NORMAL: a new
    conversation's read and save 6.0 → 4.3 ms (p50) in process. PostgreSQL URLs keep Rasa's own
    settings (a QueuePool of its size)."""
    def kwargs_for(url):
        kwargs = engine_kwargs(url)
        if str(url).startswith("sqlite") and ":memory:" not in str(url):
            from sqlalchemy.engine import make_url
            from sqlalchemy.pool import QueuePool

            path = make_url(str(url)).database
            kwargs = {**kwargs, "poolclass": QueuePool, "creator": lambda: sqlite_connection(path)}
        return kwargs

    kwargs_for.__wrapped_engine_kwargs__ = True
    return kwargs_for


def session_events(store, sender_id: Text):
    """The events table and the condition for one conversation's latest session, as Rasa's
    `SQLTrackerStore._event_query` selects them: the events since its last `session_started`, or all."""
    import sqlalchemy as sa
    from rasa.shared.core.events import SessionStarted

    events = store.SQLEvent.__table__
    session_start = (sa.select([sa.func.max(events.c.timestamp)])
                     .where(events.c.sender_id == sender_id, events.c.type_name == SessionStarted.type_name)
                     .scalar_subquery())
    return events, sa.and_(events.c.sender_id == sender_id,
                           sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))


async def retrieve_with_core(self, sender_id: Text, fetch_events_from_all_sessions: bool):
    """Drop-in for `SQLTrackerStore._retrieve`: the same events, in one SELECT."""
    import json

    import sqlalchemy as sa
    from rasa.shared.core.trackers import DialogueStateTracker

    events, latest_session = session_events(self, sender_id)
    condition = events.c.sender_id == sender_id if fetch_events_from_all_sessions else latest_session
    with self.engine.connect() as connection:
        rows = connection.execute(sa.select([events.c.data]).where(condition).order_by(events.c.id)).fetchall()
    if self.domain and rows:
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row[0]) for row in rows], self.domain.slots)
    return None


async def save_with_core(self, tracker) -> None:
    """Drop-in for `SQLTrackerStore.save`: the events not stored yet, in one transaction (a count, one INSERT)."""
    import itertools
    import json

    import sqlalchemy as sa
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    await self.stream_events(tracker)
    events, latest_session = session_events(self, tracker.sender_id)
    with self.engine.begin() as connection:
        stored = connection.execute(sa.select([sa.func.count()]).select_from(events).where(latest_session)).scalar()
        rows = []
        for event in itertools.islice(tracker.events, stored, len(tracker.events)):
            data = event.as_dict()
            rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                         "action_name": data.get("name"), "data": json.dumps(data)})
        if rows:
            connection.execute(events.insert(), rows)


def graph_execution_order(schema, targets: List[Text]) -> List[Text]:
    """The nodes `targets` need, each after the nodes it needs (inputs are not nodes: left out)."""
    order: List[Text] = []

    def visit(name: Text) -> None:
        if name in order or name not in schema.nodes:
            return
        for needed in schema.nodes[name].needs.values():
            visit(needed)
        order.append(name)

    for target in targets:
        visit(target)
    return order


def run_graph_in_order(self, inputs: Optional[Dict[Text, Any]] = None,
                       targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """Drop-in for `DaskGraphRunner.run`: the same nodes called with the same arguments, one after
    another in an order computed once per target list, without building a dask graph each time."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    orders = self.__dict__.setdefault("_execution_orders", {})
    order = orders.get(tuple(run_targets))
    if order is None:
        order = orders[tuple(run_targets)] = graph_execution_order(self._graph_schema, run_targets)
    results: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in order:   # DaskGraphRunner's check, same message
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names "
                f"passed to the `run` method are the same as node names in the graph schema.")
        results[name] = (name, value)
    nodes = self._graph_schema.nodes
    try:
        for name in order:   # as in dask, a need that is neither a node nor an input is passed as its name
            results[name] = self._instantiated_nodes[name](*(results.get(needed, needed)
                                                             for needed in nodes[name].needs.values()))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[target] for target in run_targets)


RULE_KEYS_REMEMBERED = 4096   # conversation states remembered per lookup before the memo starts again


class RuleKeysMemo(NamedTuple):
    """The rule keys found in one of RulePolicy's lookups, by the conversation's recent states."""
    lookup: Dict[str, Any]
    longest_rule: int   # states: a rule looks back no further
    keys: Dict[str, frozenset]


def remembered_rule_keys(get_possible_keys):
    """Wraps `RulePolicy._get_possible_keys` (every rule tested against the conversation's states, twice a
    message) so that the keys found for one lookup and the same recent states are not searched for again.
    A rule looks back no further than its own length: states older than the longest rule do not change
    the keys found, so they are left out of the memo's key (long conversations hit it too)."""
    import json

    @functools.wraps(get_possible_keys)
    def possible_keys(self, lookup, states):
        memos = self.__dict__.setdefault("_rule_keys_memo", {})
        memo = memos.get(id(lookup))
        if memo is None or memo.lookup is not lookup:   # a new lookup (an id may be reused)
            longest = max((len(self._rule_key_to_state(rule)) for rule in lookup), default=0)
            memo = memos[id(lookup)] = RuleKeysMemo(lookup, longest, {})
        recent = json.dumps(states[max(len(states) - memo.longest_rule, 0):], sort_keys=True, default=repr)
        found = memo.keys.get(recent)
        if found is None:
            if len(memo.keys) >= RULE_KEYS_REMEMBERED:
                memo.keys.clear()
            found = memo.keys[recent] = frozenset(get_possible_keys(self, lookup, states))
        return set(found)

    possible_keys.__wrapped_rule_keys__ = True
    return possible_keys


RASA_SQL_STORE: Dict[str, Any] = {}   # Rasa's own SQLTrackerStore._retrieve and save, once replaced (for tests)
PATCHED_RASA = "3.6."   # the release line whose internals are patched below


class RasaInternalsChanged(RuntimeError):
    """Rasa no longer has what this module patches: fail at start rather than silently lose the speed-ups."""


def check_rasa_internals(version: str = "", modules: Optional[Dict[str, Any]] = None) -> None:
    """Raise `RasaInternalsChanged` unless Rasa is 3.6.x and has every attribute `install_speedups` replaces,
    still used where this module expects it."""
    import inspect

    import rasa
    from rasa.core.actions import action
    from rasa.core import tracker_store
    from rasa.core.nlg import interpolator
    from rasa.core.policies import rule_policy
    from rasa.engine.runner import dask
    from rasa.shared.core import events

    version = version or rasa.__version__
    modules = modules or {"action": action, "events": events, "interpolator": interpolator,
                          "tracker_store": tracker_store, "dask": dask, "rule_policy": rule_policy}
    problems = [] if version.startswith(PATCHED_RASA) else [f"Rasa {version} (patched for {PATCHED_RASA}x)"]
    remote = getattr(modules["action"], "RemoteAction", None)
    sql_store = getattr(modules.get("tracker_store"), "SQLTrackerStore", None)
    for owner, name, what in ((remote, "_validate_action_result", "RemoteAction._validate_action_result"),
                              (remote, "action_response_format_spec", "RemoteAction.action_response_format_spec"),
                              (getattr(modules["events"], "Event", None), "resolve_by_type", "Event.resolve_by_type"),
                              (modules["interpolator"], "interpolate_text", "rasa.core.nlg.interpolator.interpolate_text"),
                              (modules.get("tracker_store"), "create_engine_kwargs",
                               "rasa.core.tracker_store.create_engine_kwargs"),
                              (sql_store, "_retrieve", "SQLTrackerStore._retrieve"),
                              (sql_store, "_event_query", "SQLTrackerStore._event_query"),
                              (getattr(modules.get("dask"), "DaskGraphRunner", None), "run", "DaskGraphRunner.run"),
                              (getattr(modules.get("rule_policy"), "RulePolicy", None), "_get_possible_keys",
                               "RulePolicy._get_possible_keys")):
        if owner is None or not hasattr(owner, name):
            problems.append(f"{what} is gone")
    if remote is not None and hasattr(remote, "run") and "_validate_action_result" not in inspect.getsource(remote.run):
        problems.append("RemoteAction.run no longer calls _validate_action_result")
    runner = getattr(modules.get("dask"), "DaskGraphRunner", None)
    if runner is not None and "_instantiated_nodes" not in inspect.getsource(runner.__init__):
        problems.append("DaskGraphRunner no longer keeps its nodes in _instantiated_nodes")
    if problems:
        raise RasaInternalsChanged("bot.rasa_side.server patches Rasa internals that changed: " + "; ".join(problems)
                                   + ". Update bot/rasa_side/server.py for this Rasa, or start Rasa with `rasa run`.")


def install_speedups() -> None:
    check_rasa_internals()
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = validate_action_result
    if not hasattr(Event.resolve_by_type, "__wrapped_resolver__"):
        resolver = cached_event_type_resolver(Event.resolve_by_type)
        resolver.__wrapped_resolver__ = True
        Event.resolve_by_type = staticmethod(resolver)
    from rasa.core.nlg import interpolator

    if not hasattr(interpolator.interpolate_text, "__wrapped_interpolator__"):
        interpolator.interpolate_text = quiet_interpolation(interpolator.interpolate_text)
    from rasa.core import tracker_store

    if not hasattr(tracker_store.create_engine_kwargs, "__wrapped_engine_kwargs__"):
        tracker_store.create_engine_kwargs = pooled_sqlite_kwargs(tracker_store.create_engine_kwargs)
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.runner.dask import DaskGraphRunner

    DaskGraphRunner.run = run_graph_in_order
    if not hasattr(RulePolicy._get_possible_keys, "__wrapped_rule_keys__"):
        RulePolicy._get_possible_keys = remembered_rule_keys(RulePolicy._get_possible_keys)
    store = tracker_store.SQLTrackerStore
    if not os.environ.get("POSTGRESQL_SCHEMA") and store.save is not save_with_core:   # Rasa's own path
        RASA_SQL_STORE.update(_retrieve=store._retrieve, save=store.save)               # checks that schema
        store._retrieve, store.save = retrieve_with_core, save_with_core


def with_token(argv: List[str], environ=os.environ) -> List[str]:
    """`rasa run` arguments with `--auth-token $RASA_TOKEN` added when the variable is set."""
    token = environ.get("RASA_TOKEN", "")
    if argv[1:2] == ["run"] and token and "--auth-token" not in argv and "-t" not in argv:
        return argv + ["--auth-token", token]
    return argv


def main() -> None:
    install_speedups()
    from rasa.__main__ import main as rasa_main

    sys.argv = with_token(sys.argv)
    rasa_main()


if __name__ == "__main__":
    main()
