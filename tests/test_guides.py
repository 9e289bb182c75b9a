"""Guided checks: parsing, the checklist / step / date logic (bot/shared/guides/), the validation and
pause logic of the actions on rasa_sdk trackers, and the domain's questions and buttons."""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import guides as guide_actions
from actions.actions import ActionAnswer, ActionFallback, ActionShortReply
from bot.shared import guides
from bot.shared.guides import UNKNOWN, extract, parse_age, parse_date, render
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 22)  # a Sunday


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(guide_actions, "today", lambda: TODAY)


def text_of(kb, result) -> str:
    return "\n".join(m["text"] for m in guides.render_messages(kb, result))


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("92歳です", "75plus"), ("九十二歳", "75plus"), ("８０歳", "75plus"), ("75", "75plus"),
    ("68", "under75"), ("80代", "75plus"), ("60代です", "under75"), ("70代", None),
    ("75歳以上", "75plus"), ("75歳未満", "under75"), ("わからない", UNKNOWN), ("元気です", None),
])
def test_age(text, value):
    assert parse_age(guides.normalize(text)) == value


@pytest.mark.parametrize("text, value", [
    ("12月15日", "2026-12-15"), ("2026-12-15", "2026-12-15"), ("2026/12/15", "2026-12-15"),
    ("2026年12月15日（火）", "2026-12-15"), ("令和8年12月15日", "2026-12-15"), ("１２月１５日", "2026-12-15"),
    ("12/15", "2026-12-15"), ("来月15日", "2026-12-15"), ("来月の15日ごろ", "2026-12-15"),
    ("1月10日", "2027-01-10"), ("11月1日", "2026-11-01"), ("3月1日", "2027-03-01"),
    ("来月", "2026-12"), ("再来月", "2027-01"), ("2月ごろ", "2027-02"), ("3週間後", "2026-12-13"),
    ("30日", "2026-11-30"), ("未定です", UNKNOWN), ("まだ決まっていない", UNKNOWN),
    ("2月30日", None), ("そのうち", None),
])
def test_dates_relative_to_today(text, value):
    assert parse_date(text, TODAY) == value


def test_japanese_date_format_and_timeline():
    day = dt.date(2026, 12, 15)
    assert guides.format_date(day) == "2026年12月15日（火）"
    assert guides.timeline(day) == [("約30日前", dt.date(2026, 11, 13)), ("約20日前", dt.date(2026, 11, 25))]  # 15th: Sunday
    assert guides.timeline(dt.date(2027, 2, 5))[1] == ("約20日前", dt.date(2027, 1, 15))   # not Saturday the 16th
    assert guides.timeline(dt.date(2027, 1, 20))[1] == ("約20日前", dt.date(2026, 12, 28))   # not 31 December (sixteenth trial)
    assert guides.timeline(dt.date(2027, 1, 23))[1] == ("約20日前", dt.date(2026, 12, 28))   # nor 3 January, a Sunday


@pytest.mark.parametrize("text, command", [
    ("やめる", "stop"), ("もういいです", "stop"), ("中止", "stop"), ("最初から", "restart"),
    ("やり直したい", "restart"), ("はい", None), ("写真を撮るのをやめるか迷っている利用者さんです", None),
    ("そもそもカードの申請ってまだしてなかったかも。やめる", "stop"),   # a new user's: the last sentence
    ("カードを預けるのをやめたいです。どうすればいいですか？", None),
    ("いえで くらしてます。…やっぱり むずかしいので やめます。やくしょに でんわ します", "stop"),   # a sentence ends with it
    ("母は施設をやめて家に戻りました。いまは在宅です", None),
])
def test_commands(text, command):
    assert guides.command_in(text) == command


@pytest.mark.parametrize("flow, slot, text, value", [
    # new users' answers (session 13) that were misread or not understood
    ("proxy", "proxy_photo_id", "運転免許は返納しました。介護保険証と年金手帳ならあります", "no"),
    ("proxy", "proxy_photo_id", "運転免許証があります", "yes"),
    ("lost", "lost_phone", "本人は耳が遠いけど、私（職員）が電話できます", "phone"),
    ("lost", "lost_phone", "耳が聞こえないので電話できません", "fax"),
    ("lost", "lost_phone", "電話できる人がいない", "fax"),
    ("pin", "pin_who", "私は娘なので私が行きます", "proxy"),
    ("face_auth", "fa_card", "持ってます、5年前に作りました", "existing"),
    ("face_auth", "fa_card", "まだ持っていません", "new"),
    ("proxy", "proxy_age", "たしか88だったと思う", "75plus"),
    ("proxy", "proxy_cards", "どっちも見たことないです", ["notice_lost"]),
    ("lost", "lost_phone", "かけられます", "phone"),
    ("lost", "lost_phone", "電話はかけられません", "fax"),
    ("outreach", "outreach_others", "2人くらい隣の市に住民票残したままの人がおるわ", "yes"),
    ("outreach", "outreach_others", "何人かいてはります", "yes"),
    ("outreach", "outreach_date", "1月の20日ごろ", "2027-01-20"),
    ("proxy", "proxy_agent", "私（看護師）が行く予定", "staff"),   # session 14
    ("pin", "pin_who", "本人は足悪くて無理。ヘルパーさんか私", "proxy"),   # was read as 「本人が行ける」
    ("pin", "pin_who", "本人が行けます", "self"),
    ("outreach", "outreach_dementia", "多い。半分くらい", "yes"),
    ("outreach", "outreach_dementia", "ほとんどいない", "no"),
    ("face_auth", "fa_cert", "なんだべそれ。わがんね", "unknown"),
    ("face_auth", "fa_cert", "いいえ", "switch_only"),   # 「…も一緒にしますか？」 (session 32's blind trial: not read)
    ("face_auth", "fa_cert", "はい", "with_cert"),
    ("face_auth", "fa_cert", "いいえ、更新もします", "with_cert"),
])
def test_answers_in_a_caregivers_words(flow, slot, text, value):
    assert guides.parse_answer(guides.FLOWS[flow].question(slot), text, dt.date(2026, 12, 1)) == value


def test_free_text_fills_the_requested_question_and_distinctive_others():
    v = {}
    assert extract(guides.PROXY, "92歳です", "proxy_reason", v, TODAY) == {
        "proxy_reason": "elderly", "proxy_age": "75plus"}
    assert extract(guides.PROXY, "92歳の母が特養に入っています", "proxy_reason", v, TODAY) == {
        "proxy_reason": "facility", "proxy_age": "75plus"}
    assert extract(guides.PROXY, "はい", "proxy_facility", v, TODAY) == {"proxy_facility": "yes"}
    assert extract(guides.PROXY, "うん", "proxy_photo_id", v, TODAY) == {"proxy_photo_id": "yes"}
    assert extract(guides.PROXY, "持っていません", "proxy_photo_id", v, TODAY) == {"proxy_photo_id": "no"}
    assert extract(guides.PROXY, "わからない", "proxy_facility", v, TODAY) == {"proxy_facility": UNKNOWN}
    assert extract(guides.PROXY, "はい", "proxy_reason", v, TODAY) == {}
    assert extract(guides.PHOTO, "寝たきりで枕とチューブが写っています", "photo_items", v, TODAY) == {
        "photo_items": ["bed", "tube"]}
    assert extract(guides.LOST, "耳が聞こえないので電話はできません", "lost_phone", v, TODAY) == {"lost_phone": "fax"}
    assert extract(guides.OUTREACH, "12月15日の出張申請", None, v, TODAY) == {"outreach_date": "2026-12-15"}
    assert extract(guides.OUTREACH, "11月1日", "outreach_date", v, TODAY) == {}  # past: no plan
    assert guides.past_date_in("11月1日", TODAY)


def test_cards_answers():
    parse = guides.parse_cards
    assert parse("通知カードがある") == ["notice"]
    assert parse("通知カードと住基カードがある") == ["notice", "juki"]
    assert parse("通知カードはなくしたけど住基カードはある") == ["notice_lost", "juki"]
    assert parse("住基カードはないけど通知カードはある") == ["notice"]
    assert parse("どちらもない") == ["notice_lost"]
    assert parse("わからない") == [UNKNOWN]


def test_questions_that_no_longer_matter_are_skipped():
    assert guides.next_slot(guides.PROXY, {"proxy_reason": "facility", "proxy_age": "75plus"}) == "proxy_photo_id"
    assert guides.next_slot(guides.PROXY, {"proxy_reason": "child"}) == "proxy_photo_id"
    assert guides.next_slot(guides.PHOTO, {"photo_items": ["bed"]}) == "photo_route"
    assert guides.next_slot(guides.PHOTO, {"photo_items": ["hat"]}) == "photo_hat_reason"
    assert guides.next_slot(guides.PIN, {"pin_goal": "doctor"}) == "pin_who"
    assert guides.next_slot(guides.PIN, {"pin_goal": "reset"}) == "pin_kind"
    assert guides.next_slot(guides.FACE_AUTH, {"fa_card": "existing", "fa_who": "self"}) == "fa_hoken"
    assert guides.next_slot(guides.FACE_AUTH, {"fa_card": "existing", "fa_who": "proxy"}) == "fa_cert"
    assert guides.next_slot(guides.LOST, {"lost_item": "card", "lost_phone": "fax"}) is None


# --- results ---------------------------------------------------------------------------------

def all_answers(flow):
    """Every combination of answers (None = not asked) — a few thousand per flow at most."""
    choices = []
    for q in flow.questions:
        values = [o.value for o in q.options]
        if q.kind == "multi":
            values = [[v] for v in values] + [["bed", "hat"], ["tube", "gaze"]]
        elif q.kind == "cards":
            values = [["notice"], ["notice", "juki"], ["notice_lost"], [UNKNOWN]]
        elif q.kind == "date":
            values = ["2026-12-15", "2026-12", "2026-11-30", UNKNOWN]
        choices.append([None] + values)
    for combo in itertools.product(*choices):
        yield dict(zip(flow.slots, combo))


@pytest.mark.parametrize("name", list(guides.FLOWS))
def test_every_fact_is_quoted_from_its_entry_and_cited(kb, name):
    flow = guides.FLOWS[name]
    for values in all_answers(flow):
        result = render(name, values, TODAY)
        assert guides.fact_problems(kb, result) == [], values
        messages = guides.render_messages(kb, result)
        assert all("出典：\n［1］" in m["text"] for m in messages), values
        assert all(m["custom"]["sources"] for m in messages)
        last = messages[-1]["text"]
        assert "市区町村" in last or "0120-95-0178" in last, values  # ends with the right contact
        assert any(b["payload"] == "/restart_guide" for b in messages[-1]["buttons"])


def test_proxy_facility_without_photo_id_uses_the_photo_certificate(kb):
    text = text_of(kb, render("proxy", {"proxy_reason": "facility", "proxy_photo_id": "no",
                                        "proxy_agent": "staff", "proxy_cards": ["notice_lost"]}))
    assert "施設入所者" in text and "代理交付の対象と考えられる方に当てはまります" in text
    assert "「顔写真証明書」を本人確認書類として使えます" in text
    assert "顔写真証明書を使う場合は疎明資料は不要です" in text
    assert "「通知カード紛失届」を作成" in text and "住民基本台帳カード" not in text
    assert "報償費" in text  # staff as proxy
    assert "市区町村によって違う" in text and "出典：\n［1］取得・管理マニュアルVer.2（2023年12月） 第6 2. 交付時のサポート p.25" in text


def test_proxy_over_75_at_home_needs_no_separate_proof(kb):
    text = text_of(kb, render("proxy", {"proxy_reason": "elderly", "proxy_age": "75plus", "proxy_facility": "no",
                                        "proxy_photo_id": "yes", "proxy_agent": "family",
                                        "proxy_cards": ["notice", "juki"]}))
    assert "75歳以上の高齢者は本人確認書類で確認できるなど、一定の場合は実質不要になりました" in text
    assert "顔写真証明書" not in text and "報償費" not in text
    assert "□ 通知カード［1］" in text and "□ 住民基本台帳カード［1］" in text


def test_proxy_under_75_in_hospital_needs_the_proof(kb):
    text = text_of(kb, render("proxy", {"proxy_reason": "hospital", "proxy_age": "under75", "proxy_facility": "no",
                                        "proxy_photo_id": "no", "proxy_agent": "undecided", "proxy_cards": [UNKNOWN]}))
    assert "長期入院者、病気の方" in text
    assert "□ 本人の来庁が困難であることを疎明する資料（必要な場合も、入手が容易で費用がかからないものでよいとされています）" in text
    assert "資料編P19" in text and "住民基本台帳カード（お持ちの方のみ）" in text


def test_proxy_reason_outside_the_list_is_not_promised(kb):
    text = text_of(kb, render("proxy", {"proxy_reason": "other", "proxy_age": "under75"}))
    assert "判断できませんでした" in text and "該当するかどうかは、その市区町村にご確認ください" in text
    assert "当てはまります" not in text


def test_photo_verdicts_and_routes(kb):
    text = text_of(kb, render("photo", {"photo_items": ["bed", "tube"], "photo_route": "mail"}))
    assert "参考例」に当たります" in text and "氏名欄" in text and "申請書ID" not in text
    text = text_of(kb, render("photo", {"photo_items": ["gaze"], "photo_route": "online"}))
    assert "視線が定まらない" in text and "申請書IDを伝えます" in text
    hat = text_of(kb, render("photo", {"photo_items": ["hat"], "photo_hat_reason": "medical", "photo_route": "window"}))
    assert "帽子は、マニュアルの参考例" in hat and "これ以外でも認められることがあります" in hat
    assert "市区町村職員が手続を行います" in hat and "参考例」に当たります" not in hat
    fashion = text_of(kb, render("photo", {"photo_items": ["hat"], "photo_hat_reason": "not_medical", "photo_route": "mail"}))
    assert "外して撮り直してください" in fashion
    booth = text_of(kb, render("photo", {"photo_items": ["wheelchair"], "photo_route": "booth"}))
    assert "証明写真機から申請する場合の扱いは書かれていない" in booth
    helper = text_of(kb, render("photo", {"photo_items": ["wheelchair", "tube", "other"], "photo_route": "mail"}))
    assert "参考例」に当たります" in helper and "介助者の手など）は参考例に載っていません" in helper   # a new user's
    assert guides.extract(guides.FLOWS["photo"], "車椅子で鼻にチューブ、介助の人の手がちょっと写っちゃってます", None, {},
                          dt.date(2026, 12, 1)) == {"photo_items": ["wheelchair", "tube", "other"]}


def test_lost_steps_in_order_with_the_fax_line(kb):
    result = render("lost", {"lost_item": "card", "lost_phone": "fax"})
    text = text_of(kb, result)
    order = [text.index(s) for s in ("0120-95-0178", "受理番号", "紛失・廃止届", "資格確認書")]
    assert order == sorted(order)
    assert "0120-601-785" in text and result.links == [guides.FAX_LINK]
    phone = text_of(kb, render("lost", {"lost_item": "smartphone", "lost_phone": "phone"}))
    assert "スマホ用電子証明書の一時利用停止" in phone and "受理番号" not in phone and "0120-601-785" not in phone
    ip = text_of(kb, render("lost", {"lost_item": "both", "lost_phone": "ip"}))
    assert "050-3818-1250" in ip and "受理番号" in ip and "失効手続き" in ip


def test_pin_today_and_proxy(kb):
    text = text_of(kb, render("pin", {"pin_goal": "doctor", "pin_who": "proxy"}))
    assert "受診はできます" in text and "目視で確認" in text and "顔認証" in text
    assert "代理者などから行うこともできます" in text and "法定代理人以外" in text
    assert "「顔認証マイナンバーカード」も選べます" in text
    etax = text_of(kb, render("pin", {"pin_goal": "etax", "pin_who": "self"}))
    assert "6～16桁の英数字" in etax and "4桁の数字" not in etax and "今日の受診" not in etax


def test_face_auth_steps(kb):
    switch = text_of(kb, render("face_auth", {"fa_card": "existing", "fa_who": "proxy", "fa_cert": "switch_only", "fa_hoken": "yes"}))
    assert "委任状" in switch and "即日の手続はできません" not in switch and "申込みは済んでいる" in switch
    renew = text_of(kb, render("face_auth", {"fa_card": "existing", "fa_who": "proxy", "fa_cert": "with_cert", "fa_hoken": "no"}))
    assert "即日の手続はできません" in renew and "セブン銀行ATM" in renew
    new = text_of(kb, render("face_auth", {"fa_card": "new", "fa_who": "outreach", "fa_hoken": UNKNOWN}))
    assert "いずれの暗証番号も設定しない" in new and "交付・設定切替えの前に市町村で申込み" in new


def test_outreach_timeline_from_the_date(kb):
    result = render("outreach", {"outreach_date": "2026-12-15", "outreach_others": "yes", "outreach_dementia": "yes"}, TODAY)
    messages = guides.render_messages(kb, result)
    assert len(messages) == 3  # given one at a time (issue 14): this week, meeting to the day before, the day
    plan, docs, day_of = (m["text"] for m in messages)
    assert plan.startswith("（1/3）段取りと、まず今週すること") and docs.startswith("（2/3）") and day_of.startswith("（3/3）当日")
    assert "実施日：2026年12月15日（火）" in plan
    assert "約30日前（2026年11月13日（金）ごろ）（目安の時期を過ぎています）" in plan
    assert "約20日前（2026年11月25日（水）ごろ）：打合せ" in plan
    assert "打合せ後〜2026年12月14日（月）" in plan and "申請者名簿" in plan
    assert "実施日まで23日です" in plan and "市区町村外に住民票" in plan
    assert "打合せ（実施日と人数、市区町村外の在住者の有無" in docs
    assert "暗証番号設定依頼書" in docs and "机・椅子" in docs and "電源の借用" in docs
    assert "介助" in day_of and "説明日時・申請日・交付日を記録" in day_of
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/resume_guide"]  # 「続き：打合せから前日まで（2/3）」
    assert "/restart_guide" in [b["payload"] for b in messages[2]["buttons"]]
    later = text_of(kb, render("outreach", {"outreach_date": "2027-02-10", "outreach_others": "no", "outreach_dementia": "no"}, TODAY))
    assert "2027年1月11日（月）ごろ" in later and "過ぎています" not in later and "認知症" not in later
    month = text_of(kb, render("outreach", {"outreach_date": "2026-12"}, TODAY))
    assert "2026年12月（日にちが未定なので、2026年12月15日（火）として計算しました）" in month  # the middle, not the 1st
    assert "「最初から」で入れ直す" in month and "実施日まで" not in month
    undecided = text_of(kb, render("outreach", {"outreach_date": UNKNOWN}, TODAY))
    assert "実施日の約30日前" in undecided
    soon = guides.render_messages(kb, render("outreach", {"outreach_date": "2026-12-05"}, TODAY))
    assert soon[1]["text"].startswith("（2/3）打合せから前日まで\n【打合せ（目安の時期を過ぎています。早めに）】"), soon[1]["text"]


# --- the domain: questions, buttons, privacy ---------------------------------------------------

def test_each_form_asks_every_question_with_buttons_that_parse(domain):
    for flow in guides.FLOWS.values():
        assert domain["forms"][flow.form]["required_slots"] == flow.slots
        for question in flow.questions:
            assert domain["slots"][question.slot]["influence_conversation"] is False
            ask = domain["responses"][f"utter_ask_{question.slot}"][0]
            payloads = [b["payload"] for b in ask["buttons"]]
            assert payloads == [o.title for o in question.options]
            parsed = [guides.parse_answer(question, p, TODAY) for p in payloads]
            assert None not in parsed, question.slot
            if question.kind in ("choice", "yesno"):
                assert parsed == [o.value for o in question.options], question.slot


def test_questions_never_ask_for_a_name_mynumber_or_pin(domain):
    for name, variants in domain["responses"].items():
        if not name.startswith("utter_ask_"):
            continue
        text = variants[0]["text"]
        assert not re.search("マイナンバー(?!カード)", text) and "生年月日" not in text
        assert "名前" not in text or "不要" in text
        assert "暗証番号" not in text or "入力しないで" in text


def test_slots_hold_only_canonical_values():
    texts = ["92歳です。名前は山田花子", "暗証番号は1234です", "123456789012", "施設に入っています", "はい"]
    for flow in guides.FLOWS.values():
        allowed = {o.value for q in flow.questions for o in q.options} | {"75plus", "under75", "notice", "juki", "notice_lost"}
        for question, text in itertools.product(flow.questions, texts):
            for slot, value in extract(flow, text, question.slot, {}, TODAY).items():
                values = value if isinstance(value, list) else [value]
                assert all(v in allowed or str(v).startswith("20") for v in values), (slot, value)


def test_every_registered_check_is_wired_into_rasa(domain):
    """A new check is a module + its registration; this says what else Rasa needs, by name."""
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    rules = yaml.safe_load((ROOT / "data" / "rules" / "guides.yml").read_text(encoding="utf-8"))["rules"]
    rule_steps = [[list(step.items())[0] for step in rule["steps"]] for rule in rules]
    for flow in guides.FLOWS.values():
        validation = f"validate_{flow.form}"
        assert validation in executor.actions, f"action server does not serve {validation}"
        assert validation in domain["actions"] and flow.form in domain["forms"]
        for slot in flow.slots:   # each question asked by an action (in hiragana for a reader of hiragana only)
            assert f"action_ask_{slot}" in executor.actions and f"action_ask_{slot}" in domain["actions"]
            assert f"utter_ask_{slot}" in domain["responses"], slot
        assert flow.name in domain["slots"]["guide"]["values"]
        for intent, action in (("start_guide", "action_guide_start"), ("restart_guide", "action_guide_start"),
                               ("resume_guide", "action_guide_resume")):
            assert [("intent", intent), ("action", action), ("slot_was_set", [{"guide": flow.name}]),
                    ("action", flow.form), ("active_loop", flow.form)] in rule_steps, (flow.name, intent)
        assert [("action", flow.form), ("active_loop", None), ("slot_was_set", [{"requested_slot": None}]),
                ("action", "action_guide_result")] in rule_steps, f"{flow.name}: rule for the result"
    assert guides.CHECK_TITLE.keys() == guides.FLOWS.keys()
    assert set(guides.GUIDE_FOR_INTENT.values()) <= set(guides.FLOWS)


# --- the actions on rasa_sdk trackers --------------------------------------------------------

