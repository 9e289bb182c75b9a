"""Kana and readings, shared by the concept lexicon, the guided checks and the NLU (bot.rasa_side.kana).

SudachiPy gives readings where it is installed (the Rasa side); the gateway's venv has none, and
`sudachi()` is then None.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Optional, Tuple


KANJI = re.compile(r"[\u4e00-\u9fff]")
# a kanji that is a word's, not a number's: a question typed in kana with its age in kanji numerals (b69 c10-1, an
# older man in katakana: 「ワタシハ 八十三サイ デス。…」) is still read as a kana question
WORD_KANJI = re.compile(r"(?![〇一二三四五六七八九十百千万])[\u4e00-\u9fff]")


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


@functools.lru_cache(maxsize=1)
def sudachi() -> Optional[Tuple[Any, Any]]:
    """SudachiPy's tokenizer and its longest split mode (C), or None where it is not installed."""
    try:
        from sudachipy import dictionary, tokenizer
    except ImportError:
        return None
    return dictionary.Dictionary().create(), tokenizer.Tokenizer.SplitMode.C


def morphemes(text: str) -> list:
    """SudachiPy's morphemes of the text (split mode C); [] where SudachiPy is not installed."""
    tokenizer_mode = sudachi()
    if tokenizer_mode is None:
        return []
    tokenizer, mode = tokenizer_mode
    return list(tokenizer.tokenize(text, mode))


def reading(text: str) -> str:
    """The katakana reading of the text (「病院」→「ビョウイン」); "" where SudachiPy is not installed."""
    return "".join(m.reading_form() for m in morphemes(text))


# a new phrase starts at a content word (not a compound's next noun, nor a word after a prefix or a mark)
_CONTENT = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "代名詞", "連体詞", "接続詞", "感動詞", "接頭辞"}
_JOINS = {"接頭辞", "補助記号", "空白"}
_DIGITS = re.compile(r"[0-9０-９]+")
_AS_WRITTEN = re.compile(r"([0-9０-９]+|[ァ-ヶー]+|[A-Za-zＡ-Ｚａ-ｚ]+)")   # digits, katakana and letters in a word
_READ_AS = {"方": "かた"}   # 「外出が難しい方」「使い方」: in the answers a person or a way, never a direction
_AFTER_NUMBER = {"日": "にち", "人": "にん"}   # 「365日」「1人1口座」: the digits stay, the counter is read plainly
_MONTHS = re.compile(r"(?:(?<=[0-9０-９])|^)[ヶケカか箇]月")   # 「6ヶ月以内」


def _kana_of(surface: str, katakana_reading: str, after_number: bool = False) -> str:
    """A word in hiragana: digits, katakana and letters kept as written (「通知カード」→「つうちカード」), and a day
    after digits read 「にち」 (「12月1日」→「12がつ1にち」, 「365日」→「365にち」: never 「ついたち」, which drops the digit)."""
    if after_number and surface in _AFTER_NUMBER:
        return _AFTER_NUMBER[surface]
    surface = _MONTHS.sub("かげつ", surface)
    if surface in _READ_AS:
        return _READ_AS[surface]
    if surface.startswith("言"):   # 「言う」: its reading is written 「ユウ」 (as said), read 「いう」
        return "い" + to_hiragana(katakana_reading)[1:]
    parts = [part for part in _AS_WRITTEN.split(surface) if part]
    if len(parts) > 1 or not KANJI.search(surface):
        return "".join(part if not KANJI.search(part) else
                       _kana_of(part, reading(part), after_number=i > 0 and bool(_DIGITS.fullmatch(parts[i - 1])))
                       for i, part in enumerate(parts))
    return to_hiragana(katakana_reading)


def for_hiragana_readers(text: str) -> str:
    """The text for a reader of hiragana only: its kanji words in hiragana, a space between phrases (「外出が難しい方は」
    →「がいしゅつが むずかしい かたは」); digits, katakana, letters, marks and lines as written. Unchanged where SudachiPy
    is not installed. (bot.rasa_side.kana.in_hiragana, for measuring, writes a question as a user would type it.)"""
    if sudachi() is None:
        return text
    lines = []
    for line in text.split("\n"):
        out: list = []
        previous = None
        words = morphemes(line)
        for i, morpheme in enumerate(words):
            surface, pos = morpheme.surface(), morpheme.part_of_speech()
            if previous is not None and pos[0] in _CONTENT and pos[1] != "非自立可能" \
                    and previous[0] not in _JOINS and not previous[0] == "名詞" == pos[0]:
                out.append(" ")
            if not KANJI.search(surface):
                out.append(surface)
            elif surface == "何":   # 「何が」なに, 「何で」「何の」なん
                out.append("なん" if i + 1 < len(words) and words[i + 1].surface()[:1] in "でなのだと" else "なに")
            elif surface == "日" and previous is not None and previous[0] == "名詞" and previous[1] != "数詞":
                out.append("び")   # 「申請日」「交付日」「実施日」
            else:
                after_number = previous is not None and previous[1] == "数詞" and bool(_DIGITS.search(out[-1]))
                out.append(_kana_of(surface, morpheme.reading_form(), after_number))
            previous = pos
        lines.append("".join(out))
    return "\n".join(lines)


# words typed in katakana that are not loanwords, as in an older user's mobile mail (session 47's blind trial (b46):
# 「暗証番号をワスレタらしくて↓↓」「アンショウバンゴウ、ワスレタ時、どうするの？？」 were declined): a katakana run
# without the marks of a loanword (ー, small vowels, ヴ) and not a katakana word of the project's own texts
_KATAKANA_RUN = re.compile(r"[ァ-ヶー]+")
_LOANWORD_MARKS = re.compile(r"[ァィゥェォヮヴヵヶー]")


@functools.lru_cache(maxsize=1)
def known_katakana() -> frozenset:
    """The katakana words of the training data, the concept lexicon and the answers (スマホ, パソコン, メモ …)."""
    from bot.shared.paths import KNOWLEDGE_DIR, PROJECT_ROOT

    paths = [*(PROJECT_ROOT / "data" / "nlu").glob("*.yml"), *KNOWLEDGE_DIR.glob("*.yml"), *KNOWLEDGE_DIR.glob("entries/*.yml")]
    return frozenset(word for path in paths for word in _KATAKANA_RUN.findall(path.read_text(encoding="utf-8")))


def katakana_words_in_hiragana(text: str) -> str:
    """The text with its katakana words that are not loanwords in hiragana (「ワスレタ」→「わすれた」, 「デス」→「です」);
    loanwords (カード, スマホ) and known words as written."""
    known = known_katakana()
    return _KATAKANA_RUN.sub(lambda m: m.group() if m.group() in known or _LOANWORD_MARKS.search(m.group())
                             else to_hiragana(m.group()), text)
