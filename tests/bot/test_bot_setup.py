"""How the Application is put together: the Bot API endpoint, the command menus, the order of handler groups."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.commands import commands_for, register_default_commands
from bot.context import Runtime
from bot.conversations.flow import KIND_COMMANDS
from bot.offline.fake_api import InProcessBotApi
from models.roles import Role
from tests.builders import TOKEN, add_staff, chat_as, make_settings


async def test_a_self_hosted_bot_api_server_is_used(sessions: async_sessionmaker[AsyncSession]) -> None:
    settings = make_settings(
        telegram_base_url="http://bot-api.internal:8081/bot",
        telegram_base_file_url="http://bot-api.internal:8081/file/bot",
    )
    application = build_application(Runtime(settings, sessions), TOKEN, request=InProcessBotApi(), rate_limited=False)
    assert application.bot.base_url == f"http://bot-api.internal:8081/bot{TOKEN}"
    assert application.bot.base_file_url == f"http://bot-api.internal:8081/file/bot{TOKEN}"


async def test_default_command_menus_in_both_languages(sessions: async_sessionmaker[AsyncSession]) -> None:
    api = InProcessBotApi()
    async with build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False) as app:
        await register_default_commands(app.bot)
    calls = api.calls_to("setMyCommands")
    assert [call.parameters.get("language_code") for call in calls] == [None, "en"]
    assert calls[0].parameters["scope"] == {"type": "all_private_chats"}
    assert calls[1].parameters["commands"][0] == {"command": "log", "description": "Log an activity"}


def test_roles_see_their_commands() -> None:
    worker = [c.command for c in commands_for(Role.WORKER, "ja")]
    admin = [c.command for c in commands_for(Role.ADMIN, "ja")]
    assert "invite" not in worker and "void" not in worker
    assert {"invite", "staff", "deactivate", "void"} <= set(admin)
    ward_supervisor = [c.command for c in commands_for(Role.WARD_SUPERVISOR, "en")]
    assert {"void", "totals", "sheet", "chart", "missing", "note"} <= set(ward_supervisor)
    assert "reopen" not in ward_supervisor
    assert "reopen" in [c.command for c in commands_for(Role.CITY_SUPERVISOR, "ja")]


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_a_workers_help_lists_the_workers_commands_shortcuts_first(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], language: str
) -> None:
    worker = chat_as(app, api, await add_staff(sessions), language_code=language)
    shown = (await worker.send("/help"))[-1].text
    first_lines = shown.splitlines()[: len(KIND_COMMANDS)]
    assert [line.split(" … ")[0] for line in first_lines] == [f"/{command}" for command in KIND_COMMANDS]
    menu = {command.command for command in commands_for(Role.WORKER, language)}
    assert set(re.findall(r"/([a-z]+)", shown)) == menu - {"help"}  # every command a worker has, and no other
