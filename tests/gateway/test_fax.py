"""The FAX inquiry sheet (issue 5): PDFs (filled and blank), the JSON API, the /fax form, privacy.

PDFs are checked with poppler: `pdftotext -layout` for the text, `pdfinfo` for one A4 page,
`pdffonts` for the embedded font, `pdftoppm -r 50` for a rendered page. No Rasa needed.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway import fax_template
from bot.gateway.fax_sheet import JST, MAX_CHARS, japanese_date, parse_inquiry
from bot.gateway.app import create_app
from bot.devtools.stack import wait_for
from tests.gateway.conftest import GATEWAY_PORT, ROOT

SUSPEND = {
    "inquiry_type": "suspend", "name": "山田 花子", "furigana": "やまだ はなこ", "birth_date": "1948-04-01",
    "address": "東京都千代田区霞が関二丁目1番2号 ひだまり荘201号室", "reply_fax": "０３－１２３４－５６７８",
    "phone": "090-1234-5678", "sender_name": "山田 一郎", "sender_relation": "長男", "device": "card",
    "loss_kind": "lost", "lost_at": "2025-01-05T14:30", "lost_place": "ひだまり荘の近くのスーパー",
    "police_report_number": "第12345号",
    "question": "施設で預かっていたカードが見当たりません。一時停止をお願いします。\n再発行の手続きも教えてください。",
}
SUSPEND_PRINTED = [
    "山田 花子", "やまだ はなこ", "1948年（昭和23年）4月1日", "東京都千代田区霞が関二丁目1番2号 ひだまり荘201号室",
    "03-1234-5678", "090-1234-5678", "山田 一郎", "長男", "■ マイナンバーカード", "□ スマートフォン",
    "■ 紛失", "□ 盗難", "2025年1月5日 14:30", "ひだまり荘の近くのスーパー", "■ 届出済み", "第12345号",
    "施設で預かっていたカードが見当たりません。一時停止をお願いします。", "再発行の手続きも教えてください。",
    "□ マイナンバー制度・カード等についての質問", "■ 紛失・盗難による一時停止の依頼",
]


def today() -> dt.date:
    """Today in Japan, when the test runs (not when the module was imported: a run may pass midnight)."""
    return dt.datetime.now(JST).date()
LONG_QUESTION = ("母が施設に入所しています。マイナンバーカードの暗証番号を忘れてしまい、本人は外出が難しい状態です。"
                 "代わりに家族が市区町村の窓口に行って手続きできるのか、必要な書類は何かを教えてください。"
                 "また、顔認証マイナンバーカードに切り替えることはできますか。")
QUESTION = {"inquiry_type": "question", "name": "佐藤 太郎", "reply_fax": "0312345678", "question": LONG_QUESTION}
LABELS = ["送信先", "個人番号カードコールセンター 行", "FAX 0120-601-785", "送信日", "お問い合わせの種類",
          "ふりがな", "氏名", "生年月日", "住所", "返信先FAX番号", "電話番号", "送信者の氏名", "続柄・関係",
          "対象", "状況", "日時", "場所", "警察への届出", "受理番号", "ご質問・ご依頼の内容",
          "□ マイナンバー制度・カード等についての質問", "□ 紛失・盗難による一時停止の依頼", "□ マイナンバーカード",
          "□ スマートフォン（電子証明書を搭載）", "□ 紛失", "□ 盗難", "□ 届出済み", "□ 未届出"]
FOOTER = ["「福祉施設・支援団体の方向け マイナンバーカード取得・管理マニュアル」Ver.2（2023年12月）第8",
          "資料編P27", "24時間365日"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def assert_printed(text: str, expected: list) -> None:
    """Each value is on the sheet (whitespace ignored: -layout spaces columns, wraps long lines)."""
    flat = squash(text)
    missing = [value for value in expected if squash(value) not in flat]
    assert not missing, f"not on the sheet: {missing}\n{text}"


def assert_one_a4_page(pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.M), info
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "IPAexGothic" in fonts and re.search(r"IPAexGothic\s+TrueType.*\byes\s+yes\b", fonts), fonts
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    width, height = struct.unpack(">II", pngs[0].read_bytes()[16:24])
    assert (width, height) in ((413, 585), (414, 585), (413, 584), (414, 584)), (width, height)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


# --- PDFs -------------------------------------------------------------------------------------

def test_suspension_sheet_has_every_value(client, tmp_path):
    reply = client.post("/api/fax", json=SUSPEND)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="fax_inquiry.pdf"'
    assert reply.headers["cache-control"] == "no-store"
    assert reply.content.startswith(b"%PDF")
    text = pdf_text(reply.content, tmp_path)
    assert_printed(text, SUSPEND_PRINTED + [japanese_date(today())] + FOOTER + ["個人番号カードコールセンター 行", "FAX 0120-601-785"])
    assert "０３" not in text                      # the full-width number was normalized
    assert_one_a4_page(reply.content, tmp_path)


def text_render_modes(pdf: bytes) -> list:
    """The PDF text render mode (0 fill, 2 fill+stroke = our bold) of every text shown, in order."""
    modes, mode, saved = [], 0, []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        if stream.rstrip().endswith(b"~>"):    # reportlab's page content: ASCII85, then Flate
            stream = base64.a85decode(stream.rstrip(), adobe=True)
        with contextlib.suppress(zlib.error):
            stream = zlib.decompressobj().decompress(stream)
        for operand, operator in re.findall(rb"(?:(\d+) )?\b(q|Q|Tr|Tj|TJ)\b", stream):
            if operator == b"q":
                saved.append(mode)
            elif operator == b"Q":
                mode = saved.pop()
            elif operator == b"Tr":
                mode = int(operand)
            else:
                modes.append(mode)
    return modes


def test_only_titles_are_bold_the_footer_is_plain():
    """A stroked (bold) title must not leave the following text stroked (the footer looked smeared)."""
    modes = text_render_modes(fax_template.render({}))
    footer = len(fax_template._footer_lines())
    assert 2 in modes and modes[-footer:] == [0] * footer
    assert modes.count(2) < len(modes) / 2


def test_question_sheet_wraps_the_question_and_ignores_suspension_fields(client, tmp_path):
    reply = client.post("/api/fax", json={**QUESTION, "device": "card", "loss_kind": "stolen", "lost_place": "駅前"})
    assert reply.status_code == 200, reply.text
    text = pdf_text(reply.content, tmp_path)
    assert_printed(text, ["佐藤 太郎", "0312345678", LONG_QUESTION, "■ マイナンバー制度・カード等についての質問",
                          "□ 紛失・盗難による一時停止の依頼", "□ マイナンバーカード", "□ 盗難"])
    question_lines = [line for line in text.splitlines() if squash(line) and squash(line) in squash(LONG_QUESTION)]
    assert len(question_lines) >= 3                # wrapped over several lines, none cut
    assert "駅前" not in text and "■ 盗難" not in text
    assert_one_a4_page(reply.content, tmp_path)


def test_blank_sheet_has_the_labels_and_no_marks(client, tmp_path):
    reply = client.get("/api/fax/blank")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="fax_inquiry_blank.pdf"'
    text = pdf_text(reply.content, tmp_path)
    assert_printed(text, LABELS + FOOTER + ["年", "月", "日"])
    assert text.count("■") == 1                    # only in 「どちらかに■」
    assert_one_a4_page(reply.content, tmp_path)


def test_longest_allowed_values_fit_their_boxes():
    """The length limits and the layout agree: full-width text at every limit fits, nothing is cut
    (the police number in the digits and signs it is written in)."""
    values = {key: "漢" * n for key, n in MAX_CHARS.items()}
    values["furigana"] = "あ" * MAX_CHARS["furigana"]
    values["police_report_number"] = "第" + "0" * (MAX_CHARS["police_report_number"] - 2) + "号"
    assert fax_template.problems(values) == {}
    assert fax_template.problems({"police_report_number": "漢" * MAX_CHARS["police_report_number"]}) == {
        "police_report_number": "overflow"}          # refused with a message, never cut
    assert fax_template.problems({"question": "質問\n" * (fax_template.capacity("question") + 1)}) == {"question": "overflow"}


@pytest.mark.parametrize("written", ["昭和24年5月3日", "昭和２４年５月３日", "S24.5.3", "1949年5月3日", "1949-05-03",
                                     "1949/5/3"])
def test_birth_dates_in_the_era_calendar_or_western(written):
    assert parse_inquiry({**QUESTION, "birth_date": written}).birth_date == dt.date(1949, 5, 3)
    assert parse_inquiry({**QUESTION, "birth_date": "平成元年1月8日"}).birth_date == dt.date(1989, 1, 8)


def test_japanese_dates_with_era():
    assert japanese_date(dt.date(1989, 1, 7), era=True) == "1989年（昭和64年）1月7日"
    assert japanese_date(dt.date(1989, 1, 8), era=True) == "1989年（平成元年）1月8日"
    assert japanese_date(dt.date(2019, 5, 1), era=True) == "2019年（令和元年）5月1日"
    assert japanese_date(dt.datetime(2025, 1, 5, 9, 5)) == "2025年1月5日 09:05"


@pytest.mark.parametrize("number, printed", [
    ("０３－１２３４－５６７８", "03-1234-5678"), ("03−1234−5678", "03-1234-5678"), ("0312345678", "0312345678"),
    ("090-1234-5678", "090-1234-5678"), (" 06-6123-4567 ", "06-6123-4567"),
    ("011(222)4444", "011-222-4444"), ("（011）222-4444", "011-222-4444"), ("０１１（２２２）４４４４", "011-222-4444"),
])
def test_good_fax_numbers_are_normalized(number, printed):
    assert parse_inquiry({**QUESTION, "reply_fax": number}).reply_fax == printed


# --- the JSON API: 422 with Japanese messages per field -----------------------------------------

TOMORROW = "<tomorrow>"   # a date made when the test runs, not when it is collected (a run may pass midnight in Japan)


def tomorrow() -> str:
    return (today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("payload, fields", [
    ({}, {"inquiry_type", "name", "reply_fax"}),
    ({"inquiry_type": "question", "name": "山田", "reply_fax": "03-1234-5678"}, {"question"}),
    ({"inquiry_type": "question", "name": "山田", "reply_fax": "03-1234-5678", "question": "  \n "}, {"question"}),
    ({"inquiry_type": "suspend", "name": "山田", "reply_fax": "03-1234-5678"}, {"device", "loss_kind"}),
    ({**SUSPEND, "device": "tablet", "loss_kind": "broken"}, {"device", "loss_kind"}),
    ({**QUESTION, "inquiry_type": "other"}, {"inquiry_type"}),
    ({**QUESTION, "reply_fax": "12345"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "03-1234-567"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "090-1234-56789"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "03-1234-5678 内線2"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "03--1234-5678"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "3-1234-56789"}, {"reply_fax"}),
    ({**QUESTION, "reply_fax": "0120-601-785"}, {"reply_fax"}),
    ({**QUESTION, "phone": "abc"}, {"phone"}),
    ({**QUESTION, "birth_date": "1950-02-30"}, {"birth_date"}),
    ({**QUESTION, "birth_date": "昭和64年1月8日"}, {"birth_date"}),
    ({**QUESTION, "birth_date": "昭和25年"}, {"birth_date"}),
    ({**QUESTION, "reply_fax": "011((222))4444"}, {"reply_fax"}),
    ({**QUESTION, "address": "東" * (MAX_CHARS["address"] + 1)}, {"address"}),
    ({**SUSPEND, "police_report_number": "第" + "１" * 19 + "号"}, {"police_report_number"}),
    ({**QUESTION, "birth_date": TOMORROW}, {"birth_date"}),
    ({**QUESTION, "birth_date": "1850-01-01"}, {"birth_date"}),
    ({**SUSPEND, "lost_at": TOMORROW}, {"lost_at"}),
    ({**SUSPEND, "lost_at": "2025-13-01"}, {"lost_at"}),
    ({**QUESTION, "name": "山" * (MAX_CHARS["name"] + 1)}, {"name"}),
    ({**QUESTION, "question": "あ" * (MAX_CHARS["question"] + 1)}, {"question"}),
    ({**QUESTION, "question": "一行\n" * 20}, {"question"}),
    ({**SUSPEND, "lost_place": "駅" * (MAX_CHARS["lost_place"] + 1)}, {"lost_place"}),
    ({**QUESTION, "furigana": "yamada"}, {"furigana"}),
    ({**QUESTION, "name": "山田 😀"}, {"name"}),
    ({**QUESTION, "name": 123, "reply_fax": 312345678}, {"name", "reply_fax"}),
    ({**QUESTION, "sender_name": "山田 一郎"}, {"sender_relation"}),
    ({**QUESTION, "sender_relation": "長男"}, {"sender_name"}),
    ({**QUESTION, "email": "a@example.jp"}, {"email"}),
])
def test_bad_input_gets_japanese_messages_per_field(client, payload, fields):
    payload = {key: tomorrow() if value == TOMORROW else value for key, value in payload.items()}
    reply = client.post("/api/fax", json=payload)
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert {d["field"] for d in detail} == fields
    for d in detail:
        assert re.search(r"[\u3040-\u30ff]", d["message"]), d


def test_messages_say_what_to_do(client):
    detail = client.post("/api/fax", json={**QUESTION, "reply_fax": "12", "name": "山" * 30}).json()["detail"]
    messages = {d["field"]: d["message"] for d in detail}
    assert "10〜11桁" in messages["reply_fax"] and "例：03-1234-5678" in messages["reply_fax"]
    assert "25文字以内" in messages["name"] and "いま30文字" in messages["name"]
    era = client.post("/api/fax", json={**QUESTION, "birth_date": "平成31年5月1日"}).json()["detail"][0]["message"]
    assert "平成は1989年1月8日から2019年4月30日まで" in era
    lines = client.post("/api/fax", json={**QUESTION, "question": "一行\n" * 20}).json()["detail"][0]["message"]
    assert f"{fax_template.capacity('question')}行まで" in lines


def test_malformed_json_is_400_and_non_object_422(client):
    bad = client.post("/api/fax", content=b'{"name": ', headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"][0]["message"]
    assert client.post("/api/fax", json=["山田"]).status_code == 422
    assert client.post("/api/fax", content=b"x" * 40_000, headers={"content-type": "application/json"}).status_code == 413


# --- the web form -----------------------------------------------------------------------------

CHECKED = re.compile(r"<input[^>]*\schecked[\s>]")
FORM_FIELDS = ["name", "furigana", "birth_date", "address", "reply_fax", "phone", "sender_name", "sender_relation",
               "lost_at", "lost_place", "police_report_number", "question"]


def test_form_page_is_an_accessible_post_form(client):
    reply = client.get("/fax")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-store"
    page = reply.text
    assert '<html lang="ja">' in page and 'name="viewport"' in page
    assert re.search(r'<form method="post" action="fax"', page) and 'method="get"' not in page
    for name in FORM_FIELDS:
        assert f'<label for="f-{name}">' in page, name
        tag = re.search(rf'<(input|textarea) id="f-{name}"[^>]*>', page).group(0)
        assert 'autocomplete="off"' in tag, tag
    for name in ("inquiry_type", "device", "loss_kind"):
        assert page.count(f'name="{name}"') == 2 and f'id="f-{name}"' in page
    assert page.count("<fieldset") >= 6 and page.count("<legend>") >= 6
    assert page.count('<span class="req">必須</span>') >= 5
    assert 'href="api/fax/blank"' in page and "0120-601-785" in page and "24時間365日" in page
    assert 'class="suspend-only"' in page and "保存しません" in page
    assert not CHECKED.search(page)
    assert "maxlength" not in page                 # the browser would cut what is typed without a word
    assert "90文字まで" in page and "例：昭和24年5月3日" in page and "011(222)4444" in page


def test_form_preselects_a_suspension_from_the_link(client):
    page = client.get("/fax?type=suspend").text
    assert re.search(r'value="suspend"[^>]*checked', page)
    assert not CHECKED.search(client.get("/fax?type=<script>").text)


def test_form_errors_are_shown_next_to_the_fields_and_values_kept_escaped(client):
    entered = {"inquiry_type": "suspend", "name": '<b>"山田" & 花子</b>', "reply_fax": "03-12",
               "question": "</textarea><script>alert(1)</script>", "address": "東京都'千代田区'", "device": "card"}
    reply = client.post("/fax", data=entered)
    assert reply.status_code == 422 and reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "<script>alert" not in page and "<b>" not in page
    assert 'value="&lt;b&gt;&#34;山田&#34; &amp; 花子&lt;/b&gt;"' in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page
    assert "東京都&#39;千代田区&#39;" in page
    assert re.search(r'value="suspend"[^>]*checked', page) and re.search(r'value="card"[^>]*checked', page)
    for field in ("reply_fax", "loss_kind"):
        error = re.search(rf'<p class="error" id="e-{field}">エラー：([^<]+)</p>', page)
        assert error and re.search(r"[\u3040-\u30ff]", error.group(1)), field
        assert f'href="#f-{field}"' in page                   # listed in the summary at the top
    tag = re.search(r'<input id="f-reply_fax"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tag and "e-reply_fax" in tag
    assert 'role="alert"' in page


def test_form_post_gives_the_pdf(client, tmp_path):
    reply = client.post("/fax", data={**SUSPEND, "lost_at": "2025-01-05"})
    assert reply.status_code == 200, reply.text[:2000]
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="fax_inquiry.pdf"'
    assert_printed(pdf_text(reply.content, tmp_path), [v for v in SUSPEND_PRINTED if "14:30" not in v] + [japanese_date(today()), "2025年1月5日"])


# --- privacy ----------------------------------------------------------------------------------

SECRET = {
    "inquiry_type": "suspend", "name": "轟木 雫月", "furigana": "とどろき しづき", "birth_date": "1937-07-17",
    "address": "架空県幻町夢見坂七丁目", "reply_fax": "07-9876-5432", "phone": "080-2468-1357",
    "sender_name": "轟木 瑠璃", "sender_relation": "姪御", "device": "smartphone", "loss_kind": "stolen",
    "lost_at": "2024-11-03", "lost_place": "鈍色公園の東屋", "police_report_number": "第86420号",
    "question": "ミズイロペンギンの件で至急停止を",
}
SECRET_MARKS = ["轟木", "雫月", "とどろき", "しづき", "1937", "架空県", "夢見坂", "9876", "5432", "2468", "1357",
                "瑠璃", "姪御", "鈍色公園", "86420", "ミズイロペンギン"]


def leaks(data: bytes) -> list:
    return [mark for mark in SECRET_MARKS if mark.encode() in data]


def test_sheet_values_are_not_stored_logged_or_sent_to_rasa(settings, tmp_path, caplog):
    caplog.set_level("DEBUG")
    app = create_app(settings)

    def forbidden(*args, **kwargs):
        raise AssertionError("the FAX sheet must not touch the store or Rasa")

    for name in ("log_message", "add_feedback", "create_ticket", "update_ticket", "_add"):
        setattr(app.state.store, name, forbidden)
    app.state.core.ask = forbidden
    with TestClient(app) as client:
        assert client.post("/api/fax", json=SECRET).status_code == 200
        assert client.post("/fax", data=SECRET).status_code == 200
        assert client.post("/fax", data={**SECRET, "reply_fax": "9"}).status_code == 422
        assert client.post("/api/fax", json={**SECRET, "birth_date": "x"}).status_code == 422
    assert not leaks(caplog.text.encode())
    db_files = list(tmp_path.glob("gateway.db*"))
    assert db_files and not any(leaks(path.read_bytes()) for path in db_files)


@contextlib.contextmanager
def logged_gateway(port: int, tmp_path: Path):
    """uvicorn with the access log on, stdout and stderr to files in tmp_path, no Rasa."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
           "RASA_URL": "http://127.0.0.1:9", "SECRET_KEY": "test-secret", "HELPDESK_PASSWORD": "test-password"}
    with open(tmp_path / "uvicorn.out.log", "wb") as out, open(tmp_path / "uvicorn.err.log", "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bot.gateway.app:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "debug", "--access-log"],
            cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
        try:
            wait_for(f"http://127.0.0.1:{port}/health", 30, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def test_real_server_keeps_no_trace_in_db_or_logs(tmp_path):
    with logged_gateway(GATEWAY_PORT + 7, tmp_path) as url:
        reply = httpx.post(f"{url}/api/fax", json=SECRET, timeout=30)
        assert reply.status_code == 200 and reply.content.startswith(b"%PDF")
        assert httpx.post(f"{url}/fax", data=SECRET, timeout=30).headers["content-type"] == "application/pdf"
        assert httpx.post(f"{url}/fax", data={**SECRET, "reply_fax": "1"}, timeout=30).status_code == 422
        assert httpx.post(f"{url}/api/fax", json={**SECRET, "lost_at": "2999-01-01"}, timeout=30).status_code == 422
    access = (tmp_path / "uvicorn.out.log").read_text() + (tmp_path / "uvicorn.err.log").read_text()
    assert '"POST /fax HTTP/1.1" 200' in access and '"POST /api/fax HTTP/1.1" 422' in access  # the log works
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name.startswith("gateway.db") for path in files)
    found = {path.name: leaks(path.read_bytes()) for path in files}
    assert not any(found.values()), found


def test_the_form_says_our_sheet_is_an_aid_and_names_the_official_form(client):
    page = client.get("/fax").text
    assert "公式の様式そのものではありません" in page and "資料編P27" in page
