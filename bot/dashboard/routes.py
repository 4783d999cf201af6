"""The dashboard's routes under /app/: the page (`index.html`), its files (`/app/static/…`) and the API
(`/app/api/…`), with the security headers of docs/dashboard.md on every response and gzip where the client asks.

Mounted on the webhook's Starlette app (`bot.serve.webhook_app(routes=…)`) or, in polling mode, on a server of its
own (`bot.serve.dashboard_server`); both on the bot's event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dashboard.access import AnyApplication
from bot.dashboard.api import api_routes

STATIC: Final = Path(__file__).parent / "static"
PREFIX: Final = "/app"
TELEGRAM_FRAMES: Final = "https://web.telegram.org https://*.telegram.org"  # Telegram's web clients frame the page
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    f"object-src 'none'; base-uri 'none'; frame-ancestors 'self' {TELEGRAM_FRAMES}"
)
HEADERS: Final = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
GZIP_FROM: Final = 256  # bytes: smaller answers go as they are
API_HEADERS: Final = {"cache-control": "no-store"}  # answers hold people's figures: never kept by a cache


class SecurityHeaders:
    """Adds the page's security headers to every response under /app (API answers: `Cache-Control: no-store`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = HEADERS | (API_HEADERS if _is_api(scope) else {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in extra]
                message["headers"] = kept + [(k.encode(), v.encode()) for k, v in extra.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_api(scope: Scope) -> bool:
    path: str = scope.get("root_path", "") + scope.get("path", "")
    return f"{PREFIX}/api/" in path or path.endswith(f"{PREFIX}/api")


async def _page(_request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


def dashboard_app(application: AnyApplication) -> Starlette:
    """The app mounted at /app: its own error handling inside the headers, so a 404 or 405 carries them too."""
    return Starlette(
        routes=[
            Route("/", _page, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=STATIC), name="dashboard_static"),
            Mount("/api", routes=api_routes(application)),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(GZipMiddleware, minimum_size=GZIP_FROM)],
    )


def dashboard_routes(application: AnyApplication) -> list[BaseRoute]:
    """`/app/` (the page), `/app/static/…` (its files) and `/app/api/…` (the JSON API) for this application."""
    return [
        Route(PREFIX, SecurityHeaders(RedirectResponse(f"{PREFIX}/", status_code=308))),  # /app → /app/
        Mount(PREFIX, app=dashboard_app(application)),
    ]
