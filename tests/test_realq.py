"""The real-question evaluation set (tests/realq/): its shape, its separation from the training data,
and a floor on the `test` split, graded on the reply text over the real REST channel."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.devtools.evaluation import load_check_corpus
from bot.devtools.realq import ask_all, grade, load_realq, normalize_reply, page_key, score_realq, tap_all
from bot.shared.answers import show_answer_payload
from bot.devtools.stack import running_stack
from tests import ports

# Regression floors on the `test` split (202 in scope, 138 uncovered since session 11), under what it measured
# with `make bench` on 2026-12-01, session 11 (61.9 % answered, 79.7 % declined, 25.2 % wrongly declined;
# docs/bench.md; session 10: 61.3 / 79.7 / 25.6 % on 199 / 138). The parts collected blind since session 7 came in harder than the older questions (sessions 7–8:
# 42/71 answered before any tuning; session 10: 22/41), hence answered 0.62 → 0.58 and wrongly declined 0.27 → 0.29
# in session 8. Session 20 measured 65.8 % answered, 87.0 % declined, 22.8 % wrongly declined (the days until the card
# comes and the PIN's choice routed): the floors raised to a few points under that. The targets of the issue are 90 %
# answered, 90 % declined, ≤ 5 % wrongly declined: not reached yet. Session 24 added part r (blind, 33 in scope and 15
# uncovered on the test side, scored 21/33 and 9/15 before any tuning): test 129/153 uncovered declined in replay (84.3 %),
# hence declined 0.84 → 0.82.
FLOOR_ANSWERED = 0.62
FLOOR_DECLINED = 0.82
CEILING_WRONGLY_DECLINED = 0.26
NEAR_DUPLICATE = 0.6   # Jaccard similarity of character bigrams: above it, a paraphrase


def bigrams(text: str) -> set:
    text = normalize_reply(text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def test_set_is_large_varied_and_split_by_page():
    questions = load_realq()
    kinds = Counter(q["kind"] for q in questions)
    assert len(questions) >= 250 and kinds["uncovered"] >= 80, kinds
    assert set(kinds) == {"in_scope", "uncovered"}
    for question in questions:
        assert question["url"].startswith("http"), question
        assert question["kind"] == "uncovered" or question["facts"], question
        for pattern in [*question.get("facts", []), question.get("route") or "."]:
            re.compile(pattern)
    pages = {}
    for question in questions:
        assert pages.setdefault(page_key(question["url"]), question["split"]) == question["split"]
    test_texts = {normalize_reply(q["text"]) for q in questions if q["split"] == "test"}
    assert not test_texts & {normalize_reply(q["text"]) for q in questions if q["split"] == "dev"}


def test_no_training_example_copies_or_paraphrases_an_evaluation_question(training_data):
    examples = [bigrams(e.get("text")) for e in training_data.training_examples if e.get("text")]
    close = []
    for question in load_realq():
        grams = bigrams(question["text"])
        if any(len(grams & example) >= NEAR_DUPLICATE * len(grams | example) for example in examples):
            close.append(question["text"])
    assert close == []


def test_the_check_corpus_is_large_labelled_and_not_trained_on(training_data, kb):
    """tests/lexicon/: the blind-written corpus `make bench` reports beside the real questions."""
    questions = load_check_corpus()
    kinds = Counter("uncovered" if q["intent"] == "out_of_scope" else "answered" for q in questions)
    assert kinds["answered"] >= 300 and kinds["uncovered"] >= 150, kinds
    assert {q["intent"] for q in questions} <= {*kb.intents, "out_of_scope"}
    trained = {normalize_reply(e.get("text")) for e in training_data.training_examples if e.get("text")}
    assert not trained & {normalize_reply(q["text"]) for q in questions}


ROUTE = {"text": "資料には書かれていません。市区町村にお問い合わせください。", "custom": {"fallback": True}}
ANSWER = {"text": "暗証番号を3回間違えるとロックされます。", "custom": {"answer_id": "pin_forgot"}}


@pytest.mark.unit
def test_an_answer_beside_a_routing_reply_counts_as_answered_and_the_route_as_declined():
    in_scope = {"kind": "in_scope", "facts": ["3回"]}
    uncovered = {"kind": "uncovered", "route": "市区町村"}
    assert grade(in_scope, [ROUTE, ANSWER]).ok and grade(in_scope, [ROUTE]).declined
    assert grade(uncovered, [ROUTE, ANSWER]).routed
    assert not grade({**uncovered, "route": "ロック"}, [ROUTE, ANSWER]).routed   # the place is named by the decline
    over_rest = [{"text": ROUTE["text"]}, {"custom": ROUTE["custom"]}, {"text": ANSWER["text"]}, {"custom": ANSWER["custom"]}]
    assert grade(uncovered, over_rest).routed and grade(in_scope, over_rest).ok


@pytest.mark.unit
def test_a_maybe_counts_one_tap_away_only_when_a_buttons_reply_has_the_key_facts():
    question = {"kind": "in_scope", "facts": ["3回"], "text": "暗証番号は?", "url": "https://example.jp/q"}
    maybe = [{"text": "もしかして", "buttons": [{"title": "紛失", "payload": "/x"}, {"title": "暗証番号", "payload": "/y"}],
              "custom": {"fallback": True}}]
    lost = {"text": "警察に届けます。", "custom": {"answer_id": "lost_card"}}
    one_tap = score_realq([question], [maybe], [[[lost], [ANSWER]]])
    assert (one_tap.answered, one_tap.wrongly_declined, one_tap.one_tap, one_tap.within_one_tap_rate) == (0, 1, 1, 1.0)
    assert score_realq([question], [maybe], [[[lost]]]).one_tap == 0
    assert score_realq([question], [[ANSWER]], [[]]).one_tap == 0              # answered: not counted twice
    assert score_realq([question], [maybe]).one_tap == 0                     # no taps asked for


@pytest.fixture(scope="module")
def stack():
    with running_stack(**ports.REALQ) as urls:
        yield urls


def test_a_maybes_buttons_are_tapped_over_rest_and_other_replies_are_not(stack):
    maybe = [{"text": "もしかして", "buttons": [{"title": "紛失", "payload": show_answer_payload("lost_card")}],
              "custom": {"fallback": True}}]
    taps = tap_all(stack["rest"], [maybe, [ANSWER], [ROUTE]])
    assert [len(t) for t in taps] == [1, 0, 0]
    assert any(m.get("custom", {}).get("answer_id") == "lost_card" for m in taps[0][0]), taps[0]


def test_test_split_keeps_the_floor(stack):
    questions = load_realq("test")
    result = score_realq(questions, ask_all(stack["rest"], questions))
    figures = result.as_dict()   # no misses printed: the test split is looked at only to report
    assert result.answered_rate >= FLOOR_ANSWERED, figures
    assert result.declined_rate >= FLOOR_DECLINED, figures
    assert result.wrongly_declined_rate <= CEILING_WRONGLY_DECLINED, figures
