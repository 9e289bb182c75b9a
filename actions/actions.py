"""Custom actions: thin over the knowledge base (bot.shared.knowledge) and its message rendering (bot.shared.answers)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.guides import (check_topic, earlier_answer_ids, last_placed_reply, latest_intent, latest_text, pause_events,
                            paused_answer, previous_question, previous_reply, previous_result, reply_before_a_decline, reply_to_part,
                            requested_check, resume_asked, running_flow, utter)
from actions.hiragana import for_the_reader, reads_hiragana
from actions.reading import parse
from actions.safety import safe_run
from actions.session import session_events
from bot.shared import guides
from bot.shared.answers import (answer_message, clarify_message, entry_buttons, fitting_reply, meant_entities, message_entities, unanswered_message,
                                unknown_answer_message)
from bot.shared.concepts import CoveredConcept, Found, Lexicon, load_lexicon
from bot.shared.fit import (ASKS_ON, NUMBERED, SENTENCE, about_the_card, asked_and_told, asking_parts, tells_after_asking, also_asked_parts, asked_topics, nearby_named, other_questions, part_number,
                            numbered_parts, parts_asked_again, question_parts, ranked_intents, topics_asked)
from bot.shared.conversation import (ACKNOWLEDGED, ASKS_WHERE, KANA, SHORT_REPLIES, about_someone_else, asks, asks_for_a_person, aspect_of_the_answer, carried_kind,
                                     NotAbout, quotes_another_text,
                                     held_by_the_answer, neighbours_of, by_their_numbers, short_follow_up, cannot_phone, phones_for_them,
                                     corrected_question, following_up, for_a_hiragana_reader, for_the_medical_side, hard_to_read, in_short,
                                     answer_to_part, is_plain_decline, last_answer_id, missed_the_question, names_a_topic, names_the_person,
                                     named_in_the_answer, neighbour_named, not_again, not_understood, only_thanks, outranking_answer, read_as_unsure,
                                     refers_back,
                                     restated_question, result_in_short, routed_in_context, said_before, still_governed, still_routed,
                                     steps_left, variant_asked, wants_kana, what_it_is_not_about, when_in_the_answer, where_to_ask,
                                     with_hiragana_offer, WHERE_TO_ASK,
                                     words_in_the_answer)
from bot.shared.kana import KANJI
from bot.shared.knowledge import KnowledgeBase, load_knowledge
from bot.shared.message import BotMessage


def latest_entities(tracker: Tracker) -> Dict[str, List[str]]:
    """Entity name → its values in the latest message, as text."""
    return message_entities(tracker.latest_message)


def with_guide_buttons(message: dict, intent: str, paused: Optional[str] = None) -> dict:
    """A paused check gets 「チェックを続ける」; answers of a topic with a check offer it."""
    if paused in guides.FLOWS:
        message["text"] += f"\n（{guides.FLOWS[paused].title}は一時停止中です。続きは「チェックを続ける」から）"
        message["buttons"].append({"title": "チェックを続ける", "payload": "/resume_guide"})
    elif intent in guides.GUIDE_FOR_INTENT:
        message["buttons"].append(guides.check_button(guides.GUIDE_FOR_INTENT[intent]))
    return message


def said_by_user(tracker: Tracker) -> List[str]:
    """Everything the user has said in the conversation, the latest message last."""
    said = [event.get("text") or "" for event in session_events(tracker) if event.get("event") == "user"]
    return said + [tracker.latest_message.get("text") or ""]


def writes_by_fax(tracker: Tracker) -> bool:
    """The user has said in the conversation that they cannot phone, and does not now phone for them: declines name the
    FAX line."""
    return cannot_phone(said_by_user(tracker)) and not phones_for_them(latest_text(tracker))


ASKS_THE_PHONE = re.compile(r"電話|でんわ|フリーダイヤル|ふりーだいやる")
FREE_DIAL = "0120-95-0178"


def with_fax_for_who_cannot_phone(tracker: Tracker, messages: List[dict]) -> List[dict]:
    """A fallback (decline, routing reply, 「もしかして」) to a user who has said they cannot phone names the FAX line for
    questions about the card (0120-601-785, manual p.28), and so does an answer that names the free dial (before its 出典)
    — the eleventh trial sent a deaf user to the free dial twice; the
    free dial's answer (its phone menu) gives way to the FAX line's — not when the message asks about the phone itself
    (twentieth trial: a volunteer for her deaf neighbour asked 「でんわ は なんじ まで やってる？」 and got the FAX answer
    a third time), nor when the writer phones for them (「…みみが とおいので わたしが かわりに でんわしても いいですか」).
    The lost-card steps (which outrank the free dial) come after the FAX line's answer."""
    if not writes_by_fax(tracker):
        return messages
    kb = load_knowledge()
    latest = latest_text(tracker)
    asks_the_phone = bool(ASKS_THE_PHONE.search(latest)) and not cannot_phone([latest])
    if not asks_the_phone and any(m["custom"].get("answer_id") == "free_dial" for m in messages):   # (sixteenth trial, a
        fax = answer_message(kb, kb.by_id["fax_inquiry"])                    # deaf user): the FAX line in its place
        messages = [fax if m["custom"].get("answer_id") == "free_dial" else m for m in messages
                    if m["custom"].get("answer_id") != "fax_inquiry"]
    lost = kb.by_id["lost_card"].answer
    if (any(m["text"].startswith(lost) for m in messages)   # the lost-card steps given: stopping the card by FAX first
            and not any(m["custom"].get("answer_id") == "fax_inquiry" for m in messages)):
        messages = [answer_message(kb, kb.by_id["fax_inquiry"]), *messages]
    for message in messages:
        if "0120-601-785" in message["text"]:
            continue
        if message["custom"].get("fallback"):
            message["text"] = f"{message['text']}\n{kb.messages['fax_note']}"
        elif message["custom"].get("answer_id") and FREE_DIAL in message["text"] and not asks_the_phone:
            # an answer that sends them to the free dial (session 50's trial, a deaf daughter: 「使えなかったときは、
            # マイナンバー総合フリーダイヤル（0120-95-0178）へ」): the FAX line too, before its 出典
            said = BotMessage.from_rasa(message["text"], message.get("buttons") or [], message["custom"])
            said.text = f"{said.text}\n{kb.messages['in_short_fax']}"
            message["text"] = said.full_text
    return messages


def for_the_clinic_staff(tracker: Tracker, messages: List[dict]) -> List[dict]:
    """A fallback to a writer from a clinic or pharmacy counter does not send them to 「受診する医療機関」 (themselves):
    it says that the medical side is not in the documents, and where to ask about the card and the insurance."""
    said = said_by_user(tracker)
    for message in messages:
        rest = for_the_medical_side(said, message["text"]) if message["custom"].get("fallback") else None
        if rest is not None:
            message["text"] = "\n".join(part for part in (rest, load_knowledge().messages["medical_side"]) if part)
    return messages


def fitting_messages(tracker: Tracker, message: Optional[dict] = None) -> List[dict]:
    """`replying` with the FAX line named in its fallbacks for a user who cannot phone; for a user who has asked for
    hiragana, in hiragana from then on (until 「漢字でいい」); to a question written in kana only, 「ひらがなで よむ」 beside
    an answer and a decline in hiragana."""
    messages = for_the_clinic_staff(tracker, with_fax_for_who_cannot_phone(tracker, replying(tracker, message)))
    if reads_hiragana(tracker):
        return for_a_hiragana_reader(load_knowledge(), messages, by_fax=writes_by_fax(tracker), lexicon=load_lexicon(),
                                     text=latest_text(tracker))
    return with_hiragana_offer(load_knowledge(), latest_text(tracker), messages)


# the classifier this sure of a topic the message names, and not of the answer just given or its neighbours: another topic
# (「参加者には何を持ってきてもらえばいいですか？」 after the outreach answer: card_uses 0.14 is noise, the answer's lines stand)
ANOTHER_TOPIC_MIN = 0.20
# this sure of a topic the message names and the answer just given is not near: another topic even when it starts from
# that answer (session 43's trial, after the PIN's sharing: 「ほんなら顔認証のカードにするわ。まだ申請もしとらんのじゃが、
# 息子を役所に連れて行かんと申し込めんのか。」, face_auth_card_apply 0.98, got that answer's line 「顔認証カードは市区町村に」)
ANOTHER_TOPIC_SURE = 0.90


