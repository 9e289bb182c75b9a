"""actions.reading: a part of a message read by Rasa's /model/parse over HTTP (here a local stand-in answering
like Rasa), and read by its concepts when no Rasa server is named or it does not answer."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from actions import reading


class FakeRasa(BaseHTTPRequestHandler):
    """/model/parse as Rasa answers it (with the token checked); everything else 404."""
    token = "t0ken"
    texts: list = []
    intent = "pin_sharing"
    intent_of = None   # a function of the text giving the intent, when set

    def do_POST(self):   # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not self.path.startswith("/model/parse") or f"token={self.token}" not in self.path:
            self.send_response(401)
            self.end_headers()
            return
        FakeRasa.texts.append(body["text"])
        intent = {"name": FakeRasa.intent_of(body["text"]) if FakeRasa.intent_of else FakeRasa.intent, "confidence": 0.9}
        reply = json.dumps({"text": body["text"], "intent": intent, "intent_ranking": [intent], "entities": []})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply.encode())

    def log_message(self, *args):   # quiet
        pass


@pytest.fixture
def fake_rasa(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("RASA_TOKEN", FakeRasa.token)
    reading._endpoint.cache_clear()
    yield server
    server.shutdown()
    reading._endpoint.cache_clear()


def test_a_part_is_read_by_rasa_with_its_token(fake_rasa):
    parsed = reading.parse("家族が代わりに暗証番号を決めていいか知りたい")
    assert parsed["intent"]["name"] == "pin_sharing" and FakeRasa.texts[-1] == "家族が代わりに暗証番号を決めていいか知りたい"


def test_a_side_question_in_a_check_gets_the_parts_own_reading(fake_rasa):
    from actions.guides import reply_to_part
    whole = {"text": "…", "intent": {"name": "out_of_scope", "confidence": 0.9},
             "intent_ranking": [{"name": "out_of_scope", "confidence": 0.9}]}
    reply = reply_to_part("家族が代わりに暗証番号を決めていいか知りたい", whole)
    assert reply[0]["custom"].get("answer_id") == "pin_sharing"


def test_without_rasa_a_part_is_read_by_its_concepts(monkeypatch):
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    reading._endpoint.cache_clear()
    assert reading.parse("暗証番号を忘れた") is None
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")   # nothing listens: None, the concepts read it
    reading._endpoint.cache_clear()
    assert reading.parse("暗証番号を忘れた") is None
    reading._endpoint.cache_clear()


def test_another_question_that_names_no_topic_is_read_on_its_own(fake_rasa, monkeypatch):
    """「再発行 手数料いる？ あと家族に言わないとだめ？」: the note 「…へのお答えは、ここにはありません」 is replaced by what
    the part's own reading gives — here out of scope: the note stays."""
    from actions.actions import read_other_questions
    from bot.shared.answers import fitting_reply
    from bot.shared.concepts import load_lexicon
    from bot.shared.knowledge import load_knowledge
    kb, lexicon = load_knowledge(), load_lexicon()
    sure = [{"name": "card_fee", "confidence": 0.8}]
    reply = fitting_reply(kb, lexicon, {"text": "手数料いる？ あと家族に見てもらってもいい？", "intent": sure[0],
                                        "intent_ranking": sure})
    assert reply[-1]["custom"]["unanswered"] == ["家族に見てもらってもいい？"]
    monkeypatch.setattr(FakeRasa, "intent", "out_of_scope")
    assert read_other_questions(reply)[-1]["custom"]["unanswered"] == ["家族に見てもらってもいい？"]
    monkeypatch.setattr(FakeRasa, "intent", "card_management")
    placed = read_other_questions(reply)
    assert [m["custom"].get("answer_id") for m in placed] == ["card_fee", "card_management"]


def test_the_token_is_not_logged(fake_rasa, caplog):
    """httpx logs a request's URL at INFO, and Rasa's token travels in it."""
    import logging
    with caplog.at_level(logging.INFO):
        reading._endpoint.cache_clear()
        reading.parse("暗証番号を忘れた")
    assert FakeRasa.token not in caplog.text


def test_another_question_read_as_the_topic_answered_gets_no_note(fake_rasa, monkeypatch):
    """Fifteenth trial: 「つまり後見人は法定代理人だから知っててOKってことですね？あと身寄りがないので、カードの受け取りは
    私が代理人として行けますか」 got the proxy answer and then 「「身寄りがないので…行けますか」へのお答えは、ここにはありません」:
    read alone, that question asks what the answer given answers — no note."""
    from actions.actions import read_other_questions
    from bot.shared.answers import fitting_reply
    from bot.shared.concepts import load_lexicon
    from bot.shared.knowledge import load_knowledge
    kb, lexicon = load_knowledge(), load_lexicon()
    sure = [{"name": "card_fee", "confidence": 0.8}]
    reply = fitting_reply(kb, lexicon, {"text": "手数料いる？ あと家族に見てもらってもいい？", "intent": sure[0],
                                        "intent_ranking": sure})
    monkeypatch.setattr(FakeRasa, "intent", "card_fee")
    assert [m["custom"].get("answer_id") for m in read_other_questions(reply)] == ["card_fee"]
    assert not any(m["custom"].get("unanswered") for m in read_other_questions(reply))


def test_another_question_beside_the_face_auth_card_is_read_as_about_it(fake_rasa, monkeypatch):
    """b57 c10-2: 「…暗証番号いらないカードあるって聞いたんすけど、それにしたらばあちゃん困ることあります？あと切り替えって俺が
    代わりに行ってもできるんすか？」 got the 顔認証 card and no answer on the switch by a proxy: the part, out of scope alone,
    is read with the kind of card the answer is about — that card's application by a proxy."""
    from actions.actions import answer_also_asked
    from bot.shared.answers import fitting_reply
    from bot.shared.concepts import load_lexicon
    from bot.shared.knowledge import load_knowledge
    kb, lexicon = load_knowledge(), load_lexicon()
    text = "暗証番号いらないカードにしたら困ることあります？あと切り替えって孫が代わりに行ってもできるんすか？"
    sure = [{"name": "face_auth_card_about", "confidence": 0.9}]
    reply = fitting_reply(kb, lexicon, {"text": text, "intent": sure[0], "intent_ranking": sure,
                                        "entities": [{"entity": "agent", "value": "proxy"}]})
    assert [m["custom"].get("answer_id") for m in reply] == ["face_auth_card_about"]
    monkeypatch.setattr(FakeRasa, "intent_of", staticmethod(
        lambda text: "face_auth_card_apply" if text.startswith("顔認証マイナンバーカードで、") else "out_of_scope"))
    answered = [m["custom"].get("answer_id") for m in answer_also_asked(text, reply)]
    assert answered[0] == "face_auth_card_about" and answered[1].startswith("face_auth_card_apply")
