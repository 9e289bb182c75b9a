"""Reading answers: a typed answer or a button's text → a canonical value (plain Python, no Rasa).

The generic kinds of question live here — choice, yes/no, several items, an age, a date — and the
two commands (「やめる」「最初から」). A check with answers of its own shape gives its question a
`parser` (e.g. the proxy check's 通知カード／住基カード).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

UNKNOWN = "unknown"

UNKNOWN_RE = (
    r"わから|分から|判ら|わかりません|不明|知らな|しらな|覚えて(い)?な|未定|決まって(い)?な|"
    r"決めて(い)?な|どちらとも|どっちとも|かも|たぶん|多分|さあ"
)
NO_RE = r"いいえ|いえ|いや|ううん|ない|ありません|いません|無い|無し|なし|違う|ちがう|^no$|^ノー$"
YES_RE = r"はい|うん|ええ|そう|ある|あり|いる|います|yes|^ok|オッケー|おっけー"
STOP_RE = r"やめ(る|ます|たい|て|とく|ておく|よう)|止め(る|ます|たい)|中止|中断|キャンセル|もういい|もう結構|終了|おわり|終わり"
RESTART_RE = r"最初から|はじめから|初めから|やり直|やりなお|リセット"


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass(frozen=True)
class Option:
    value: str
    title: str          # button title; the button sends the same text, so typing it works too
    pattern: str = ""   # regex searched in the normalized answer (the title always matches)

    def matches(self, text: str) -> bool:
        return normalize(self.title) == text or bool(self.pattern and re.search(self.pattern, text, re.I))


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


def parse_yesno(question: Question, text: str) -> Optional[str]:
    """わからない first, then a negation, then the question's own words, then a plain はい."""
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    yes, no, _ = question.options
    if no.matches(text) or re.search(NO_RE, text, re.I):
        return "no"
    if yes.matches(text) or re.search(YES_RE, text, re.I):
        return "yes"
    return None


def parse_choice(question: Question, text: str) -> Optional[str]:
    """The first option that matches (options are ordered from the most specific)."""
    for option in question.options:
        if option.value != UNKNOWN and option.matches(text):
            return option.value
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def parse_multi(question: Question, text: str) -> Optional[List[str]]:
    """Every option that matches, in option order; ["unknown"] for わからない."""
    found = [o.value for o in question.options if o.value != UNKNOWN and o.matches(text)]
    if found:
        return found
    if re.search(UNKNOWN_RE, text):
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
    match = re.search(r"(\d{1,3})\s*(歳|才|さい)", text) or re.fullmatch(r"(\d{1,3})", text)
    if not match:
        kanji = re.search(r"([〇一二三四五六七八九十百]+)\s*(歳|才)", text)
        age = kanji_number(kanji.group(1)) if kanji else None
    else:
        age = int(match.group(1))
    if age is not None and 0 <= age < 130:
        return "75plus" if age >= 75 else "under75"
    decade = re.search(r"(\d)0\s*(代|台)", text)
    if decade:
        if int(decade.group(1)) >= 8:
            return "75plus"
        if int(decade.group(1)) <= 6:
            return "under75"
        return None  # 70代: could be either side of 75
    if re.search(UNKNOWN_RE, text):
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


def parse_date(text: str, today: dt.date) -> Optional[str]:
    """A planned date → "2026-12-15"; a month only (「来月」「1月」) → "2026-12"; 未定 → unknown.

    Understands 2026-12-15, 2026/12/15, 2026年12月15日, 令和8年12月15日, 12月15日, 12/15,
    来月15日, 今月20日, 15日, 来月, 再来月, 3週間後, 2か月後. A date without a year is the next
    one, unless it passed within the last two months: that is returned as is, a past date the
    caller rejects (more likely a slip than a plan for next year).
    """
    text = normalize(text).replace(" ", "")
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
    month_day = re.search(r"(\d{1,2})(?:月|/)(\d{1,2})", text)
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
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def parse_answer(question: Question, text: str, today: dt.date) -> Optional[object]:
    """The canonical value of `text` as an answer to `question`, or None if it is unclear."""
    text = normalize(text)
    if not text:
        return None
    if question.parser is not None:
        return question.parser(text, today)
    if question.kind == "yesno":
        return parse_yesno(question, text)
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
    """「やめる」 → stop, 「最初から」 → restart, in a short message only."""
    text = normalize(text)
    if len(text) > 15:
        return None
    if re.search(RESTART_RE, text):
        return "restart"
    if re.search(STOP_RE, text):
        return "stop"
    return None

