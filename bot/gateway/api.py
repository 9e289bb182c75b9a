"""JSON API of the web channel: POST /api/chat, POST /api/feedback (for one's own answers) and
GET /api/tickets/pending (staff answers waiting for the widget: the web channel's delivery,
bot/gateway/delivery.py)."""
from __future__ import annotations

from typing import List, Optional

from fastapi import APIRouter, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from bot.gateway.core import Refused
from bot.gateway.delivery import STAFF_PREFIX
from bot.gateway.storage import iso, secret_hash

router = APIRouter(prefix="/api", tags=["chat"])
# a plain name (the widget makes w-<32 hex>): no "/", "?", "#", spaces or dot-only ids, which could
# steer a link to the conversation
SENDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"


class ChatRequest(BaseModel):
    sender_id: str = Field(..., pattern=SENDER_ID_PATTERN)
    text: str


class Button(BaseModel):
    title: str
    payload: str


class ChatMessage(BaseModel):
    text: str                    # with its 出典 line, as Rasa says it
    body: Optional[str] = None   # the text without it (the widget shows the sources as a list)
    citation: str = ""           # 「出典：…」, or ""
    buttons: List[Button] = []
    sources: List[dict] = []
    answer_id: Optional[str] = None
    links: List[dict] = []
    message_id: Optional[int] = None


class ChatResponse(BaseModel):
    messages: List[ChatMessage]
    fallback: bool
    ticket_id: Optional[int] = None
    ticket_token: Optional[str] = None     # keep it: GET /api/tickets/pending needs it for the staff answer


class FeedbackRequest(BaseModel):
    sender_id: str = Field(..., pattern=SENDER_ID_PATTERN)     # only one's own answers
    message_id: int
    helpful: bool


@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    """The core's input rules (bot/gateway/core.py) as 422 / 429 with their Japanese message."""
    try:
        reply = await request.app.state.core.receive("web", body.sender_id, body.text)
    except Refused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        raise HTTPException(refused.status, detail=refused.message, headers=headers) from None
    return ChatResponse(
        messages=[ChatMessage(**m.as_dict()) for m in reply.messages],
        fallback=reply.fallback,
        ticket_id=reply.ticket_id,
        ticket_token=reply.ticket_token,
    )


@router.post("/feedback", status_code=201)
def feedback(body: FeedbackRequest, request: Request) -> dict:
    sender_id = request.app.state.core.stored_sender("web", body.sender_id)   # as the conversation is kept
    saved = request.app.state.store.add_feedback(body.message_id, body.helpful, "web", sender_id)
    if saved is None:
        raise HTTPException(404, detail="その回答が見つかりません。")
    return {"ok": True}


@router.get("/tickets/pending")
def pending_answers(request: Request, sender_id: str = Query(..., pattern=SENDER_ID_PATTERN),
                    x_ticket_token: str = Header("", max_length=2000)) -> dict:
    """Staff answers not yet shown for the tickets whose tokens (returned by /api/chat with the ticket,
    comma-separated in X-Ticket-Token) the client holds; each is returned once, then marked delivered.
    Knowing the sender id is not enough."""
    store, held = request.app.state.store, {secret_hash(t.strip()) for t in x_ticket_token.split(",") if t.strip()}
    sender_id = request.app.state.core.stored_sender("web", sender_id)   # a sender id with personal data is hashed
    answers = []
    mine = [t for t in store.undelivered_answers("web", sender_id) if t.client_token in held]
    for ticket in sorted(mine, key=lambda t: t.id):
        store.update_ticket(ticket.id, delivered=True)
        answers.append({"ticket_id": ticket.id, "answer": ticket.answer, "text": STAFF_PREFIX + ticket.answer,
                        "answered_at": iso(ticket.updated_at)})
    return {"answers": answers}
