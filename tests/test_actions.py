"""The custom actions, run on rasa_sdk Trackers as the action server would."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswer, ActionFallback


def tracker_for(intent: str, entities=(), ranking=None, text="質問") -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": name, "value": value} for name, value in entities],
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    return Tracker("tester", {}, latest, [], False, None, {}, "action_listen")


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert events == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


def test_answer_gives_text_source_buttons_and_custom_payload(kb):
    message = run(ActionAnswer(), tracker_for("lost_card"))
    entry = kb.by_id["lost_card"]
    assert message["text"].startswith(entry.answer)
    assert "出典：" in message["text"]
    assert message["custom"]["answer_id"] == "lost_card"
    assert message["custom"]["sources"][0]["page"] == "28～"
    titles = [kb.by_id[i].title for i in entry.related]
    assert [b["title"] for b in message["buttons"]] == titles + ["いますることを順番に確認"]
    assert all(b["payload"].startswith("/show_answer{") for b in message["buttons"][:len(titles)])


def test_entities_select_the_specific_entry():
    message = run(ActionAnswer(), tracker_for("lost_card", [("device", "smartphone")]))
    assert message["custom"]["answer_id"] == "lost_card_smartphone"
    message = run(ActionAnswer(), tracker_for("lost_card", [("device", "notice_card")]))
    assert message["custom"]["answer_id"] == "lost_card_notice_card"
    message = run(ActionAnswer(), tracker_for("photo_exception", [("route", "mail")]))
    assert message["custom"]["answer_id"] == "photo_exception_mail"


def test_unrelated_entities_fall_back_to_the_default_entry():
    message = run(ActionAnswer(), tracker_for("lost_card", [("route", "mail")]))
    assert message["custom"]["answer_id"] == "lost_card"


def test_show_answer_button_gives_exactly_that_entry():
    message = run(ActionAnswer(), tracker_for("show_answer", [("answer_id", "free_dial_ip_phone")]))
    assert message["custom"]["answer_id"] == "free_dial_ip_phone"


def test_show_answer_with_an_unknown_id_says_so_without_crashing():
    message = run(ActionAnswer(), tracker_for("show_answer", [("answer_id", "no_such_entry")]))
    assert message["custom"] == {"fallback": True}
    assert "見つかりません" in message["text"]


def test_unsure_nlu_offers_candidates_as_buttons(kb):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "pin_forgot", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
        {"name": "lost_card", "confidence": 0.2},
        {"name": "pin_kinds", "confidence": 0.1},
        {"name": "free_dial", "confidence": 0.09},
    ]
    message = run(ActionFallback(), tracker_for("nlu_fallback", ranking=ranking))
    assert message["text"].startswith("もしかして")
    assert message["custom"]["fallback"] is True
    assert message["custom"]["candidates"] == ["pin_forgot", "lost_card", "pin_kinds"]
    assert len(message["buttons"]) == 3


def test_out_of_scope_declines_and_routes_to_the_contacts():
    message = run(ActionFallback(), tracker_for("out_of_scope"))
    assert message["custom"] == {"fallback": True}
    assert "0120-95-0178" in message["text"] and "市区町村" in message["text"]
    assert "buttons" not in message or not message["buttons"]


def test_unsure_with_no_knowledge_candidate_declines():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.4}]
    message = run(ActionFallback(), tracker_for("nlu_fallback", ranking=ranking))
    assert message["custom"] == {"fallback": True}


def test_unsure_but_most_likely_out_of_scope_declines():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "out_of_scope", "confidence": 0.4},
        {"name": "pin_forgot", "confidence": 0.3},
    ]
    message = run(ActionFallback(), tracker_for("nlu_fallback", ranking=ranking))
    assert message["custom"] == {"fallback": True}


# ---- payloads of the wrong type and failing actions -----------------------------------------------

def test_entities_of_other_types_are_ignored():
    from actions.guides import ActionGuideStart

    tracker = tracker_for("start_guide", [("guide", {"a": 1}), ("guide", ["proxy"])])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionGuideStart().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"].startswith("どのチェックをしますか")     # the menu, no TypeError
    message = run(ActionAnswer(), tracker_for("show_answer", [("answer_id", {"a": 1})]))
    assert "見つかりません" in message["text"]


def test_a_failing_action_answers_safely_and_logs_no_conversation_text(monkeypatch, caplog):
    import actions.actions as module

    def broken(*args, **kwargs):
        raise ValueError("母のマイナンバーは［マイナンバー］、カードをなくしました")

    monkeypatch.setattr(module, "fitting_messages", broken)
    caplog.set_level("DEBUG")
    message = run(ActionFallback(), tracker_for("nlu_fallback", text="母のマイナンバーは［マイナンバー］、カードをなくしました"))
    assert "システムの不具合" in message["text"] and message["custom"] == {"fallback": True}
    assert "action_fallback failed: ValueError" in caplog.text
    assert "カード" not in caplog.text and "マイナンバー" not in caplog.text


def test_a_declined_message_that_names_covered_topics_offers_them(kb):
    """A blind trial (2026-12-03): 「俺のスマホで申請ってできますか？あとお金ってかかるんすかね…」 (out of scope 0.6) got
    「…書かれていないため、お答えできません」: nothing else placed it, so 「もしかして」 (it may not be in the documents) with
    the fee and the ways to apply."""
    text = "なるほど。俺のスマホで申請ってできますか？あとお金ってかかるんすかね、ばあちゃん年金暮らしなんで"
    ranking = [{"name": "out_of_scope", "confidence": 0.6}, {"name": "card_fee", "confidence": 0.3},
               {"name": "apply_methods", "confidence": 0.05}]
    message = run(ActionFallback(), tracker_for("out_of_scope", ranking=ranking, text=text))
    assert message["custom"]["fallback"] and message["text"].startswith(kb.messages["clarify_doubtful"][:20])
    assert [b["title"] for b in message["buttons"]][:2] == [kb.by_id["card_fee"].title, kb.by_id["apply_methods"].title]
    weather = run(ActionFallback(), tracker_for("out_of_scope", text="今日はいい天気ですね"))
    assert weather["text"].startswith(kb.messages["decline"][:20]) and not weather["buttons"]


def test_who_phones_for_someone_who_cannot_gets_the_phone_not_the_fax(kb):
    """A blind trial (2026-12-03): 「いま よるの10じ なんですけど でんわ つながりますか？おばあちゃんは みみが とおいので
    わたしが かわりに でんわしても いいですか」 got the FAX line in place of the free dial; the free dial's first line says
    that a lost card is stopped 24時間365日."""
    text = "いま よるの10じ なんですけど でんわ つながりますか？おばあちゃんは みみが とおいので わたしが かわりに でんわしても いいですか"
    message = run(ActionAnswer(), tracker_for("free_dial", text=text))
    assert message["custom"]["answer_id"] == "free_dial" and "24時間365日" in message["text"].splitlines()[0]
    deaf = run(ActionAnswer(), tracker_for("free_dial", text="みみが きこえないので でんわ できません。どこに きけば いい？"))
    assert deaf["custom"]["answer_id"] == "fax_inquiry"


def test_where_to_get_something_the_answer_does_not_name_is_not_its_place_to_ask(kb):
    """A blind trial (2026-12-03), after the proxy answers: 「その顔写真証明書というのは、決まった様式があるのでしょうか？
    どこで入手できますか？」 got the 報償費 line (「…詳しくは市区町村にお問い合わせください」) as where to ask."""
    from bot.shared.conversation import where_to_ask

    question = "その顔写真証明書というのは、決まった様式があるのでしょうか？どこで入手できますか？"
    assert where_to_ask(kb, "proxy_pickup_who", question) == []
    assert where_to_ask(kb, "proxy_pickup_who", "それってどこに聞けばいいの？")