@dataclass
class Turn:
    """The latest message (or its reading) and what came before it, as the steps of `replying` read them."""

    tracker: Tracker
    message: dict
    kb: KnowledgeBase = field(default_factory=load_knowledge)
    lexicon: Lexicon = field(default_factory=load_lexicon)

    @property
    def text(self) -> str:
        return self.message.get("text") or ""

    @property
    def unsure(self) -> bool:
        return (self.message.get("intent") or {}).get("name") == "nlu_fallback"

    @functools.cached_property
    def found(self) -> Found:
        """The concepts the message names (read once a message: several steps ask)."""
        return self.lexicon.find(self.text)

    @functools.cached_property
    def replied(self) -> List[dict]:
        return previous_reply(self.tracker)

    @property
    def previous(self) -> Optional[str]:
        """The answer just given, if any — of the part the message names, after a reply part by part (「①について、
        市との打合せでは何を決めておけばいいですか？」 after answers to ①②③: ①'s, session 35's blind trial)."""
        return self.part_answer or self.earlier_answer_named or last_answer_id(self.replied) or self.answer_before_a_decline

    @functools.cached_property
    def earlier_answer_named(self) -> Optional[str]:
        """An earlier answer of a reply that gave several, when the message names its topic (a concept's main intent) and
        not the last one's
        (session 53's blind trial: 「FAXの様式、手元にない。どこで手に入る」 after the FAX's answer then the lost card's — the
        FAX's, whose line gives the form's address)."""
        answer_ids = list(dict.fromkeys(c["answer_id"] for c in self.replied if c.get("answer_id")))
        if len(answer_ids) < 2:
            return None
        asked = {self.lexicon.covered[cid].intents[0] for cid in asked_topics(self.found.covered, self.lexicon)}
        entries = [self.kb.by_id[i] for i in answer_ids if i in self.kb.by_id]
        named = [entry.id for entry in entries if entry.intent in asked]
        return named[-1] if named and entries[-1].intent not in asked else None

    @functools.cached_property
    def answer_before_a_decline(self) -> Optional[str]:
        """The answer given before a reply that placed nothing (`reply_before_a_decline`), when the message declined named
        no topic of its own (「スケジュール感を知りたいです。どのくらい前から…」 after the outreach) — not after one that
        did (「暗証番号のいらないカードにしたい…」 then 「それにするとマイナポータルは…」: that card, not the PIN kinds)."""
        if asked_topics(self.lexicon.find(previous_question(self.tracker)).covered, self.lexicon):
            return None
        return last_answer_id(reply_before_a_decline(self.tracker))

    @functools.cached_property
    def main_answer(self) -> Optional[str]:
        """The answer given before the one just given when that one is among its related entries — a side step from it
        (session 40's blind trial, a deaf user: the lost-card steps, then its FAX; 「けいさつ いく？」 and 「再発行は、どこで
        手続きしますか。」 were declined)."""
        previous = self.previous
        before = [answer_id for answer_id in earlier_answer_ids(self.tracker) if answer_id != previous][:1]
        main = self.kb.by_id.get(before[0]) if before else None
        return main.id if main is not None and previous in main.related else None

    @functools.cached_property
    def part_answer(self) -> Optional[str]:
        """The answer given to the numbered part the message names (「①について」), if any (read once a message)."""
        return answer_to_part(self.replied, self.text)

    @functools.cached_property
    def refers_back(self) -> bool:
        """The message starts from what was just said (「それって…」) or from one of its numbered parts (「①について」) — not
        when it only quotes something read elsewhere (`quotes_another_text`)."""
        previous = self.kb.by_id.get(self.previous or "")
        quotes_elsewhere = previous is not None and quotes_another_text(self.text, previous.answer)
        return (refers_back(self.text) and not quotes_elsewhere) or self.part_answer is not None

    @functools.cached_property
    def about_another_topic(self) -> bool:
        """The message asks about covered topics that neither the answer just given nor its related entries are about
        or name (「それって家族が代わりに手続きしてもいいの？」 after the PIN reset asks about its 代理者) — or, when it does
        not start from the answer (それ…), that the classifier finds likelier than any of theirs (a blind trial, 2026-12-03:
        「できたカードは嫁の私が代わりに役所へ受け取りに行けますか？何を持っていけば…」 after the mail application got its
        line 「市区町村の窓口でも再発行しています（本人確認書類を持参）」 — the application form's, read as the proxy's) — or
        that names a pinned topic (a concept that `outranks`) none of theirs answers, even when it starts from the answer."""
        previous = self.kb.by_id.get(self.previous or "")
        asked = asked_topics(self.found.covered, self.lexicon)
        if previous is None or not asked:
            return False
        # next to it: its related entries, and those whose number it gives (the free dial's hours, asked after a card
        # refused at a hospital with out_of_scope likeliest: 「そこの受付時間は？日曜もやってる？」, session 33's trial)
        near = [previous, *(self.kb.by_id[i] for i in previous.related if i in self.kb.by_id),
                *by_their_numbers(self.kb, previous)]
        near_intents, asked_intents = {entry.intent for entry in near}, self.lexicon.intents_of(asked)
        likeliest = self._likeliest_of(near_intents | asked_intents)
        if likeliest is not None and likeliest not in near_intents and (
                not self.refers_back or dict(self.ranked).get(likeliest, 0.0) >= ANOTHER_TOPIC_SURE):
            return True   # 「できたカードは嫁の私が代わりに役所へ受け取りに行けますか？何を持っていけば…」 after the mail application
        pinned = [concept for concept in asked if self.lexicon.covered[concept].outranks]
        if any(not near_intents & self.lexicon.intents_of([concept]) for concept in pinned):
            return True   # 「ほんなら…暗証番号いらんやつに変えたいねんけど…」 after the card at a visit (session 40's blind trial);
            # each on its own (b66 c03-2: 「通知カードを紛失している入居者が…」 after the outreach — 紛失 alone names the
            # 資格確認書, beside it)
        if near_intents & asked_intents:
            return False
        return not set(asked) & set(self.lexicon.find("。".join(f"{e.title}。{e.answer}" for e in near)).covered)

    @functools.cached_property
    def ranked(self) -> List[Tuple[str, float]]:
        """The classifier's knowledge intents with their confidences, likeliest first."""
        return ranked_intents(self.message.get("intent_ranking") or [], set(self.kb.intents))

    @property
    def on_the_answers_topic(self) -> bool:
        """The classifier's likeliest topic (at least ANOTHER_TOPIC_MIN) is the answer just given's."""
        previous, ranked = self.kb.by_id.get(self.previous or ""), self.ranked
        return bool(previous and ranked and ranked[0][0] == previous.intent and ranked[0][1] >= ANOTHER_TOPIC_MIN)

    @property
    def sure_of_another_topic(self) -> bool:
        """The classifier reads the message surely (READ_ALONE_SURE) as a topic neither the answer just given nor its
        related entries are about."""
        previous, ranked = self.kb.by_id.get(self.previous or ""), self.ranked
        near = {previous.intent, *(self.kb.by_id[i].intent for i in previous.related if i in self.kb.by_id)} if previous else set()
        return bool(ranked) and ranked[0][1] >= READ_ALONE_SURE and ranked[0][0] not in near

    def _likeliest_of(self, intents: Set[str]) -> Optional[str]:
        """The classifier's likeliest of `intents` among its three likeliest (at least ANOTHER_TOPIC_MIN), if any."""
        return next((name for name, conf in self.ranked[:3] if name in intents and conf >= ANOTHER_TOPIC_MIN), None)

    @functools.cached_property
    def reply(self) -> List[dict]:
        """The fit rules' reply to the message on its own (bot.shared.fit), its other questions read too."""
        return answer_also_asked(self.text, read_other_questions(fitting_reply(self.kb, self.lexicon, self.message)))

    @property
    def routed(self) -> bool:
        """The reply routes a topic the documents do not cover."""
        return any(m["custom"].get("uncovered") for m in self.reply)


def _about_what_was_said(turn: Turn) -> List[dict]:
    return about_what_was_said(turn.tracker, turn.text, turn.previous)


def _corrected(turn: Turn) -> List[dict]:
    """「資格確認書じゃなくてマイナンバーカードの方でした」: the previous question as corrected; a question restated
    (「…じゃなくて…の方で受診するには？」) or with a sentence saying what it is not about: the rest of it, never read as
    that (`not_this`)."""
    corrected = ((corrected_question(previous_question(turn.tracker), turn.text) if turn.previous else None)
                 or restated_question(turn.text))
    if corrected:
        return reply_to_part(corrected)
    aside = what_it_is_not_about(turn.text)
    return not_this(turn, aside) if aside else []


