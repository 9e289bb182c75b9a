"""The FAX inquiry sheet for hearing-impaired users: data model, validation, PDF.

Manual Ver.2 第8: FAX 0120-601-785, answered by FAX by the 個人番号カードコールセンター; it takes
questions about the マイナンバー system and cards, and requests to suspend (一時停止) a lost or stolen
card or smartphone (24時間365日). `parse_inquiry()` checks what a user typed and gives Japanese
messages per field; `make_pdf()` / `blank_pdf()` draw it with the one layout in `bot.gateway.fax_template`.
Nothing here stores or logs what the user typed.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional, Union

from bot.gateway import fax_template
from bot.shared.privacy import MYNUMBER, PIN, redact

FAX_NUMBER = fax_template.FAX_NUMBER
JST = dt.timezone(dt.timedelta(hours=9), "JST")

FIELDS = ("inquiry_type", "name", "furigana", "birth_date", "address", "reply_fax", "phone",
          "sender_name", "sender_relation", "device", "loss_kind", "lost_at", "lost_place",
          "police_report_number", "question")
SUSPEND_FIELDS = ("device", "loss_kind", "lost_at", "lost_place", "police_report_number")
LABELS = {
    "inquiry_type": "お問い合わせの種類", "name": "氏名", "furigana": "ふりがな", "birth_date": "生年月日",
    "address": "住所", "reply_fax": "返信先FAX番号", "phone": "電話番号", "sender_name": "送信者の氏名",
    "sender_relation": "送信者の続柄・関係", "device": "一時停止の対象", "loss_kind": "紛失か盗難か",
    "lost_at": "なくした（盗まれた）日", "lost_place": "なくした（盗まれた）場所",
    "police_report_number": "警察の受理番号", "question": "ご質問・ご依頼の内容",
}
CHOICES = {
    "inquiry_type": {"question": "質問", "suspend": "一時停止の依頼"},
    "device": {"card": "マイナンバーカード", "smartphone": "スマートフォン"},
    "loss_kind": {"lost": "紛失", "stolen": "盗難"},
}
# The longest that fits its box on the sheet in full-width characters (the police number: in the
# digits and signs it is written in, after NFKC), checked by tests/gateway/test_fax.py. The form has no
# maxlength (it would cut silently): a longer value is refused with a message saying the limit, and
# anything that still does not fit its box on paper is refused by the layout check.
MAX_CHARS = {"name": 25, "furigana": 32, "address": 90, "sender_name": 15, "sender_relation": 10,
             "lost_place": 30, "police_report_number": 20, "question": 300}
NFKC_FIELDS = ("furigana", "police_report_number")   # full-width digits and letters become half-width
KANA = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe・ 　]+")
DASHES = "‐‑‒–—―−ー－ｰ"
ERAS = ((dt.date(2019, 5, 1), "令和"), (dt.date(1989, 1, 8), "平成"), (dt.date(1926, 12, 25), "昭和"),
        (dt.date(1912, 7, 30), "大正"), (dt.date(1873, 1, 1), "明治"))
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
# 昭和24年5月3日, 昭和２４年５月３日, 平成元年1月8日, S24.5.3, 1949年5月3日 (after NFKC)
JAPANESE_DATE = re.compile(r"(?P<era>令和|平成|昭和|大正|明治|[RHSTM])?\s*(?P<year>\d{1,4}|元)\s*[年.]\s*"
                           r"(?P<month>\d{1,2})\s*[月.]\s*(?P<day>\d{1,2})\s*日?", re.IGNORECASE)


class FaxSheetInvalid(ValueError):
    """What the user typed cannot go on the sheet; `errors` is [{"field", "message"}] in Japanese."""

    def __init__(self, errors: List[Dict[str, str]]):
        super().__init__(f"{len(errors)} invalid field(s)")   # never the values
        self.errors = errors


@dataclass(frozen=True)
class FaxInquiry:
    inquiry_type: str                  # question | suspend
    name: str
    reply_fax: str
    furigana: str = ""
    birth_date: Optional[dt.date] = None
    address: str = ""
    phone: str = ""
    sender_name: str = ""
    sender_relation: str = ""
    device: str = ""                   # card | smartphone (suspend only)
    loss_kind: str = ""                # lost | stolen (suspend only)
    lost_at: Union[dt.date, dt.datetime, None] = None
    lost_place: str = ""
    police_report_number: str = ""
    question: str = ""

    def sheet_values(self, today: dt.date) -> Dict[str, str]:
        """Display strings for the layout's fields."""
        values = {k: v for k, v in asdict(self).items() if isinstance(v, str)}
        values.update(
            date=japanese_date(today),
            birth_date=japanese_date(self.birth_date, era=True) if self.birth_date else "",
            lost_at=japanese_date(self.lost_at) if self.lost_at else "",
            police="reported" if self.police_report_number else "",
        )
        return values


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


