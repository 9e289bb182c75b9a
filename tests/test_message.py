"""The one message contract (bot/shared/message.py): what Rasa's REST channel carries and what the gateway
reads back are the same message, and a Rasa-only user still sees the 出典 in the text."""
from bot.shared.answers import answer_message, decline_message, route_message
from bot.shared.knowledge import load_knowledge
from bot.shared.message import BotMessage


def test_every_answer_survives_the_trip_through_rasa():
    kb = load_knowledge()
    for entry in kb.entries:
        sent = answer_message(kb, entry)
        assert sent["text"] == f"{entry.answer}\n{kb.citation(entry)}"            # what REST shows, as before
        read = BotMessage.from_rasa(sent["text"], sent["buttons"], sent["custom"])
        assert (read.text, read.citation, read.answer_id) == (entry.answer, kb.citation(entry), entry.id)
        assert read.sources == sent["custom"]["sources"] and read.links == sent["custom"]["links"]
        assert read.to_rasa() == sent


def test_fallbacks_keep_their_payload_and_have_no_citation():
    kb = load_knowledge()
    assert decline_message(kb)["custom"] == {"fallback": True}
    routed = route_message("shikaku_validity", "市区町村にお問い合わせください。")
    read = BotMessage.from_rasa(routed["text"], routed["buttons"], routed["custom"])
    assert read.fallback and read.citation == "" and read.extra == {"uncovered": "shikaku_validity"}
    assert read.to_rasa() == routed


def test_a_citation_not_at_the_end_of_the_text_stays_in_it():
    read = BotMessage.from_rasa("本文\n出典：A\n［1］B", [], {"citation": "出典：A"})
    assert (read.text, read.citation) == ("本文\n出典：A\n［1］B", "")
