"""Serving updates: long polling (the default) or a webhook behind a reverse proxy (BOT_MODE=webhook).

In webhook mode Telegram POSTs each update to WEBHOOK_URL/WEBHOOK_PATH; the proxy forwards it to
WEBHOOK_LISTEN:WEBHOOK_PORT, where the bot's own Starlette app answers on the bot's event loop (python-telegram-bot's
custom-webhook example: uvicorn serves it, each update goes to the application's update queue). It answers 403 to any
POST without the secret Telegram was given (X-Telegram-Bot-Api-Secret-Token), so without WEBHOOK_SECRET anyone who
finds the URL could inject updates: the bot refuses to start instead. GET /WEBHOOK_HEALTH_PATH answers the proxy's
health check (200 while the application runs). With WEBAPP_URL the dashboard's routes (bot/dashboard/) are added
to the same app; in polling mode they get a server of their own on the same loop.

Before serving, start-up reaches Telegram (getMe) with retries: an unreachable Telegram is tried again with backoff,
one log line per try, TELEGRAM_START_ATTEMPTS times (0: until it answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application

from bot.dashboard.routes import dashboard_routes
from bot.health import heartbeat_of
from models.config import Settings

log = logging.getLogger("intake")

SECRET_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
TELEGRAM_PORTS: Final = (443, 80, 88, 8443)  # the only ports Telegram sends webhooks to
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
FIRST_RETRY_DELAY: Final = 2.0  # seconds; doubled after each failed try, up to MAX_RETRY_DELAY
MAX_RETRY_DELAY: Final = 60.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class ServeConfigError(ValueError):
    """The settings cannot serve the chosen mode; the message says what to set."""


class TelegramUnreachableError(RuntimeError):
    """Start-up gave up reaching Telegram after TELEGRAM_START_ATTEMPTS tries (each logged)."""


@dataclass(frozen=True)
class WebhookConfig:
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str
    health_path: str = "healthz"


def webhook_config(settings: Settings) -> WebhookConfig:
    """The run_webhook arguments, or ServeConfigError naming every missing or invalid setting."""
    problems = webhook_problems(settings)
    if problems:
        raise ServeConfigError("BOT_MODE=webhook cannot start:\n" + "\n".join(f"  - {p}" for p in problems))
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    path = settings.webhook_path.strip("/")
    return WebhookConfig(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=f"{settings.webhook_url.rstrip('/')}/{path}",
        secret_token=settings.webhook_secret.get_secret_value(),
        health_path=settings.webhook_health_path.strip("/") or "healthz",
    )


def webhook_problems(settings: Settings) -> list[str]:
    """Everything wrong with the webhook settings (empty: ready to start)."""
    problems = _url_problems(settings.webhook_url, official_api=_official_api(settings))
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        problems.append(
            "WEBHOOK_SECRET is not set: without it anyone who finds the URL can send the bot updates. Set 1-256 "
            "characters of A-Z a-z 0-9 _ - (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    elif not SECRET_PATTERN.fullmatch(secret):
        problems.append("WEBHOOK_SECRET may only hold A-Z a-z 0-9 _ - and be 1-256 characters long (Telegram's rule)")
    if not settings.webhook_path.strip("/"):
        problems.append("WEBHOOK_PATH is empty: give the webhook a path of its own, e.g. telegram")
    if not 1 <= settings.webhook_port <= 65535:
        problems.append(f"WEBHOOK_PORT {settings.webhook_port} is not a port number")
    return problems


def _official_api(settings: Settings) -> bool:
    """A self-hosted Bot API server (TELEGRAM_BASE_URL) may call plain http and any port; Telegram's own may not."""
    return urlsplit(settings.telegram_base_url).hostname == "api.telegram.org"


def _url_problems(url: str | None, official_api: bool = True) -> list[str]:
    if not url:
        return ["WEBHOOK_URL is not set: the public https address of the reverse proxy, e.g. https://bot.example.jp"]
    problem = _https_problem("WEBHOOK_URL", url, official_api, "Telegram only calls https")
    if problem:
        return [problem]
    port = urlsplit(url).port if official_api else None
    if port is not None and port not in TELEGRAM_PORTS:
        return [f"WEBHOOK_URL port {port}: Telegram only calls ports 443, 80, 88 and 8443 (proxy from one of those)"]
    return []


def _https_problem(name: str, url: str, official_api: bool, why: str) -> str | None:
    """`name` must be an https URL with a host (http too for a self-hosted Bot API server); None if it is."""
    parts = urlsplit(url)
    if not official_api:
        return None if parts.scheme in ("http", "https") and parts.hostname else f"{name} is not a URL: {url!r}"
    if parts.scheme != "https" or not parts.hostname:
        return f"{name} must be an https URL with a host name ({why}), not {url!r}"
    try:
        parts.port  # noqa: B018  # raises for a port that is not a number
    except ValueError:
        return f"{name} has an invalid port: {url!r}"
    return None


def webapp_problem(settings: Settings) -> str | None:
    """What is wrong with WEBAPP_URL, in one line (None: unset, or fine)."""
    if not settings.webapp_url:
        return None
    return _https_problem("WEBAPP_URL", settings.webapp_url, _official_api(settings), "Telegram opens only https pages")


