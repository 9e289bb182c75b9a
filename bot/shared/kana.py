"""Kana and readings, shared by the concept lexicon, the guided checks and the NLU (bot.rasa_side.kana).

SudachiPy gives readings where it is installed (the Rasa side); the gateway's venv has none, and
`sudachi()` is then None.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Optional, Tuple


KANJI = re.compile(r"[\u4e00-\u9fff]")


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
