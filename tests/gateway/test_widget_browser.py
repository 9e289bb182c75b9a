"""The web chat widget in a real browser (Debian chromium via Playwright) against the real gateway and Rasa.

Covers the page at "/", the floating widget on /embed-demo and on another origin (the one-script-tag
embed, with CORS), feedback stored in the database, the larger-text switch, keyboard use, error
messages, and that user or bot HTML is shown as text. Writes var/widget.png (phone size; docs/widget.png is a copy of one).
"""
from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.gateway.conftest import GATEWAY_PORT, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ANSWER_TIMEOUT = 30_000
SCREENSHOT = ROOT / "var" / "widget.png"
# Another site: its own CSS must not leak into the widget, and it has no CSP to stop an injected script.
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
<style>body {{ font-size: 40px; color: red; font-family: serif; }} button {{ background: red; }}</style>
<script src="{script}" defer></script></head>
<body><h1>A partner site</h1><p>Some content.</p></body></html>"""


@pytest.fixture(scope="module")
def host_site():
    """A page on another origin that embeds the widget with the one script tag."""
    body = HOST_PAGE.format(script=f"http://127.0.0.1:{GATEWAY_PORT}/static/widget.js").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway_env(gateway_env, host_site):
    """conftest's gateway environment, with the partner site allowed by CORS."""
    return {**gateway_env, "CORS_ORIGINS": host_site}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (empty localStorage); fails the test on a script error or a CSP violation."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not problems


def db_rows(gateway_env: dict, query: str) -> list:
    path = gateway_env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


def ask(page, text: str):
    """Type `text`, press Enter, and return the locator of the bot's answer that follows it."""
    before = page.locator(".msg.bot:not(.pending)").count()
    box = page.get_by_role("textbox", name="質問を入力")
    box.fill(text)
    box.press("Enter")
    answer = page.locator(".msg.bot:not(.pending)").nth(before)
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT)
    return answer


def widget_eval(page, script: str):
    """Evaluate `script` with `root` bound to the widget's shadow root."""
    return page.evaluate(f"(() => {{ const root = document.querySelector('.mynasupport-widget').shadowRoot; {script} }})()")


def test_page_answers_with_sources_quick_replies_and_feedback(page, gateway, gateway_env):
    page.goto(gateway + "/")
    assert page.get_attribute("html", "lang") == "ja"
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("マイナサポートBot")

    answer = ask(page, "利用者さんのカードをなくしました")
    expect(answer).to_contain_text("0120-95-0178")
    expect(page.locator(".msg.user").last).to_contain_text("利用者さんのカードをなくしました")
    sources = answer.locator(".sources")
    expect(sources).to_contain_text("出典")
    expect(sources).to_contain_text("第8 ＜マイナンバーカードを紛失した場合＞")
    expect(sources).to_contain_text("p.28")
    expect(answer.locator(".text")).not_to_contain_text("出典：")  # the 出典 line is shown as the list instead
    assert answer.locator(".text").evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert "\n" in answer.locator(".text").text_content()
    expect(answer.get_by_role("link", name="0120-95-0178").first).to_have_attribute("href", "tel:0120950178")

    answer.get_by_role("button", name="役に立った").click()
    expect(answer.locator(".feedback")).to_contain_text("ありがとうございました")
    rows = db_rows(gateway_env, "SELECT f.helpful, f.channel, f.answer_id, m.text FROM feedback f "
                                "JOIN messages m ON m.id = f.message_id")
    assert len(rows) == 1
    helpful, channel, answer_id, text = rows[0]
    assert helpful == 1 and channel == "web" and answer_id.startswith("lost_card") and "0120-95-0178" in text
    answer.get_by_role("button", name="役に立った").click(force=True)  # a second press is not sent again
    page.wait_for_timeout(300)
    assert len(db_rows(gateway_env, "SELECT id FROM feedback")) == 1

    reply = answer.get_by_role("group", name="関連する質問").get_by_role("button").first
    title = reply.text_content()
    before = page.locator(".msg.bot:not(.pending)").count()
    reply.click()
    expect(page.locator(".msg.user").last).to_contain_text(title)
    follow_up = page.locator(".msg.bot:not(.pending)").nth(before)
    expect(follow_up.locator(".sources")).to_contain_text("出典", timeout=ANSWER_TIMEOUT)
    sender_id = page.evaluate("localStorage.getItem('mynasupport.sender_id')")
    (user_text, user_sender), = db_rows(gateway_env, "SELECT text, sender_id FROM messages "
                                                     "WHERE direction = 'user' ORDER BY id DESC LIMIT 1")
    (bot_answer,), = db_rows(gateway_env, "SELECT answer_id FROM messages WHERE direction = 'bot' ORDER BY id DESC LIMIT 1")
    assert user_text.startswith("/show_answer") and json.loads(user_text.removeprefix("/show_answer"))["answer_id"] == bot_answer
    assert re.fullmatch(r"w-[0-9a-f]{32}", sender_id) and user_sender == sender_id

    page.reload()  # the sender id stays with the browser
    expect(page.get_by_role("log")).to_be_visible()
    assert page.evaluate("localStorage.getItem('mynasupport.sender_id')") == sender_id


