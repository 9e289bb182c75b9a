"""The knowledge base holds together and traces every fact to the sources."""
from __future__ import annotations

import re
import unicodedata

import pytest
import yaml

from bot.knowledge import (
    PHONE_RE,
    sources_dir,
    Entry,
    KnowledgeError,
    dates_in,
    load_knowledge,
    verify_against_sources,
)
from tests.conftest import ROOT

CONVERSATION_INTENTS = {
    "greet", "goodbye", "thank", "help", "bot_challenge", "out_of_scope",
    "affirm", "deny", "human_handoff", "show_answer",
    "start_guide", "stop_guide", "restart_guide", "resume_guide",
}


def test_every_quote_number_and_date_is_in_the_sources(kb):
    assert verify_against_sources(kb) == []


def test_every_source_document_exists(kb):
    for doc in kb.documents.values():
        assert (sources_dir() / doc.file).is_file(), doc.file


def test_domain_intents_are_the_knowledge_intents_plus_conversation(kb, domain):
    assert set(domain["intents"]) == set(kb.intents) | CONVERSATION_INTENTS


def test_every_knowledge_intent_is_answered_by_a_rule():
    rules = yaml.safe_load((ROOT / "data/rules/knowledge.yml").read_text(encoding="utf-8"))["rules"]
    answered = {r["steps"][0]["intent"] for r in rules if r["steps"][1]["action"] == "action_answer"}
    assert answered == set(load_knowledge().intents) | {"show_answer"}


def test_every_entry_is_reachable(kb, training_data):
    """Its intent has training examples, and its entity conditions can be extracted."""
    trained_intents = training_data.intents
    synonym_values = set(training_data.entity_synonyms.values())
    for entry in kb.entries:
        assert entry.intent in trained_intents, f"{entry.id}: no NLU examples for {entry.intent}"
        for name, value in entry.when.items():
            assert value in synonym_values, f"{entry.id}: {name}={value} is no synonym value"
            assert kb.select(entry.intent, {name: [value]}) is not None


def test_each_intent_has_one_default_entry_named_like_it(kb):
    for intent in kb.intents:
        default = kb.default_entry(intent)
        assert default is not None and default.id == intent


def test_selection_prefers_the_entry_matching_the_entities(kb):
    for entry in kb.entries:
        if entry.when:
            entities = {name: [value] for name, value in entry.when.items()}
            assert kb.select(entry.intent, entities).id == entry.id
            assert kb.select(entry.intent, {}).id == entry.intent


def test_citation_names_document_section_and_page(kb):
    entry = kb.by_id["lost_card"]
    citation = kb.citation(entry)
    assert citation.startswith("出典：取得・管理マニュアルVer.2（2023年12月）")
    assert "第8" in citation and "p.28" in citation


def test_fixed_messages_give_only_numbers_from_the_sources(kb, domain):
    all_text = "\n".join(p.read_text(encoding="utf-8") for p in sources_dir().glob("*.txt"))
    texts = list(kb.messages.values()) + [
        variant["text"] for variants in domain["responses"].values() for variant in variants
    ]
    for text in texts:
        for number in PHONE_RE.findall(unicodedata.normalize("NFKC", text)):
            assert number in all_text, number


def test_the_key_contacts_are_right(kb):
    """The numbers people will dial, digit by digit, where the manual gives them."""
    assert "0120-95-0178" in kb.by_id["lost_card"].answer
    assert "0120-601-785" in kb.by_id["fax_inquiry"].answer
    assert "0120-95-0178" in kb.by_id["free_dial"].answer
    assert "0120-95-0178" in kb.by_id["photo_exception_online"].answer


def test_dates_are_parsed_in_both_eras():
    assert [d.isoformat() for d in dates_in("令和6年12月2日と2025（令和7）年12月1日")] == [
        "2024-12-02",
        "2025-12-01",
    ]
    assert [d.isoformat() for d in dates_in("本年12月2日", this_year=2024)] == ["2024-12-02"]


def test_schema_rejects_bad_entries():
    base = dict(
        id="x", intent="x", title="t", answer="a",
        sources=[{"doc": "manual_v2", "section": "第8", "page": 28, "quote": "quote"}],
        as_of="2023-12-12",
    )
    Entry(**base)
    for bad in (
        {"id": "Bad-Id"},
        {"answer": "あ" * 401},
        {"title": "た" * 21},
        {"sources": []},
        {"related": ["a", "b", "c", "d"]},
    ):
        with pytest.raises(ValueError):
            Entry(**{**base, **bad})


def test_integrity_errors_are_reported(tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "sources.yml").write_text((ROOT / "knowledge/sources.yml").read_text(encoding="utf-8"))
    (tmp_path / "messages.yml").write_text((ROOT / "knowledge/messages.yml").read_text(encoding="utf-8"))
    (tmp_path / "entries" / "a.yml").write_text(
        "- {id: a, intent: a, title: t, answer: x, as_of: 2023-12-12, related: [missing],\n"
        "   sources: [{doc: nowhere, section: s, quote: abcd}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(tmp_path)
    assert "missing" in str(error.value) and "nowhere" in str(error.value)


def test_answers_are_short_and_polite(kb):
    for entry in kb.entries:
        assert "出典" not in entry.answer, entry.id
        assert re.search(r"(です|ます|ください|ません)", entry.answer), entry.id