def tracker(intent, text, slots=None, events=None, active_loop=None, entities=()):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": [{"entity": e, "value": v} for e, v in entities]}
    user = {"event": "user", "text": text, "parse_data": latest}
    return Tracker("tester", slots or {}, latest, events if events is not None else [user], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return events, dispatcher.messages


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_validation_takes_a_free_text_answer_and_asks_the_next_question():
    events, messages = run(guide_actions.ValidateProxyForm(),
                           tracker("proxy_pickup_relaxation", "92歳です", {"requested_slot": "proxy_reason"}))
    assert slot_events(events) == {"proxy_reason": "elderly", "proxy_age": "75plus", "requested_slot": "proxy_facility"}
    assert [m["text"] for m in messages] == ["「75歳以上」として進めます。"]  # free text is echoed
    events, messages = run(guide_actions.ValidateProxyForm(),
                           tracker("nlu_fallback", "施設に入所している", {"requested_slot": "proxy_reason"}))
    assert slot_events(events)["proxy_reason"] == "facility" and messages == []  # a button is not


def test_validation_steps_aside_for_an_unrelated_question_and_for_commands():
    asked = {"requested_slot": "proxy_age"}
    for intent, text in (("shikaku_kakuninsho", "資格確認書って何ですか？"), ("stop_guide", "やめる"),
                         ("restart_guide", "最初から"), ("out_of_scope", "明日の天気は"),
                         ("proxy_pickup_eligibility", "施設に入っている人は代理交付の対象ですか？")):
        events, messages = run(guide_actions.ValidateProxyForm(), tracker(intent, text, asked))
        assert events == [] and messages == [], intent  # Rasa rejects the form; a rule answers


def test_an_unreadable_answer_read_as_out_of_scope_is_asked_again_not_stepped_aside_for():
    """Session 37's CI: after retraining, 「15日か20日」 at the outreach date read as out_of_scope 0.60 — taken for a question
    (「資料に書かれていない」 and the date asked again); an out-of-scope reading must be surer (OUT_OF_SCOPE_SURE)."""
    trk = tracker("out_of_scope", "15日か20日", {"requested_slot": "outreach_date"})
    trk.latest_message["intent"]["confidence"] = 0.6
    events, messages = run(guide_actions.ValidateOutreachForm(), trk)
    assert events and "読み取れません" in " ".join(m["text"] or "" for m in messages)


def test_the_words_decide_before_a_wrong_intent():
    events, _ = run(guide_actions.ValidateFaceAuthForm(),
                    tracker("stop_guide", "もう持っている", {"requested_slot": "fa_card"}))
    assert slot_events(events) == {"fa_card": "existing", "requested_slot": "fa_who"}
    events, messages = run(guide_actions.ValidateFaceAuthForm(),
                           tracker("resume_guide", "続けて", {"requested_slot": "fa_card"}))
    assert slot_events(events) == {"fa_card": None, "requested_slot": "fa_card"} and messages == []


def test_an_unsure_guess_at_a_question_is_treated_as_an_unclear_answer():
    answered = {"proxy_reason": "facility", "proxy_age": "75plus", "proxy_photo_id": "no", "proxy_agent": "family"}
    trk = tracker("proxy_pickup_who", "息子かな", {**answered, "requested_slot": "proxy_cards"})
    trk.latest_message["intent"]["confidence"] = 0.35
    events, messages = run(guide_actions.ValidateProxyForm(), trk)
    assert slot_events(events) == {"proxy_cards": None, "requested_slot": "proxy_cards"}
    assert "読み取れません" in messages[0]["text"]


def test_a_stop_word_the_nlu_missed_still_leaves_the_check():
    events, _ = run(guide_actions.ValidatePinForm(), tracker("deny", "もういいです", {"requested_slot": "pin_goal"}))
    assert [e["event"] for e in events] == ["action_execution_rejected", "followup"]
    assert events[1]["name"] == "action_guide_stop"


def test_an_unclear_answer_gets_a_hint_and_the_same_question():
    events, messages = run(guide_actions.ValidateOutreachForm(),
                           tracker("nlu_fallback", "ぴよぴよ", {"requested_slot": "outreach_date"}))
    assert slot_events(events) == {"outreach_date": None, "requested_slot": "outreach_date"}
    assert "読み取れません" in messages[0]["text"]
    events, messages = run(guide_actions.ValidateOutreachForm(),
                           tracker("nlu_fallback", "11月1日", {"requested_slot": "outreach_date"}))
    assert "過ぎています" in messages[0]["text"]


def test_activation_prefills_from_the_first_message():
    text = "12月15日の出張申請の段取りを組みたい"
    user = {"event": "user", "text": text}
    events = [user, {"event": "action", "name": "action_guide_start"},
              {"event": "active_loop", "name": "outreach_form"}]
    result, messages = run(guide_actions.ValidateOutreachForm(), tracker("start_guide", text, {}, events))
    assert slot_events(result) == {"paused_guide": None, "outreach_date": "2026-12-15",
                                   "requested_slot": "outreach_others"}
    assert messages[0]["text"].startswith("わかったこと：2026年12月15日（火）")


def test_after_an_interruption_the_form_asks_again_without_reading_the_message():
    user = {"event": "user", "text": "明日の天気は"}
    events = [user, {"event": "action", "name": "action_fallback"}]
    result, _ = run(guide_actions.ValidateLostForm(),
                    tracker("out_of_scope", "明日の天気は", {"requested_slot": "lost_item"}, events))
    assert slot_events(result) == {"requested_slot": "lost_item"}


def test_start_restart_and_menu():
    events, messages = run(guide_actions.ActionGuideStart(),
                           tracker("start_guide", "写真が使えるか確認したい", entities=[("guide", "photo")]))
    assert slot_events(events)["guide"] == "photo" and events[-1] == {"event": "followup", "name": "photo_form", "timestamp": None}
    assert "写真チェックを始めます" in messages[0]["text"] and "マイナンバー" in messages[0]["text"]
    events, messages = run(guide_actions.ActionGuideStart(), tracker("restart_guide", "最初から", {"guide": "pin"}))
    assert slot_events(events)["guide"] == "pin" and "最初からやり直します" in messages[0]["text"]
    events, messages = run(guide_actions.ActionGuideStart(), tracker("start_guide", "チェックしたい"))
    assert slot_events(events) == {"guide": None}
    assert [b["payload"] for b in messages[0]["buttons"]] == [guides.start_payload(n) for n in guides.FLOWS]


def test_a_question_read_as_restart_with_no_check_to_restart_is_answered_as_a_question():
    """Session 33's blind trial, after the registration: 「その登録は毎年やり直す必要がありますか」 (restart_guide 0.52) got the
    checks' menu; with no check to restart, a question is read as any other message (the registration answer's
    「生涯1回」 line). 「最初から」 alone still shows the menu."""
    text = "その登録は毎年やり直す必要がありますか"
    events, messages = run(guide_actions.ActionGuideStart(), tracker("restart_guide", text))
    assert not messages and events[-1] == {"event": "followup", "name": "action_fallback", "timestamp": None}
    ranking = [("restart_guide", 0.52), ("hoken_registration", 0.17), ("out_of_scope", 0.15)]
    after = run(ActionFallback(), following({"answer_id": "hoken_registration"}, "restart_guide", text, ranking))[1]
    assert after[0]["custom"].get("answer_id") == "hoken_registration" and "生涯1回" in after[0]["text"]
    events, messages = run(guide_actions.ActionGuideStart(), tracker("restart_guide", "最初から"))
    assert slot_events(events) == {"guide": None} and messages[0]["buttons"]


def test_stop_closes_the_form_and_forgets_the_answers():
    events, messages = run(guide_actions.ActionGuideStop(),
                           tracker("stop_guide", "やめる", {"guide": "proxy", "proxy_reason": "facility"},
                                   active_loop="proxy_form"))
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert slot_events(events)["proxy_reason"] is None and slot_events(events)["guide"] is None
    assert "代理交付チェックを終了しました" in messages[0]["text"]


def test_a_question_in_the_middle_is_answered_and_pauses_the_check():
    events, messages = run(ActionAnswer(), tracker("shikaku_kakuninsho", "資格確認書って何？",
                                                   {"requested_slot": "proxy_age"}, active_loop="proxy_form"))
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert slot_events(events)["paused_guide"] == "proxy"
    assert messages[0]["custom"]["answer_id"] == "shikaku_kakuninsho"
    assert messages[0]["buttons"][-1] == {"title": "チェックを続ける", "payload": "/resume_guide"}
    events, _ = run(guide_actions.ActionGuideResume(), tracker("resume_guide", "/resume_guide", {"paused_guide": "proxy"}))
    assert slot_events(events) == {"guide": "proxy", "paused_guide": None}
    assert events[-1]["name"] == "proxy_form"


def test_knowledge_answers_offer_the_matching_check():
    _, messages = run(ActionAnswer(), tracker("photo_exception", "寝たきりの人の写真は？"))
    assert messages[0]["buttons"][-1] == guides.check_button("photo")
    _, messages = run(ActionAnswer(), tracker("card_fee", "お金はかかる？"))
    assert all("start_guide" not in b["payload"] for b in messages[0]["buttons"])


def test_result_action_renders_the_check(kb):
    slots = {"guide": "lost", "lost_item": "card", "lost_phone": "fax"}
    events, messages = run(guide_actions.ActionGuideResult(), tracker("affirm", "はい", slots))
    assert events == []
    assert "0120-601-785" in messages[0]["text"] and messages[0]["custom"]["links"] == [guides.FAX_LINK]


# --- issue 14: guided checks as people meet them ------------------------------------------------

@pytest.mark.parametrize("flow, slot, text, value", [
    ("lost", "lost_item", "かーどだけ", "card"),                     # kana for katakana
    ("lost", "lost_item", "すまほだけです", "smartphone"),
    ("proxy", "proxy_facility", "わかんない", UNKNOWN),               # colloquial endings
    ("proxy", "proxy_facility", "わかんねー", UNKNOWN),
    ("proxy", "proxy_photo_id", "知らん", UNKNOWN),
    ("proxy", "proxy_photo_id", "持ってる", "yes"),
    ("proxy", "proxy_photo_id", "もってない", "no"),
    ("pin", "pin_goal", "あしたびょういんです", "doctor"),            # hiragana read as the kanji word
    ("proxy", "proxy_reason", "にゅういんしてる", "hospital"),
    ("pin", "pin_who", "かぞくがいきます", "proxy"),
    ("photo", "photo_items", "首がまっすぐにならなくて、顔が横に傾いてる", ["gaze"]),
    ("photo", "photo_items", "車椅子の背もたれが写ってて、顔がちょっと横に傾いてる", ["wheelchair", "gaze"]),
    ("photo", "photo_items", "ねたきりでまくらがうつってる", ["bed"]),
    ("photo", "photo_items", "くるまいすと、ちゅーぶ", ["wheelchair", "tube"]),
    ("photo", "photo_items", "車椅子は写っていない、帽子", ["hat"]),      # a thing denied is not kept
    ("proxy", "proxy_reason", "入院中で、施設には入っていません", "hospital"),
    ("lost", "lost_phone", "電話できません", "fax"),
    ("lost", "lost_phone", "ううん", "fax"),
])
def test_casual_answers_are_understood(flow, slot, text, value):
    assert extract(guides.FLOWS[flow], text, slot, {}, TODAY).get(slot) == value


def test_casual_reading_does_not_guess_from_short_or_ambiguous_readings():
    assert extract(guides.PROXY, "あしたようじがある", "proxy_reason", {}, TODAY) == {}   # 用事, not 幼児
    assert extract(guides.PHOTO, "はい", "photo_items", {}, TODAY) == {}


def test_facts_said_unasked_fill_their_questions():
    assert extract(guides.PROXY, "自宅で暮らす92歳の母です", "proxy_reason", {}, TODAY) == {
        "proxy_reason": "elderly", "proxy_age": "75plus", "proxy_facility": "no"}
    assert extract(guides.PROXY, "施設に入っていない", "proxy_reason", {}, TODAY) == {"proxy_facility": "no"}
    # 「はい」「ない」 alone answer only the question asked
    assert extract(guides.PROXY, "ない", "proxy_photo_id", {}, TODAY) == {"proxy_photo_id": "no"}


@pytest.mark.parametrize("text, value", [
    ("来月のなかごろ", "2026-12-15~"), ("らいげつのなかごろ", "2026-12-15~"), ("来月の中旬", "2026-12-15~"),
    ("来月の初め", "2026-12-05~"), ("来月末", "2026-12-31~"), ("来月の終わりごろ", "2026-12-31~"),
    ("月末", "2026-11-30~"), ("12月下旬", "2026-12-25~"), ("1月上旬", "2027-01-05~"), ("再来月の半ば", "2027-01-15~"),
    ("再来週", "2026-12-02~"), ("来週の金曜日", "2026-11-27"), ("らいしゅうのすいようび", "2026-11-25"),
    ("来月のなかごろかな", "2026-12-15~"),
    ("15日か20日", None), ("12月か1月", None), ("そのうち", None), ("年明け", None),   # asked again
])
def test_vague_dates_are_planned_on_a_sensible_day(text, value):
    assert parse_date(text, TODAY) == value


def test_a_vague_date_is_no_command():
    assert guides.command_in("来月の終わり") is None and guides.command_in("もう終わり") == "stop"


def test_vague_dates_count_back_from_their_day_not_the_1st(kb):
    text = text_of(kb, render("outreach", {"outreach_date": "2027-01-15~"}, TODAY))
    assert "実施日：2027年1月15日（金）ごろ（日にちがはっきりしないので" in text
    assert "約30日前（2026年12月16日（水）ごろ）：" in text and "過ぎています" not in text
    assert guides.describe(guides.OUTREACH, {"outreach_date": "2026-12-15~"}) == "2026年12月15日（火）ごろ"
    # a month alone: its middle; on 12/1 the notice (11/1) would look overdue, on 12/15 it does not yet
    month = text_of(kb, render("outreach", {"outreach_date": "2026-12"}, dt.date(2026, 11, 10)))
    assert "約30日前（2026年11月13日（金）ごろ）：" in month and "過ぎています" not in month


def test_proxy_facility_note_only_for_who_may_be_in_a_facility(kb):
    home = text_of(kb, render("proxy", {"proxy_reason": "hospital", "proxy_age": "under75", "proxy_facility": "no",
                                        "proxy_photo_id": UNKNOWN, "proxy_agent": "family", "proxy_cards": [UNKNOWN]}))
    assert "施設" not in home and "顔写真証明書" not in home and "資料編P19" in home
    maybe = text_of(kb, render("proxy", {"proxy_reason": "hospital", "proxy_age": "under75", "proxy_facility": UNKNOWN,
                                         "proxy_photo_id": "no"}))
    assert "施設に入所している場合：施設長などが本人の顔写真を証明した「顔写真証明書」" in maybe


@pytest.mark.parametrize("name", list(guides.FLOWS))
def test_each_source_is_listed_once(kb, name):
    for values in all_answers(guides.FLOWS[name]):
        for message in guides.render_messages(kb, render(name, values, TODAY)):
            listed = re.findall(r"^［\d+］(.+)$", message["text"].split("出典：")[-1], re.M)
            assert len(listed) == len(set(listed)), (values, listed)
            keys = [(s["doc_id"], s["section"], s["page"]) for s in message["custom"]["sources"]]
            assert len(keys) == len(set(keys)) == len(listed)


def test_lost_card_without_phone_leads_with_fax(kb):
    result = render("lost", {"lost_item": "card", "lost_phone": "fax"})
    text = text_of(kb, result)
    first = text.split("【2.")[0]
    assert "FAXで機能を止める" in first and "すぐに" not in text
    assert first.index("0120-601-785") < first.index("0120-95-0178")
    assert result.links == [{"title": "FAX用紙を作る（一時停止の依頼）", "path": "/fax?type=suspend"}]
    phone = text_of(kb, render("lost", {"lost_item": "card", "lost_phone": "phone"}))
    assert "すぐにマイナンバー総合フリーダイヤル" in phone and "0120-601-785" not in phone


def start_events(text, offered):
    """The check started with its button under the answer to `text`."""
    payload = guides.start_payload("proxy")
    buttons = [{"title": "代理で受け取れるかチェック", "payload": payload}] if offered else []
    return [{"event": "user", "text": text}, {"event": "action", "name": "action_answer"},
            {"event": "bot", "text": "…", "data": {"buttons": buttons}},
            {"event": "user", "text": payload}, {"event": "action", "name": "action_guide_start"},
            {"event": "active_loop", "name": "proxy_form"}]


def test_facts_in_the_message_before_the_check_button_are_not_asked_again():
    asked = "92歳の母が施設に入所しています。代理で受け取れますか？"
    events, messages = run(guide_actions.ValidateProxyForm(),
                           tracker("start_guide", guides.start_payload("proxy"), {}, start_events(asked, True)))
    assert slot_events(events) == {"paused_guide": None, "proxy_reason": "facility", "proxy_age": "75plus",
                                   "requested_slot": "proxy_photo_id"}
    assert messages[0]["text"].startswith("わかったこと：施設に入所している、75歳以上")
    events, _ = run(guide_actions.ValidateProxyForm(),
                    tracker("start_guide", guides.start_payload("proxy"), {}, start_events(asked, False)))
    assert slot_events(events) == {"paused_guide": None, "requested_slot": "proxy_reason"}


PAUSED = {"paused_guide": "proxy", "guide": "proxy", "proxy_reason": "hospital", "proxy_age": "75plus"}


def test_a_typed_answer_while_paused_goes_on_with_the_check():
    events, messages = run(ActionAnswer(), tracker("proxy_pickup_eligibility", "特養に入っています", dict(PAUSED)))
    assert slot_events(events) == {"proxy_facility": "yes", "guide": "proxy", "paused_guide": None}
    assert events[-1] == {"event": "followup", "name": "proxy_form", "timestamp": None}
    assert messages[0]["text"] == "「入所している」として、代理交付チェックを続けます。"
    events, messages = run(ActionShortReply(), tracker("deny", "いいえ", dict(PAUSED)))
    assert slot_events(events)["proxy_facility"] == "no" and events[-1]["name"] == "proxy_form"


def test_while_paused_a_question_is_still_answered():
    for intent, text in (("proxy_pickup_documents", "代理人の本人確認書類は何が必要ですか？"),
                         ("shikaku_kakuninsho", "資格確認書について詳しく知りたいので教えてほしいのですが、よろしくお願いします"),
                         ("nlu_fallback", "わからない")):
        events, messages = run(ActionAnswer(), tracker(intent, text, dict(PAUSED)))
        assert not any(e.get("event") == "followup" for e in events), text
    events, messages = run(ActionShortReply(), tracker("affirm", "はい"))   # nothing paused
    assert events == [] and messages[0]["response"] == "utter_affirm"


def following(custom, intent, text, ranking=()):
    """A tracker whose latest message `text` comes after a bot reply with `custom` (an answer, a routing reply) —
    or first in the conversation when `custom` is None; `ranking`: the classifier's (name, confidence) pairs."""
    trk = tracker(intent, text)
    if ranking:
        trk.latest_message["intent_ranking"] = [{"name": name, "confidence": conf} for name, conf in ranking]
    if custom is not None:
        trk.events = [{"event": "user", "text": "…"}, {"event": "bot", "text": "…", "data": {"custom": custom}},
                      *trk.events]
    return trk


def answer_to(custom, intent, text, ranking=()):
    """The messages ActionAnswer sends for `text` after a reply with `custom` (see `following`)."""
    from actions.actions import ActionAnswer
    return run(ActionAnswer(), following(custom, intent, text, ranking))[1]


def test_a_question_read_as_a_checks_start_is_answered():
    """Session 41's trial: 「…「カードを作りたいか」の気持ちを確認するのが難しいんです。確認できない場合はどうすればいいですか？」
    (start_guide 0.68, the PIN named) started the PIN check; a question that does not ask for a check is passed on and
    read as any other message — 「暗証番号のチェックをしたい」 still starts it."""
    text = "暗証番号の前の段階で、そもそも「カードを作りたいか」の気持ちを確認するのが難しいんです。確認できない場合はどうすればいいですか？"
    trk = following(None, "start_guide", text, (("start_guide", 0.68), ("no_card_shikaku", 0.19), ("out_of_scope", 0.02)))
    trk.latest_message["entities"] = [{"entity": "guide", "value": "pin"}]
    events, _ = run(guide_actions.ActionGuideStart(), trk)
    assert {"event": "followup", "timestamp": None, "name": "action_fallback"} in events
    assert slot_events(events)["guide"] is None
    _, messages = run(ActionFallback(), trk)
    assert messages[0]["custom"].get("answer_id") == "no_card_shikaku"
    assert "資格確認書" in messages[0]["text"]
    asked = following(None, "start_guide", "暗証番号のチェックをしたい", (("start_guide", 0.95),))
    asked.latest_message["entities"] = [{"entity": "guide", "value": "pin"}]
    assert slot_events(run(guide_actions.ActionGuideStart(), asked)[0])["guide"] == "pin"


def test_a_question_read_as_yes_follows_the_previous_answer_up():
    """「それって家族でもいいの？」 (affirm to the classifier) after an answer: no 「承知しました」, but 「もしかして」
    with that answer's related entries first; a plain 「はい」 still gets the short reply."""
    answered = {"answer_id": "proxy_pickup_eligibility"}
    question = following(answered, "affirm", "それって家族でもいいの？",
                         [("affirm", 0.37), ("out_of_scope", 0.11), ("proxy_pickup_who", 0.07)])
    messages = run(ActionShortReply(), question)[1]
    assert len(messages) == 1 and "代理交付" in messages[0]["text"] and messages[0]["custom"]["fallback"]
    assert "proxy_pickup_who" in messages[0]["custom"]["candidates"]
    plain = following(answered, "affirm", "はい")
    assert run(ActionShortReply(), plain)[1][0]["response"] == "utter_affirm"
    alone = following(None, "affirm", "それでいいの？")   # no answer before it: what the fit rules make of it
    assert run(ActionShortReply(), alone)[1][0]["custom"]["fallback"]


def test_an_unsure_message_that_refers_back_is_offered_the_previous_answers_related_entries():
    from actions.actions import ActionFallback

    ranking = [("nlu_fallback", 0.35), ("out_of_scope", 0.2), ("proxy_pickup_who", 0.15)]
    text = "それって家族が代わりに手続きしてもいいの？"
    messages = run(ActionFallback(), following({"answer_id": "pin_forgot"}, "nlu_fallback", text, ranking))[1]
    assert messages[0]["custom"]["candidates"][0] == "pin_forgot_proxy" and messages[0]["custom"]["fallback"]
    alone = run(ActionFallback(), following(None, "nlu_fallback", text, ranking))[1]   # nothing answered before it
    assert "pin_forgot_proxy" not in alone[0]["custom"].get("candidates", [])


def test_an_unsure_answer_to_a_follow_up_becomes_one_of_the_choices(kb):
    from actions.actions import ActionFallback

    follow_up = following({"answer_id": "hoken_registration"}, "nlu_fallback", "母はスマホを持っていません。その場合は？",
                          [("nlu_fallback", 0.35), ("koukin_account_help", 0.17), ("deny", 0.12)])
    message = run(ActionFallback(), follow_up)[1][0]
    related = kb.by_id["hoken_registration"].related
    assert message["custom"]["fallback"] and message["custom"]["candidates"][:2] == related[:2]


def test_an_unplaced_message_after_an_answer_is_read_against_it():
    from actions.actions import ActionFallback

    ranking = [("nlu_fallback", 0.35), ("out_of_scope", 0.2)]
    alone = run(ActionFallback(), following(None, "nlu_fallback", "娘です。父は82歳です", ranking))[1]
    assert alone[0]["custom"]["fallback"] and not alone[0].get("buttons")   # nothing before it: the decline
    unplaced = following({"answer_id": "proxy_pickup_eligibility"}, "nlu_fallback", "娘です。父は82歳です", ranking)
    message = run(ActionFallback(), unplaced)[1][0]
    # an age given: the answer's lines on an age (session 35; before, 「もしかして」 with its related entries)
    assert "75歳以上" in message["text"] and message["custom"]["answer_id"] == "proxy_pickup_eligibility"
    unplaced = following({"answer_id": "proxy_pickup_eligibility"}, "nlu_fallback", "娘です。父のことです", ranking)
    message = run(ActionFallback(), unplaced)[1][0]
    assert "代理交付" in message["text"] and message["custom"]["candidates"]


def test_a_follow_up_to_a_deceased_persons_card_is_routed_again():
    from actions.actions import ActionAnswer, ActionFallback

    routed = {"fallback": True, "uncovered": "deceased"}
    messages = run(ActionAnswer(), following(routed, "shikaku_kakuninsho", "じゃあ母の資格確認書はどうすればいい？"))[1]
    assert [m["custom"].get("uncovered") for m in messages] == ["deceased"] and "保険者" in messages[0]["text"]
    plain = following(routed, "shikaku_kakuninsho", "資格確認書はどうすればいい？")   # not starting from it: answered
    assert run(ActionAnswer(), plain)[1][0]["custom"]["answer_id"]
    # fifteenth trial: a follow-up naming another uncovered topic gets that topic's reply, not the deceased one again
    point = following(routed, "out_of_scope", "母がマイナポイントってまだもらえるの？今から作っても5000円もらえます？",
                      [("out_of_scope", 0.92)])
    assert [m["custom"].get("uncovered") for m in run(ActionFallback(), point)[1]] == ["mynapoint"]


def test_two_uncovered_topics_in_one_message_are_both_routed(kb):
    """Fifteenth trial: 「引っ越したらマイナカードって何か手続きいります？それと去年亡くなった父のマイナカードがまだ家に
    あるんですけどこれどうすれば」 got the address change's reply only: a question ending 「どうすれば」 is a question."""
    from actions.actions import ActionAnswer
    text = "引っ越したらマイナカードって何か手続きいります？それと去年亡くなった父のマイナカードがまだ家にあるんですけどこれどうすれば"
    messages = run(ActionAnswer(), following(None, "lost_card", text, [("lost_card", 0.95), ("out_of_scope", 0.02)]))[1]
    assert [m["custom"].get("uncovered") for m in messages] == ["address_name_change", "deceased"]


def test_a_follow_up_about_an_uncovered_side_of_the_answers_topic_is_routed():
    from actions.actions import ActionAnswer, ActionFallback

    follow_up = following({"answer_id": "shikaku_kakuninsho"}, "hokensho_end",   # the old 保険証's dates: not this
                          "それっていつまで使えるんですか？")
    messages = run(ActionAnswer(), follow_up)[1]
    assert [m["custom"].get("uncovered") for m in messages] == ["shikaku_validity"], messages
    own = following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback",   # alone: the card's validity (市区町村)
                    "それって有効期限あるんですか？切れたらまた送られてくる？")
    messages = run(ActionFallback(), own)[1]
    assert [m["custom"].get("uncovered") for m in messages] == ["shikaku_validity"] and "保険者" in messages[0]["text"]


def test_the_outreach_plan_is_given_in_parts():
    slots = {"guide": "outreach", "outreach_date": "2026-12-15", "outreach_others": "no", "outreach_dementia": "no"}
    events, messages = run(guide_actions.ActionGuideResult(), tracker("deny", "いない", dict(slots)))
    assert len(messages) == 1 and messages[0]["text"].startswith("（1/3）")
    assert slot_events(events) == {"guide_part": "1"}
    assert messages[0]["buttons"] == [{"title": "続き：打合せから前日まで（2/3）", "payload": "/resume_guide"}]
    events, messages = run(guide_actions.ActionGuideResume(), tracker("resume_guide", "続き", {**slots, "guide_part": "1"}))
    assert messages[0]["text"].startswith("（2/3）") and slot_events(events) == {"guide_part": "2"}
    events, messages = run(guide_actions.ActionGuideResume(), tracker("resume_guide", "続き", {**slots, "guide_part": "2"}))
    assert messages[0]["text"].startswith("（3/3）当日") and slot_events(events) == {"guide_part": None}
    assert "/restart_guide" in [b["payload"] for b in messages[0]["buttons"]]


@pytest.mark.parametrize("text, item", [("カードをなくしました", "card"), ("耳が聞こえない父がカードをなくしました", "card"),
                                        ("カードがなくなった", "card"), ("スマホをなくしちゃった", "smartphone")])
def test_losing_something_is_not_read_as_denying_it(text, item):
    """なくす (to lose) is no negation: the message that starts the lost check names what was lost."""
    assert guides.extract(guides.FLOWS["lost"], text, None, {}, TODAY) == {"lost_item": item}


@pytest.mark.parametrize("text", ["カードはない", "カードは持っていません"])
def test_a_denied_word_still_does_not_count(text):
    assert guides.extract(guides.FLOWS["lost"], text, None, {}, TODAY) == {}


def test_the_staff_handoff_only_when_a_person_is_asked_for():
    """A new user's question in a check was classified human_handoff and sent to staff; only a message that asks for
    a person gets the handoff, a question gets what the fit rules make of it."""
    from actions.actions import ActionHumanHandoff

    asked = following(None, "human_handoff", "担当の人と直接話したい", [("human_handoff", 0.9)])
    assert run(ActionHumanHandoff(), asked)[1][0]["response"] == "utter_human_handoff"
    question = following(None, "human_handoff", "2人くらい隣の市の人がいるはず。その人たちも一緒に申請できる？",
                         [("human_handoff", 0.55), ("other_municipality", 0.2), ("outreach_facility", 0.1)])
    messages = run(ActionHumanHandoff(), question)[1]
    assert messages and not any(m.get("response") for m in messages)
    assert messages[0]["custom"].get("answer_id") == "other_municipality"


def test_a_follow_up_that_asks_where_gets_the_previous_answers_place():
    """A new user's 「それってどこに申込めばいいの」 after the home outreach answer got 「もしかして」."""
    from actions.actions import ActionFallback

    ranking = [("nlu_fallback", 0.35), ("apply_methods", 0.2), ("out_of_scope", 0.15)]
    where = following({"answer_id": "outreach_home"}, "nlu_fallback", "それってどこに申込めばいいの", ranking)
    messages = run(ActionFallback(), where)[1]
    assert len(messages) == 1 and messages[0]["custom"]["answer_id"] == "outreach_home"
    assert messages[0]["text"].startswith("直前のお答え（") and "市区町村" in messages[0]["text"]
    assert "出典" in messages[0]["custom"]["citation"]
    insurer = run(ActionFallback(), following({"answer_id": "hokensho_end"}, "nlu_fallback", "それってどこに聞けばいい？",
                                              ranking))[1]
    assert "保険者" in insurer[0]["text"] and "0120-95-0178" in insurer[0]["text"]
    how_far = run(ActionFallback(), following({"answer_id": "outreach_home"}, "nlu_fallback",
                                              "それってどこまで手伝っていいの？", ranking))[1]
    assert "手続きや問い合わせの先" not in how_far[0]["text"]


def test_a_correction_answers_the_previous_question_as_corrected():
    """A new user's 「資格確認書じゃなくてマイナンバーカードの方でした」 repeated the previous answer."""
    from actions.actions import ActionFallback
    from bot.shared.conversation import corrected_question

    assert corrected_question("資格確認書をなくしたらどうすればいい？", "資格確認書じゃなくてマイナンバーカードの方でした") \
        == "マイナンバーカードをなくしたらどうすればいい？"
    assert corrected_question("母のカードをなくしました", "あ、母じゃなくて父のほう") == "父のカードをなくしました"
    assert corrected_question("写真の背景は何色？", "写真じゃなくて保険証のことです") == "保険証の背景は何色？"
    assert corrected_question("母のカードをなくしました", "保険証じゃなくてカードです") is None   # not in the question
    assert corrected_question("母のカードをなくしました", "それじゃなくて") is None
    assert corrected_question("保険証で受診できる？", "保険証じゃなくてカードで受診したい") is None   # a new request
    # session 28's blind trials: what the person has, not what was lost (it got the lost card's steps); what was lost, corrected
    lost = "通知カードをなくしてしまいました。カードを作るのに困りますか"
    assert corrected_question(lost, "いや、そうじゃなくて、マイナンバーカードはもう持っているんです。持っているのは通知カード"
                                    "じゃなくてマイナンバーカードのほうでした") is None
    assert corrected_question(lost, "なくしたのは通知カードじゃなくてマイナンバーカードでした").startswith("マイナンバーカードをなくし")
    trk = following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback", "資格確認書じゃなくてマイナンバーカードの方でした",
                    [("nlu_fallback", 0.35), ("shikaku_kakuninsho", 0.3)])
    trk.events[0] = {"event": "user", "text": "資格確認書をなくしたらどうすればいい？"}
    messages = run(ActionFallback(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "lost_card"


def test_a_question_read_as_goodbye_is_answered_not_said_goodbye_to():
    """A new user's 「じゃあ今はもう使えないってこと？」 after the old 保険証's dates got 「ご利用ありがとうございました」."""
    question = following({"answer_id": "hokensho_end"}, "goodbye", "じゃあ今はもう使えないってこと？",
                         [("goodbye", 0.4), ("hokensho_end", 0.3), ("nlu_fallback", 0.2)])
    messages = run(ActionShortReply(), question)[1]
    assert messages and not any(m.get("response") for m in messages)
    assert run(ActionShortReply(), following(None, "goodbye", "さようなら"))[1][0]["response"] == "utter_goodbye"


def test_a_follow_up_the_previous_answer_answers_gets_its_lines():
    """A new user's 「それって申請しないともらえないの？」 after the 資格確認書 answer (which says it is sent without an
    application) got 「もしかして」."""
    from actions.actions import ActionFallback

    ranking = [("nlu_fallback", 0.35), ("no_card_shikaku", 0.2), ("out_of_scope", 0.05)]
    asked = following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback",
                      "それって申請しないともらえないの？患者さん本人は申請とか無理な状態です", ranking)
    messages = run(ActionFallback(), asked)[1]
    assert messages[0]["custom"]["answer_id"] == "shikaku_kakuninsho" and "関係するところ" in messages[0]["text"]
    assert "申請しなくても保険者から送られてくる" in messages[0]["text"] and "出典" in messages[0]["custom"]["citation"]
    other = run(ActionFallback(), following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback", "それってどうなの？",
                                            ranking))[1]
    assert "関係するところ" not in other[0]["text"]
    # thirteenth trial, after the lost card: the message refers back in its middle (「それまで」), the classifier unsure
    # (hoken_visit 0.26 named by 受診 was given: how to use the card one no longer has)
    ranking = [("nlu_fallback", 0.35), ("hoken_visit", 0.26), ("face_auth_card_hoken", 0.1)]
    meanwhile = run(ActionFallback(), following({"answer_id": "lost_card"}, "nlu_fallback",
                                                "来週病院あるんだけど…それまでどうやって受診するの？", ranking))[1]
    assert meanwhile[0]["custom"]["answer_id"] == "lost_card" and "資格確認書" in meanwhile[0]["text"]
    assert "カードリーダー" not in meanwhile[0]["text"]
    # thirteenth trial, after the photo exceptions: what was said, checked back in dialect (「…ってことだべか」), got
    # 「もしかして」 with the smartphone's certificate
    ranking = [("nlu_fallback", 0.35), ("smartphone_certificate", 0.17), ("application_support", 0.1)]
    checked = run(ActionFallback(), following({"answer_id": "photo_exception"}, "nlu_fallback",
                                              "おらがスマホで布団さ寝でるとこ撮ってもいいってことだべか", ranking))[1]
    assert checked[0]["custom"]["answer_id"] == "photo_exception" and "布団（寝たきりの場合）" in checked[0]["text"]
    # fourteenth trial: the same answer asked for again about one of its points got 「同じになるため、くり返しません」
    again = following({"answer_id": "hoken_visit"}, "hoken_visit",
                      "目視確認というのは、具体的に受付で何をすればいいんでしょうか。", [("hoken_visit", 0.72)])
    again.events[1]["data"]["custom"] = {"answer_id": "hoken_visit"}
    quoted = run(ActionFallback(), again)[1]
    assert quoted[0]["custom"]["answer_id"] == "hoken_visit" and "目視" in quoted[0]["text"]
    assert "関係するところ" in quoted[0]["text"]


def test_an_answer_with_a_question_beside_it_takes_both():
    """A new user's 「88です。ちなみに受け取りって平日しかだめ？」 at the age question: the question was answered and
    the age lost (asked again)."""
    trk = tracker("proxy_pickup_documents", "88です。ちなみに代理で受け取るときの必要書類は？", {"requested_slot": "proxy_age"})
    trk.latest_message["intent_ranking"] = [{"name": "proxy_pickup_documents", "confidence": 0.7}]
    events, messages = run(guide_actions.ValidateProxyForm(), trk)
    assert slot_events(events)["proxy_age"] == "75plus"
    assert messages[0]["custom"]["answer_id"].startswith("proxy_pickup_documents")   # the question's answer first
    assert messages[-1]["text"] == "「75歳以上」として進めます。"
    assert guide_actions.split_question("郵送かな。申請書ってどこでもらうの？") == ("郵送かな。", "申請書ってどこでもらうの？")


def test_an_unsure_question_in_a_check_steps_aside_instead_of_a_hint():
    """A new user's 「疎明資料って何？」 at the age question got the check's hint."""
    events, messages = run(guide_actions.ValidateProxyForm(),
                           tracker("nlu_fallback", "疎明資料って何？", {"requested_slot": "proxy_age"}))
    assert events == [] and messages == []   # Rasa rejects the form; the fallback rule answers


def test_a_correction_with_more_said_and_a_question_that_names_which_one():
    """A new user's 「あ、違う、父じゃなくて母です。母は要介護3で寝たきりです」 got the plain decline (the correction had
    to end the message); 「資格確認書じゃなくてカードの方で受診するには何がいるの？」 got the 資格確認書 again."""
    from actions.actions import ActionFallback
    from bot.shared.conversation import corrected_question, restated_question

    assert corrected_question("父のカードを代理で受け取れますか", "あ、違う、父じゃなくて母です。母は要介護3で寝たきりです") \
        == "母のカードを代理で受け取れますか。母は要介護3で寝たきりです"
    assert restated_question("資格確認書じゃなくてカードの方で受診するには何がいるの？") == "カードで受診するには何がいるの？"
    assert restated_question("母じゃなくて父のほうが行きます") is None   # no question
    assert restated_question("保険証じゃなくてカードで受診したい") is None
    trk = following(None, "shikaku_kakuninsho", "資格確認書じゃなくてカードの方で受診するには何がいるの？",
                    [("shikaku_kakuninsho", 0.7), ("hoken_visit", 0.1)])
    messages = run(ActionFallback(), trk)[1]
    assert messages[0]["custom"].get("answer_id", "").startswith("hoken_visit")


def test_a_follow_up_after_a_maybe_about_a_follow_up_still_follows_the_answer():
    """A new user's 「ほんにんがいけないときは？」 after the PIN answer and a 「もしかして」 about a first follow-up got the
    plain decline: the 「もしかして」 gave no answer, so nothing was followed up any more."""
    from actions.actions import ActionFallback

    ranking = [("nlu_fallback", 0.35), ("out_of_scope", 0.23), ("signature_help", 0.1)]
    first = run(ActionFallback(), following({"answer_id": "pin_forgot"}, "nlu_fallback", "じゃあそのとき何がいるの", ranking))[1]
    assert first[0]["custom"].get("follows") == "pin_forgot"
    second = run(ActionFallback(), following(first[0]["custom"], "nlu_fallback", "本人がいけないときは？", ranking))[1]
    assert not (second[0]["custom"].get("fallback") and not second[0]["buttons"])   # not the plain decline
    assert "暗証番号" in second[0]["text"]


def test_an_earlier_answer_corrected_in_the_check_is_changed():
    """New users corrected an earlier answer inside a check (「あ、違う、…」) and had to start again with 「最初から」."""
    answered = {"proxy_reason": "facility", "proxy_age": "75plus", "requested_slot": "proxy_photo_id"}
    events, messages = run(guide_actions.ValidateProxyForm(), tracker("nlu_fallback", "ちがう、入院中です", answered))
    assert slot_events(events) == {"proxy_reason": "hospital", "requested_slot": "proxy_facility"}   # now it matters
    assert messages[0]["text"] == "「入院中・病気」に直しました。"
    events, _ = run(guide_actions.ValidateProxyForm(), tracker("nlu_fallback", "やっぱり70歳でした", answered))
    assert slot_events(events)["proxy_age"] == "under75"
    # 「AじゃなくてB」 as the answer to the question asked: B is the answer
    asked = {**answered, "proxy_photo_id": "no", "requested_slot": "proxy_agent"}
    events, _ = run(guide_actions.ValidateProxyForm(), tracker("nlu_fallback", "職員じゃなくて家族が行きます", asked))
    assert slot_events(events)["proxy_agent"] == "family"


def test_the_outreach_plan_gives_one_meeting_day_and_notes_a_weekend(kb):
    """A new user's plan for Saturday 2027-02-20 gave the meeting as Friday 1/29 in part 1 and Sunday 1/31 in part 2,
    and said nothing about the Saturday."""
    result = render("outreach", {"outreach_date": "2027-02-20~", "outreach_others": "no", "outreach_dementia": "no"},
                    dt.date(2026, 12, 2))
    text = text_of(kb, result)
    assert "2027年1月29日（金）ごろ）：打合せ" in text and "打合せ（2027年1月29日（金）ごろ）" in text
    assert "1月31日" not in text and "実施日が土曜日です" in text


def test_a_date_corrected_beside_the_answer_asked_for_takes_both():
    """A new user's 「2人ほど隣の町に住民票が残ってる人がいます。あ、あと実施日は…2月22日の月曜に訂正します」: read as
    「わからない」 (the 「かも」 of the second sentence), and the new date dropped."""
    trk = tracker("nlu_fallback", "2人ほど隣の町に住民票が残ってる人がいます。あ、あと実施日は土曜だと市が来ないかもなので"
                  "2月22日の月曜に訂正します", {"outreach_date": "2027-02-20~", "requested_slot": "outreach_others"})
    events, messages = run(guide_actions.ValidateOutreachForm(), trk)
    assert slot_events(events) == {"outreach_date": "2027-02-22", "outreach_others": "yes",
                                   "requested_slot": "outreach_dementia"}
    assert [m["text"] for m in messages] == ["「2027年2月22日（月）」に直しました。", "「いる」として進めます。"]


@pytest.mark.parametrize("text", ["保険証と年金手帳はあるけど、写真つきのはなかったと思う", "なかったと思う", "写真つきは「ない」よ"])
def test_no_photo_id_said_in_the_past_or_beside_other_documents(text):
    """A new user's 「保険証と年金手帳はあるけど、写真つきのはなかったと思う」 was read as 「ある」."""
    question = next(q for q in guides.FLOWS["proxy"].questions if q.slot == "proxy_photo_id")
    assert guides.parse_answer(question, text, dt.date(2026, 12, 2)) == "no"


