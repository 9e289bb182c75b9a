"""The personal-data guard on a corpus of messages that contain personal data and ones that do not."""
from __future__ import annotations

import pytest

from bot.privacy import BIRTH_DATE, MYNUMBER, PHONE, PIN, mynumber_check_digit_ok, redact

VALID_MYNUMBER = "123456789018"  # check digit computed by the rule

POSITIVE = [
    (f"私のマイナンバーは{VALID_MYNUMBER}です", MYNUMBER),
    ("番号 1234 5678 9018 で合ってますか", MYNUMBER),
    ("1234-5678-9018 です", MYNUMBER),
    ("１２３４５６７８９０１８", MYNUMBER),
    ("母の個人番号 987654321098 を書けばいい？", MYNUMBER),
    ("暗証番号は1234です", PIN),
    ("暗証番号：５６７８", PIN),
    ("パスワードはabc12345なんだけど忘れた", PIN),
    ("あんしょうばんごう 0000 でロックされた", PIN),
    ("PIN 4321 を入れたら", PIN),
    ("折り返しは090-1234-5678にお願いします", PHONE),
    ("電話 03-1234-5678 まで", PHONE),
    ("０８０１２３４５６７８に連絡ください", PHONE),
    ("生年月日は昭和20年1月1日です", BIRTH_DATE),
    ("1945年3月10日生まれの母", BIRTH_DATE),
    ("誕生日 1950/4/1", BIRTH_DATE),
]

NEGATIVE = [
    "マイナンバー総合フリーダイヤル0120-95-0178に電話した",
    "FAXは0120-601-785ですか",
    "IP電話なら050-3818-1250？",
    "外国語は0120-0178-27",
    "暗証番号を3回間違えました",
    "暗証番号は4桁ですか",
    "署名用は6～16桁の英数字",
    "2024年12月2日に保険証はどうなった？",
    "令和6年12月2日以降の受診",
    "75歳以上の母です",
    "2025年12月1日まで使えますか",
    "利用者さん20人分の申請",
    "パスワードを忘れました",
    "暗証番号を忘れました please help",
    "パスワード reset の方法",
    "マイナンバーカードをなくしました",
    "🙂🙂🙂",
    '/show_answer{"answer_id": "pin_forgot"}',
    '/show_answer{"answer_id": "pin_kinds"}',
    "",
]


def test_check_digit():
    assert mynumber_check_digit_ok(VALID_MYNUMBER)
    assert not mynumber_check_digit_ok("123456789012")


@pytest.mark.parametrize("text, kind", POSITIVE)
def test_personal_data_is_found_and_hidden(text, kind):
    result = redact(text)
    assert kind in result.found
    digits_in = "".join(ch for ch in result.text if ch.isdigit())
    for secret in ("1234", "5678", "9018", "4321", "0000", "abc12345", "1945", "昭和20"):
        if secret in text.replace("-", "").replace(" ", "") or secret in text:
            assert secret not in result.text.replace("-", "").replace(" ", ""), result.text
    assert f"［{kind}］" in result.text
    assert len(digits_in) < 8


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_false_alarm(text):
    result = redact(text)
    assert result.found == [] and result.text == text
