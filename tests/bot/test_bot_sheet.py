"""/sheet and /chart through the render pool: the bot says the sheet is coming, shares a build, and leaves no
worker process behind when it shuts down."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import time_machine
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.render_pool import RenderPool
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from models.sheet.build import BuiltSheet, DatabaseTarget, SheetRequest
from models.sheet.goal_sheets import YEAR_COLUMNS
from tests.builders import TOKEN, add_event, add_staff, chat_as, make_settings
from tests.sheet_reading import row_of


class CountingPool(RenderPool):
    """The real pool, counting the workbooks it builds."""

    def __init__(self) -> None:
        super().__init__(workers=1)
        self.builds: list[SheetRequest] = []

    async def sheet_file(self, database: DatabaseTarget, request: SheetRequest, directory: Path) -> BuiltSheet:
        self.builds.append(request)
        return await super().sheet_file(database, request, directory)


async def test_sheet_says_it_is_coming_then_sends_the_file(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 10, 6), count=2)
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    first, sent = await chief.send("/sheet 2025-10")
    assert first.text == "推進状況確認シートを作成中です…"
    assert sent.document is not None and sent.document[0] == "sheet-2025-2025-10-31-27102.xlsx"
    assert sent.caption == "推進状況確認シート　令和7年10月末時点　都島区"
    sheet = load_workbook(BytesIO(sent.document[1]))["基本目標1"]
    assert sheet.cell(row_of(sheet, "indicator:1-5"), YEAR_COLUMNS[2025]).value == "2件"


async def test_sheet_without_a_month_is_the_last_month_end_and_a_year_without_data_shows_dashes(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 10, 6), count=2)  # FY2025 only: FY2026 has no data
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)):  # not 「令和8年12月1日時点」
        first, sent = await chief.send("/sheet")
    assert first.text == "推進状況確認シートを作成中です…"
    assert sent.document is not None and sent.document[0] == "sheet-2026-2026-11-30-27102.xlsx"
    assert sent.caption == "推進状況確認シート　令和8年11月末時点　都島区"
    sheet = load_workbook(BytesIO(sent.document[1]))["基本目標1"]
    assert sheet["A1"].value.endswith("（令和8年11月末時点）　都島区")
    row = row_of(sheet, "indicator:1-5")
    assert (sheet.cell(row, YEAR_COLUMNS[2025]).value, sheet.cell(row, YEAR_COLUMNS[2026]).value) == ("2件", "—")
    assert sheet.cell(row_of(sheet, "no_data_note"), 1).value.startswith("「—」はデータなし")
    assert "intake" not in sheet.cell(row_of(sheet, "no_data_note"), 1).value  # no operator's instruction


async def test_two_requests_for_the_same_sheet_at_once_share_one_build(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pool = CountingPool()
    app.bot_data[RENDER_POOL] = pool  # shut down with the app like the one it replaces (which never started)
    first = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 一"))
    second = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 二"))
    ward = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 三"))
    replies = await asyncio.gather(
        first.send("/sheet 2025-10"), second.send("/sheet 2025-10"), ward.send("/sheet 2025-10")
    )
    documents = [messages[-1].document for messages in replies]
    assert [d[0] if d else None for d in documents] == ["sheet-2025-2025-10-31-city.xlsx"] * 2 + [
        "sheet-2025-2025-10-31-27102.xlsx"
    ]
    assert sorted(pool.builds, key=lambda r: r.ward_code or "") == [
        SheetRequest(2025, date(2025, 10, 31), None, 1),
        SheetRequest(2025, date(2025, 10, 31), "27102", 1),
    ]
    await first.send("/sheet 2025-10")  # after the shared build is over, a new request builds again
    assert len(pool.builds) == 3


async def test_chart_is_drawn_in_a_worker_process(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    await chief.send("/chart")
    sent = (await chief.press_data("chart:1-5"))[-1]
    assert sent.photo is not None and sent.photo.startswith(b"\x89PNG")
    pool: RenderPool = app.bot_data[RENDER_POOL]
    assert len(pool.processes()) == 1  # started on first use, one worker by default


async def test_the_workers_stop_with_the_application(sessions: async_sessionmaker[AsyncSession]) -> None:
    api = InProcessBotApi()
    application = build_application(
        Runtime(make_settings(render_workers=2), sessions), TOKEN, request=api, rate_limited=False
    )
    pool: RenderPool = application.bot_data[RENDER_POOL]
    async with application:
        assert pool.processes() == []  # nothing starts until a sheet or chart is asked for
        city = chat_as(application, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None))
        await city.send("/sheet 2025-10")
        running = pool.processes()
        assert running and all(process.is_alive() for process in running)
    assert pool.processes() == []
    assert not any(process.is_alive() for process in running)
