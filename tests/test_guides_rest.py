"""The guided checks over the REST channel, on the real servers (scripts/run.sh, trained model)."""
from __future__ import annotations

import datetime as dt
import os
import uuid

import httpx
import pytest

from bot.shared.guides import format_date
from bot.devtools.stack import running_stack


PORT_BASE = int(os.environ.get("TEST_PORT_BASE", "0"))  # shifts the ports, as in tests/gateway


@pytest.fixture(scope="module")
def stack():
    with running_stack(rasa_port=5605 + PORT_BASE, action_port=5655 + PORT_BASE) as urls:
        yield urls


class Chat:
    def __init__(self, stack):
        self.url, self.sender = stack["rest"], uuid.uuid4().hex

    def say(self, text: str) -> list:
        response = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()


def text(messages: list) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list) -> list:
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


def customs(messages: list) -> list:
    return [m["custom"] for m in messages if "custom" in m]


def test_proxy_check_in_free_text_with_a_question_in_the_middle(stack):
    chat = Chat(stack)
    reply = chat.say("代理で受け取れるかチェックしたい")
    assert "代理交付チェックを始めます" in text(reply) and "いちばん近いもの" in text(reply)
    assert "施設に入所している" in buttons(reply)
    assert "施設に入所していますか" in text(chat.say("92歳です"))  # 75歳以上: the age question is skipped
    reply = chat.say("資格確認書って何ですか？")
    assert "資格確認書" in text(reply) and "出典：" in text(reply) and "/resume_guide" in buttons(reply)
    reply = chat.say("/resume_guide")
    assert "続きです" in text(reply) and "施設に入所していますか" in text(reply)
    assert "顔写真付きの本人確認書類" in text(chat.say("特養に入っています"))
    assert "どなたですか" in text(chat.say("ない"))
    assert "通知カード" in text(chat.say("施設の職員です"))
    reply = chat.say("通知カードがある")
    result = text(reply)
    assert "代理交付の対象と考えられる方に当てはまります" in result
    assert "「顔写真証明書」を本人確認書類として使えます" in result and "報償費" in result
    assert "出典：\n［1］取得・管理マニュアルVer.2" in result and "市区町村" in result
    assert customs(reply)[0]["guide"] == "proxy" and customs(reply)[0]["sources"]
    assert "/restart_guide" in buttons(reply)
    assert "どういたしまして" in text(chat.say("ありがとうございました"))  # the check is over


def test_outreach_plan_with_dates_counted_back(stack):
    chat = Chat(stack)
    assert "実施日（予定）はいつですか" in text(chat.say("出張申請の段取りを組みたい"))
    reply = chat.say("ぴよぴよ")
    assert "読み取れません" in text(reply) and "実施日（予定）はいつですか" in text(reply)
    day = dt.date.today() + dt.timedelta(days=45)
    assert "住民票がある方" in text(chat.say(f"{day.month}月{day.day}日"))
    assert "認知症" in text(chat.say("いない"))
    reply = chat.say("はい、います")
    assert len(customs(reply)) == 3
    plan = text(reply)
    assert f"実施日：{format_date(day)}" in plan
    assert f"約30日前（{format_date(day - dt.timedelta(days=30))}ごろ）" in plan
    assert f"約20日前（{format_date(day - dt.timedelta(days=20))}ごろ）" in plan
    assert "申請者名簿" in plan and "机・椅子" in plan and "説明日時・申請日・交付日を記録" in plan


def test_lost_check_restarted_then_left(stack):
    chat = Chat(stack)
    assert "なくしたのはどれですか" in text(chat.say('/start_guide{"guide": "lost"}'))
    assert "いま電話をかけられますか" in text(chat.say("マイナンバーカード"))
    reply = chat.say("最初から")
    assert "最初からやり直します" in text(reply) and "なくしたのはどれですか" in text(reply)
    assert "終了しました" in text(chat.say("やめる"))
    reply = chat.say("カードをなくしました")  # a knowledge question again, not an answer
    assert customs(reply)[0]["answer_id"].startswith("lost_card")
    assert '/start_guide{"guide": "lost"}' in buttons(reply)


@pytest.mark.parametrize("guide, answers, expected", [
    ("photo", ["寝たきりで枕とチューブが写っています", "郵送"], ["参考例」に当たります", "氏名欄"]),
    ("lost", ["スマホ", "耳が聞こえにくいです"], ["0120-601-785", "一時利用停止"]),
    ("pin", ["今日病院に行きたい", "家族が代わりに行きます"], ["目視で確認", "代理者などから"]),
    ("face_auth", ["もう持っている", "代理人が行く", "わからない", "まだ"], ["委任状", "即日の手続はできません"]),
    ("proxy", ["入院中・病気", "75歳未満", "入所していない", "ある", "家族・親族", "わからない"],
     ["長期入院者、病気の方", "入手が容易で費用がかからない"]),
    ("outreach", ["まだ決まっていない", "わからない", "わからない"], ["実施日の約30日前", "市区町村外に住民票"]),
])
def test_every_check_reaches_its_result(stack, guide, answers, expected):
    chat = Chat(stack)
    chat.say(f'/start_guide{{"guide": "{guide}"}}')
    for answer in answers[:-1]:
        assert not customs(chat.say(answer)), answer
    reply = chat.say(answers[-1])
    assert customs(reply) and customs(reply)[0]["guide"] == guide
    assert all(e in text(reply) for e in expected), text(reply)
