"""Issue 22, part 2 through the bot: beside the figures, how complete each ward's month is — who reported (an entry
or 「今月は0件」) of those expected, the /missing definition, and how many before the month's lock date — in /totals,
the ranking, the monthly push and the pushed workbook's 区別内訳."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, update

from bot.app import IntakeApplication
from bot.context import RENDER_POOL
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from models.tables import Event
from reminders.jobs import ReminderRuntime, run_day
from tests.builders import add_event, add_staff, make_settings, supervisor


@pytest.fixture
async def three_workers(sessions: async_sessionmaker[AsyncSession]) -> None:
    """都島区's three workers: one reported October on time and November; one October after its lock (11/11); one
    nothing."""
    prompt = await add_staff(sessions, name="早い 一子")
    late = await add_staff(sessions, name="遅い 二郎")
    await add_staff(sessions, name="未記録 三太")
    logged = [
        (prompt.id, date(2025, 10, 10), datetime(2025, 10, 10, 18, 0, tzinfo=TOKYO)),
        (prompt.id, date(2025, 11, 5), datetime(2025, 11, 5, 18, 0, tzinfo=TOKYO)),
        (late.id, date(2025, 10, 30), datetime(2025, 11, 20, 18, 0, tzinfo=TOKYO)),
    ]
    async with session_scope(sessions) as session:
        for staff_id, day, at in logged:
            event = await add_event(session, "outreach", day, logged_by=staff_id)
            await session.execute(update(Event).where(col(Event.id) == event.id).values(logged_at=at))


@pytest.mark.usefixtures("three_workers", "at_noon")
async def test_totals_and_the_ranking_show_who_reported_of_those_expected(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)

    lines = (await chief.send("/totals"))[-1].text.splitlines()

    assert lines[:3] == [
        "2025（令和7）年度　令和7年11月27日時点　都島区",
        "前年同期: 令和6年11月27日時点",
        "11月分の報告: 1／3人（うち締切前 1人）",
    ]
    october = (await chief.press("◀ 前月末"))[-1]
    assert october.text.splitlines()[2] == "10月分の報告: 2／3人（うち締切前 1人）"
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    assert (await city.send("/totals"))[-1].text.splitlines()[2] == "11月分の報告: 1／3人（うち締切前 1人）"
    await city.press("区別（前年同期比）")
    ranking = (await city.press("目標1 ⑤アウトリーチ件数"))[-1].text.splitlines()
    assert [line for line in ranking if "都島区" in line] == ["24. 都島区 3件 ／ 前年 —　報告 1／3"]
    assert sum("報告" in line for line in ranking) == 1  # no one is expected in the other wards


@pytest.mark.usefixtures("three_workers")
async def test_the_push_and_its_workbook_carry_each_wards_completeness(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 管理")
    settings = make_settings()
    runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, app.bot_data[RENDER_POOL]))
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        await run_day(app.bot, runtime, date(2025, 12, 1))

    text, document = api.messages(chief.telegram_user_id)
    assert "\n11月分の報告: 1／3人（うち締切前 1人）\n" in text.text
    assert document.document is not None
    by_ward = load_workbook(BytesIO(document.document[1]))["区別内訳"]
    rows = [list(row) for row in by_ward.iter_rows(values_only=True)]
    assert rows[0][-4:-1] == ["報告済み", "報告対象", "締切前に報告"]
    assert rows[1][-4:-1] == ["11月分の報告済み（人）", "11月分の報告対象（人）", "11月分の締切前の報告（人）"]
    assert rows[2][:2] == ["27102", "都島区"] and rows[2][-4:-1] == [1, 3, 1]
    assert rows[-1][0] == "合計" and rows[-1][-4:-1] == [1, 3, 1]