def test_eighth_trial_check_answers():
    """The eighth new-user trial's misread check answers."""
    today = dt.date(2026, 12, 2)
    assert extract(guides.FLOWS["lost"], "カードだけや。スマホなんか持ってはらへんし", "lost_item", {}, today) == {"lost_item": "card"}
    assert extract(guides.FLOWS["face_auth"], "更新の通知みたいなのは特に来ていません", "fa_cert", {}, today) == {
        "fa_cert": "switch_only"}
    assert guides.parse_cards("通知カードはどっかいったっぽい") == ["notice_lost"]
    corrected = "あ、さっきの違います。更新はしなくていいので切替えだけです。保険証の登録は済んでます"
    assert guides.corrected(guides.FLOWS["face_auth"], corrected, "fa_hoken",
                            {"fa_card": "existing", "fa_who": "proxy", "fa_cert": "with_cert"}, today) == {
        "fa_cert": "switch_only"}
    assert guides.correcting_parts(corrected)[1] == "保険証の登録は済んでます"


def test_fourteenth_trial_check_answers():
    """「通知カードは家の中探したけど見つからないです」 was recorded as 「通知カードがある」 (the checklist then left off the
    通知カード紛失届); 「たしか81だったと思います」 and 「84や」 were not read as an age."""
    today = dt.date(2026, 12, 2)
    assert guides.parse_cards("通知カードは家の中探したけど見つからないです") == ["notice_lost"]
    assert guides.parse_cards("通知カードはあるけど免許はない") == ["notice"]
    assert guides.parse_cards("住基カードはないけど通知カードはある") == ["notice"]
    assert extract(guides.FLOWS["proxy"], "たしか81だったと思います", "proxy_age", {}, today)["proxy_age"] == "75plus"
    assert extract(guides.FLOWS["proxy"], "203号室です", "proxy_age", {}, today) == {}
    assert extract(guides.FLOWS["proxy"], "84や", "proxy_age", {}, today)["proxy_age"] == "75plus"
    # 「施設ちゃう」 (Kansai: not a facility) was corrected to 「施設に入所している」
    hospital = {"proxy_reason": "hospital", "proxy_age": "75plus"}
    assert extract(guides.FLOWS["proxy"], "いや病院に入院しとるだけや。施設ちゃう", "proxy_facility", hospital, today) == {
        "proxy_facility": "no"}
    assert guides.corrected(guides.FLOWS["proxy"], "いや病院に入院しとるだけや。施設ちゃう", "proxy_photo_id",
                            {**hospital, "proxy_facility": "no"}, today) == {}
    assert guides.corrected(guides.FLOWS["proxy"], "ちゃうちゃう、入所してへんって言うてるやろ。入院や", "proxy_photo_id",
                            {**hospital, "proxy_facility": "yes"}, today) == {"proxy_facility": "no"}
    # 「認知症の方はいませんが、知的障害で説明の理解が難しい方が2名います」 was 「いない」
    outreach, plan = guides.FLOWS["outreach"], {"outreach_date": "2027-01", "outreach_others": "no"}
    said = "認知症の方はいませんが、知的障害で説明の理解が難しい方が2名います"
    assert extract(outreach, said, "outreach_dementia", plan, today) == {"outreach_dementia": "yes"}
    assert extract(outreach, "理解が難しい人はいません", "outreach_dementia", plan, today) == {"outreach_dementia": "no"}
    # 「わからない。カードを持っていたかどうかもはっきりしません。」 was 「マイナンバーカード」
    assert extract(guides.FLOWS["lost"], "わからない。カードを持っていたかどうかもはっきりしません。", "lost_item", {},
                   today) == {"lost_item": "unknown"}


def test_the_photo_check_knows_the_outreach_visit(kb):
    """A new user's 「さっき聞いた自宅への出張申請でやるつもりです」 at the method question got the outreach answer twice
    and the same question again."""
    route = next(q for q in guides.FLOWS["photo"].questions if q.slot == "photo_route")
    assert guides.parse_answer(route, "さっき聞いた自宅への出張申請でやるつもりです", dt.date(2026, 12, 2)) == "outreach"
    assert guides.parse_answer(route, "出張で役所の人に来てもらう", dt.date(2026, 12, 2)) == "outreach"
    assert guides.parse_answer(route, "役所の窓口", dt.date(2026, 12, 2)) == "window"
    text = text_of(kb, render("photo", {"photo_items": ["bed"], "photo_route": "outreach"}))
    assert "顔写真（撮影サービスがあれば不要）" in text and "打合せのときに市区町村にご確認ください" in text


def test_a_question_in_a_check_that_its_topic_answers_gets_those_lines():
    """A deaf user's 「…警察にもいかないとだめですか」 in the lost-card check got the plain decline (out_of_scope 0.52);
    the lost-card answer says to report it to the police."""
    from actions.actions import ActionFallback

    trk = tracker("out_of_scope", "耳がきこえないので電話できません。警察にもいかないとだめですか",
                  {"requested_slot": "lost_phone"}, active_loop="lost_form")
    trk.latest_message["intent_ranking"] = [{"name": "out_of_scope", "confidence": 0.52},
                                            {"name": "fax_inquiry", "confidence": 0.14}]
    messages = run(ActionFallback(), trk)[1]
    assert "のお答えのうち、関係するところ" in messages[0]["text"]
    assert "警察" in messages[0]["text"] and messages[0]["custom"]["answer_id"] == "lost_card"
    outside = tracker("out_of_scope", "警察にもいかないとだめですか")
    assert run(ActionFallback(), outside)[1][0]["custom"].get("fallback")


def test_ninth_trial_check_answers():
    """The ninth new-user trial: 「年も80超えてます」 was asked again, 「…たぶん無いです。保険証と介護保険証はあります」 read
    as 「ある」, 「いや、写真付きのはないです。訂正します」 unread, 「ほんにん あるけない。へるぱーの わたしが…」 read as
    「本人が行ける」."""
    today = dt.date(2026, 12, 2)
    assert parse_age("要介護2で、年も80超えてます。") == "75plus"
    photo_id = next(q for q in guides.FLOWS["proxy"].questions if q.slot == "proxy_photo_id")
    assert guides.parse_answer(photo_id, "免許は返納しちゃったので、たぶん無いです。保険証と介護保険証はあります", today) == "no"
    assert guides.parse_answer(photo_id, "たぶん", today) == UNKNOWN
    assert guides.parse_answer(photo_id, "多分ないと思うけどわからない", today) == UNKNOWN
    answered = {"proxy_reason": "care", "proxy_age": "75plus", "proxy_facility": "no", "proxy_photo_id": "yes"}
    assert guides.corrected(guides.FLOWS["proxy"], "いや、写真付きのはないです。訂正します", "proxy_agent", answered,
                            today) == {"proxy_photo_id": "no"}
    assert extract(guides.FLOWS["pin"], "ほんにん あるけない。へるぱーの わたしが かわりに いっても いいの？", "pin_who",
                   {"pin_goal": "doctor"}, today) == {"pin_who": "proxy"}


def test_a_side_question_the_whole_message_hides_is_read_by_its_concepts():
    """A new user's 「要介護2で、年も80超えてます。ちなみに代理人は包括の職員でもいいんですか？」: the classifier read the whole
    message as out of scope (0.68) and the side question got the plain decline."""
    trk = tracker("out_of_scope", "要介護2で、年も80超えてます。ちなみに代理人は包括の職員でもいいんですか？",
                  {"proxy_reason": "care", "requested_slot": "proxy_age"})
    trk.latest_message["intent_ranking"] = [{"name": "out_of_scope", "confidence": 0.68},
                                            {"name": "proxy_pickup_who", "confidence": 0.17}]
    events, messages = run(guide_actions.ValidateProxyForm(), trk)
    assert slot_events(events)["proxy_age"] == "75plus"
    assert messages[0]["custom"].get("answer_id", "").startswith("proxy_pickup_who")


def test_the_answer_just_given_is_not_given_again_in_other_words(kb):
    """Tenth trial (eleven times): 「FAXは家にないんです…。メールとかチャット、手話通訳の窓口はないですか？」 after the FAX
    answer got the same answer again, word for word: now said so, with 「もう一度読む」, its related entries and where to
    ask; a new answer still comes."""
    from actions.actions import ActionAnswer
    text = "FAXは家にないんです…。メールとかチャット、手話通訳の窓口はないですか？"
    messages = run(ActionAnswer(), following({"answer_id": "fax_inquiry"}, "fax_inquiry", text,
                                             [("fax_inquiry", 0.8)]))[1]
    assert len(messages) == 1 and messages[0]["custom"]["fallback"] and "くり返しません" in messages[0]["text"]
    assert "0120-95-0178" in messages[0]["text"] and messages[0]["buttons"][0]["title"] == "もう一度読む"
    other = run(ActionAnswer(), following({"answer_id": "lost_card"}, "fax_inquiry", text, [("fax_inquiry", 0.8)]))[1]
    assert other[0]["custom"]["answer_id"] == "fax_inquiry"


@pytest.mark.parametrize("text", ["返事もFAXで来るの？", "返事はどのように届きますか？"])
def test_a_reply_asked_about_after_the_fax_answer_is_its_answer_line(text):
    """Session 37's blind trial: 「返事もFAXで来るの？」 after the FAX answer got 「くり返しません」 (session 35's: 「返事はどのように
    届きますか？」, partial): the answer's 返事 is its 回答 — the line that says it comes by FAX."""
    from actions.actions import ActionAnswer
    messages = run(ActionAnswer(), following({"answer_id": "fax_inquiry"}, "fax_inquiry", text, [("fax_inquiry", 0.8)]))[1]
    assert len(messages) == 1 and "関係するところ" in messages[0]["text"]
    assert "回答は「個人番号カードコールセンター」からFAXで届く" in messages[0]["text"]


def test_an_answer_hard_to_read_comes_again_in_short(kb):
    """Ninth and tenth trials: 「むずかしくてわからない」 (the help intent) and 「かんじが おおくて よくわからない かーどなくても
    だいじょうぶ ということ？」 right after an answer got the help menu or a decline: now the answer's first sentence,
    its 出典, 「全部を読む」 and a phone number — for the message's own topic when it names one; 「使い方がわからない」 at the
    start and 「暗証番号がわからない」 (a topic) are not that."""
    from actions.actions import ActionHelp
    after = {"answer_id": "hokensho_end"}
    short = run(ActionHelp(), following(after, "help", "むずかしくてわからない", [("help", 0.7)]))[1]
    assert short[0]["text"].startswith("みじかく言うと") and "出典：" in short[0]["text"]
    assert kb.by_id["hokensho_end"].answer.split("。")[0] in short[0]["text"]
    # b56 c08-2: the 「。」 inside 「（…）」 ends no sentence: the aside is quoted closed
    assert "（券面の有効期限がもっと後でも同じ。それより前ならその期限まで）でした。" in short[0]["text"]
    assert short[0]["buttons"][1]["title"] == "全部を読む" and "0120-95-0178" in short[0]["text"]   # [0]: ひらがなで よむ
    own = run(ActionHelp(), following(after, "help", "かんじが おおくて よくわからない かーどなくても だいじょうぶ ということ？",
                                      [("help", 0.5), ("no_card_shikaku", 0.1)]))[1]
    assert own[0]["custom"]["answer_id"] == "no_card_shikaku" and own[0]["text"].startswith("みじかく いうと")   # kana
    assert run(ActionHelp(), following(None, "help", "使い方がわからない"))[1][0]["response"] == "utter_help"
    # fourteenth trial: a question about the card that says 使い方がわからない got the help menu
    answered = run(ActionHelp(), following(None, "help", "病院でカードの使い方がわからない",
                                           [("help", 0.78), ("out_of_scope", 0.04), ("hoken_visit", 0.02)]))[1]
    assert answered[0]["custom"].get("answer_id") == "hoken_visit"
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import not_understood
    assert not not_understood(load_lexicon(), "暗証番号がわからない")
    assert not not_understood(load_lexicon(), "字を書くのが難しい人です")


def test_a_no_that_says_what_it_wants_to_know_is_a_question():
    """「ちがいます。つかえないじゃない。わたしがてつだっていいか、ききたい」 got 「承知しました」."""
    from bot.shared.fit import asks
    assert asks("ちがいます。つかえないじゃない。わたしがてつだっていいか、ききたい")
    assert asks("代理交付の書類を教えてください") and not asks("いいえ")


def test_a_quoted_line_that_introduces_a_list_brings_the_list(kb):
    """Tenth trial: 「FAX以外はないってことですか？」 quoted 「…受け付ける内容は次の2つです。」 and stopped there."""
    from bot.shared.conversation import with_their_lists
    answer = kb.by_id["fax_inquiry"].answer
    first = answer.splitlines()[0]
    assert first.endswith("次の2つです。")
    quoted = with_their_lists(answer, [first])
    assert len(quoted) == 3 and quoted[1].startswith("1.") and quoted[2].startswith("2.")


def test_a_quoted_short_list_item_comes_after_its_heading(kb):
    """Session 49's blind trial (b48): 「…顔認証カードの人は公金受取口座の登録できないってこと？」 quoted 「・マイナポータル」
    alone; a longer item stands alone (the lost card's step 2 without the whole list), after its heading when that is a
    label."""
    from bot.shared.conversation import with_their_lists
    answer = kb.by_id["face_auth_card_services"].answer
    assert with_their_lists(answer, ["・マイナポータル"]) == ["【できないこと（暗証番号の入力が必要なサービス）】", "・マイナポータル"]
    step = next(line for line in kb.by_id["lost_card"].answer.splitlines() if line.startswith("2."))
    # a label heading (「なくしたときの手順（…）：」) comes with any of its items (b59 c05-2: 「施設で管理するときの例：」)
    assert with_their_lists(kb.by_id["lost_card"].answer, [step]) == [kb.by_id["lost_card"].answer.splitlines()[0], step]


def test_a_question_beside_stop_is_answered_after_the_check_ends():
    """Tenth trial: 「やめる。忘れたんじゃなくて、家族が代わりに決めていいか知りたい」 ended the PIN check and lost the question."""
    text = "やめる。忘れたんじゃなくて、家族が代わりに暗証番号を決めていいか知りたい"
    assert guides.beside_command(text) == "忘れたんじゃなくて、家族が代わりに暗証番号を決めていいか知りたい"
    assert guides.beside_command("やめる") == ""
    events, messages = run(guide_actions.ActionGuideStop(), tracker("stop_guide", text, active_loop="pin_form"))
    assert "終了しました" in messages[0]["text"] and len(messages) >= 2
    offered = [(m.get("custom") or {}).get("answer_id") or "" for m in messages[1:]]
    offered += [c for m in messages[1:] for c in (m.get("custom") or {}).get("candidates", [])]
    assert "pin_sharing" in offered


def test_a_typed_button_title_gets_that_answer(kb):
    """Tenth trial: typing 「暗証番号の問い合わせ（代理）」 gave the forgotten-PIN answer again."""
    from actions.actions import ActionAnswer
    title = kb.by_id["pin_forgot_proxy"].title
    messages = run(ActionAnswer(), following({"answer_id": "pin_forgot"}, "pin_forgot", title))[1]
    assert messages[0]["custom"]["answer_id"] == "pin_forgot_proxy"


def test_an_answer_just_given_is_left_out_beside_a_new_one():
    """Tenth trial: 「登録のしかたなんか聞いてないよ。作らなかったら病院にかかれなくなるのかって話」 got the 資格確認書 answer
    and the registration how-to again."""
    from bot.shared.conversation import not_again
    from bot.shared.knowledge import load_knowledge
    kb = load_knowledge()
    reply = [{"custom": {"answer_id": "no_card_shikaku"}}, {"custom": {"answer_id": "hoken_registration"}}]
    assert not_again(kb, reply, [{"answer_id": "hoken_registration"}]) == reply[:1]
    assert not_again(kb, reply, [{"answer_id": "lost_card"}]) == []


def test_tenth_trial_check_answers():
    """「…俺が代理で受け取りいけるってこと？17歳だけど」 gave the grandmother 「75歳未満」; 「家にいる。俺んちで一緒に住んでる」
    became 「入所している」; 「…78歳でした。年齢を訂正させてください」 and 「ひとつ前に戻って、75歳以上に直したいです」 were not read."""
    import datetime as dt
    today = dt.date(2026, 12, 2)
    proxy = guides.FLOWS["proxy"]
    assert guides.extract(proxy, "要するに俺が代理で受け取りいけるってこと？17歳だけど", "proxy_age", {}, today) == {}
    assert guides.extract(proxy, "私の母は92歳です", "proxy_age", {}, today)["proxy_age"] == "75plus"
    assert guides.extract(proxy, "家にいる。俺んちで一緒に住んでる", "proxy_facility", {"proxy_age": "75plus"},
                          today)["proxy_facility"] == "no"
    earlier = {"proxy_age": "under75", "proxy_reason": "care"}
    for text in ("すみません、記録を確認したら78歳でした。年齢を訂正させてください", "ひとつ前に戻って、75歳以上に直したいです"):
        assert guides.corrected(proxy, text, "proxy_facility", earlier, today)["proxy_age"] == "75plus", text


def test_tenth_trial_check_answers_that_add_or_deny():
    """「正面を向けないのと、車いすです」 kept only 車椅子 (「向けない」 read as a denial); 「…全員市内でした」 (a correction
    of 住民票 outside) was not read; 「…スマホに証明書も入れてたかも」 replaced the lost card by the phone: both now."""
    import datetime as dt
    today = dt.date(2026, 12, 2)
    photo, outreach, lost = guides.FLOWS["photo"], guides.FLOWS["outreach"], guides.FLOWS["lost"]
    assert guides.extract(photo, "正面を向けないのと、車いすです", "photo_items", {}, today)["photo_items"] == [
        "wheelchair", "gaze"]
    assert guides.corrected(outreach, "あ、すみません、さっきの住民票の件は違いました、確認したら全員市内でした",
                            "outreach_dementia", {"outreach_others": "yes"}, today) == {"outreach_others": "no"}
    assert guides.corrected(lost, "あ、待って、さっきの違います、利用者さん一人スマホ持ってて、たぶんスマホに証明書も入れてたかも",
                            "lost_phone", {"lost_item": "card"}, today) == {"lost_item": "both"}


def test_a_topic_that_is_unknown_is_no_answer_hard_to_read():
    """「暗証番号わからない人はどうするの」 (a REST test of the guide's examples) got the PIN answer in short."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import hard_to_read
    lexicon = load_lexicon()
    assert not hard_to_read(lexicon, "暗証番号わからない人はどうするの")
    assert hard_to_read(lexicon, "かんじが おおくて よくわからない かーどなくても だいじょうぶ ということ？")
    assert hard_to_read(lexicon, "むずかしくてわからない。代理権を証明する書類ってなに？")


def test_eleventh_trial_correction_with_machigai():
    """「あ、さっきのは間違いで、年齢は77歳でした」 inside the proxy check was not read as a correction."""
    import datetime as dt
    proxy = guides.FLOWS["proxy"]
    assert guides.corrected(proxy, "あ、さっきのは間違いで、年齢は77歳でした", "proxy_facility",
                            {"proxy_age": "under75", "proxy_reason": "care"}, dt.date(2026, 12, 2)) == {"proxy_age": "75plus"}


def test_a_no_that_says_the_answer_missed_gets_that_answers_topics():
    """Eleventh trial: 「そういうことじゃなくて」 after an answer got 「承知しました」."""
    answered = {"answer_id": "pin_forgot"}
    messages = run(ActionShortReply(), following(answered, "deny", "そういうことじゃなくて", [("deny", 0.8)]))[1]
    assert "承知しました" not in messages[0].get("text", "") and messages[0]["custom"].get("follows") == "pin_forgot"
    assert run(ActionShortReply(), following(None, "deny", "いいえ"))[1][0]["response"] == "utter_deny"


def test_a_checks_result_hard_to_read_comes_in_short(kb):
    """Eleventh trial: 「ちょっと難しくてよくわからなかったわ。氏名欄に何て書けばいいの？」 after the photo check's result got
    the help menu, 「ながい。わかりにくい。みじかく」 after the lost-card result the plain decline: now the result's lines
    that name the question's words, else the first line under each heading, with the 出典 list."""
    from actions.actions import ActionFallback, ActionHelp
    photo = guides.render_messages(kb, guides.render("photo", {"photo_items": ["gaze"], "photo_route": "mail"}, TODAY))[0]
    trk = following(None, "help", "ちょっと難しくてよくわからなかったわ。氏名欄に何て書けばいいの？", [("help", 0.6)])
    trk.events = [{"event": "user", "text": "…"}, {"event": "bot", "text": photo["text"], "data": {"custom": photo["custom"]}},
                  *trk.events]
    short = run(ActionHelp(), trk)[1]
    assert short[0]["text"].startswith("みじかく言うと") and "氏名欄" in short[0]["text"] and "出典：" in short[0]["text"]
    assert "［" not in short[0]["text"].split("出典：")[0]
    lost = guides.render_messages(kb, guides.render("lost", {"lost_item": "card"}, TODAY))[0]
    trk = following(None, "nlu_fallback", "ながい。わかりにくい。みじかく", [("nlu_fallback", 0.5)])
    trk.events = [{"event": "user", "text": "…"}, {"event": "bot", "text": lost["text"], "data": {"custom": lost["custom"]}},
                  *trk.events]
    short = run(ActionFallback(), trk)[1]
    body = short[0]["text"].split("出典：")[0]
    assert body.startswith("みじかく言うと") and body.count("\n") <= 7 and "警察" in body, body


def test_eleventh_trial_check_answers():
    """「2月の第2水曜」 was planned as 2月15日; 「今年で八十一になります」 and 「カードだけ。スマホはある」 (read as the phone) were
    misread; 「ちがう、スマホでねぐてカードだ」, 「…2月10日の水曜日って言ったつもりなんだけど。日付ちがいますよ」 and
    「実施日を変えたいです。2月の第2水曜日」 were no corrections."""
    import datetime as dt
    from bot.shared.guides.parsing import parse_age, parse_date
    today = dt.date(2026, 12, 2)
    assert parse_date("2月の第2水曜でお願いします", today) == "2027-02-10"
    assert parse_date("来月の第3金曜日", today) == "2027-01-15" and parse_date("今月の第5月曜", today) is None
    assert parse_age("今年で八十一になります") == "75plus" and parse_age("2です") is None
    lost, outreach = guides.FLOWS["lost"], guides.FLOWS["outreach"]
    for text in ("カードだけ。スマホはある", "カードだけだ。スマホはおどさ持ってねえ"):
        assert guides.extract(lost, text, "lost_item", {}, today) == {"lost_item": "card"}, text
    assert guides.corrected(lost, "ちがう、スマホでねぐてカードだ", "lost_phone", {"lost_item": "smartphone"},
                            today) == {"lost_item": "card"}
    for text in ("2月10日の水曜日って言ったつもりなんだけど。日付ちがいますよ", "実施日を変えたいです。2月の第2水曜日"):
        assert guides.corrected(outreach, text, "outreach_others", {"outreach_date": "2027-02-15"},
                                today) == {"outreach_date": "2027-02-10"}, text


def test_eleventh_trial_photo_id_and_headphones():
    """「やっぱり手帳に写真付いてました」 (a correction in the proxy check) was ignored; 「…ヘッドホンも写ってます」 dropped."""
    import datetime as dt
    today = dt.date(2026, 12, 2)
    proxy, photo = guides.FLOWS["proxy"], guides.FLOWS["photo"]
    assert guides.corrected(proxy, "やっぱり手帳に写真付いてました", "proxy_agent", {"proxy_photo_id": "no"},
                            today) == {"proxy_photo_id": "yes"}
    assert guides.extract(proxy, "手帳には写真が付いていません", "proxy_photo_id", {}, today)["proxy_photo_id"] == "no"
    assert guides.extract(photo, "ちょっと横向いちゃってるのと、あとヘッドホンも写ってます", "photo_items", {},
                          today)["photo_items"] == ["gaze", "other"]


def test_the_same_routing_reply_is_not_repeated_in_full(kb):
    """Eleventh trial: 「カードや電子証明書の有効期限・更新の手続きは…書かれていないため」 came three times in a row."""
    from bot.shared.conversation import not_again
    route = [{"text": "…", "buttons": [], "custom": {"fallback": True, "uncovered": "card_renewal"}}]
    short = not_again(kb, route, [{"fallback": True, "uncovered": "card_renewal"}])
    assert short[0]["text"].startswith("さきほどお伝えしたとおり") and short[0]["custom"]["uncovered"] == "card_renewal"
    assert not_again(kb, route, [{"answer_id": "lost_card"}]) == []


def test_in_short_keeps_the_list_its_first_line_leads_into(kb):
    """Eleventh trial: the short version of the delivery time said only 「…流れの例があります。」."""
    from bot.shared.conversation import in_short
    text = in_short(kb, "card_delivery_time")[0]["text"]
    assert "1. 申請の数日後" in text and "2. 約2週間後" in text


def test_in_short_keeps_a_whole_checklist():
    """Session 42's trial: 「なにを もって いけば いいですか？ かんたんに」 got 3 of the proxy's 7 documents — a numbered list of
    things to bring stays whole, its long asides left out; a longer numbered list says how many more there are."""
    from bot.shared.conversation import in_short
    from bot.shared.knowledge import load_knowledge
    text = in_short(load_knowledge(), "proxy_pickup_documents")[0]["text"]
    assert "6. 代理人の代理権を証明する書類" in text and "7. 代理人の本人確認書類" in text and "照会書" not in text
    assert "2. 交付申請者（本人）の本人確認書類" in text
    assert "（ほかに3つあります）" in in_short(load_knowledge(), "contact_municipality")[0]["text"]


