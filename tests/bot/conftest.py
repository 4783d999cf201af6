"""The real Application on the in-process Bot API double, plus staff fixtures: conversation tests use these."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO, Settings
from models.db import session_scope
from models.roles import Organisation, Role
from models.tables import Staff

TOKEN = "123456:TEST-TOKEN"
# The conversation tests' day: a Thursday; November 2025 is open, October locked since 11/8.
NOW = datetime(2025, 11, 27, 12, 0, tzinfo=TOKYO)
_user_ids = itertools.count(5001)


def make_settings(**changes: object) -> Settings:
    """Defaults only: a developer's .env never leaks into tests."""
    return Settings(_env_file=None).model_copy(update=changes)


@pytest.fixture
def api() -> InProcessBotApi:
    return InProcessBotApi()


@pytest.fixture
async def app(sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi) -> AsyncIterator[IntakeApplication]:
    application = build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False)
    async with application:
        yield application


async def add_staff(
    sessions: async_sessionmaker[AsyncSession],
    role: Role = Role.WORKER,
    ward: str | None = "27102",
    organisation: Organisation = Organisation.WATCH_OFFICE,
    name: str = "見守り花子",
) -> Staff:
    async with session_scope(sessions) as session:
        staff = Staff(
            telegram_user_id=next(_user_ids), display_name=name, role=role, organisation=organisation, ward_code=ward
        )
        session.add(staff)
        await session.flush()
    return staff


def chat_as(app: IntakeApplication, api: InProcessBotApi, staff: Staff, language_code: str = "ja") -> ChatSession:
    return ChatSession(app, api, staff.telegram_user_id, first_name=staff.display_name, language_code=language_code)


async def supervisor(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    ward: str | None = "27102",
) -> ChatSession:
    """A supervisor (or admin) in a private chat with the bot."""
    return chat_as(app, api, await add_staff(sessions, role, ward=ward, name="管理 一郎"))


def stranger(app: IntakeApplication, api: InProcessBotApi, **kwargs: object) -> ChatSession:
    return ChatSession(app, api, next(_user_ids), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def at_noon() -> Iterator[time_machine.Traveller]:
    """The clock at NOW (Asia/Tokyo), ticking; tests may shift it."""
    with time_machine.travel(NOW) as traveller:
        yield traveller


@pytest.fixture
async def worker(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> ChatSession:
    """A registered 見守り相談室 worker of 都島区 in a private chat with the bot."""
    return chat_as(app, api, await add_staff(sessions))
