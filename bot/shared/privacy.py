"""Personal-data guard: find マイナンバー, PINs and passwords, personal phone numbers and birth dates in
a message and redact them before the text is stored, logged or sent to Rasa.

Two steps. `normalize()` writes the message the way the detectors read it — NFKC, invisible characters
dropped, kanji numerals as digits (「七三六四」「昭和二十四年」), number words read out in kana, English, Korean or pinyin,
Roman numerals one per digit (「ⅣⅦⅠⅨ」), the letters O and l typed for 0 and 1 in a group of digits (「3Ol4 lO72」; S, B, Z
for 5, 8, 2 in a longer one), and any run of separators between two
digits (spaces, tabs, newlines, dots, slashes, commas, underscores, every dash, 「ー」, parentheses) as
one 「-」 — while remembering where each character came from. Then one detector per kind marks spans.

The rules, in short (README, Security and privacy):
- マイナンバー: a run of 12 digits whose check digit is right is redacted unless the nearest keyword
  names it a tracking/order/受付 number (追跡番号, 本人限定受取郵便 …); with a wrong check digit it is
  kept unless the nearest keyword is マイナンバー / 個人番号 / カードの番号 (or someone's 番号). 8–11 digits right after マイナンバー are
  a part of one. A number split over messages is caught with `previous` (the ends of the last ones).
- PIN: 4 digits, or a 6–16 character mix of letters and digits, shortly before or after 暗証番号 /
  暗唱番号 / パスワード / PIN …, or 4 digits right after a bare 「番号」 (「メモしてた番号が1953」, not
  受付番号 or 電話番号), near 「4桁」, chosen (「1234にしてた」) in a message about a 番号, quoted on its own
  (「「1234」みたいに…」) or given as an example (「0000とかでもいい？」; not a toll-free prefix) — unless it is a count
  or a time (「4桁」「3回」「9:00」); four digits written as a date or a time near the word, when no calendar or clock has it,
  or it is named, an example, the same digits or what the PIN is set to (「58月61日 みたいな」「10時27分と同じ数字」); 1–3 digits ending a message right after 暗証番号は, or a few words after it in
  its sentence, and the rest of the four starting the next one or two (「暗証番号は19」, then 「あと72です」).
  A 12-digit number next to 通知カード or named as a person's 番号
  (「利用者さんの番号」) is a マイナンバー.
- Phone: 10–11 digits from 0 (or +81) in at most three groups; toll-free and navigation-dial prefixes
  and the bot's own numbers are public.
- Birth date: a full date (和暦, S24.8.21, 19530612, 5/31/1956 …) next to 生年月日 / 誕生日 / 生まれ,
  or one before 2013 with no word of an appointment or a deadline next to it; 「4月16日」 only next to
  誕生日 etc.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple

MYNUMBER = "マイナンバー"
PIN = "暗証番号"
PHONE = "電話番号"
BIRTH_DATE = "生年月日"
KINDS = (MYNUMBER, PIN, PHONE, BIRTH_DATE)    # also the order of precedence when spans overlap

# ---- normalising ----------------------------------------------------------------------------------

_SEPARATORS = frozenset(" \t\n\r\f\v-‐‑‒–—―−ー.,/_()、・·")
_MAX_SEPARATORS = 6
_SYMBOL_CATEGORIES = frozenset({"So", "Sm", "Sk"})   # emoji, ★, →: between groups as a space is (b70 c10-3: 「5317🌸0829🌸4611」
_EMOJI_JOINERS = frozenset("\u200d\ufe0f")          # was stored) — with the joiners of an emoji's sequence …
_SYMBOL_GROUP = 3                                    # … between groups of three digits or more

_JOINS = "のと"   # words joining two groups of a number (`_unify_separators`)
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                 # the numerals of banknotes and contracts (大字; b62 c05-4: 「我的番号 肆柒贰捌 叁玖陆壹 伍零捌伍」 was stored):
                 # Japanese, traditional and simplified Chinese forms
                 "壱": 1, "壹": 1, "弐": 2, "貳": 2, "贰": 2, "参": 3, "參": 3, "叁": 3, "肆": 4, "伍": 5, "陸": 6, "陆": 6,
                 "柒": 7, "漆": 7, "捌": 8, "玖": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "陌": 100, "仟": 1000, "阡": 1000}
_ERA_ENDS = frozenset("治正和成")              # 明治 大正 昭和 平成 令和: a numeral after them is a year


@dataclass
class View:
    """The normalised text and, for each of its characters, the span of the original it stands for."""

    text: str
    starts: List[int]
    ends: List[int]

    def source(self, start: int, end: int) -> Tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _kanji_value(run: str) -> Optional[str]:
    """「七三六四」→ 7364 (digit by digit), 「二十四」「千九百五十三」→ 24, 1953; None if malformed."""
    if not any(ch in _KANJI_UNITS for ch in run):
        return "".join(str(_KANJI_DIGITS[ch]) for ch in run)
    total, digit = 0, None
    for ch in run:
        if ch in _KANJI_DIGITS:
            if digit is not None:
                return None
            digit = _KANJI_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _KANJI_UNITS[ch]
            digit = None
    return str(total + (digit or 0))


def _kanji_numbers(chars: list) -> list:
    """Runs of kanji numerals as digits: runs of two or more, or one next to a digit or another run
    (past separators: 「一 二 三」「1二3」), after an era or 年月, or before 年月日."""
    numerals = set(_KANJI_DIGITS) | set(_KANJI_UNITS)

    def neighbour(i: int, step: int) -> str:
        while 0 <= i < len(chars) and chars[i][0] in _SEPARATORS and chars[i][0] not in "()":
            i += step
        return chars[i][0] if 0 <= i < len(chars) else ""

    out: list = []
    i = 0
    while i < len(chars):
        if chars[i][0] not in numerals:
            out.append(chars[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j][0] in numerals:
            j += 1
        before, after = (chars[i - 1][0] if i else ""), (chars[j][0] if j < len(chars) else "")
        near = neighbour(i - 1, -1) + neighbour(j, 1)
        convert = j - i >= 2 or any(ch.isdigit() or ch in numerals for ch in near) or \
            (before and before in _ERA_ENDS | set("年月")) or (after and after in "年月日")
        value = _kanji_value("".join(c for c, _, _ in chars[i:j])) if convert else None
        if value is None:
            out.extend(chars[i:j])
        else:
            out.extend((d, chars[i][1], chars[j - 1][2]) for d in value)
        i = j
    return out


# numbers read out in kana, word by word (「きゅう なな に いち」: a PIN typed by someone who writes only hiragana — session 27's
# blind trials; stored as typed): four or more number words, each set apart by separators
# — or eight or more written together in groups (session 28's: 「さんまるごきゅう いちはちにーなな よんよんろくまる」, a マイナンバー;
# 「ぜろきゅうぜろ いちにさんよん ごろくななはち」, a phone number — both stored as typed)
_KANA_DIGITS = {"ぜろ": "0", "ゼロ": "0", "れい": "0", "まる": "0", "マル": "0", "いち": "1", "イチ": "1", "に": "2", "ニ": "2",
                "にー": "2", "ニー": "2", "さん": "3", "サン": "3",
                "よん": "4", "ヨン": "4", "し": "4", "ご": "5", "ゴ": "5", "ろく": "6", "ロク": "6", "なな": "7", "ナナ": "7",
                "しち": "7", "はち": "8", "ハチ": "8", "きゅう": "9", "キュウ": "9", "く": "9",
                "ごー": "5", "ゴー": "5",   # 「よんごーいちに」 (session 51's blind trial)
                "にい": "2", "ニイ": "2", "シ": "4", "シー": "4", "しー": "4", "シチ": "7", "キュー": "9", "きゅー": "9", "ク": "9", "レイ": "0",
                "ひと": "1", "ヒト": "1", "ふた": "2", "フタ": "2"}   # 「イチニーサンシー」, 「ヒトフタ…」 (session 69)
_KANA_WORD = "|".join(sorted(_KANA_DIGITS, key=len, reverse=True))
_KANA_NUMBER = re.compile(rf"(?<![ぁ-ゖァ-ヺー])(?:(?:{_KANA_WORD})(?:[ \u3000、,・]+(?:{_KANA_WORD})){{3,}}"
                          rf"|(?:{_KANA_WORD})(?:[ \u3000、,・]*(?:{_KANA_WORD})){{7,}})(?![ぁ-ゖァ-ヺー])")
_KANA_DIGIT = re.compile(_KANA_WORD)
# four to seven written together next to a group of digits (「よんごーいちに の 8830 の 六七二九」, session 51's blind trial:
# a マイナンバー read out, typed and written in kanji by turns — stored as typed)
# — 「の」 between the groups too (b68 c09-2: 「父の番号は3815のにぜろきゅうよんの6733ですが」, stored as typed)
# — or a label naming the group (b69 c08-3: 「最初が３８１７で、次が五二〇六、最後が よんきゅういちご です。」, stored as typed)
_KANA_GROUP = re.compile(rf"(?:(?<![ぁ-ゖァ-ヺー])|(?<=[0-9]の)|(?<=[0-9][ \u3000、,・]の)|(?<=[がは]))(?:{_KANA_WORD}){{4,7}}"
                         rf"(?:(?![ぁ-ゖァ-ヺー])|(?=の[ \u3000、,・]*[0-9])|(?=です|でした|だった|だ|で[、。\s]))")
# — or right after a word naming a secret number (「暗証番号はいちにさんよんです」, session 69: stored as typed)
_NAMED_BEFORE = re.compile(r"(?:暗証番号|暗唱番号|暗証|暗唱|あんしょうばんごう|あんしょう|パスワード|ぱすわーど|番号|ばんごう"
                           r"|ナンバー|なんばー|(?<![a-z])pin)[はがをって、,:：=＝ \u3000]{0,3}$", re.IGNORECASE)
# (there the words may run into a particle: 「…いちにさんよんです」「…よんにしてた」)
_WORD_ENDS = re.compile(r"です|でした|だった|だ|で|と|って|かな|かも|ね|よ|の|にし|にす|なん|なの")
_NAMED_GROUP = re.compile(rf"(?:{_KANA_WORD}){{4,7}}(?:(?={_WORD_ENDS.pattern})|(?![ぁ-ゖァ-ヺー]))")
_GROUP_LABEL = (r"(?:で|です|[ \u3000、,・])*(?:その次|次|つぎ|二つ目|2つ目|二番目|2番目|真ん中|まんなか|三つ目|3つ目|三番目|3番目"
                r"|最後|さいご|終わり|おわり|残り|のこり|後ろ|うしろ|後半)(?:の(?:4桁|四桁|数字|すうじ|ところ))?(?:が|は|:|：)[ \u3000]*")
_GAP = "[ \u3000、,・-]"   # what may stand between two groups of a number, written out (a space, a comma, a hyphen)
_BETWEEN_GROUPS = "(?:" + _GAP + "*(?:の[ \u3000、,・]*)?|" + _GROUP_LABEL + ")"
_DIGIT_AFTER = re.compile(_BETWEEN_GROUPS + "[0-9]")
_DIGIT_BEFORE = re.compile("[0-9]" + _BETWEEN_GROUPS + "$")
_LABELLED_GROUP = re.compile(_GROUP_LABEL + "(?=[0-9]{4}(?![0-9]))")
# a word said while reading a number out, between two of its groups (b71 c02-3: 「俺の携帯 090 えっと 6238 えーと 4175」 was
# stored; 「080のね 1234のね 5678」): joins them as a space does, between groups of three digits or more
_FILLER = (r"(?:えーっと|えっと|えーと|ええっと|ええと|えと|あのー|あのう|あの|んーと|んと|うーんと|うーん|うんと|えー|ええ|まあ"
           r"|それで|それから|のね|のさ|とね|ねえ|ね|さ)[ーっ〜~…]*")
_FILLED_GAP = re.compile(rf"{_GAP}*{_FILLER}(?:{_GAP}*{_FILLER})*{_GAP}*(?=[0-9]{{{_SYMBOL_GROUP}}})")
_PARTICLE_AFTER_LENGTHS = (4, 12)   # a PIN's or a マイナンバー's digits, then 「に」 read as the particle, not a fifth or 13th 2


def _kana_numbers(chars: list) -> list:
    """Runs of four or more kana number words set apart by spaces (「きゅう なな に いち」) as digits, one per word."""
    text = "".join(c for c, _, _ in chars)
    runs = list(_KANA_NUMBER.finditer(text))
    runs += [group for group in _KANA_GROUP.finditer(text)
             if (_DIGIT_AFTER.match(text, group.end()) or _DIGIT_BEFORE.search(text, 0, group.start()))
             and not any(run.start() < group.end() and group.start() < run.end() for run in runs)]
    runs += [group for group in _NAMED_GROUP.finditer(text)
             if _NAMED_BEFORE.search(text, max(0, group.start() - 12), group.start())
             and sum(len(word) > 1 for word in _KANA_DIGIT.findall(group.group())) >= 2   # not 「しくしく」
             and not any(run.start() < group.end() and group.start() < run.end() for run in runs)]
    spoken = []
    for run in sorted(runs, key=lambda run: run.start()):
        words = list(_KANA_DIGIT.finditer(text, run.start(), run.end()))
        if len(words) - 1 in _PARTICLE_AFTER_LENGTHS and words[-1].group() in ("に", "ニ"):
            words.pop()   # 「いち いち に はち に しようと」 (session 41's blind trial): 1128 and the particle に
        spoken.append(words)
    return _words_as_digits(chars, spoken, _KANA_DIGITS.__getitem__)


# kana number words typed in among digits, none apart (b67 c08-2, voice input: 「四〇二８１５ろくきゅうさん七二きゅうなんだが」, a
# マイナンバー stored as typed): every word touching a digit, once the other readers have run — not a one-kana word or one
# running on into a word at either end (「3にん」「5さんかい」「1234にして」; but 「番号はいち234」)
_MIXED_RUN = re.compile(rf"(?:[0-9]|{_KANA_WORD})*[0-9](?:[0-9]|{_KANA_WORD})*")
_MIXED_TOKEN = re.compile(rf"[0-9]|{_KANA_WORD}")
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]")


def _mixed_numbers(chars: list) -> list:
    """Kana number words written in among digits (「815ろくきゅうさん72きゅう」) as digits, one per word."""
    text = "".join(c for c, _, _ in chars)
    runs = []
    for run in _MIXED_RUN.finditer(text):
        tokens = list(_MIXED_TOKEN.finditer(text, run.start(), run.end()))
        while tokens and not tokens[0].group().isdigit() and (
                len(tokens[0].group()) == 1 or (_KANA.match(text[tokens[0].start() - 1:tokens[0].start()])
                                                and not _NAMED_BEFORE.search(text, max(0, run.start() - 12), run.start()))):
            tokens.pop(0)
        while tokens and not tokens[-1].group().isdigit() and (
                len(tokens[-1].group()) == 1
                or (_KANA.match(text, tokens[-1].end()) and not _WORD_ENDS.match(text, tokens[-1].end()))):
            tokens.pop()
        words = [token for token in tokens if not token.group().isdigit()]
        if words and len(tokens) >= 4:
            runs.append(words)
    return _words_as_digits(chars, runs, _KANA_DIGITS.__getitem__)


def _words_as_digits(chars: list, runs: List[list], digit_of) -> list:
    """`chars` with each number word of `runs` (lists of matches over their text, in order) as its digit, spanning the
    word's characters; the separators between them kept."""
    out: list = []
    done = 0
    for words in runs:
        position = words[0].start()
        out.extend(chars[done:position])
        for word in words:
            out.extend(chars[position:word.start()])   # the separators
            out.append((digit_of(word.group()), chars[word.start()][1], chars[word.end() - 1][2]))
            position = word.end()
        done = position
    return out + chars[done:]


