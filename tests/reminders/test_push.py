"""The monthly push at scale of people: one workbook per scope however many supervisors share it, exactly once."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import time_machine
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.context import RENDER_POOL
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from reminders.delivery import Outcome
from reminders.jobs import ReminderRuntime, run_day
from tests.bot.test_bot_sheet import CountingPool
from tests.builders import add_event, add_staff, make_settings

PUSH_DAY = date(2025, 12, 1)


async def test_each_scopes_workbook_is_built_once_and_every_supervisor_gets_it_once(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pool = CountingPool()
    app.bot_data[RENDER_POOL] = pool  # stopped with the app
    settings = make_settings()
    runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, pool))
    supervisors = [
        await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27102", name="都島 一"),
        await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27102", name="都島 二"),
        await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27103", name="福島 一"),
        await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 一"),
        await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 二"),
    ]
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 11, 10), count=4)
        await add_event(session, "outreach", date(2025, 11, 11), "27103", count=5)
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        report = await run_day(app.bot, runtime, PUSH_DAY)
        assert report.push is not None and report.push.counts[Outcome.SENT] == 5
        assert sorted(request.ward_code or "city" for request in pool.builds) == ["27102", "27103", "city"]
        for person, file_name, outreach in zip(
            supervisors,
            ["27102", "27102", "27103", "city", "city"],
            ["4件", "4件", "5件", "9件", "9件"],
            strict=True,
        ):
            text, document = api.messages(person.telegram_user_id)
            assert f"⑤アウトリーチ件数\n　{outreach}" in text.text
            assert document.document is not None
            assert document.document[0] == f"sheet-2025-2025-11-30-{file_name}.xlsx"
            assert load_workbook(BytesIO(document.document[1]))["基本目標1"]["A1"].value.startswith("【中核的な取組】")
        again = await run_day(app.bot, runtime, PUSH_DAY)  # a re-run (restart, second process): nothing twice
    assert again.push is not None and again.push.counts[Outcome.ALREADY_SENT] == 5
    assert len(pool.builds) == 3  # nobody left to serve: nothing built
    assert all(len(api.messages(person.telegram_user_id)) == 2 for person in supervisors)
    assert not list(pool.scratch_directory().parent.glob("*/*.xlsx"))  # the push's files are removed