def test_in_short_keeps_the_lines_on_what_was_asked_besides():
    """Session 42's trial: 「ふりーだいやるは なんじから なんじまで ですか。にちようびも やって いますか」 (a reader of hiragana)
    got the number in short, not the hours; 「おかね かかる？」 about a lost card is not given the 資格確認書's 「無償交付」."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import in_short, lines_asked
    from bot.shared.knowledge import load_knowledge
    kb, lexicon = load_knowledge(), load_lexicon()
    text = in_short(kb, "free_dial", hiragana=True, lexicon=lexicon,
                    text="ふりーだいやるは なんじから なんじまで ですか。にちようびも やって いますか")[0]["text"]
    assert "9:30～17:30" in text and "0120-95-0178" in text
    assert "9:30" not in in_short(kb, "free_dial", hiragana=True)[0]["text"]
    assert lines_asked(lexicon, kb.by_id["lost_card"], "かーど なくした。おかね かかる？") == []
    assert lines_asked(lexicon, kb.by_id["proxy_pickup_documents"], "代理で受け取るとき何を持っていけばいい？75歳以上でも？") \
        == ["・75歳以上の方は本人確認書類で確認できるなど、5の疎明資料が実質不要になる場合があります。"]


def test_an_answer_naming_the_free_dial_names_the_fax_line_for_who_cannot_phone(kb):
    """Session 50's trial, a deaf daughter (「私 ろう 電話 できない」): the reader's steps ended 「使えなかったときは、
    マイナンバー総合フリーダイヤル（0120-95-0178）へ」 — the FAX line too, before the 出典; not for one who can phone."""
    from actions.actions import ActionAnswer
    text = "父 病院 行く。顔認証 機械 何回も だめ。受付 人 見る だけ OK？"
    trk = following(None, "hoken_visit", text, [("hoken_visit", 0.95)])
    trk.events = [{"event": "user", "text": "父 85才 マイナンバーカード まだ持ってない。私 ろう 電話 できない。"}, *trk.events]
    message = run(ActionAnswer(), trk)[1][0]
    assert message["custom"]["answer_id"] == "hoken_visit" and "0120-95-0178" in message["text"]
    assert kb.messages["in_short_fax"] in message["text"] and message["text"].endswith("\n" + message["custom"]["citation"])
    plain = run(ActionAnswer(), following(None, "hoken_visit", text, [("hoken_visit", 0.95)]))[1][0]
    assert "0120-601-785" not in plain["text"]


def test_a_user_who_cannot_phone_is_given_the_fax_line_in_a_decline():
    """Eleventh trial: a deaf user (「電話できない」) was sent to the free dial twice."""
    from actions.actions import ActionFallback
    trk = following(None, "out_of_scope", "役所の窓口、手話通訳いる？", [("out_of_scope", 0.9)])
    trk.events = [{"event": "user", "text": "耳がきこえません。電話できない"}, *trk.events]
    messages = run(ActionFallback(), trk)[1]
    assert messages[0]["custom"]["fallback"] and "FAX（0120-601-785）" in messages[0]["text"]
    plain = run(ActionFallback(), following(None, "out_of_scope", "今日の天気は？", [("out_of_scope", 0.9)]))[1]
    assert "0120-601-785" not in plain[0]["text"]
    # sixteenth trial: 「みみ とおい でんわ むり」 is one who cannot phone; a deaf user's lost card got the free dial's
    # phone menu first — the FAX line's answer in its place
    from bot.shared.conversation import cannot_phone
    assert cannot_phone(["みみ とおい でんわ むり。ふぁっくす ある。"])
    from actions.actions import ActionAnswer
    text = "耳が聞こえません。電話できません。マイナンバーカードなくしたかもしれない。止めたいけど電話しかないの？"
    ids = [m["custom"].get("answer_id") for m in run(ActionAnswer(), following(None, "free_dial", text, [("free_dial", 0.59),
                                                                                                       ("lost_card", 0.3)]))[1]]
    assert "free_dial" not in ids and ids[0] == "fax_inquiry", ids
    # twentieth trial: the answer in short (hiragana) ended 「でんわで きく こともできます：…0120-95-0178」 for a deaf user
    from bot.shared.conversation import in_short
    from bot.shared.knowledge import load_knowledge
    short = in_short(load_knowledge(), "card_fee", hiragana=True, by_fax=True)[0]["text"]
    assert "0120-601-785" in short and "0120-95-0178" not in short
    assert "0120-95-0178" in in_short(load_knowledge(), "card_fee")[0]["text"]


def test_a_check_asked_for_in_words_starts():
    """Eleventh trial: 「あんしょうばんごうのチェックやる」 got the PIN kinds; 「いますることを順番に確認」 (the lost-card check's
    button title, typed) the menu of all checks."""
    from actions.actions import ActionAnswer
    asked = tracker("pin_kinds", "暗証番号のチェックやる", entities=[("guide", "pin")])
    events, messages = run(ActionAnswer(), asked)
    assert events == [{"event": "followup", "name": "action_guide_start", "timestamp": None}] and messages == []
    events, messages = run(guide_actions.ActionGuideStart(), asked)
    assert messages[0]["text"].startswith("暗証番号") and "始めます" in messages[0]["text"]
    typed = tracker("help", guides.CHECK_TITLE["lost"])
    events, messages = run(guide_actions.ActionGuideStart(), typed)
    assert "始めます" in messages[0]["text"] and {"event": "followup", "name": "lost_form", "timestamp": None} in events
    assert run(ActionAnswer(), tracker("pin_kinds", "暗証番号って何桁？", entities=[("guide", "pin")]))[0] == []


def test_after_a_deceased_persons_card_the_card_questions_stay_routed(kb):
    """Twelfth trial: 「母はマイナ保険証を使っていたんですが、保険証のほうの手続きはどうなりますか」 right after the routing
    reply for a deceased person's card got the registration how-to; the writer's own card is answered as usual."""
    from actions.actions import ActionAnswer
    routed = {"fallback": True, "uncovered": "deceased"}
    text = "母はマイナ保険証を使っていたんですが、保険証のほうの手続きはどうなりますか"
    messages = run(ActionAnswer(), following(routed, "hoken_registration", text, [("hoken_registration", 0.7)]))[1]
    assert messages[0]["custom"].get("uncovered") == "deceased" and "保険者" in messages[0]["text"]
    own = run(ActionAnswer(), following(routed, "pin_forgot", "私の暗証番号を忘れました", [("pin_forgot", 0.9)]))[1]
    assert own[0]["custom"].get("answer_id") == "pin_forgot"
    # fourteenth trial, a widow: 「主人」 is the person too (got the registration how-to, then the care home's PIN rules)
    for text, intent in (("保険証は　主人の保険証も返さないといけないんですか　どこに", "hoken_registration"),
                         ("主人の暗証番号わたし知ってるけど　使ってもいいの", "pin_sharing")):
        messages = run(ActionAnswer(), following(routed, intent, text, [(intent, 0.8)]))[1]
        assert messages[0]["custom"].get("uncovered") == "deceased", text


def test_twelfth_trial_check_answers_and_requests():
    """「かけれるで。」 (can phone) was 「わからない」; 「成年後見人（司法書士）です。選択肢にないですが」 was not read;
    「…2月の第2水曜にずらしたいです」 and 「いや、日にちは2月の第2水曜に変えてほしいんですが」 did not change the date;
    「もう、紛失チェック！」 and 「ほな順番に確認してってや」 did not start the lost-card check."""
    import datetime as dt
    today = dt.date(2026, 12, 2)
    lost, proxy, outreach = guides.FLOWS["lost"], guides.FLOWS["proxy"], guides.FLOWS["outreach"]
    assert guides.extract(lost, "かけれるで。", "lost_phone", {"lost_item": "card"}, today) == {"lost_phone": "phone"}
    assert guides.extract(proxy, "成年後見人（司法書士）です。選択肢にないですが", "proxy_agent", {},
                          today)["proxy_agent"] == "guardian"
    for text in ("あ、それと日程ですが、年明けは無理そうなので2月の第2水曜にずらしたいです",
                 "いや、日にちは2月の第2水曜に変えてほしいんですが"):
        assert guides.corrected(outreach, text, "outreach_others", {"outreach_date": "2027-01-05"},
                                today) == {"outreach_date": "2027-02-10"}, text
    assert guide_actions.requested_check(tracker("nlu_fallback", "もう、紛失チェック！", entities=[("guide", "lost")])) == "lost"
    assert guide_actions.requested_check(tracker("help", "ほな順番に確認してってや")) == "lost"
    assert guide_actions.requested_check(tracker("outreach_facility", "出張申請の段取りはどうなっていますか")) is None
    # session 42's trial, in the planner: 「段取りはだいたいわかりました。別の質問ですが…」 (だいたい is no 「…たい」) restarted it
    assert guide_actions.requested_check(tracker("start_guide", "ありがとうございます、段取りはだいたいわかりました。別の質問ですが、"
                                                 "施設の職員さんが申請サポートや代理での受け取りをしてくれた場合、市から謝礼を払う"
                                                 "ことに国の補助は使えるんでしょうか。")) is None
    assert guide_actions.requested_check(tracker("start_guide", "出張申請の段取りを作ってほしい")) == "outreach"


def test_twelfth_trial_more_check_requests_and_answers():
    """「それさっき見た😑チェックのほう！」 after the PIN answer; 「もう、紛失チェック！」 read as 「もういい」 (stop);
    「通知カードはたぶんご家族が持ってます」 was 「わからない」; 「入所というより障害のほうが近いかもしれません」 and 「いや電話は
    かけれる言うたやん」 were no corrections."""
    import datetime as dt
    today = dt.date(2026, 12, 2)
    after_pin = following({"answer_id": "pin_forgot"}, "nlu_fallback", "それさっき見た😑チェックのほう！")
    assert guide_actions.requested_check(after_pin) == "pin"
    stop = tracker("stop_guide", "もう、紛失チェック！", entities=[("guide", "lost")])
    assert run(guide_actions.ActionGuideStop(), stop)[0] == [{"event": "followup", "name": "action_guide_start",
                                                              "timestamp": None}]
    proxy, lost = guides.FLOWS["proxy"], guides.FLOWS["lost"]
    assert guides.extract(proxy, "通知カードはたぶんご家族が持ってます", "proxy_cards", {}, today) == {"proxy_cards": ["notice"]}
    assert guides.corrected(proxy, "68歳です。あ、すみません、さっきの理由ですが、入所というより障害のほうが近いかもしれません",
                            "proxy_age", {"proxy_reason": "facility"}, today) == {"proxy_reason": "disability"}
    assert guides.corrected(lost, "いや電話はかけれる言うたやん", "lost_item", {"lost_item": "card", "lost_phone": "unknown"},
                            today) == {"lost_phone": "phone"}


def test_an_answer_for_a_reader_of_hiragana_only(kb):
    """Trials 8 and 12: 「かんじが おおくて よめない」 got the answer again, shorter but in kanji; 「かんじ よめない」 (read as
    deny) got 「承知しました」. Now the answer in short for a reader of hiragana (phrases spaced, numbers as written,
    the 出典 as written); a question written in kana only gets 「ひらがなで よむ」 beside its answer."""
    from actions.actions import ActionAnswer, ActionHelp
    from bot.shared.kana import KANJI
    after = {"answer_id": "lost_card"}
    for action, intent, text in [(ActionHelp(), "help", "かんじが おおくて よめない"),
                                 (ActionShortReply(), "deny", "かんじ よめない"),
                                 (ActionHelp(), "help", "ひらがなで おねがいします")]:
        short = run(action, following(after, intent, text, [(intent, 0.6)]))[1]
        body = short[0]["text"].split("\n出典：")[0]
        assert not KANJI.search(body) and "0120-95-0178" in body and "\n出典：" in short[0]["text"], (text, body)
        assert short[0]["custom"]["reading"] == "hiragana" and short[0]["buttons"][0]["title"] == "ぜんぶを よむ"
    kanji = run(ActionHelp(), following(after, "help", "ながい。わかりにくい", [("help", 0.6)]))[1]
    assert KANJI.search(kanji[0]["text"].split("\n出典：")[0]) and "reading" not in kanji[0]["custom"]
    offered = run(ActionHelp(), following(after, "help", "むずかしくて よく わからないです", [("help", 0.6)]))[1]
    assert [b["title"] for b in offered[0]["buttons"][:2]] == ["ひらがなで よむ", "全部を読む"]
    asked = run(ActionAnswer(), following(None, "proxy_pickup_documents", "だいりこうふの ひつようしょるいは なに？"))[1]
    button = asked[0]["buttons"][0]
    assert asked[0]["custom"]["answer_id"] == "proxy_pickup_documents" and button["title"] == "ひらがなで よむ"
    trk = tracker("show_answer", button["payload"], entities=[("answer_id", "proxy_pickup_documents"),
                                                              ("reading", "hiragana")])
    tapped = run(ActionAnswer(), trk)[1]
    assert tapped[0]["text"].startswith("みじかく いうと、") and not KANJI.search(tapped[0]["text"].split("\n出典：")[0])
    written = run(ActionAnswer(), following(None, "proxy_pickup_documents", "代理交付の必要書類は何ですか"))[1]
    assert all(b["title"] != "ひらがなで よむ" for b in written[0]["buttons"])
    from actions.actions import ActionFallback
    unsure = run(ActionFallback(), following(None, "out_of_scope", "あしたの てんきを おしえてください",
                                             [("out_of_scope", 0.9)]))[1]
    assert unsure[0]["custom"]["fallback"] and not KANJI.search(unsure[0]["text"]), unsure[0]["text"]


def test_a_first_message_asking_for_hiragana_gets_it(kb):
    """Seventeenth trial: 「ぜんぶ ひらがなで おねがい します。…あんしょうばんごうを わすれて…」 got the answer in kanji and
    a button; a first message that asks for hiragana gets the answer in short, in hiragana."""
    from actions.actions import ActionAnswer
    from bot.shared.kana import KANJI
    text = "ぜんぶ　ひらがなで　おねがい　します。まいなんばーかーどの　あんしょうばんごうを　わすれて　しまいました。どうしたら　いいですか"
    reply = run(ActionAnswer(), following(None, "pin_forgot", text, [("pin_forgot", 0.89)]))[1]
    assert reply[0]["custom"]["reading"] == "hiragana" and not KANJI.search(reply[0]["text"].split("\n出典：")[0])


def test_a_reader_of_hiragana_keeps_getting_hiragana(kb):
    """Thirteenth trial: after 「かんじが おおくて よめません」 the next answer and the declines came in kanji again (「また
    かんじに もどっとる」). Now every reply stays in hiragana — an answer in short, a decline's text — until 「漢字でいい」."""
    from actions.actions import ActionAnswer, ActionFallback
    from bot.shared.kana import KANJI
    after = {"answer_id": "no_card_shikaku", "reading": "hiragana"}
    answer = run(ActionAnswer(), following(after, "shikaku_kakuninsho", "しかくかくにんしょは どこから くるんかね",
                                           [("shikaku_kakuninsho", 0.9)]))[1]
    assert answer[0]["custom"]["answer_id"] == "shikaku_kakuninsho" and answer[0]["custom"]["reading"] == "hiragana"
    assert not KANJI.search(answer[0]["text"].split("\n出典：")[0])
    declined = run(ActionFallback(), following(after, "out_of_scope", "きょうの てんきは？", [("out_of_scope", 0.9)]))[1]
    assert not KANJI.search(declined[0]["text"]) and declined[0]["custom"]["fallback"], declined[0]["text"]
    trk = following(after, "shikaku_kakuninsho", "資格確認書はどこから来ますか", [("shikaku_kakuninsho", 0.9)])
    trk.events.insert(-1, {"event": "user", "text": "漢字でいいです"})
    assert KANJI.search(run(ActionAnswer(), trk)[1][0]["text"].split("\n出典：")[0])


def test_the_hiragana_mode_starts_only_when_asked_ends_when_asked_and_reads_all_when_asked(kb):
    """Fifteenth trial, a 民生委員: 「目が悪くて郵便物が読めない方がいて…私が代わりに書いてあげてもいいもんでしょうか？」
    turned the conversation into hiragana (someone described, not the answer); 「漢字まじりの普通の文章でお願いします」 and
    「ひらがなをやめて、ふつうの漢字で書いてください」 did not end it; 「ぜんぶを よむ」 gave the short form again."""
    from actions.actions import ActionAnswer
    from bot.shared.conversation import KANJI_IS_FINE, hard_to_read, wants_kana
    from bot.shared.concepts import load_lexicon
    from bot.shared.kana import KANJI
    lexicon = load_lexicon()
    for text in ["目が悪くて郵便物が読めない方がいて、申請書みたいなのが届いてたら私が代わりに書いてあげてもいいもんでしょうか？",
                 "説明がわからない利用者さんにはどうすれば？", "視力が弱くて字が読めないんです"]:
        assert not wants_kana(text) and not hard_to_read(lexicon, text), text
    assert wants_kana("かんじが おおくて よめない") and hard_to_read(lexicon, "かんじが おおくて よめない")
    for text in ["漢字まじりの普通の文章でお願いします", "ひらがなをやめて、ふつうの漢字で書いてください", "漢字でいいです",
                 "ひらがなは もういいです", "やっぱり　かんじで　いいです。ひらがなは　ながくて　かえって　よみにくい　です",
                 "かんじで　いいって　いったのに。ふつうに　かいて　ください"]:   # seventeenth trial: spaced
        assert KANJI_IS_FINE.search(text) and not wants_kana(text), text
    after = {"answer_id": "lost_card", "reading": "hiragana"}
    short = run(ActionAnswer(), following(after, "proxy_pickup_documents", "だいりで うけとる ときの ひつようしょるいは？",
                                          [("proxy_pickup_documents", 0.9)]))[1]
    whole_button = next(b for b in short[0]["buttons"] if b["title"] == "ぜんぶを よむ")
    trk = following(after, "show_answer", whole_button["payload"])
    trk.latest_message["entities"] = [{"entity": "answer_id", "value": "proxy_pickup_documents"},
                                      {"entity": "reading", "value": "all"}]
    whole = run(ActionAnswer(), trk)[1]
    body = whole[0]["text"].split("\n出典：")[0]
    assert not KANJI.search(body) and not body.startswith("みじかく") and len(body) > len(short[0]["text"].split("\n出典：")[0])
    # sixteenth trial: 「したの『FAXようしを つくる』」 in short, in hiragana, without the link
    from bot.shared.conversation import in_short
    assert in_short(kb, "fax_inquiry", hiragana=True)[0]["custom"]["links"] == [link.dict() for link in kb.by_id["fax_inquiry"].links]


def test_a_reader_of_hiragana_gets_the_checks_in_hiragana(kb, domain):
    """Thirteenth trial: after 「かんじ よめない」 the answers came in hiragana, but a check's questions, its echoes and its
    result in kanji. Now each of them too (the buttons' payloads as they are: a tapped button still answers); a user
    who has not asked gets them as written."""
    from actions.hiragana import AskForSlot, ask_class
    from bot.shared.kana import KANJI
    after = {"answer_id": "proxy_pickup_eligibility", "reading": "hiragana"}
    asks = ask_class("proxy_age")()
    dispatcher = CollectingDispatcher()
    asyncio.run(asks.run(dispatcher, following(after, "start_guide", "はい"), domain))
    question = dispatcher.messages[0]
    assert question["text"] and not KANJI.search(question["text"]) and not question["response"]
    assert [b["payload"] for b in question["buttons"]] == ["75歳以上", "75歳未満", "わからない"]
    assert not any(KANJI.search(b["title"]) for b in question["buttons"])
    assert isinstance(asks, AskForSlot) and asks.name() == "action_ask_proxy_age"
    dispatcher = CollectingDispatcher()
    asyncio.run(asks.run(dispatcher, following(None, "start_guide", "はい"), domain))
    assert dispatcher.messages[0]["response"] == "utter_ask_proxy_age" and not dispatcher.messages[0]["text"]
    trk = following(after, "start_guide", "82さいです")
    trk.slots = {"requested_slot": "proxy_age"}
    events, messages = run(guide_actions.ValidateProxyForm(), trk)
    assert slot_events(events)["proxy_age"] == "75plus"
    assert messages and not any(KANJI.search(m["text"]) for m in messages), [m["text"] for m in messages]
    trk = following(after, "start_guide", "82さいです")
    trk.slots = {"guide": "pin", "pin_goal": "forgot", "pin_kind": "four"}
    _, result = run(guide_actions.ActionGuideResult(), trk)
    assert result and not KANJI.search(result[0]["text"].split("\n出典：")[0])


def test_a_topic_next_to_the_answer_just_given_is_answered_when_the_classifier_cannot_place_it(kb):
    """Thirteenth trial, after the outreach answer: 「入所者のうち5人くらいは住民票が前の市に残ったままなんですが、その人たちも
    同じ日に一緒に申請できますか？」 (out of scope 0.65) was declined, though it names other_municipality, an answer next
    to outreach_facility. Without that answer before it, it is still declined; a topic not next to it is not answered."""
    from actions.actions import ActionFallback
    text = "入所者のうち5人くらいは住民票が前の市に残ったままなんですが、その人たちも同じ日に一緒に申請できますか？"
    oos = [("out_of_scope", 0.65), ("card_delivery_time", 0.25)]
    after = run(ActionFallback(), following({"answer_id": "outreach_facility"}, "out_of_scope", text, oos))[1]
    assert after[0]["custom"].get("answer_id") == "other_municipality"
    assert run(ActionFallback(), following(None, "out_of_scope", text, oos))[1][0]["custom"].get("fallback")
    away = run(ActionFallback(), following({"answer_id": "lost_card"}, "out_of_scope", text, oos))[1]
    assert away[0]["custom"].get("answer_id") != "other_municipality"

    day_of = run(ActionFallback(), following({"answer_id": "outreach_facility"}, "out_of_scope",
                                             "当日ですが、施設側は何をすればいいですか？", [("out_of_scope", 0.44)]))[1]
    assert day_of[0]["custom"].get("answer_id") == "outreach_facility_day_of"   # by a word of its title (thirteenth trial)



def test_a_follow_up_naming_a_topic_of_the_answer_just_given_gets_its_lines(kb):
    """Fifteenth trial (fourteenth's leftover), after the outreach answer: 「参加者には何を持ってきてもらえばいいですか？」
    (out of scope 0.42) was declined, though that answer lists what to bring on the day. The lines naming what to bring
    are quoted; without the answer before it, or after one that names nothing to bring, it is not answered from them."""
    from actions.actions import ActionFallback
    text = "参加者には何を持ってきてもらえばいいですか？"
    oos = [("out_of_scope", 0.42), ("card_uses", 0.14), ("help", 0.14)]
    after = run(ActionFallback(), following({"answer_id": "outreach_facility"}, "out_of_scope", text, oos))[1]
    assert after[0]["custom"].get("answer_id") == "outreach_facility"
    assert "交付申請書、暗証番号設定依頼書、顔写真（撮影サービス時は不要）、本人確認書類" in after[0]["text"]
    assert after[0]["text"].startswith(kb.messages["said_before"].format(title="施設での出張申請受付"))
    alone = run(ActionFallback(), following(None, "out_of_scope", text, oos))[1]
    assert alone[0]["custom"].get("fallback")
    away = run(ActionFallback(), following({"answer_id": "pin_forgot"}, "out_of_scope", text, oos))[1]
    assert away[0]["custom"].get("answer_id") != "pin_forgot"

F5 = ("居宅のケアマネです。いくつか教えてください。①担当している利用者さん（要介護3、独居）は外出困難です。ケアマネの私が代理で"
      "受け取ることはできますか？②入所予定の特養から、暗証番号も含めて施設で管理したいと言われています。問題ないでしょうか。"
      "③そもそもカードを持たない方針の利用者さんもいて、その方の資格確認書は何か手続きが必要ですか？④資格確認書の有効期限は"
      "どれくらいですか？")


def sure_reading(text, intent):
    """A /model/parse result that reads `text` as `intent`, surely (a stand-in for Rasa's reading of a part)."""
    return {"text": text, "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}], "entities": []}


def fake_parse(text):
    """The NLU's reading of a part, as the classifier would give it (a stand-in for Rasa's /model/parse)."""
    intent = ("proxy_pickup_who" if "代理" in text else "pin_sharing" if "暗証番号" in text
              else "shikaku_kakuninsho" if "資格確認書" in text else "out_of_scope")
    return sure_reading(text, intent)


def test_questions_in_sentences_of_their_own_each_get_an_answer(kb, monkeypatch):
    """Fifteenth trial (a 特養 nurse): 「…紙の保険証（後期高齢者の）がまだ何枚かあって、これってまだ使えるんだっけ？もう期限
    切れ？資格確認書ってうちが申請しなきゃいけないの？」 got the 資格確認書 only. Questions about different topics, each in
    its own sentence, are read each on its own when the whole reading leaves one out; 「もう期限切れ？」 asks on about
    the one before it; questions about one topic are read whole."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer
    from bot.shared.concepts import load_lexicon
    from bot.shared.fit import question_parts

    def parse(text):
        intent = "shikaku_kakuninsho" if "資格確認書" in text else "hokensho_end" if "保険証" in text else "out_of_scope"
        return sure_reading(text, intent)

    monkeypatch.setattr(actions_module, "parse", parse)
    text = ("あと施設で預かってる入所者さんの紙の保険証（後期高齢者の）がまだ何枚かあって、これってまだ使えるんだっけ？もう期限"
            "切れ？資格確認書ってうちが申請しなきゃいけないの？")
    parts = question_parts(text, load_lexicon())
    assert len(parts) == 2 and parts[0].endswith("もう期限切れ？") and parts[1].startswith("資格確認書")
    messages = run(ActionAnswer(), following(None, "shikaku_kakuninsho", text, [("shikaku_kakuninsho", 0.9)]))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["hokensho_end", "shikaku_kakuninsho"]
    assert not question_parts("従来の健康保険証は使えなくなる?それならどうするの?", load_lexicon())
    assert not question_parts("そうですか。寝たきりの人の写真はどうすればいい？", load_lexicon())   # 「そうですか。」 asks nothing
    # session 30's blind trial: 「申請は要りますか」 names only an aspect and no card — the 資格確認書's application, not the card's
    text = "マイナ保険証を持っていない人には資格確認書が届くんですか？申請は要りますか"
    assert not question_parts(text, load_lexicon())
    messages = run(ActionAnswer(), following(None, "shikaku_kakuninsho", text, [("shikaku_kakuninsho", 0.9)]))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["shikaku_kakuninsho"]


def test_a_topic_asked_in_a_sentence_of_its_own_is_answered_when_read_alone_surely(kb, monkeypatch):
    """b50 c04 T6 (a wife whose husband has no card yet): 「…作るのにお金はかかりますか？申請はスマホでもできますか？」 got
    the fee, and the ways to apply only as a button: the second sentence, read alone as them surely, is answered too (and
    its button goes). Read alone unsure (「…資格確認書が届くんですか？申請は要りますか」: apply_methods 0.48, the
    資格確認書's own application), or without Rasa, it stays a button."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer

    def reading(confidence):
        return lambda text: {"text": text, "intent": {"name": "apply_methods", "confidence": confidence},
                             "intent_ranking": [{"name": "apply_methods", "confidence": confidence}],
                             "entities": [{"entity": "route", "value": "online", "start": 3, "end": 6}]
                             if "スマホ" in text else []}

    text = "最後に、夫がまだカードを作っていない場合、作るのにお金はかかりますか？申請はスマホでもできますか？"
    sure = [("card_fee", 0.97), ("no_card_shikaku", 0.03)]
    monkeypatch.setattr(actions_module, "parse", reading(0.85))
    messages = run(ActionAnswer(), following(None, "card_fee", text, sure))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["card_fee", "apply_methods_online"], messages
    assert "カードの申請方法（4つ）" not in [b["title"] for b in messages[0]["buttons"]]
    monkeypatch.setattr(actions_module, "parse", reading(0.48))
    messages = run(ActionAnswer(), following(None, "card_fee", text, sure))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["card_fee"]
    assert messages[0]["buttons"][0]["title"] == "カードの申請方法（4つ）"
    monkeypatch.setattr(actions_module, "parse", lambda text: None)
    assert [m["custom"].get("answer_id") for m in run(ActionAnswer(), following(None, "card_fee", text, sure))[1]] == [
        "card_fee"]


def test_a_question_of_its_own_after_a_check_back_is_answered_too(kb, monkeypatch):
    """b62 c02-3 (a photo studio's owner, after the photo exception): 「いや、さっき『郵送は…氏名欄に理由を記載』と書いて
    ありましたね。それで合ってますか。それと、写真の大きさは縦横何センチでしたか。…」 got the quoted line only: the check
    back is read without the question of its own (「それと、…でしたか。」 asks), which gets its answer after it."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer
    from bot.shared.fit import asks, other_questions

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(
        text, "photo_requirements" if "大きさ" in text else "out_of_scope"))
    size = "それと、写真の大きさは縦横何センチでしたか。"
    text = f"いや、さっき『郵送は申請書表面の氏名欄に理由を記載』と書いてありましたね。それで合ってますか。{size}"
    assert asks(size) and not asks("そうでしたか。") and other_questions(text) == [size]
    messages = run(ActionAnswer(), following({"answer_id": "photo_exception"}, "photo_exception", text,
                                             [("photo_exception", 0.6), ("photo_requirements", 0.3)]))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["photo_exception", "photo_requirements"], messages
    assert "氏名欄" in messages[0]["text"]


def test_a_question_that_refers_to_the_sentence_before_is_read_with_it(kb, monkeypatch):
    """b55 c01-4 (a group home's manager): 「…事務所の金庫で施設がお預かりしたいと考えております。このような一括管理は問題
    ございませんか。また、…暗証番号も職員が控えておいてよろしいでしょうか。」 got the PIN only: the custody question, unsure
    alone (card_management 0.46), is read with the sentence it refers to (0.99), and answered first, as asked."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer

    def parse(text):
        if "暗証番号" in text:
            return sure_reading(text, "pin_sharing")
        reading = sure_reading(text, "card_management")
        if "金庫" not in text:
            reading["intent"]["confidence"] = reading["intent_ranking"][0]["confidence"] = 0.46
        return reading

    monkeypatch.setattr(actions_module, "parse", parse)
    text = ("カードが届きましたら、紛失防止のため事務所の金庫で施設がお預かりしたいと考えております。このような一括管理は問題"
            "ございませんか。また、病院受診の際に困らないよう、暗証番号も職員が控えておいてよろしいでしょうか。")
    messages = run(ActionAnswer(), following(None, "pin_sharing", text, [("pin_sharing", 0.9)]))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["card_management", "pin_sharing"]


def test_a_message_read_as_a_whole_unsure_gets_the_answer_to_a_question_read_alone(kb, monkeypatch):
    """Twentieth trial (a hospital's MSW): the loss, then 「病院としてまず何をすべきでしょうか。」 (who asks, not a visit asked
    about) and a second question got a doubtful 「もしかして」 (no_card_shikaku 0.43): each question read on its own gives
    the lost-card answer, and the note for the other says it was read alone and where to ask — not 「もう一度送って」."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer
    from bot.shared.concepts import load_lexicon
    from bot.shared.fit import question_parts

    def parse(text):
        intent = "lost_card" if "紛失" in text else "out_of_scope"
        return sure_reading(text, intent)

    monkeypatch.setattr(actions_module, "parse", parse)
    text = ("承知しました。別の患者様の件です。病棟でマイナンバーカードを紛失してしまいました（院内で探しておりますが見つかって"
            "おりません）。病院としてまず何をすべきでしょうか。また、再発行までの間の受診や資格確認はどうなりますか。")
    assert len(question_parts(text, load_lexicon())) == 2
    unsure = [("no_card_shikaku", 0.43), ("shikaku_kakuninsho", 0.24), ("lost_card", 0.19), ("out_of_scope", 0.12)]
    messages = run(ActionAnswer(), following(None, "no_card_shikaku", text, unsure))[1]
    assert messages[0]["custom"].get("answer_id") == "lost_card", messages
    assert "それだけで読んでも" in messages[1]["text"] and "もう一度送って" not in messages[1]["text"]


def test_a_message_going_back_to_an_earlier_topic_is_not_read_against_the_answer_just_given():
    """Session 37's blind trial: 「さっきの暗証番号の話に戻るけど、普通のカードにした場合は、職員が番号を一緒に考えてあげても
    いいの？」 after the 顔認証 card's application got a line of that answer: it is asked on its own (pin_sharing, whose lines
    say a helper may support setting it)."""
    from actions.actions import ActionAnswer
    from bot.shared.conversation import refers_back
    text = "さっきの暗証番号の話に戻るけど、普通のカードにした場合は、職員が番号を一緒に考えてあげてもいいの？"
    assert refers_back("さっきの答えだと、職員が番号を一緒に考えてもいいの？") and not refers_back(text)
    messages = run(ActionAnswer(), following({"answer_id": "face_auth_card_apply"}, "pin_sharing", text,
                                             [("pin_sharing", 0.81), ("face_auth_card_about", 0.06)]))[1]
    assert messages[0]["custom"]["answer_id"] == "pin_sharing" and "介助者が設定を支援" in messages[0]["text"]
    # the same trial, after the 資格確認書: 「ほなら、さっきの代理の受け取りの件、…」 got its 施設による代理 line
    text = "ほなら、さっきの代理の受け取りの件、施設の人に頼んでもええん？"
    assert refers_back("さっきの話だけど、家族でもいい？") and not refers_back(text)
    messages = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "proxy_pickup_who", text,
                                             [("proxy_pickup_who", 0.76), ("proxy_pickup_eligibility", 0.18)]))[1]
    assert messages[0]["custom"]["answer_id"] == "proxy_pickup_who" and "施設の職員" in messages[0]["text"]


def test_a_phone_asked_for_after_an_answer_without_one_gets_where_to_ask_with_the_numbers():
    """Session 37's blind trial, a 92-year-old after the fees: 「どこに でんわ すれば いいの」 got the fee answer's line 「これら
    以外の費用は…市区町村にご確認ください」 (no number): now where to ask about what, with the free dial's number; a place
    asked for without a phone still gets the answer's own lines."""
    from actions.actions import ActionFallback
    ranking = [("out_of_scope", 0.49), ("contact_municipality", 0.14), ("pin_forgot", 0.14)]
    messages = run(ActionFallback(), following({"answer_id": "card_fee"}, "nlu_fallback", "どこに でんわ すれば いいの", ranking))[1]
    assert messages[0]["custom"]["answer_id"] == "contact_municipality" and "0120-95-0178" in messages[0]["text"]
    from bot.shared.conversation import where_to_ask
    from bot.shared.knowledge import load_knowledge
    quoted = where_to_ask(load_knowledge(), "card_fee", "それってどこに聞けばいいの？")
    assert quoted and quoted[0]["custom"]["answer_id"] == "card_fee" and "市区町村にご確認ください" in quoted[0]["text"]


@pytest.mark.parametrize("previous, text, ranking", [
    ("proxy_pickup_eligibility", "ほんで何持ってったらええねん",
     [("nlu_fallback", 0.35), ("out_of_scope", 0.2), ("proxy_pickup_documents", 0.14), ("affirm", 0.1)]),
    ("proxy_pickup_who", "何持ってけばいい",
     [("nlu_fallback", 0.35), ("help", 0.3), ("proxy_pickup_documents", 0.21), ("out_of_scope", 0.11)])])
def test_what_to_bring_in_a_few_words_after_the_proxy_answer_is_its_documents(previous, text, ranking):
    """Session 37's blind trial: 「何持ってけばいい」 (を left out) after who may collect the card got 「もしかして」."""
    from actions.actions import ActionFallback
    messages = run(ActionFallback(), following({"answer_id": previous}, "nlu_fallback", text, ranking))[1]
    assert messages[0]["custom"]["answer_id"] == "proxy_pickup_documents" and "交付通知書" in messages[0]["text"]


def test_a_message_that_refers_back_but_asks_about_another_topic_is_not_read_against_the_answer(kb, monkeypatch):
    """Twentieth trial, a home helper after the PIN answer: 「それって、さっき言いよった出張のやつ、…自宅にも来てくれる
    とやろ？どこに頼めばよかと？…」 got the PIN answer's lines that say where. The 出張申請 is neither that answer's topic
    nor named by it or its related entries: the message is read on its own."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer

    def parse(text):
        intent = "outreach_home" if "出張" in text else "out_of_scope"
        return sure_reading(text, intent)

    monkeypatch.setattr(actions_module, "parse", parse)
    text = ("それって、さっき言いよった出張のやつ、施設じゃなくて自宅にも来てくれるとやろ？どこに頼めばよかと？"
            "申し込んでからカードが届くまでどんくらいかかると？")
    ranking = [("outreach_home", 0.41), ("out_of_scope", 0.28), ("face_auth_card_apply", 0.05)]
    messages = run(ActionAnswer(), following({"answer_id": "pin_sharing"}, "outreach_home", text, ranking))[1]
    said = [m["custom"].get("answer_id") or m["custom"].get("uncovered") for m in messages]
    assert said[0] == "outreach_home" and "pin_sharing" not in said, said


def test_a_topic_understood_with_thanks_is_set_aside_and_the_phone_asked_about_is_answered(kb):
    """Twentieth trial: 「写真はわかったわ、おおきに。ほんでサインの方は？」 after the photo answer got that answer's lines
    again; 「でんわ は なんじ まで やってる？」 from a volunteer whose neighbour is deaf got the FAX answer a third time."""
    from actions.actions import ActionAnswer, ActionFallback
    from bot.shared.conversation import what_it_is_not_about
    assert what_it_is_not_about("写真はわかったわ、おおきに。ほんでサインの方は？字ぃ書かれへんねん、息子。") == (
        "写真はわかったわ、おおきに。", "ほんでサインの方は？字ぃ書かれへんねん、息子。", False)
    assert what_it_is_not_about("資格確認書のことはお聞きしていなかったのですが…。それって、私のスマートフォンで父の分を"
                                "申請してもよいということでしょうか？")[0] == "資格確認書のことはお聞きしていなかったのですが…。"
    # session 57's trial (b56 c03-4, 鹿児島弁): 「いや、資格確認書じゃなかとよ。…」 got the 資格確認書 after the card's custody
    assert what_it_is_not_about("いや、資格確認書じゃなかとよ。カードそのものを施設に預けてもよかとか聞きたかと。")[0] == \
        "いや、資格確認書じゃなかとよ。"
    assert what_it_is_not_about("資格確認書じゃないです。カードを施設で預かっていいか知りたいです。")[0] == "資格確認書じゃないです。"
    # twenty-first trial (an MSW): 「資格確認書については理解いたしました。…この保険証は…いつまで使用できるのでしょうか。」
    assert what_it_is_not_about("ご丁寧にありがとうございます。資格確認書については理解いたしました。この保険証はいつまで"
                                "使用できるのでしょうか。")[0] == "資格確認書については理解いたしました。"
    # 「住所変更の件、承知しました。1点目の…」 got the address change's reply again (「さきほどお伝えしたとおり」)
    text = "住所変更の件、承知しました。1点目の有効期限の更新を代理で行えるかについてはいかがでしょうか。"
    trk = following(None, "out_of_scope", text, [("out_of_scope", 0.96)])
    trk.events = [{"event": "bot", "text": "…", "data": {"custom": {"uncovered": "address_name_change", "fallback": True}}},
                  *trk.events]
    routed = [m["custom"].get("uncovered") for m in run(ActionFallback(), trk)[1]]
    assert routed[:1] == ["validity_renewal"], routed
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.32), ("photo_exception", 0.27)]
    text = "写真はわかったわ、おおきに。ほんでサインの方は？字ぃ書かれへんねん、息子。"
    messages = run(ActionFallback(), following({"answer_id": "photo_exception"}, "nlu_fallback", text, unsure))[1]
    assert "photo_exception" not in [m["custom"].get("answer_id") for m in messages], messages
    trk = following(None, "free_dial", "でんわ は なんじ まで やってる？", [("free_dial", 0.85)])
    trk.events = [{"event": "user", "text": "みみ きこえない ひと でんわ できない ふりーだいやる つかえない どうしたら いい"},
                  *trk.events]
    ids = [m["custom"].get("answer_id") for m in run(ActionAnswer(), trk)[1]]
    assert ids[:1] == ["free_dial"], ids


def test_each_numbered_part_gets_its_own_answer(kb, monkeypatch):
    """Thirteenth trial: ①–④ in one message got ④ routed and ① answered; ② and ③ were only buttons, and 「あと②③の回答が
    ないようですが…」 got ① again. Now each part is read on its own: its answer or routing reply, in order; the parts the
    user says got no answer are answered."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer
    monkeypatch.setattr(actions_module, "parse", fake_parse)
    messages = run(ActionAnswer(), following(None, "proxy_pickup_relaxation", F5))[1]
    said = [m["custom"].get("answer_id") or m["custom"].get("uncovered") for m in messages]
    assert said[:2] == ["proxy_pickup_who", "pin_sharing"] and "shikaku_kakuninsho" in said and len(said) == 4, said
    trk = following({"answer_id": "proxy_pickup_who"}, "proxy_pickup_who", "ありがとうございます。あと②③の回答がないようですが…")
    trk.events[0] = {"event": "user", "text": F5, "parse_data": {"text": F5}}
    again = [m["custom"].get("answer_id") for m in run(ActionAnswer(), trk)[1]]
    assert again == ["pin_sharing", "shikaku_kakuninsho"], again
    monkeypatch.setattr(actions_module, "parse", lambda text: None)   # no Rasa: the whole message, as before
    assert run(ActionAnswer(), following(None, "proxy_pickup_relaxation", F5))[1]


def test_what_the_question_is_not_about_is_not_read(kb, monkeypatch):
    """Thirteenth trial: 「いえ、施設での管理や利用登録のことではございません。窓口で従来の健康保険証を提示された場合、いつまで
    受け付けてよいのかを伺っております。」 got 「さきほどのお答え（施設でのカードの管理）と同じ…」: the sentence that says
    what it is not about is set aside, the rest read on its own."""
    import actions.guides as guides_module
    from actions.actions import ActionAnswer

    def parse(text):
        intent = "card_management" if "管理" in text else "hokensho_end"
        return sure_reading(text, intent)

    monkeypatch.setattr(guides_module, "parse", parse)
    text = "いえ、施設での管理や利用登録のことではございません。窓口で従来の健康保険証を提示された場合、いつまで受け付けてよいのかを伺っております。"
    messages = run(ActionAnswer(), following({"answer_id": "card_management"}, "card_management", text,
                                             [("card_management", 0.8)]))[1]
    assert messages[0]["custom"].get("answer_id") == "hokensho_end", messages[0]["text"][:80]
    # fourteenth trial: a first clause that says what it is not about (got 「資格確認書と同じになるため、くり返しません」)
    text = "いえ、資格確認書ではなく、カードの持ち出し管理の話です。"
    messages = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "shikaku_kakuninsho", text,
                                             [("shikaku_kakuninsho", 0.93)]))[1]
    assert messages[0]["custom"].get("answer_id") == "card_management", messages[0]["text"][:80]