def not_this(turn: Turn, aside: NotAbout) -> List[dict]:
    """The reply to `rest`, read on its own, never as the topic of what the message says it is not about — the main
    topics that names, and the answer just given when it is one of them (fifteenth trial: 「顔認証カードの説明じゃなくて
    …普通のカードの人です。その場で暗証番号教えられてヘルパーが入力するのはアリかナシか知りたいんです」 got the
    顔認証カード answer's lines again)."""
    not_about, rest = aside.not_about, aside.rest
    set_aside = turn.lexicon.find(not_about)
    named = asked_topics(set_aside.covered, turn.lexicon)
    if not named and set_aside.uncovered:   # 「住所変更の件、承知しました。1点目の…更新を代理で…」: the rest alone
        return reply_to_part(rest, turn.message)
    if not named:   # no topic set aside — but a kind of card the answer's variants name (「通知カードの話じゃない。…なくしたのは
        # マイナンバーカード本体」, session 55's trial, b54 c02-5, got the lost 通知カード's variant): the rest alone
        text = turn.message.get("text") or ""
        named_aside = any(e.get("start") is not None and text[e["start"]:e["end"]] in not_about
                          for e in turn.message.get("entities") or [])
        # said in the first clause (「あ、ごめんなさい、コンビニとか免許のことじゃなくて、暗証番号を…どう直すかが知りたいんです」,
        # b58 c06-2, got the 顔認証 card): the rest alone; 「それはわかります。でも家族はだめなの？」: read whole
        if not (named_aside or aside.first_clause):
            return []
        alone = reply_to_part(rest, turn.message)
        # the rest read alone places no answer and the whole message does (b59 c06-5, 北海道弁: 「いや、そうでなくて、オレが聞きた
        # いのは母さんが行くんでなくて、息子のオレが代わりにカード受け取りに行けるかってことなんだわ。母さん78だけどさ」): the
        # whole message's reply stands
        answered = [m for m in turn.reply if m["custom"].get("answer_id")]
        return [] if answered and not any(m["custom"].get("answer_id") for m in alone) else alone
    previous = turn.kb.by_id.get(turn.previous or "")
    not_meant = {turn.lexicon.covered[concept].intents[0] for concept in named}
    if previous is not None and previous.intent in turn.lexicon.intents_of(named):
        not_meant.add(previous.intent)   # 「顔認証カードの説明じゃなくて…」 after that answer
    return reply_to_part(rest, turn.message, tuple(sorted(not_meant)))


def _each_part(turn: Turn) -> List[dict]:
    """Numbered parts, or those said to be unanswered, each answered — not when a governing topic is named
    (「①父が亡くなりました…②保険証は？」 routes the whole message)."""
    asked_again = parts_asked_again(turn.text, previous_question(turn.tracker))
    parts = asked_again or numbered_parts(turn.text)
    if not parts or any(turn.lexicon.uncovered[c].governs for c in turn.found.uncovered):
        return []
    return answer_each_part(parts, lead="" if asked_again else lead_topics(turn.text, turn.lexicon))


def lead_topics(text: str, lexicon: Lexicon) -> str:
    """The sentences before a message's first numbered part that name a topic (「…市の出張申請受付を利用したいと考えて
    おります。①市への依頼はどれくらい前に…」): what its parts that name none are about."""
    mark = NUMBERED.search(text)
    lead = SENTENCE.findall(text[:mark.start()]) if mark else []
    return "".join(sentence.strip() for sentence in lead if asked_topics(lexicon.find(sentence).covered, lexicon))


def _each_question(turn: Turn) -> List[dict]:
    """Questions asked in sentences of their own about different topics (`question_parts`), each answered, when the
    reply to the whole message leaves one of them out (fifteenth trial: six of sixteen conversations lost a question
    this way) — not when a governing topic is named, nor when fewer than two parts get an answer or a routing reply,
    unless the whole message got none (twentieth trial: 「…病棟でマイナンバーカードを紛失してしまいました（…）。病院として
    まず何をすべきでしょうか。また、再発行までの間の受診や資格確認はどうなりますか。」 got 「もしかして」)."""
    parts = question_parts(turn.text, turn.lexicon)
    if not parts or any(turn.lexicon.uncovered[c].governs for c in turn.found.uncovered):
        return []
    answered = [turn.kb.by_id[m["custom"]["answer_id"]] for m in turn.reply if m["custom"].get("answer_id") in turn.kb.by_id]
    given = {entry.intent for entry in answered} | {m["custom"]["uncovered"] for m in turn.reply if m["custom"].get("uncovered")}
    if all(topics_asked(part, turn.lexicon) & given for part in parts):
        return []
    replies = answer_each_part(parts)
    placed = [m for m in replies if m["custom"].get("answer_id") or m["custom"].get("uncovered")]
    whole_placed = any(m["custom"].get("answer_id") or m["custom"].get("uncovered") for m in turn.reply)
    return replies if len(placed) >= 2 or (placed and not whole_placed) else []


def _asked_alone(turn: Turn) -> List[dict]:
    """A message declined or met with 「もしかして」 whose sentences that ask, read without those that tell (what was said
    before, who the person is), place it: their reply (session 56's trial, b55 c03-3, in 土佐弁: 「郵便のことはわからん
    がか。ほいたら…役所で受け取る形にしたら、兄の儂が代わりに受け取れるがかえ？…弟は障害者手帳も持っちゃあせんがよ」, out of
    scope 0.52 as a whole, the proxy's pickup 0.81 for its question)."""
    if any(m["custom"].get("answer_id") or m["custom"].get("uncovered") for m in turn.reply):
        return []
    questions, told = asked_and_told(turn.text)
    reading = parse(questions) if questions and told else None
    reply = fitting_reply(turn.kb, turn.lexicon, reading) if reading else []
    return reply if any(m["custom"].get("answer_id") for m in reply) else []


IF_IT_HAPPENS = re.compile(r"もし|万が一|万一|いずれ|将来|(?:亡くな|なくな|死ん|逝)ったら|(?:亡くな|死)んだら")   # a death supposed
THE_SAME = re.compile(r"(?:それ|これ|そちら|こちら)も|同じ(?:です|でしょう|ですか|かな|なの|で|扱い)")   # as what was just said


def _still_governed(turn: Turn) -> List[dict]:
    """「母はマイナ保険証を使っていたんですが、保険証のほうの手続きはどうなりますか」 after a deceased person's card — or
    「ちなみに資格確認書も預かっているんですが、それも同じですか？」 (session 26's blind trials: the 資格確認書's definition);
    after any routing reply, 「代理人でもできる？」 (`still_routed`)."""
    governed = still_governed(turn.lexicon, last_placed_reply(turn.tracker), turn.text)
    named = [cid for cid in turn.found.covered if not turn.lexicon.covered[cid].aspect]
    if governed and IF_IT_HAPPENS.search(_routed_question(turn.tracker)[1]) and named and not THE_SAME.search(turn.text):
        return []   # 「もし父が亡くなったら…」, then 「…娘の私でも暗証番号を知っとってええの？」: the father lives (b66 c02-5)
    if governed and ((about_the_card(turn.text) and _about_the_same(turn)) or not named):
        return governed   # nothing named of its own, or only an aspect of the routed topic: 「役所に持っていけばいいんですか？」
        # — not 「あと、入所者の住民票を施設の住所に移したほうがよいのでしょうか。」 (入所者: who, in general)
    return still_routed(turn.kb, turn.lexicon, turn.replied, turn.text)


LATIN_WORDS_MIN = 3   # 「I lost my card」, not 「QR code」 nor 「NHK」


def _not_in_japanese(turn: Turn) -> List[dict]:
    """A message in English or another language in Latin letters is not declined as uncovered ("not in the documents"
    said of a question about a lost card): the assistant reads Japanese only (romaji Japanese is read:
    bot.rasa_side.kana.romaji_written), and the foreign-language free dial is named, with its entry as a button."""
    if KANA.search(turn.text) or KANJI.search(turn.text) or len(re.findall(r"[A-Za-z]+", turn.text)) < LATIN_WORDS_MIN:
        return []
    return [BotMessage(text=turn.kb.messages["not_japanese"], fallback=True,
                       buttons=entry_buttons(turn.kb, ["free_dial_foreign_language"])).to_rasa()]


def _only_thanks(turn: Turn) -> List[dict]:
    """A message that only thanks, whatever the classifier read (「わがった、まず電話してみっから。あんがとね」)."""
    return [BotMessage(text=turn.kb.messages["thanks"]).to_rasa()] if only_thanks(turn.text) else []


def _about_the_same(turn: Turn) -> bool:
    """The message names the person talked about (母, 故人…), not someone else (`about_someone_else`), or says
    「それも同じ」."""
    routed, question = _routed_question(turn.tracker)
    return (names_the_person(turn.text) and not about_someone_else(turn.lexicon, routed, question, turn.text)) or bool(
        THE_SAME.search(turn.text))


def _routed_question(tracker: Tracker) -> Tuple[str, str]:
    """The topic the last routing reply routed and the user's message it answered (("", "") if none)."""
    events = session_events(tracker)
    at = next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "bot"
               and ((events[i].get("data") or {}).get("custom") or {}).get("uncovered")), None)
    if at is None:
        return "", ""
    question = next((events[i].get("text") or "" for i in range(at - 1, -1, -1) if events[i].get("event") == "user"), "")
    return events[at]["data"]["custom"]["uncovered"], question