def test_a_check_result_shows_each_source_once(page, gateway):
    """A guided check's result ends with a numbered 出典 block; the chat shows it once, as the list,
    numbered like the ［n］ marks of the text (issue 14)."""
    page.goto(gateway + "/")
    ask(page, "カードをなくした、何をすればいいかガイドして")
    ask(page, "マイナンバーカード")
    result = ask(page, "電話できる")
    expect(result.locator(".text")).to_contain_text("受理番号")
    expect(result.locator(".text")).not_to_contain_text("出典：")
    text = result.locator(".text").text_content()
    items = result.locator(".sources li").all_text_contents()
    assert items and items[0].startswith("［1］") and len(items) == len(set(items))
    assert all(f"［{i + 1}］" in item for i, item in enumerate(items))
    assert "［1］" in text or "［1,2］" in text


def test_a_staff_answer_reaches_the_browser_that_asked_and_no_other(browser, page, gateway):
    """The widget keeps the ticket's token and polls with it; a browser with the same sender id but
    without the token (someone who learnt the id) gets nothing."""
    page.goto(gateway + "/")
    ask(page, "人と話したい")
    note = page.locator(".msg.note")
    expect(note).to_contain_text("受付番号", timeout=ANSWER_TIMEOUT)
    ticket_id = int(re.search(r"(\d+)\s*$", note.inner_text()).group(1))
    sender_id = page.evaluate("localStorage.getItem('mynasupport.sender_id')")
    other = browser.new_context(locale="ja-JP")
    other.add_init_script(f"localStorage.setItem('mynasupport.sender_id', '{sender_id}')")
    intruder = other.new_page()
    intruder.goto(gateway + "/")
    answered = httpx.post(f"{gateway}/helpdesk/api/tickets/{ticket_id}/answer", json={"answer": "明日お電話します。"},
                          auth=("staff", "test-password"), headers={"X-Requested-With": "test"}, timeout=10)
    assert answered.status_code == 200
    expect(page.locator(".msg.staff")).to_contain_text("明日お電話します。", timeout=25_000)   # polled every 15 s
    assert intruder.locator(".msg.staff").count() == 0
    other.close()