def era_year(day: dt.date) -> str:
    for start, name in ERAS:
        if day >= start:
            n = day.year - start.year + 1
            return f"{name}{'元' if n == 1 else n}年"
    return ""


def japanese_date(value: Union[dt.date, dt.datetime], era: bool = False) -> str:
    """2025年1月5日, with （昭和25年） after the year if `era`, and 14:30 for a datetime."""
    day = value.date() if isinstance(value, dt.datetime) else value
    year = f"{day.year}年" + (f"（{era_year(day)}）" if era else "")
    text = f"{year}{day.month}月{day.day}日"
    return text + (f" {value:%H:%M}" if isinstance(value, dt.datetime) else "")


# --- checks: each returns the cleaned value or raises _Bad(message) ----------------------------

class _Bad(Exception):
    pass


def clean_text(value: str, multiline: bool = False) -> str:
    """Strip; drop control characters; line breaks only where allowed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        value = value.replace("\n", " ")
    value = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return value.strip()


def phone_number(value: str, label: str) -> str:
    """Japanese number: digits with optional hyphens, 10–11 digits from 0; full-width accepted; the area
    code or exchange in brackets as often written (011(222)4444, (011)222-4444) → 011-222-4444."""
    value = re.sub(f"[{DASHES}]", "-", unicodedata.normalize("NFKC", value)).replace(" ", "")
    value = re.sub(r"^\((\d+)\)-?", r"\1-", value)
    value = re.sub(r"(?<=\d)-?\((\d+)\)-?(?=\d)", r"-\1-", value)
    digits = value.replace("-", "")
    if not re.fullmatch(r"[0-9]+(-[0-9]+)*", value) or not digits.startswith("0") or not 10 <= len(digits) <= 11:
        raise _Bad(f"{label}は0から始まる10〜11桁の番号で入力してください（例：03-1234-5678、011(222)4444）。")
    return value


def western_date(value: str) -> Optional[str]:
    """「昭和24年5月3日」「S24.5.3」「1949年5月3日」 → 「1949-5-3」; None if it is not written so."""
    match = JAPANESE_DATE.fullmatch(value.strip())
    if not match:
        return None
    era = ERA_LETTERS.get((match["era"] or "").upper(), match["era"])
    year = 1 if match["year"] == "元" else int(match["year"])
    if era:
        start = next(day for day, name in ERAS if name == era)
        end = next((day for day, name in reversed(ERAS) if day > start), None)
        day = (start.year + year - 1, int(match["month"]), int(match["day"]))
        try:
            if dt.date(*day) < start or (end and dt.date(*day) >= end):
                until = f"{japanese_date(end - dt.timedelta(days=1))}まで" if end else ""
                raise _Bad(f"{era}{match['year']}年{day[1]}月{day[2]}日という日はありません（{era}は"
                           f"{japanese_date(start)}から{until}）。元号と年を確かめてください。")
        except ValueError:
            pass   # not a real day: past_date says so
        return "-".join(map(str, day))
    return f"{year}-{match['month']}-{match['day']}" if match["year"] != "元" else None


def past_date(value: str, label: str, now: dt.datetime, allow_time: bool = False) -> Union[dt.date, dt.datetime]:
    """YYYY-MM-DD (or with a time, THH:MM, if allowed), or in Japanese with or without the era
    (昭和24年5月3日, 1949年5月3日, S24.5.3); a real date, not in the future, from 1900."""
    value = unicodedata.normalize("NFKC", value)
    value = (western_date(value) or value).replace("/", "-")
    pattern = r"(\d{4})-(\d{1,2})-(\d{1,2})" + (r"(?:[T ](\d{1,2}):(\d{2}))?" if allow_time else "")
    match = re.fullmatch(pattern, value)
    if not match:
        raise _Bad(f"{label}は「昭和24年5月3日」「1949年5月3日」「1949-05-03」のように入力してください。")
    numbers = [int(g) for g in match.groups() if g is not None]
    try:
        year, month, day, *clock = numbers
        parsed = dt.datetime(year, month, day, clock[0], clock[1]) if len(clock) == 2 else dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"{label}が正しい日付ではありません。") from None
    limit = now.replace(tzinfo=None) if isinstance(parsed, dt.datetime) else now.date()
    if parsed > limit:
        raise _Bad(f"{label}が未来の日付になっています。")
    if parsed.year < 1900:
        raise _Bad(f"{label}の年が正しくありません。")
    return parsed


def parse_inquiry(raw: Mapping[str, object], now: Optional[dt.datetime] = None, strict: bool = False) -> FaxInquiry:
    """A checked `FaxInquiry` from user input, or `FaxSheetInvalid` listing every problem found.

    Suspension fields are ignored for a question (the form hides them). `strict` (the JSON API)
    refuses unknown keys; the form ignores them.
    """
    now = now or dt.datetime.now(JST)
    errors: Dict[str, str] = {}
    if strict:
        errors.update({str(key): "この項目は使えません。" for key in raw if key not in FIELDS})
    texts: Dict[str, str] = {}
    for key in FIELDS:
        value = "" if raw.get(key) is None else raw[key]
        if not isinstance(value, str):
            errors[key], value = f"{LABELS[key]}は文字で入力してください。", ""
        texts[key] = clean_text(value, multiline=key == "question")

    kind = texts["inquiry_type"]
    checks = {
        "inquiry_type": lambda v: _choice("inquiry_type", v),
        "name": lambda v: _required("name", v),
        "furigana": _furigana,
        "birth_date": lambda v: past_date(v, LABELS["birth_date"], now) if v else None,
        "reply_fax": lambda v: _reply_fax(_required("reply_fax", v)),
        "phone": lambda v: phone_number(v, LABELS["phone"]) if v else "",
        "question": lambda v: _no_secrets("question", _required("question", v) if kind == "question" else v),
        "device": lambda v: _choice("device", v),
        "loss_kind": lambda v: _choice("loss_kind", v),
        "lost_at": lambda v: past_date(v, LABELS["lost_at"], now, allow_time=True) if v else None,
    }
    clean: Dict[str, Any] = {}
    for key in FIELDS:
        if key in errors or (key in SUSPEND_FIELDS and kind != "suspend"):
            continue
        value = unicodedata.normalize("NFKC", texts[key]) if key in NFKC_FIELDS else texts[key]
        try:
            if key in MAX_CHARS and len(value) > MAX_CHARS[key]:
                raise _Bad(f"{LABELS[key]}は{MAX_CHARS[key]}文字以内で入力してください（いま{len(value)}文字です）。")
            clean[key] = checks[key](value) if key in checks else value
        except _Bad as bad:
            errors[key] = str(bad)

    if texts["sender_name"] and not texts["sender_relation"]:
        errors.setdefault("sender_relation", "ご本人以外が送る場合は、続柄・関係も入力してください（例：長女、施設の職員）。")
    elif texts["sender_relation"] and not texts["sender_name"]:
        errors.setdefault("sender_name", "ご本人以外が送る場合は、送信者の氏名も入力してください。")
    printed = {k: v for k, v in clean.items() if isinstance(v, str)}
    for key, problem in fax_template.problems(printed).items():
        errors.setdefault(key, _layout_message(key, problem))
    if errors:
        order = {key: i for i, key in enumerate(FIELDS)}
        ordered = sorted(errors.items(), key=lambda item: order.get(item[0], -1))
        raise FaxSheetInvalid([{"field": key, "message": message} for key, message in ordered])
    return FaxInquiry(**clean)


def _required(key: str, value: str) -> str:
    if not value:
        raise _Bad(f"{LABELS[key]}を入力してください（必須）。")
    return value


def _no_secrets(key: str, value: str) -> str:
    """A free-text field must not carry a マイナンバー or a PIN (the sheet has its own fields for the rest)."""
    found = redact(value, kinds=(MYNUMBER, PIN)).found
    if found:
        raise _Bad(f"{LABELS[key]}に{'・'.join(found)}と思われる番号があります。"
                   "マイナンバー（個人番号）や暗証番号は、FAXに書かないでください。消してからもう一度お試しください。")
    return value


def _choice(key: str, value: str) -> str:
    if not value:
        raise _Bad(f"{LABELS[key]}を選んでください（必須）。")
    if value not in CHOICES[key]:
        names = "・".join(f"「{name}」" for name in CHOICES[key].values())
        raise _Bad(f"{LABELS[key]}は{names}から選んでください。")
    return value


def _furigana(value: str) -> str:
    if value and not KANA.fullmatch(value):
        raise _Bad("ふりがなは、ひらがなかカタカナで入力してください。")
    return value


def _reply_fax(value: str) -> str:
    value = phone_number(value, LABELS["reply_fax"])
    if value.replace("-", "") == FAX_NUMBER.replace("-", ""):
        raise _Bad("返信先FAX番号には、回答を受け取るあなたのFAX番号を書いてください（0120-601-785はコールセンターの番号です）。")
    return value


def _layout_message(key: str, problem: str) -> str:
    label = LABELS.get(key, key)
    if problem.startswith("glyph:"):
        return f"{label}に用紙に印刷できない文字（{problem[6:]}）があります。別の書き方にしてください。"
    if key == "question":
        return f"{label}が用紙に収まりません（改行を含めて{fax_template.capacity(key)}行まで）。短くしてください。"
    return f"{label}が長すぎて用紙に収まりません。短くしてください。"


def make_pdf(inquiry: FaxInquiry, today: Optional[dt.date] = None) -> bytes:
    """The filled sheet, dated today (Japan time)."""
    return fax_template.render(inquiry.sheet_values(today or today_jst()))


@functools.lru_cache(maxsize=1)
def blank_pdf() -> bytes:
    """The empty sheet to print and fill in by hand."""
    return fax_template.render({})
