"""Staff answers to handoff tickets: checked, stored with who gave them, then delivered through the
conversation's channel (bot/gateway/delivery.py)."""
from __future__ import annotations

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from bot.gateway.delivery import Conversation
from bot.shared.privacy import BIRTH_DATE, MYNUMBER, PIN, redact

MAX_ANSWER_CHARS = 4000
STAFF_GUARD = (MYNUMBER, PIN, BIRTH_DATE)    # phone numbers are fine in answers (offices' numbers)
PERSONAL_IN_ANSWER = ("回答に{kinds}と思われる番号があります。個人番号・暗証番号・生年月日は回答に書かず、"
                      "伏せてから保存してください。")


def checked_answer(ticket, text: str) -> str:
    """The answer as it will be stored; ValueError (Japanese) for an empty or over-long answer, a closed
    ticket, or personal numbers in it."""
    text = text.replace("\x00", "").strip()              # NUL: PostgreSQL cannot store it
    if not text:
        raise ValueError("回答が空です。回答を入力してください。")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"回答が長すぎます（{MAX_ANSWER_CHARS}文字まで）。")
    if ticket.status == "closed":
        raise ValueError("完了したチケットには回答できません。")
    personal = redact(text, kinds=STAFF_GUARD).found
    if personal:
        raise ValueError(PERSONAL_IN_ANSWER.format(kinds="・".join(personal)))
    return text


async def save_answer(app: FastAPI, ticket, text: str, user: str) -> str:
    """Store the staff answer (and who gave it), deliver it where the channel allows; returns a note for staff.

    Raises ValueError (Japanese) for an answer that cannot be saved (checked_answer).
    """
    text = checked_answer(ticket, text)
    store = app.state.store
    await run_in_threadpool(store.update_ticket, ticket.id, answer=text, status="answered", delivered=False,
                            answered_by=user)
    outcome = await app.state.deliveries.deliver(Conversation(ticket.channel, ticket.sender_id), text)
    if outcome.delivered:
        await run_in_threadpool(store.update_ticket, ticket.id, delivered=True)
    return outcome.note
