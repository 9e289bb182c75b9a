"""What people meet on a phone (390×844, real Chromium with touch, against the real gateway and Rasa):
the conversation is the screen (also with the keyboard open), quick taps and typing are not taken for abuse, 「人と話したい」 asks what the question is and puts it on
the ticket, the FAX form keeps what is typed.

Writes var/phone_conversation.png (docs/phone_conversation.png is a copy of one).
"""
from __future__ import annotations

import subprocess

import httpx
import pytest
from playwright.sync_api import expect

from tests.gateway.conftest import ROOT
from tests.gateway.test_helpdesk import AUTH
from tests.gateway.test_widget_browser import ANSWER_TIMEOUT, ask, browser, db_rows  # noqa: F401

PHONE = {"width": 390, "height": 844}
KEYBOARD_OPEN = {"width": 390, "height": 500}   # what Chrome on Android leaves with its keyboard up
SCREENSHOT = ROOT / "var" / "phone_conversation.png"
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


def bot_messages(page):
    return page.locator(".msg.bot:not(.pending)")


def tap(page, button) -> None:
    """Tap a button and wait for the answer it brings."""
    before = bot_messages(page).count()
    button.tap()
    expect(bot_messages(page).nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT)


# ---- the web chat ----

def share_of_screen(page, selector: str) -> float:
    """The part of the viewport's height that an element of the widget takes."""
    height = page.evaluate(f"""() => {{
        const e = document.querySelector('.mynasupport-widget').shadowRoot.querySelector('{selector}');
        return e ? e.getBoundingClientRect().height : 0; }}""")
    return height / page.viewport_size["height"]


def test_on_a_phone_the_conversation_is_the_screen(phone, gateway):
    phone.goto(gateway + "/")
    question = ask(phone, "施設の利用者さんがカードをなくしました。何をすればいいかガイドして")
    assert share_of_screen(phone, ".log") >= 0.8                       # was 0.72: header, title bar, two hint lines
    assert share_of_screen(phone, ".bar") <= 0.07 and share_of_screen(phone, ".form") <= 0.11
    expect(phone.get_by_role("switch", name="文字を大きく")).to_be_visible()
    expect(phone.get_by_role("heading", name="マイナサポートBot", level=1)).to_be_attached()   # for screen readers
    expect(question).to_contain_text("紛失チェック")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOT))                             # a conversation on the phone (docs/)

    phone.get_by_role("textbox", name="質問を入力").tap()               # the keyboard opens: the page gets shorter
    phone.set_viewport_size(KEYBOARD_OPEN)
    expect(phone.locator(".mynasupport-widget")).to_have_class("mynasupport-widget inline short")
    assert share_of_screen(phone, ".log") >= 0.85                       # was 0.53 (about 260 px of 500)
    assert share_of_screen(phone, ".bar") == 0
    box = phone.get_by_role("textbox", name="質問を入力").bounding_box()
    assert box["y"] + box["height"] <= KEYBOARD_OPEN["height"]        # the input stays in view
    phone.set_viewport_size(PHONE)                                     # keyboard closed: the bar is back
    expect(phone.get_by_role("switch", name="文字を大きく")).to_be_visible()

def test_quick_taps_and_typing_are_not_taken_for_abuse(phone, gateway):
    """25 taps and a few typed questions within a minute (the limit is 20 messages a sender a minute)."""
    phone.goto(gateway + "/")
    ask(phone, "利用者さんのカードをなくしました")
    for n in range(25):
        tap(phone, phone.locator(".msg.bot .replies .reply").last)
        if n % 8 == 7:
            ask(phone, "暗証番号を忘れた人はどうするの")
    expect(phone.locator(".msg.error")).to_have_count(0)
    assert phone.locator(".msg.user").count() == 29


def test_asking_for_a_person_asks_the_question_and_puts_it_on_the_ticket(phone, gateway, gateway_env):
    phone.goto(gateway + "/")
    ask(phone, "人と話したい")
    expect(phone.locator(".msg.bot").last).to_contain_text("担当者に伝えるご質問を、このあと1つのメッセージで送ってください")
    note = phone.locator(".msg.note").last
    expect(note).to_contain_text("受付番号")
    ticket_id = int(note.text_content().rsplit("：", 1)[1])
    question = "施設に入所している母のカードの暗証番号がわかりません。家族が代わりに再設定できますか"
    confirmed = ask(phone, question)
    expect(confirmed).to_contain_text(f"ご質問を担当者に伝えました（受付番号：{ticket_id}）")
    ticket = httpx.get(f"{gateway}/helpdesk/api/tickets/{ticket_id}", auth=AUTH, timeout=10).json()
    assert ticket["question"].endswith("【ご質問】" + question) and "人と話したい" in ticket["question"]
    rows = db_rows(gateway_env, "SELECT count(*) FROM tickets")
    assert rows == [(1,)]                                    # the question went on the ticket, not to a new one
    after = ask(phone, "代理交付の必要書類は？")               # then the bot answers again
    expect(after.locator(".sources")).to_contain_text("出典")


def test_a_link_to_the_fax_form_can_preselect_a_suspension(phone, gateway):
    fake = {"fallback": False, "ticket_id": None, "messages": [{
        "text": "FAXで一時停止を依頼できます。", "message_id": 1, "answer_id": "lost_card", "buttons": [], "sources": [],
        "links": [{"title": "FAX用紙を作る", "path": "/fax?type=suspend"},
                  {"title": "よそ", "path": "//evil.example/x"}]}]}
    phone.goto(gateway + "/")
    phone.route("**/api/chat", lambda route: route.fulfill(json=fake))
    answer = ask(phone, "カードをなくした")
    expect(answer.get_by_role("link")).to_have_count(1)
    with phone.context.expect_page() as opened:
        answer.get_by_role("link", name="FAX用紙を作る").tap()
    form = opened.value
    expect(form.locator('input[name="inquiry_type"][value="suspend"]')).to_be_checked()


# ---- the FAX form ----

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