# numbers read out in English, word by word (「four seven two eight」): four or more digit words set apart by spaces,
# commas or dashes — like the kana readings above (not tried by a trial yet: session 64 found 大写 numerals stored)
_ENGLISH_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                   "seven": "7", "eight": "8", "nine": "9"}
_ENGLISH_WORD = "|".join(sorted(_ENGLISH_DIGITS, key=len, reverse=True))
_ENGLISH_NUMBER = re.compile(rf"(?<![a-z])(?:{_ENGLISH_WORD})(?:[ \u3000,、・-]+(?:{_ENGLISH_WORD})){{3,}}(?![a-z])", re.IGNORECASE)
_ENGLISH_DIGIT = re.compile(rf"(?<![a-z])(?:{_ENGLISH_WORD})(?![a-z])", re.IGNORECASE)
_KEYCAP_MARKS = frozenset("\ufe0e\ufe0f\u20e3")


def _read_out(chars: list, number: re.Pattern, digit: re.Pattern, digit_of) -> list:
    """Runs of number words (`number`) as digits, one per word (`digit`)."""
    text = "".join(c for c, _, _ in chars)
    runs = [list(digit.finditer(text, run.start(), run.end())) for run in number.finditer(text)]
    return _words_as_digits(chars, runs, digit_of)


