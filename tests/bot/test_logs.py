"""Operator logs: JSON lines, the update and staff ids on each line of an update, secrets redacted, no message texts."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.health import heartbeat_of
from bot.logs import (
    JsonFormatter,
    TextFormatter,
    bind_staff,
    bind_update,
    configure_logging,
    make_handler,
    settings_secrets,
    staff_id_var,
    update_id_var,
)
from bot.offline.fake_api import InProcessBotApi
from tests.builders import TOKEN, add_staff, chat_as, make_settings, stranger

NOTE = "玄関先で立ち話、最近眠れないとのこと"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, as the bot writes it with LOG_FORMAT=json (token redacted)."""
    stream = io.StringIO()
    handler = make_handler("json", secrets=[TOKEN], stream=stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture(autouse=True)
def no_ids_outside() -> Iterator[None]:
    """Tests run in one task: leave no update or staff id behind for the next one."""
    update, staff = update_id_var.set(None), staff_id_var.set(None)
    yield
    update_id_var.reset(update)
    staff_id_var.reset(staff)


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def record(message: str, *args: object, level: int = logging.INFO, exc: bool = False) -> logging.LogRecord:
    exc_info = sys.exc_info() if exc else None
    return logging.LogRecord("bot.test", level, __file__, 1, message, args, exc_info)


def test_a_json_line_has_time_level_logger_message_and_the_ids_when_known() -> None:
    line = json.loads(JsonFormatter().format(record("saved event=%s", 12)))
    assert set(line) == {"ts", "level", "logger", "message"}
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "bot.test", "saved event=12")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00", line["ts"])
    stream = io.StringIO()
    logger = logging.getLogger("bot.test.ids")
    logger.addHandler(handler := make_handler("json", stream=stream))
    try:
        bind_update(41)
        bind_staff(7)
        logger.warning("inside an update")
    finally:
        logger.removeHandler(handler)
    [entry] = entries(stream)
    assert (entry["update_id"], entry["staff_id"], entry["level"]) == (41, 7, "WARNING")


def test_exceptions_go_into_the_line_as_text() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        line = json.loads(JsonFormatter().format(record("failed", level=logging.ERROR, exc=True)))
    assert line["exc"].startswith("Traceback") and "ValueError: boom" in line["exc"]


def test_the_text_format_appends_the_ids() -> None:
    plain = record("refused")
    plain.update_id, plain.staff_id = 5, None
    assert TextFormatter().format(plain).endswith("INFO bot.test: refused [update_id=5]")


def test_the_token_and_the_webhook_secret_are_redacted_everywhere() -> None:
    settings = make_settings(telegram_bot_token=SecretStr(TOKEN), webhook_secret=SecretStr("hook-secret-123"))
    stream = io.StringIO()
    logger = logging.getLogger("bot.test.redact")
    logger.addHandler(handler := make_handler("text", secrets=settings_secrets(settings), stream=stream))
    logger.propagate = False
    try:
        logger.warning("HTTP GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        logger.warning("encoded: /bot123456%3ATEST-TOKEN/getUpdates, secret hook-secret-123")
        try:
            raise ConnectionError(f"https://api.telegram.org/bot{TOKEN}/sendMessage unreachable")
        except ConnectionError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert "TEST-TOKEN" not in output and "hook-secret-123" not in output
    assert "https://api.telegram.org/bot[token]/getMe failed" in output
    assert "ConnectionError: https://api.telegram.org/bot[token]/sendMessage unreachable" in output
    assert output.count("[token]") == 4


async def test_lines_logged_inside_an_update_carry_its_update_and_staff_id(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], json_lines: io.StringIO
) -> None:
    await stranger(app, api).send("/log")
    [refusal] = [e for e in entries(json_lines) if e["message"].startswith("refused unregistered user")]
    assert refusal["update_id"] == heartbeat_of(app.bot_data).last_update_id
    assert "staff_id" not in refusal
    staff = await add_staff(sessions)
    worker = chat_as(app, api, staff)
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("✅ 保存する")
    [saved] = [e for e in entries(json_lines) if e["message"].startswith("saved event=")]
    assert (saved["update_id"], saved["staff_id"]) == (heartbeat_of(app.bot_data).last_update_id, staff.id)


async def test_a_saved_event_is_logged_with_its_id_and_no_message_text(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    worker = chat_as(app, api, await add_staff(sessions))
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("メモを追加")
    await worker.send(NOTE)
    saved = (await worker.press("✅ 保存する"))[-1]
    event_id = re.search(r"No\.(\d+)", saved.text)
    assert event_id is not None
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any(re.match(rf"saved event={event_id[1]} kind=outreach staff=\d+$", m) for m in messages), messages
    logged = "\n".join(messages + [r.exc_text or "" for r in caplog.records])
    assert NOTE not in logged and "立ち話" not in logged
    assert TOKEN not in logged


def test_configure_logging_installs_one_handler_and_keeps_chatty_loggers_quiet() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    names = ("httpx", "apscheduler", "telegram")
    saved_levels = {name: logging.getLogger(name).level for name in names}
    try:
        configure_logging("debug", "json", secrets=[TOKEN])
        configure_logging("debug", "json", secrets=[TOKEN])  # again: replaces, never doubles
        ours = [h for h in root.handlers if h.get_name() == "intake"]
        assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
        assert root.level == logging.DEBUG
        # httpx logs URLs with the token; PTB at DEBUG logs whole updates (message texts): never below INFO
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("apscheduler").level == logging.WARNING
        assert logging.getLogger("telegram").level == logging.INFO
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def test_text_lines_carry_japan_time_with_its_offset() -> None:
    line = TextFormatter().format(record("started"))
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00 INFO bot.test: started$", line), line


def test_the_webhooks_critical_line_never_carries_the_body(json_lines: io.StringIO) -> None:
    """python-telegram-bot logs a POST that is not an update with its whole body (issue 18): the line stays, the
    body goes."""
    body = {"message": {"text": NOTE, "from": {"first_name": "田中"}}}
    try:
        raise TypeError("Update.__init__() missing 1 required positional argument: 'update_id'")
    except TypeError as error:
        logging.getLogger("telegram.ext.Updater").critical(
            "Something went wrong processing the data received from Telegram. "
            "Received data was *not* processed! Received data was: %r",
            body,
            exc_info=error,
        )
    (line,) = [json.loads(text) for text in json_lines.getvalue().splitlines()]
    assert line["level"] == "CRITICAL" and line["logger"] == "telegram.ext.Updater"
    assert line["message"] == (
        "a webhook request was not an update and was not processed (TypeError; its contents are not logged)"
    )
    assert NOTE not in json_lines.getvalue() and "田中" not in json_lines.getvalue()
