"""Hiragana-only questions read like their kanji form (bot.rasa_side.kana, used by KanaToKanji)."""
from __future__ import annotations

import pytest

from bot.rasa_side.kana import in_hiragana, kana_to_words, reading_vocabulary

pytestmark = pytest.mark.unit

EXAMPLES = ["代理交付の必要書類を教えて", "マイナンバーカードの有効期限はいつまで", "写真はどうすればいいですか",
            "暗証番号をわすれた", "暗証番号を忘れた", "できる?", "出来る?", "できますか"]


@pytest.fixture(scope="module")
def vocabulary():
    return reading_vocabulary(EXAMPLES)


def test_readings_of_the_examples_words(vocabulary):
    assert vocabulary["ひつようしょるい"] == "必要書類" and vocabulary["だいり"] == "代理"
    assert vocabulary["まいなんばーかーど"] == "マイナンバーカード"
    assert "でき" not in vocabulary and "できる" not in vocabulary    # written in kana as often: kept in kana


def test_a_hiragana_question_reads_like_its_kanji_form(vocabulary):
    assert kana_to_words("だいりこうふのひつようしょるいをおしえて", vocabulary) == "代理交付の必要書類を教えて"
    assert kana_to_words("まいなんばーかーどのゆうこうきげんは", vocabulary) == "マイナンバーカードの有効期限は"


def test_a_question_with_kanji_is_left_as_written(vocabulary):
    assert kana_to_words("写真はどうすればいいですか", vocabulary) == "写真はどうすればいいですか"
    assert kana_to_words("代理交付のひつようしょるい", vocabulary) == "代理交付のひつようしょるい"


def test_in_hiragana_writes_kanji_words_by_their_reading():
    assert in_hiragana("代理交付の必要書類") == "だいりこうふのひつようしょるい"
    assert in_hiragana("マイナンバーカードの写真") == "マイナンバーカードのしゃしん"