def test_larger_text_switch_changes_and_remembers_the_size(page, gateway):
    page.goto(gateway + "/")
    text = page.locator(".msg.bot .text").first

    def size() -> float:
        return float(text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    switch = page.get_by_role("switch", name="文字を大きく")
    expect(switch).to_have_attribute("aria-checked", "false")
    normal = size()
    assert normal >= 16
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    assert size() >= normal * 1.2
    page.reload()
    expect(page.get_by_role("switch", name="文字を大きく")).to_have_attribute("aria-checked", "true")
    assert size() >= normal * 1.2
    page.get_by_role("switch", name="文字を大きく").press("Enter")  # keyboard toggles it back
    expect(page.get_by_role("switch", name="文字を大きく")).to_have_attribute("aria-checked", "false")
    assert size() == normal


def test_keyboard_order_focus_ring_and_enter(page, gateway):
    page.goto(gateway + "/")
    expect(page.get_by_role("log")).to_be_visible()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(widget_eval(page, "const e = root.activeElement; return e && (e.getAttribute('aria-label') || e.id || e.textContent);"))
    assert order == ["文字を大きく", "会話の記録", "よくある質問を見る", "msb-input", "送信"]
    ring = widget_eval(page, "const s = getComputedStyle(root.activeElement); return [s.outlineStyle, s.outlineWidth];")
    assert ring == ["solid", "3px"]

    box = page.get_by_role("textbox", name="質問を入力")
    box.focus()
    box.type("一行目")
    box.press("Shift+Enter")  # a new line, not sent
    box.type("二行目")
    assert box.input_value() == "一行目\n二行目" and page.locator(".msg.user").count() == 0
    box.fill("")
    box.press("Enter")  # empty: nothing is sent
    assert page.locator(".msg.user").count() == 0

    page.get_by_role("button", name="よくある質問を見る").press("Enter")
    menu = page.locator(".msg.bot:not(.pending)").nth(1)
    expect(menu.get_by_role("button", name="カードをなくした")).to_be_visible(timeout=ANSWER_TIMEOUT)


def test_errors_are_shown_clearly(page, gateway):
    page.goto(gateway + "/")
    box = page.get_by_role("textbox", name="質問を入力")
    box.fill("あ" * 1001)
    box.press("Enter")  # the gateway's own 422 message
    expect(page.locator(".msg.error").last).to_contain_text("メッセージが長すぎます（1000文字まで）", timeout=ANSWER_TIMEOUT)
    assert box.input_value() == "あ" * 1001  # given back to shorten

    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    box.fill("カードをなくしました")
    box.press("Enter")
    expect(page.locator(".msg.error").last).to_contain_text("サーバーに接続できませんでした")
    expect(page.locator(".msg.error").last).to_contain_text("0120-95-0178")
    assert box.input_value() == "カードをなくしました"

    page.unroute("**/api/chat")
    page.route("**/api/chat", lambda route: route.fulfill(status=500, body="Internal Server Error"))
    box.press("Enter")
    expect(page.locator(".msg.error").last).to_contain_text("サーバーでエラーが発生しました")


def test_embed_demo_opens_the_panel_and_answers(page, gateway):
    page.goto(gateway + "/embed-demo")
    expect(page.locator("code")).to_contain_text(f'<script src="{gateway}/static/widget.js" defer></script>')
    launcher = page.get_by_role("button", name="チャットで質問")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("dialog")).to_be_hidden()
    launcher.click()
    expect(page.get_by_role("dialog", name="マイナサポートBot")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    assert widget_eval(page, "return root.activeElement && root.activeElement.id;") == "msb-input"
    answer = ask(page, "暗証番号を忘れました")
    expect(answer.locator(".sources")).to_contain_text("出典")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert widget_eval(page, "return root.activeElement && root.activeElement.className;") == "launcher"


def test_other_site_embeds_with_one_script_tag(page, gateway, host_site):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(host_site + "/")
    page.get_by_role("button", name="チャットで質問").click()
    assert widget_eval(page, "return getComputedStyle(root.querySelector('.msb')).fontSize;") == "16px"

    answer = ask(page, "カードをなくしました")  # a cross-origin call, allowed by CORS_ORIGINS
    expect(answer).to_contain_text("0120-95-0178")

    html = "<img src=x onerror=alert(1)>"
    ask(page, html)
    expect(page.locator(".msg.user").last.locator(".text")).to_have_text("あなた：" + html)
    assert page.locator(".mynasupport-widget img").count() == 0

    fake = {"fallback": False, "ticket_id": None, "messages": [{
        "text": "<b>太字</b><img src=x onerror=alert(2)>", "message_id": 1, "answer_id": "x",
        "buttons": [{"title": "<i>ボタン</i>", "payload": "/x"}],
        "sources": [{"document": "<script>alert(3)</script>", "section": "<u>節</u>", "page": 1}]}]}
    page.route("**/api/chat", lambda route: route.fulfill(json=fake, headers={"Access-Control-Allow-Origin": host_site}))
    answer = ask(page, "HTMLを含む回答")
    expect(answer.locator(".text")).to_contain_text("<b>太字</b><img src=x onerror=alert(2)>")
    expect(answer.get_by_role("button", name="<i>ボタン</i>")).to_be_visible()
    expect(answer.locator(".sources")).to_contain_text("<script>alert(3)</script>")
    assert page.locator(".mynasupport-widget b, .mynasupport-widget img, .mynasupport-widget i, "
                        ".mynasupport-widget u, .mynasupport-widget script").count() == 0
    page.wait_for_timeout(300)
    assert not dialogs

    refused = httpx.options(f"{gateway}/api/chat", headers={"Origin": "http://evil.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize("width", [320, 390])
def test_phone_layout_and_screenshot(browser, gateway, width):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(gateway + "/")
        answer = ask(page, "利用者さんのカードをなくしました")
        expect(answer.locator(".sources")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.get_by_role("button", name="送信").bounding_box()
        assert box["x"] + box["width"] <= width
        if width == 390:
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.locator(".log").evaluate("e => e.scrollTop = e.scrollHeight")  # 出典, 👍/👎 and buttons in view
            page.screenshot(path=str(SCREENSHOT))
    finally:
        context.close()