def serve(application: AnyApplication, settings: Settings) -> None:
    """Run until stopped (Ctrl-C, SIGTERM): reach Telegram (with retries), then long polling, or the webhook app
    when BOT_MODE=webhook. With WEBAPP_URL the dashboard is served too: on the webhook's app, or in polling mode
    on a server of its own (WEBAPP_LISTEN:WEBAPP_PORT) on the same event loop."""
    config = webhook_config(settings) if settings.bot_mode == "webhook" else None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # PTB's run_polling runs on this loop too
    try:
        loop.run_until_complete(start_with_retries(application, settings.telegram_start_attempts))
        if config is not None:
            loop.run_until_complete(serve_webhook(application, config, _dashboard(application, settings)))
            return
    except BaseException:
        loop.close()
        raise
    page = dashboard_server(application, settings)
    serving = None if page is None else loop.create_task(page.serve())  # runs once run_polling runs the loop
    try:  # initialised already: PTB goes on from there; its SIGTERM/SIGINT handling stops the page's server too
        application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=serving is None)
    finally:
        if page is not None and serving is not None:
            page.should_exit = True
            loop.run_until_complete(serving)
            loop.close()


def _dashboard(application: AnyApplication, settings: Settings) -> list[BaseRoute]:
    return dashboard_routes(application) if settings.webapp_url else []


def dashboard_server(application: AnyApplication, settings: Settings) -> WebServer | None:
    """Polling mode's server for the dashboard (None without WEBAPP_URL). Its signals are PTB's to handle."""
    routes = _dashboard(application, settings)
    if not routes:
        return None
    config = uvicorn.Config(
        Starlette(routes=routes),
        host=settings.webapp_listen,
        port=settings.webapp_port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return WebServer(config, signals=False)


async def start_with_retries(
    application: AnyApplication, attempts: int, first_delay: float = FIRST_RETRY_DELAY
) -> None:
    """`application.initialize()` (its getMe), tried again with backoff while Telegram cannot be reached; one
    warning line per failed try. A token Telegram refuses is not retried (InvalidToken is not a NetworkError)."""
    delay, attempt = first_delay, 0
    while True:
        attempt += 1
        try:
            await application.initialize()
            return
        except NetworkError as error:  # TimedOut is one too
            of = f"/{attempts}" if attempts else ""
            if attempts and attempt >= attempts:
                log.error("Telegram unreachable (try %d%s): %s; giving up", attempt, of, error)
                raise TelegramUnreachableError(f"Telegram unreachable after {attempt} tries") from None
            log.warning("Telegram unreachable (try %d%s): %s; retrying in %g s", attempt, of, error, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_DELAY)


def webhook_app(application: AnyApplication, config: WebhookConfig, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The bot's web app: Telegram's POSTs (secret checked) into the update queue, the proxy's health check, and
    any further routes (they run on the same event loop as the bot)."""
    secret = config.secret_token.encode()

    async def telegram(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret):
            return Response(status_code=403)
        body = await request.body()
        try:
            update = Update.de_json(await request.json(), application.bot)
        except Exception:  # never log the body: it may be a worker's message
            log.warning("webhook: refused a POST that is not an update (%d bytes)", len(body))
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def healthz(_request: Request) -> Response:
        beat = heartbeat_of(application.bot_data)
        at = beat.last_update_at
        return JSONResponse(
            {"ok": application.running, "last_update_at": None if at is None else at.isoformat(timespec="seconds")},
            status_code=200 if application.running else 503,
        )

    return Starlette(
        routes=[
            Route(f"/{config.url_path}", telegram, methods=["POST"]),
            Route(f"/{config.health_path}", healthz, methods=["GET"]),
            *routes,
        ]
    )


class WebServer(uvicorn.Server):
    """uvicorn's server, whose SIGTERM/SIGINT only end serving (uvicorn re-raises them once it has stopped, which
    would kill the process before the application stops and saves its state). `signals=False`: none handled."""

    def __init__(self, config: uvicorn.Config, signals: bool = True) -> None:
        super().__init__(config)
        self.signals = signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if not self.signals:
            yield
            return
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, self.handle_exit, number, None)
        try:
            yield
        finally:
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(number)


async def serve_webhook(application: AnyApplication, config: WebhookConfig, routes: Sequence[BaseRoute] = ()) -> None:
    """Register the webhook, start the application, serve the web app (and `routes`) until SIGTERM/Ctrl-C, then
    stop cleanly."""
    await application.bot.set_webhook(
        url=config.webhook_url, secret_token=config.secret_token, allowed_updates=Update.ALL_TYPES
    )
    server = WebServer(
        uvicorn.Config(
            webhook_app(application, config, routes),
            host=config.listen,
            port=config.port,
            log_config=None,  # our logging (LOG_FORMAT) for uvicorn's lines too
            access_log=False,
            lifespan="off",
        )
    )
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await server.serve()  # returns on SIGTERM / SIGINT (uvicorn handles them)
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()


def check_mode(settings: Settings) -> None:
    """Raise ServeConfigError before anything starts if the chosen mode (or the dashboard) cannot run."""
    if settings.bot_mode == "webhook":
        webhook_config(settings)
    problem = webapp_problem(settings)
    if problem:
        raise ServeConfigError(problem)