def _english_numbers(chars: list) -> list:
    """Runs of four or more English digit words (「four seven two eight」) as digits, one per word."""
    return _read_out(chars, _ENGLISH_NUMBER, _ENGLISH_DIGIT, lambda word: _ENGLISH_DIGITS[word.lower()])


# numbers read out in Korean (Sino-Korean digits, as phone numbers and PINs are said: 「팔이육구」 = 8269; b65 c02-3, a PIN
# stored as typed): four or more digit syllables in a row, or set apart by spaces
_HANGUL_DIGITS = {"공": "0", "영": "0", "령": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "륙": "6",
                  "칠": "7", "팔": "8", "구": "9"}
_HANGUL_DIGIT = re.compile("[" + "".join(_HANGUL_DIGITS) + "]")
_HANGUL_NUMBER = re.compile(rf"(?<![\uac00-\ud7a3]){_HANGUL_DIGIT.pattern}(?:[ \u3000,、・-]*{_HANGUL_DIGIT.pattern}){{3,}}"
                            r"(?![\uac00-\ud7a3])")


def _hangul_numbers(chars: list) -> list:
    """Runs of four or more Sino-Korean digit syllables (「팔이육구」) as digits, one per syllable."""
    return _read_out(chars, _HANGUL_NUMBER, _HANGUL_DIGIT, _HANGUL_DIGITS.__getitem__)


# numbers read out in Chinese pinyin (「ba liu ling jiu」, with or without tone marks; b66 c04-1, a PIN stored as typed):
# four or more digit syllables set apart by spaces, commas or dashes — not run together, which romaji could spell
_PINYIN_DIGITS = {word: str(digit) for digit, words in enumerate((
    "ling líng", "yi yī yí yì yao yāo", "er èr", "san sān", "si sì", "wu wǔ wú", "liu liù", "qi qī", "ba bā", "jiu jiǔ"))
    for word in words.split()}
_LATIN_LETTER = "a-zA-Z\u00c0-\u024f"
_PINYIN_WORD = "|".join(sorted(_PINYIN_DIGITS, key=len, reverse=True))
_PINYIN_NUMBER = re.compile(rf"(?<![{_LATIN_LETTER}])(?:{_PINYIN_WORD})(?:[ \u3000,、・-]+(?:{_PINYIN_WORD})){{3,}}"
                            rf"(?![{_LATIN_LETTER}])", re.IGNORECASE)
_PINYIN_DIGIT = re.compile(rf"(?<![{_LATIN_LETTER}])(?:{_PINYIN_WORD})(?![{_LATIN_LETTER}])", re.IGNORECASE)


def _pinyin_numbers(chars: list) -> list:
    """Runs of four or more pinyin digit syllables (「sì èr bā liù」) as digits, one per syllable."""
    return _read_out(chars, _PINYIN_NUMBER, _PINYIN_DIGIT, lambda word: _PINYIN_DIGITS[word.lower()])


# numbers written in Roman numerals, one per digit, set apart (「IV VII I IX」; the single glyphs 「ⅣⅦⅠⅨ」 are read as
# digits in `normalize`) — four or more, as the other read-out numbers (session 69, not tried by a trial)
_ROMAN_DIGITS = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9"}
_ROMAN_WORD = "|".join(sorted(_ROMAN_DIGITS, key=len, reverse=True))
_ROMAN_NUMBER = re.compile(rf"(?<![A-Za-z])(?:{_ROMAN_WORD})(?:[ \u3000,、・-]+(?:{_ROMAN_WORD})){{3,}}(?![A-Za-z])")
_ROMAN_DIGIT = re.compile(rf"(?<![A-Za-z])(?:{_ROMAN_WORD})(?![A-Za-z])")


def _roman_numbers(chars: list) -> list:
    """Runs of four or more Roman numerals set apart (「IV VII I IX」) as digits, one per numeral."""
    return _read_out(chars, _ROMAN_NUMBER, _ROMAN_DIGIT, _ROMAN_DIGITS.__getitem__)


