"""Supervisors through the bot: /totals per role and scope, /missing with the nudge and 「今月は0件」, /reopen."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.offline.fake_api import BotMessage, InProcessBotApi
from models.catalog import INDICATORS_BY_CODE
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import correct_event
from models.locks import reopen_month
from models.roles import Role
from models.sheet.goal_sheets import YEAR_COLUMNS
from models.snapshots import close_month
from models.tables import AuditEntry, Staff, ZeroReport
from models.totals import indicator_totals, sheet_notation
from tests.builders import add_event, add_staff, chat_as, supervisor
from tests.sheet_reading import row_of

pytestmark = pytest.mark.usefixtures("at_noon")


@pytest.fixture
async def figures(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Outreach: 2 in October and 3 in November in Miyakojima, 7 in November in Fukushima."""
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 10, 6), count=2)
        await add_event(session, "outreach", date(2025, 11, 6), count=3)
        await add_event(session, "outreach", date(2025, 11, 7), "27103", count=7)
        await add_event(session, "concern_report", date(2025, 11, 7), area="27102-01")


@pytest.mark.usefixtures("figures")
async def test_a_ward_supervisor_sees_the_ward_and_nothing_else(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    message = (await chief.send("/totals"))[-1]
    lines = message.text.splitlines()
    assert lines[0] == "2025（令和7）年度　令和7年11月27日時点　都島区"
    at = lines.index("⑤アウトリーチ件数")
    assert lines[at + 1] == "　5件（前月末比 +3）"
    at = lines.index("②気になる方の情報が寄せられた地域数")
    assert lines[at + 1] == "　1 ／ 全13地域（7.7％）（前月末比 +1）"
    assert "区を選ぶ" not in message.button_texts()
    october = (await chief.press("◀ 前月末"))[-1]
    assert october.edited and october.message_id == message.message_id
    assert october.text.splitlines()[0] == "2025（令和7）年度　令和7年10月末時点　都島区"
    assert "⑤アウトリーチ件数\n　2件（前月末比 +2）" in october.text
    await chief.press_data("tot:2025:now:27103")  # another ward's figures: forged
    assert chief.answers[-1] == "その選択は使えません。もう一度選んでください。"
    await chief.press_data("tot:2019:now:27102")  # before the plan
    assert chief.answers[-1] == "その選択は使えません。もう一度選んでください。"


@pytest.mark.usefixtures("figures")
async def test_a_city_supervisor_switches_ward_and_year(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    message = (await city.send("/totals"))[-1]
    assert message.text.splitlines()[0].endswith("大阪市")
    assert "⑤アウトリーチ件数\n　12件（前月末比 +10）" in message.text
    await city.press("区を選ぶ")
    fukushima = (await city.press("福島区"))[-1]
    assert fukushima.text.splitlines()[0] == "2025（令和7）年度　令和7年11月27日時点　福島区"
    assert "⑤アウトリーチ件数\n　7件（前月末比 +7）" in fukushima.text
    last_year = (await city.press("◀ 前年度"))[-1]
    assert last_year.text.splitlines()[0] == "2024（令和6）年度　令和6年11月末時点　福島区"  # the same month
    assert "⑤アウトリーチ件数\n　—\n" in last_year.text  # no data that year: not a zero
    assert "◀ 前年度" not in last_year.button_texts()  # 2024 is the plan's first year
    assert city.unanswered_callbacks() == []


async def test_workers_are_told_totals_are_for_supervisors(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/totals"))[-1].text.startswith("集計は区・市の管理者の方が見られます")
    assert (await worker.send("/missing"))[-1].text == "この操作は権限のある方のみ行えます。"
    await worker.press_data("tot:2025:now:27102", (await worker.send("/help"))[-1])
    assert worker.answers[-1] == "その選択は使えません。もう一度選んでください。"


async def test_missing_lists_workers_without_entries_and_nudges_them(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    busy = await add_staff(sessions, name="記録 済子")
    quiet = await add_staff(sessions, name="未記録 太郎")
    on_leave = await add_staff(sessions, name="休暇 花子")
    elsewhere = await add_staff(sessions, ward="27103", name="福島 次郎")
    async with session_scope(sessions) as session:
        leave = await session.get(Staff, on_leave.id)
        assert leave is not None
        leave.on_leave_until = date(2025, 12, 31)
        await add_event(session, "outreach", date(2025, 11, 3))  # logged by nobody: counts for no one
    busy_chat = chat_as(app, api, busy)
    await busy_chat.send("/outreach")
    await busy_chat.press("今日")
    await busy_chat.press("1")
    await busy_chat.press("✅ 保存する")
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    listing = (await chief.send("/missing"))[-1]
    assert listing.text.splitlines() == [
        "11月に記録がなく「今月は0件」の報告もない方（休暇中を除く）: 1人",
        "・未記録 太郎（都島区・記録なし）",
    ]
    assert "福島" not in listing.text
    done = await chief.press("今すぐ催促する")
    assert done[-1].text == "1人に催促を送りました。"
    quiet_chat = chat_as(app, api, quiet)
    nudge = quiet_chat.last
    assert nudge is not None and nudge.text.startswith("11月の記録がまだありません")
    assert (await quiet_chat.press("今月は0件"))[-1].text == "11月は0件として記録しました。"
    await quiet_chat.press_data("zero:202511", nudge)  # a second tap (the button is gone) changes nothing
    async with session_scope(sessions) as session:
        zero = (await session.scalars(select(ZeroReport))).all()
    assert [(z.staff_id, z.year, z.month) for z in zero] == [(quiet.id, 2025, 11)]
    assert (await chief.send("/missing"))[-1].text == "11月は全員が記録または0件報告済みです。"
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    assert "・福島 次郎（福島区・記録なし）" in (await city.send("/missing"))[-1].text
    assert elsewhere.id is not None


async def test_the_nudge_starts_logging(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    quiet = chat_as(app, api, await add_staff(sessions))
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    await chief.send("/missing")
    await chief.press("今すぐ催促する")
    assert (await quiet.press("記録する"))[-1].text == "何を記録しますか？"


async def test_reopen_lets_a_locked_month_take_entries_again(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions))
    await worker.send("/outreach")
    assert (await worker.send("10/15"))[-1].text.startswith("2025年10月は締め切られています")
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    assert (await chief.send("/reopen 27102 2025-10 入力漏れ"))[-1].text == "この操作は権限のある方のみ行えます。"
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    assert (await city.send("/reopen 27102"))[-1].text.startswith("使い方: /reopen")
    assert "not locked" in (await city.send("/reopen 27102 2025-11 早すぎる"))[-1].text
    reopened = (await city.send("/reopen 27102 2025-10 入力漏れの追加"))[-1].text
    assert reopened == "都島区の2025年10月を再開しました（2025-12-05に再び締切）。理由: 入力漏れの追加"
    assert (await worker.send("10/15"))[-1].text.startswith("件数を選ぶか")
    await worker.press("1")
    assert (await worker.press("✅ 保存する"))[-1].text.startswith("保存しました")
    async with session_scope(sessions) as session:
        audit = (await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "reopen"))).one()
    assert audit.entity_id == "27102:2025-10"


@pytest.mark.usefixtures("figures")
async def test_chart_sends_a_picture_of_the_chosen_indicator(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    menu = (await chief.send("/chart"))[-1]
    assert menu.text == "どの指標のグラフを見ますか？（今年度と前年度）"
    assert len(menu.button_texts()) == 13
    sent = await chief.press("目標1 ⑤アウトリーチ件数")
    picture = sent[-1]
    assert picture.photo is not None and picture.photo.startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.caption is not None
    assert picture.caption.splitlines() == [  # 2024 has no data: said so, not drawn as zeros
        "目標1 ⑤アウトリーチ件数　都島区",
        "※「—」はデータなし（その年度・範囲に記録も過去の数値もありません）。"
        "集計開始前の数値の登録は、システム管理者（市の担当）にご相談ください。",
    ]
    await chief.press_data("chart:9-9", menu)
    assert chief.answers[-1] == "その選択は使えません。もう一度選んでください。"
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/chart"))[-1].text.startswith("集計は区・市の管理者の方が見られます")


def workbook_of(message: BotMessage) -> Workbook:
    assert message.document is not None
    return load_workbook(BytesIO(message.document[1]))


@pytest.mark.usefixtures("figures")
async def test_sheet_sends_the_filled_workbook_with_the_engines_numbers(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    sent = (await city.send("/sheet"))[-1]
    assert sent.document is not None and sent.document[0] == "sheet-2025-2025-10-31-city.xlsx"
    assert sent.caption == "推進状況確認シート　令和7年10月末時点　大阪市（24区）"  # the last complete month
    book = workbook_of(sent)
    goal1 = book["基本目標1"]
    async with session_scope(sessions) as session:
        totals = await indicator_totals(session, 2025, date(2025, 10, 31))
    outreach_row = row_of(goal1, "indicator:1-5")
    assert (
        goal1.cell(outreach_row, YEAR_COLUMNS[2025]).value
        == sheet_notation(INDICATORS_BY_CODE["1-5"], totals.indicators["1-5"])
        == "2件"
    )
    assert goal1["A1"].value.endswith("（令和7年10月末時点）")
    assert (await city.send("/sheet 2025-13"))[-1].text.startswith("使い方: /sheet")
    assert (await city.send("/sheet 2025-11"))[-1].text.startswith("使い方: /sheet")  # not over yet


async def test_a_closed_months_sheet_is_the_frozen_one(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessions) as session:
        october = await add_event(session, "outreach", date(2025, 10, 6), count=2)
        await close_month(session, 2025, 10)
        assert october.id is not None
        await reopen_month(session, "27102", 2025, 10, reason="件数の修正", by_staff_id=None, today=date(2025, 11, 27))
        await correct_event(
            session,
            october.id,
            EventDraft.of(october).model_copy(update={"count": 9}),
            by_staff_id=None,
            reason="件数誤り",
            idempotency_key="late",
            today=date(2025, 11, 27),
        )
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    sent = (await chief.send("/sheet 2025-10"))[-1]
    assert sent.caption == "推進状況確認シート　令和7年10月末時点　都島区（確定値）"
    book = workbook_of(sent)
    assert book["基本目標1"].cell(row_of(book["基本目標1"], "indicator:1-5"), YEAR_COLUMNS[2025]).value == "2件"
    listed = [row for row in book["集計根拠"].iter_rows(min_row=2, values_only=True) if row[0] is not None]
    assert [row[0] for row in listed] == [october.id]  # the entry as it was when October locked
    live = (await chief.send("/totals"))[-1].text
    assert "⑤アウトリーチ件数\n　9件" in live


async def test_a_ward_supervisor_without_a_ward_sees_nothing(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    misconfigured = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR, ward=None))
    assert (await misconfigured.send("/totals"))[-1].text.startswith("集計は区・市の管理者の方が見られます")
    assert (await misconfigured.send("/missing"))[-1].text == "この操作は権限のある方のみ行えます。"