def test_what_the_message_says_it_is_not_about_is_never_its_reading(kb, monkeypatch):
    """Fifteenth trial, a home helper after the 顔認証カード answer: 「顔認証カードの説明じゃなくて…普通のカードの人です。その場で
    暗証番号教えられてヘルパーが入力するのはアリかナシか知りたいんです」 (face_auth_card_about 1.0) got that answer's lines
    again. The rest is read on its own, and a reading as the topic it is not about as if the classifier were unsure."""
    import actions.guides as guides_module
    from actions.actions import ActionAnswer

    def parse(text):   # the classifier keeps reading 顔認証 (the trial's reading); pin_sharing second
        ranking = [{"name": "face_auth_card_about", "confidence": 0.8}, {"name": "pin_sharing", "confidence": 0.15}]
        return {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}

    monkeypatch.setattr(guides_module, "parse", parse)
    text = "顔認証カードの説明じゃなくて…普通のカードの人です。その場で暗証番号教えられてヘルパーが入力するのはアリかナシか知りたいんです"
    messages = run(ActionAnswer(), following({"answer_id": "face_auth_card_about"}, "face_auth_card_about", text,
                                             [("face_auth_card_about", 1.0)]))[1]
    assert messages[0]["custom"].get("answer_id") == "pin_sharing", messages[0]["text"][:80]


def test_a_follow_up_gets_the_line_that_answers_it_in_the_answers_words(kb):
    """Fifteenth trial, a blind user after the 受診 answer: 「家族か病院の職員がカードリーダーの操作を手伝ってもいいですか」 got
    its カードリーダー lines three times, never 「ご本人の希望があれば、家族や職員が手助けしてかまいません」: 手伝う is the
    answer's 手助け, and 家族/職員 tell lines apart beside another word."""
    from bot.shared.conversation import said_before
    quoted = said_before(kb, "hoken_visit", "家族か病院の職員がカードリーダーの操作を手伝ってもいいですか")
    assert "家族や職員がカードを置く・操作や同意の選択を手伝う" in quoted[0]["text"]
    assert not said_before(kb, "hoken_visit", "家族はどうですか")   # generic words alone name no line


def test_a_step_said_to_be_done_is_not_what_is_asked():
    """Fifteenth trial, a blind user: 「申請はもう終わってます。受け取りのことです。役所まで一人で行くのがむずかしいです。
    かわりの人でもいいですか」 got the four ways to apply."""
    from bot.shared.conversation import what_it_is_not_about
    assert what_it_is_not_about("申請はもう終わってます。受け取りのことです。かわりの人でもいいですか") == (
        "申請はもう終わってます。", "受け取りのことです。かわりの人でもいいですか", False)
    assert what_it_is_not_about("利用登録は済ませました。病院ではどうすれば？")[1] == "病院ではどうすれば？"
    assert what_it_is_not_about("申請は終わりましたか？") is None and what_it_is_not_about("申請はもう終わってます。") is None
    # 「いや顔認証の説明はもう分かったって。普通のカードで、家族が暗証番号を知ってていいのかを聞いてるんだけど」 (a brother)
    assert what_it_is_not_about("いや顔認証の説明はもう分かったって。普通のカードで、家族が暗証番号を知ってていいのか")[1] == \
        "普通のカードで、家族が暗証番号を知ってていいのか"


def test_a_routing_reply_just_given_is_not_said_again_beside_a_new_answer(kb):
    """Fifteenth trial (a son in Kansai dialect): 「お金はわかった、役所に聞くわ。ほな時間は？…再発行の手続きって家族が代わりに
    でけへんの？」 got the reissue fee's 「お答えできません」 again before the proxy answer."""
    from bot.shared.answers import answer_message, route_message
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import not_again
    fee = load_lexicon().uncovered["reissue_fee"]
    previous = [route_message(fee.id, fee.reply)["custom"]]
    reply = [route_message(fee.id, fee.reply), answer_message(kb, kb.by_id["proxy_pickup_eligibility"])]
    assert [m["custom"].get("answer_id") for m in not_again(kb, reply, previous, "…")] == ["proxy_pickup_eligibility"]
    # seventeenth trial: the 資格確認書 answer again beside a new routing reply (「同じこと2回言いよるばい」)
    time = load_lexicon().uncovered["reissue_time"]
    previous = [answer_message(kb, kb.by_id["shikaku_kakuninsho"])["custom"]]
    reply = [route_message(time.id, time.reply), answer_message(kb, kb.by_id["shikaku_kakuninsho"])]
    assert [m["custom"].get("uncovered") for m in not_again(kb, reply, previous, "…")] == ["reissue_time"]


def test_the_answer_just_given_beside_a_new_routing_reply_says_its_lines_on_what_is_asked(kb):
    """Session 66 (b63 c01-2, after the home visit): 「…保険証くらいしか身分証を持ってないんですが、それでも大丈夫ですか？あと、
    当日ケアマネや私が同席して手伝うのは問題ないでしょうか。」 got the routed 本人確認書類 only: the home visit's lines on the
    supporter (役割分担) come after it, not the whole answer again."""
    from bot.shared.answers import answer_message, route_message
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import not_again
    lexicon = load_lexicon()
    documents = lexicon.uncovered["id_documents"]
    text = ("ありがとうございます。さっきの訪問の件、ご本人が保険証くらいしか身分証を持ってないんですが、それでも大丈夫ですか？"
            "あと、当日ケアマネや私が同席して手伝うのは問題ないでしょうか。")
    previous = [answer_message(kb, kb.by_id["outreach_home"])["custom"]]
    reply = [route_message(documents.id, documents.reply), answer_message(kb, kb.by_id["outreach_home"])]
    said = not_again(kb, reply, previous, text, lexicon)
    assert [m["custom"].get("uncovered") or m["custom"].get("answer_id") for m in said] == ["id_documents", "outreach_home"]
    assert "役割分担" in said[1]["text"] and "直前のお答え" in said[1]["text"] and "本人限定受取郵便" not in said[1]["text"]


def test_the_reissue_fee_is_never_answered_with_the_issue_fee(kb):
    """Sixteenth trial, an 80-year-old in hiragana: 「おかね は？ さいはっこう いくら」 got the reissue fee's decline, then
    「こうふてすうりょうは むりょうです」 — read as a free reissue. The routing reply stands alone."""
    from actions.actions import ActionAnswer
    for text in ["おかね は？ さいはっこう いくら", "再発行の手数料は？お金はかかる？"]:
        messages = run(ActionAnswer(), following(None, "card_fee", text, [("card_fee", 0.9)]))[1]
        assert [m["custom"].get("uncovered") for m in messages] == ["reissue_fee"], text


def test_a_sentence_set_aside_must_name_a_topic(kb, monkeypatch):
    """「それはわかります。でも家族はだめなの？」 sets no topic aside: the message is read whole (its rest alone would lose
    what it follows up)."""
    import actions.guides as guides_module
    from actions.actions import Turn, _corrected
    monkeypatch.setattr(guides_module, "parse", lambda text: None)
    trk = following({"answer_id": "pin_sharing"}, "pin_sharing", "それはわかります。でも家族はだめなの？", [("pin_sharing", 0.9)])
    assert _corrected(Turn(trk, trk.latest_message)) == []
    trk = following({"answer_id": "apply_methods"}, "apply_methods", "申請はもう終わってます。かわりの人が受け取れますか",
                    [("apply_methods", 0.9)])
    assert _corrected(Turn(trk, trk.latest_message))   # 申請 is set aside: the rest is read on its own


def test_the_same_answer_again_reads_the_questions_alone_first(kb, monkeypatch):
    """Fifteenth trial, after the PIN answer: 「暗証番号はやめときます。で、カード自体は施設で預かってもいいんですよね？なにか
    ルールみたいなのあります？」 (pin_sharing 0.83: the first sentence) got 「同じになるため、くり返しません」. Its questions,
    read alone, ask about keeping the card."""
    import actions.guides as guides_module
    from actions.actions import ActionAnswer
    read = []

    def parse(text):
        read.append(text)
        intent = "pin_sharing" if "暗証番号" in text else "card_management"
        return sure_reading(text, intent)

    monkeypatch.setattr(guides_module, "parse", parse)
    text = "暗証番号はやめときます。で、カード自体は施設で預かってもいいんですよね？なにかルールみたいなのあります？"
    messages = run(ActionAnswer(), following({"answer_id": "pin_sharing"}, "pin_sharing", text, [("pin_sharing", 0.83)]))[1]
    assert messages[0]["custom"].get("answer_id") == "card_management"
    assert read == ["で、カード自体は施設で預かってもいいんですよね？なにかルールみたいなのあります？"]
    again = run(ActionAnswer(), following({"answer_id": "pin_sharing"}, "pin_sharing", "暗証番号を預かるのはだめなんですよね？",
                                          [("pin_sharing", 0.9)]))[1]
    assert again[0]["custom"].get("follows") == "pin_sharing"   # one question, the same: said so, not re-read


def test_the_same_answer_again_is_quoted_when_what_is_left_out_names_no_topic(kb, monkeypatch):
    """Session 50's trial, after the reader's steps: 「それって付き添いのヘルパーさんが代わりにカード置いて同意のボタンまで
    押しちゃっても大丈夫なやつ？本人ほぼしゃべれない方なんだけど」 — its question read alone got the PIN reset by a proxy;
    the sentence left out names no topic, so the answer's own line is quoted (the helper may place the card)."""
    import actions.guides as guides_module
    from actions.actions import ActionAnswer
    read = []

    def parse(text):
        read.append(text)
        return sure_reading(text, "pin_forgot")

    monkeypatch.setattr(guides_module, "parse", parse)
    text = "それって付き添いのヘルパーさんが代わりにカード置いて同意のボタンまで押しちゃっても大丈夫なやつ？本人ほぼしゃべれない方なんだけど"
    messages = run(ActionAnswer(), following({"answer_id": "hoken_visit"}, "hoken_visit", text, [("hoken_visit", 0.85)]))[1]
    assert read == [] and messages[0]["custom"].get("answer_id") != "pin_forgot"
    assert "カードを置く" in messages[0]["text"]


def test_a_clinic_receptionist_is_not_sent_to_the_clinic(kb):
    """Fourteenth trial: a clinic receptionist (said in her first message) was twice told to ask 「受診する医療機関の窓口」
    — herself. A fallback to her says that the medical side is not in the documents, and where to ask; a family member
    still gets the clinic."""
    from actions.actions import ActionFallback
    text = "カードリーダーの不具合で顔認証が全然通らないときは、どこに連絡すればいいですか"
    trk = following(None, "out_of_scope", text, [("out_of_scope", 0.6)])
    trk.events.insert(0, {"event": "user", "text": "クリニックの受付をしています。顔認証がうまくいかない患者さんが多くて困っています"})
    reply = run(ActionFallback(), trk)[1][0]["text"]
    assert "医療機関の窓口" not in reply and kb.messages["medical_side"] in reply and "0120-95-0178" in reply
    family = run(ActionFallback(), following(None, "out_of_scope", text, [("out_of_scope", 0.6)]))[1][0]["text"]
    assert "医療機関の窓口" in family and kb.messages["medical_side"] not in family


def test_thirteenth_trial_check_answers():
    """「ばあちゃんは88で家にいる。要介護1だったかな？」 (the writer's doubt, read as a side question) was not taken; 「通知カード？
    わかんない、たんすとかにあるかも」 was recorded as 「通知カードがある」 (the question echoed was read as the answer)."""
    events, _ = run(guide_actions.ValidateProxyForm(),
                    tracker("proxy_pickup_eligibility", "ばあちゃんは88で家にいる。要介護1だったかな？",
                            {"requested_slot": "proxy_reason"}))
    assert slot_events(events)["proxy_reason"] == "care"
    found = extract(guides.FLOWS["proxy"], "通知カード？わかんない、たんすとかにあるかも", "proxy_cards", {}, TODAY)
    assert found == {"proxy_cards": [UNKNOWN]}


def test_which_number_to_press_after_the_lost_card_steps_quotes_the_line_with_it():
    """Twenty-first trial (a care worker at 22:00): after the lost-card steps, 「で何番おせばいいの？止めたあとはなにすれば
    いい」 got 「もしかして」 with one button — the answer just given; now the line with 音声ガイダンス「2番」."""
    from actions.actions import ActionFallback
    text = "で何番おせばいいの？止めたあとはなにすればいい"
    trk = following({"answer_id": "lost_card"}, "nlu_fallback", text,
                    [("nlu_fallback", 0.35), ("lost_card", 0.26), ("out_of_scope", 0.25)])
    messages = run(ActionFallback(), trk)[1]
    assert "「2番」" in messages[0]["text"] and "直前のお答え" in messages[0]["text"], messages[0]["text"]


def test_a_numbered_part_that_asks_on_about_the_one_before_is_read_with_it(monkeypatch):
    """A blind trial (2026-12-03, a care manager): 「①私（ケアマネ）が代わりに受け取りに行くことはできますか。②その場合、何を
    持っていけばよいでしょうか。」 — ② read alone names nothing and was quoted as unanswered; read with ① (without the
    marks) it asks what the proxy brings."""
    import actions.actions as actions_module

    read = []

    def parse(text):
        read.append(text)
        intent = "proxy_pickup_documents" if "持っていけば" in text and "受け取り" in text else "proxy_pickup_eligibility"
        return {"text": text, "intent": {"name": intent, "confidence": 0.8},
                "intent_ranking": [{"name": intent, "confidence": 0.8}], "entities": []}

    monkeypatch.setattr(actions_module, "parse", parse)
    messages = actions_module.answer_each_part(["①私（ケアマネ）が代わりに受け取りに行くことはできますか。",
                                                "②その場合、何を持っていけばよいでしょうか。"])
    assert [m["custom"].get("answer_id") for m in messages] == ["proxy_pickup_eligibility", "proxy_pickup_documents"]
    assert read[1] == "私（ケアマネ）が代わりに受け取りに行くことはできますか。その場合、何を持っていけばよいでしょうか。"


def test_a_follow_up_about_another_topic_is_not_answered_from_the_answer_just_given():
    """A blind trial (2026-12-03): after the mail application, 「できたカードは嫁の私が代わりに役所へ受け取りに行けますか？何を
    持っていけばいいですか」 got that answer's line 「市区町村の窓口でも再発行しています（本人確認書類を持参）」 (the form's);
    the classifier finds the proxy's documents likelier than the answer's topics: read on its own. After the fee,
    「その方は足が悪いだけで…来られない証明は何が要りますか」 got a fee line: 「その方」 is the person, not the answer."""
    from actions.actions import ActionFallback

    text = "できたカードは嫁の私が代わりに役所へ受け取りに行けますか？何を持っていけばいいですか"
    ranking = [("nlu_fallback", 0.35), ("how_to_get_card", 0.25), ("proxy_pickup_documents", 0.21)]
    message = run(ActionFallback(), following({"answer_id": "apply_methods_mail"}, "nlu_fallback", text, ranking))[1][0]
    offered = [message["custom"].get("answer_id"), *message["custom"].get("candidates", [])]
    assert "proxy_pickup_documents" in offered and "直前のお答え" not in message["text"]
    person = "その方は足が悪いだけで施設には入っていません。来られない証明は何が要りますか"
    ranking = [("nlu_fallback", 0.35), ("proxy_pickup_relaxation", 0.3), ("out_of_scope", 0.1)]
    said = run(ActionFallback(), following({"answer_id": "card_fee"}, "nlu_fallback", person, ranking))[1]
    assert "直前のお答え" not in said[0]["text"]


def test_each_numbered_part_is_read_without_its_mark(monkeypatch):
    """A blind trial (2026-12-03): 「②暗証番号を設定しない方法はありますか」 read with its mark was the PIN kinds (0.61),
    without it the 顔認証 card; a part ending without 「。」 is read as a sentence."""
    import actions.actions as actions_module

    read = []
    monkeypatch.setattr(actions_module, "parse", lambda text: read.append(text) or sure_reading(text, "face_auth_card_about"))
    actions_module.answer_each_part(["①暗証番号を本人が決めるのが難しい場合、支援者が手伝ってよいですか ", "②暗証番号を設定しない方法はありますか "])
    assert read == ["暗証番号を本人が決めるのが難しい場合、支援者が手伝ってよいですか。", "暗証番号を設定しない方法はありますか。"]


def test_a_follow_up_on_the_hours_gets_the_line_that_gives_them():
    """A blind trial (2026-12-03, a deaf user after the lost-card steps): 「夜中でも止めてもらえるんですね？ 休みの日でも？」
    was declined — the line that says 24時間365日 is quoted; 「土曜もつながる？」 after the free dial gets its hours."""
    from actions.actions import ActionFallback

    night = following({"answer_id": "lost_card"}, "out_of_scope", "夜中でも止めてもらえるんですね？ 休みの日でも？",
                      [("out_of_scope", 0.6), ("fax_inquiry", 0.1)])
    assert "24時間365日" in run(ActionFallback(), night)[1][0]["text"]
    saturday = following({"answer_id": "free_dial"}, "nlu_fallback", "土曜もつながる？", [("nlu_fallback", 0.35)])
    assert "土日祝" in run(ActionFallback(), saturday)[1][0]["text"]


def test_another_question_an_answer_given_already_names_is_not_said_to_be_unanswered(kb, monkeypatch):
    """A blind trial (2026-12-03): 「…フリーダイヤルは何番押せばいい？あと土曜もつながる？」 got the free dial (土日祝 9:30～
    17:30) and 「「土曜もつながる？」は、それだけで読んでも…見つかりませんでした」."""
    import actions.actions as actions_module
    from bot.shared.answers import answer_message

    monkeypatch.setattr(actions_module, "parse", lambda text: {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.35},
                                                               "intent_ranking": [], "entities": []})
    given = answer_message(kb, kb.by_id["free_dial"])
    note = {"text": "…", "buttons": [], "custom": {"unanswered": ["土曜もつながる？"]}}
    assert actions_module.read_other_questions([given, note]) == [given]
    note = {"text": "…", "buttons": [], "custom": {"unanswered": ["家族に言わないとだめ？"]}}
    assert "unanswered" in actions_module.read_other_questions([given, note])[-1]["custom"]


def test_another_question_read_alone_near_other_answers_offers_them(kb, monkeypatch):
    """Session 43's trial: 「来週ばあちゃん整形さ行くんだけど、カードねえと診てもらえねえの？前の紙の保険証なら…あれ使えんの？」
    got the old 保険証's end and 「「来週ばあちゃん…」は、それだけで読んでも…見つかりませんでした」 — read alone, it came
    near the answer for those without a card: that answer is offered instead; near only the answer given, no note."""
    import actions.actions as actions_module
    from bot.shared.answers import answer_message

    ranking = [{"name": "no_card_shikaku", "confidence": 0.52}, {"name": "out_of_scope", "confidence": 0.28}]
    monkeypatch.setattr(actions_module, "parse", lambda text: {"text": text, "intent": ranking[0],
                                                               "intent_ranking": ranking, "entities": []})
    given = answer_message(kb, kb.by_id["hokensho_end"])
    note = {"text": "…", "buttons": [], "custom": {"unanswered": ["来週ばあちゃん整形さ行くんだけど、カードねえと診てもらえねえの？"]}}
    reply = actions_module.read_other_questions([given, note])
    assert reply[0] == given and "近いかもしれません" in reply[-1]["text"] and "見つかりません" not in reply[-1]["text"]
    assert [b["title"] for b in reply[-1]["buttons"]] == [kb.by_id["no_card_shikaku"].title]
    assert actions_module.read_other_questions([answer_message(kb, kb.by_id["no_card_shikaku"]), note]) == [
        answer_message(kb, kb.by_id["no_card_shikaku"])]


def test_a_routed_follow_up_that_names_no_topic_leans_on_the_answer_just_given():
    """A blind trial (2026-12-03), after the 資格確認書: 「母は後期高齢者医療です。まだ届いていない場合はどこに聞けばいい
    ですか」 was routed as the days until the card comes (the 市区町村) — it is the 資格確認書's delivery (the insurer); one
    that names the card keeps the card's."""
    from actions.actions import ActionFallback

    text = "母は後期高齢者医療です。まだ届いていない場合はどこに聞けばいいですか"
    routed = run(ActionFallback(), following({"answer_id": "shikaku_kakuninsho"}, "out_of_scope", text,
                                             [("out_of_scope", 0.5)]))[1]
    assert routed[0]["custom"].get("uncovered") == "shikaku_delivery"
    card = run(ActionFallback(), following({"answer_id": "shikaku_kakuninsho"}, "out_of_scope", "カードがまだ届いていない",
                                           [("out_of_scope", 0.5)]))[1]
    assert card[0]["custom"].get("uncovered") == "issue_duration"


def test_a_short_follow_up_whose_words_the_answer_names_gets_those_lines():
    """Session 25's blind trials, after the ATM registration: 「どこの銀行？」 was declined; the answer's line is
    「3. セブン銀行のATMで登録する」. A word no line names, or a longer message, is not answered from the lines."""
    from actions.actions import ActionFallback
    oos = [("out_of_scope", 0.45), ("card_uses", 0.10)]
    after = run(ActionFallback(), following({"answer_id": "hoken_registration"}, "out_of_scope", "どこの銀行？", oos))[1]
    assert after[0]["custom"].get("answer_id") == "hoken_registration" and "セブン銀行" in after[0]["text"]
    other = run(ActionFallback(), following({"answer_id": "hoken_registration"}, "out_of_scope", "どこの郵便局？", oos))[1]
    assert other[0]["custom"].get("answer_id") != "hoken_registration"


def test_a_follow_up_is_short_by_what_it_asks_not_by_its_ending():
    """Session 32's blind trial, after the card reader steps: 「顔認証がなかなか通らないときはどうするの？」 (21 characters)
    was declined — one over SHORT_FOLLOW_UP, counting 「の？」; that answer's line says staff then check by sight.
    A question's ending, plain or polite, is not counted; a long question still is."""
    from actions.actions import ActionFallback
    from bot.shared.conversation import short_follow_up
    assert short_follow_up("顔認証がなかなか通らないときはどうするの？")
    assert short_follow_up("どのくらい前から準備を始めればよいでしょうか？")
    assert not short_follow_up("施設で預かっているカードを職員が持ち出して病院に行ってもいいですか？")
    oos = [("out_of_scope", 0.5), ("face_auth_card_about", 0.2)]
    after = run(ActionFallback(), following({"answer_id": "hoken_visit"}, "out_of_scope",
                                            "顔認証がなかなか通らないときはどうするの？", oos))[1]
    assert after[0]["custom"].get("answer_id") == "hoken_visit" and "目視" in after[0]["text"]


def test_how_the_card_arrives_after_the_outreach_at_home_gets_that_line():
    """Session 32's blind trial, after the outreach at home: 「カードはどのように本人に届きますか？」 (unsure: カード and 本人
    are generic words, 届 a one-kanji verb) was declined; that answer's line says the card comes by 本人限定受取郵便.
    A 届 of filing (紛失・廃止届) is not the verb."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.24), ("card_management", 0.1)]
    after = run(ActionFallback(), following({"answer_id": "outreach_home"}, "nlu_fallback",
                                            "カードはどのように本人に届きますか？", unsure))[1]
    assert after[0]["custom"].get("answer_id") == "outreach_home" and "本人限定受取郵便" in after[0]["text"]
    assert "打合せ" not in after[0]["text"]
    from bot.shared.conversation import content_words
    assert content_words("紛失届を出したら？") == {"紛失届"} and content_words("届いてないんだけど") == {"届く"}


def test_a_follow_up_on_the_variant_just_given_is_answered_from_its_lines():
    """Session 26's blind trials, after the lost smartphone's steps: 「一時停止したあと、結局スマホが見つからなかったらどうするの？」
    (out of scope 0.51) got the lost card's steps (police, a reissue) for a card that is at home; that answer's line
    says what to do when the phone does not come back (失効手続き)."""
    from actions.actions import ActionFallback
    text = "一時停止したあと、結局スマホが見つからなかったらどうするの？"
    oos = [("out_of_scope", 0.51), ("lost_card", 0.38), ("thank", 0.03)]
    after = run(ActionFallback(), following({"answer_id": "lost_card_smartphone"}, "out_of_scope", text, oos))[1]
    assert after[0]["custom"].get("answer_id") == "lost_card_smartphone" and "失効手続き" in after[0]["text"]
    assert "警察" not in after[0]["text"]


def test_a_follow_up_the_classifier_places_on_the_answers_topic_gets_its_lines():
    """Session 26's blind trials, after the lost-card steps: 「止めたあと警察とか役所にもいかないとダメ？」 (out of scope 0.43,
    lost_card 0.24) was declined; that answer's police and 市区町村 lines answer it (役所: the answers' 市区町村)."""
    from actions.actions import ActionFallback
    text = "止めたあと警察とか役所にもいかないとダメ？"
    oos = [("out_of_scope", 0.43), ("lost_card", 0.24), ("card_uses", 0.03)]
    after = run(ActionFallback(), following({"answer_id": "lost_card"}, "out_of_scope", text, oos))[1]
    assert after[0]["custom"].get("answer_id") == "lost_card"
    assert "警察に遺失届" in after[0]["text"] and "紛失・廃止届" in after[0]["text"]
    elsewhere = [("out_of_scope", 0.43), ("card_uses", 0.24)]
    other = run(ActionFallback(), following({"answer_id": "pin_forgot"}, "out_of_scope", text, elsewhere))[1]
    assert other[0]["custom"].get("answer_id") != "pin_forgot"


def test_a_follow_up_that_selects_another_variant_of_the_answers_topic_gets_it():
    """Session 26's blind trials, after the PIN reset: 「おらが代わりに役場さ行ってもいいんだべか？じっちゃ足わりくて」 (out of
    scope 0.43) was declined; the variant for one who asks on the person's behalf answers it. Without the words that
    select it, or after another topic, nothing changes."""
    from actions.actions import ActionFallback
    text = "おらが代わりに役場さ行ってもいいんだべか？じっちゃ足わりくて"
    oos = [("out_of_scope", 0.43), ("proxy_pickup_who", 0.24), ("contact_municipality", 0.06)]

    def reply(previous, entities):
        trk = following({"answer_id": previous}, "out_of_scope", text, oos)
        trk.latest_message["entities"] = entities
        return run(ActionFallback(), trk)[1]
    proxy = [{"entity": "agent", "value": "proxy", "start": 2, "end": 7}]
    assert reply("pin_forgot", proxy)[0]["custom"].get("answer_id") == "pin_forgot_proxy"
    assert reply("pin_forgot", [])[0]["custom"].get("answer_id") != "pin_forgot_proxy"
    assert reply("lost_card", proxy)[0]["custom"].get("answer_id") != "pin_forgot_proxy"


def test_after_a_deceased_persons_card_the_same_question_of_another_card_stays_routed():
    """Session 26's blind trials: 「ちなみに資格確認書も預かっているんですが、それも同じですか？」 after the routing reply for a
    resident who died got the 資格確認書's definition (「施設で管理することもできます」); the routing reply names the insurer."""
    from actions.actions import ActionAnswer
    routed = {"fallback": True, "uncovered": "deceased"}
    text = "分かりました。ちなみに資格確認書も預かっているんですが、それも同じですか？"
    messages = run(ActionAnswer(), following(routed, "shikaku_kakuninsho", text, [("shikaku_kakuninsho", 0.8)]))[1]
    assert messages[0]["custom"].get("uncovered") == "deceased" and "保険者" in messages[0]["text"]


def test_numbered_parts_that_name_no_topic_are_read_with_the_sentences_before_them(monkeypatch):
    """Session 26's blind trials: 「…市の出張申請受付を利用したいと考えております。①市への依頼はどれくらい前にすればよいで
    しょうか。②当日までに施設側で準備しておくべきことは…③当日、入所者本人に用意してもらう書類を…」 — ① and ② read alone
    named nothing, ③ got the proxy's documents. Read with the sentence that names the 出張申請受付, they are about it; a part
    that names its own topic is read alone."""
    import actions.actions as actions_module
    from bot.shared.concepts import load_lexicon

    text = ("お世話になっております。特別養護老人ホームで事務長をしております。市の出張申請受付を利用したいと考えております。\n"
            "①市への依頼はどれくらい前にすればよいでしょうか。\n②暗証番号を忘れた入所者はどうすれば？")
    lead = actions_module.lead_topics(text, load_lexicon())
    assert lead == "市の出張申請受付を利用したいと考えております。"
    read = []

    def parse(text):
        read.append(text)
        intent = "outreach_facility" if "出張申請" in text else "pin_forgot" if "暗証番号" in text else "out_of_scope"
        return {"text": text, "intent": {"name": intent, "confidence": 0.8},
                "intent_ranking": [{"name": intent, "confidence": 0.8}], "entities": []}

    monkeypatch.setattr(actions_module, "parse", parse)
    messages = actions_module.answer_each_part(["①市への依頼はどれくらい前にすればよいでしょうか。", "②暗証番号を忘れた入所者はどうすれば？"],
                                               lead=lead)
    assert [m["custom"].get("answer_id") for m in messages] == ["outreach_facility", "pin_forgot"]
    assert read == [lead + "市への依頼はどれくらい前にすればよいでしょうか。", "暗証番号を忘れた入所者はどうすれば？"]


def test_lines_quoted_from_an_answer_keep_its_links(kb):
    """Session 26's blind trials: lines of the FAX answer quoted for 「FAXの用紙は決まった様式がありますか？」 said
    「下の『FAX用紙を作る』」, and no link came with them."""
    from bot.shared.conversation import said_before
    assert kb.by_id["fax_inquiry"].links
    quoted = said_before(kb, "fax_inquiry", "FAXの用紙は決まった様式がありますか？")
    assert quoted and quoted[0]["custom"]["links"] == [link.dict() for link in kb.by_id["fax_inquiry"].links]


