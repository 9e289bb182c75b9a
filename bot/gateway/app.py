"""The gateway application: `create_app()` wires settings, storage, the conversation core and routers.

Run: uvicorn --factory bot.gateway.app:create_app --host 127.0.0.1 --port 8000 --no-proxy-headers
(X-Forwarded-For is read by the gateway itself, from TRUSTED_PROXIES only: bot/gateway/guard.py).
"""
from __future__ import annotations

import contextlib
import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.gateway import api, fax, guard, helpdesk, line, web
from bot.gateway.core import ConversationCore
from bot.gateway.settings import Settings
from bot.gateway.storage import Store

def validation_message(error: dict) -> str:
    kind = error.get("type", "")
    field = ".".join(str(p) for p in error.get("loc", [])[1:]) or "本文"
    if kind == "json_invalid":
        return "JSONの形式が正しくありません。"
    if kind == "missing":
        return f"{field} がありません。"
    if kind in ("string_type", "int_type", "int_parsing", "bool_type", "bool_parsing", "model_attributes_type", "dict_type"):
        return f"{field} の型が正しくありません。"
    if kind in ("string_too_short",):
        return f"{field} が空です。"
    if kind in ("string_too_long",):
        return f"{field} が長すぎます。"
    if kind == "string_pattern_mismatch":
        return f"{field} に使えない文字があります（英数字と _ . : @ - の128文字まで）。"
    return f"{field} が正しくありません。"


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
    detail = [{"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": validation_message(e)}
              for e in errors]
    return JSONResponse({"detail": detail}, status_code=status)


def create_app(settings: Settings = None) -> FastAPI:
    settings = settings or Settings.from_env()
    settings.check()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await app.state.core.close()

    app = FastAPI(title="マイナサポートBot gateway", lifespan=lifespan)
    store = Store(settings.database_url)
    app.state.settings = settings
    app.state.store = store
    app.state.core = ConversationCore(settings, store)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.include_router(api.router)
    for part in (web, line, helpdesk, fax, guard):
        part.install(app, settings)

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True}

    return app
