"""Web channel: the chat page at `/`, the embeddable widget under `/static`, and `/embed-demo`.

The widget is plain HTML/CSS/JS in `static/` (no build step). Another site embeds it with one tag:
    <script src="http://127.0.0.1:8000/static/widget.js" defer></script>
and must be listed in CORS_ORIGINS for its browser to call /api/chat.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from bot.gateway.settings import Settings

STATIC_DIR = Path(__file__).with_name("static")

# Our own pages load only our own files: an injected <script> or inline handler would not run.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def embed_demo_html(script_url: str) -> str:
    """The demo page with the script tag (and the snippet shown as text) pointing at this gateway."""
    template = (STATIC_DIR / "embed-demo.html").read_text(encoding="utf-8")
    return template.replace("{{script_url}}", escape(script_url, quote=True))


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the chat page, the widget files and the embed demo (CORS for CORS_ORIGINS: guard.py)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.get("/embed-demo", include_in_schema=False)
    async def embed_demo(request: Request) -> HTMLResponse:
        script_url = str(request.url_for("static", path="widget.js"))
        return HTMLResponse(embed_demo_html(script_url), headers=PAGE_HEADERS)