def _in_short_beside_hard_to_read(turn: Turn) -> List[dict]:
    """「かんじが おおくて よくわからない かーどなくても…？」: the answer to the question, in short — also in a first
    message that asks for hiragana (seventeenth trial: 「ぜんぶ ひらがなで おねがい します。…あんしょうばんごうを わすれて…」
    got the answer in kanji and a button). What the documents do not say, asked beside it, still follows (b59 c05-6:
    「…電話は英語でも大丈夫ですか？モンゴル語の電話はありますか？」 lost the reply that Mongolian is in no document)."""
    answer_id = turn.reply[0]["custom"].get("answer_id") if turn.reply else None
    if answer_id and hard_to_read(turn.lexicon, turn.text) and (turn.previous or wants_kana(turn.text)):
        routes = [message for message in turn.reply[1:] if message["custom"].get("uncovered")]
        return in_short(turn.kb, answer_id, hiragana=wants_kana(turn.text), by_fax=writes_by_fax(turn.tracker),
                        lexicon=turn.lexicon, text=turn.text) + routes
    return []


def _not_again(turn: Turn) -> List[dict]:
    """`not_again` — but when the answer would be the same again, the message's questions read alone first
    (fifteenth trial, after the PIN answer: 「暗証番号はやめときます。で、カード自体は施設で預かってもいいんですよね？
    なにかルールみたいなのあります？」 got 「同じになるため、くり返しません」: its first sentence named the PIN)."""
    given = {custom.get("answer_id") for custom in turn.replied}
    repeated = _answers(turn.reply)
    if repeated and repeated <= given:
        questions, told = asked_and_told(turn.text)
        # only when what is left out names a topic: 「…同意のボタンまで押しちゃっても大丈夫なやつ？本人ほぼしゃべれない方
        # なんだけど」 after the reader's steps (session 50's trial) is their line, not the question alone's PIN answer;
        # and only what is said before the questions: 「…申請がいるのかいらないのか結局どっちなんでしょう？その利用者さんは
        # カード自体持っていません。…」 (b57 c01-5) tells whom the question is about (read alone, it got the card holders')
        if questions and told and turn.lexicon.find(told).covered and not tells_after_asking(turn.text):
            anew = reply_to_part(questions, turn.message)
            if _answers(anew) and not _answers(anew) & given:
                return anew
    return not_again(turn.kb, turn.reply, turn.replied, turn.text, turn.lexicon)


def _answers(messages: List[dict]) -> Set[str]:
    """The entries a reply answers with — an empty set when any of its messages is no answer."""
    ids = [m["custom"].get("answer_id") for m in messages]
    return set(ids) if ids and all(ids) else set()


def _routed_beside_the_answer(turn: Turn) -> List[dict]:
    """A message routed as an uncovered topic that names neither a covered topic nor the card leans on the answer just
    given: routed as that answer's topic's side (a blind trial, 2026-12-03, after the 資格確認書: 「母は後期高齢者医療です。
    まだ届いていない場合はどこに聞けばいいですか」 was routed as the days until the card comes — ask the 市区町村 — not the
    資格確認書's delivery — ask the insurer)."""
    topics = [cid for cid in asked_topics(turn.found.covered, turn.lexicon)
              if set(turn.lexicon.covered[cid].intents) - WHERE_TO_ASK]   # 「どこに聞けば」 names where, not what
    if not (turn.previous and turn.routed) or topics or about_the_card(turn.text):
        return []
    return routed_in_context(turn.kb, turn.lexicon, turn.previous, turn.text)


# the message says it asks about something else (session 52's trial, b51 c05-5, after the 顔認証 card: 「それからもう一つ、…以前は
# 限度額なんとかという書類を…このカードがあれば要らないと伺いました」 was read as about that card)
NEW_TOPIC = re.compile(r"もう一つ|もうひとつ|別件|別の(?:話|質問|こと)|話(?:は|が)?(?:変わ|かわ)|ところで")


def _of_the_kind_talked_about(turn: Turn) -> List[dict]:
    """After an answer about a kind of card (`carried_kind`: the 顔認証マイナンバーカード), a question placed on its own (not a
    plain decline) that names no kind asks about that kind: read with its name, when that reading answers with one of its
    topics (session 26's blind trials, after the switch: 「保険証の登録は病院でもできると？」 got マイナポータル and the ATM,
    which need the PIN that card has not — 「顔認証カードを保険証に」 says how; 「コンビニで住民票はとれる？」 was routed as
    コンビニ交付 — 「顔認証カードでできること」 says it cannot)."""
    kind = carried_kind(turn.kb, turn.lexicon, turn.previous)
    if (kind is None or kind.id in turn.found.covered or is_plain_decline(turn.reply) or NEW_TOPIC.search(turn.text)
            or (turn.routed and not _answerable_of_the_kind(turn, kind))):
        return []   # routed: what the documents do not say of any card (session 44's trial, after the 顔認証 card's
        # services: 「障害年金の手続きでマイナンバーカードが要るかどうかは？」 got that card's application)
    if any(turn.lexicon.covered[cid].urgent for cid in turn.found.covered):
        return []   # a lost card is a lost card of any kind (session 53's trial, b52 c02-4, after the 顔認証 card: 「かーど
        # なくしたかも。…これで とめられるか」 got that card's services)
    if "カード" not in kind.terms[0] and about_the_card(turn.text):
        return []   # a kind that is no card (the 資格確認書) is not what a message naming the card asks about
    reading = parse(f"{kind.terms[0]}で、{turn.text}")
    reply = fitting_reply(turn.kb, turn.lexicon, reading) if reading else []
    of_the_kind = _answers(reply)
    if of_the_kind == {turn.previous}:   # the answer just given, whole, again (session 31's blind trial, after the 資格確認書:
        # 「施設で代わりに申請できる？」): its lines that name what is asked — not the classifier's reading elsewhere (session
        # 32's, 「施設でまとめて申請することはできますか？」: the card's outreach), nor the later steps' (which left it there)
        return said_before(turn.kb, turn.previous, turn.text, lexicon=turn.lexicon)
    if of_the_kind and of_the_kind != _answers(turn.reply) and all(turn.kb.by_id[i].intent in kind.intents for i in of_the_kind):
        return reply
    return []


def _answerable_of_the_kind(turn: Turn, kind: CoveredConcept) -> bool:
    """Every topic the reply routes is one the documents answer of the kind of card talked about (its `unless` names the
    kind): session 53's trial (b52 c07-2), after the switch to the 顔認証 card: 「本人じゃなくて娘さんだけ来た場合って、
    委任状？…電子証明書？の更新も一緒にしたいって」 routed the certificate's renewal — the switch's proxy steps say it."""
    routed = [m["custom"]["uncovered"] for m in turn.reply if m["custom"].get("uncovered")]
    return all(kind.id in turn.lexicon.uncovered[cid].unless for cid in routed if cid in turn.lexicon.uncovered)


def _offered_nearby(turn: Turn) -> Set[str]:
    """The entries next to the answer just given that the reply on its own gives or offers in 「もしかして」 (「どんな書類が
    いるんかね」 after who qualifies for the proxy: its documents) — not a far topic (「番号は？何番押す？」 after the lost
    card: the free dial)."""
    previous = turn.kb.by_id.get(turn.previous or "")
    offered = _answers(turn.reply) | {c for m in turn.reply for c in m["custom"].get("candidates") or []}
    return offered & {entry.id for entry in neighbours_of(turn.kb, previous)} if previous else set()


BACK_TO = re.compile(r"(?:話|件|こと|の)に戻(?:る|り|って|ります)|話を戻")   # 「さっきの話に戻るけど、…」


def _back_to_an_earlier_answer(turn: Turn) -> List[dict]:
    """「さっきの話に戻るけど、警察の受理番号って何に使うの？」 (session 28's blind trials: asked back about the answer just
    given): the lines of the latest earlier answer of this session that name the message's words."""
    if not BACK_TO.search(turn.text):
        return []
    for answer_id in earlier_answer_ids(turn.tracker):
        quoted = said_before(turn.kb, answer_id, turn.text, intro="from_topic")
        if quoted:
            return quoted
    return []


def _steps_left(turn: Turn) -> List[dict]:
    """「警察にはもう届けました。次は何をすればいいですか？」 after the lost-card steps: the steps not done (`steps_left`)."""
    return steps_left(turn.kb, turn.previous, turn.text)


def _held_by(turn: Turn, answer_id: Optional[str], intro: str = "said_before") -> List[dict]:
    """The lines of `answer_id` that hold every word of a short follow-up (`held_by_the_answer`), unless what the reply
    gives or offers nearby holds them too, or the reply routes (the documents do not say it)."""
    return held_by_the_answer(turn.kb, turn.lexicon, answer_id, _answers(turn.reply) | _offered_nearby(turn),
                              turn.text, turn.routed, intro=intro)


def _held_by_the_answer(turn: Turn) -> List[dict]:
    """「委任状の書式は？」 after the proxy's switch to the 顔認証 card: that answer's lines."""
    return _held_by(turn, turn.previous)


def _held_by_the_main_answer(turn: Turn) -> List[dict]:
    """「けいさつ いく？」 after the FAX for a lost card: the lines of the lost-card steps it was a side step from."""
    return _held_by(turn, turn.main_answer, intro="from_topic") if turn.main_answer else []


