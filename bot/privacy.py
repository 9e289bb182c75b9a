"""Personal-data guard: find マイナンバー, PINs, personal phone numbers and birth dates in a message
and redact them before the text is stored, logged or sent to Rasa.

Public numbers the bot itself gives (0120-95-0178, 0120-601-785, the 050 IP-phone lines …), plain
dates and counts (「3回」「4桁」) are not personal and are left alone.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import List

MYNUMBER = "マイナンバー"
PIN = "暗証番号"
PHONE = "電話番号"
BIRTH_DATE = "生年月日"

# digits possibly split by spaces or hyphens (after NFKC: full-width digits become ASCII)
_SEP = r"[ \-‐－―ー]?"
_TWELVE_DIGITS = re.compile(r"(?<!\d)(?:\d" + _SEP + r"){11}\d(?!\d)")
_PHONE_CANDIDATE = re.compile(r"(?<![\d\-])0\d{1,4}[ \-‐－―]?\d{1,4}[ \-‐－―]?\d{3,4}(?![\d\-])")
_PIN_WORDS = r"(?:暗証番号|暗証|あんしょうばんごう|あんしょう番号|パスワード|ぱすわーど|PIN|ピン番号|パスコード)"
_PIN = re.compile(
    r"(?<![A-Za-z0-9_])" + _PIN_WORDS + r"(?![A-Za-z_])" + r"[^\d\n]{0,12}?((?=[A-Za-z]*\d)[0-9A-Za-z]{4,16})(?![0-9A-Za-z]|\s*(?:桁|けた|ケタ|回|文字|日|月|年|歳|才|時|分|番|個|つ|人))",
    re.IGNORECASE,
)
_ERA_DATE = r"(?:(?:明治|大正|昭和|平成|令和)\s*(?:\d{1,2}|元)|(?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_SLASH_DATE = r"(?:19|20)\d{2}[/\-.]\d{1,2}[/\-.]\d{1,2}"
_BIRTH = re.compile(
    r"(?:生年月日|誕生日|生まれ)[^\d\n]{0,8}(" + _ERA_DATE + "|" + _SLASH_DATE + r")"
    r"|(" + _ERA_DATE + "|" + _SLASH_DATE + r")\s*(?:生まれ|生)"
)
# toll-free and IP-phone lines are organisations' numbers, never a person's
_PUBLIC_PREFIXES = ("0120", "0800", "050")


@dataclass
class Redaction:
    text: str                                   # the message with personal data replaced
    found: List[str] = field(default_factory=list)  # kinds found, e.g. ["マイナンバー"]

    @property
    def changed(self) -> bool:
        return bool(self.found)


def mynumber_check_digit_ok(digits: str) -> bool:
    """The check digit rule of the 個人番号 (12 digits)."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(d) for d in digits[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _is_personal_phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) in (10, 11) and not digits.startswith(_PUBLIC_PREFIXES)


def redact(text: str) -> Redaction:
    """Replace personal data in `text` with 「［種類］」 placeholders; say which kinds were found."""
    normalized = unicodedata.normalize("NFKC", text)
    found: List[str] = []

    def mark(kind: str) -> str:
        if kind not in found:
            found.append(kind)
        return f"［{kind}］"

    # 12 digits: any such run is treated as a マイナンバー (a mistyped one is still personal)
    out = _TWELVE_DIGITS.sub(lambda m: mark(MYNUMBER), normalized)
    out = _BIRTH.sub(lambda m: m.group(0).replace(m.group(1) or m.group(2), mark(BIRTH_DATE)), out)
    out = _PIN.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + mark(PIN), out)
    out = _PHONE_CANDIDATE.sub(lambda m: mark(PHONE) if _is_personal_phone(m.group(0)) else m.group(0), out)
    return Redaction(text=out if found else text, found=found)


_PLACEHOLDER = re.compile("［(?:" + "|".join([MYNUMBER, PIN, PHONE, BIRTH_DATE]) + ")］")


def for_understanding(redacted: str) -> str:
    """The redacted text without its placeholders: what the NLU reads, so that a redaction does not
    change the question's meaning (「［電話番号］」 is no question about phone numbers)."""
    return re.sub(r"[ \t]{2,}", " ", _PLACEHOLDER.sub("", redacted)).strip() or redacted


def warning_text(found: List[str]) -> str:
    kinds = "・".join(found)
    return (
        f"ご注意：メッセージに{kinds}と思われる番号がありました。個人番号（マイナンバー）、暗証番号、"
        "電話番号、生年月日などは送らないでください。入力された番号は保存せず、伏せて扱いました。"
    )
