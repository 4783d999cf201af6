"""Serving updates: long polling (the default) or a webhook behind a reverse proxy (BOT_MODE=webhook).

In webhook mode Telegram POSTs each update to WEBHOOK_URL/WEBHOOK_PATH; the proxy forwards it to
WEBHOOK_LISTEN:WEBHOOK_PORT. python-telegram-bot answers 403 to any request without the secret Telegram was given
(X-Telegram-Bot-Api-Secret-Token), so without WEBHOOK_SECRET anyone who finds the URL could inject updates: the
bot refuses to start instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application

from models.config import Settings

SECRET_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
TELEGRAM_PORTS: Final = (443, 80, 88, 8443)  # the only ports Telegram sends webhooks to

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class ServeConfigError(ValueError):
    """The settings cannot serve the chosen mode; the message says what to set."""


@dataclass(frozen=True)
class WebhookConfig:
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


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
    parts = urlsplit(url)
    if not official_api:
        return [] if parts.scheme in ("http", "https") and parts.hostname else [f"WEBHOOK_URL is not a URL: {url!r}"]
    if parts.scheme != "https" or not parts.hostname:
        return [f"WEBHOOK_URL must be an https URL with a host name (Telegram only calls https), not {url!r}"]
    try:
        port = parts.port
    except ValueError:
        return [f"WEBHOOK_URL has an invalid port: {url!r}"]
    if port is not None and port not in TELEGRAM_PORTS:
        return [f"WEBHOOK_URL port {port}: Telegram only calls ports 443, 80, 88 and 8443 (proxy from one of those)"]
    return []


def serve(application: AnyApplication, settings: Settings) -> None:
    """Run until stopped (Ctrl-C, SIGTERM): long polling, or the webhook server when BOT_MODE=webhook."""
    if settings.bot_mode == "webhook":
        config = webhook_config(settings)
        application.run_webhook(
            listen=config.listen,
            port=config.port,
            url_path=config.url_path,
            webhook_url=config.webhook_url,
            secret_token=config.secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def check_mode(settings: Settings) -> None:
    """Raise ServeConfigError before anything starts if the chosen mode cannot run."""
    if settings.bot_mode == "webhook":
        webhook_config(settings)