def _aspect_of_the_answer(turn: Turn) -> List[dict]:
    """「お金はかかりますか」 after the 資格確認書: the lines of the answer just given that name it (`aspect_of_the_answer`) —
    not when the reply gives or offers a neighbour (「必要書類は？」 after who may be the proxy: the proxy's documents)."""
    if not turn.previous or _offered_nearby(turn):
        return []
    return aspect_of_the_answer(turn.kb, turn.lexicon, turn.previous, turn.text)


def _variant_of_the_answer(turn: Turn) -> List[dict]:
    """A follow-up that names no topic of its own but selects another variant of the answer just given (session 27's blind
    trials, after the PIN reset: 「本人は寝たきりなんですけど、家族が代わりに問い合わせることはできますか」 got who may
    collect a card): that variant (`variant_asked`), whatever the classifier finds likeliest — before the lines of the answer
    just given (session 38's, after the switch to the 顔認証 card: 「本人が役所に来れない場合は？」 got its line on going
    oneself, not the proxy's 委任状)."""
    previous = turn.kb.by_id.get(turn.previous or "")
    # a topic named: only the answer's own (b63 c06-2, after the PIN's reset: 「…あたしが代わりに役所行って再設定してもらう
    # ってのはアリなの？」 — its proxy's variant, not its lines)
    if (previous is None or turn.found.uncovered
            or any(turn.lexicon.covered[cid].intents[0] != previous.intent
                   for cid in asked_topics(turn.found.covered, turn.lexicon))):
        return []
    if turn.sure_of_another_topic:
        return []   # b63 c10-2, after the merits: 「申請ってスマホだけで完結する？受け取りも行かなきゃダメ？」 (card_pickup 0.83)
    return variant_asked(turn.kb, turn.previous, meant_entities(turn.message), of_related=_related_variant_may_fit(turn))


def _related_variant_may_fit(turn: Turn) -> bool:
    """A related answer's variant may be what a follow-up selects — not when the classifier reads the answer's own topic,
    nor when the message names it (b68 c05-2, after the visit's steps: 「…ゆびが うごかないの だれかに かわりに おいて」,
    placing the card, got the PIN reset's proxy)."""
    return not (turn.on_the_answers_topic or asked_topics(turn.found.covered, turn.lexicon))


def today() -> dt.date:
    """Today's date, for the documents' dates framed for today (tests set it)."""
    return dt.date.today()


def _when_in_the_answer(turn: Turn) -> List[dict]:
    """「もう過ぎてる？」「いつから？」 after an answer with dates: its dated lines, and which dates are past today."""
    return when_in_the_answer(turn.kb, turn.lexicon, turn.previous, turn.text, today())


def _referring_back(turn: Turn) -> List[dict]:
    """A message that starts from (or checks back) what was just said, read against it — not one that asks about topics
    that answer neither is about nor names (twentieth trial, after the PIN answer: 「それって、さっき言いよった出張の
    やつ、…自宅にも来てくれるとやろ？どこに頼めばよかと？」 got the PIN answer's lines that say where)."""
    if not turn.refers_back or turn.about_another_topic:
        return []
    kb, previous = turn.kb, turn.previous
    # 「さっき…と書いてありましたね。それで合ってますか。それと、写真の大きさは縦横何センチでしたか。」 (b62 c02-3): what
    # refers back is read without the questions of their own after it, which are answered after it, each read alone
    others = other_questions(turn.text)
    text = _without(turn.text, others)
    # a routed topic that governs (a deceased person's card) — not for a message back on a topic of its own (「さっきの管理の
    # 話に戻りますけど、…その時の記録は何を書いておけばいいですか」, session 27's blind trials: the deceased's reply again)
    own_topic = asked_topics(turn.found.covered, turn.lexicon) and not _about_the_same(turn)
    governed = [] if own_topic else still_governed(turn.lexicon, turn.replied, text)
    followed = (governed or routed_in_context(kb, turn.lexicon, previous, text)
                or outranking_answer(kb, turn.lexicon, previous, turn.found)
                or where_to_ask(kb, previous, text)
                or following_up(kb, turn.reply, previous, unsure=turn.unsure, text=text, lexicon=turn.lexicon))
    if followed is turn.reply:
        return _not_again(turn) or turn.reply
    given = _answers(followed) | {previous}
    return followed + [m for m in (answer_each_part(others) if others else [])
                       if m["custom"].get("uncovered") or m["custom"].get("answer_id") not in given | {None}]


def _without(text: str, sentences: List[str]) -> str:
    """The message without the sentences."""
    for sentence in sentences:
        text = text.replace(sentence, "")
    return text


def _next_to_the_answer(turn: Turn) -> List[dict]:
    """A follow-up the fit rules would decline or ask 「もしかして」 about: the variant of the answer just given that its
    words select (`variant_asked`: 「おらが代わりに役場さ行っても…」 after the PIN reset; a related topic's only when the
    classifier does not read the answer's own, as in `_variant_of_the_answer`), the answer next to it that it
    names (`neighbour_named`), else that answer's lines naming its topic (`named_in_the_answer`) or its words
    (`words_in_the_answer`: 「どこの銀行？」 after the ATM registration; any length when the classifier still finds the
    answer's topic likeliest), or for a short one that asks where, its lines that say where (`where_to_ask`: 「どこに言えば
    いい？」 after the refused card, session 27's blind trials) — not for a message about
    another topic (twentieth trial, after the photo answer: 「写真はわかったわ、おおきに。ほんでサインの方は？」 got the photo
    answer's lines)."""
    if not turn.previous or not all(m["custom"].get("fallback") and not m["custom"].get("uncovered") for m in turn.reply):
        return []
    if turn.about_another_topic:
        return []
    return (variant_asked(turn.kb, turn.previous, meant_entities(turn.message), of_related=_related_variant_may_fit(turn))
            or neighbour_named(turn.kb, turn.lexicon, turn.previous, turn.text)
            # asked where, in the last clause: the lines that say where (session 53's trial, b52 c05-2, after the PIN reset:
            # 「…番号がわからなくなったら、どこに行けばよかったんでしたっけ」 got the 顔認証 card's line, which names 暗証番号)
            or (where_to_ask(turn.kb, turn.previous, turn.text) if _asks_where_last(turn.text) else [])
            or named_in_the_answer(turn.kb, turn.lexicon, turn.previous, turn.text)
            or words_in_the_answer(turn.kb, turn.previous, turn.text, on_its_topic=turn.on_the_answers_topic)
            or (where_to_ask(turn.kb, turn.previous, turn.text) if short_follow_up(turn.text) else []))


def _asks_where_last(text: str) -> bool:
    """The message's last clause asks where to go or ask (「…、どこに行けばよかったんでしたっけ」)."""
    return bool(ASKS_WHERE.search(re.split(r"[、。,]", text.strip(" 　。?？"))[-1]))


def _only_who_after_the_answer(turn: Turn) -> List[dict]:
    """A short follow-up that names only who the person is (寝たきり, 役所に行けない: context concepts) and no topic, after an
    answer, is read against that answer — not as the classifier's likeliest topic elsewhere (session 31's blind trial,
    after the PIN reset: 「本人が役所に行けない場合は？」 got how to get a card): its lines, or 「もしかして」 with its related
    entries first (`following_up`)."""
    previous = turn.kb.by_id.get(turn.previous or "")
    found = turn.found
    if (previous is None or found.uncovered or not found.covered or not short_follow_up(turn.text)
            or not all(turn.lexicon.covered[cid].context for cid in found.covered)):
        return []
    if _answers(turn.reply) & {previous.id, *(entry.id for entry in neighbours_of(turn.kb, previous))}:
        return []   # answered on the answer's own topic or next to it
    return following_up(turn.kb, turn.reply, previous.id, unsure=True, text=turn.text, lexicon=turn.lexicon)


def _placed(turn: Turn) -> List[dict]:
    """The reply, when it is more than a plain decline — not the answer just given again in other words, nor a
    「もしかして」 that offers only the answer just given (twenty-first trial, after the lost-card steps: 「で何番おせば
    いいの？止めたあとはなにすればいい」 got one button, that answer; `following_up` quotes its lines)."""
    offered = {c for m in turn.reply for c in m["custom"].get("candidates") or []}
    if is_plain_decline(turn.reply) or (turn.previous and offered == {turn.previous}):
        return []
    return _not_again(turn) or turn.reply


def _following_up(turn: Turn) -> List[dict]:
    """An unsure message after an answer, read as following it up — not one about another topic."""
    if not (turn.unsure and turn.previous) or turn.about_another_topic:
        return []
    return following_up(turn.kb, turn.reply, turn.previous, text=turn.text, lexicon=turn.lexicon)


def _from_check_topic(turn: Turn) -> List[dict]:
    """「警察にもいかないとだめですか」 in the lost-card check: the lines of that check's answer that name it."""
    return said_before(turn.kb, check_topic(turn.tracker), turn.text, intro="from_topic")


