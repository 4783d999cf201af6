"""Fixtures of the conversation tests: the real Application on the in-process Bot API double, the clock, a worker.

The helpers they use (staff, chats, settings) are in tests/builders.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from tests.builders import NOW, TOKEN, add_staff, chat_as, make_settings


@pytest.fixture
def api() -> InProcessBotApi:
    return InProcessBotApi()


@pytest.fixture
async def app(sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi) -> AsyncIterator[IntakeApplication]:
    application = build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False)
    async with application:
        yield application


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
