"""The personal-data guard (bot/shared/privacy.py): the corpus (tests/privacy_corpus.yml), the normaliser, the
マイナンバー context rule, numbers split over two messages, and no false alarm on any text the bot or
its users write in the normal course (training and evaluation questions, answers, buttons)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.shared import privacy
from bot.shared.privacy import (
    BIRTH_DATE, MYNUMBER, PHONE, PIN, carry, for_understanding, mynumber_check_digit_ok, normalize,
    pseudonym, redact,
)
from tests.privacy_corpus import CORPUS, digits_of, found_in, hidden, load, run_detector, score

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = load()
POSITIVES = [v for v in VARIANTS if v.kind]
NEGATIVES = [v for v in VARIANTS if not v.kind]


def test_the_corpus_is_big_and_covers_every_kind():
    kinds = Counter(v.kind for v in POSITIVES)
    assert len(VARIANTS) >= 300 and len(NEGATIVES) >= 100
    assert all(kinds[kind] >= 40 for kind in privacy.KINDS), kinds


def test_the_valid_numbers_of_the_corpus_have_valid_check_digits():
    listed = re.findall(r"\d{12}", CORPUS.read_text(encoding="utf-8").split("Valid マイナンバー check digits:")[1][:200])
    assert len(listed) == 10 and all(mynumber_check_digit_ok(n) for n in listed)
    assert not mynumber_check_digit_ok("123456789012") and not mynumber_check_digit_ok("12345678901")


@pytest.mark.parametrize("variant", POSITIVES, ids=lambda v: v.id)
def test_personal_data_is_found_and_hidden(variant):
    results = run_detector(privacy, variant)
    assert hidden(variant, results), [r.text for r in results]


@pytest.mark.parametrize("variant", NEGATIVES, ids=lambda v: v.id)
def test_no_false_alarm(variant):
    result = redact(variant.messages[0])
    assert result.found == [] and result.text == variant.messages[0]


def test_figures():
    figures = score(privacy, VARIANTS)["figures"]
    assert figures.get("false alarms", 0) == 0
    assert all(figures[f"{kind} found"] == figures[f"{kind} variants"] for kind in privacy.KINDS)


# ---- the normaliser -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, view", [
    ("１２３４－５６７８", "1234-5678"),
    ("1234 . 5678\t9018", "1234-5678-9018"),
    ("03(5567)8812", "03-5567-8812"),
    ("090ー1234ー5678", "090-1234-5678"),
    ("12\u200b34\u00ad56", "123456"),
    ("七三六四", "7364"),
    ("一 二 三", "1-2-3"),
    ("1二3", "123"),
    ("昭和二十四年八月二十一日", "昭和24年8月21日"),
    ("千九百五十三年", "1953年"),
    ("一時停止を一人で", "一時停止を一人で"),      # words stay words
    ("ﾊﾟｽﾜｰﾄﾞ", "パスワード"),
    ("コピー、ケース", "コピー、ケース"),          # 「ー」 and 「、」 only count between digits
])
def test_normalize(text, view):
    assert normalize(text).text == view


def test_a_redaction_keeps_the_rest_of_the_message_as_typed():
    result = redact("母（９２歳）の 暗証番号は　七三六四 です！")
    assert result.text == "母（９２歳）の 暗証番号は　［暗証番号］ です！"


# ---- the マイナンバー rule: check digit and context ---------------------------------------------------

@pytest.mark.parametrize("text, redacted", [
    ("314159265352", True),                              # valid check digit, no context
    ("追跡番号 314159265352", False),                     # named a tracking number
    ("本人限定受取郵便 3141-5926-5352 の再配達", False),
    ("追跡番号は後で。マイナンバーは 314159265352", True),  # the nearest word decides
    ("123456789012", False),                             # wrong check digit, no context
    ("マイナンバーは123456789012", True),                  # wrong check digit, named a マイナンバー
    ("マイナンバーカードの申請 123456789012", False),       # 「マイナンバーカード」 names the card, not the number
    ("父のカードの番号、３７１９２２８４０６５３です", True),  # a new user's: the number on the card, full width
])
def test_mynumber_check_digit_and_context(text, redacted):
    assert (MYNUMBER in redact(text).found) is redacted


def test_kinds_limit_what_is_looked_for():
    text = "市役所 03-5567-8812、マイナンバー 123456789018"
    assert redact(text, kinds=(MYNUMBER, PIN)).text == "市役所 03-5567-8812、マイナンバー ［マイナンバー］"
    assert redact(text).found == [PHONE, MYNUMBER]


# ---- split over two messages ------------------------------------------------------------------------

def test_a_number_split_over_two_messages_is_found_in_the_second():
    first = "1234 5678"
    assert not redact(first).changed and carry(first) == first
    second = redact("9018です", previous=carry(first))
    assert second.text == "［マイナンバー］です" and second.previous_cut == (0, MYNUMBER)


def test_only_a_message_ending_in_a_digit_is_carried_and_only_its_end():
    assert carry("暗証番号を忘れました") == ""
    assert carry("x" * 100 + "1234") == ("x" * 100 + "1234")[-privacy.CARRY_CHARS:]
    assert redact("5678です", previous="今日は3").found == []            # 12 digits are needed
    assert redact("こんにちは", previous="1234 5678").previous_cut is None


# ---- payloads, sender ids --------------------------------------------------------------------------

def test_a_redacted_payload_reaches_the_nlu_without_its_entities():
    result = redact('/start_guide{"guide": "123456789018"}')
    assert result.text == '/start_guide{"guide": "［マイナンバー］"}'
    assert for_understanding(result.text) == "/start_guide"
    assert for_understanding("暗証番号は［暗証番号］です") == "暗証番号はです"
    # the length said of the redacted number goes with it: the question is whether to share it, not how long it is
    assert for_understanding("母の暗証番号は4桁で［暗証番号］です。職員に教えてもいい？") == "母の暗証番号はです。職員に教えてもいい？"
    assert for_understanding("暗証番号は4桁ですか？") == "暗証番号は4桁ですか？"


def test_pseudonym_hides_only_ids_with_personal_data():
    assert pseudonym("w-" + "ab" * 16, "k") == "w-" + "ab" * 16
    hashed = pseudonym("yamada-090-1234-5678", "k")
    assert hashed.startswith("anon-") and "5678" not in hashed
    assert hashed == pseudonym("yamada-090-1234-5678", "k") != pseudonym("yamada-090-1234-5678", "other")


# ---- no false alarm on what the bot and its users write normally --------------------------------------

def everyday_texts():
    """Training and evaluation questions, real questions, every answer as sent and its buttons."""
    from bot.shared import guides
    from bot.shared.answers import answer_message
    from bot.shared.knowledge import load_knowledge

    kb = load_knowledge()
    texts = []
    for entry in kb.entries:
        message = answer_message(kb, entry)
        texts += [message["text"]] + [b[k] for b in message["buttons"] for k in ("title", "payload")]
    texts += [b[k] for b in guides.menu_buttons() for k in ("title", "payload")]
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (item.get("examples") or "").splitlines():
                texts.append(re.sub(r"\[([^\]]*)\][{(][^})]*[})]", r"\1", line.strip()[2:]))
    for path in [*(ROOT / "tests" / "realq").glob("*.yml"), ROOT / "tests" / "eval" / "nlu_eval.yml"]:
        texts += [q["text"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
    return texts


def test_no_false_alarm_on_everyday_texts():
    texts = everyday_texts()
    alarms = [(redact(t).found, t) for t in texts if redact(t).changed]
    assert len(texts) > 3000 and alarms == []


def test_digits_of_reads_kanji_and_full_width():
    assert digits_of("一二三４５6") == "123456"


@pytest.mark.parametrize("text, kind", [
    ("生年月日 S24.8.21", BIRTH_DATE), ("暗証番号は7364", PIN), ("090-1234-5678", PHONE),
])
def test_warning_names_the_kind(text, kind):
    assert kind in privacy.warning_text(redact(text).found)


def test_warning_says_no_number_is_checked_when_asked_whether_it_is_right():
    """Session 53's blind trial (b52 c05-3): 「これが暗証番号で合ってますか？」 with the PIN written 「四・八・一・六」."""
    asked = redact("あ、メモ見つけました！ 四・八・一・六 って書いてありました。これが暗証番号で合ってますか？")
    assert asked.found == [PIN] and "確かめられません" in privacy.warning_text(asked.found, asked.text)
    told = redact("暗証番号は7364です。家族に教えてもいいですか")
    assert "確かめられません" not in privacy.warning_text(told.found, told.text)