def _topics_named(turn: Turn) -> List[dict]:
    """Nothing placed a message that names covered topics: 「もしかして」 (it may not be in the documents) with them
    (bot.shared.fit.nearby_named), not the plain decline's 「書かれていないため、お答えできません」."""
    nearby = nearby_named(turn.text, turn.message.get("intent_ranking") or [], turn.lexicon, set(turn.kb.intents))
    return [clarify_message(turn.kb, nearby, doubtful=True)] if nearby and is_plain_decline(turn.reply) else []


# the first step with something to say gives the reply; else the plain decline (`Turn.reply`)
REPLY_STEPS: Tuple[Callable[[Turn], List[dict]], ...] = (
    _not_in_japanese, _only_thanks, _about_what_was_said, _back_to_an_earlier_answer, _corrected, _each_part, _still_governed, _in_short_beside_hard_to_read,
    _routed_beside_the_answer, _variant_of_the_answer,
    _of_the_kind_talked_about, _aspect_of_the_answer, _steps_left, _held_by_the_answer, _held_by_the_main_answer,
    _when_in_the_answer, _referring_back, _each_question, _asked_alone, _next_to_the_answer, _only_who_after_the_answer, _placed,
    _following_up, _from_check_topic,
    _topics_named)


def replying(tracker: Tracker, message: Optional[dict] = None) -> List[dict]:
    """The reply to the latest message (or to `message`, its reading), given only when the answer fits it
    (bot.shared.fit), read against the answer just given when the message starts from it (「それって家族が代わりに
    してもいいの？」) or when the classifier cannot place it and nothing else would be said (「娘です。父は82歳です」):
    that answer's related entries are offered (`following_up`); a follow-up to a deceased person's card is routed
    again (`still_governed`), one about an uncovered side of the answer's topic is routed (`routed_in_context`),
    one that asks where (「それってどこに申し込めばいいの？」) gets the answer's lines that say where (`where_to_ask`);
    a correction (「資格確認書じゃなくてマイナンバーカードの方でした」) answers the previous question as corrected; the
    answer just given is not given again in other words (`not_again`); a typed title and an answer or result that
    was hard to read: `about_what_was_said` (the answer to the rest of such a message comes in short too); a sentence
    saying what the question is not about, or a step done, is set aside (`what_it_is_not_about`, `not_this`); numbered
    parts, those said to be unanswered, and questions about different topics in sentences of their own are answered
    each (`answer_each_part`); a follow-up the classifier declines that names an answer next to the one just given
    gets it (`neighbour_named`), or that answer's lines naming its topic (`named_in_the_answer`); after an answer about the
    顔認証 card, a question naming no kind of card is read as about it (`_of_the_kind_talked_about`); a short follow-up
    naming only an aspect (お金, 申請) gets the answer's lines naming it (`_aspect_of_the_answer`), one whose every word the
    answer holds its lines (`_held_by_the_answer`); after a routing reply, 「代理人でもできる？」 is routed again
    (`still_routed`). The steps, in order: REPLY_STEPS; the answers a routing reply sets apart are left out
    (`without_look_alikes`)."""
    turn = Turn(tracker, message or tracker.latest_message)
    said = next((said for said in (step(turn) for step in REPLY_STEPS) if said), None) or turn.reply
    return without_look_alikes(turn, said)


def without_look_alikes(turn: Turn, messages: List[dict]) -> List[dict]:
    """The answers a routing reply of the message sets apart (`not_beside`: 「再発行 いくら」 beside 「交付手数料は無料です」
    reads as a free reissue, sixteenth trial) left out."""
    routes = [turn.lexicon.uncovered[m["custom"]["uncovered"]] for m in messages
              if m["custom"].get("uncovered") in turn.lexicon.uncovered]
    apart = {intent for route in routes for intent in route.not_beside}
    if not apart:
        return messages
    kept = [m for m in messages if not (m["custom"].get("answer_id") in turn.kb.by_id
                                        and turn.kb.by_id[m["custom"]["answer_id"]].intent in apart)]
    return kept or messages


def about_what_was_said(tracker: Tracker, text: str, previous: Optional[str]) -> List[dict]:
    """A button's title typed: that answer; the answer just given, or a check's result, that was hard to read: in short
    (「かんじが おおくて よくわからない」, 「ながい。わかりにくい。みじかく」); [] for any other message."""
    kb, lexicon = load_knowledge(), load_lexicon()
    titled = kb.titled(text)
    if titled:
        return [answer_message(kb, titled)]
    if previous and not_understood(lexicon, text):
        return in_short(kb, previous, hiragana=wants_kana(text), by_fax=writes_by_fax(tracker))
    result = previous_result(tracker) if not previous and hard_to_read(lexicon, text) else None
    if result:
        return result_in_short(kb, result["text"], result["custom"].get("citation") or "", text)
    return []


MAX_PARTS = 4   # LINE takes five messages per reply


def unmarked_part(part: str) -> str:
    """A numbered part without its mark, ending as a sentence (「②…ありますか 」 → 「…ありますか。」)."""
    text = NUMBERED.sub("", part, count=1).strip(" 、,\n")
    return text if re.search(r"[。?？!！]$", text) else text + "。"


def answer_each_part(parts: List[str], lead: str = "") -> List[dict]:
    """The numbered parts of a message (「①…代理で受け取ることはできますか？②…施設で管理したいと…問題ないでしょうか。
    ③…」), or those the user says got no answer (「②③の回答がないようですが…」), each read on its own by the NLU:
    each part's answer or routing reply, once, in order, and the note quoting the parts nothing placed (thirteenth trial:
    ② and ③ were only buttons); a part that asks on about the one before (「①私が代わりに受け取りに行くことはできますか。
    ②その場合、何を持っていけばよいでしょうか。」, a blind trial, 2026-12-03: ② was quoted as unanswered) is read with it;
    a part that names no topic, with the `lead` — the sentences before the parts that name one (session 26's blind trials:
    「…市の出張申請受付を利用したいと考えております。①市への依頼はどれくらい前に…②当日までに施設側で準備しておくべき
    ことは…③当日、入所者本人に用意してもらう書類を…」 got the proxy's documents and two parts unanswered).
    [] when Rasa cannot be asked or no part is placed: the whole message is read then."""
    kb, lexicon = load_knowledge(), load_lexicon()
    out: List[dict] = []
    placed: Dict[str, dict] = {}   # an answer or routing reply given, by its id
    numbers: Dict[str, List[int]] = {}   # the numbers of the parts it answers, by its id
    left: List[str] = []
    near: Dict[str, List[str]] = {}   # a part placed by nothing: the answers it came near
    # the marks sway the classifier: 「②暗証番号を設定しない方法はありますか」 read as the PIN kinds (0.61)
    unmarked = [unmarked_part(part) for part in parts[:MAX_PARTS]]
    for i, (part, question) in enumerate(zip(parts, unmarked)):
        asks_on = i > 0 and ASKS_ON.match(question)   # 「②その場合、何を持っていけば…」: read with ①
        about_the_lead = lead and not asked_topics(lexicon.find(question).covered, lexicon)
        reading = parse(unmarked[i - 1] + question if asks_on else lead + question if about_the_lead else question)
        if reading is None:
            return []
        first = fitting_reply(kb, lexicon, reading)[0]
        custom = first["custom"]
        key = custom.get("uncovered") if custom.get("fallback") else custom.get("answer_id")
        number = part_number(part)
        if key and key not in placed:
            placed[key] = first
            out.append(first)
        elif not key:
            left.append(part)
            near[part] = _nearest_answers([first])
        if key and number is not None:
            numbers.setdefault(key, []).append(number)
    if not out:
        return []
    for key, parts_answered in numbers.items():   # 「①について、…」 next: that part's answer (`Turn.previous`)
        placed[key]["custom"]["parts"] = parts_answered
    return out + _placed_by_nothing(kb, left, near, set(placed))


def _placed_by_nothing(kb: KnowledgeBase, questions: List[str], near: Dict[str, List[str]], given: Set[str]) -> List[dict]:
    """The note for questions read alone that nothing placed: those near answers not given, with them as buttons; those
    near only answers given, none (what the documents say is there); the others, 「見つかりませんでした」."""
    nearest = {q: near.get(q) or [] for q in questions}
    offered = [q for q in questions if set(nearest[q]) - given]
    alone = [q for q in questions if not nearest[q]]
    return ([unanswered_message(kb, alone, read_alone=True)] if alone else []) + (
        [unanswered_message(kb, offered, near=[i for q in offered for i in nearest[q] if i not in given])] if offered else [])


# another question that names no topic is often elliptical (「郵便で申請できますか？あと、スマホでもできる？」: alone,
# smartphone_certificate 0.64): the classifier alone places it only when this sure
READ_ALONE_SURE = 0.8


