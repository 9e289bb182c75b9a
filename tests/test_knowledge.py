"""The knowledge base holds together and traces every fact to the sources."""
from __future__ import annotations

import re

import pytest
import yaml

from bot.shared.knowledge import (
    FORBIDDEN_QUOTES,
    sources_dir,
    Entry,
    KnowledgeBase,
    KnowledgeError,
    SourceRef,
    dates_in,
    load_knowledge,
    manual_toc,
    months_in,
    numbers_in,
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
    assert "第8 ＜マイナンバーカードを紛失した場合＞ p.28～" in citation


def test_fixed_messages_give_only_numbers_from_the_sources(kb, domain):
    all_numbers = {n for p in sources_dir().glob("*.txt") for n in numbers_in(p.read_text(encoding="utf-8"))}
    texts = list(kb.messages.values()) + [
        variant["text"] for variants in domain["responses"].values() for variant in variants
    ]
    for text in texts:
        for number in numbers_in(text):
            assert number in all_numbers, number


def test_the_key_contacts_are_right(kb):
    """The numbers people will dial, digit by digit, where the manual gives them."""
    assert "0120-95-0178" in kb.by_id["lost_card"].answer
    assert "0120-601-785" in kb.by_id["fax_inquiry"].answer
    assert "0120-95-0178" in kb.by_id["free_dial"].answer
    assert "0120-95-0178" in kb.by_id["photo_exception_online"].answer


def planted(kb, entry_id, **changes):
    """The knowledge base with one entry changed (not validated: the check must catch it)."""
    entries = [e.copy(update=changes) if e.id == entry_id else e for e in kb.entries]
    return KnowledgeBase(kb.documents, entries, kb.messages)


def with_source(kb, entry_id, **ref):
    entry = kb.by_id[entry_id]
    return planted(kb, entry_id, sources=entry.sources + [SourceRef(**ref)])


def test_phone_numbers_in_a_4_4_2_grouping_are_found_whole():
    assert numbers_in("0120-0178-26 と ０１２０－０１７８－２７") == ["0120-0178-26", "0120-0178-27"]
    assert numbers_in("0120-95-0178、050-3818-1250、03-5253-5366") == ["0120-95-0178", "050-3818-1250", "03-5253-5366"]
    assert numbers_in("0120-0178-2") == ["0120-0178-2"] and numbers_in("0120-0178-266") == ["0120-0178-266"]
    assert numbers_in("2023-12-12") == [] and numbers_in("10120-0178-26") == []


@pytest.mark.parametrize("wrong", ["0120-0178-28", "0120-0178-2", "0120-0178-266", "0120-0179-26"])
def test_a_wrong_4_4_2_number_fails_the_check(kb, wrong):
    entry = kb.by_id["free_dial_foreign_language"]
    assert "0120-0178-26" in entry.answer
    planted_kb = planted(kb, entry.id, answer=entry.answer.replace("0120-0178-26", wrong))
    assert any(f"number {wrong} is in no source" in p for p in verify_against_sources(planted_kb))


def test_months_are_parsed_with_their_year():
    assert months_in("令和6年10月、2023年12月版、2025（令和7）年12月1日、令和元年6月") == [
        (2024, 10), (2023, 12), (2025, 12), (2019, 6)]
    assert months_in("本年3月末", this_year=2021) == [(2021, 3)] and months_in("本年3月末") == []


def test_a_wrong_month_date_fails_the_check(kb):
    entry = kb.by_id["face_auth_card_services"]
    right = planted(kb, entry.id, answer=entry.answer + "（令和6年10月、2024年10月）")
    assert verify_against_sources(right) == []
    for wrong_month in ("2024年11月", "令和6年11月", "2024（令和6）年11月"):
        wrong = planted(kb, entry.id, answer=entry.answer + f"（{wrong_month}）")
        problems = verify_against_sources(wrong)
        assert any("face_auth_card_services: month 2024年11月 is in no source" in p for p in problems), wrong_month
    messages = dict(kb.messages, decline=kb.messages["decline"] + "（2022年2月）")
    problems = verify_against_sources(KnowledgeBase(kb.documents, kb.entries, messages))
    assert any("message decline: month 2022年2月" in p for p in problems)


def test_the_forbidden_lines_are_in_the_sources_and_listed(kb):
    texts = {doc_id: re.sub(r"\s+", "", (sources_dir() / doc.file).read_text(encoding="utf-8"))
             for doc_id, doc in kb.documents.items()}
    docs = {doc_id for doc_id, _, _ in FORBIDDEN_QUOTES}
    lines = " ".join(line for _, line, _ in FORBIDDEN_QUOTES)
    assert "ICチップに入ることはあります" in lines and "現在の健康保険証が利用できなくなるわけではありません" in lines
    assert docs == {"qr_notice_2021", "policy_2019"}
    for doc_id, line, _ in FORBIDDEN_QUOTES:
        assert re.sub(r"\s+", "", line) in texts[doc_id], (doc_id, line)


@pytest.mark.parametrize("doc, quote", [
    ("qr_notice_2021", "受診歴や薬剤情報などプライバシー性の高い情報がカードのICチップに入ることはあります。"),
    ("qr_notice_2021", "健康保険証として使えるようになっても、受診歴や薬剤情報などプライバシー性の高い情報がカードのICチップに入ることは"),
    ("qr_notice_2021", "※現在の健康保険証が利用できなくなるわけではありません。"),
    ("policy_2019", "現在の健康保険証が利用できなくなるわけではありません"),
])
def test_a_forbidden_quote_fails_the_check(kb, doc, quote):
    wrong = with_source(kb, "card_safety", doc=doc, section="添付リーフレット", quote=quote)
    assert any("forbidden line" in p and "card_safety" in p for p in verify_against_sources(wrong))


def test_the_right_line_of_the_same_leaflet_may_be_quoted(kb):
    right = with_source(kb, "card_safety", doc="policy_2019", section="添付リーフレット（健康保険証利用）",
                        quote="カードのICチップに入ることはありません。")
    assert verify_against_sources(right) == []


def test_an_answer_repeating_a_forbidden_line_fails_the_check(kb):
    entry = kb.by_id["card_safety"]
    wrong = planted(kb, entry.id, answer=entry.answer + "※現在の健康保険証が利用できなくなるわけではありません。")
    assert any("answer repeats a forbidden line" in p for p in verify_against_sources(wrong))


def test_manual_pages_are_the_pages_of_its_table_of_contents(kb):
    """第5 1. starts on p.15 and 2. on p.21: a part of 1. that the TOC does not list is cited p.15–21."""
    by_section = {(ref.section, ref.page) for e in kb.entries for ref in e.sources if ref.doc == "manual_v2"}
    assert ("第5 1. 施設等における出張申請受付", 15) in by_section
    assert ("第5 1. 施設等における出張申請受付 (5) 当日までに必要な準備", "15-21") in by_section
    assert ("第5 2. 個人宅等に対する出張申請受付", 21) in by_section
    assert ("第5 2.（参考）郵便局での交付申請受付", "21-23") in by_section
    assert ("第8 ＜マイナンバーカードを紛失した場合＞", "28-") in by_section
    assert not [s for s, p in by_section if s.startswith("第5") and "(" in s and p == 15]
    citation = kb.citation(kb.by_id["outreach_facility_preparation"])
    assert "(5) 当日までに必要な準備 p.15–21" in citation and "p.15 " not in citation + " "


def test_the_table_of_contents_gives_each_entry_its_page_and_span(kb):
    toc = manual_toc((sources_dir() / kb.documents["manual_v2"].file).read_text(encoding="utf-8"))
    spans = {key: (e.page, e.last_page) for key, e in toc.items()}
    assert spans["第5 1."] == (15, 21) and spans["第5 2."] == (21, 23) and spans["第6 2."] == (25, 26)
    assert spans["第7"] == (27, 27) and spans["第8"] == (28, None) and spans["用語解説"] == (28, None)
    assert spans["第2 <参考>"] == (8, 9) and spans["第3 1."] == (10, 10)
    assert list(toc)[0] == "はじめに" and toc["第5 1."].start < toc["第5 2."].start < toc["第6"].start


@pytest.mark.parametrize("section, page, quote, problem", [
    ("第5 1. 施設等における出張申請受付 (5) 当日までに必要な準備", 15, "電源の借用が必要", "not p.15"),
    ("第5 2. 個人宅等に対する出張申請受付", 15, "市区町村が申請書類を持参し訪問", "not p.15"),
    ("第8 ＜マイナンバーカードを紛失した場合＞", 28, "受理番号を控えてください", "not p.28"),
    ("第2 2. マイナンバーカードで医療機関・薬局を受診等する方法", 6, "受理番号を控えてください", "quote is not in 第2 2."),
    ("第5 3. どこにもない節", 15, "電源の借用が必要", "not in the table of contents"),
    ("第5 1. 施設等", 15, "電源の借用が必要", "does not give the TOC title"),
])
def test_a_wrong_page_or_section_fails_the_check(kb, section, page, quote, problem):
    wrong = with_source(kb, "outreach_home", doc="manual_v2", section=section, page=page, quote=quote)
    problems = verify_against_sources(wrong)
    assert any(problem in p and "outreach_home" in p for p in problems), problems


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
        {"sources": [{"doc": "manual_v2", "section": "第8", "page": "21-15", "quote": "quote"}]},
        {"sources": [{"doc": "manual_v2", "section": "第8", "page": "p.28", "quote": "quote"}]},
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


# --- Entry texts that must stay exact to the documents (issue 11 §1–3) -------------------------


def lines_with(answer: str, word: str):
    return [line for line in answer.splitlines() if word in line]


def test_proxy_pickup_is_at_the_residence_not_the_facility(kb):
    """§1: 代理交付 is collected at the 住所地 (manual 第6 2.); the facility's municipality is for consultations."""
    answer = kb.by_id["contact_municipality"].answer
    proxy = lines_with(answer, "代理交付")
    assert proxy and all("住所地の市区町村" in line and "所在地の市区町村" not in line for line in proxy)
    assert "所在地の市区町村" in lines_with(answer, "カードの取得の相談")[0]
    assert any("住所地市町村に来庁して交付を受ける" in ref.quote for ref in kb.by_id["contact_municipality"].sources)


def test_facility_staff_may_do_the_application_support_and_the_proxy_pickup_not_the_outreach(kb):
    """§1: 出張申請受付 is done by 市区町村 staff (their identity check); staff may do 申請サポート and 代理交付."""
    answer = kb.by_id["how_to_get_card"].answer
    assert "これらのサポートは、施設の職員や支援者の方が行うこともできます" not in answer
    outreach = lines_with(answer, "出張申請受付")[0]
    assert "市区町村職員が本人確認" in outreach and "施設の職員" not in outreach
    assert "施設の職員や支援者の方" in lines_with(answer, "申請サポート：")[0]
    assert "代理人になれます" in lines_with(answer, "代理交付：")[0]


@pytest.mark.parametrize("entry_id", ["fax_inquiry", "lost_card", "lost_card_smartphone"])
def test_our_fax_sheet_is_said_to_be_our_own_aid_and_the_official_form_is_named(kb, entry_id):
    """§2: the 「FAX用紙を作る」 sheet is ours; the official form is the 資料編 P27 one (not among the sources)."""
    answer = kb.by_id[entry_id].answer
    assert "独自" in answer and "補助" in answer and "資料編P27" in answer
    assert any("資料編 P27" in ref.quote or "資料編P27" in ref.quote for ref in kb.by_id["fax_inquiry"].sources)
    assert "公式の様式ではありません" in kb.by_id["fax_inquiry"].answer
    assert "「お問合せ様式」" in kb.by_id["fax_inquiry"].answer


def test_lost_card_says_the_2024_plan_was_a_plan_and_to_ask_the_insurer(kb):
    """§3: 「2024年12月2日以降…交付される予定」 is a past plan: とされていました + ask the insurer."""
    answer = kb.by_id["lost_card"].answer
    assert "予定とされていました" in answer and "予定とされています" not in answer
    assert "2024年6月の厚生労働省の文書" in answer and "保険者にご確認ください" in answer
    assert "2023年12月のマニュアル" in answer.splitlines()[0]   # the menu number 「2番」 with its date


def test_face_auth_insurance_registration_before_the_switch_is_for_new_and_unregistered_people(kb):
    """§2: registering before the switch applies to new cards and people not yet registered; afterwards
    at a card reader is allowed too (manual 第3 4.)."""
    answer = kb.by_id["face_auth_card_apply"].answer
    assert "健康保険証として使う方は、カードの交付・切替えの前に" not in answer
    assert "申込みがまだの方（新規取得の方を含む）" in answer
    assert "交付・切替え後に医療機関・薬局のカードリーダーでも申し込めます" in answer


def test_helpers_at_the_reader_are_allowed_for_visits_not_said_for_registration(kb):
    """§2: the documents allow helpers at the reader during 受診, not for 利用登録."""
    answer = kb.by_id["hoken_registration"].answer
    assert "カードリーダーの操作は、ご本人の希望があれば" not in answer
    helper = lines_with(answer, "手助け")[0]
    assert "受診の際" in helper and "利用登録の手助けについては書かれていません" in helper


@pytest.mark.parametrize("entry_id", ["pin_forgot", "pin_forgot_proxy", "pin_sharing"])
def test_seeing_a_doctor_without_the_pin_is_said_for_ordinary_visits_only(kb, entry_id):
    """§2: without the PIN → 外来; オンライン診療・服薬指導 need the PIN (manual 2023-12)."""
    answer = kb.by_id[entry_id].answer
    visit = lines_with(answer, "目視")[0]
    assert "外来" in visit
    assert "オンライン診療・服薬指導には暗証番号が必要" in answer and "2023年12月のマニュアル" in answer


def test_the_home_visit_check_by_sight_is_a_past_plan(kb):
    """§2/§3: the visual check for 訪問診療 was a plan of the 2023-12 manual for 2024-10."""
    answer = kb.by_id["pin_forgot"].answer
    assert "訪問診療等での目視確認は2024年10月からの予定とされていました" in answer


def test_pin_sharing_speaks_of_intellectual_and_developmental_disabilities_as_the_manual_does(kb):
    answer = kb.by_id["pin_sharing"].answer
    assert "知的・発達障害のある方で" in answer and "知的・発達障害など" not in answer


def test_the_resident_register_pins_are_attributed_to_the_form_sample(kb):
    """§2: the 住基/券面事項入力補助 fields come from the 国外転出者 form sample of the 2024 letter."""
    line = lines_with(kb.by_id["pin_kinds"].answer, "住民基本台帳用")[0]
    assert "2024年6月の厚生労働省の文書" in line and "国外転出者用の申請書の記入例" in line


def test_the_2021_notice_is_from_the_cabinet_secretariat_and_cited_itself(kb):
    """§2: the 2021 notice is from 内閣官房・総務省 (not 内閣府); the free-dial numbers cite it, not the
    2019 policy text whose leaflet labels are scrambled."""
    doc = kb.documents["qr_notice_2021"]
    assert "内閣官房・総務省" in doc.title and "内閣官房・総務省" in doc.short and "内閣府" not in doc.title + doc.short
    for entry in kb.entries:
        assert "内閣府" not in entry.answer, entry.id
    for entry_id in ("free_dial_ip_phone", "free_dial_foreign_language"):
        entry = kb.by_id[entry_id]
        assert {ref.doc for ref in entry.sources} == {"qr_notice_2021"}, entry_id
        assert "2021年1月15日の内閣官房・総務省の事務連絡" in entry.answer


def test_home_visit_availability_is_asked_of_the_clinic_or_the_free_dial(kb):
    """§2/§3: nothing names the 市区町村 for 訪問診療; the 2024-10 plan is past and dated."""
    line = lines_with(kb.by_id["face_auth_card_services"].answer, "訪問診療")[0]
    assert "市区町村" not in line and "医療機関" in line and "0120-95-0178" in line
    assert "2024年（令和6年）10月" in line and "予定とされていました" in line and "その後の資料は手元にない" in line


def test_power_is_an_example_of_what_the_city_may_borrow_not_a_requirement(kb):
    answer = kb.by_id["outreach_facility_preparation"].answer
    assert "電源の借用が必要です" not in answer
    assert "物品の例" in lines_with(answer, "電源")[0] and "借りることがあります" in answer


def test_the_2024_plans_for_home_visits_and_online_consultations_are_past_and_dated(kb):
    """§3: the 令和6年4月/10月 plans are 2024 and past: とされていました, no later documents, where to confirm."""
    answer = kb.by_id["hoken_homecare"].answer
    assert "2024年（令和6年）4月" in answer and "2024年10月" in answer
    assert answer.count("とされていました") >= 2 and "その後の資料はありません" in answer
    assert "0120-95-0178" in answer.splitlines()[0]
    assert "予定とされています" not in answer


def all_answers(kb):
    return [(entry.id, entry.answer) for entry in kb.entries] + [
        (f"message {name}", text) for name, text in kb.messages.items()]


def test_free_dial_hours_say_year_end_closure_and_their_documents(kb):
    """§3: free-dial hours with 「年末年始を除く」 (2021-01 leaflets) and the date of the documents."""
    with_hours = [(name, text) for name, text in all_answers(kb) if re.search(r"9:30\s*～\s*20:00", text)]
    assert {"free_dial", "hoken_registration", "message decline"} <= {name for name, _ in with_hours}
    for name, text in with_hours:
        assert "年末年始を除く" in text and "2021年1月" in text and "2023年12月" in text, name


MENU_RE = re.compile(r"「4→2」|「2番」|ガイダンス6番|[②④]|音声ガイダンスのメニュー")


def test_free_dial_menu_numbers_are_given_with_their_date(kb):
    """§3: menu numbers (「4→2」, 「6番」, 「2番」, ②④) with the date of the document that gives them."""
    dated = re.compile(r"20\d\d年\d{1,2}月")
    seen = set()
    for name, text in all_answers(kb):
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if MENU_RE.search(line):
                seen.add(name)
                # the date is in the line, in the heading of the list it is in (「…：」), or in the first line
                heading = next((h for h in reversed(lines[:index]) if h.endswith("：")), "")
                assert dated.search(line) or dated.search(heading) or dated.search(lines[0]), (name, line)
    assert {"free_dial", "hoken_registration", "lost_card", "lost_card_smartphone", "koukin_account",
            "smartphone_certificate", "mynumber_leak", "card_safety"} <= seen


def test_every_reiwa_year_stands_beside_its_western_year(kb):
    """§3: a time-bound fact shows its year as 西暦 (not only 令和)."""
    for name, text in all_answers(kb):
        for match in re.finditer(r"令和|平成", text):
            assert re.search(r"\d{4}(年)?（$", text[:match.start()]), (name, text[match.start() - 8:match.end() + 4])


def test_no_answer_presents_an_old_plan_as_current(kb):
    """§3: 「予定」 of 2023–2024 documents are said in the past (とされていました)."""
    for name, text in all_answers(kb):
        assert not re.search(r"予定(です|とされています|されています)", text), name


def test_the_no_application_rule_of_the_shikaku_kakuninsho_says_whose_and_when(kb):
    """§3: 「当分の間、申請しなくても」 is the 2023-12 manual's rule: said with it, in the past, ask the insurer."""
    for entry_id in ("shikaku_kakuninsho", "hokensho_end"):
        line = lines_with(kb.by_id[entry_id].answer, "当分の間")[0]
        assert "2023年12月" in line and "とされていました" in line, entry_id
    answer = kb.by_id["shikaku_kakuninsho"].answer
    assert "保険者にご確認ください" in answer
    assert "申請不要です" not in answer


@pytest.mark.parametrize("entry_id", ["shikaku_kakuninsho", "no_card_shikaku"])
def test_the_2024_letters_who_applies_is_said_to_differ_from_the_manual(kb, entry_id):
    """Twenty-first trial: 「申請しなくても送られてくる」 (manual 2023-12) and, a line later, 「申請が要るとされていたのは…
    お手元にカードがない方など」 (letter 2024-06) read as a contradiction for the very person asked about (an MSW's
    patient without a card): the answer says the two documents put it differently and to ask the insurer."""
    line = lines_with(kb.by_id[entry_id].answer, "お手元にカードがない方")[0]
    assert "2024年6月" in line and "書き方が違" in line


def test_without_a_registered_card_a_lost_card_is_said_to_need_an_application_first(kb):
    """Session 32's blind trial: after a lost card, 「カードがない間は何を持っていけば受診できますか？」 got an answer that
    led with 「申請しなくても送られてくる」 (manual 2023) — for a lost card the 2024 letter says to apply to the insurer;
    that line came third. It is the second line now, before the manual's."""
    lines = kb.by_id["no_card_shikaku"].answer.splitlines()
    assert "紛失" in lines[1] and "保険者に申請" in lines[1] and "2024年6月" in lines[1]
    assert "当分の間" in lines[2] and "当分の間" not in "".join(lines[:2])


def test_the_shikaku_kakuninsho_says_a_facility_was_to_apply_for_its_residents(kb):
    """Fifteenth trial: a hospital's 連携室, a 特養 nurse and a 養護老人ホーム clerk asked whether the facility can apply for
    its residents' 資格確認書 and never got the manual's p.8 plan (施設等で保険者に代理申請…予定): said in the default
    answer, as a plan of the 2023 manual, with its quote."""
    entry = kb.by_id["shikaku_kakuninsho"]
    line = lines_with(entry.answer, "施設による代理")[0]
    assert "同じマニュアル" in line and "予定でした" in line
    assert any("施設等で保険者に代理申請" in source.quote for source in entry.sources)


def test_answers_carry_what_the_seventeenth_trial_asked_for(kb):
    """A group home's staff asked whether staff may press 「同意する」 at the reader (第2 2.: 同意選択等を手助けすることは、
    差し支えありません); a facility's office head asked how residents without photo ID collect their card (第6 2.:
    顔写真証明書): both were behind buttons only."""
    assert "同意の選択を手伝う" in kb.by_id["hoken_visit"].answer
    # session 31's blind trial (an MSW: may staff place the card on the reader?): the yes-line comes right after the reader
    assert "カードを置く" in kb.by_id["hoken_visit"].answer.splitlines()[1]
    line = lines_with(kb.by_id["proxy_pickup_documents"].answer, "顔写真証明書")[0]
    assert "施設長" in line and "5も不要" in line


def test_the_post_office_plan_is_past_and_attributed(kb):
    answer = kb.by_id["post_office"].answer
    assert "マニュアル（2023年12月版）" in answer and "とされていました" in answer and "その後の資料は手元にありません" in answer


def test_handoff_message_gives_the_free_dial_hours_with_the_year_end_closure_and_their_date():
    import yaml

    from bot.shared.paths import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    text = domain["responses"]["utter_human_handoff"][0]["text"]
    assert "0120-95-0178" in text and "年末年始を除く" in text and "2023年12月" in text


def test_a_documents_own_date_must_be_written_in_it(kb):
    """knowledge/sources.yml: policy_2019's 2019-06-04 is 「令和元年６月４日」 in its file (era converted); a date one day
    off is caught."""
    import datetime as dt
    assert kb.documents["policy_2019"].date == dt.date(2019, 6, 4)
    documents = dict(kb.documents, policy_2019=kb.documents["policy_2019"].copy(update={"date": dt.date(2019, 6, 5)}))
    problems = verify_against_sources(KnowledgeBase(documents, kb.entries, kb.messages))
    assert "policy_2019: date 2019-06-05 is not written in 004_18a7752ac62a971b.txt" in problems


def test_a_card_lost_abroad_gets_the_leaflets_number(kb):
    """A blind trial on figures: 「海外から紛失の連絡をする番号は？」 got the overseas answer without it (資料3, 24時間対応)."""
    assert "03-6734-0170（24時間対応）" in kb.by_id["overseas_use"].answer


def test_without_a_registered_card_the_first_line_says_the_usual_share_is_paid(kb):
    """Real questions ask whether a person without the マイナ保険証 pays 10割 (「マイナ保険証がないと、病院で10割負担に
    なるのでは？」, and of the session-24 pool four more): the no-card answer's first line gives the 2024 letter's
    「資格確認書を…提示することで、引き続き、一定の窓口負担で医療を受けることができます」."""
    entry = kb.by_id["no_card_shikaku"]
    assert "一定の窓口負担" in entry.answer.splitlines()[0]
    assert any("一定の窓口負担" in source.quote for source in entry.sources)