def test_no_planted_value_occurs_in_a_negative():
    """So that the end-to-end test may search everything for every planted value."""
    planted = [s for v in POSITIVES for s in v.secrets]
    assert [(v.messages[0], found_in(planted, v.messages[0])) for v in NEGATIVES if found_in(planted, v.messages[0])] == []


def test_someones_twelve_digits_are_a_mynumber_even_with_a_wrong_check_digit():
    """A blind trial (2026-12-03): 「その方の番号は518203946617です」 was kept (a wrong check digit, no keyword); a phone
    number named so stays a phone number."""
    assert redact("近所の方の代わりに受け取ります。その方の番号は518203946617です。").found == [MYNUMBER]
    assert redact("担当の方の番号は09012345678です").found == [PHONE]


def test_twelve_digits_grouped_as_on_the_card_in_a_message_about_it_are_redacted():
    """Session 43's blind trial: 「…カードが みつかりません。でも ばんごう は メモ が あります。３８４７ ２９１０ ５５６３ です。」
    (a wrong check digit, full-width, spaced 4-4-4) was stored as written; a tracking number named so is kept."""
    from bot.shared.privacy import redact
    text = "りようしゃさん の カードが みつかりません。でも ばんごう は メモ が あります。３８４７ ２９１０ ５５６３ です。"
    assert "３８４７" not in redact(text).text and "5563" not in redact(text).text
    assert redact("本人限定受取郵便のお問い合わせ番号は 1234-5678-9012 です").found == []
