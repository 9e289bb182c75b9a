"""What people meet on a phone (390×844, real Chromium with touch, against the real gateway and Rasa):
the FAX form keeps what is typed.

Writes var/phone_conversation.png (docs/phone_conversation.png is a copy of one).
"""
from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.gateway.test_widget_browser import browser  # noqa: F401  (the module's Chromium)

PHONE = {"width": 390, "height": 844}
# an address of 72 characters (the old form cut it at 60 without a word)
ADDRESS = ("北海道札幌市中央区北一条西二丁目一番地の三 さっぽろ中央ハイツ十五号棟千二百三十四号室 "
           "社会福祉法人ひまわり会 ケアホームひまわり気付 山田様方")


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(locale="ja-JP", viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems


def type_into(page, field: str, text: str) -> None:
    """Type as a person does, key by key (a maxlength would stop the keys, not a scripted value)."""
    box = page.locator(f"#f-{field}")
    box.click()
    box.press_sequentially(text)
    assert box.input_value() == text, f"{field} was cut to {box.input_value()!r}"


def test_fax_form_on_a_phone_takes_real_lengths_era_dates_and_bracketed_numbers(phone, gateway, tmp_path):
    assert len(ADDRESS) > 66
    phone.goto(gateway + "/fax?type=suspend")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    type_into(phone, "name", "山田 花子")
    type_into(phone, "birth_date", "昭和24年5月3日")
    type_into(phone, "address", ADDRESS)
    type_into(phone, "reply_fax", "011(222)4444")
    phone.locator("#f-device").check()
    phone.locator("#f-loss_kind").check()
    type_into(phone, "police_report_number", "第２０２６－０１２３４５号")
    with phone.expect_download() as download:
        phone.get_by_role("button", name="用紙（PDF）をつくる").click()
    pdf = tmp_path / "sheet.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split()).replace("住所", "")     # the label sits beside the address's middle line
    for printed in ["".join(ADDRESS.split()), "第2026-012345号", "1949年（昭和24年）5月3日", "011-222-4444"]:
        assert printed in flat, printed


def test_fax_form_says_what_is_too_long_and_keeps_it_whole(phone, gateway):
    too_long = ADDRESS + "（裏口からお入りください。インターホンは二回押してください）"
    phone.goto(gateway + "/fax")
    phone.locator("#f-inquiry_type").check()
    type_into(phone, "name", "山田 花子")
    type_into(phone, "address", too_long)
    type_into(phone, "reply_fax", "011-222-4444")
    type_into(phone, "question", "暗証番号の再設定は代理でできますか")
    phone.get_by_role("button", name="用紙（PDF）をつくる").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text(f"住所は90文字以内で入力してください（いま{len(too_long)}文字です）")
    assert phone.locator("#f-address").input_value() == too_long
