"""Guided checks over Rasa forms: one validation action per form, plus start / stop / resume and
the result. The questions, parsing and results are in bot/shared/guides/ (one module per check);
these actions only move values between the tracker and that package. One validation action per
registered check is made from the registry (`validation_class`). Slots are filled here (mappings
`custom`), so the tracker never holds the typed text of an answer, only its canonical value.

How a turn inside a form goes (validate_<flow>_form):
- an answer (button or free text) → canonical values (free text echoed), then the next question
  that matters;
- 「やめる」「最初から」「チェックを続ける」, a new check, or an unrelated question (a knowledge
  intent, help, out of scope…) → nothing validated, so Rasa rejects the form and a rule runs:
  action_guide_stop / action_guide_start / action_guide_resume, or the answer (action_answer
  pauses the check and offers 「チェックを続ける」); a stop word the NLU missed is caught here;
- anything else → a short hint and the same question again.
"""
from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.hiragana import for_the_reader
from actions.session import session_events
from actions.reading import parse
from actions.safety import safe_run
from bot.shared import guides
from bot.shared.answers import fitting_reply, message_entities
from bot.shared.concepts import load_lexicon
from bot.shared.conversation import is_plain_decline, read_as_unsure, reply_by_concepts
from bot.shared.fit import asks
from bot.shared.knowledge import load_knowledge

COMMAND_INTENTS = {"stop_guide", "restart_guide", "resume_guide"}
# intents that mean "the user asked something else" when the text is no answer
QUESTION_INTENTS = {"start_guide", "show_answer", "help", "greet", "goodbye", "thank", "bot_challenge",
                    "human_handoff", "out_of_scope"}
QUESTION_SHAPE = re.compile(r"[?？]\s*$|ですか|ますか|でしょうか|教えて|とは|って何|ってなに|どうすれば|どうしたら")
SELF_DOUBT = re.compile(r"(?:だった|だ|た|です|でした)(?:かな|っけ|かしら)[?？]?\s*$")   # 「要介護1だったかな？」
QUESTION_CONFIDENCE = 0.6  # below it, a reply that is no answer gets a hint rather than an answer
# an answer the check cannot read often reads as out of scope: at the date, 「15日か20日」 0.60, 「10日ごろ」 0.59, 「来週の火曜か
# 水曜」 0.73 (session 37's model; 0.60 took 「15日か20日」 for a question); 「明日の天気は」 0.91 asks something else
OUT_OF_SCOPE_SURE = 0.8
INTERNAL_ACTIONS = {"action_listen", "action_extract_slots"}
PAUSED_ANSWER_CHARS = 30   # a longer message while a check is paused is taken as a new question


def today() -> dt.date:
    return dt.date.today()


def utter(dispatcher: CollectingDispatcher, message: dict) -> None:
    """A message of bot.shared.answers (Rasa's dispatcher form) sent as it is."""
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"] or None, json_message=message["custom"])


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def entity_values(tracker: Tracker, name: str) -> List[str]:
    """The values of entity `name` in the latest message as text (bot.shared.answers.message_entities)."""
    return message_entities(tracker.latest_message).get(name, [])