def read_other_questions(reply: List[dict]) -> List[dict]:
    """The other questions that name no topic (bot.shared.answers.unanswered_message), read on their own by the NLU:
    the answer or routing reply that reading gives in place of the note, when the classifier is sure (READ_ALONE_SURE);
    none for one it reads as the topic of an answer given (「…あと身寄りがないので、カードの受け取りは私が代理人として
    行けますか」 beside the proxy answer was said to have no answer); the note stays for those it cannot place (「…あと
    家族に言わないとだめ？」), or when Rasa cannot be asked."""
    kb, lexicon = load_knowledge(), load_lexicon()
    given = {message["custom"].get("answer_id") for message in reply}
    given_intents = {kb.by_id[i].intent for i in given if i in kb.by_id}
    kind = _kind_of_card(kb, lexicon, [i for i in given if i in kb.by_id])
    out: List[dict] = []
    for message in reply:
        left: List[str] = []         # not read alone (no Rasa): the note asks for it again
        left_alone: List[str] = []   # read alone, placed by nothing
        near: Dict[str, List[str]] = {}   # the answers each came near
        for question in message["custom"].get("unanswered") or []:
            reading = parse(question)
            if reading is not None and (reading.get("intent") or {}).get("name") in given_intents:
                continue   # read alone, it asks what an answer given answers (fifteenth trial: the note said otherwise)
            if kind and ((parse(f"{kind.terms[0]}で、{question}") or {}).get("intent") or {}).get("name") in given_intents:
                continue   # read as about the kind of card an answer is about, it asks what that answer answers (b59 c09-6:
                           # 「顔認証のカードにしたら番号もういらない？あときりかえも夫がやっていい？」, the switch's steps)
            if any(said_before(kb, answer_id, question, lexicon=lexicon) for answer_id in given if answer_id):
                continue   # 「あと土曜もつながる？」 beside the free dial's 「土日祝 9:30～17:30」 (a blind trial, 2026-12-03);
                           # 「①病院の受診には使えますか。」 beside 顔認証カードでできること (its 外来受診: session 27's)
            sure = reading is not None and (float((reading.get("intent") or {}).get("confidence") or 0.0) >= READ_ALONE_SURE
                                            or names_a_topic(lexicon, question, aspects=False, uncovered=False))
            part = fitting_reply(kb, lexicon, reading) if reading is not None else []
            placed = [m for m in part if m["custom"].get("uncovered")
                      or (m["custom"].get("answer_id") and m["custom"]["answer_id"] not in given)] if sure else []
            out += placed
            if not placed:
                (left if reading is None else left_alone).append(question)
                near[question] = _nearest_answers(part)
        if not message["custom"].get("unanswered"):
            out.append(message)
        out += [unanswered_message(kb, left)] if left else []
        out += _placed_by_nothing(kb, left_alone, near, {i for i in given if i})
    return out


def answer_also_asked(text: str, reply: List[dict]) -> List[dict]:
    """One or two answers, and a topic asked in another sentence of the message that they do not cover (offered as a
    button): that topic's answer too, when the NLU reads the sentence alone as it, sure (READ_ALONE_SURE) — b50 c04 T6,
    「…作るのにお金はかかりますか？申請はスマホでもできますか？」 (apply_methods 0.85 alone) got the fee and only a button
    for the ways to apply; 「…資格確認書が届くんですか？申請は要りますか」 asks on about the 資格確認書 (apply_methods 0.48
    alone). A part naming no kind of card is read also as about the kind an answer is about (b57 c10-2, beside the PIN and
    the 顔認証 card: 「あと切り替えって俺が代わりに行ってもできるんすか？」 — out of scope alone, that card's application 0.96
    with it): one of that kind's topics, as `_of_the_kind_talked_about` reads a later message.
    Not for numbered parts (`answer_each_part` reads them), nor when Rasa cannot be asked."""
    kb, lexicon = load_knowledge(), load_lexicon()
    ids = [message["custom"].get("answer_id") or "" for message in reply]
    if (not 0 < len(ids) <= 2 or not all(i in kb.by_id for i in ids) or any(m["custom"].get("fallback") for m in reply)
            or NUMBERED.search(text)):
        return reply
    given = [kb.by_id[i] for i in ids]
    told_before = _told_before(text)
    kind = _kind_of_card(kb, lexicon, ids)
    # what an answer given outranks is not its second answer (b70 c08-5: 「…本人と一緒に私も窓口に行く予定です。そのとき何を
    # 持って行けばいいですか？」 got the card's collection and then the 代理交付's seven papers)
    given_way = {name for cid in lexicon.find(text).covered for name in lexicon.covered[cid].outranks
                 if lexicon.covered[cid].intents[0] in {entry.intent for entry in given}}
    for part, intents in also_asked_parts(text, [entry.intent for entry in given], lexicon):
        reading = (_read_sure(part, intents) or (_read_sure(f"{told_before[part]}。{part}", intents) if told_before.get(part) else None)
                   or (_read_sure(f"{kind.terms[0]}で、{part}", kind.intents) if kind and kind.id not in lexicon.find(part).covered else None))
        if reading:
            intent = reading["intent"]
            entry = kb.select(intent["name"], meant_entities(reading))
            if entry is None or entry in given or entry.intent in given_way:
                continue
            offered = {b["payload"] for b in entry_buttons(kb, [entry.id, getattr(kb.default_entry(entry.intent), "id", "")])}
            for message in reply:
                message["buttons"] = [b for b in message.get("buttons", []) if b["payload"] not in offered]
            also = [answer_message(kb, entry)]
            first = len(given) == 1 and _part_asked_first(text, part, given[0].intent, lexicon)
            return also + reply if first else reply + also
    return reply


def _kind_of_card(kb: KnowledgeBase, lexicon: Lexicon, answer_ids: List[str]) -> Optional[CoveredConcept]:
    """The kind of card the first of the answers about one is about — not a kind of document, the 資格確認書 (「この方は
    保険証がなくなったら受診はどうなるんでしょう」 beside the no-card answer asks what that answer says, b57 c01-4)."""
    return next((k for k in (carried_kind(kb, lexicon, i) for i in answer_ids) if k and k.carried == "card"), None)


def _part_asked_first(text: str, part: str, intent: str, lexicon: Lexicon) -> bool:
    """The part is asked before any part that asks about the intent: its answer comes first, as asked."""
    asked = [p for p, asking in asking_parts(text) if asking]
    about = [i for i, p in enumerate(asked) if intent in topics_asked(p, lexicon)]
    return part in asked and bool(about) and asked.index(part) < about[0]


def _read_sure(text: str, intents: List[str]) -> Optional[dict]:
    """The NLU's reading of the text when it is one of the intents, sure (READ_ALONE_SURE); None otherwise."""
    reading = parse(text) or {}
    intent = reading.get("intent") or {}
    return reading if intent.get("name") in intents and float(intent.get("confidence") or 0.0) >= READ_ALONE_SURE else None


def _told_before(text: str) -> Dict[str, str]:
    """Each asking part of the message with the telling part just before it — what 「このような一括管理は問題ございま
    せんか」 refers to (b55 c01-4: card_management 0.46 alone, 0.99 after 「…事務所の金庫で施設がお預かりしたいと考えて
    おります」)."""
    parts = asking_parts(text)
    return {part: before for (before, told), (part, asking) in zip(parts, parts[1:]) if asking and not told}


def _nearest_answers(reply: List[dict]) -> List[str]:
    """The entries a reading's reply comes near without placing one: the 「もしかして」 candidates, or answers given
    when the classifier was not sure (session 43's trial: 「来週ばあちゃん整形さ行くんだけど、カードねえと診てもらえ
    ねえの？」 read alone, 「もしかして」 for no_card_shikaku, was said to be 「見つかりませんでした」)."""
    return list(dict.fromkeys(answer_id for message in reply if not message["custom"].get("uncovered")
                              for answer_id in (message["custom"].get("candidates")
                                                or [message["custom"].get("answer_id")]) if answer_id))


def about_the_answer(tracker: Tracker, text: str) -> bool:
    """The message says the answer or check result just given was hard to read (`about_what_was_said` answers it)."""
    given = last_answer_id(previous_reply(tracker)) or previous_result(tracker)
    return bool(given) and hard_to_read(load_lexicon(), text)


def utter_all(dispatcher: CollectingDispatcher, messages: List[dict]) -> List[Dict[Text, Any]]:
    """Send the messages; no events."""
    for message in messages:
        utter(dispatcher, message)
    return []


class MessageAction(Action, ABC):
    """An action replying to the user's message — unless a check is paused and the message answers its pending
    question: then the check goes on (`paused_answer`); or the message asks for a check in words (「あんしょうばんごうの
    チェックやる」, a check's button title typed): then it starts."""

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        if requested_check(tracker) and not running_flow(tracker):
            return [FollowupAction("action_guide_start")]
        if resume_asked(tracker) and not running_flow(tracker):   # 「段取りの続きをお願いします」 read as a question
            return [FollowupAction("action_guide_resume")]
        resumed = paused_answer(dispatcher, tracker)
        if resumed is not None:
            return resumed
        return self.reply(dispatcher, tracker)

    @abstractmethod
    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        """The reply's messages sent through `dispatcher`; the events."""


