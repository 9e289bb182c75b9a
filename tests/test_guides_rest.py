"""The guided checks over the REST channel, on the real servers (scripts/run.sh, trained model)."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from bot.shared.guides import format_date, timeline
from bot.devtools.stack import running_stack
from tests import ports




@pytest.fixture(scope="module")
def stack():
    with running_stack(**ports.GUIDES_REST) as urls:
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
    assert len(customs(reply)) == 1 and customs(reply)[0]["part"] == 1   # the plan in parts (issue 14)
    plan = text(reply)
    assert f"実施日：{format_date(day)}" in plan
    (_, notice), (_, meeting) = timeline(day)   # 30 and 20 days before, a weekend day moved to the Friday
    assert f"約30日前（{format_date(notice)}ごろ）" in plan and f"約20日前（{format_date(meeting)}ごろ）" in plan
    assert "申請者名簿" in plan and "まず今週すること" in plan and "机・椅子" not in plan
    assert buttons(reply) == ["/resume_guide"]
    meeting = chat.say("/resume_guide")
    assert text(meeting).startswith("（2/3）打合せから前日まで") and "机・椅子" in text(meeting)
    day_of = chat.say("続き")   # typed works too
    assert text(day_of).startswith("（3/3）当日") and "説明日時・申請日・交付日を記録" in text(day_of)
    assert "/restart_guide" in buttons(day_of)


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


# --- issue 14: guided checks as people meet them ------------------------------------------------

def start(chat: Chat, guide: str) -> list:
    return chat.say(f'/start_guide{{"guide": "{guide}"}}')


def test_casual_answers_are_understood(stack):
    chat = Chat(stack)
    start(chat, "lost")
    reply = chat.say("かーどだけ")
    assert "「マイナンバーカード」として進めます" in text(reply) and "いま電話をかけられますか" in text(reply)
    chat = Chat(stack)
    start(chat, "pin")
    assert "「病院・薬局で受診したい」として進めます" in text(chat.say("あしたびょういんです"))
    assert "「わからない」として進めます" in text(chat.say("わかんない"))
    chat = Chat(stack)
    start(chat, "photo")
    reply = chat.say("首がまっすぐにならなくて、顔が横に傾いてる")
    assert "「視線が定まらない・正面を向けない」として進めます" in text(reply)
    chat = Chat(stack)
    start(chat, "photo")
    reply = chat.say("車椅子の背もたれが写ってて、顔がちょっと横に傾いてる")   # two things named: both kept
    assert "「車椅子、視線が定まらない・正面を向けない」として進めます" in text(reply)
    result = text(chat.say("郵送"))
    assert "車椅子、視線が定まらない・正面を向けない" in result and "氏名欄" in result


def test_facts_in_the_first_message_are_not_asked_again(stack):
    chat = Chat(stack)
    reply = chat.say("92歳の母が施設に入所しています。代理で受け取れますか？")   # answered, with the check's button
    assert '/start_guide{"guide": "proxy"}' in buttons(reply)
    reply = start(chat, "proxy")
    assert "わかったこと：施設に入所している、75歳以上" in text(reply)
    assert "顔写真付きの本人確認書類" in text(reply)
    assert "窓口に行けない理由" not in text(reply) and "75歳以上ですか" not in text(reply)


def test_a_vague_date_is_planned_in_the_middle_of_next_month(stack):
    chat = Chat(stack)
    chat.say("出張申請の段取りを組みたい")
    reply = chat.say("15日か20日")
    assert "読み取れません" in text(reply) and "実施日（予定）はいつですか" in text(reply)   # asked again, not guessed
    today = dt.date.today()
    middle = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=15)
    assert f"「{format_date(middle)}ごろ」として進めます" in text(chat.say("来月のなかごろ"))
    chat.say("いない")
    plan = text(chat.say("いない"))
    assert f"実施日：{format_date(middle)}ごろ" in plan
    assert f"約30日前（{format_date(timeline(middle)[0][1])}ごろ）" in plan
    assert format_date(middle.replace(day=1) - dt.timedelta(days=30)) not in plan   # not counted from the 1st


def test_a_typed_answer_is_taken_while_the_check_is_paused(stack):
    chat = Chat(stack)
    start(chat, "proxy")
    chat.say("入院中・病気")
    assert "施設に入所していますか" in text(chat.say("80歳"))
    reply = chat.say("資格確認書って何ですか？")
    assert "一時停止中" in text(reply) and "/resume_guide" in buttons(reply)
    reply = chat.say("入所していない")   # typed, not the button
    assert "「入所していない」として、代理交付チェックを続けます" in text(reply)
    assert "顔写真付きの本人確認書類" in text(reply)
    assert "代理交付チェックは一時停止中" in text(chat.say("代理人の本人確認書類は何が必要ですか？"))  # a question: answered
    reply = chat.say("わからない")   # after an answer, more likely about the answer: not taken
    assert "として、代理交付チェックを続けます" not in text(reply)
    reply = chat.say("ない")
    assert "として、代理交付チェックを続けます" in text(reply) and "どなたですか" in text(reply)


def test_proxy_check_without_a_facility_shows_no_facility_note(stack):
    chat = Chat(stack)
    start(chat, "proxy")
    for answer in ["入院中・病気", "75歳未満", "入所していない", "わからない", "家族・親族"]:
        chat.say(answer)
    result = text(chat.say("わからない"))
    assert "代理人が持っていく書類" in result and "施設" not in result and "顔写真証明書" not in result


def test_results_list_each_source_once(stack):
    for guide, answers in (("lost", ["マイナンバーカード", "電話できる"]),
                           ("face_auth", ["もう持っている", "代理人が行く", "わからない", "まだ"])):
        chat = Chat(stack)
        start(chat, guide)
        for answer in answers[:-1]:
            chat.say(answer)
        reply = chat.say(answers[-1])
        results = [m["text"] for m in reply if "出典：" in m.get("text", "")]
        assert results and len(results) == len(customs(reply))   # over REST the custom payload follows its text
        for result, custom in zip(results, customs(reply)):
            listed = [line for line in result.split("出典：")[-1].split("\n") if line]
            assert len(listed) == len(set(line[line.index("］") + 1:] for line in listed)), listed
            sources = [(s["doc_id"], s["section"], s["page"]) for s in custom["sources"]]
            assert len(sources) == len(set(sources)) == len(listed)


def test_lost_card_without_phone_leads_with_fax(stack):
    chat = Chat(stack)
    start(chat, "lost")
    chat.say("マイナンバーカード")
    reply = chat.say("耳が聞こえないので電話できません")
    result = text(reply)
    first = result.split("【2.")[0]
    assert "FAXで機能を止める" in first and "すぐに" not in result
    assert first.index("0120-601-785") < first.index("0120-95-0178")
    assert customs(reply)[0]["links"] == [{"title": "FAX用紙を作る（一時停止の依頼）", "path": "/fax?type=suspend"}]


def test_an_answer_with_a_side_question_a_correction_and_an_unsure_question(stack):
    """The seventh new-user trial: an answer and a question in one message keeps both; an earlier answer can be
    corrected inside the check; an unsure question gets its reply and the check's question again, not a hint."""
    chat = Chat(stack)
    chat.say("代理で受け取れるかチェックしたい")
    reply = chat.say("入院中です。ちなみに代理で受け取るときの必要書類は？")
    assert "出典：" in text(reply) and "「入院中・病気」として進めます" in text(reply)
    assert "何歳" in text(reply) or "年齢" in text(reply)
    reply = chat.say("ちがう、施設に入所しています")
    assert "に直しました" in text(reply)
    reply = chat.say("疎明資料って何？")
    assert "読み取れませんでした" not in text(reply)


def test_a_reader_of_hiragana_gets_a_check_in_hiragana(stack):
    """After 「かんじ よめない」, a check's questions (asked by action_ask_<slot>), its echoes and its result come in
    hiragana, through Rasa's form; a tapped button's payload still answers."""
    from bot.shared.kana import KANJI
    chat = Chat(stack)
    chat.say("暗証番号を忘れました")
    assert not KANJI.search(text(chat.say("かんじ よめない")).split("出典：")[0])
    reply = chat.say("/start_guide{\"guide\": \"pin\"}")
    assert reply and not KANJI.search(text(reply)), text(reply)
    reply = chat.say(buttons(reply)[0])
    assert reply and not KANJI.search(text(reply)), text(reply)
