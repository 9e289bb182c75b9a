"""Reading answers: a typed answer or a button's text → a canonical value (plain Python, no Rasa).

The generic kinds of question live here — choice, yes/no, several items, an age, a date — and the
two commands (「やめる」「最初から」). A check with answers of its own shape gives its question a
`parser` (e.g. the proxy check's 通知カード／住基カード).

People answer as they talk, so an answer is read in several forms (`forms`): as typed, with its
colloquial endings written out (「わかんない」→「わからない」, 「傾いてる」→「傾いている」), and in
katakana (「かーど」→「カード」); an option's words written in kanji are also found by their
reading (「びょういん」 finds 病院 — SudachiPy, where it is installed: the Rasa side).
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from bot.shared.fit import INSTEAD_RE
from bot.shared.kana import KANJI, reading as kana_reading, to_hiragana, to_katakana

UNKNOWN = "unknown"
WEEKDAY_NAMES = "月火水木金土日"

SURE_UNKNOWN_RE = (   # without the hedges: 「たぶん無い」 leans no
    r"わから|分から|判ら|わかりません|わかんな|分かんな|わがんね|わがらね|わかんね|不明|知らな|しらな|知らん|しらん|覚えて(い)?な|"
    r"未定|決まって(い)?な|決めて(い)?な|どちらとも|どっちとも|さあ|さっぱり"
)
HEDGE_RE = r"かも|たぶん|多分"
UNKNOWN_RE = f"{SURE_UNKNOWN_RE}|{HEDGE_RE}"
NO_RE = r"いいえ|いえ|いや|ううん|ない|ありません|いません|無い|無し|なし|なかった|無かった|違う|ちがう|^no$|^ノー$"
YES_RE = r"はい|うん|ええ|そう|ある|あり|いる|います|yes|^ok|オッケー|おっけー"
# a whole answer that is a plain no / yes: a choice question asked as yes/no (「…も一緒にしますか？」) reads it too
BARE_NO = r"^(?:いいえ|いえ|いや|ううん|しない|しません|no|ノー)[、。!！]*$"
BARE_YES = r"^(?:はい|うん|ええ|する|します|yes)[、。!！]*$"
STOP_RE = (r"やめ(る|ます|たい|て|とく|ておく|よう)|止め(る|ます|たい)|中止|中断|キャンセル|もういい|もう結構|終了|"
           r"(?<![月の])(おわり|終わり)")  # not 「来月の終わり」 (a date)
RESTART_RE = r"最初から|はじめから|初めから|やり直|やりなお|リセット"

# Spoken endings written out (each rule adds a form; the typed text is always read as well)
COLLOQUIAL = (
    (r"ねえ|ねー", "ない"),                                   # わかんねー
    (r"んない", "らない"),                                     # わかんない, しんない
    (r"らん(?=$|[、。!?!？ねよわな]|けど|です|し)", "らない"),  # わからん, 知らん
    (r"(?<=[てで])(る|ます|ない|た)", r"い\1"),                # 持ってる, 入ってない, 傾いてた
    (r"ちゃ(う|った)", r"てしま\1"),                           # なくしちゃった
    (r"じゃ(ない|なく)", r"では\1"),
    (r"っす", "です"),
)
MIN_READING = 3                # shorter readings (「ハハ」「ゼイ」) match other words by chance
READING_HOMOPHONES = {"ヨウジ"}  # 幼児, but also 用事 (「あしたようじがある」)


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


@functools.lru_cache(maxsize=4096)
def forms(text: str) -> Tuple[str, ...]:
    """The ways `text` (normalized) is read: as typed, colloquial endings written out, in katakana."""
    spoken = text
    for pattern, replacement in COLLOQUIAL:
        spoken = re.sub(pattern, replacement, spoken)
    out = [text] + ([spoken] if spoken != text else [])
    out += [k for k in dict.fromkeys(to_katakana(f) for f in out) if k not in out]
    return tuple(out)


def said(pattern: str, text: str) -> bool:
    """`pattern` is in one of the forms of `text`."""
    return any(re.search(pattern, form, re.I) for form in forms(text))


@functools.lru_cache(maxsize=None)
def reading(term: str) -> str:
    """The katakana reading of a term written with kanji (「病院」→「ビョウイン」); "" if unknown."""
    if not KANJI.search(term):   # and no SudachiPy in the gateway's venv: answers read without readings
        return ""
    read = kana_reading(term)
    return read if re.fullmatch(r"[ァ-ヺー]+", read) else ""


def top_level_alternatives(pattern: str) -> List[str]:
    """「入院|病気|(顔|首)が」 → ["入院", "病気", "(顔|首)が"]: the alternatives outside groups."""
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


@functools.lru_cache(maxsize=None)
def reading_pattern(pattern: str) -> Optional["re.Pattern[str]"]:
    """The readings of the plain words of a pattern (「入院|病気|病院」), as one pattern; None if none."""
    words = [w for w in top_level_alternatives(pattern) if w and not re.search(r"[\\()\[\]?*+{}^$.]", w)]
    found = {reading(w) for w in words}
    found = {r for r in found if len(r) >= MIN_READING and r not in READING_HOMOPHONES}
    return re.compile("|".join(sorted(found, key=len, reverse=True))) if found else None


# What follows a word when it is denied: 「施設には入っていない」「施設ではない」「車椅子は写っていません」 —
# not 「カードをなくした」「カードがなくなった」 (なくす: to lose) nor 「ずっと」.
NEGATED = re.compile(r"^(?:なんか|なんて|とか|[はにへでもがをじゃ]){0,3}"
                     r"(?:入って|はいって|いって|入所して|入居して|行って|通って|持って|もって|使って|写って|うつって|して|居)?"
                     r"(?:い|お|はら)?(?:ない|ません|ず(?!っ)|なく(?![しさすせなっ])|へん|ひん"
                     r"|ちゃう|ちゃい|ちがう|ちがい|違う|違い|ちごう|やな[いく]|あらへん)")   # 「スマホなんか持ってはらへん」「施設ちゃう」


@dataclass(frozen=True)
class Option:
    value: str
    title: str          # button title; the button sends the same text, so typing it works too
    pattern: str = ""   # regex searched in the normalized answer (the title always matches)

    def matches(self, text: str, unless_denied: bool = False) -> bool:
        """The title, or the pattern in one of the text's forms or by reading; with `unless_denied`,
        a word that is denied right after it (「施設には入っていない」) does not count."""
        if normalize(self.title) == text:
            return True
        if not self.pattern:
            return False
        searches = [(re.compile(self.pattern, re.I), form) for form in forms(text)]
        by_reading = reading_pattern(self.pattern)
        if by_reading:
            searches += [(by_reading, to_katakana(form)) for form in forms(text)]
        for pattern, form in searches:
            for match in pattern.finditer(form):
                if not (unless_denied and NEGATED.search(to_hiragana(form[match.end():]))):
                    return True
        return False


@dataclass(frozen=True)
class Question:
    slot: str
    kind: str                        # choice | yesno | multi | age | date, or a check's own (with `parser`)
    options: Tuple[Option, ...] = ()
    strong: bool = False             # may be filled from an answer to another question
    hint: str = "下のボタンから選んでください（「わからない」も選べます）。"
    parser: Optional[Callable[[str, dt.date], object]] = None  # a check's own reading of the answer
    titles: Tuple[Tuple[str, str], ...] = ()  # words for values that are no option (echoed answers)


def yesno(slot: str, yes: Tuple[str, str], no: Tuple[str, str], hint: str = "") -> Question:
    """A yes / no / わからない question; yes and no are (title, extra regex)."""
    return Question(
        slot, "yesno",
        (Option("yes", yes[0], yes[1]), Option("no", no[0], no[1]), Option(UNKNOWN, "わからない")),
        hint=hint or "「はい」「いいえ」「わからない」で答えてください。",
    )




def volunteered_yesno(question: Question, text: str) -> Optional[str]:
    """A yes / no said without being asked: only the question's own words count (「自宅で暮らす」→
    no, 「施設に入所しています」→ yes, 「施設に入っていない」→ no), never a bare はい or ない."""
    yes, no, _ = question.options
    if no.matches(text):
        return "no"
    if yes.matches(text, unless_denied=True):
        return "yes"
    return "no" if yes.matches(text) else None   # its word, denied


def parse_yesno(question: Question, text: str) -> Optional[str]:
    """わからない first, then a negation, then the question's own words, then a plain はい; a hedge alone
    (「たぶん」「かも」) is わからない, but 「たぶん無いです」 leans: no."""
    if said(SURE_UNKNOWN_RE, text):
        return UNKNOWN
    yes, no, _ = question.options
    if no.matches(text) or said(NO_RE, text):
        return "no"
    if yes.matches(text) or said(YES_RE, text):
        return "yes"
    return UNKNOWN if said(UNKNOWN_RE, text) else None


# 「わからない。カードを持っていたかどうかもはっきりしません。」 (fourteenth trial, read as 「マイナンバーカード」): a sentence
# of its own that says わからない answers the question, whatever the next one names
UNKNOWN_FIRST = re.compile(rf"^\s*(?:{SURE_UNKNOWN_RE})[^。、,.!！?？]{{0,6}}[。.!！\n]")


def parse_choice(question: Question, text: str) -> Optional[str]:
    """The first option that matches (options are ordered from the most specific) — unless the answer starts with a
    sentence that says わからない."""
    if UNKNOWN_FIRST.search(text):
        return UNKNOWN
    for option in question.options:
        if option.value != UNKNOWN and option.matches(text, unless_denied=True):
            return option.value
    if said(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def parse_multi(question: Question, text: str) -> Optional[List[str]]:
    """Every option that matches, in option order; ["unknown"] for わからない."""
    found = [o.value for o in question.options if o.value != UNKNOWN and o.matches(text, unless_denied=True)]
    if found:
        return found
    if said(UNKNOWN_RE, text):
        return [UNKNOWN]
    return None


KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def kanji_number(text: str) -> Optional[int]:
    """九十二 → 92, 百二 → 102 (enough for ages)."""
    total, current = 0, 0
    for char in text:
        if char in KANJI_DIGITS:
            current = KANJI_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def parse_age(text: str) -> Optional[str]:
    """「92歳です」「九十二歳」「80代」「75歳以上」 → 75plus / under75; わからない → unknown."""
    if re.search(r"75\s*(歳|才)?\s*(以上|超)|後期高齢", text):
        return "75plus"
    if re.search(r"75\s*(歳|才)?\s*(未満|より(下|若)|以下)", text):
        return "under75"
    match = (re.search(r"(\d{1,3})\s*(歳|才|さい)", text) or re.fullmatch(r"(\d{1,3})", text)
             or re.fullmatch(r"(?:たしか|確か|多分|たぶん)?\s*(\d{2,3})\s*(?:くらい|ぐらい|位)?"   # 「たしか88だったと思う」
                             r"(?:だったと思う|やったと思う|だと思う|です|かな)?[。!！…]*", text))
    match = match or re.search(r"(?:今年で|年は|年齢は)?\s*(\d{2,3})\s*(?:になります|になる|になった|です|やで|だよ)", text)
    # 「たしか81だったと思います」 (fourteenth trial): the one number of a short answer, not a count or a date
    match = match or re.fullmatch(r"\D{0,10}?(?<!\d)(\d{2,3})(?![\d人年月日回円枚件時分桁番号万%代])\D{0,16}", text)
    if not match:
        kanji = (re.search(r"([〇一二三四五六七八九十百]+)\s*(歳|才)", text)
                 or re.search(r"([〇一二三四五六七八九十百]{2,})\s*(?:になります|になる|になった|です|やで|だよ)", text))
        age = kanji_number(kanji.group(1)) if kanji else None
    else:
        age = int(match.group(1))
    if age is not None and 0 <= age < 130:
        return "75plus" if age >= 75 else "under75"
    over = re.search(r"(\d{2,3})\s*(?:歳|才)?\s*(?:超え|超|過ぎ|すぎ|以上|オーバー)", text)   # 「年も80超えてます」
    if over and 75 <= int(over.group(1)) < 130:
        return "75plus"
    decade = re.search(r"(\d)0\s*(代|台)", text)
    if decade:
        if int(decade.group(1)) >= 8:
            return "75plus"
        if int(decade.group(1)) <= 6:
            return "under75"
        return None  # 70代: could be either side of 75
    if said(UNKNOWN_RE, text):
        return UNKNOWN
    return None


RECENT_PAST_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# Vague parts of a month, planned on a day inside them (0 = the last day of the month)
MONTH_PARTS = (
    (r"上旬|初旬|初め|はじめ|始め|頭|あたま", 5), (r"前半", 8),
    (r"中旬|なかごろ|中頃|中ごろ|半ば|なかば|真ん中|まんなか", 15),
    (r"後半", 22), (r"下旬", 25), (r"末|すえ|終わり|おわり", 0),
)
MONTH_PART_RE = "|".join(p for p, _ in MONTH_PARTS)
DATE_WORDS = (("さらいげつ", "再来月"), ("らいげつ", "来月"), ("こんげつ", "今月"), ("さらいしゅう", "再来週"),
              ("らいしゅう", "来週"), ("こんしゅう", "今週"), ("げつまつ", "月末"), ("ちゅうじゅん", "中旬"),
              ("じょうじゅん", "上旬"), ("げじゅん", "下旬"), ("げつよう", "月曜"), ("かよう", "火曜"),
              ("すいよう", "水曜"), ("もくよう", "木曜"), ("きんよう", "金曜"), ("どよう", "土曜"), ("にちよう", "日曜"))
# 「15日か20日」「12月か1月」: two dates, one of them would be a guess
DATE_CHOICE = re.compile(r"(?<=[日月週旬末頭めり])(?:か|または|もしくは|あるいは|or)(?=\d|来|再|今|上|中|下|初|月)")


def parse_date(text: str, today: dt.date) -> Optional[str]:
    """A planned date → "2026-12-15"; a vague one (「来月のなかごろ」「再来週」「月末」) → a day inside
    it marked "~" ("2026-12-15~"); a month only (「来月」「1月」) → "2026-12"; 未定 → unknown;
    None when unclear (「そのうち」, or two dates: 「15日か20日」) — better asked again than guessed.

    Understands 2026-12-15, 2026/12/15, 2026年12月15日, 令和8年12月15日, 12月15日, 12/15,
    来月15日, 今月20日, 15日, 来月, 再来月, 3週間後, 2か月後, 来月の初め／なかごろ／末, 12月下旬,
    月末, 来週, 再来週の水曜日, and the same in hiragana (「らいげつのなかごろ」). A date without a
    year is the next one, unless it passed within the last two months: that is returned as is, a
    past date the caller rejects (more likely a slip than a plan for next year).
    """
    text = normalize(text).replace(" ", "")
    for kana, word in DATE_WORDS:
        text = text.replace(kana, word)
    choices = DATE_CHOICE.split(text)
    if len(choices) > 1:
        found = {_parse_date(choice, today) for choice in choices}
        return found.pop() if len(found) == 1 else None
    return _parse_date(text, today)


def _parse_date(text: str, today: dt.date) -> Optional[str]:
    era = re.search(r"令和(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日?", text)
    if era:
        year = 2018 + (1 if era.group(1) == "元" else int(era.group(1)))
        found = _safe_date(year, int(era.group(2)), int(era.group(3)))
        return found.isoformat() if found else None
    full = re.search(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})", text)
    if full:
        found = _safe_date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        return found.isoformat() if found else None
    relative = re.search(r"(来月|今月|再来月)の?(\d{1,2})日", text)
    if relative:
        months = {"今月": 0, "来月": 1, "再来月": 2}[relative.group(1)]
        base = add_months(today.replace(day=1), months)
        found = _safe_date(base.year, base.month, int(relative.group(2)))
        return found.isoformat() if found else None
    nth = re.search(r"(来月|今月|再来月|(\d{1,2})月)の?第([1-5一二三四五])(?:週)?の?([月火水木金土日])曜?", text)
    if nth:   # 「2月の第2水曜」「来月の第3金曜日」
        if nth.group(2):
            month = int(nth.group(2))
            first = dt.date(today.year + (1 if month < today.month else 0), month, 1)
        else:
            first = add_months(today.replace(day=1), {"今月": 0, "来月": 1, "再来月": 2}[nth.group(1)])
        n = int(nth.group(3)) if nth.group(3).isdigit() else "一二三四五".index(nth.group(3)) + 1
        offset = ("月火水木金土日".index(nth.group(4)) - first.weekday()) % 7
        found = first + dt.timedelta(days=offset + 7 * (n - 1))
        return found.isoformat() if found.month == first.month else None
    month_day = re.search(r"(\d{1,2})(?:月の?|/)(\d{1,2})", text)   # 「1月の20日ごろ」 too
    if month_day:
        month, day = int(month_day.group(1)), int(month_day.group(2))
        found = _safe_date(today.year, month, day)
        if found and (today - found).days > RECENT_PAST_DAYS:
            found = _safe_date(today.year + 1, month, day)
        return found.isoformat() if found else None
    after = re.search(r"(\d{1,3})(日|週間|か月|ヶ月|カ月|ケ月|ヵ月)後", text)
    if after:
        n, unit = int(after.group(1)), after.group(2)
        if unit == "日":
            return (today + dt.timedelta(days=n)).isoformat()
        if unit == "週間":
            return (today + dt.timedelta(weeks=n)).isoformat()
        return add_months(today, n).isoformat()
    week = re.search(r"(再来週|来週|今週)(?:の)?([月火水木金土日])?(?:曜)?", text)
    if week:
        monday = today - dt.timedelta(days=today.weekday())
        monday += dt.timedelta(weeks={"今週": 0, "来週": 1, "再来週": 2}[week.group(1)])
        if week.group(2):
            return (monday + dt.timedelta(days=WEEKDAY_NAMES.index(week.group(2)))).isoformat()
        return max(monday + dt.timedelta(days=2), today).isoformat() + "~"   # the week's Wednesday
    part = re.search(rf"(今月|来月|再来月|(\d{{1,2}})月)の?({MONTH_PART_RE})", text) or re.search(
        r"()()月(末|終わり|おわり)", text)
    if part:
        if part.group(2):
            month = int(part.group(2))
            if not 1 <= month <= 12:
                return None
            first = dt.date(today.year if month >= today.month else today.year + 1, month, 1)
        else:
            first = add_months(today.replace(day=1), {"今月": 0, "来月": 1, "再来月": 2}.get(part.group(1), 0))
        day = next(d for p, d in MONTH_PARTS if re.fullmatch(p, part.group(3)))
        day = day or calendar.monthrange(first.year, first.month)[1]
        return first.replace(day=day).isoformat() + "~"
    for word, months in (("再来月", 2), ("来月", 1)):
        if word in text:
            return add_months(today.replace(day=1), months).strftime("%Y-%m")
    month_only = re.search(r"(\d{1,2})月", text)
    if month_only and 1 <= int(month_only.group(1)) <= 12:
        month = int(month_only.group(1))
        year = today.year if month >= today.month else today.year + 1
        return f"{year}-{month:02d}"
    day_only = re.search(r"(\d{1,2})日", text)
    if day_only:
        found = _safe_date(today.year, today.month, int(day_only.group(1)))
        if found and found < today:
            base = add_months(today.replace(day=1), 1)
            found = _safe_date(base.year, base.month, int(day_only.group(1)))
        return found.isoformat() if found else None
    if said(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def date_of(value: object) -> Tuple[Optional[dt.date], str]:
    """A date slot value → (its day, how exact: "day" | "about" | "month"); (None, "") for 未定.
    A month alone stands for its middle, the 15th."""
    if not value or value == UNKNOWN:
        return None, ""
    text = str(value)
    if len(text) == 7:
        return dt.date.fromisoformat(text + "-15"), "month"
    if text.endswith("~"):
        return dt.date.fromisoformat(text[:-1]), "about"
    return dt.date.fromisoformat(text), "day"


def parse_answer(question: Question, text: str, today: dt.date, asked: bool = True) -> Optional[object]:
    """The canonical value of `text` as an answer to `question`, or None if it is unclear.
    `asked=False`: what the text says about a question not asked yet (only distinctive words)."""
    text = normalize(text)
    if not text:
        return None
    if question.parser is not None:
        return question.parser(text, today)
    if question.kind == "yesno":
        return parse_yesno(question, text) if asked else volunteered_yesno(question, text)
    if question.kind == "choice":
        return parse_choice(question, text)
    if question.kind == "multi":
        return parse_multi(question, text)
    if question.kind == "age":
        return parse_age(text)
    if question.kind == "date":
        return parse_date(text, today)
    raise ValueError(question.kind)


def is_past(value: object, today: dt.date) -> bool:
    """A date ("2026-11-01") or month ("2026-10") value before today."""
    return bool(value) and value != UNKNOWN and str(value) < today.isoformat()[: len(str(value))]


def past_date_in(text: str, today: dt.date) -> bool:
    return is_past(parse_date(text, today), today)


def command_in(text: str) -> Optional[str]:
    """「やめる」 → stop, 「最初から」 → restart, in a short message only — or as its short last sentence
    (「…申請ってまだしてなかったかも。やめる」)."""
    text = normalize(text)
    if len(text) > 15:
        sentences_ = [t for t in re.split(r"[。．.!！?？\n]+", text.rstrip("。．.!！ \n")) if t.strip()]
        last = sentences_[-1] if sentences_ else ""
        ending = [t for t in sentences_ if len(t) <= 25 and re.search(f"(?:{STOP_RE})\\s*$", t)]
        if len(last) > 10 and not ending:   # 「…やっぱりむずかしいのでやめます。役所に電話します」: a sentence ends with it
            return None
        text = last if len(last) <= 10 else ending[0]
    if re.search(RESTART_RE, text):
        return "restart"
    if re.search(STOP_RE, text):
        return "stop"
    return None



def beside_command(text: str) -> str:
    """What a message says besides its short command sentence (「やめる。忘れたんじゃなくて、家族が代わりに決めていいか
    知りたい」 → the second sentence); "" when it says nothing else."""
    command = f"(?:{STOP_RE}|{RESTART_RE})"
    return "".join(s for s in sentences(text) if not (len(s) <= 12 and re.search(command, s))).strip()


# 「あ、違う、施設じゃなくて自宅です」「やっぱり75歳未満」: what follows the mark is what the user means now
DENYING_RE = r"違います|違う|ちがいます|ちがう|ちゃう"   # 「A違う」「施設ちゃう」: what comes before is not meant
CORRECTING_RE = (INSTEAD_RE + "|" + DENYING_RE + r"|違いました|違った|違ってた|違ってました|ちがった|間違え|間違い|まちがい|まちがえ"
                                r"|訂正(?:します|しました|です|をお願いします|お願いします)?|やっぱり|やはり|やっぱ"
                                r"|直したい|直して(?:ください|下さい|ほしい)?|直します|なおしたい|修正|変えたい|変えてほしい|変更したい|変更します|ずらしたい|ずらして"
                                r"|(?:言|い)(?:っ|う)た(?:やん|のに|じゃん|でしょ)")   # 「いや電話はかけれる言うたやん」
# what may follow the mark and says nothing: 「年齢を訂正させてください」
REQUEST_ONLY_RE = (r"(?:させて|して)?(?:ください|下さい|ほしい(?:です)?|もらえますか|いただけますか|お願いします)?(?:です)?"
                   r"(?:よ|ね|けど|が)?")   # 「日付ちがいますよ」


SENTENCE_RE = r"[^。!！?？\n]+[。!！?？\n]*"


def sentences(text: str) -> List[str]:
    return re.findall(SENTENCE_RE, text)


def correcting_parts(text: str) -> Tuple[List[str], str]:
    """(the parts of a message that say what is meant now, the rest of the message): after a sentence's last mark
    (「違う、入院中です」「施設じゃなくて自宅」), else before its first one (「2月22日の月曜に訂正します」); ([], text) when
    the message corrects nothing."""
    parts, rest = [], []
    listed = sentences(text)
    taken = set()
    for i, sentence in enumerate(listed):
        marks = list(re.finditer(CORRECTING_RE, sentence))
        if not marks or i in taken:
            continue
        after = sentence[marks[-1].end():].strip("、,。!！ 　")
        after = "" if re.fullmatch(REQUEST_ONLY_RE, after) else after
        # what comes before 「AじゃなくてB」's or 「A違う」「施設ちゃう」's mark is what is not meant (fourteenth trial: 「施設ちゃう」
        # was taken as 施設); before 「…に訂正します」 it is what is meant
        before = ("" if re.match(INSTEAD_RE + "|" + DENYING_RE, marks[0].group())
                  else sentence[:marks[0].start()].strip("、,。 　"))
        if not after and len(before) < 8:   # the mark says it all: what is meant is in the next sentence or the one before
            if i + 1 < len(listed):   # 「あ、さっきの違います。更新はしなくていいので切替えだけです」
                after = listed[i + 1].strip("、,。 　")
                taken.add(i + 1)
            elif i > 0 and i - 1 not in taken:   # 「いや、写真付きのはないです。訂正します」
                after = listed[i - 1].strip("、,。 　")
                taken.add(i - 1)
        parts += [part for part in (after, before) if part]
        taken.add(i)
    rest = [sentence for i, sentence in enumerate(listed) if i not in taken]
    return parts, "".join(rest)


def instead_part(text: str) -> str:
    """「施設じゃなくて家族が行きます」 → 「家族が行きます」: the words after 「AじゃなくてB」's mark; else the text."""
    marks = list(re.finditer(INSTEAD_RE, text))
    return text[marks[-1].end():].lstrip("、,。 　") if marks else text
