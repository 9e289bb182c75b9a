"""FAX inquiry sheet for hearing-impaired users (manual Ver.2 第8, FAX 0120-601-785).

POST /api/fax (JSON) and POST /fax (the form at GET /fax) → the filled sheet as a PDF;
GET /api/fax/blank → the blank sheet. Privacy: what the user types only makes the PDF — it is not
stored, not logged, not sent to Rasa, never put in a URL, and the responses are marked no-store.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Mapping, Optional

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from bot.gateway.fax_sheet import CHOICES, FAX_NUMBER, FIELDS, MAX_CHARS, FaxSheetInvalid, blank_pdf, make_pdf, parse_inquiry, today_jst
from bot.gateway.settings import Settings

MAX_BODY_BYTES = 32_000
PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
PAGE_HEADERS = {**PRIVATE, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"}
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(tags=["fax"])


def pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **PRIVATE})


async def read_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, detail="送信された内容が大きすぎます。")
    return body


def error_json(status: int, message: str, field: str = "") -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=status, headers=PRIVATE)


@router.post("/api/fax", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}, 422: {"description": "項目ごとのエラー"}})
async def fax_pdf(request: Request) -> Response:
    """The filled sheet from JSON, or 422 with {"detail": [{"field", "message"}]}."""
    try:
        raw = json.loads(await read_body(request))
    except (ValueError, RecursionError):          # not JSON, not UTF-8, or nested too deep
        return error_json(400, "JSONの形式が正しくありません。")
    if not isinstance(raw, dict):
        return error_json(422, "JSONのオブジェクト（{…}）で送ってください。")
    try:
        inquiry = parse_inquiry(raw, strict=True)
    except FaxSheetInvalid as invalid:
        return JSONResponse({"detail": invalid.errors}, status_code=422, headers=PRIVATE)
    return pdf_response(await run_in_threadpool(make_pdf, inquiry), "fax_inquiry.pdf")


@router.get("/api/fax/blank", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def fax_blank() -> Response:
    """The blank sheet to print and fill in by hand."""
    return pdf_response(await run_in_threadpool(blank_pdf), "fax_inquiry_blank.pdf")


def form_page(request: Request, values: Mapping[str, str], errors: Optional[Dict[str, str]] = None,
              status: int = 200) -> HTMLResponse:
    context = {"values": values, "errors": errors or {}, "limits": MAX_CHARS, "choices": CHOICES,
               "fax_number": FAX_NUMBER, "today": today_jst().isoformat()}
    return templates.TemplateResponse(request, "fax/form.html", context, status_code=status, headers=PAGE_HEADERS)


@router.get("/fax", response_class=HTMLResponse)
async def fax_form(request: Request, type: str = "") -> HTMLResponse:
    """The form; /fax?type=suspend preselects a suspension request (the only query it reads)."""
    return form_page(request, {"inquiry_type": type if type in CHOICES["inquiry_type"] else ""})


@router.post("/fax", response_class=Response)
async def fax_form_post(request: Request) -> Response:
    """The filled sheet, or the form again (422) with the messages next to the fields."""
    await read_body(request)
    form = await request.form()
    raw = {key: form.get(key) for key in FIELDS if key in form}
    try:
        inquiry = parse_inquiry(raw)
    except FaxSheetInvalid as invalid:
        values = {key: value for key, value in raw.items() if isinstance(value, str)}
        return form_page(request, values, {e["field"]: e["message"] for e in invalid.errors}, status=422)
    return pdf_response(await run_in_threadpool(make_pdf, inquiry), "fax_inquiry.pdf")


def install(app: FastAPI, settings: Settings) -> None:
    """Add the FAX sheet routes."""
    app.include_router(router)