def test_asked_again_for_the_number_the_answer_gives_its_phone_line():
    """Session 26's blind trials, after the refusal answer: 「番号をもう一度教えて。何番を押せばいい？」 (help 0.52) got the
    general menu; the answer's line with the free dial is quoted."""
    from actions.actions import ActionFallback
    text = "番号をもう一度教えて。何番を押せばいい？"
    ranked = [("help", 0.52), ("hoken_visit", 0.11), ("stop_guide", 0.1)]
    from actions.actions import ActionHelp
    for action in (ActionFallback(), ActionHelp()):
        after = run(action, following({"answer_id": "hospital_refused"}, "help", text, ranked))[1]
        assert after[0]["custom"].get("answer_id") == "hospital_refused" and "0120-95-0178" in after[0]["text"]
    for again in ("電話番号もう一度", "電話番号もう一度教えてや"):   # session 26's last trial, after the lost-card steps
        after = run(ActionFallback(), following({"answer_id": "lost_card"}, "out_of_scope", again, [("out_of_scope", 0.5)]))[1]
        lines = after[0]["text"].splitlines()   # the intro, the steps' heading, the step with the number
        assert after[0]["custom"].get("answer_id") == "lost_card" and "0120-95-0178" in lines[2] and "0120-95-0178" not in lines[1], again
    menu = run(ActionHelp(), following({"answer_id": "hospital_refused"}, "help", "使い方を教えて", [("help", 0.9)]))[1]
    assert menu[0].get("response") == "utter_help"


def test_a_follow_up_naming_only_an_aspect_is_asked_of_the_answer_just_given():
    """Session 26's blind trials, after the 資格確認書: 「お金はかかりますか。」 got the card's fee; that answer's line
    says 「…保険者が無償で交付します」. A follow-up that names the card asks about the card."""
    ranked = [("card_fee", 0.62), ("shikaku_kakuninsho", 0.08)]
    for text in ("お金はかかりますか。", "費用は？"):
        after = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "card_fee", text, ranked))[1]
        assert after[0]["custom"].get("answer_id") == "shikaku_kakuninsho" and "無償" in after[0]["text"], text
    card = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "card_fee", "カードはお金かかる？", ranked))[1]
    assert card[0]["custom"].get("answer_id") == "card_fee"
    lost = run(ActionAnswer(), following({"answer_id": "lost_card"}, "card_fee", "お金かかる？", ranked))[1]
    assert lost[0]["custom"].get("answer_id") == "card_fee"   # no line of the lost-card steps names a fee


def test_after_the_face_auth_card_a_question_naming_no_kind_asks_about_it(monkeypatch):
    """Session 26's blind trials, after the switch to the 顔認証マイナンバーカード: 「保険証の登録は病院でもできると？」 got the
    registration's マイナポータル and ATM, which need the PIN that card has not; read with the card's name, it gets
    「顔認証カードを保険証に」. After another answer, nothing changes."""
    import actions.actions as actions_module

    def parse(text):
        return sure_reading(text, "face_auth_card_hoken" if text.startswith("顔認証マイナンバーカードで") else "hoken_registration")

    monkeypatch.setattr(actions_module, "parse", parse)
    text, ranked = "保険証の登録は病院でもできると？", [("hoken_registration", 0.89)]
    after = run(ActionAnswer(), following({"answer_id": "face_auth_card_apply_proxy"}, "hoken_registration", text, ranked))[1]
    assert [m["custom"].get("answer_id") for m in after] == ["face_auth_card_hoken"]
    other = run(ActionAnswer(), following({"answer_id": "pin_forgot"}, "hoken_registration", text, ranked))[1]
    assert other[0]["custom"].get("answer_id") == "hoken_registration"


def test_a_follow_up_read_with_the_kind_talked_about_does_not_give_the_same_answer_again(monkeypatch):
    """Session 31's blind trial, after the 資格確認書: 「施設で代わりに申請できる？」, read as 「資格確認書で、…」, got the whole
    資格確認書 answer again; its lines that name 申請 say who applies and that a facility was to apply for them."""
    import actions.actions as actions_module
    from actions.actions import ActionFallback

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(text, "shikaku_kakuninsho"))
    unsure = [("nlu_fallback", 0.35), ("apply_methods", 0.34), ("out_of_scope", 0.11)]
    after = run(ActionFallback(), following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback", "施設で代わりに申請できる？",
                                            unsure))[1]
    assert after[0]["custom"].get("answer_id") == "shikaku_kakuninsho"
    assert "施設が保険者への申込みを代理" in after[0]["text"] and "被保険者資格の情報などを記載した書類" not in after[0]["text"]


def test_a_follow_up_the_classifier_places_elsewhere_is_read_with_the_kind_talked_about(monkeypatch):
    """Session 32's blind trial, after the 資格確認書: 「施設でまとめて申請することはできますか？」 got the card's outreach (the
    classifier 0.74 sure, 出張申請's まとめて申請 agreeing); read as 「資格確認書で、…」 it is the 資格確認書, whose lines say a
    facility was to apply to the insurer for its residents."""
    import actions.actions as actions_module
    from actions.actions import ActionAnswer

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(text, "shikaku_kakuninsho"))
    sure = [("outreach_facility", 0.74), ("apply_methods", 0.14), ("application_support", 0.02)]
    after = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "outreach_facility",
                                          "施設でまとめて申請することはできますか？", sure))[1]
    assert after[0]["custom"].get("answer_id") == "shikaku_kakuninsho"
    assert "施設が保険者への申込みを代理" in after[0]["text"] and "関係するところ" in after[0]["text"]


def test_a_routed_follow_up_is_not_read_with_the_kind_talked_about(monkeypatch):
    """Session 44's blind trial, after the 顔認証 card's services: 「障害年金の手続きでマイナンバーカードが要るかどうかは？」,
    read as 「顔認証マイナンバーカードで、…」, got that card's application; the documents do not say it of any card: routed."""
    import actions.actions as actions_module

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(text, "face_auth_card_apply"))
    unsure = [("out_of_scope", 0.77), ("card_uses", 0.03), ("how_to_get_card", 0.03)]
    after = run(ActionFallback(), following({"answer_id": "face_auth_card_services"}, "out_of_scope",
                                            "障害年金の手続きでマイナンバーカードが要るかどうかは？", unsure))[1]
    assert after[0]["custom"].get("uncovered") == "pension_tax_other"


def test_a_follow_up_whose_words_the_answer_holds_is_not_sent_to_a_neighbour():
    """Session 27's blind trials, after the 資格確認書: 「申請いるの？」 got 「施設での出張申請受付」 (a neighbour whose
    title holds 申請); the answer's own lines say who applies and that it came without an application."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("apply_methods", 0.24), ("out_of_scope", 0.1)]
    after = run(ActionFallback(), following({"answer_id": "shikaku_kakuninsho"}, "nlu_fallback", "申請いるの？", unsure))[1]
    assert after[0]["custom"].get("answer_id") == "shikaku_kakuninsho" and "申請しなくても" in after[0]["text"]


def test_a_question_read_as_who_answers_that_names_a_topic_is_answered():
    """Session 27's blind trials: 「鼻にチューブ入ってる人は？」 (bot_challenge 0.47: 「人は？」) got 「人ではなく、自動で答える
    プログラムです」; it names the photo. 「あなたは誰？」 still gets who answers."""
    from actions.actions import ActionBotChallenge
    ranked = [("bot_challenge", 0.47), ("card_safety", 0.17), ("photo_exception", 0.05)]
    tube = run(ActionBotChallenge(), following(None, "bot_challenge", "鼻にチューブ入ってる人は？", ranked))[1]
    assert tube[0]["custom"].get("answer_id", "").startswith("photo_exception") and "チューブ" in tube[0]["text"]
    who = run(ActionBotChallenge(), following(None, "bot_challenge", "あなたは誰？", [("bot_challenge", 0.98)]))[1]
    assert who[0].get("response") == "utter_bot_challenge"


def test_a_greeting_or_thanks_that_also_asks_about_the_card_is_answered():
    """Session 47's blind trial (b46), easy Japanese: a long message read as greet 0.58 got only the greeting; its
    question (may I place the resident's card on the reader?) is answered. A plain greeting or thanks keeps its reply."""
    from actions.actions import ActionGreet, ActionThank
    text = ("わかりました。英語で電話します。\n仕事の質問です。施設のおばあちゃんと病院にいきます。おばあちゃんはてが震えます。"
            "わたしがおばあちゃんのカードを機械においてもいいですか？")
    ranked = [("greet", 0.58), ("free_dial", 0.15), ("pin_sharing", 0.07)]
    asked = run(ActionGreet(), following(None, "greet", text, ranked))[1]
    assert asked[0].get("response") != "utter_greet" and "置" in asked[0]["text"]
    assert run(ActionGreet(), following(None, "greet", "こんにちは", [("greet", 0.99)]))[1][0].get("response") == "utter_greet"
    hello = run(ActionGreet(), following(None, "greet", "こんにちは、質問いいですか？", [("greet", 0.9)]))[1]
    assert hello[0].get("response") == "utter_greet"
    thanks = run(ActionThank(), following(None, "thank", "ありがとうございました！", [("thank", 0.97)]))[1]
    assert thanks[0].get("response") == "utter_thank"


def test_session_65_follow_ups_of_b63(kb):
    """b63: a thanks, then a question in a sentence that is not the last (c07-2: 「どういたしまして」); after the merits of the
    マイナ保険証, a question the classifier reads surely as the card's collection (c10-2, card_pickup 0.83: not the
    registration's smartphone variant); after the PIN's reset, its own topic asked for a proxy (c06-2: the proxy's
    variant, not the lines)."""
    from actions.actions import ActionAnswer, ActionThank
    text = "ありがとう ございます。アラビア語は ありますか？ 英語 すこし むずかしいです。"
    thanked = run(ActionThank(), following(None, "thank", text, [("thank", 0.87), ("free_dial", 0.04)]))[1]
    assert thanked[0].get("response") != "utter_thank" and thanked[0]["custom"].get("uncovered") == "other_languages"
    text = "ふーん🤔 でもうつの時期だと役所とかマジで無理なんよ😇 申請ってスマホだけで完結する？受け取りも行かなきゃダメ？"
    trk = following({"answer_id": "hoken_merit"}, "card_pickup", text, [("card_pickup", 0.83), ("hoken_registration", 0.04)])
    trk.latest_message["entities"] = [{"entity": "route", "value": "online"}]
    assert [m["custom"].get("answer_id") for m in run(ActionAnswer(), trk)[1]] == ["card_pickup"]
    text = "それってさ、おばあちゃん足悪いから、あたしが代わりに役所行って再設定してもらうってのはアリなの？"
    trk = following({"answer_id": "pin_forgot"}, "out_of_scope", text, [("out_of_scope", 0.4), ("how_to_get_card", 0.1)])
    trk.latest_message["entities"] = [{"entity": "agent", "value": "proxy"}]
    assert [m["custom"].get("answer_id") for m in run(ActionAnswer(), trk)[1]] == ["pin_forgot_proxy"]


def test_a_question_in_english_is_told_the_assistant_reads_japanese_and_the_foreign_language_line():
    """Not 「資料に書かれていないため、お答えできません」 (said of a lost card asked in English: it is in the documents): a
    message in Latin letters with no Japanese gets the note that questions are read in Japanese, the foreign-language
    free dial (2021) and its entry as a button; 「QR code」 (two words) is declined as before."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.3)]
    english = run(ActionFallback(), following(None, "nlu_fallback", "I lost my mother's My Number card. What should I do?",
                                              unsure))[1]
    assert len(english) == 1 and english[0]["custom"].get("fallback") and "日本語" in english[0]["text"]
    assert "0120-0178-27" in english[0]["text"] and english[0]["buttons"][0]["title"] == "外国語のフリーダイヤル"
    qr = run(ActionFallback(), following(None, "nlu_fallback", "QR code", unsure))[1]
    assert "0120-0178-27" not in qr[0]["text"]


def test_a_short_reply_label_on_a_message_naming_a_topic_is_answered():
    """Session 48's blind trial (b47), by eye gaze: 「いえにきて」 (deny 0.63) got 「承知しました」; it names the outreach. A
    reply that starts with yes or no stays one (「いいえ、写真は大丈夫です」)."""
    from actions.actions import ActionShortReply
    home = run(ActionShortReply(), following(None, "deny", "いえにきて", [("deny", 0.63), ("goodbye", 0.15)]))[1]
    assert home[0].get("response") != "utter_deny" and "出張申請受付" in home[0]["text"]
    fine = run(ActionShortReply(), following(None, "deny", "いいえ、写真は大丈夫です", [("deny", 0.9)]))[1]
    assert fine[0].get("response") == "utter_deny"


def test_an_answer_asked_for_again_in_so_many_words_is_given_again(kb):
    """Session 35's blind trial, a deaf user after the FAX answer: 「FAXの番号をもう一度教えてください。書く様式は
    ありますか？」 got 「同じになるため、くり返しません」 (three of its lines name FAX and the number: none quoted)."""
    from actions.actions import ActionAnswer
    text = "FAXの番号をもう一度教えてください。書く様式はありますか？"
    messages = run(ActionAnswer(), following({"answer_id": "fax_inquiry"}, "fax_inquiry", text, [("fax_inquiry", 0.8)]))[1]
    assert "0120-601-785" in messages[0]["text"] and "くり返しません" not in messages[0]["text"]
    assert "資料編P27" in messages[0]["text"]


def test_an_age_given_after_an_answer_gets_its_lines_on_an_age(kb):
    """Session 35's blind trial, after the proxy's documents: 「本人85歳」 (out_of_scope 0.81) was declined; the answer's
    line says that for 75歳以上 the 疎明資料 is in effect not needed."""
    from actions.actions import ActionFallback
    unsure = [("out_of_scope", 0.81), ("proxy_pickup_relaxation", 0.03)]
    messages = run(ActionFallback(), following({"answer_id": "proxy_pickup_documents"}, "out_of_scope", "本人85歳", unsure))[1]
    assert "75歳以上" in messages[0]["text"] and not messages[0]["custom"].get("fallback")


def test_follow_ups_on_a_lost_card_after_the_dial_or_abroad_get_the_steps_or_number():
    """Session 27's blind trials. After a lost card and the free dial's hours: 「警察にもいかなあかんの」 got the dial's menu
    line (the lost card outranks the dial: its steps, police included). After the card abroad: 「海外でなくしたら？」 got
    「同じになるため、くり返しません」 — that answer's line gives the number for a card lost abroad."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.29), ("greet", 0.12)]
    police = run(ActionFallback(), following({"answer_id": "free_dial"}, "nlu_fallback", "警察にもいかなあかんの", unsure))[1]
    assert police[0]["custom"].get("answer_id") == "lost_card" and "警察" in police[0]["text"]
    abroad = run(ActionAnswer(), following({"answer_id": "overseas_use"}, "overseas_use", "海外でなくしたら？",
                                           [("overseas_use", 0.7)]))[1]
    assert "03-6734-0170" in abroad[0]["text"] and "くり返しません" not in abroad[0]["text"]


def test_a_short_follow_up_the_answer_just_given_holds_gets_its_lines():
    """Session 27's blind trials, after the switch to the 顔認証 card by a proxy: 「委任状の書式は？」 got the 7 documents for
    collecting a card (that answer says nothing of a 委任状); the answer just given says to ask the 市区町村 for the form
    (様式) — or, since session 64 (b62 c08-5), the 委任状's form routed (mandate_form), whose reply quotes that line. A
    follow-up the classifier's answer holds too is that answer's (「代理交付は？」 after the PIN reset)."""
    from actions.actions import ActionFallback
    ranked = [("proxy_pickup_documents", 0.55), ("face_auth_card_apply_proxy", 0.2)]
    form = run(ActionAnswer(), following({"answer_id": "face_auth_card_apply_proxy"}, "proxy_pickup_documents", "委任状の書式は？",
                                         ranked))[1]
    assert (form[0]["custom"].get("answer_id") == "face_auth_card_apply_proxy" or form[0]["custom"].get("uncovered") == "mandate_form") \
        and "様式" in form[0]["text"] and "市区町村" in form[0]["text"]
    unsure = [("nlu_fallback", 0.35), ("proxy_pickup_documents", 0.3)]
    form = run(ActionFallback(), following({"answer_id": "face_auth_card_apply_proxy"}, "nlu_fallback", "委任状の書式は？",
                                           unsure))[1]
    assert (form[0]["custom"].get("answer_id") == "face_auth_card_apply_proxy" or form[0]["custom"].get("uncovered") == "mandate_form") \
        and "様式" in form[0]["text"] and "市区町村" in form[0]["text"]
    proxy = run(ActionAnswer(), following({"answer_id": "pin_forgot"}, "proxy_pickup_eligibility", "代理交付は？",
                                          [("proxy_pickup_eligibility", 0.8)]))[1]
    assert proxy[0]["custom"].get("answer_id") == "proxy_pickup_eligibility"


def test_whether_someone_else_may_do_a_routed_topic_is_routed_again():
    """Session 27's blind trials, after 「電子証明書の期限切れの通知が来たって患者さん。更新どうする？」 was routed: 「代理人でも
    できる？」 got who may collect a card by proxy (「指定する方ならどなたでも」, read as the renewal's rule); the documents
    say nothing of it: said so again, in short. After an answer it is read as before."""
    from actions.actions import ActionFallback
    routed = {"fallback": True, "uncovered": "validity_renewal"}
    ranked = [("proxy_pickup_who", 0.62), ("proxy_pickup_eligibility", 0.1)]
    again = run(ActionAnswer(), following(routed, "proxy_pickup_who", "代理人でもできる？", ranked))[1]
    assert again[0]["custom"].get("uncovered") == "validity_renewal" and "さきほどお伝えしたとおり" in again[0]["text"]
    after = run(ActionAnswer(), following({"answer_id": "outreach_facility"}, "proxy_pickup_who", "代理人でもできる？", ranked))[1]
    assert after[0]["custom"].get("uncovered") is None
    assert run(ActionFallback(), following(routed, "nlu_fallback", "家族もいい？", [("nlu_fallback", 0.4)]))[1][0]["custom"].get(
        "uncovered") == "validity_renewal"


def test_the_insurance_card_held_now_is_no_reference_to_the_answer():
    """Session 27's blind trials (replayed), after the 資格確認書: 「今の保険証っていつまで使える？」 was read as starting
    from that answer (今の…) and routed as the 資格確認書's validity; 今の保険証 is the one held now."""
    text = "今の保険証っていつまで使える？"
    after = run(ActionAnswer(), following({"answer_id": "shikaku_kakuninsho"}, "hokensho_end", text, [("hokensho_end", 0.8)]))[1]
    assert after[0]["custom"].get("answer_id") == "hokensho_end"


def test_an_aspect_asked_after_an_answer_whose_neighbour_is_about_it_gets_that_neighbour():
    """Session 27's trials, replayed: after who may be the proxy, 「必要書類は？」 got that answer's line instead of the proxy's
    documents (the neighbour the classifier offered) — the aspect's lines are for answers with no such neighbour."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("proxy_pickup_documents", 0.3)]
    docs = run(ActionFallback(), following({"answer_id": "proxy_pickup_who"}, "nlu_fallback", "必要書類は？", unsure))[1]
    assert docs[0]["custom"].get("answer_id") == "proxy_pickup_documents"


def test_a_katakana_word_before_a_verb_is_the_word_a_line_names():
    """Session 27's trials, replayed: after the photo exception, 「鼻にチューブ入ってる人は？」 got 「くり返しません」 — its
    word was read as 「チューブ入」; the answer's line names the tubes (首や鼻等のチューブ)."""
    from bot.shared.conversation import content_words
    assert content_words("鼻にチューブ入ってる人は？") == {"チューブ"}
    again = run(ActionAnswer(), following({"answer_id": "photo_exception"}, "photo_exception", "鼻にチューブ入ってる人は？",
                                          [("photo_exception", 0.7)]))[1]
    assert "首や鼻等のチューブ" in again[0]["text"] and "くり返しません" not in again[0]["text"]


def test_follow_ups_replayed_from_session_27s_trials_keep_their_right_answers():
    """Replaying session 27's trials after the follow-up steps were added: 「再発行っていくらかかる？」 after the lost-card
    steps stays routed (the fee is not in the documents; that answer's reissue line is no answer to it); 「申請に費用は
    かかりますか。」 after the online application gets the fee (no line names both); 「どんな書類がいるんかね」 after who
    qualifies for the proxy gets the documents the classifier offers; 「FAXは夜間や土日でも…」 after the FAX answer
    gets its 24時間365日 line, not 「くり返しません」."""
    from actions.actions import ActionFallback
    fee = run(ActionAnswer(), following({"answer_id": "lost_card"}, "card_fee", "再発行っていくらかかる？", [("card_fee", 0.6)]))[1]
    assert fee[0]["custom"].get("uncovered") == "reissue_fee"
    online = run(ActionAnswer(), following({"answer_id": "apply_methods_online"}, "card_fee", "申請に費用はかかりますか。",
                                           [("card_fee", 0.7)]))[1]
    assert online[0]["custom"].get("answer_id") == "card_fee"
    unsure = [("nlu_fallback", 0.35), ("proxy_pickup_documents", 0.3)]
    docs = run(ActionFallback(), following({"answer_id": "proxy_pickup_eligibility"}, "nlu_fallback", "どんな書類がいるんかね",
                                           unsure))[1]
    assert docs[0]["custom"].get("answer_id") == "proxy_pickup_documents"
    fax = run(ActionAnswer(), following({"answer_id": "fax_inquiry"}, "fax_inquiry", "FAXは夜間や土日でも受け付けてもらえますか。",
                                        [("fax_inquiry", 0.7)]))[1]
    assert "24時間365日" in fax[0]["text"] and "くり返しません" not in fax[0]["text"]


def test_kansai_and_tohoku_follow_ups_ask():
    """Session 27's blind trials: 「それどこでできるん」 (read as yes) got 「承知しました」, and 「どごさいけばいいべ」 after the
    PIN reset was not read as asking where."""
    from bot.shared.conversation import ASKS_WHERE
    from bot.shared.fit import asks
    assert asks("それどこでできるん") and not asks("わからん") and not asks("知らん")
    assert ASKS_WHERE.search("どごさいけばいいべ")
    messages = run(ActionShortReply(), following({"answer_id": "how_to_get_card"}, "affirm", "それどこでできるん",
                                                 [("affirm", 0.6)]))[1]
    assert messages[0].get("response") != "utter_affirm"


def test_short_follow_ups_from_session_27s_trials_get_the_answers_lines():
    """Session 27's blind trials: after the refused card, 「どこに言えばいい？」 was asked back (its first line names the free
    dial); after the PIN reset, 「あと何回まちがえられる？」 (its line: 「連続して3回」); after the lost card, 「番号は？何番
    押す？」 got 「もしかして」 with the free dial (its line: 0120-95-0178, 「2番」)."""
    from actions.actions import ActionFallback
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.2)]
    where = run(ActionFallback(), following({"answer_id": "hospital_refused"}, "nlu_fallback", "どこに言えばいい？", unsure))[1]
    assert where[0]["custom"].get("answer_id") == "hospital_refused" and "0120-95-0178" in where[0]["text"]
    times = run(ActionFallback(), following({"answer_id": "pin_forgot"}, "nlu_fallback", "あと何回まちがえられる？", unsure))[1]
    assert times[0]["custom"].get("answer_id") == "pin_forgot" and "3回" in times[0]["text"]
    dial = [("nlu_fallback", 0.35), ("free_dial", 0.3), ("glossary", 0.1)]
    number = run(ActionFallback(), following({"answer_id": "lost_card"}, "nlu_fallback", "番号は？何番押す？", dial))[1]
    assert number[0]["custom"].get("answer_id") == "lost_card" and "2番" in number[0]["text"]


def test_a_part_an_answer_given_speaks_of_is_not_said_to_be_unanswered(kb):
    """Session 27's blind trials: 「その顔認証のカードにした場合、①病院の受診には使えますか。②コンビニで…③…オンライン診療…」
    got 顔認証カードでできること (外来受診: yes) and then 「①病院の受診には使えますか。」は…お答えが見つかりませんでした —
    a reply that contradicts itself."""
    from actions.actions import read_other_questions
    from bot.shared.answers import answer_message, unanswered_message
    reply = [answer_message(kb, kb.by_id["face_auth_card_services"]), unanswered_message(kb, ["①病院の受診には使えますか。"])]
    assert [m["custom"].get("answer_id") for m in read_other_questions(reply)] == ["face_auth_card_services"]
    other = [answer_message(kb, kb.by_id["face_auth_card_services"]), unanswered_message(kb, ["家族に言わないとだめ？"])]
    assert len(read_other_questions(other)) == 2


def test_a_seal_asked_after_braille_gets_the_line_that_names_it():
    """Session 27's blind trials, after the braille signature: 「その場合、はんこも必要ですか。」 was asked back; the answer's
    line says a 押印等 goes with the braille name."""
    from actions.actions import ActionFallback
    unsure = [("affirm", 0.38), ("deny", 0.2), ("card_fee", 0.06)]
    seal = run(ActionFallback(), following({"answer_id": "visual_impairment"}, "nlu_fallback", "その場合、はんこも必要ですか。",
                                           unsure))[1]
    assert seal[0]["custom"].get("answer_id") == "visual_impairment" and "押印" in seal[0]["text"]


def test_again_or_shorter_after_an_answer_gives_it_in_short():
    """Session 27's blind trials (a blind user): 「もう一度お願いします」「もういちど みじかく」「もう一度短く」 after an
    answer got 「承知しました」 (read as yes) and nothing again: now that answer in short."""
    for text in ("もう一度お願いします", "もういちど みじかく", "もう一度短く"):
        again = run(ActionShortReply(), following({"answer_id": "lost_card"}, "affirm", text, [("affirm", 0.7)]))[1]
        assert again[0]["custom"].get("answer_id") == "lost_card" and "0120-95-0178" in again[0]["text"], text


