"""The gateway application: `create_app()` wires settings, storage, the conversation core and routers.

Run: uvicorn --factory bot.gateway.app:create_app --host 127.0.0.1 --port 8000 --no-proxy-headers
(X-Forwarded-For is read by the gateway itself, from TRUSTED_PROXIES only: bot/gateway/guard.py).
"""
from __future__ import annotations

import contextlib

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.gateway import access_log, api, fax, guard, helpdesk, line, web
from bot.gateway.core import ConversationCore
from bot.gateway.delivery import Deliveries, Pending
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


FRAMEWORK_MESSAGES = {            # the framework's own English details → what the user reads
    "There was an error parsing the body": "送信された内容を読み取れませんでした。UTF-8のJSONで送ってください。",
    400: "リクエストの形式が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作は許可されていません。",
    404: "お探しのページは見つかりません。",
    405: "このURLはこの方法（GET/POST）では使えません。",
}
SERVER_ERROR = ("申し訳ありません。サーバーでエラーが起きました。しばらくしてからもう一度お試しください。"
                "お急ぎの場合はマイナンバー総合フリーダイヤル（0120-95-0178）にお問い合わせください。")


async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Our own details as they are; the framework's English ones (400 of an unreadable body, 404, 405…)
    in Japanese."""
    detail = exc.detail
    if detail in FRAMEWORK_MESSAGES:
        detail = FRAMEWORK_MESSAGES[detail]
    elif detail == HTTPStatus(exc.status_code).phrase:
        detail = FRAMEWORK_MESSAGES.get(exc.status_code, detail)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def on_server_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: a short Japanese message, with the security headers (this answer passes no middleware);
    the traceback goes to the log as before."""
    headers = {name.decode(): value.decode() for name, value in guard.SECURITY_HEADERS}
    return JSONResponse({"detail": SERVER_ERROR}, status_code=500, headers={**headers, "Cache-Control": "no-store"})


def create_app(settings: Settings = None) -> FastAPI:
    settings = settings or Settings.from_env()
    settings.check()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await app.state.line_api.open()          # the one LINE client, made in the server's event loop
        try:
            yield
        finally:
            await app.state.line_api.close()
            await app.state.core.close()

    app = FastAPI(title="マイナサポートBot gateway", lifespan=lifespan)
    store = Store(settings.database_url)
    app.state.settings = settings
    app.state.store = store
    app.state.core = ConversationCore(settings, store)
    # staff answers go back through the conversation's channel: web here, LINE in line.install
    app.state.deliveries = Deliveries()
    app.state.deliveries.register("web", Pending())
    # Starlette types every handler as taking Exception; ours take their own exception class.
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_server_error)  # type: ignore[arg-type]
    app.include_router(api.router)
    for part in (web, line, helpdesk, fax, guard, access_log):
        part.install(app, settings)

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True}

    return app