def latest_text(tracker: Tracker) -> str:
    """The message as the user typed it (the NLU's copy may have hiragana rewritten: KanaToKanji)."""
    typed = next((e.get("text") for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return typed or tracker.latest_message.get("text") or ""


def turn_kind(tracker: Tracker, form: str) -> str:
    """activation (the form starts now), answer (the user just replied to the form's question),
    or return (the form runs again after another action, e.g. after an unrelated question)."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    after = events[last_user + 1:]
    if any(e.get("event") == "active_loop" and e.get("name") == form for e in after):
        return "activation"
    others = [e for e in after if e.get("event") == "action" and e.get("name") not in INTERNAL_ACTIONS | {form}]
    return "return" if others else "answer"


def is_question(tracker: Tracker) -> bool:
    """The NLU took the message for a knowledge question or a conversation intent, and it reads as
    one (a question mark, ですか, 教えて…) or the NLU is sure enough; or the NLU was unsure and it reads as
    one (「疎明資料って何？」 asked at the age question: its answer or 「もしかして」, not the check's hint)."""
    intent = latest_intent(tracker)
    if intent == "nlu_fallback":
        return bool(QUESTION_SHAPE.search(latest_text(tracker)))
    if intent not in QUESTION_INTENTS and intent not in load_knowledge().by_intent:
        return False
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    sure = OUT_OF_SCOPE_SURE if intent == "out_of_scope" else QUESTION_CONFIDENCE
    return bool(QUESTION_SHAPE.search(latest_text(tracker))) or confidence >= sure


def split_question(text: str) -> tuple:
    """(the sentences that say something, the sentences that ask): 「郵送かな。申請書ってどこでもらうの？」 →
    (「郵送かな。」, 「申請書ってどこでもらうの？」); the writer's doubt asks nothing (「要介護1だったかな？」)."""
    sentences = guides.sentences(text)
    asking = [s for s in sentences if QUESTION_SHAPE.search(s.rstrip("。!！\n")) and not SELF_DOUBT.search(s)]
    return "".join(s for s in sentences if s not in asking).strip(), "".join(asking).strip()


def reply_to_part(question: str, whole: Optional[dict] = None, not_meant: Tuple[str, ...] = ()) -> List[dict]:
    """The fit rules' reply to a part of a message, read on its own by the NLU (actions.reading) — or, when Rasa
    cannot be asked, with `whole` (the whole message's reading); by its concepts alone when that declines
    (「要介護2で、年も80超えてます。ちなみに代理人は包括の職員でもいいんですか？」: the whole read out of scope). Read as
    one of `not_meant` (a topic the message says it is not about), as if the classifier had been unsure."""
    kb, lexicon = load_knowledge(), load_lexicon()
    reading = parse(question) or ({**whole, "text": question} if whole else None)
    if reading and (reading.get("intent") or {}).get("name") in not_meant:
        reading = read_as_unsure(reading, not_meant)
    reply = fitting_reply(kb, lexicon, reading) if reading else []
    return reply_by_concepts(kb, lexicon, question) if not reply or is_plain_decline(reply) else reply


def answer_side_question(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> None:
    """The reply to a question asked beside a check's answer (「88です。ちなみに受け取りって平日しかだめ？」)."""
    for message in reply_to_part(question, tracker.latest_message):
        utter(dispatcher, message)


def running_flow(tracker: Tracker) -> Optional[guides.Flow]:
    """The check whose form is running, or None."""
    return guides.FLOW_BY_FORM.get((tracker.active_loop or {}).get("name") or "")


def check_topic(tracker: Tracker) -> Optional[str]:
    """The default entry of the check running or paused (「紛失チェック」: lost_card), or None."""
    flow = running_flow(tracker) or guides.FLOWS.get(tracker.get_slot("paused_guide") or "")
    entry = load_knowledge().default_entry(flow.intents[0]) if flow and flow.intents else None
    return entry.id if entry else None


def starting_text(tracker: Tracker, flow: guides.Flow) -> str:
    """The words that started the check: the message itself when it was typed (start_guide), or,
    when it was the check's button, the message whose answer offered that button; else ""."""
    text = latest_text(tracker)
    if latest_intent(tracker) != "start_guide":
        return ""
    if not text.startswith("/"):
        return text
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    payload, offered = guides.start_payload(flow.name), False
    for event in reversed(events[:max(last_user, 0)]):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            offered = offered or any(b.get("payload") == payload for b in buttons)
        elif event.get("event") == "user":
            before = event.get("text") or ""
            return before if offered and not before.startswith("/") else ""
    return ""


def paused_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """While a check is paused (a question was answered in the middle), a typed answer to its
    pending question is taken: the check goes on with it. None when the message is no such answer:
    a question (?, ですか…), a command, a long text, or only 「わからない」 (more likely about the
    answer just given than about the check's question)."""
    flow = guides.FLOWS.get(tracker.get_slot("paused_guide") or "")
    text = latest_text(tracker)
    if flow is None or (tracker.active_loop or {}).get("name") or not text or text.startswith("/"):
        return None
    if QUESTION_SHAPE.search(text) or guides.command_in(text):
        return None
    if len(guides.normalize(text)) > PAUSED_ANSWER_CHARS and not guides.is_button_text(flow, text):
        return None
    values = {slot: tracker.get_slot(slot) for slot in flow.slots}
    pending = guides.next_slot(flow, values)
    if not pending:
        return None
    found = guides.extract(flow, text, pending, values, today())
    if found.get(pending) in (None, guides.UNKNOWN, [guides.UNKNOWN]):
        return None
    dispatcher.utter_message(text=f"「{guides.describe(flow, found)}」として、{flow.title}を続けます。")
    return [*(SlotSet(k, v) for k, v in found.items()), SlotSet("guide", flow.name), SlotSet("paused_guide", None),
            FollowupAction(flow.form)]


def reset_events(flow: guides.Flow) -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in flow.slots]


class GuideFormValidation(Action, ABC):
    """validate_<flow>_form: parse the answer, choose the next question, or step aside."""

    @property
    @abstractmethod
    def flow(self) -> guides.Flow:
        ...

    def name(self) -> Text:
        return f"validate_{self.flow.form}"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        flow = self.flow
        values = {slot: tracker.get_slot(slot) for slot in flow.slots}
        kind = turn_kind(tracker, flow.form)
        if kind == "activation":
            found = self.first_message(dispatcher, tracker, values)
            events = [SlotSet("paused_guide", None)]
        elif kind == "answer" and tracker.get_slot("requested_slot"):
            found = self.answer(dispatcher, tracker, values)
            if found is None:
                return []  # nothing validated: Rasa rejects the form and a rule answers instead
            if isinstance(found, list):
                return found
            events = []
        else:  # back from an interruption: ask the pending question again
            found, events = {}, []
        values.update(found)
        events += [SlotSet(k, v) for k, v in found.items()]
        return events + [SlotSet("requested_slot", guides.next_slot(flow, values))]

    def first_message(self, dispatcher: CollectingDispatcher, tracker: Tracker, values: dict) -> dict:
        """Facts already in the message that started the check (「92歳の母が施設に…」) — also when the
        check was started with the button under the answer to that message."""
        text = starting_text(tracker, self.flow)
        if not text:
            return {}
        found = guides.extract(self.flow, text, None, values, today())
        if found:
            dispatcher.utter_message(text=f"わかったこと：{guides.describe(self.flow, found)}（違うときは「最初から」）")
        return found

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, values: dict):
        """The values of a reply; None to step aside; a list of events to leave or restart.

        The words decide before the intent: 「もう持っている」 is an answer even if the NLU
        guessed stop_guide, 「やめる」 leaves even if it guessed deny.
        """
        flow, requested = self.flow, tracker.get_slot("requested_slot")
        text, intent = latest_text(tracker), latest_intent(tracker)
        command = guides.command_in(text)
        if command:
            if intent == f"{command}_guide":
                return None  # the stop / restart rules take over
            action = "action_guide_stop" if command == "stop" else "action_guide_start"
            return [ActionExecutionRejected(flow.form), FollowupAction(action)]
        changed = self.correction(dispatcher, text, requested, values)
        if changed:
            return changed
        question = is_question(tracker)
        shaped = question and QUESTION_SHAPE.search(text)  # a question, even if it names an answer
        said, asked = split_question(text) if shaped else (guides.instead_part(text), "")
        found = guides.extract(flow, said, requested, values, today()) if said else {}
        if requested in found and asked:   # an answer and a question beside it: both are taken
            answer_side_question(dispatcher, tracker, asked)
        if requested not in found:
            if intent in COMMAND_INTENTS - {"resume_guide"} or question:
                return None  # 「中断したい」, 「資格確認書って何？」…: a rule answers instead
            if intent != "resume_guide":  # 「続けて」 in a running check: just ask again
                dispatcher.utter_message(text=self.hint(flow, requested, text))
            found[requested] = None  # validated as empty: the form asks the same question again
        elif not guides.is_button_text(flow, text):
            dispatcher.utter_message(text=f"「{guides.describe(flow, found)}」として進めます。")
        return found

    def correction(self, dispatcher: CollectingDispatcher, text: str, requested: str, values: dict) -> dict:
        """Earlier answers the message corrects (「ちがう、入院中です」), and the pending question's answer when the rest
        of the message gives it; {} when it corrects nothing (the form then asks what matters now)."""
        flow = self.flow
        changed = guides.corrected(flow, text, requested, values, today())
        if not changed:
            return {}
        dispatcher.utter_message(text=f"「{guides.describe(flow, changed)}」に直しました。")
        rest = guides.correcting_parts(text)[1]
        found = guides.extract(flow, rest, requested, {**values, **changed}, today()) if rest else {}
        if found.get(requested) is None:
            return changed
        dispatcher.utter_message(text=f"「{guides.describe(flow, {requested: found[requested]})}」として進めます。")
        return {**changed, requested: found[requested]}

    @staticmethod
    def hint(flow: guides.Flow, slot: str, text: str) -> str:
        if flow.question(slot).kind == "date" and guides.past_date_in(text, today()):
            return "その日付はもう過ぎています。これからの実施日を教えてください。"
        return "すみません、うまく読み取れませんでした。" + flow.question(slot).hint


def validation_class(flow: guides.Flow) -> type:
    """ValidateProxyForm, ValidateFaceAuthForm…: the action `validate_<flow>_form` of one check.

    rasa_sdk serves every subclass of Action it has seen once actions/ is imported (not abstract, with
    a name()), so a class made here for each registered check is served like one written out.
    """
    class_name = "Validate" + "".join(part.title() for part in flow.name.split("_")) + "Form"
    return type(class_name, (GuideFormValidation,), {
        "flow": flow, "__module__": __name__, "__doc__": f"validate_{flow.form}: {flow.title}"})


VALIDATION_CLASSES = {flow.name: validation_class(flow) for flow in guides.FLOWS.values()}
globals().update({cls.__name__: cls for cls in VALIDATION_CLASSES.values()})  # ValidateProxyForm…


PRIVACY_NOTE = "お名前・マイナンバー・暗証番号は入力しないでください。"


# 「あんしょうばんごうのチェックやる」「紛失のチェックをお願いします」: a check asked for in words
CHECK_REQUEST = re.compile(r"チェック(?:を|が)?(?:やる|やりたい|したい|する|して|始め|はじめ|お願い|おねがい|やって|受けたい)"
                           r"|チェック[!！]*$|チェックの(?:ほう|方)")
# a check's button title in the user's words: 「ほな順番に確認してってや」 (いますることを順番に確認), 「段取りを作るほうを…」
CHECK_PHRASES = {"順番に確認": "lost", "段取り": "outreach"}


# 「それでは段取りの続きをお願いいたします」 (b67 c03-6, after a question asked during the outreach's check: it started
# again, its answers lost): the paused check asked to go on, not to start
RESUME_WORDS = re.compile(r"続き|つづき|続けてください|続けたい|続けます|続けましょう|つづけて|再開|に戻って|にもどって")   # not
# 「続けて間違えて」 (a PIN locked)


def resume_asked(tracker: Tracker) -> bool:
    """A check is paused and the message asks for it to go on (「段取りの続きをお願いします」)."""
    return tracker.get_slot("paused_guide") in guides.FLOWS and bool(RESUME_WORDS.search(latest_text(tracker)))


def requested_check(tracker: Tracker) -> Optional[str]:
    """The check the message asks for in words: a check's button title typed (「いますることを順番に確認」), or 「…の
    チェックやる」 with the check named (the `guide` entity); None for any other message, and for one asking the paused
    check to go on (`resume_asked`)."""
    if resume_asked(tracker):
        return None
    text = re.sub(r"\s+", "", latest_text(tracker)).replace("ちぇっく", "チェック")
    typed = next((name for name, title in guides.CHECK_TITLE.items() if re.sub(r"\s+", "", title) == text), None)
    named = next((value for value in entity_values(tracker, "guide") if value in guides.FLOWS), None)
    # the phrase asked for in its own words (「ほな順番に確認してってや」), not 「段取りはだいたいわかりました。別の質問ですが、…してくれた」
    phrased = next((name for phrase, name in CHECK_PHRASES.items()
                    if re.search(re.escape(phrase) + r"[^。?？!！]{0,6}?(?:して|やって|作っ|作る|お願い|おねがい|ほしい|(?<!だい)たい)",
                                 text)), None)
    return typed or phrased or ((named or check_offered(tracker)) if CHECK_REQUEST.search(text) else None)


# words that ask for a check rather than an answer (the start_guide examples: 「…チェックしたい」「順番にガイドして」)
ASKS_FOR_A_CHECK = re.compile(r"チェック|ガイド|診断|段取り|スケジュール|計画|一つずつ|ひとつずつ|順番に|順に|質問に答えて|案内して")


def asked_not_a_check(text: str) -> bool:
    """A typed question that does not ask for a check (「確認できない場合はどうすればいいですか？」)."""
    return asks(text) and not ASKS_FOR_A_CHECK.search(text)


def check_offered(tracker: Tracker) -> Optional[str]:
    """The check of the answer just given (「それさっき見た😑チェックのほう！」 after the PIN answer), if it has one."""
    kb = load_knowledge()
    answered = [kb.by_id.get(custom.get("answer_id") or "") for custom in previous_reply(tracker)]
    return next((guides.GUIDE_FOR_INTENT[entry.intent] for entry in answered
                 if entry is not None and entry.intent in guides.GUIDE_FOR_INTENT), None)


class ActionGuideStart(Action):
    """Start a check (start_guide with a `guide` entity, or asked for in words), restart the current one, or show
    the menu."""

    def name(self) -> Text:
        return "action_guide_start"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        if resume_asked(tracker):
            return [FollowupAction("action_guide_resume")]
        requested = requested_check(tracker)
        intent = "start_guide" if requested else latest_intent(tracker)
        chosen = requested or next((value for value in entity_values(tracker, "guide") if value in guides.FLOWS), None)
        restarting = intent != "start_guide" or not chosen
        name = chosen or (tracker.get_slot("guide") if intent != "start_guide" else None)
        if intent == "start_guide" and not requested and asked_not_a_check(latest_text(tracker)):
            # a question read as a check's start (session 41's blind trial: 「…「カードを作りたいか」の気持ちを確認するのが
            # 難しいんです。確認できない場合はどうすればいいですか？」 started the PIN check): read as any other message
            return [SlotSet("guide", None), FollowupAction("action_fallback")]
        if name not in guides.FLOWS:
            if intent == "restart_guide" and asks(guides.beside_command(latest_text(tracker))):
                # a question read as 「やり直す」 with no check to restart (session 33's blind trial, after the registration:
                # 「その登録は毎年やり直す必要がありますか」 got the checks' menu): read as any other message
                return [SlotSet("guide", None), FollowupAction("action_fallback")]
            dispatcher.utter_message(
                text="どのチェックをしますか？質問に一つずつ答えると、その方に合った手順と書類をご案内します。",
                buttons=guides.menu_buttons(),
            )
            return [SlotSet("guide", None)]
        flow = guides.FLOWS[name]
        if restarting:
            dispatcher.utter_message(text=f"{flow.title}を最初からやり直します。")
        else:
            dispatcher.utter_message(
                text=f"{flow.title}を始めます。{flow.intro}\n"
                "質問に一つずつ答えてください（ボタンでも、文章でも答えられます）。"
                f"途中でやめるときは「やめる」、やり直すときは「最初から」と入力してください。{PRIVACY_NOTE}"
            )
        return [SlotSet("guide", name), SlotSet("paused_guide", None), SlotSet("requested_slot", None),
                SlotSet("guide_part", None), *reset_events(flow), FollowupAction(flow.form)]


class ActionGuideStop(Action):
    """Leave the check: close the form and forget its answers; a question asked beside 「やめる」 is answered."""

    def name(self) -> Text:
        return "action_guide_stop"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        if requested_check(tracker) and not running_flow(tracker):   # 「もう、紛失チェック！」 read as 「もういい」
            return [FollowupAction("action_guide_start")]
        active = running_flow(tracker)
        name = active.name if active else (tracker.get_slot("paused_guide") or tracker.get_slot("guide"))
        flow = guides.FLOWS.get(name or "")
        if active or tracker.get_slot("paused_guide"):
            text = f"{flow.title}を終了しました。" if flow else "チェックを終了しました。"
        else:
            text = "承知しました。"
        dispatcher.utter_message(
            text=text + "ほかに知りたいことがあれば、そのまま入力してください。",
            buttons=[{"title": "ほかのチェック", "payload": "/start_guide"}],
        )
        asked = guides.beside_command(latest_text(tracker))
        if asks(asked):   # 「やめる。忘れたんじゃなくて、家族が代わりに決めていいか知りたい」: the question is answered too
            answer_side_question(dispatcher, tracker, asked)
        events = [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("guide", None),
                  SlotSet("paused_guide", None), SlotSet("guide_part", None)]
        if flow:
            events += reset_events(flow)
        return events + [FollowupAction("action_listen")]


class ActionGuideResume(Action):
    """「チェックを続ける」: go back to the paused check (the rules then run its form)."""

    def name(self) -> Text:
        return "action_guide_resume"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        paused = tracker.get_slot("paused_guide")
        part, shown = tracker.get_slot("guide_part"), guides.FLOWS.get(tracker.get_slot("guide") or "")
        if paused not in guides.FLOWS and part and shown:   # 「続き」 of a result given in parts
            return send_result(dispatcher, tracker, shown, int(part)) + [FollowupAction("action_listen")]
        if paused not in guides.FLOWS:
            dispatcher.utter_message(
                text="途中のチェックはありません。はじめるチェックを選んでください。", buttons=guides.menu_buttons())
            return [SlotSet("guide", None), SlotSet("paused_guide", None), FollowupAction("action_listen")]
        flow = guides.FLOWS[paused]
        dispatcher.utter_message(text=f"{flow.title}の続きです。")
        return [SlotSet("guide", paused), SlotSet("paused_guide", None), FollowupAction(flow.form)]


class ActionGuideResult(Action):
    """The end of a check: the verdict, the personal checklist or steps, each line with its source."""

    def name(self) -> Text:
        return "action_guide_result"

    @safe_run
    @for_the_reader
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        flow = guides.FLOWS.get(tracker.get_slot("guide") or "")
        if flow is None:
            return []
        return send_result(dispatcher, tracker, flow, 0)


def send_result(dispatcher: CollectingDispatcher, tracker: Tracker, flow: guides.Flow, part: int) -> List[Dict[Text, Any]]:
    """The result's messages; a result in parts (the outreach plan) one part at a time, from `part`,
    the next one remembered in `guide_part` for 「続き」 (its button sends /resume_guide)."""
    values = {slot: tracker.get_slot(slot) for slot in flow.slots}
    result = guides.render(flow.name, values, today())
    messages = guides.render_messages(load_knowledge(), result)
    if result.parts:
        part = min(part, len(messages) - 1)
        messages = messages[part:part + 1]
    for message in messages:
        utter(dispatcher, message)
    if not result.parts:
        return []
    return [SlotSet("guide_part", str(part + 1) if part + 1 < len(result.parts) else None)]


def earlier_replies(tracker: Tracker) -> List[List[Dict[str, Any]]]:
    """The bot's replies of this session to the messages before the latest one, latest first, each its events in order."""
    replies: List[List[Dict[str, Any]]] = []
    for event in reversed(session_events(tracker)):
        if event.get("event") == "user":
            replies.append([])
        elif event.get("event") == "bot" and replies:
            replies[-1].insert(0, event)
    return replies


def _custom(event: Dict[str, Any]) -> Dict[str, Any]:
    return (event.get("data") or {}).get("custom") or {}


def previous_bot_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The bot's events of its reply to the message before the latest one, in order."""
    return next(iter(earlier_replies(tracker)), [])


def previous_reply(tracker: Tracker) -> List[Dict[str, Any]]:
    """The custom payloads of the bot's reply to the message before the latest one, in order."""
    return [_custom(event) for event in previous_bot_events(tracker)]


def reply_before_a_decline(tracker: Tracker) -> List[Dict[str, Any]]:
    """The custom payloads of the bot's reply before its latest one when the latest placed nothing (a plain decline, a
    「もしかして」 that follows no answer): what a follow-up may still be about (session 39's blind trial, after the
    outreach answer: 「スケジュール感を…」 was declined, and 「市との打合せでは何を決めておけばいいですか」 after it too, though
    that answer's line says) — one reply back only; [] otherwise."""
    replies = [[_custom(event) for event in reply] for reply in earlier_replies(tracker)[:2]]
    if len(replies) < 2 or not any(c.get("fallback") for c in replies[0]):
        return []
    placed = any(c.get("answer_id") or c.get("follows") or c.get("uncovered") or c.get("guide") for c in replies[0])
    return [] if placed else replies[1]


def last_placed_reply(tracker: Tracker) -> List[Dict[str, Any]]:
    """The custom payloads of the bot's latest earlier reply that answered or routed, past the replies since that did
    neither (「もしかして」, a plain decline): what the conversation is still about (session 28's blind trials, after a
    deceased person's card was routed and a 「もしかして」: 「母の暗証番号は…カードに入っているお金とかポイントはどう
    なるんでしょう」 got the PIN-sharing rule, as if she were alive)."""
    customs = ([_custom(event) for event in reply] for reply in earlier_replies(tracker))
    return next((reply for reply in customs if any(c.get("answer_id") or c.get("uncovered") for c in reply)), [])


def earlier_answer_ids(tracker: Tracker) -> List[str]:
    """The entries the bot answered with in this session before its latest reply, latest first, each once."""
    ids = (_custom(event).get("answer_id") for reply in earlier_replies(tracker)[1:] for event in reversed(reply))
    return list(dict.fromkeys(i for i in ids if i))


def previous_result(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The check's result the bot gave just before ({"text", "custom"} of its first message), or None."""
    for event in previous_bot_events(tracker):
        custom = _custom(event)
        if custom.get("guide") and custom.get("entries"):
            return {"text": event.get("text") or "", "custom": custom}
    return None


def previous_question(tracker: Tracker) -> str:
    """The user's message before the latest one, as the NLU read it ("" when there is none)."""
    users = [event for event in session_events(tracker) if event.get("event") == "user"]
    if len(users) < 2:
        return ""
    return (users[-2].get("parse_data") or {}).get("text") or users[-2].get("text") or ""


def pause_events(tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """When a check is running, the events that pause it (for action_answer); else None."""
    flow = running_flow(tracker)
    if flow is None:
        return None
    return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("paused_guide", flow.name)]