def test_a_new_session_does_not_lean_on_the_one_before():
    """Session 27's blind trials reused conversation ids of earlier trials: a first message got 「さきほどのお答え…と同じに
    なるため」 and hiragana (an earlier session's reader). After `session_started` the earlier events are not read."""
    from actions.actions import ActionAnswer as Answer
    text = "利用者さんがマイナカード失くしたって"
    trk = following({"answer_id": "lost_card", "reading": "hiragana"}, "lost_card", text, [("lost_card", 0.9)])
    trk.events = [*trk.events[:-1], {"event": "session_started"}, trk.events[-1]]
    messages = run(Answer(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "lost_card" and "くり返しません" not in messages[0]["text"]
    assert "0120-95-0178" in messages[0]["text"] and "すぐに" in messages[0]["text"]


def test_saturday_hours_after_the_free_dial_get_its_hours_line():
    """Session 27's blind trials, after the free dial's hours: 「土曜日は何時まで？」 was declined (土曜日, 何時: words no line
    held); its line says 土日祝 9:30～17:30."""
    from actions.actions import ActionFallback
    hours = run(ActionFallback(), following({"answer_id": "free_dial"}, "out_of_scope", "土曜日は何時まで？", [("out_of_scope", 0.5)]))[1]
    assert hours[0]["custom"].get("answer_id") == "free_dial" and "土日祝 9:30～17:30" in hours[0]["text"]


def test_someone_going_to_the_office_instead_names_the_proxy():
    """Session 27's blind trials: 「私の代わりに娘が役所に行ってもいい？」 named no topic (declined)."""
    from bot.shared.concepts import load_lexicon
    assert "going_instead" in load_lexicon().find("私の代わりに娘が役所に行ってもいい？").covered


def test_back_to_an_earlier_topic_after_a_deceased_persons_card_is_answered():
    """Session 27's blind trials, after a deceased resident's card was routed: 「さっきの管理の話に戻りますけど、通院のたびに
    職員がカードを持ち出すんです。その時の記録は何を書いておけばいいですか」 got that routing reply again; the management
    answer says to record when the card goes in and out. 「じゃあ母の資格確認書は？」 stays governed."""
    routed = {"fallback": True, "uncovered": "deceased"}
    text = "さっきの管理の話に戻りますけど、通院のたびに職員がカードを持ち出すんです。その時の記録は何を書いておけばいいですか"
    back = run(ActionAnswer(), following(routed, "card_management", text, [("card_management", 0.8)]))[1]
    assert back[0]["custom"].get("answer_id") == "card_management"
    mother = run(ActionAnswer(), following(routed, "shikaku_kakuninsho", "じゃあ母の資格確認書は？", [("shikaku_kakuninsho", 0.8)]))[1]
    assert mother[0]["custom"].get("uncovered") == "deceased"


def test_a_device_the_person_has_not_got_selects_no_answer_of_it():
    """Session 27's blind trials, after the registration's ways: 「その方はスマホを持っていませんし、近くにセブンイレブンも
    ありません。」 got the smartphone certificate; after the four ways to apply it would get the smartphone steps. Who the
    person is names no topic: 「もしかして」, never an answer about the smartphone."""
    from actions.actions import ActionFallback
    text = "その方はスマホを持っていませんし、近くにセブンイレブンもありません。"
    unsure = [("nlu_fallback", 0.35), ("smartphone_certificate", 0.24), ("card_uses", 0.16)]
    for previous in ("hoken_registration", "apply_methods", None):
        custom = {"answer_id": previous} if previous else None
        after = run(ActionFallback(), following(custom, "nlu_fallback", text, unsure))[1]
        answered = [m["custom"].get("answer_id") for m in after if m["custom"].get("answer_id")]
        assert not answered and after[0]["custom"].get("fallback"), (previous, answered)


def test_a_clause_referring_back_after_who_the_person_is_asks_about_the_answer():
    """Session 27's blind trials, after the proxy's switch to the 顔認証 card: 「父はもう字が書けないんですけど、その委任状は
    どうしたら？」 (over the short follow-up's length) got the 7 documents for collecting a card; the answer's line says
    署名または記名押印 and where to ask for the form."""
    from actions.actions import ActionAnswer
    text = "父はもう字が書けないんですけど、その委任状はどうしたら？"
    after = run(ActionAnswer(), following({"answer_id": "face_auth_card_apply_proxy"}, "proxy_pickup_documents", text,
                                          [("proxy_pickup_documents", 0.7)]))[1]
    assert after[0]["custom"].get("answer_id") == "face_auth_card_apply_proxy" and "記名押印" in after[0]["text"]
    from bot.shared.conversation import referring_clause
    plan = "申請はタブレットでオンラインにしようと思いますが、その場合に不要になる物はありますか。"
    assert referring_clause(plan) == plan   # what will be done is part of the question (the outreach's 撮影サービス line is not)


def test_a_compound_the_answer_holds_in_two_parts_is_held_by_it():
    """Session 27's blind trials, after the outreach answer: 「当日写真はどうする？」 got the photo exception; the answer's
    当日 line says 顔写真（撮影サービス時は不要）."""
    from actions.actions import ActionAnswer
    after = run(ActionAnswer(), following({"answer_id": "outreach_facility"}, "photo_exception", "当日写真はどうする？",
                                          [("photo_exception", 0.6)]))[1]
    assert after[0]["custom"].get("answer_id") == "outreach_facility" and "撮影サービス" in after[0]["text"]


def test_a_follow_up_naming_no_topic_selects_the_answers_variant():
    """Session 27's blind trials, after the PIN reset: 「本人は寝たきりなんですけど、家族が代わりに問い合わせることはでき
    ますか」 (proxy_pickup_eligibility 0.59) got who may collect a card; the reset's variant for one asking on the person's
    behalf answers it. 「家族が代わりに受け取れますか」 names collecting the card: not the variant."""
    from actions.actions import ActionAnswer
    proxy = [{"entity": "agent", "value": "proxy", "start": 14, "end": 21}]
    text = "本人は寝たきりなんですけど、家族が代わりに問い合わせることはできますか"
    trk = following({"answer_id": "pin_forgot"}, "proxy_pickup_eligibility", text, [("proxy_pickup_eligibility", 0.59)])
    trk.latest_message["entities"] = proxy
    assert run(ActionAnswer(), trk)[1][0]["custom"].get("answer_id") == "pin_forgot_proxy"
    trk = following({"answer_id": "pin_forgot"}, "proxy_pickup_eligibility", "家族が代わりに受け取れますか",
                    [("proxy_pickup_eligibility", 0.8)])
    trk.latest_message["entities"] = [{"entity": "agent", "value": "proxy", "start": 0, "end": 7}]
    assert run(ActionAnswer(), trk)[1][0]["custom"].get("answer_id") == "proxy_pickup_eligibility"


def test_after_the_shikaku_kakuninsho_a_question_naming_no_kind_asks_about_it(monkeypatch):
    """Session 28's blind trials, after the 資格確認書 for a registered card: 「施設でまとめて申請できますか？」 got the
    card's outreach (市区町村職員が施設に出向き…); read with the 資格確認書's name, it gets its answer (施設が保険者への申込み
    を代理できる予定). A question naming the card is not read so: the 資格確認書 is no card."""
    import actions.actions as actions_module

    def parse(text):
        return sure_reading(text, "shikaku_kakuninsho" if text.startswith("資格確認書で") else "outreach_facility")

    monkeypatch.setattr(actions_module, "parse", parse)
    ranked = [("outreach_facility", 0.8)]
    group = run(ActionAnswer(), following({"answer_id": "shikaku_card_holder"}, "outreach_facility",
                                          "施設でまとめて申請できますか？", ranked))[1]
    assert [m["custom"].get("answer_id") for m in group] == ["shikaku_kakuninsho"] and "代理" in group[0]["text"]
    card = run(ActionAnswer(), following({"answer_id": "no_card_shikaku"}, "outreach_facility",
                                         "マイナンバーカードを施設でまとめて申請できますか？", ranked))[1]
    assert card[0]["custom"].get("answer_id") == "outreach_facility"


def test_a_message_that_says_it_asks_about_something_else_is_not_read_as_about_the_kind_talked_about(monkeypatch):
    """Session 52's blind trial (b51 c05-5), after the 顔認証 card: 「それからもう一つ、…以前は限度額なんとかという書類を…
    このカードがあれば要らないと伺いました。本当でございましょうか。」 was read as about that card (its 保険証 use): the
    merits, which say 限度額."""
    import actions.actions as actions_module

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(text, "face_auth_card_hoken"))
    text = ("それからもう一つ、来月白内障の手術で入院いたしますの。以前は限度額なんとかという書類を区役所でいただいておりましたが、"
            "このカードがあれば要らないと伺いました。本当でございましょうか。")
    group = run(ActionAnswer(), following({"answer_id": "face_auth_card_services"}, "hoken_merit", text,
                                          [("hoken_merit", 0.65), ("out_of_scope", 0.16)]))[1]
    assert group[0]["custom"].get("answer_id") == "hoken_merit" and "限度額" in group[0]["text"]
    from bot.shared.conversation import what_it_is_not_about   # the next turn: what it is not about, set aside
    assert what_it_is_not_about("いえ、顔のカードのお話ではございませんで、入院したときの高額療養費の限度額の書類のことでございます。") == (
        "いえ、顔のカードのお話ではございませんで、", "入院したときの高額療養費の限度額の書類のことでございます。", True)


def test_a_quote_of_something_read_elsewhere_is_not_read_against_the_answer_just_given():
    """Session 52's blind trial (b51 c07-6), after the lost smartphone: 「スマホに入れるとき英数字のパスワードいるって書いて
    あったけど、4桁のやつとなにが違うんすか？」 got that answer's lines: what it quotes is not in that answer."""
    from bot.shared.conversation import quotes_another_text
    text = "ありがとっす、電話させます。最後に、スマホに入れるとき英数字のパスワードいるって書いてあったけど、4桁のやつとなにが違うんすか？"
    group = run(ActionAnswer(), following({"answer_id": "lost_card_smartphone"}, "pin_kinds", text,
                                          [("pin_kinds", 0.73), ("free_dial", 0.13)]))[1]
    assert group[0]["custom"].get("answer_id") == "pin_kinds"
    assert not quotes_another_text("電話で申請書IDを伝えるって言ってたけど、それってどこに書いてあるの", "…申請書IDを伝えます。")


def test_when_the_line_takes_calls_after_the_ip_phone_numbers_gets_the_hours():
    """Session 28's blind trials, after the IP-phone numbers: 「電話はいつ受け付けてますか？土曜日でもいいですか？」 (free_dial
    0.75, no concept named: 「もしかして」) got that answer's lines, which give no hours; the free dial's say 土日祝."""
    from actions.actions import ActionAnswer
    text = "電話はいつ受け付けてますか？土曜日でもいいですか？"
    after = run(ActionAnswer(), following({"answer_id": "free_dial_ip_phone"}, "free_dial", text,
                                          [("free_dial", 0.75), ("out_of_scope", 0.13)]))[1]
    assert after[0]["custom"].get("answer_id") == "free_dial" and "土日祝 9:30～17:30" in after[0]["text"]


def test_a_deceased_persons_card_stays_the_topic_past_a_reply_that_placed_nothing():
    """Session 28's blind trials, after a deceased mother's card was routed: 「役所に持っていけばいいんですか？それとも捨てて
    いいんですか」 got 「もしかして」, then 「母の暗証番号は施設の人も知らないそうです。カードに入っているお金とかポイントは
    どうなるんでしょう」 the PIN-sharing rule, as if she were alive. Both get the deceased person's routing reply."""
    from actions.actions import ActionAnswer, ActionFallback
    routed = {"fallback": True, "uncovered": "deceased"}
    first = following(routed, "nlu_fallback", "役所に持っていけばいいんですか？それとも捨てていいんですか",
                      [("nlu_fallback", 0.35), ("contact_municipality", 0.3)])
    assert run(ActionFallback(), first)[1][0]["custom"].get("uncovered") == "deceased"
    text = "母の暗証番号は施設の人も知らないそうです。カードに入っているお金とかポイントはどうなるんでしょう"
    trk = following({"fallback": True, "candidates": ["pin_sharing", "card_management"]}, "pin_sharing", text,
                    [("pin_sharing", 0.8)])
    trk.events = [{"event": "user", "text": "先週、母が入所していた特養で亡くなりました。…"},
                  {"event": "bot", "text": "…", "data": {"custom": routed}}, *trk.events]
    assert run(ActionAnswer(), trk)[1][0]["custom"].get("uncovered") == "deceased"
    later = following({"answer_id": "pin_sharing"}, "pin_sharing", text, [("pin_sharing", 0.8)])
    later.events = [{"event": "user", "text": "先週、母が入所していた特養で亡くなりました。…"},
                    {"event": "bot", "text": "…", "data": {"custom": routed}}, *later.events]
    assert run(ActionAnswer(), later)[1][0]["custom"].get("answer_id") == "pin_sharing"   # an answer since: not governed


def test_after_a_death_only_supposed_the_persons_card_questions_are_answered():
    """b66 c02-5/6 (伊予弁): after 「もし父が亡くなったら、そのカードはどないしたらええん？」 was routed, 「…娘の私でも
    いかんの？ほれと、その番号のいらんカードにするんは、父が役所に行かんとできんの？」 got the deceased person's reply again,
    and 「いやいや、亡くなった話はもうええんよ。…」 the same with condolences: the father lives."""
    from actions.actions import ActionAnswer
    routed = {"fallback": True, "uncovered": "deceased"}
    supposed = "縁起でもない話で悪いんやけど、もし父が亡くなったら、そのカードはどないしたらええん？役所に返さないかんの？"
    for text in ("さっき暗証番号は法定代理人以外に知らせたらいかんて書いとったけど、娘の私でもいかんの？",
                 "いやいや、亡くなった話はもうええんよ。聞きよるんは暗証番号のことよ。娘が父の暗証番号を知っとってもええんか"):
        trk = following(routed, "pin_sharing", text, [("pin_sharing", 0.8)])
        trk.events = [{"event": "user", "text": supposed}, *trk.events]
        messages = run(ActionAnswer(), trk)[1]
        assert messages[0]["custom"].get("answer_id") == "pin_sharing" and "お悔やみ" not in messages[0]["text"], text
    told = following(routed, "shikaku_kakuninsho", "じゃあ母の資格確認書は？", [("shikaku_kakuninsho", 0.8)])
    told.events = [{"event": "user", "text": "先週、母が亡くなりました。カードはどうすれば？"}, *told.events]
    assert run(ActionAnswer(), told)[1][0]["custom"].get("uncovered") == "deceased"   # a death told: still governed
    from bot.shared.conversation import STILL_ALIVE
    from bot.shared.fit import NOT_MEANT
    assert NOT_MEANT.search("いやいや、亡くなった話はもうええんよ。") and STILL_ALIVE.search("亡くなった話はもうええんよ")
    assert not NOT_MEANT.search("亡くなった話はわかった。") and not STILL_ALIVE.search("亡くなった話はわかった")   # heard


def test_b66_questions_get_the_answer_that_fits():
    """b66 (sixty turns, ten new personas): the reader's face check failing with the PIN forgotten (not the 顔認証 card),
    a 通知カード lost after the outreach (its 紛失届, not the outreach's line again), the face shown to the reader kept?
    (the card's safety, not the photo's exception), the drug history with a 資格確認書 (its line said first)."""
    face = answer_to(None, "face_auth_card_about",
                     "透析の患者さんで顔認証がなかなか通らない人がいて。暗証番号も覚えてないって。そういう人どうすればいい？",
                     [("face_auth_card_about", 0.51), ("face_auth_card_apply", 0.25), ("hoken_visit", 0.11)])
    assert face[0]["custom"]["answer_id"] == "hoken_visit" and "目視" in face[0]["text"]
    notice = answer_to({"answer_id": "outreach_facility"}, "lost_card",
                       "当日の書類の件で伺います。通知カードを紛失している入居者が数名おりますが、その場合はどうなりますか。",
                       [("nlu_fallback", 0.35), ("lost_card", 0.27), ("out_of_scope", 0.24)])
    assert notice[0]["custom"]["answer_id"].startswith("lost_card") and "通知カード紛失届" in notice[0]["text"]
    kept = answer_to(None, "photo_exception",
                     "びょういんで かおを きかいに うつすのが こわいです。しゃしんが どこかに のこるのですか",
                     [("photo_exception", 0.38), ("card_safety", 0.35), ("out_of_scope", 0.12)])
    assert kept[0]["custom"]["answer_id"] == "card_safety"
    drugs = answer_to({"answer_id": "hokensho_end"}, "shikaku_kakuninsho",
                      "その資格確認書で来た人だと、うちで過去の薬の情報とかは見れないってこと？",
                      [("shikaku_kakuninsho", 0.8)])
    assert "ご質問の点：資格確認書では、過去のお薬の情報などは共有されません" in drugs[0]["text"]


def test_the_paused_check_asked_to_go_on_is_resumed_not_started_again():
    """b67 c03-6: after a question asked during the outreach's check, 「それでは段取りの続きをお願いいたします。」 started the
    check again from its first question, the date and the answers given lost."""
    slots = {"paused_guide": "outreach", "outreach_date": "2027-02-16", "outreach_other_city": "yes"}
    text = "承知いたしました。それでは段取りの続きをお願いいたします。"
    events, _ = run(guide_actions.ActionGuideStart(), tracker("start_guide", text, slots))
    assert events == [{"event": "followup", "timestamp": None, "name": "action_guide_resume"}]
    assert guide_actions.requested_check(tracker("start_guide", text, slots)) is None
    assert guide_actions.requested_check(tracker("start_guide", "段取りを作ってほしい")) == "outreach"


def test_b67_questions_get_the_answer_that_fits():
    """b67 (sixty turns, ten new personas): arrears on the insurance (not covered: declined, the 資格確認書 not answered beside
    it), consent at the reader for someone unconscious (declined, what the documents say beside), an ER nurse's patient
    arriving by ambulance whose face check fails (the reception's check, not the emergency decline), a signature for
    someone who cannot move their hands (the 代筆, not the 点字), a 本人限定受取郵便 kept at the post office (declined), and
    the 代筆 asked beside the proof that the person cannot come (both answered)."""
    arrears = answer_to({"answer_id": "hokensho_end"}, "shikaku_kakuninsho",
                        "実は弟は国民健康保険の保険料を滞納しているかもしれないんです。それでもその資格確認書は届くんでしょうか？",
                        [("shikaku_kakuninsho", 0.98)])
    assert arrears[0]["custom"].get("fallback") and "滞納" in arrears[0]["text"]
    assert not any(m["custom"].get("answer_id") == "shikaku_kakuninsho" for m in arrears)
    unconscious = answer_to({"answer_id": "hoken_visit"}, "no_card_shikaku",
                            "本人が意識なくて「希望」も言えない時、同意画面はどうするの？資料に書いてないなら書いてないでいい",
                            [("no_card_shikaku", 0.71), ("hoken_visit", 0.07)])
    assert unconscious[0]["custom"].get("fallback") and "同意" in unconscious[0]["text"]
    er = answer_to(None, "face_auth_card_hoken",
                   "救急外来Nsです。救急車で来た高齢の患者さん、保険証なくてマイナカードだけ財布に入ってた。本人意識レベル低くて顔認証ムリ。どうすればいい？",
                   [("face_auth_card_hoken", 0.81), ("hospital_refused", 0.04)])
    assert er[0]["custom"]["answer_id"] == "hoken_visit" and "目視" in er[0]["text"]
    hands = answer_to(None, "visual_impairment",
                      "利用者さんはほとんどが発語がなく、手足も自分では動かせません。マイナンバーカードの交付申請書の署名欄は、どうすればよいでしょうか。",
                      [("nlu_fallback", 0.35), ("visual_impairment", 0.34), ("signature_help", 0.34)])
    assert hands[0]["custom"]["answer_id"] == "signature_help"
    kept = answer_to({"answer_id": "post_office"}, "post_office",
                     "お客様が不在だった場合、本人限定受取郵便の郵便局での保管期間は何日とご案内すればよいですか？",
                     [("post_office", 0.97)])
    assert kept[0]["custom"].get("fallback") and not any(m["custom"].get("answer_id") == "post_office" for m in kept)
    both = answer_to(None, "signature_help",
                     "申請書の署名は私が代筆してもいいですか？それと、受け取りの代理人に私がなる場合、本人はまだ72歳なので、"
                     "来庁が難しいことを示す書類は何が必要になりますか。",
                     [("signature_help", 0.92), ("proxy_pickup_relaxation", 0.08)])
    assert [m["custom"].get("answer_id") for m in both][:2] == ["signature_help", "proxy_pickup_relaxation"]
    proof = answer_to({"answer_id": "proxy_pickup_eligibility"}, "proxy_pickup_documents",
                      "さっきの代理交付の件ですが、その「来庁が困難であることを疎明する資料」って、精神障害の方の場合は具体的に"
                      "何を用意すればいいですか？手帳のコピーでいいのか、診断書が要るのか。",
                      [("proxy_pickup_documents", 0.71), ("proxy_pickup_relaxation", 0.29)])
    assert proof[0]["custom"]["answer_id"] == "proxy_pickup_relaxation"   # the proof's examples, not who may (c04-4)


def test_the_hospital_until_a_lost_card_is_reissued_gets_the_interim_line():
    """Session 28's blind trials, after the lost-card steps: 「カードをなくしてから再発行までの間、病院はどうすればいいです
    か？」 got only the reissue line; its 「カードがない間の受診」 line answers (病院 read as 受診)."""
    from actions.actions import ActionFallback
    text = "カードをなくしてから再発行までの間、病院はどうすればいいですか？"
    after = run(ActionFallback(), following({"answer_id": "lost_card"}, "out_of_scope", text,
                                            [("out_of_scope", 0.74), ("lost_card", 0.15), ("no_card_shikaku", 0.06)]))[1]
    assert after[0]["custom"].get("answer_id") == "lost_card" and "カードがない間の受診" in after[0]["text"]


def test_whether_a_date_has_passed_is_answered_against_today(monkeypatch):
    """Session 28's blind trials, after the old 保険証's dates: 「もう過ぎてる？」 was declined, 「え、じゃあもう使えないって
    ことですか？」 got 「もしかして」; the answer's dated lines, and which dates are past today (the documents' dates framed for
    today). After an answer with no such date, nothing is said of dates."""
    import datetime as dt
    import actions.actions as actions_module
    from actions.actions import ActionFallback
    monkeypatch.setattr(actions_module, "today", lambda: dt.date(2026, 12, 3))
    unsure = [("nlu_fallback", 0.35), ("out_of_scope", 0.3)]
    for text in ("もう過ぎてる？", "え、じゃあもう使えないってことですか？", "いつから？"):
        after = run(ActionFallback(), following({"answer_id": "hokensho_end"}, "nlu_fallback", text, unsure))[1]
        assert after[0]["custom"].get("answer_id") == "hokensho_end", text
        assert "きょう（2026年12月3日）の時点で、2024年12月2日・2025年12月1日は過ぎています。" in after[0]["text"], text
    monkeypatch.setattr(actions_module, "today", lambda: dt.date(2024, 11, 1))
    before = run(ActionFallback(), following({"answer_id": "hokensho_end"}, "nlu_fallback", "いつから？", unsure))[1]
    assert "2024年12月2日・2025年12月1日はまだ先です" in before[0]["text"]
    other = run(ActionFallback(), following({"answer_id": "pin_sharing"}, "nlu_fallback", "いつから？", unsure))[1]
    assert "の時点で" not in other[0]["text"]


def test_the_hours_after_an_answer_giving_the_free_dial_are_its_hours():
    """Session 28's blind trials, after a card refused at a hospital (call 0120-95-0178): 「受付時間は？」 got the card
    pickup's place and time; the free dial, whose number that answer gives, says its hours."""
    from actions.actions import ActionFallback
    after = run(ActionFallback(), following({"answer_id": "hospital_refused"}, "nlu_fallback", "受付時間は？",
                                            [("nlu_fallback", 0.35), ("out_of_scope", 0.3)]))[1]
    assert after[0]["custom"].get("answer_id") == "free_dial" and "土日祝 9:30～17:30" in after[0]["text"]


def test_the_hours_of_the_number_just_given_with_out_of_scope_likeliest_are_its_hours():
    """Session 33's blind trial, after a card refused at a hospital (call 0120-95-0178): 「そこの受付時間は？日曜もやってる？」
    (out_of_scope 0.39, free_dial 0.22) was declined as about another topic — the free dial is next to that answer by
    the number it gives."""
    from actions.actions import ActionFallback
    oos = [("out_of_scope", 0.39), ("free_dial", 0.22), ("hoken_visit", 0.15)]
    after = run(ActionFallback(), following({"answer_id": "hospital_refused"}, "out_of_scope",
                                            "そこの受付時間は？日曜もやってる？", oos))[1]
    assert after[0]["custom"].get("answer_id") == "free_dial" and "土日祝 9:30～17:30" in after[0]["text"]


def test_no_card_typed_in_kana_after_the_old_insurance_cards_end_is_answered():
    """Session 33's blind trial, after the 保険証's end dates: 「マイナカードもってない人は？」 (no_card_shikaku 0.41) got a
    「もしかして」 — no concept read 「もってない」 in kana."""
    from actions.actions import ActionAnswer
    ranking = [("no_card_shikaku", 0.41), ("face_auth_card_about", 0.19), ("bot_challenge", 0.08)]
    after = run(ActionAnswer(), following({"answer_id": "hokensho_end"}, "no_card_shikaku", "マイナカードもってない人は？",
                                          ranking))[1]
    assert after[0]["custom"].get("answer_id") == "no_card_shikaku" and not after[0]["custom"].get("fallback")


def test_a_consent_form_asked_after_the_cards_keeping_gets_the_agreement_line():
    """Session 33's blind trial, after the card's keeping at a facility: 「預かるのに本人の同意書みたいなもんはいるんか？」
    (card_management 0.86) got 「同じになるため、くり返しません」; its first line says what the keeping rests on
    (入所契約や預かり証などの合意)."""
    from actions.actions import ActionAnswer
    after = run(ActionAnswer(), following({"answer_id": "card_management"}, "card_management",
                                          "預かるのに本人の同意書みたいなもんはいるんか？", [("card_management", 0.86)]))[1]
    assert after[0]["custom"].get("answer_id") == "card_management" and "預かり証などの合意" in after[0]["text"]


def test_a_step_done_gets_the_other_steps():
    """Session 28's blind trials, after the lost-card steps: 「警察にはもう届けました。次は何をすればいいですか？」 got the
    police step alone; the other steps (stop the card at 0120-95-0178, the 市区町村) are what is left."""
    from actions.actions import ActionAnswer
    text = "警察にはもう届けました。次は何をすればいいですか？"
    after = run(ActionAnswer(), following({"answer_id": "lost_card"}, "lost_card", text, [("lost_card", 0.7)]))[1]
    assert after[0]["custom"].get("answer_id") == "lost_card" and "ほかの手順" in after[0]["text"]
    assert "0120-95-0178" in after[0]["text"] and "紛失・廃止届" in after[0]["text"] and "遺失届" not in after[0]["text"]


def test_a_follow_up_after_an_answer_beside_a_routing_reply_is_not_routed_again():
    """Session 28's blind trials: 「訪問看護師です…」 got a routing reply and the photo exception; 「枕が写っててもいい？」 got
    「さきほどお伝えしたとおり…書かれていない」 (the answer's list has 枕やシーツ). 「…写っててもいい」 is not someone else
    doing it, either."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import DONE_BY_OTHERS, still_routed
    from bot.shared.knowledge import load_knowledge
    assert not DONE_BY_OTHERS.search("枕が写っててもいい？") and DONE_BY_OTHERS.search("代理人でもできる？")
    routed_and_answered = [{"fallback": True, "uncovered": "home_nursing"}, {"answer_id": "photo_exception"}]
    assert still_routed(load_knowledge(), load_lexicon(), routed_and_answered, "家族でもいい？") == []


def test_where_to_ask_after_a_routing_reply_is_that_replys_place():
    """Session 32's blind trial: after the マイナ免許証 was routed to the police, 「じゃあどこに聞けばいい？」 got the card's
    offices (contact_municipality) — the police were gone; after e-Tax, the tax office was."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import still_routed
    from bot.shared.knowledge import load_knowledge
    kb, lexicon = load_knowledge(), load_lexicon()
    said = still_routed(kb, lexicon, [{"fallback": True, "uncovered": "driving_license"}], "じゃあどこに聞けばいい？")
    assert "運転免許センター" in said[0]["text"] and said[0]["custom"]["fallback"]
    assert "お答えできません" not in said[0]["text"]   # the places only, not the whole routing reply again
    said = still_routed(kb, lexicon, [{"fallback": True, "uncovered": "tax"}], "どこに問い合わせればいいですか")
    assert "税務署" in said[0]["text"]
    # a topic of its own is no follow-up to the routing reply
    assert still_routed(kb, lexicon, [{"fallback": True, "uncovered": "tax"}], "暗証番号はどこで再設定？") == []


def test_who_the_person_is_is_no_term_to_define():
    """Session 28's blind trials: 「スマホ持ってない人は？」 read as 「<term>は？」 of who the person is."""
    from bot.shared.concepts import load_lexicon
    lexicon = load_lexicon()
    assert lexicon.defined("スマホ持ってない人は？") is None and lexicon.defined("資格確認書とは？").id == "shikaku"


def test_back_to_an_earlier_topic_quotes_that_answer():
    """Session 28's blind trials: after the lost-card steps and then the 資格確認書 for one without a card, 「さっきの話に
    戻るけど、警察の受理番号って何に使うの？」 was asked back about the 資格確認書; the lost-card answer's police line."""
    from actions.actions import ActionFallback
    text = "さっきの話に戻るけど、警察の受理番号って何に使うの？"
    trk = following({"answer_id": "no_card_shikaku"}, "nlu_fallback", text, [("nlu_fallback", 0.35), ("lost_card", 0.3)])
    trk.events = [{"event": "user", "text": "カードなくした"}, {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "lost_card"}}},
                  *trk.events]
    after = run(ActionFallback(), trk)[1]
    assert after[0]["custom"].get("answer_id") == "lost_card" and "受理番号" in after[0]["text"]


def test_the_answer_just_given_beside_a_new_one_keeps_its_lines_on_the_new_topic():
    """Session 28's blind trials, after the card abroad: 「海外にいるときにカードをなくしたら、どこに電話すればいいですか？」
    got the lost-card steps alone (the answer just given was left out as said before) — without 03-6734-0170."""
    from actions.actions import ActionAnswer
    text = "海外にいるときにカードをなくしたら、どこに電話すればいいですか？"
    after = run(ActionAnswer(), following({"answer_id": "overseas_use"}, "lost_card", text,
                                          [("lost_card", 0.85), ("overseas_use", 0.09)]))[1]
    assert after[0]["custom"].get("answer_id") == "lost_card"
    assert any("03-6734-0170" in m["text"] for m in after)


def test_a_general_question_after_a_deceased_persons_card_is_not_routed_as_it():
    """Session 27's trial log replayed in session 28: after a deceased resident's card, 「あと、入所者の住民票を施設の住所に
    移したほうがよいのでしょうか。」 (入所者: who, in general) got the deceased person's routing reply again."""
    from actions.actions import ActionFallback
    routed = {"fallback": True, "uncovered": "deceased"}
    after = run(ActionFallback(), following(routed, "nlu_fallback", "あと、入所者の住民票を施設の住所に移したほうがよいのでしょうか。",
                                            [("nlu_fallback", 0.35), ("other_municipality", 0.3)]))[1]
    assert after[0]["custom"].get("uncovered") != "deceased"


def test_a_short_follow_up_naming_only_who_the_person_is_stays_with_the_answer():
    """Session 31's blind trial, after the PIN reset: 「本人が役所に行けない場合は？」 (who the person is, no topic) got how to
    get a card, the classifier's likeliest reading; it is read against the PIN answer. Asked first, it still gets that
    reading."""
    text, ranked = "本人が役所に行けない場合は？", [("how_to_get_card", 0.45), ("proxy_pickup_eligibility", 0.2)]
    after = run(ActionAnswer(), following({"answer_id": "pin_forgot"}, "how_to_get_card", text, ranked))[1]
    said = [m["custom"].get("answer_id") or m["custom"].get("follows") for m in after]
    assert "how_to_get_card" not in said and "pin_forgot" in said
    first = run(ActionAnswer(), following(None, "how_to_get_card", text, ranked))[1]
    assert first[0]["custom"].get("answer_id", "").startswith("how_to_get_card")


def test_a_follow_up_naming_a_numbered_part_is_read_against_that_parts_answer(kb):
    """Session 35's blind trial: after answers to ①②③, 「①について、市との打合せでは何を決めておけばいいですか？」 got the
    資格確認書 (③'s neighbour); ①'s answer (the outreach at a facility) has the line on the 打合せ."""
    from actions.actions import ActionAnswer
    text = "①について、市との打合せでは何を決めておけばいいですか？"
    trk = following(None, "contact_municipality", text, [("contact_municipality", 0.44), ("out_of_scope", 0.24)])
    trk.events = [{"event": "user", "text": "…"},
                  {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "outreach_facility", "parts": [1]}}},
                  {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "other_municipality", "parts": [2]}}},
                  {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "no_card_shikaku", "parts": [3]}}},
                  *trk.events]
    message = run(ActionAnswer(), trk)[1][0]
    assert message["custom"]["answer_id"] == "outreach_facility" and "約20日前：打合せ" in message["text"]


def test_every_time_after_an_answer_that_says_once_gets_that_line(kb):
    """Session 35's blind trial, after the registration's ways: 「いちど とうろくしたら まいかい しなくても いいですか」
    (hoken_registration 0.58 against out_of_scope 0.27) got 「もしかして」; the answer's first line says 生涯1回."""
    from actions.actions import ActionAnswer
    trk = following({"answer_id": "hoken_registration"}, "hoken_registration", "一度登録したら毎回しなくてもいいですか",
                    [("hoken_registration", 0.58), ("out_of_scope", 0.27)])
    message = run(ActionAnswer(), trk)[1][0]
    assert "生涯1回" in message["text"] and not message["custom"].get("fallback")


def test_the_card_without_a_pin_asked_after_the_pin_reset_is_the_face_card(kb):
    """Session 35's blind trial, after the PIN reset: 「もう暗証番号なしのやつにできないの？」 (read as the PIN again) got
    「同じになるため、くり返しません」."""
    from actions.actions import ActionAnswer
    trk = following({"answer_id": "pin_forgot"}, "pin_forgot", "もう暗証番号なしのやつにできないの？",
                    [("pin_forgot", 0.5), ("face_auth_card_about", 0.2)])
    message = run(ActionAnswer(), trk)[1][0]
    assert message["custom"]["answer_id"].startswith("face_auth_card") and "くり返しません" not in message["text"]


def test_asking_to_phone_is_not_being_unable_to_phone():
    """Session 38's blind trial (an elderly wife, in kana): 「でんわでききたいときわ どこにかけたらいいですか なんじまで
    やってますか」 got the FAX line for the deaf in place of the free dial — 「でんわでき(きたい)」 was read as 電話できない."""
    from bot.shared.conversation import cannot_phone
    assert not cannot_phone(["でんわでききたいときわ どこにかけたらいいですか なんじまでやってますか"])
    assert not cannot_phone(["電話できますか"])
    assert all(cannot_phone([text]) for text in ("電話ができません", "電話はできん", "でんわ できない", "電話は苦手"))


def test_the_phone_number_asked_again_is_quoted_beside_the_other_line_asked(kb):
    """b71 c08-2, after the lost card's steps: 「警察にも言わなきゃだめか あとさっきの電話番号もう一回」 got the police's line only."""
    from bot.shared.conversation import said_before
    quoted = said_before(kb, "lost_card", "警察にも言わなきゃだめか あとさっきの電話番号もう一回")
    assert quoted and "0120-95-0178" in quoted[0]["text"] and "警察" in quoted[0]["text"]


def test_a_follow_up_whose_words_are_in_no_line_of_the_answer_is_not_said_before():
    """Session 38's blind trial (東北弁): 「3回まちがえるとロックさなるってほんとだべか」 after the reset by a proxy got its proxy
    line (it names the reset's topic only); the words 3回/ロック are in the forgotten-PIN answer, which is given."""
    from actions.actions import ActionAnswer
    messages = run(ActionAnswer(), following({"answer_id": "pin_forgot_proxy"}, "pin_forgot",
                                             "3回まちがえるとロックさなるってほんとだべか", [("pin_forgot", 0.8)]))[1]
    assert messages[0]["custom"].get("answer_id") == "pin_forgot" and "連続して3回" in messages[0]["text"]


def test_doing_it_for_the_person_quotes_the_line_on_helping():
    """Session 38's blind trial (a dialysis clinic): 「手が震えてカードをリーダーに置けない人は、こっちで置いてあげてもいいの？」
    after the reader's steps quoted the reader lines, not 「家族や職員がカードを置く…手伝う」."""
    from actions.actions import ActionAnswer
    text = "手が震えてカードをリーダーに置けない人は、こっちで置いてあげてもいいの？"
    messages = run(ActionAnswer(), following({"answer_id": "hoken_visit"}, "hoken_visit", text, [("hoken_visit", 0.8)]))[1]
    assert "家族や職員がカードを置く" in messages[0]["text"]


def test_a_meeting_written_with_its_okurigana_is_the_answers_meeting():
    """Session 38's blind trial: 「打ち合わせでは何を決めるんですか」 after the outreach answer (「約20日前：打合せ（実施日と
    人数…）」) got 「もしかして」."""
    from actions.actions import ActionFallback
    trk = following({"answer_id": "outreach_facility"}, "nlu_fallback", "打ち合わせでは何を決めるんですか",
                    [("nlu_fallback", 0.35), ("out_of_scope", 0.27), ("free_dial", 0.08)])
    assert "実施日と人数" in run(ActionFallback(), trk)[1][0]["text"]


def test_a_topic_named_after_an_answer_is_not_the_help_menu():
    """Session 38's blind trial: 「同意画面ではどんなことを聞かれるんですか」 after the reader's steps was read as help (0.59)
    and got the help menu; it names the reader's consent screen (hoken_visit) — answered. 「使い方がわからない」 after an
    answer names no topic and still gets the menu (or that answer in short)."""
    from actions.actions import ActionHelp
    ranked = [("help", 0.59), ("hoken_visit", 0.10), ("card_safety", 0.04)]
    messages = run(ActionHelp(), following({"answer_id": "hoken_visit"}, "help", "同意画面ではどんなことを聞かれるんですか",
                                           ranked))[1]
    assert messages[0].get("response") != "utter_help" and "情報を提供するか" in messages[0]["text"]