# letters typed for digits inside a group of digits (b65 c04-3: 「3Ol4 lO72 586O」, a マイナンバー stored as typed): O and o
# for 0, l and I for 1 — in a group of digits and such letters only, with at least one digit; S for 5, B for 8 and Z for 2
# only in a group of four or more with two digits (「1B3S」; not 「2B」「B5」「S60」)
_LOOKALIKE_DIGITS = {"O": "0", "o": "0", "l": "1", "I": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2"}
_LOOKALIKE_GROUP = re.compile(r"(?<![A-Za-z0-9])[0-9OoIlSsBZz]{2,}(?![A-Za-z0-9])")
_SHAPED_LIKE = frozenset("SsBZz")   # letters less like their digit: the stricter rule


def _lookalike_digits(chars: list) -> list:
    """Letters standing for digits in a group of digits (「lO72」 → 1072, 「1B3S」 → 1835)."""
    text = "".join(c for c, _, _ in chars)
    out = list(chars)
    for group in _LOOKALIKE_GROUP.finditer(text):
        digits = sum(c.isdigit() for c in group.group())
        if digits < 1 or (_SHAPED_LIKE.intersection(group.group()) and (digits < 2 or len(group.group()) < 4)):
            continue
        for i in range(group.start(), group.end()):
            if out[i][0] in _LOOKALIKE_DIGITS:
                out[i] = (_LOOKALIKE_DIGITS[out[i][0]], out[i][1], out[i][2])
    return out


def _digits_before(out: list) -> int:
    n = 0
    while n < len(out) and out[-1 - n][0] in "0123456789":
        n += 1
    return n


def _separates(ch: str) -> bool:
    """A character that may stand between two groups of a number: a separator, a symbol or an emoji."""
    return ch in _SEPARATORS or ch in _EMOJI_JOINERS or unicodedata.category(ch) in _SYMBOL_CATEGORIES


def _unify_separators(chars: list) -> list:
    """Up to six separator characters (or symbols, emoji) between two digits become one 「-」 — also with one 「の」 or 「と」 among them between
    two groups of four or more digits (「…8830 の 6729」; b61 c06-3: 「番号が「３７０９と４１８２と６５５３」」 was stored), and
    a label naming the next of groups of four (`_GROUP_LABEL`)."""
    out: list = []
    text = "".join(c for c, _, _ in chars)
    i = 0
    while i < len(chars):
        ch = chars[i][0]
        label = _LABELLED_GROUP.match(text, i) if _digits_before(out) == 4 else None
        if label:   # 「3817で、次が5206、最後が4915」: groups of four, each named
            out.append(("-", chars[i][1], chars[label.end() - 1][2]))
            i = label.end()
            continue
        filled = _FILLED_GAP.match(text, i) if _digits_before(out) >= _SYMBOL_GROUP else None
        if filled and filled.end() > i:   # 「090 えっと 6238」
            out.append(("-", chars[i][1], chars[filled.end() - 1][2]))
            i = filled.end()
            continue
        if (_separates(ch) or ch in _JOINS) and out and out[-1][0] in "0123456789":
            j = i
            while j < len(chars) and (_separates(chars[j][0]) or chars[j][0] in _JOINS) and j - i < _MAX_SEPARATORS:
                j += 1
            joins = sum(c in _JOINS for c, _, _ in chars[i:j])
            after = 0
            while j + after < len(chars) and chars[j + after][0] in "0123456789":
                after += 1
            before = _digits_before(out)
            prefix = before == 3 and out[-3][0] == "0"   # a phone number's first group: 「090の6238の4175」
            if joins and (joins > 1 or (before < 4 and not prefix) or after < 4):
                j = i   # 「3の4」, 「2024年の 1000円」: no group of a number
            symbols = any(c not in _SEPARATORS and c not in _JOINS for c, _, _ in chars[i:j])
            if symbols and (before < _SYMBOL_GROUP or after < _SYMBOL_GROUP):
                j = i   # 「音声ガイダンス「4→2」」: keys pressed one after the other, no groups of a number
            if j < len(chars) and j > i and chars[j][0] in "0123456789":
                out.append(("-", chars[i][1], chars[j - 1][2]))
                i = j
                continue
        out.append(chars[i])
        i += 1
    return out


# how digits written otherwise are read, in this order; separators last, between the digits all these give
_READERS = (_kanji_numbers, _kana_numbers, _mixed_numbers, _english_numbers, _hangul_numbers, _pinyin_numbers, _roman_numbers,
            _lookalike_digits, _unify_separators)
_ROMAN_GLYPHS = frozenset(chr(c) for c in (*range(0x2160, 0x216C), *range(0x2170, 0x217C)))   # Ⅰ … Ⅻ, ⅰ … ⅻ


def normalize(text: str) -> View:
    """The text as the detectors read it (see the module docstring), with the way back to `text`."""
    chars: list = []
    for index, original in enumerate(text):
        if original in _KEYCAP_MARKS:                     # the marks of a keycap emoji (4️⃣): part of the digit before
            if chars:
                chars[-1] = (chars[-1][0], chars[-1][1], index + 1)
            continue
        if unicodedata.category(original) == "Cf":        # zero-width space, soft hyphen, BOM …
            continue
        if original in _ROMAN_GLYPHS:                     # 「ⅣⅦⅠⅨ」: each glyph its value (NFKC would spell IVVIIIIX)
            chars.extend((ch, index, index + 1) for ch in str(int(unicodedata.numeric(original))))
            continue
        for ch in unicodedata.normalize("NFKC", original):
            if chars and unicodedata.combining(ch):         # ﾊﾟ → パ: join a mark to its letter
                joined = unicodedata.normalize("NFC", chars[-1][0] + ch)
                if len(joined) == 1:
                    chars[-1] = (joined, chars[-1][1], index + 1)
                    continue
            if ch.isdigit() and ch not in "0123456789":    # other scripts' digits
                ch = str(unicodedata.digit(ch, 0))
            chars.append((ch, index, index + 1))
    for read in _READERS:
        chars = read(chars)
    return View("".join(c for c, _, _ in chars), [s for _, s, _ in chars], [e for _, _, e in chars])


# ---- context ----------------------------------------------------------------------------------------

def _words(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


_MYNUMBER_WORDS = _words(r"マイナンバー(?!カード)|個人番号(?!カード)|マイナ番号|まいなんばー(?!かーど)|my\s?number(?!\s?card)"
                         r"|カードの番号|カード番号|かーどのばんごう"   # 「父のカードの番号、３７１９…」: the number on the card
                         r"|通知カード|つうちかーど"   # the 通知カード shows it
                         r"|(?:さん|様|さま|本人|母|父|夫|妻|祖母|祖父|利用者|入所者|患者|家族|わたし|私|自分|俺|僕|ぼく"
                         r"|ほんにん|はは|ちち|お袋|おふくろ|親父|おやじ|親|ばあちゃん|じいちゃん|婆さん|爺さん|主人|旦那|息子|娘"
                         r"|兄|姉|弟|妹|嫁|義母|義父)の(?:番号|ばんごう)"   # a person's number (「わたしのばんごう 1234 5678 9012」,
                         # 「お袋の番号 4821 5930 6174」: a wrong check digit)
                         r"|我的(?:番号|号码)"   # Chinese: my number (b62 c05-4)
                         r"|カードの(?:コピー|写し|裏)|カードに(?:書いて|書かれて|載って)")   # 「…ってカードのコピーに書いてあった」
# 「その方の番号は518203946617です」 (a blind trial, 2026-12-03: kept, a wrong check digit): someone's twelve digits
# (not for 8–11 digits: 「担当の方の番号は090…」 is a phone number)
_SOMEONES_NUMBER_WORDS = _words(r"(?:方|かた|人|ひと)の(?:番号|ばんごう)")
_TRACKING_WORDS = _words(
    r"(?:追跡|問い?合わ?せ|伝票|注文|受付|予約|整理|管理|申込み?|申し込み|オーダー|荷物|お届け|配達|書留|引換|受取)番号"
    r"|追跡|本人限定受取郵便|本人限定|書留|ゆうパック|伝票|tracking|order\s?(?:no|number|#)")
_PIN_WORDS = _words(r"暗証番号|暗唱番号|暗証|暗唱|あんしょうばんごう|あんしょう番号|パスワード|ぱすわーど|パスコード|ピン番号"
                    r"|(?<![a-z])(?:pin|password|passcode)(?![a-z])")
_BIRTH_WORDS = _words(r"生年月日|誕生日|誕生|生まれ|産まれ|うまれ|出生|birthday|born|dob")
_EVENT_WORDS = _words(r"予約|受診|通院|入院|退院|手術|面会|訪問|来庁|予定|来週|今週|来月|申請|交付|受け?取|期限|更新|以降"
                      r"|以前|から|まで|締め?切|開始|廃止|施行|届|有効|発行|切り?替|変更|紛失|なくし|失くし|盗")
# 「メモしてた番号が１９５３」: a bare 「番号」 (not a compound like 受付番号, 電話番号, 部屋番号) right before
# four digits names a secret number as much as 暗証番号 does
_BARE_NUMBER_WORD = re.compile(r"(?<![\u4e00-\u9fffァ-ヴー])(?:番号|ばんごう|ナンバー)(?:は|が|って|を|、|：|:|=|＝)?\s*$")
# 「4桁のほうです。家族はたぶん1234にしてたと思う」 (in the PIN check): four digits beside 「4桁」, or chosen (「…にしてた」)
# in a message about a 番号
_CHOSEN_AFTER = re.compile(r"\s*に(?:して|した|しよう|する|設定|決め|変え|変更)")
_FOUR_DIGITS_WORD = re.compile(r"(?:4|４|四)(?:桁|けた|ケタ)")
# 「暗証番号は…一覧にして…ちなみに一人は 5 5 2 1 みたいな感じでメモしてます」, 「ほんにんは1192だったかも…ロックこわい」:
# four digits (not a count, a time or an amount) in a message that talks about a PIN or its lock, however far apart
_PIN_TALK = _words(_PIN_WORDS.pattern + r"|ロック|ろっく")
# 「「1234」みたいに世話人さんが決めて」 (the thirteenth trial, in a conversation about the PIN, the word not in that
# message): four digits quoted on their own, or given as an example of one (「0000とかでもいい？」)
_OPENING_QUOTES, _CLOSING_QUOTES = frozenset("「『\"“'"), frozenset("」』\"”'")
_EXAMPLE_AFTER = re.compile(r"\s*(?:みたいな|みたいに|みたく|とか|のような|のように|などの?|等の?|って感じ|っぽい)")
_COUNT_AFTER = re.compile(r"\s*(?:桁|けた|ケタ|回|文字|日|月|年|歳|才|時|分|秒|人|件|枚|円|個|度|番目|通|名|週|か月|ヶ月|カ月|台|%|号|倍|kg|cm)")
_NOT_PIN_BEFORE = re.compile(r"(?:\d:|[¥$第#])$")           # a time (9:00), an amount, 第1234号
_NOT_PASSWORDS = re.compile(r"(?:iphone|android|windows|ios|pixel|galaxy|xperia|aquos|arrows|ipad)\d+", re.IGNORECASE)


def _nearest(words: re.Pattern, text: str, start: int, end: int, before: int, after: int) -> Optional[int]:
    """Distance in characters from the span to the nearest of `words` within the windows, else None."""
    distances = [start - m.end() for m in words.finditer(text, max(0, start - before - 20), start)
                 if 0 <= start - m.end() <= before]
    distances += [m.start() - end for m in words.finditer(text, end, end + after + 20) if m.start() - end <= after]
    return min(distances, default=None)


# ---- detectors: each yields (start, end, kind) spans of the normalised text ---------------------------

_RUN = re.compile(r"\d(?:-?\d)*")


def mynumber_check_digit_ok(digits: str) -> bool:
    """The check digit of the 個人番号 (施行令 第8条): weights n+1 (n ≤ 6) and n−5 over the 11 digits
    from the right; r = Σ mod 11; the check digit is 0 when r ≤ 1, else 11 − r."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(d) for d in digits[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _pieces(run: str, offset: int, size: int) -> List[Tuple[int, int]]:
    """Spans of the run cut into pieces of `size` digits; none unless every cut falls on a separator
    (or the run has none): 「123456789018 987654321098」 is two numbers."""
    positions = [i for i, ch in enumerate(run) if ch != "-"]
    if len(positions) % size:
        return []
    pieces = []
    for k in range(0, len(positions), size):
        first, last = positions[k], positions[k + size - 1]
        if "-" in run and last + 1 < len(run) and run[last + 1] != "-":
            return []
        pieces.append((offset + first, offset + last + 1))
    return pieces


# 「…もう番号を言っちゃったみたいで…4567-8901-2345 って書いてありました。この番号、悪用されますか？」: twelve digits
# in a message about a number known to others are a マイナンバー, even with a wrong check digit
_LEAK_TALK = _words(r"悪用|漏れ|漏え|もれ|知られ|言っちゃ|言ってしま|教えてしま|盗まれ|詐欺"
                    r"|調べ|しらべ|照会|検索")   # 「番号は482159306174だって言ってんだろ。調べられないのか」: one to be looked up


# 「おとんがカード落としたかもしれん！番号は１２３４５６７８９０１２やったと思う」 (session 27's blind trials: kept, a wrong
# check digit): twelve digits after 「番号は」 starting a phrase, or called a number or written on the card's back, in a message
# about the card (session 28's: 「カード裏の 4821.7395.0614 という番号」) — or after a phrase-starting 「番号は」 in any message
# (「じゃあ番号だけ電話で…番号は1234-5678-9012です」, the card named only in the turns before), or in a message naming the
# マイナンバー however far (「マイナンバーのことで相談です。…ちなみに記録簿には 482173950614 と書いてあります」): all were stored
_CARD_TALK = _words(r"カード|かーど|マイナ|まいな")
_THE_NUMBER = re.compile(r"(?:^|(?<=[\s、。!！?？]))(?:番号|ばんごう)(?:は|が|って|、|:)?\s*$")
_CALLED_A_NUMBER = re.compile(r"\s*(?:という|って|っていう|の)(?:番号|ばんごう)")   # 「4821.7395.0614 という番号」
_ON_THE_BACK = re.compile(r"(?:裏|うら)(?:の|に|面)")   # 「カード裏の 4821…」「カードの裏に 4821…」
_FIRST_PART = re.compile(r"(?:前半|最初の|はじめの|初めの|頭の|上の)[^\s、。]{0,4}(?:は|が|:|：)\s*$")   # (session 28's blind trials)
_WRITTEN_AS_ONE = re.compile(r"\d{12}|\d{4}-\d{4}-\d{4}")   # as a マイナンバー is written, not a phone number's digits run on
_GROUPED_AS_ON_THE_CARD = re.compile(r"\d{4}-\d{4}-\d{4}")
_ANOTHER_NUMBER = re.compile(r"(?:通知書|部屋|受付|整理|管理|会員|口座|電話|問い?合わ?せ|追跡|伝票|証明書|保険者|記号)の?\s*(?:番号|ばんごう)")
# 「番号は」 starting a phrase, or someone's (「かかあの番号は」: `whose`), right before the digits
_THE_NUMBER_IS = re.compile(r"(?:^|(?<=[\s、。!！?？])|(?P<whose>の))(?:番号|ばんごう)(?:は|が|って|:|：)\s*$")
# 「番号は」 a few words before, in the same sentence (b60 c08-3: 「わし自身の番号は手帳に 四〇二八ー七七一五ー三〇六一 と控えて
# ある」 was stored: 「手帳に」 stood between)
_THE_NUMBER_IS_NEAR = re.compile(r"(?:番号|ばんごう)(?:は|が|って|を|:|：)[^。!！?？\d]{0,10}$")


def _told_as_a_number(text: str, start: int, end: int) -> bool:
    """Twelve digits at start:end that the message tells as someone's number though no マイナンバー is named beside them
    (the cases in the comment above; checked only when nothing cheaper has decided)."""
    told = _THE_NUMBER_IS.search(text, max(0, start - 12), start)
    return bool((told and not told.group("whose"))
                or (_CARD_TALK.search(text) and (_THE_NUMBER.search(text, max(0, start - 12), start)
                                                 or _CALLED_A_NUMBER.match(text, end)
                                                 or _ON_THE_BACK.search(text, max(0, start - 8), start)))
                or (_WRITTEN_AS_ONE.fullmatch(text[start:end])
                    and (_MYNUMBER_WORDS.search(text) or _beside_other_personal_data(text, start, end)
                         or (_THE_NUMBER_IS_NEAR.search(text, max(0, start - 24), start)
                             and not _ANOTHER_NUMBER.search(text, max(0, start - 24), start))))
                # 「カードが みつかりません。でも ばんごう は メモ が あります。３８４７ ２９１０ ５５６３ です。」 (session 43's blind
                # trial: stored) — 4-4-4, as the card shows it, in a message about the card; 「かかあの番号は　三八五二ー七七六一ー
                # 〇九三四」 (session 47's trial b46: stored, no card named) — twelve digits told as someone's 番号; neither another document's
                or (((_GROUPED_AS_ON_THE_CARD.fullmatch(text[start:end]) and bool(_CARD_TALK.search(text)))
                     or (told and told.group("whose")))
                    and not _ANOTHER_NUMBER.search(text, max(0, start - 20), start)))


def find_mynumbers(text: str):
    for run in _RUN.finditer(text):
        digits = run.group().replace("-", "")
        if len(digits) % 12 == 0:
            for start, end in _pieces(run.group(), run.start(), 12):
                number = text[start:end].replace("-", "")
                mine = _nearest(_MYNUMBER_WORDS, text, start, end, 16, 10)
                mine = mine if mine is not None else _nearest(_SOMEONES_NUMBER_WORDS, text, start, end, 16, 10)
                tracking = _nearest(_TRACKING_WORDS, text, start, end, 16, 10)
                named_tracking = tracking is not None and (mine is None or tracking < mine)
                if not named_tracking and (mine is not None or mynumber_check_digit_ok(number) or _LEAK_TALK.search(text)
                                           or _told_as_a_number(text, start, end)):
                    yield start, end, MYNUMBER
        elif 8 <= len(digits) <= 11 and not _is_public_phone(digits):   # a part of one, named so
            mine = _nearest(_MYNUMBER_WORDS, text, run.start(), run.end(), 8, 0)
            first_part = _FIRST_PART.search(text, max(0, run.start() - 12), run.start()) and (
                _MYNUMBER_WORDS.search(text) or _CARD_TALK.search(text))   # 「…マイナンバーを…番号の前半は 5128 0377」
            if mine is not None or first_part:
                yield run.start(), run.end(), MYNUMBER


_PIN_PART = re.compile(r"(?:最初|はじめ|初め|頭|前半|後半|あと|後ろ|残り|最後|上|下)の?\s*[1-3]\s*(?:桁|けた|ケタ)(?:目)?(?:は|が|って|:|：)?\s*"
                       r"(\d{1,3})(?![\d桁けたケ])")
_SIGNING_BEFORE = re.compile(r"署名用(?:の|は|を|が|って|:|：)?[^\s、。]{0,3}(?:は|:|：)?\s*[「『\"']?$")   # the password's kind, named
# 「8、2、3」 once separators are unified — not a section's number (「第6 2.」「1.(1)」)
_DIGIT_BY_DIGIT = re.compile(r"(?<![\d\-第(（.])\d(?:-\d){1,2}(?![\d\-.)）])")
_LAST_DIGIT = re.compile(r"(?:最後|さいご|あと|残り|のこり|次|つぎ)(?:の(?:数字|番号|桁|ひとつ|一つ|1つ))?(?:が|は|って)\s*"
                         r"([0-9〇一二三四五六七八九])(?![0-9〇一二三四五六七八九十百千桁けたケ回])")
# b64 c06-3/4: 「…暗証番号は19」, then in the next message 「…あと72です」 — a part of a PIN ending a message right after the
# word, and the rest starting the next one (joined by `redact`'s `previous`, after a newline)
# — or a few words after it (b67 c05-3…5, short of breath: 「…暗証番号…忘れそう…ここに…書いとく…73」, 「9」, 「4…覚えとって」,
# all stored as typed): digits ending a message in the sentence that names the PIN, the rest in the messages after
_PIN_FRAGMENT = re.compile(rf"(?:{_PIN_WORDS.pattern})(?:(?:は|が|って|:|：|=)\s*|[^\d。？?！!\n]{{0,30}}?(?<!\d))(\d{{1,3}})\s*"
                           r"(?:です|でした|だ|だった|かな|かも|で)?[、。.…\s]*(?=\n|$|-\d)", re.IGNORECASE)
_PIN_REST = re.compile(r"[\n-][.‥・、\s]*(?:(?:あと|後|残り|のこり|続き|つづき|後半|最後)(?:の(?:数字|番号|桁|2桁|二桁))?(?:は|が|って|:|：)?)?"
                       r"\s*(\d{1,3})(?![\d桁けたケ回文])")
# b68 c05-5: 「暗証番号 たしか 58月61日 みたいな 並びに したけど」 (stored as typed): four digits written as a date near the word —
# one no calendar has, or given as an example or named (「暗証番号は12月25日」) — not a day something is done on
# — or as a time (b69 c06-3: 「カードの暗証番号は10時27分と同じ数字にしてるんですけど」, stored as typed): one no clock has,
# or named, or an example, or the digits said to be the same as it — not a time something is done at (「…は10時30分から」)
_NAMED_AS = re.compile(r"\s*(?:は|が|って|:|：|=|、)\s*")
_SET_TO = re.compile(r"\s*に(?:して|した|しよう|する|しと|しま)")
_CLOCK_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*時\s*(\d{1,2})\s*分")
_SAME_AS = re.compile(r"\s*(?:と同じ|とおなじ|と一緒|といっしょ|の数字|の数|の並び|のならび)")
_WHEN_AFTER = re.compile(r"\s*(?:に|から|まで|頃|ごろ|以降|以前|過ぎ|すぎ|前|まえ)")
_PASSWORD = re.compile(r"(?<![0-9A-Za-z])(?=[0-9A-Za-z]*\d)(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{6,16}(?![0-9A-Za-z])")


def _pin_candidates(text: str):
    for run in _RUN.finditer(text):
        groups = run.group().split("-")
        if len(run.group().replace("-", "")) == 4 and len({len(g) for g in groups}) == 1 and len(groups) != 2:
            yield run.start(), run.end()          # 「7364」「7 3 6 4」, not a range like 「28-29」
        elif len(groups) == 2 and all(len(g) == 4 for g in groups):   # 「1234、5678」: two PINs
            yield run.start(), run.start() + 4
            yield run.end() - 4, run.end()
    for match in _PASSWORD.finditer(text):
        if not _NOT_PASSWORDS.fullmatch(match.group()):
            yield match.start(), match.end()


def find_pins(text: str):
    for start, end in _pin_candidates(text):
        if _COUNT_AFTER.match(text, end) or _NOT_PIN_BEFORE.search(text, 0, start) or re.match(r":\d", text[end:]):
            continue
        before = any(start - m.end() <= 20 for m in _PIN_WORDS.finditer(text, max(0, start - 40), start))
        after = any(m.start() - end <= 10 for m in _PIN_WORDS.finditer(text, end, end + 30))
        four = sum(ch.isdigit() for ch in text[start:end]) == 4
        spaced = four and end - start == 7   # 「たぶん1 2 3 4にしてたと思う」: digit by digit, as nobody writes a time or a year
        bare = four and _BARE_NUMBER_WORD.search(text, max(0, start - 12), start)
        chosen = four and (_FOUR_DIGITS_WORD.search(text, max(0, start - 40), end + 20)
                           or (_CHOSEN_AFTER.match(text, end) and "番号" in text))
        example = four and not text[start:end].replace("-", "").startswith(PUBLIC_PREFIXES) and (
            _EXAMPLE_AFTER.match(text, end)
            or (text[start - 1:start] in _OPENING_QUOTES and text[end:end + 1] in _CLOSING_QUOTES))
        signing = _PASSWORD.fullmatch(text[start:end]) and _SIGNING_BEFORE.search(text, max(0, start - 12), start)  # 「署名用は KOBE2024X」
        if before or after or bare or chosen or spaced or example or signing or (four and _PIN_TALK.search(text)):
            yield start, end, PIN
    yield from _date_or_time_pins(text)
    for fragment in _PIN_FRAGMENT.finditer(text):
        parts, position = [fragment.span(1)], fragment.end()
        while sum(end - start for start, end in parts) < 4:   # the rest, in one message or more (「73」, 「9」, 「4…」)
            rest = _PIN_REST.match(text, position)
            if rest is None or sum(end - start for start, end in parts) + len(rest.group(1)) > 4:
                break
            parts.append(rest.span(1))
            position = rest.end()
        if sum(end - start for start, end in parts) == 4 or not text.startswith("-", position):   # not 「暗証番号は6-16桁」
            for start, end in parts:
                yield start, end, PIN
    if _PIN_TALK.search(text):   # a PIN told in parts (「暗証番号の最初の2桁は 58」, then 「あとの2桁は 06」: session 28's blind trials)
        for part in _PIN_PART.finditer(text):
            yield part.start(1), part.end(1), PIN
        # read out digit by digit in part, and its last digit named apart (b51 c05-2: 「確か八、二、三と、それから最後が
        # 六だったと覚えて」 — no four digits together)
        spoken = [m for m in _DIGIT_BY_DIGIT.finditer(text) if not _COUNT_AFTER.match(text, m.end())]
        for piece in spoken + (list(_LAST_DIGIT.finditer(text)) if spoken else []):
            yield piece.start(piece.lastindex or 0), piece.end(piece.lastindex or 0), PIN


def _date_or_time_pins(text: str):
    """Four digits written as a date (「58月61日」) or a time (「10時27分」) near a PIN word: a PIN when no calendar or clock
    has it, or it is given as an example, said to be the same digits, set to it (「…にしてる」) or named right after the
    word — not a day or time something is done on (「暗証番号を12月15日に役所で再設定します」), nor a birthday (the
    birth-date rule's)."""
    for shape, impossible in ((_MONTH_DAY, lambda month, day: not (1 <= month <= 12 and 1 <= day <= 31)),
                              (_CLOCK_TIME, lambda hour, minute: hour > 24 or minute > 59)):
        for match in shape.finditer(text):
            if len(match.group(1) + match.group(2)) != 4 or _BIRTH_WORDS.search(text, max(0, match.start() - 12),
                                                                               match.end() + 6):
                continue
            near = next((m for m in _PIN_WORDS.finditer(text, max(0, match.start() - 40), match.start())
                         if match.start() - m.end() <= 20), None)
            if near is None and not any(m.start() - match.end() <= 10
                                        for m in _PIN_WORDS.finditer(text, match.end(), match.end() + 30)):
                continue
            named = (near is not None and _NAMED_AS.fullmatch(text, near.end(), match.start())
                     and not _WHEN_AFTER.match(text, match.end()))
            if (impossible(int(match.group(1)), int(match.group(2))) or _EXAMPLE_AFTER.match(text, match.end())
                    or _SAME_AS.match(text, match.end()) or _SET_TO.match(text, match.end()) or named):
                yield match.start(), match.end(), PIN


# toll-free, navigation dial and the like are organisations' numbers; and the bot's own numbers
PUBLIC_PREFIXES = ("0120", "0800", "0570", "0180", "0990")
PUBLIC_NUMBERS = frozenset({"05038181250", "05038169405", "0352535366", "0367340170"})   # 0367340170: lost cards abroad
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+81-?(?:0-?)?|0)[1-9]\d{0,3}(?:-?\d{1,4})?-?\d{3,4}|0(?:-\d){9,10})(?!\d)")


def _is_public_phone(digits: str) -> bool:
    return digits.startswith(PUBLIC_PREFIXES) or digits in PUBLIC_NUMBERS


def find_phones(text: str):
    for match in _PHONE.finditer(text):
        number = match.group()
        national = "0" + number[3:].lstrip("-").lstrip("0").lstrip("-") if number.startswith("+81") else number
        digits = national.replace("-", "")
        spaced = national.count("-") == len(digits) - 1                  # 「0 9 0 1 2 …」
        if 10 <= len(digits) <= 11 and (national.count("-") <= 2 or spaced) and not _is_public_phone(digits):
            yield match.start(), match.end(), PHONE


_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018,
         "M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}
_YMD = r"(?:\s*年\s*(?:の\s*)?|[-.])(\d{1,2})(?:\s*月\s*(?:の\s*)?|-)(\d{1,2})(?!\d)(?:\s*日)?"
_ERA_DATE = re.compile(r"(明治|大正|昭和|平成|令和|(?<![A-Za-z])[MTSHRmtshr]\.?)\s*(\d{1,2}|元)" + _YMD)
_WESTERN_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})" + _YMD)
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})-(\d{1,2})-((?:19|20)\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日")
BIRTH_YEAR_LIMIT = 2012    # a full date up to this year, with no appointment word near, is a birth date


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _dates(text: str):
    """(start, end, year) of every full date that exists in the calendar."""
    for match in _ERA_DATE.finditer(text):
        era, year, month, day = match.groups()
        era = era.rstrip(".").upper() if era.isascii() else era
        year = _ERAS[era] + (1 if year == "元" else int(year))
        if _real_date(year, int(month), int(day)):
            yield match.start(), match.end(), year
    for match in _WESTERN_DATE.finditer(text):
        if _real_date(*map(int, match.groups())):
            yield match.start(), match.end(), int(match.group(1))
    for match in _COMPACT_DATE.finditer(text):
        if _real_date(*map(int, match.groups())):
            yield match.start(), match.end(), int(match.group(1))
    for match in _US_DATE.finditer(text):
        first, second, year = map(int, match.groups())
        if _real_date(year, first, second) or _real_date(year, second, first):
            yield match.start(), match.end(), year


def _born(text: str, start: int, end: int) -> bool:
    return _nearest(_BIRTH_WORDS, text, start, end, 12, 10) is not None or bool(re.match(r"\s?生(?!活|保|命|徒|産)", text[end:]))


def find_birth_dates(text: str):
    for start, end, year in _dates(text):
        appointment = _nearest(_EVENT_WORDS, text, start, end, 8, 8) is not None
        if _born(text, start, end) or (year <= BIRTH_YEAR_LIMIT and not appointment):
            yield start, end, BIRTH_DATE
    for match in _MONTH_DAY.finditer(text):
        if _real_date(2000, *map(int, match.groups())) and _born(text, match.start(), match.end()):
            yield match.start(), match.end(), BIRTH_DATE


_DETECTORS = {MYNUMBER: find_mynumbers, PIN: find_pins, PHONE: find_phones, BIRTH_DATE: find_birth_dates}


def _beside_other_personal_data(text: str, start: int, end: int) -> bool:
    """The text holds a birth date or a phone number of someone's besides the digits at start:end (a record's row:
    「1,佐藤一郎,1938-11-02,"6620-1937-4815",(092)741-3306」 — session 28's blind trials: the twelve digits beside them
    were stored as typed)."""
    spans = [(s, e) for s, e, *_ in (*find_birth_dates(text), *find_phones(text))]
    return any(e <= start or s >= end for s, e in spans)


def find(text: str, kinds: Iterable[str] = KINDS) -> List[Tuple[int, int, str]]:
    """Spans of personal data in normalised `text` (overlaps merged, the earlier kind in KINDS wins)."""
    spans = sorted((s for kind in KINDS if kind in kinds for s in _DETECTORS[kind](text)), key=lambda s: (s[0], -s[1]))
    merged: List[list] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            last[2] = min(last[2], kind, key=KINDS.index)
        else:
            merged.append([start, end, kind])
    return [tuple(m) for m in merged]


# ---- redaction ---------------------------------------------------------------------------------------

@dataclass
class Redaction:
    text: str                                   # the message with personal data replaced
    found: List[str] = field(default_factory=list)  # kinds found, e.g. ["マイナンバー"]
    previous_cut: Optional[Tuple[int, str]] = None  # (where, kind): `previous` from there on is part of it

    @property
    def changed(self) -> bool:
        return bool(self.found)


def placeholder(kind: str) -> str:
    return f"［{kind}］"


def redact(text: str, kinds: Iterable[str] = KINDS, previous: str = "") -> Redaction:
    """Replace personal data in `text` with 「［種類］」 placeholders; say which kinds were found.

    `previous` is the end of the conversation's last message (`carry()`), when it ended in digits: a
    number that starts there and ends here is found too, and `previous_cut` says where it started.
    `kinds` limits what is looked for (staff answers and the FAX sheet may carry phone numbers).
    """
    joined = f"{previous}\n{text}" if previous else text
    offset = len(joined) - len(text)
    view = normalize(joined)
    found: List[str] = []
    pieces, position, cut = [], offset, None
    for start, end, kind in find(view.text, kinds):
        source_start, source_end = view.source(start, end)
        if source_end <= offset:
            continue
        if source_start < offset:
            cut = cut or (source_start, kind)
            source_start = offset
        if kind not in found:
            found.append(kind)
        pieces += [joined[position:source_start], placeholder(kind)]
        position = source_end
    if not found:
        return Redaction(text=text)
    return Redaction(text="".join(pieces) + joined[position:], found=found, previous_cut=cut)


_TRAILING_DIGITS = re.compile(r"\d[\s)）]*$")
CARRY_CHARS = 24


def carry(text: str) -> str:
    """What to remember of a message for the next one: its last characters when it ends in a digit
    (the start of a number the next message may finish), else nothing. Kept in memory only."""
    tail = text[-CARRY_CHARS:]
    return tail if _TRAILING_DIGITS.search(normalize(tail).text) else ""


_LEADING_DIGIT = re.compile(r"\s*\d")


def continues(text: str) -> bool:
    """The message may go on with the number the last one ended with: it is short and starts with a digit (「3917」 after
    「親父の番号 5820」; b66 c09: a マイナンバー typed four digits a message, its third part stored as typed)."""
    return len(text) <= CARRY_CHARS and bool(_LEADING_DIGIT.match(normalize(text).text))


def pseudonym(value: str, key: str) -> str:
    """`value` (a sender id chosen by a client) as it is, or a keyed hash of it when it holds personal data."""
    if not redact(value).changed:
        return value
    return "anon-" + hmac.new(key.encode("utf-8"), value.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:32]


_PLACEHOLDER = re.compile("［(?:" + "|".join(KINDS) + ")］")
_PAYLOAD = re.compile(r"/[\w-]+")


# how long the redacted number was, right before it (「4桁で［暗証番号］です」): it described that number only
_DESCRIBED = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})(?:桁|けた|ケタ)(?:の数字)?(?:の|で|は|が)?\s*(?=［)")


