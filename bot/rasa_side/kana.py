"""Questions written in hiragana only (「ゆうこうきげんはいつまで」, 「しゃしんはどうするの」).

`reading_vocabulary(texts)` learns, from the training examples, the words written in kanji or katakana
with their readings in hiragana (SudachiPy): 「ゆうこうきげん」 → 「有効期限」, 「かーど」 → 「カード」. A reading
found in the examples' own kana at least as often (「できる」, 「いない」 of 「していない」 — not 以内) is
left out: the classifier knows it in kana. `kana_to_words(text, vocabulary)` rewrites the hiragana runs of a
question without any kanji, longest reading first, so the classifier and the concept lexicon read it
like its kanji form (the guided checks read answers as typed: actions.guides.latest_text).
`in_hiragana(text)` is the reverse, for measuring (bot.devtools.bench).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from bot.shared.kana import KANJI, WORD_KANJI, morphemes, sudachi, to_hiragana

KATAKANA_WORD = re.compile(r"[ァ-ヶー]+")
HIRAGANA_WORD = re.compile(r"[ぁ-ゖー]+")
HIRAGANA_RUN = re.compile(r"[ぁ-ゖー]{3,}")
MIN_READING = 3        # 「はは」「いし」: two kana name too many words
MAX_READING = 16
HOMOPHONE_SHARE = 3   # a second word written with the same reading this often (a third of the first's count or more)


def _tokenize(text: str):
    if sudachi() is None:
        raise RuntimeError("SudachiPy is needed (the Rasa venv has it)")
    return morphemes(text)


def reading_vocabulary(texts: Iterable[str]) -> Dict[str, str]:
    """Hiragana reading → the spelling the texts use most for it (kanji or katakana words only)."""
    spelled: Counter = Counter()
    kana_runs = []
    for text in texts:
        kana_runs += HIRAGANA_WORD.findall(text)
        for morpheme in _tokenize(text):
            surface = morpheme.surface()
            if KANJI.search(surface) or KATAKANA_WORD.fullmatch(surface):
                reading = to_hiragana(morpheme.reading_form())
                if MIN_READING <= len(reading) <= MAX_READING and HIRAGANA_WORD.fullmatch(reading):
                    spelled[(reading, surface)] += 1
    in_kana = "\n".join(kana_runs)    # 「いない」 in 「していない」: not 以内
    vocabulary: Dict[str, str] = {}
    runner_up: Dict[str, Tuple[str, int]] = {}
    for (reading, surface), count in spelled.most_common():
        if reading not in vocabulary and in_kana.count(reading) < count:
            vocabulary[reading] = surface
        elif reading in vocabulary and reading not in runner_up:
            runner_up[reading] = (surface, count)
    for reading, (surface, count) in runner_up.items():
        if _homophone(vocabulary[reading], surface) and count * HOMOPHONE_SHARE >= spelled[(reading, vocabulary[reading])]:
            del vocabulary[reading]   # 「かいじょ」: 介助 10, 解除 9 — left in kana (the lexicon reads kana by its readings)
    return dict(sorted(vocabulary.items()))


def _homophone(first: str, second: str) -> bool:
    """Two spellings of one reading that are different words (介助/解除, 変わっ/代わっ), not two ways to write one word
    (受付/受け付け): they share no kanji."""
    return not set(KANJI.findall(first)) & set(KANJI.findall(second))


KANA_GAP = re.compile(r"(?<=[ぁ-ゖー])[ \u3000]+(?=[ぁ-ゖーァ-ヶ])|(?<=[ァ-ヶー])[ \u3000]+(?=[ぁ-ゖ])")   # 「かお の カード」 too
# a question typed in katakana only, as on old phones (「ヤクバ ニ イケマセン」, 「カード ハ イツ トドキマスカ」): its particles
# and verb endings are katakana too — not a message of katakana words (「マイナポータル ログイン」)
KATAKANA_ONLY = re.compile(r"[ァ-ヶー・\s\u3000、。？！?!0-9０-９〇一二三四五六七八九十百千万]+")   # an age in kanji too
KATAKANA_GRAMMAR = re.compile(r"(?:^|[\s\u3000])(?:ハ|ヲ|ニ|ガ|デ|ヘ|モ|ト|ノ)(?=[\s\u3000]|$)"
                              r"|(?:マス|マセン|デス|デショウ|マスカ|デスカ|ナイ|タイ|ノ|シタ|レタ|ッタ|イタ|ンダ|シテ|エテ|ッテ)(?:カ|ネ|ヨ)?"
                              r"[?？。!！\s]*$")


def katakana_written(text: str) -> str:
    """A question typed in katakana only, in hiragana (session 26's blind trials: 「イエ ニ キテ モラエルノ デスカ」 from an
    older user was declined, its hiragana form answered); the hiragana steps then read it like any kana question."""
    stripped = text.strip()
    return to_hiragana(text) if stripped and KATAKANA_ONLY.fullmatch(stripped) and KATAKANA_GRAMMAR.search(stripped) else text



# Japanese typed in romaji (session 47's blind trial (b46), a son abroad: 「Ima kaigai kara mata card tsukureru?」 was
# declined): words spelt in kana syllables (Hepburn or 訓令式, a doubled consonant for っ, n for ん) …
ROMAJI_WORD = re.compile(r"(?:(?:[kgsztdnhbpmr]y|sh|ch|ts|[kgsztdnhbpmrwyfjv])?[aiueo]|n|([kgsztdbpfcjmh])(?=\1)|t(?=ch))+")
# … and two of its particles or verb endings (one when every word is romaji): English has none (「Can I get a card?」)
ROMAJI_PARTICLES = frozenset("wa ga wo ni de kara made ka kedo demo dake no yo ne".split())
ROMAJI_ENDING = re.compile(r"(?:desu|deshita|masu|mashita|masen|tai|nai|ta|da|ru|te|kudasai)$")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# English words that romaji Japanese borrows, in the words of the documents (the rest of the English is left as it is)
# (in kana: a message without kanji is read word by word, bot.rasa_side.kana.kana_to_words)
BORROWED = (("my ?number ?card", "マイナンバーカード"), ("my ?number", "マイナンバー"), ("card", "カード"), ("japan", "にほん"),
            ("city ?hall", "しやくしょ"), ("pin", "あんしょうばんごう"), ("photo", "しゃしん"), ("passport", "パスポート"))
PARTICLES = {"wa": "は", "wo": "を"}


def romaji_written(text: str) -> str:
    """Japanese typed in romaji, in hiragana (「Boku ga kikoku chuu ni nani ka dekiru?」 → 「ぼく が きこく ちゅう に なに
    か できる?」), the borrowed English words in kana; the hiragana steps then read it like any kana
    question. A message that is not romaji Japanese (English, a name, an address) is left as it is."""
    words = [word.lower() for word in LATIN_WORD.findall(text)]
    romaji = [word for word in words if ROMAJI_WORD.fullmatch(word)]
    grammar = sum(word in ROMAJI_PARTICLES or (len(word) > 3 and bool(ROMAJI_ENDING.search(word))) for word in romaji)
    if grammar < 2 and not (grammar == 1 and len(romaji) == len(words) >= 3):
        return text
    import jaconv

    text = _english_replaced(text, BORROWED, plural=True)

    def in_kana(match: "re.Match[str]") -> str:
        word = match.group(0).lower()
        if word in PARTICLES:
            return PARTICLES[word]
        return jaconv.alphabet2kana(word) if ROMAJI_WORD.fullmatch(word) else match.group(0)

    return LATIN_WORD.sub(in_kana, text)


ROMAJI_WORD_MIN = 4   # 「shashin」「kurumaisu」, not 「no」「one」


def romaji_words_written(text: str, vocabulary: Dict[str, str]) -> str:
    """A Japanese message's romaji words whose reading the training data spells (b57 c07, a care worker from Peru:
    「カードの shashin、kurumaisu が うつっても OK ですか？」「②sumaho で shinsei できますか？」) in that spelling (写真, 車椅子,
    スマホ, 申請); other Latin words (English, Spanish, names) are left as they are."""
    if not JAPANESE.search(text) or not LATIN_WORD.search(text):
        return text
    import jaconv

    def spelled(match: "re.Match[str]") -> str:
        word = match.group(0).lower()
        if len(word) < ROMAJI_WORD_MIN or not ROMAJI_WORD.fullmatch(word):
            return match.group(0)
        return vocabulary.get(jaconv.alphabet2kana(word), match.group(0))

    return LATIN_WORD.sub(spelled, text)


# English words a Japanese message mixes in (session 54's blind trial, b53 c10-1, a care worker from the Philippines:
# 「りようしゃさんの マイナンバーカードを なくしました。どうしよう？ very worried」 — out of scope 0.56 with the English,
# a lost card 0.77 with 「とても しんぱい」): what they say in Japanese, read as such
ENGLISH_ASIDE = (("thank you", "ありがとう"), ("thanks", "ありがとう"), ("very", "とても"), ("worried", "しんぱい"),
                 ("worry", "しんぱい"), ("lost", "紛失"), ("missing", "みつからない"), ("forgot", "わすれた"),
                 ("forget", "わすれた"), ("help", "たすけて"), ("please", "おねがいします"), ("sorry", "すみません"),
                 ("hospital", "びょういん"), ("phone", "でんわ"), ("password", "あんしょうばんごう"), ("photo", "しゃしん"),
                 ("card", "カード"), ("family", "かぞく"), ("first", "まず"))
JAPANESE = re.compile(r"[ぁ-ゖァ-ヶ\u4e00-\u9fff]")


def english_aside_written(text: str) -> str:
    """A Japanese message's English words of ENGLISH_ASIDE in Japanese (「…なくしました。very worried」 → 「…とても しんぱい」);
    a message without Japanese (English, romaji) is left as it is."""
    if not JAPANESE.search(text) or not LATIN_WORD.search(text):
        return text
    return _english_replaced(text, ENGLISH_ASIDE)


# words a Japanese message's Latin words may be, kept for the classifier beside the lexicon's (PIN, ATM, QR, iPhone …)
LATIN_KEPT = frozenset({"ok", "ng", "ai", "pc", "app", "web", "url", "nfc", "usb", "pdf", "smartphone", "online", "mail"})


def latin_asides_dropped(text: str, known: frozenset) -> str:
    """A Japanese message without the Latin words that are neither `known` nor LATIN_KEPT — names and English asides
    (b67 c06, a care worker from Nigeria: 「…介護staffです。今日、residentのおばあちゃんのマイナンバーカードがlostしました…」,
    out of scope 0.62; a lost card 0.89 without them); a message without Japanese is left as it is."""
    if not JAPANESE.search(text) or not LATIN_WORD.search(text):
        return text
    return LATIN_WORD.sub(lambda m: m.group(0) if m.group(0).lower() in known or m.group(0).lower() in LATIN_KEPT
                          or len(m.group(0)) < 2 else "", text)


def _english_replaced(text: str, table: tuple, plural: bool = False) -> str:
    """`text` with each English word of `table` (a whole word, any case; with a plural s when `plural`) in Japanese."""
    for english, japanese in table:
        text = re.sub(rf"(?i)(?<![A-Za-z0-9_]){english}{'s?' if plural else ''}(?![A-Za-z0-9_])", japanese, text)
    return text


def kana_joined(text: str) -> str:
    """A question without kanji with the spaces between its hiragana words left out: 「しかく かくにんしょ って なんですか」
    (an older user's way of typing; a blind trial, 2026-12-03: declined) reads as 「しかくかくにんしょってなんですか」."""
    return text if WORD_KANJI.search(text) else KANA_GAP.sub("", text)


# kana typed without its 濁点 or small size (session 57's trial, b56 c08, a user typing with one hand: 「ほけんしよう もう
# つかえないの」「かおにんしよう うまくいかない」): read folded, for readings this long (or with 「ー」: 「かーと」)
SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
LOOSE_MIN = 4


def folded(kana: str) -> str:
    """Hiragana without 濁点/半濁点, its small kana full size: 「しょうがい」 → 「しようかい」."""
    return "".join(c for c in unicodedata.normalize("NFD", kana) if c not in "\u3099\u309a").translate(SMALL_KANA)


def typed_without_dakuten(text: str) -> bool:
    """A message of some length whose kana have no 濁点 or 半濁点 at all: typed without them (others have some — and
    their 「ほけんじょうほう」 is 保険情報, not 保険証 + ほう)."""
    kana = HIRAGANA_WORD.findall(text)
    return sum(map(len, kana)) >= LOOSE_MIN * 2 and folded("".join(kana)) == "".join(kana).translate(SMALL_KANA)


def loose_vocabulary(vocabulary: Dict[str, str]) -> Dict[str, str]:
    """Folded reading → word, for the readings folding changes, long enough, whose folded form is no other reading and
    folds no two words."""
    words: Dict[str, Set[str]] = {}
    for reading, word in vocabulary.items():
        key = folded(reading)
        if key != reading and (len(key) >= LOOSE_MIN or "ー" in key):
            words.setdefault(key, set()).add(word)
    return {key: next(iter(found)) for key, found in words.items() if len(found) == 1 and key not in vocabulary}


def kana_to_words(text: str, vocabulary: Dict[str, str], terms_first: Callable[[str], str] = lambda text: text,
                  loose: Optional[Dict[str, str]] = None) -> str:
    """A question without kanji: `terms_first` (the concept lexicon's terms, bot.shared.concepts.kana_to_terms), then its
    hiragana runs rewritten with the vocabulary's words — or a word of `loose_vocabulary` where the kana lack their 濁点.
    Terms first: 「かおにんしょう」 is 顔認証 — the words alone made it かお + 認証 (2 kana are too few to be a word), and
    the lexicon no longer saw the term (session 31's blind trial)."""
    if WORD_KANJI.search(text):
        return text
    text = terms_first(text)
    if not vocabulary:
        return text
    loose = (loose or {}) if typed_without_dakuten(text) else {}

    def word(kana: str) -> Optional[str]:
        return vocabulary.get(kana) or loose.get(folded(kana))

    def rewrite(run: "re.Match[str]") -> str:
        """The run's words that cover the most of its kana, then the fewest pieces: 「みよりのないこうれいしゃ」 is
        …な + 高齢者, not 以降 + れ + 医者 (left to right, longest first)."""
        kana = run.group(0)
        nothing: List[str] = []
        best: List[Tuple[int, int, List[str]]] = [(0, 0, nothing)] + [(-1, 0, nothing)] * len(kana)   # (covered, -pieces, out)
        for i in range(len(kana)):
            covered, pieces, out = best[i]
            steps = [(1, kana[i], 0)] + [(length, piece, length)
                                           for length in range(MIN_READING, min(MAX_READING, len(kana) - i) + 1)
                                           for piece in [word(kana[i:i + length])] if piece]
            for length, piece, gain in steps:
                candidate = (covered + gain, pieces - 1, out + [piece])
                if candidate[:2] > best[i + length][:2]:
                    best[i + length] = candidate
        return "".join(best[-1][2])

    return HIRAGANA_RUN.sub(rewrite, text)


def in_hiragana(text: str) -> str:
    """The text with its kanji words written in hiragana, by their readings (katakana kept)."""
    return "".join(to_hiragana(m.reading_form()) if KANJI.search(m.surface()) else m.surface()
                   for m in _tokenize(text))