def test_the_person_who_cannot_come_after_the_switch_gets_the_proxys_switch():
    """Session 38's blind trial (a dialysis clinic): 「本人が役所に来れない場合は？」 after how to switch to the 顔認証 card
    quoted its line 「ご本人が…窓口に行けば、その場で」 (its words 役所 → 市区町村); the variant for a proxy (委任状, 回答書)
    answers it. The lookup reads 来れない as 来られない."""
    from actions.actions import ActionFallback
    lookups = yaml.safe_load((ROOT / "data" / "nlu" / "lookups.yml").read_text(encoding="utf-8"))["nlu"]
    proxy = next(item for item in lookups if item.get("synonym") == "proxy")["examples"]
    assert "役所に来れない" in proxy
    trk = following({"answer_id": "face_auth_card_apply"}, "nlu_fallback", "本人が役所に来れない場合は？",
                    [("nlu_fallback", 0.35), ("proxy_pickup_eligibility", 0.19), ("how_to_get_card", 0.18)])
    trk.latest_message["entities"] = [{"entity": "agent", "value": "proxy", "start": 3, "end": 10}]
    messages = run(ActionFallback(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "face_auth_card_apply_proxy" and "委任状" in messages[0]["text"]


def test_what_to_bring_after_an_answer_without_documents_offers_the_documents_near_it():
    """Session 38's blind trial (a mother of a 中学生 with medical care): 「そのとき持っていくものは？」 after the ways to get
    a card for one who cannot go out quoted its lines on the staff's 本人確認 (an act, not a document); that answer lists
    no documents — 「もしかして」 offers the proxy's documents first."""
    from actions.actions import ActionFallback
    trk = following({"answer_id": "how_to_get_card"}, "nlu_fallback", "そのとき持っていくものは？",
                    [("nlu_fallback", 0.35), ("out_of_scope", 0.26), ("proxy_pickup_documents", 0.17)])
    messages = run(ActionFallback(), trk)[1]
    assert messages[0]["custom"]["fallback"] and messages[0]["custom"]["candidates"][0] == "proxy_pickup_documents"


def test_a_follow_up_quoting_the_answer_is_answered_from_it():
    """Session 38's blind trial (a wheelchair user): 「電話で申請書IDを伝えるって言ってたけど、それってどこに書いてあるの」
    after the photo exception online got the four ways to apply (apply_methods 0.37: 申請書ID is the application's word);
    the answer's line 「交付申請書に記載の申請書IDを確認します」 says it. 「どこに書いて」 asks no place to contact."""
    from actions.actions import ActionAnswer
    text = "電話で申請書IDを伝えるって言ってたけど、それってどこに書いてあるの"
    trk = following({"answer_id": "photo_exception_online"}, "apply_methods", text,
                    [("apply_methods", 0.37), ("application_support", 0.27), ("application_form", 0.18)])
    messages = run(ActionAnswer(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "photo_exception_online" and "交付申請書に記載の申請書ID" in messages[0]["text"]


def test_a_route_after_an_answer_selects_the_variant_of_its_related_topic():
    """Session 38's blind trial (an elderly wife, in kana): 「ゆうびんで出すときはどうすればいいの」 after the photo taken at
    home (the futon in it) was declined (out of scope 0.57); of its related topics only the photo exception has a variant
    for a mailed application — given. After the photo rules two related topics have one: 「もしかして」 offers both."""
    from actions.actions import ActionFallback

    def reply(previous, text):
        trk = following({"answer_id": previous}, "out_of_scope", text, [("out_of_scope", 0.6), ("hoken_visit", 0.2)])
        trk.latest_message["entities"] = [{"entity": "route", "value": "mail", "start": 0, "end": 4}]
        return run(ActionFallback(), trk)[1]
    assert reply("photo_at_home", "ゆうびんで出すときはどうすればいいの")[0]["custom"].get("answer_id") == "photo_exception_mail"
    both = reply("photo_requirements", "郵便で出すときはどうすればいいの")[0]["custom"]
    assert both["fallback"] and set(both["candidates"]) == {"photo_exception_mail", "apply_methods_mail"}


def test_documents_to_prepare_for_the_outreach_at_home_are_its_line():
    """Session 39's blind trial (a case worker): 「訪問当日までに、ご本人に用意しておいてもらう書類を教えてください。」 after
    the outreach at home got the photo taken at home (a word of its title, 用意); that answer's line 「当日は交付申請書…を
    用意します」 says it (書類 with 用意: the documents aspect)."""
    from actions.actions import ActionAnswer
    trk = following({"answer_id": "outreach_home"}, "outreach_home", "訪問当日までに、ご本人に用意しておいてもらう書類を教えてください。",
                    [("outreach_home", 0.55), ("out_of_scope", 0.17), ("proxy_pickup_documents", 0.15)])
    messages = run(ActionAnswer(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "outreach_home" and "暗証番号設定依頼書" in messages[0]["text"]


def test_a_follow_up_after_a_decline_is_read_against_the_answer_before_it():
    """Session 39's blind trial (a 老健 planning the outreach): after its answer, 「スケジュール感を知りたいです。…」 was
    declined, and then 「市との打合せでは何を決めておけばいいですか」 too — the outreach answer's 打合せ line says it. One reply
    back, and not when the declined message named a topic of its own."""
    from actions.actions import ActionFallback
    declined = {"fallback": True}
    text = "市との打合せでは何を決めておけばいいですか"
    ranked = [("out_of_scope", 0.39), ("contact_municipality", 0.17), ("outreach_facility", 0.12)]

    def reply(declined_text):
        trk = tracker("out_of_scope", text)
        trk.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranked]
        trk.events = [{"event": "user", "text": "出張申請…"},
                      {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "outreach_facility"}}},
                      {"event": "user", "text": declined_text, "parse_data": {"text": declined_text}},
                      {"event": "bot", "text": "…", "data": {"custom": declined}}, *trk.events]
        return run(ActionFallback(), trk)[1]
    assert "実施日と人数" in reply("スケジュール感を知りたいです。どのくらい前から動き始めればいいですか？")[0]["text"]
    assert "実施日と人数" not in reply("暗証番号のいらないカードにしたいです")[0]["text"]


def test_how_long_before_after_the_outreach_quotes_its_days_before():
    """Session 39's blind trial (a 老健): 「スケジュール感を知りたいです。どのくらい前から動き始めればいいですか？」 after the
    outreach answer was declined (out of scope 0.70); its lines 「約30日前」「約20日前」 say it."""
    from actions.actions import ActionFallback
    trk = following({"answer_id": "outreach_facility"}, "out_of_scope", "スケジュール感を知りたいです。どのくらい前から動き始めればいいですか？",
                    [("out_of_scope", 0.70), ("start_guide", 0.22)])
    text = run(ActionFallback(), trk)[1][0]["text"]
    assert "約30日前" in text and "約20日前" in text


def test_which_town_of_the_residence_is_not_read_as_about_the_card_just_named():
    """Session 39's blind trial (an Okinawan grandson): 「…おじいの住民票も名護に移してある。手続きはどっちの役所でするわけ？」
    after the 顔認証 card as 保険証 got that card's services (read as about it); the 住民票's town names where — at least
    「もしかして」 with that answer first, no answer about the card."""
    from actions.actions import ActionFallback
    text = "ボクは那覇に住んでて、おじいの施設は名護さ。おじいの住民票も名護に移してある。手続きはどっちの役所でするわけ？"
    trk = following({"answer_id": "face_auth_card_hoken"}, "nlu_fallback", text,
                    [("other_municipality", 0.62), ("out_of_scope", 0.36)])
    custom = run(ActionFallback(), trk)[1][0]["custom"]
    assert custom.get("answer_id") in (None, "other_municipality")
    assert custom.get("answer_id") == "other_municipality" or custom["candidates"][0] == "other_municipality"


def test_whether_the_counter_sees_the_number_quotes_its_line():
    """Session 39's blind trial (a dementia café volunteer): 「病院でマイナ保険証を出したら、受付の人に番号見られちゃわない？」
    after what the card holds got the reader's steps (hoken_visit 0.43); that answer's line says the counter never
    handles the マイナンバー."""
    from actions.actions import ActionAnswer
    trk = following({"answer_id": "card_safety"}, "hoken_visit", "病院でマイナ保険証を出したら、受付の人に番号見られちゃわない？",
                    [("hoken_visit", 0.43), ("card_safety", 0.35), ("hospital_refused", 0.09)])
    assert "マイナンバー（12桁の数字）を取り扱うことはありません" in run(ActionAnswer(), trk)[1][0]["text"]


def test_a_voice_inputs_daihitsu_after_braille_gets_the_proxy_writing():
    """Session 39's blind trial (a blind user dictating): 「ヘルパーさんに台ひつしてもらうのは大丈夫ですか」 (代筆 misheard)
    after the braille signature got 「もしかして」; the signature's answer says a helper may write it."""
    from actions.actions import ActionFallback
    trk = following({"answer_id": "visual_impairment"}, "nlu_fallback", "ヘルパーさんに台ひつしてもらうのは大丈夫ですか",
                    [("nlu_fallback", 0.3), ("out_of_scope", 0.2)])
    assert "代筆" in run(ActionFallback(), trk)[1][0]["text"]


def test_kana_follow_ups_on_the_hour_and_a_new_card_quote_the_lost_cards_lines():
    """Session 39's blind trial (a young man writing short kana): after the lost-card steps 「よる でも いい？」 got
    「もしかして」 and 「あたらしいの もらえる？」 a decline (out of scope 0.63); the steps say 24時間365日受付 and 再発行."""
    from actions.actions import ActionFallback
    night = following({"answer_id": "lost_card"}, "nlu_fallback", "よるでもいい？", [("nlu_fallback", 0.35), ("affirm", 0.18)])
    assert "24時間365日受付" in run(ActionFallback(), night)[1][0]["text"]
    new = following({"answer_id": "lost_card"}, "out_of_scope", "新しいのもらえる？", [("out_of_scope", 0.63)])
    assert "再発行の手続き" in run(ActionFallback(), new)[1][0]["text"]


def test_a_short_answer_keeps_what_the_documents_do_not_say_beside_it(kb):
    """Session 39's blind trial: 「おかね かかる？」 after a lost card got only 「こうふてすうりょうは むりょうです」 in short,
    read as a free reissue; the first line's next sentence says the reissue's fee is in no document."""
    from bot.shared.conversation import in_short
    assert "再発行の手数料は、手元の資料には書かれていません" in in_short(kb, "card_fee")[0]["text"]


def test_a_follow_up_after_a_side_step_reads_the_answer_it_came_from():
    """Session 40's blind trial, a deaf user: the lost-card steps, then its FAX (a related entry); 「けいさつ いく？」 and
    「再発行は、どこで手続きしますか。」 were declined. The lost-card steps' lines answer them; after the FAX alone, no."""
    from actions.actions import ActionFallback
    for text, line in (("警察いく？", "警察に遺失届"), ("再発行は、どこで手続きしますか。", "再発行の手続き")):
        trk = following({"answer_id": "fax_inquiry"}, "out_of_scope", text, [("out_of_scope", 0.61), ("lost_card", 0.28)])
        trk.events = [{"event": "user", "text": "…"}, {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "lost_card"}}},
                      *trk.events]
        said = run(ActionFallback(), trk)[1][0]
        assert line in said["text"] and "「カードをなくしたとき」のお答え" in said["text"], text
        alone = following({"answer_id": "fax_inquiry"}, "out_of_scope", text, [("out_of_scope", 0.61), ("lost_card", 0.28)])
        assert line not in run(ActionFallback(), alone)[1][0]["text"], text


def test_a_pinned_topic_after_an_answer_is_not_read_back_into_it():
    """Session 41 (b40's C08-T3): 「ほんならおかんのカード、暗証番号いらんやつに変えたいねんけど…」 after the card at a visit
    got that answer's reader line (「ほんなら」 starts from it); the switch to the 顔認証 card is another topic."""
    text = "ほんならおかんのカード、暗証番号いらんやつに変えたいねんけど、うちが役所行って手続きできるん？"
    trk = following({"answer_id": "hoken_visit"}, "face_auth_card_apply", text,
                    [("face_auth_card_apply", 0.46), ("out_of_scope", 0.40), ("pin_forgot", 0.07)])
    said = run(ActionAnswer(), trk)[1][0]
    assert "直前のお答え" not in said["text"]
    assert said["custom"].get("answer_id") == "face_auth_card_apply" or said["custom"]["candidates"][0] == "face_auth_card_apply"


def test_session_43_trial_conversations():
    """Session 43's blind trial (b43): a deceased father's routing governed 「それと母ですが、…資格確認書ってもらえるんですか？」
    (the condolences three times; 「大丈夫」 read as 夫); 「わがった、まず電話してみっから。あんがとね」 got 「もしかして」;
    「ほんなら顔認証のカードにするわ。…申し込めんのか。」 after the PIN's sharing got that answer's line; 「同意画面、付き添いの
    家族が代わりに押してOK？」 got the PIN's sharing."""
    earlier = "去年亡くなった父のマイナンバーカードが出てきました。返さないといけないんでしょうか。母の手続きのついでに片付けたくて。"

    def after_the_death(text, ranking):
        trk = following({"fallback": True, "uncovered": "deceased"}, ranking[0][0], text, ranking)
        trk.events[0]["text"] = earlier
        return [m["custom"].get("answer_id") or m["custom"].get("uncovered") for m in run(ActionAnswer(), trk)[1]]
    mother = "父の件は役所に聞きます。それと母ですが、母は保険証の利用登録はしてあると思うんですが、その場合でも資格確認書ってもらえるんですか？"
    assert "deceased" not in after_the_death(mother, (("shikaku_card_holder", 0.96), ("shikaku_kakuninsho", 0.04)))
    assert after_the_death("じゃあ父の資格確認書はどうすればいい？", (("shikaku_kakuninsho", 0.9),)) == ["deceased"]
    from bot.shared.conversation import names_the_person
    assert not names_the_person("お悔やみはもう大丈夫です。資格確認書について知りたいんです。")
    thanks = run(ActionAnswer(), following({"answer_id": "hokensho_end"}, "free_dial", "わがった、まず電話してみっから。あんがとね",
                                           (("free_dial", 0.54), ("goodbye", 0.07))))[1]
    assert thanks[0]["text"].startswith("どういたしまして") and not thanks[0]["custom"].get("fallback")
    text = "ほんなら顔認証のカードにするわ。まだ申請もしとらんのじゃが、息子を役所に連れて行かんと申し込めんのか。"
    face = run(ActionAnswer(), following({"answer_id": "pin_sharing"}, "face_auth_card_apply", text,
                                         (("face_auth_card_apply", 0.98), ("face_auth_card_hoken", 0.01))))[1]
    assert face[0]["custom"].get("answer_id") == "face_auth_card_apply"
    consent = run(ActionAnswer(), following(None, "hoken_visit", "同意画面、付き添いの家族が代わりに押してOK？",
                                            (("hoken_visit", 0.87), ("out_of_scope", 0.05))))[1]
    assert consent[0]["custom"].get("answer_id") == "hoken_visit"


def test_thanks_and_a_request_for_plain_words_are_read_as_such():
    """「すみません、…かんたんな にほんごで おねがいします。なにを もっていきますか？」 (greet 0.60: the welcome menu) is a
    request to say the answer in short; a message that only thanks is no question."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import hard_to_read, only_thanks, question_after_courtesy
    text = "すみません、むずかしいです。かんたんな にほんごで おねがいします。なにを もっていきますか？"
    assert question_after_courtesy(text).startswith("むずかしいです")
    assert hard_to_read(load_lexicon(), "難しいです。簡単な日本語でお願いします。なにをもっていきますか？")
    assert only_thanks("ほんまに助かったわ〜") and only_thanks("おおきに")
    assert not only_thanks("ありがとう、でも代理人でもいいの") and not only_thanks("ありがとう。それと資格確認書は？")


def test_another_question_that_names_its_topic_is_placed_by_the_fit_check():
    """Session 43's trial: 「来週ばあちゃん整形さ行くんだけど、カードねえと診てもらえねえの？」 beside the old 保険証's end
    (no_card_shikaku 0.52 alone) was said to be in no document; an elliptical one still needs a sure classifier."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import names_a_topic
    covered = dict(aspects=False, uncovered=False)
    assert names_a_topic(load_lexicon(), "来週ばあちゃん整形さ行くんだけど、カードねえと診てもらえねえの？", **covered)
    assert not names_a_topic(load_lexicon(), "あと、スマホでもできる？", **covered)


def test_back_on_the_outreach_with_two_towns_gets_the_answer_for_them():
    """Session 45's trial, after the outreach at a facility: 「さっきのだばって、住所が板柳で病院が弘前って町が違うべ。それでも
    大丈夫なのが？」 (「もしかして」 at 0.36) got that answer's first line again; the concept of two towns outranks it."""
    text = "さっきのだばって、住所が板柳で病院が弘前って町が違うべ。それでも大丈夫なのが？"
    ranking = (("hoken_merit", 0.36), ("out_of_scope", 0.19), ("hoken_visit", 0.17), ("other_municipality", 0.06))
    after = run(ActionAnswer(), following({"answer_id": "outreach_facility"}, "hoken_merit", text, ranking))[1]
    assert after[0]["custom"]["answer_id"] == "other_municipality"


def test_session_53_a_lost_card_after_the_face_auth_card_is_a_lost_card(monkeypatch):
    """Session 53's blind trial (b52 c02-4), after the 顔認証 card, in hiragana: 「かーど なくしたかも。…これで とめられるか」 was
    read as about that card (its services, in short its first line alone): a lost card of any kind gets the steps."""
    import actions.actions as actions_module
    from actions.actions import ActionFallback

    monkeypatch.setattr(actions_module, "parse", lambda text: sure_reading(text, "face_auth_card_services"))
    text = "かーど なくしたかも。まいなんばーは これで とめられるか"
    messages = run(ActionFallback(), following({"answer_id": "face_auth_card_about"}, "nlu_fallback", text,
                                               [("nlu_fallback", 0.35), ("mynumber_leak", 0.33), ("lost_card", 0.2)]))[1]
    assert messages[0]["custom"].get("answer_id") == "lost_card" and "0120-95-0178" in messages[0]["text"]


def test_session_53_in_short_keeps_the_lists_under_their_headings(kb):
    """b52 c02-4: the 顔認証 card's services in short were 「…次のとおりです。」 alone — the lists under 【できること】 and
    【できないこと】 follow, each cut to its first items."""
    from bot.shared.conversation import in_short
    text = in_short(kb, "face_auth_card_services")[0]["text"]
    assert "【できること】\n・健康保険証としての利用" in text and "【できないこと" in text and "・マイナポータル" in text
    assert "（ほかに1つあります）" in text


def test_session_53_where_asked_in_a_long_follow_up_gets_the_answers_place():
    """b52 c05-2, after the PIN reset: 「すみません、さっき聞いたかもしれないんですけど、番号がわからなくなったら、どこに
    行けばよかったんでしたっけ」 got the 顔認証 card's line (it names 暗証番号): the lines that say where, the 窓口 first."""
    text = "すみません、さっき聞いたかもしれないんですけど、番号がわからなくなったら、どこに行けばよかったんでしたっけ"
    messages = run(ActionAnswer(), following({"answer_id": "pin_forgot"}, "lost_card", text,
                                             [("lost_card", 0.85), ("pin_forgot", 0.13), ("out_of_scope", 0.01)]))[1]
    assert "手続きや問い合わせの先" in messages[0]["text"] and "1. 住所地の市区町村で暗証番号の初期化" in messages[0]["text"]


def test_session_53_a_route_answerable_of_the_kind_talked_about_is_read_with_it(monkeypatch):
    """b52 c07-2, after the switch to the 顔認証 card: 「本人じゃなくて娘さんだけ来た場合って、委任状？…電子証明書？の更新も
    一緒にしたいって言われてて」 routed the certificate's renewal and listed the 代理交付's documents — the renewal is
    answered of that card (validity_renewal's `unless`): the switch's proxy steps."""
    import actions.actions as actions_module
    from actions.actions import ActionFallback

    def reading(text):   # as Rasa reads it: the proxy's entity too
        return {**sure_reading(text, "face_auth_card_apply"), "entities": [{"entity": "agent", "value": "proxy"}]}
    monkeypatch.setattr(actions_module, "parse", reading)
    text = "ありがとうございます！あと、本人じゃなくて娘さんだけ来た場合って、委任状？みたいなのが要るんでしたっけ…。電子証明書？の更新も一緒にしたいって言われてて"
    messages = run(ActionFallback(), following({"answer_id": "face_auth_card_apply"}, "out_of_scope", text,
                                               [("out_of_scope", 0.77), ("application_support", 0.07)]))[1]
    assert [m["custom"].get("answer_id") for m in messages] == ["face_auth_card_apply_proxy"]
    assert "委任状" in messages[0]["text"] and "即日の手続はできません" in messages[0]["text"]


def test_session_54_a_follow_up_naming_an_earlier_answer_of_the_reply_is_read_against_it():
    """b52 c09-2: after the FAX's answer then the lost card's in one reply, 「FAXの様式、手元にない。どこで手に入る」 got the
    lost-card steps' line (the last answer); it names the FAX's topic: that answer's line with the form's address."""
    text = "FAXの様式、手元にない。どこで手に入る"
    trk = tracker("fax_inquiry", text)
    trk.latest_message["intent_ranking"] = [{"name": "fax_inquiry", "confidence": 0.79},
                                            {"name": "application_support", "confidence": 0.16}]
    trk.events = [{"event": "user", "text": "…"},
                  {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "fax_inquiry"}}},
                  {"event": "bot", "text": "…", "data": {"custom": {"answer_id": "lost_card"}}}, *trk.events]
    messages = run(ActionAnswer(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "fax_inquiry"
    assert "https://www.soumu.go.jp/main_content/000920146.pdf" in messages[0]["text"]


def test_a_correction_led_by_an_apology_says_what_it_is_not_about():
    """b58 c06-2: 「あ、ごめんなさい、コンビニとか免許のことじゃなくて、暗証番号を…どう直すかが知りたいんです。」 got
    「もしかして」: the apology before the first clause hid it — the rest is read alone."""
    from bot.shared.conversation import what_it_is_not_about
    text = "あ、ごめんなさい、コンビニとか免許のことじゃなくて、暗証番号を何回も間違えてロックされたっぽいのをどう直すかが知りたいんです。"
    assert what_it_is_not_about(text) == ("あ、ごめんなさい、コンビニとか免許のことじゃなくて、",
                                          "暗証番号を何回も間違えてロックされたっぽいのをどう直すかが知りたいんです。", True)
    assert what_it_is_not_about("すみません、質問です。代理の件です") is None


def test_session_61_follow_ups_of_b59(kb):
    """b59: a correction whose rest says in its turn what it is not about (c01-5: 「いや、そうじゃなくて、暗証番号の話では
    ないです。12桁のマイナンバーの方です。…」 got the PIN's kinds); a time of day asked after the lost card's steps (c05-5:
    「今は夜の10時です。この時間でも電話できますか？」 got its 資格確認書 date); a follow-up the classifier reads as the card
    reader's own topic (c07-2: 「…「同意する」ボタンを僕らが代わりに押すのもアリ？」) gets that answer's line, not the PIN
    reset's variant for a proxy (a related topic)."""
    from actions.actions import ActionAnswer
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import what_it_is_not_about, when_in_the_answer
    aside = what_it_is_not_about("いや、そうじゃなくて、暗証番号の話ではないです。12桁のマイナンバーの方です。受付で使うことはありますか？")
    assert aside.rest == "12桁のマイナンバーの方です。受付で使うことはありますか？" and "暗証番号" in aside.not_about
    assert when_in_the_answer(kb, load_lexicon(), "lost_card", "今は夜の10時です。この時間でも電話できますか？", TODAY) == []
    assert when_in_the_answer(kb, load_lexicon(), "hokensho_end", "もう過ぎてる？", TODAY)
    text = "それって、画面の「同意する」ボタンを僕らが代わりに押すのもアリってことですか？本人は口ではちゃんと言える人です。"
    trk = following({"answer_id": "hoken_visit"}, "hoken_visit", text, [("hoken_visit", 0.9), ("proxy_pickup_eligibility", 0.02)])
    trk.latest_message["entities"] = [{"entity": "agent", "value": "proxy"}]
    messages = run(ActionAnswer(), trk)[1]
    assert messages[0]["custom"].get("answer_id") == "hoken_visit" and "同意の選択を手伝う" in messages[0]["text"]


def test_a_label_heading_comes_with_a_quoted_item(kb):
    """b59 c05-2: 「鍵のロッカーに入れるは、必ずですか？記録も必ず書くが必要ですか？」 after the facility's custody got its
    locker and record lines without 「施設で管理するときの例：」, which says they are examples."""
    from bot.shared.conversation import with_their_lists
    lines = kb.by_id["card_management"].answer.splitlines()
    locker = next(line for line in lines if "ロッカー" in line and line.startswith("1."))
    assert with_their_lists(kb.by_id["card_management"].answer, [locker]) == ["施設で管理するときの例：", locker]


def test_session_62_in_short_keeps_what_the_documents_do_not_say(kb):
    """b59 c05-6: 「すみません、私の日本語わかりにくいですね。電話は英語でも大丈夫ですか？モンゴル語の電話はありますか？」 got
    the foreign-language dial in short, without the reply that other languages are in no document."""
    from actions.actions import ActionAnswer
    text = "すみません、私の日本語わかりにくいですね。電話は英語でも大丈夫ですか？モンゴル語の電話はありますか？"
    trk = following({"answer_id": "free_dial"}, "free_dial", text, [("free_dial", 1.0)])
    messages = run(ActionAnswer(), trk)[1]
    assert messages[0]["text"].startswith("みじかく言うと")
    assert [m["custom"].get("uncovered") for m in messages[1:]] == ["other_languages"]


def test_session_62_a_follow_up_naming_one_of_the_answers_offered(kb):
    """b60 c09-2, after what the card is for (offering the ways for one who cannot go out): 「えらぶのも しんどい… やくしょ
    行くのが むりで」 got 「もしかして」 with the same three buttons — its words name one of them."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import following_up
    reply = [{"text": "", "custom": {"fallback": True}}]
    messages = following_up(kb, reply, "card_uses", text="えらぶのも しんどい… やくしょ 行くのが むりで", lexicon=load_lexicon())
    assert [m["custom"].get("answer_id") for m in messages] == ["how_to_get_card"]


def test_session_62_each_question_of_a_follow_up_gets_its_lines(kb):
    """b60 c07-2, after the lost card's steps: 「それって夜中にかけてもつながるってこと？あと警察って絶対行かなきゃダメ？」 got
    the free dial's line only; c10-6: a bullet after a numbered list was quoted under that list's heading."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import said_before, with_their_lists
    text = said_before(kb, "lost_card", "それって夜中にかけてもつながるってこと？あと警察って絶対行かなきゃダメ？ばあちゃん足悪いんだけど",
                       lexicon=load_lexicon())[0]["text"]
    assert "24時間365日" in text and "警察に遺失届" in text
    answer = kb.by_id["shikaku_kakuninsho"].answer
    bullet = next(line for line in answer.splitlines() if line.startswith("・資格確認書では"))
    assert with_their_lists(answer, [bullet]) == [bullet]
    assert "どなたでも" in kb.by_id["proxy_pickup_documents"].answer.splitlines()[0]   # b59 c04-4, b60 c05-1/c07-5


def test_b68_questions_get_the_answer_that_fits():
    """b68 (sixty turns, ten new personas): someone whose fingers hurt cannot place the card on the reader (someone may place
    it for them, not the card refused), then asks someone to place it (that line of the visit's steps, not the PIN reset's
    proxy); a nurse of a 訪問看護 station asking how a patient who cannot go out gets a card (no decline of the card's use in
    訪問看護 first); a learner asking whether she may write the name of a nearly blind woman (the 代筆, not the 資格確認書)."""
    from actions.actions import ActionFallback
    fingers = answer_to(None, "hospital_refused", "びょういんの かーどりーだー ゆびがいたくて かーどおけない",
                        [("hospital_refused", 0.70), ("no_card_shikaku", 0.07), ("out_of_scope", 0.06), ("hoken_visit", 0.04)])
    assert fingers[0]["custom"]["answer_id"] == "hoken_visit" and "カードを置く" in fingers[0]["text"]
    placed = run(ActionFallback(), following({"answer_id": "hoken_visit"}, "out_of_scope",
                                             "ちがう ゆびが うごかないの だれかに かわりに おいて",
                                             [("out_of_scope", 0.63), ("deny", 0.09), ("proxy_pickup_who", 0.07)]))[1]
    assert placed[0]["custom"].get("answer_id") == "hoken_visit" and "カードを置く" in placed[0]["text"]
    nurse = answer_to(None, "how_to_get_card",
                      "精神科の訪問看護ステーションで看護師をしています。統合失調症で何年もほとんど外出できていない患者さんがいて、"
                      "本人はマイナンバーカードを作りたいと言っているんですが、役所には行けそうにありません",
                      [("how_to_get_card", 0.80), ("outreach_facility", 0.10)])
    assert nurse[0]["custom"]["answer_id"] == "how_to_get_card" and not any(m["custom"].get("fallback") for m in nurse)
    name = answer_to(None, "no_card_shikaku",
                     "おばあさん 目 が よく 見えません。カード を 作る とき、名前 を 書く こと が できません。どう しますか？ わたし が 書いて いい？",
                     [("no_card_shikaku", 0.65), ("greet", 0.08), ("signature_help", 0.07), ("visual_impairment", 0.05)])
    assert all(m["custom"].get("answer_id") != "no_card_shikaku" for m in name)


def test_b69_questions_get_the_answer_that_fits():
    """b69 (sixty turns, ten new personas) and b68's leftovers: two questions, each in a part of its own that names one
    topic (the card kept by the facility, the PIN's reset — not who may know the PIN, which neither asks; who is on the
    代理交付's list beside what proves it); someone who does not want the マイナ保険証 (the 資格確認書, not the PIN's reset); a
    seal with a signature in 点字; whether the マイナンバー is written on the form (after a number masked); a lost card's
    police report and a forgotten PIN written telegraphically (aphasia); 「番号の種類やなくて」 after the PIN's kinds."""
    abroad = ("父はマイナンバーカードを持っておりますが、本人の話では暗証番号をまったく覚えていないようです。そこでお伺いしたいの"
              "ですが、父のカードを施設に預かっていただくことは可能なのでしょうか。また、暗証番号の再設定は、私が帰国しなくても"
              "手続きできるものなのでしょうか。")
    kept = answer_to(None, "pin_sharing", abroad, [("pin_sharing", 0.84), ("face_auth_card_apply", 0.16)])
    assert [m["custom"].get("answer_id") for m in kept if m["custom"].get("answer_id")] == ["card_management", "pin_forgot"]
    home = answer_to(None, "proxy_pickup_relaxation",
                     "代理交付って、こういう長く家にこもっている状態の人も対象になるんですか？来庁できない証明って、主治医の診断書が"
                     "必要でしょうか", [("proxy_pickup_relaxation", 0.58), ("proxy_pickup_eligibility", 0.38)])
    assert {m["custom"].get("answer_id") for m in home} >= {"proxy_pickup_relaxation", "proxy_pickup_eligibility"}
    unwanted = answer_to(None, "pin_forgot",
                         "ご本人が「暗証番号なんて覚えられないからマイナ保険証は使いたくない」とおっしゃっていて…。その場合、病院に"
                         "かかるときはどうなるんでしょうか。", [("pin_forgot", 0.45), ("no_card_shikaku", 0.39)])
    assert unwanted[0]["custom"]["answer_id"] == "no_card_shikaku"
    braille = answer_to(None, "visual_impairment", "前にも聞いたかもしれないんですけど点字で署名した場合って印鑑もいるんですか",
                        [("visual_impairment", 0.48), ("out_of_scope", 0.31), ("signature_help", 0.03)])
    assert braille[0]["custom"]["answer_id"] == "visual_impairment" and "押印" in braille[0]["text"]
    form = answer_to({"answer_id": "face_auth_card_about"}, "pin_sharing",
                     "あの、兄の番号を先にお伝えしておいたほうが話が早いですか？兄のマイナンバーは、通知カードを見ると\n最初が です。\n"
                     "これを申請書に書けばいいんでしょうか", [("pin_sharing", 0.44), ("out_of_scope", 0.22), ("mynumber_leak", 0.2)])
    assert form[0]["custom"]["answer_id"] == "application_form" and "マイナンバーの記入" in form[0]["text"]
    police = answer_to({"answer_id": "free_dial"}, "nlu_fallback", "警察 とどけ いる？",
                       [("nlu_fallback", 0.35), ("out_of_scope", 0.3), ("lost_card", 0.16)])
    assert police[0]["custom"]["answer_id"] == "lost_card"
    from bot.shared.concepts import load_lexicon
    assert "pin_forgot" in load_lexicon().find("暗証 わすれ… 3回 まちがえ… どうする").covered
    again = answer_to({"answer_id": "pin_sharing"}, "pin_sharing",
                      "写真のことはようわかりました。ばってん暗証番号のほうは、番号の種類やなくて、娘の私が預かってよかとかどうかば"
                      "聞きよっとです。そいはどがんですか？", [("pin_sharing", 0.6), ("pin_forgot", 0.17), ("pin_kinds", 0.09)])
    assert all(m["custom"].get("answer_id") != "pin_kinds" for m in again)