class ActionAnswer(MessageAction):
    """Answer a knowledge intent (or a /show_answer button) with the matching entry — when the
    question is about what the entry covers (bot.shared.fit); else 「もしかして」 or where to ask.

    Asked in the middle of a check, it pauses the check (see actions/guides.py); while a check is
    paused, a typed answer to its pending question resumes it instead (`paused_answer`).
    """

    def name(self) -> Text:
        return "action_answer"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        kb = load_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent == "show_answer":
            entities = latest_entities(tracker)
            entry = kb.by_id.get(next(iter(entities.get("answer_id", [])), ""))
            if entry and "hiragana" in entities.get("reading", []):
                messages = in_short(kb, entry.id, hiragana=True, by_fax=writes_by_fax(tracker))   # 「ひらがなで よむ」
            else:
                messages = [answer_message(kb, entry) if entry else unknown_answer_message(kb)]
                if reads_hiragana(tracker):   # a button tapped by a reader of hiragana only: the answer in short
                    messages = for_a_hiragana_reader(kb, messages, whole="all" in entities.get("reading", []),
                                                     by_fax=writes_by_fax(tracker))
        else:
            messages = fitting_messages(tracker)
        events = pause_events(tracker) or []
        paused = events[-1]["value"] if events else tracker.get_slot("paused_guide")
        if paused in guides.FLOWS:
            with_guide_buttons(messages[-1], "", paused)
        else:
            first = kb.by_id.get(messages[0]["custom"].get("answer_id") or "")
            with_guide_buttons(messages[0], first.intent if first else "")
        for message in messages:
            utter(dispatcher, message)
        return events


GUIDE_STARTS = ("start_guide", "restart_guide")


class ActionFallback(MessageAction):
    """Unsure or out of scope: an answer when a named concept agrees with the classifier's runner-up,
    else 「もしかして」, where to ask about an uncovered card topic, or a plain decline."""

    def name(self) -> Text:
        return "action_fallback"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        started_a_check = latest_intent(tracker) in GUIDE_STARTS   # a question action_guide_start passed on
        return utter_all(dispatcher, fitting_messages(
            tracker, read_as_unsure(tracker.latest_message, GUIDE_STARTS) if started_a_check else None))


class ShortResponseAction(MessageAction, ABC):
    """A label that needs no knowledge answer (「はい」, 「人と話したい」) gets its response — unless the message
    is something else after all: then it is read as if the classifier had been unsure (`read_as_unsure`, the
    `not_meant` labels set aside), against the answer just given."""

    not_meant: tuple = ()

    @abstractmethod
    def response(self, tracker: Tracker) -> Optional[str]:
        """The response to utter, or None when the message is not what the label says."""

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        response = self.response(tracker)
        if response:
            dispatcher.utter_message(response=response)
            return []
        return utter_all(dispatcher, fitting_messages(tracker, self.unsure_reading(tracker)))

    def unsure_reading(self, tracker: Tracker) -> dict:
        """The message as read when it is not what the label says: the classifier's other intents only."""
        return read_as_unsure(tracker.latest_message, self.not_meant)


# a reply that starts by saying yes or no (「いいえ、写真は大丈夫です」) is one, whatever else it names
YES_OR_NO = re.compile(r"\s*(?:はい|いいえ|いえ[、。,.\s]|うん|ううん|ええ|いや[、。,.\s]|大丈夫|だいじょうぶ|結構|けっこう|"
                       + ACKNOWLEDGED + ")")


class ActionShortReply(ShortResponseAction):
    """「はい」「いいえ」「さようなら」 (affirm / deny / goodbye) outside a running check: the answer to a paused
    check's question when it is one (「ない」 to 「顔写真付きの本人確認書類はありますか？」), else the short reply —
    unless the message asks something (「それって家族でもいいの？」, 「じゃあ今はもう使えないってこと？」 read as goodbye)."""

    not_meant = SHORT_REPLIES

    def name(self) -> Text:
        return "action_short_reply"

    def response(self, tracker: Tracker) -> Optional[str]:
        text = tracker.latest_message.get("text") or ""
        if asks(text) or (missed_the_question(text) and last_answer_id(previous_reply(tracker))):
            return None   # 「そういうことじゃなくて」 after an answer: that answer's related topics, not 「承知しました」
        if about_the_answer(tracker, text):
            return None   # 「かんじ よめない」 (read as deny) after an answer: that answer in short
        if not YES_OR_NO.match(text) and names_a_topic(load_lexicon(), text):
            return None   # session 48's blind trial (b47), by eye gaze: 「いえにきて」 (deny 0.63) got 「承知しました」
        return {"deny": "utter_deny", "goodbye": "utter_goodbye"}.get(latest_intent(tracker), "utter_affirm")


class ActionHelp(ShortResponseAction):
    """「使い方がわからない」: the help menu (utter_help) — but 「かんじが おおくて よくわからない」 right after an answer is about
    that answer: it comes again in short (`fitting_messages`); and 「病院でカードの使い方がわからない」 (fourteenth trial: the
    help menu) names a topic of the card: it is answered (what it names, not out of scope); so is one that refers back to
    the answer just given (「番号をもう一度教えて」)."""

    not_meant = ("help", "out_of_scope")

    def name(self) -> Text:
        return "action_help"

    def response(self, tracker: Tracker) -> Optional[str]:
        text = tracker.latest_message.get("text") or ""
        # not 「何ができるの？」; after an answer, naming a topic is enough (「同意画面ではどんなことを聞かれるんですか」 after the
        # reader's steps, session 38's blind trial: help 0.59 → the help menu)
        answered_before = bool(last_answer_id(previous_reply(tracker)))
        asks_about_the_card = (about_the_card(text) or answered_before) and names_a_topic(load_lexicon(), text)
        # 「番号をもう一度教えて」 right after an answer (session 26's blind trials: the help menu): that answer's lines
        again = refers_back(text) and answered_before
        return None if about_the_answer(tracker, text) or asks_about_the_card or again else "utter_help"


class ActionBotChallenge(ShortResponseAction):
    """「あなたは誰？」: who answers (utter_bot_challenge) — but a message that names a topic of the card is asked about it
    (session 27's blind trials: 「鼻にチューブ入ってる人は？」 got 「人ではなく、自動で答えるプログラムです」)."""

    not_meant = ("bot_challenge",)

    def name(self) -> Text:
        return "action_bot_challenge"

    def response(self, tracker: Tracker) -> Optional[str]:
        return None if names_a_topic(load_lexicon(), tracker.latest_message.get("text") or "") else "utter_bot_challenge"


class ActionCourtesy(ShortResponseAction, ABC):
    """A greeting or a thanks gets its response (`utterance`) — unless the message also asks about a topic of the card
    (session 47's blind trial (b46), easy Japanese: 「わかりました。えいごで でんわ します。しごとの しつもん です。…わたしが
    おばあちゃんの カードを きかいに おいても いいですか？」 read as greet 0.58 got the greeting): then it is answered."""

    utterance: str = ""

    @abstractmethod
    def name(self) -> Text:
        """The action's name (this class is not an action of its own)."""

    def response(self, tracker: Tracker) -> Optional[str]:
        """The courtesy — unless a sentence of the message asks (not only its last: b63 c07-2, 「ありがとう ございます。
        アラビア語は ありますか？ 英語 すこし むずかしいです。」 got 「どういたしまして」) and the message names a topic."""
        text = tracker.latest_message.get("text") or ""
        return None if asked_and_told(text)[0] and names_a_topic(load_lexicon(), text) else self.utterance

    def unsure_reading(self, tracker: Tracker) -> dict:
        """The asking sentences on their own (with the whole message's other intents) when they name a topic: b46's
        「英語で電話します」 before the question is not what it asks (the runner-up free_dial agreed with it). Read alone by
        the NLU, the question was no better placed (nlu_fallback, card_management 0.14: 「もしかして」)."""
        text = tracker.latest_message.get("text") or ""
        asked = asked_and_told(text)[0]
        message = {**tracker.latest_message, "text": asked} if names_a_topic(load_lexicon(), asked) else tracker.latest_message
        return read_as_unsure(message, self.not_meant)


class ActionGreet(ActionCourtesy):
    not_meant = ("greet",)
    utterance = "utter_greet"

    def name(self) -> Text:
        return "action_greet"


class ActionThank(ActionCourtesy):
    not_meant = ("thank",)
    utterance = "utter_thank"

    def name(self) -> Text:
        return "action_thank"


class ActionHumanHandoff(ShortResponseAction):
    """「人と話したい」: the staff handoff (utter_human_handoff; the gateway then opens a ticket) — when the message
    asks for a person, not for a question the classifier took for one (「2人くらい隣の市の人がいるはず。その人たちも
    一緒に申請できる？」)."""

    not_meant = ("human_handoff",)

    def name(self) -> Text:
        return "action_human_handoff"

    def response(self, tracker: Tracker) -> Optional[str]:
        text = tracker.latest_message.get("text") or ""
        return "utter_human_handoff" if text.startswith("/") or asks_for_a_person(text) else None