def for_understanding(redacted: str) -> str:
    """The redacted text without its placeholders: what the NLU reads, so that a redaction does not
    change the question's meaning (「［電話番号］」 is no question about phone numbers; 「暗証番号は4桁で
    ［暗証番号］です。これを職員に教えてもいい？」 is no question about how many digits a PIN has). A redacted
    `/intent{…}` payload loses its entities."""
    payload = _PAYLOAD.match(redacted) if redacted.startswith("/") and _PLACEHOLDER.search(redacted) else None
    if payload:
        return payload.group()
    unplaced = _PLACEHOLDER.sub("", _DESCRIBED.sub("", redacted))
    return re.sub(r"[ \t]{2,}", " ", unplaced).strip() or redacted


# 「これが暗証番号で合ってますか？」: the message asks whether the number hidden is the right one
ASKS_TO_CHECK = re.compile(r"合って|あって(?:る|ます|いる|いま)|正しい(?:か|です|でしょう|の)|確かめ|確認して(?:ほし|欲し|もら|いただ|くだ)")


# 「これで何かわかる？」「これで調べて」: the message asks for something to be looked up by the number hidden
ASKS_TO_LOOK_UP = re.compile(r"調べ|しらべ|照会|検索|(?:何か|なにか|何が|なにが|なんか)(?:わか|分か|判)")


def warning_text(found: List[str], redacted: str = "") -> str:
    """The warning put before the reply to a message that held personal numbers (`redacted`: the message as kept) —
    saying too that no number is checked here when the message asks whether it is right (session 53's blind trial),
    and that nothing is looked up by it when it asks so (b66 c09-4: 「［マイナンバー］ これで何かわかる？」)."""
    kinds = "・".join(found)
    unchecked = ("番号が合っているかどうかは、ここでは確かめられません。" if ASKS_TO_CHECK.search(redacted)
                 else "ここでは、番号から何かを調べることはできません。" if ASKS_TO_LOOK_UP.search(redacted) else "")
    return (
        f"ご注意：メッセージに{kinds}と思われる番号がありました。{unchecked}個人番号（マイナンバー）、暗証番号、"
        "電話番号、生年月日などは送らないでください。入力された番号は保存せず、伏せて扱いました。"
    )
