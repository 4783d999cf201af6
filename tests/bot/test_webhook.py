"""Webhook mode: the bot's own Starlette app (bot/serve.py) on 127.0.0.1, updates POSTed over HTTP with and without the
secret token, and the checks that keep `intake run` from starting a webhook anyone could post to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.app import IntakeApplication
from bot.cli.main import app as cli
from bot.health import heartbeat_of
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from bot.serve import (
    SECRET_HEADER,
    ServeConfigError,
    TelegramUnreachableError,
    WebhookConfig,
    start_with_retries,
    webhook_app,
    webhook_config,
    webhook_problems,
)
from models.config import Settings, get_settings
from tests.builders import TOKEN, add_staff, chat_as, make_settings
from tests.http_bot_api import free_port, serving

SECRET = "s3cret_Webhook-token"
PATH = "telegram-hook"
PUBLIC_URL = "https://bot.example.jp/" + PATH


@dataclass(frozen=True)
class Served:
    url: str
    client: httpx.AsyncClient


@pytest.fixture
async def served(app: IntakeApplication) -> AsyncIterator[Served]:
    """The bot's own web app (bot/serve.py) as `intake run` serves it, on a free local port, the application
    started on the same event loop."""
    config = WebhookConfig("127.0.0.1", free_port(), PATH, PUBLIC_URL, SECRET)
    await app.bot.set_webhook(url=PUBLIC_URL, secret_token=SECRET)
    await app.start()
    try:
        async with serving(webhook_app(app, config), config.port), httpx.AsyncClient(timeout=5) as client:
            yield Served(f"http://127.0.0.1:{config.port}/{PATH}", client)
    finally:
        await app.stop()


async def post(served: Served, update: dict[str, Any], secret: str | None) -> httpx.Response:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    return await served.client.post(served.url, json=update, headers=headers)


async def replies(api: InProcessBotApi, chat: ChatSession, at_least: int = 1) -> list[BotMessage]:
    """The bot's messages in the chat, once there are `at_least` (updates are processed in the background)."""
    for _ in range(200):
        if len(api.messages(chat.chat_id)) >= at_least:
            break
        await asyncio.sleep(0.025)
    return api.messages(chat.chat_id)


async def test_only_requests_with_the_secret_token_are_processed(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], served: Served
) -> None:
    chat = chat_as(app, api, await add_staff(sessions, name="見守り花子"))
    start = {"update_id": 900_001, "message": chat.build_message("/start")}

    missing = await post(served, start, secret=None)
    wrong = await post(served, {**start, "update_id": 900_002}, secret="not-the-secret")
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert app.update_queue.qsize() == 0

    right = await post(served, {**start, "update_id": 900_003}, secret=SECRET)
    assert right.status_code == 200
    [reply] = await replies(api, chat)
    assert reply.text.startswith("見守り花子さん、こんにちは。")
    await asyncio.sleep(0.1)  # a refused update, had it been queued, would have been processed before this one
    heartbeat = heartbeat_of(app.bot_data)
    assert (heartbeat.updates, heartbeat.last_update_id) == (1, 900_003)
    assert len(api.messages(chat.chat_id)) == 1


async def test_the_webhook_is_registered_with_the_public_url_and_the_secret(
    api: InProcessBotApi, served: Served
) -> None:
    [call] = api.calls_to("setWebhook")
    assert call.parameters["url"] == PUBLIC_URL
    assert call.parameters["secret_token"] == SECRET


async def test_a_stranger_posting_with_the_secret_is_still_refused_by_the_guard(
    app: IntakeApplication, api: InProcessBotApi, served: Served
) -> None:
    chat = ChatSession(app, api, 6_999_001)
    assert (
        await post(served, {"update_id": 900_010, "message": chat.build_message("/log")}, SECRET)
    ).status_code == 200
    [reply] = await replies(api, chat)
    assert reply.text.startswith("申し訳ありません。このボットは登録された職員の方専用です")


# --- the settings check that runs before `intake run` starts anything ---------------------------------------------


def webhook_settings(**changes: object) -> Settings:
    values: dict[str, object] = {
        "bot_mode": "webhook",
        "webhook_url": "https://bot.example.jp",
        "webhook_secret": SecretStr(SECRET),
    }
    return make_settings(**(values | changes))


def test_a_complete_webhook_configuration_gives_the_run_webhook_arguments() -> None:
    config = webhook_config(webhook_settings(webhook_url="https://bot.example.jp/", webhook_path="/hook/"))
    assert config.webhook_url == "https://bot.example.jp/hook"
    assert (config.listen, config.port, config.url_path, config.secret_token) == ("127.0.0.1", 8443, "hook", SECRET)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"webhook_url": None}, "WEBHOOK_URL is not set"),
        ({"webhook_secret": None}, "WEBHOOK_SECRET is not set"),
        ({"webhook_secret": SecretStr("")}, "WEBHOOK_SECRET is not set"),
        ({"webhook_secret": SecretStr("has spaces!")}, "may only hold A-Z a-z 0-9 _ -"),
        ({"webhook_secret": SecretStr("x" * 257)}, "1-256 characters"),
        ({"webhook_url": "http://bot.example.jp"}, "must be an https URL"),
        ({"webhook_url": "https://bot.example.jp:8080"}, "Telegram only calls ports 443, 80, 88 and 8443"),
        ({"webhook_path": "/"}, "WEBHOOK_PATH is empty"),
    ],
)
def test_an_incomplete_webhook_configuration_is_refused(changes: dict[str, object], problem: str) -> None:
    assert any(problem in line for line in webhook_problems(webhook_settings(**changes)))
    with pytest.raises(ServeConfigError, match="BOT_MODE=webhook cannot start"):
        webhook_config(webhook_settings(**changes))


def test_a_self_hosted_bot_api_server_may_call_plain_http_on_any_port() -> None:
    settings = webhook_settings(webhook_url="http://10.0.0.5:8081", telegram_base_url="http://localhost:8081/bot")
    assert webhook_problems(settings) == []


async def test_the_health_path_answers_the_proxy_and_a_body_that_is_not_an_update_is_refused(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    health = await served.client.get(served.url.replace(PATH, "healthz"))
    assert (health.status_code, health.json()["ok"]) == (200, True)
    body = await served.client.post(served.url, content=b"private words", headers={SECRET_HEADER: SECRET})
    assert body.status_code == 400
    assert "private words" not in caplog.text
    assert "refused a POST that is not an update (13 bytes)" in caplog.text


async def test_start_up_retries_an_unreachable_telegram_one_line_per_try(
    app: IntakeApplication, api: InProcessBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await app.shutdown()  # the fixture's application, initialised: start again as `intake run` does
    api.inject("getMe", 502, "Bad Gateway", times=2)
    await start_with_retries(app, attempts=5, first_delay=0)
    tries = [record.getMessage() for record in caplog.records if "Telegram unreachable" in record.getMessage()]
    assert len(tries) == 2
    assert tries[0].startswith("Telegram unreachable (try 1/5):") and tries[0].endswith("retrying in 0 s")
    assert TOKEN not in caplog.text
    await app.shutdown()
    api.inject("getMe", 502, "Bad Gateway", times=3)
    with pytest.raises(TelegramUnreachableError, match="after 3 tries"):
        await start_with_retries(app, attempts=3, first_delay=0)
    await app.initialize()  # for the fixture's own shutdown


def test_intake_run_refuses_a_webhook_without_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name, value in {
        "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.jp",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "WEBHOOK_SECRET is not set" in result.output
    assert not (tmp_path / "x.db").exists()  # refused before the database was touched
