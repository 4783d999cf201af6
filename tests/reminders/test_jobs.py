"""Month-end reminders and the monthly push through the real bot: who gets what, exactly once, and failures.

The clock travels to the reminder days of November 2025 (11/25 and 11/28) and the push day (12/1).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import date, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from models.tables import AuditEntry, Delivery, RollupMonth, Staff
from reminders.delivery import Outcome
from reminders.jobs import (
    CATCH_UP_JOB_ID,
    DAILY_JOB_ID,
    ReminderRuntime,
    catch_up,
    run_day,
    run_day_once,
    schedule_daily_run,
)
from tests.builders import TOKEN, add_event, add_staff, chat_as, make_settings

REMINDER_DAY = date(2025, 11, 25)
PUSH_DAY = date(2025, 12, 1)


def runtime_for(sessions: async_sessionmaker[AsyncSession], pool: RenderPool | None = None) -> ReminderRuntime:
    """A pool is needed only by the push: an unused RenderPool starts no process."""
    settings = make_settings()
    return ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, pool or RenderPool()))


def texts_to(api: InProcessBotApi, staff: Staff) -> list[str]:
    return [message.text for message in api.messages(staff.telegram_user_id)]


async def set_fields(sessions: async_sessionmaker[AsyncSession], staff: Staff, **fields: object) -> None:
    async with session_scope(sessions) as session:
        stored = await session.get(Staff, staff.id)
        for name, value in fields.items():
            setattr(stored, name, value)


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(datetime(2025, 11, 25, 9, 30, tzinfo=TOKYO)):
        yield


@pytest.mark.usefixtures("clock")
async def test_only_non_reporters_are_reminded(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    quiet = await add_staff(sessions, name="未記録")
    logged = await add_staff(sessions, name="記録済")
    zero = await add_staff(sessions, name="ゼロ報告")
    on_leave = await add_staff(sessions, name="休暇")
    paused = await add_staff(sessions, name="停止")
    chief = await add_staff(sessions, Role.WARD_SUPERVISOR, name="管理")
    await set_fields(sessions, on_leave, on_leave_until=date(2025, 11, 30))
    await set_fields(sessions, paused, reminders_paused=True)
    async with session_scope(sessions) as session:
        event = await add_event(session, "outreach", date(2025, 11, 10))
        stored = await session.get(type(event), event.id)
        assert stored is not None
        stored.logged_by_staff_id = logged.id
    zero_chat = chat_as(app, api, zero)
    await zero_chat.send("/reminders")
    await zero_chat.press_data("zero:202511", zero_chat.last)
    report = await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)
    assert report.reminders is not None
    assert report.reminders.counts[Outcome.SENT] == 1
    assert texts_to(api, quiet) == [
        "11月の記録がまだありません。記録するか、活動がなかった場合は「今月は0件」を押してください。"
    ]
    for person in (logged, on_leave, paused, chief):
        assert texts_to(api, person) == []
    reminder = api.messages(quiet.telegram_user_id)[-1]
    assert reminder.button_texts() == ["記録する", "今月は0件"]
    quiet_chat = chat_as(app, api, quiet)
    assert (await quiet_chat.press("今月は0件", reminder))[-1].text == "11月は0件として記録しました。"
    later = await run_day(app.bot, runtime_for(sessions), date(2025, 11, 28))
    assert later.reminders is not None and later.reminders.counts[Outcome.SENT] == 0


@pytest.mark.usefixtures("clock")
async def test_the_same_day_run_twice_or_by_a_second_process_sends_nothing_twice(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    workers = [await add_staff(sessions) for _ in range(3)]
    await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)
    await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)  # a retry in the same process
    second_api = InProcessBotApi()
    second = build_application(Runtime(make_settings(), sessions), TOKEN, request=second_api, rate_limited=False)
    async with second:  # another bot process, started after the first, on the same database
        report = await run_day(second.bot, runtime_for(sessions), REMINDER_DAY)
    assert report.reminders is not None
    assert report.reminders.counts[Outcome.ALREADY_SENT] == 3
    assert all(len(texts_to(api, w)) == 1 for w in workers)
    assert second_api.calls_to("sendMessage") == []


@pytest.mark.usefixtures("clock")
async def test_a_crash_between_recorded_and_sent_is_sent_by_the_next_run(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = await add_staff(sessions)
    async with session_scope(sessions) as session:
        assert worker.id is not None
        session.add(Delivery(kind="reminder", period=REMINDER_DAY.isoformat(), staff_id=worker.id, attempts=1))
    await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)  # the restarted bot's run
    assert len(texts_to(api, worker)) == 1
    async with session_scope(sessions) as session:
        delivery = (await session.scalars(select(Delivery))).one()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.usefixtures("clock")
async def test_retry_after_then_success(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = await add_staff(sessions)
    api.inject("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    report = await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)
    assert report.reminders is not None and report.reminders.counts[Outcome.SENT] == 1
    assert len(texts_to(api, worker)) == 1
    assert [call.error_code for call in api.calls_to("sendMessage")] == [429, None]


@pytest.mark.usefixtures("clock")
async def test_a_blocked_bot_marks_the_person_and_tells_the_admins(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    blocked = await add_staff(sessions, name="ブロック 太郎")
    admin = await add_staff(sessions, Role.ADMIN, ward=None)
    api.inject("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=blocked.telegram_user_id)
    report = await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)
    assert report.reminders is not None and report.reminders.counts[Outcome.UNREACHABLE] == 1
    async with session_scope(sessions) as session:
        stored = await session.get(Staff, blocked.id)
    assert stored is not None and stored.unreachable_at is not None
    [notice] = texts_to(api, admin)
    assert notice.startswith("次の方にボットから連絡できません")
    assert f"No.{blocked.id} ブロック 太郎（27102）" in notice
    again = await run_day(app.bot, runtime_for(sessions), date(2025, 11, 28))
    assert again.reminders is not None and sum(again.reminders.counts.values()) == 0  # not retried forever


async def test_the_monthly_push_sends_totals_missing_and_the_sheet(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 管理")
    city = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None)
    await add_staff(sessions, name="未記録 花子")
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 11, 10), count=4)
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        report = await run_day(app.bot, runtime_for(sessions, app.bot_data[RENDER_POOL]), PUSH_DAY)
    assert report.push is not None and report.push.counts[Outcome.SENT] == 2
    text, document = api.messages(chief.telegram_user_id)
    assert text.text.startswith("【月次報告】11月末の集計です（速報値：締切は2025-12-06）。")
    assert "2025（令和7）年度　令和7年11月末時点　都島区" in text.text
    assert "⑤アウトリーチ件数\n　4件（前月末比 +4）" in text.text
    assert text.text.endswith("11月に未報告だった方: 未記録 花子")
    assert document.document is not None and document.document[0] == "sheet-2025-2025-11-30-27102.xlsx"
    load_workbook(BytesIO(document.document[1]))
    assert "大阪市" in api.messages(city.telegram_user_id)[0].text


async def test_catch_up_runs_a_missed_morning_and_skips_when_too_late(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = await add_staff(sessions)
    early = await catch_up(app.bot, runtime_for(sessions), datetime(2025, 11, 25, 8, 0, tzinfo=TOKYO))
    assert early is None and texts_to(api, worker) == []
    with caplog.at_level(logging.WARNING, logger="reminders.jobs"):
        late = await catch_up(app.bot, runtime_for(sessions), datetime(2025, 11, 25, 18, 0, tzinfo=TOKYO))
    assert late is None and texts_to(api, worker) == []
    assert "too late to catch up" in caplog.text
    with time_machine.travel(datetime(2025, 11, 25, 11, 0, tzinfo=TOKYO)):
        caught = await catch_up(app.bot, runtime_for(sessions), datetime(2025, 11, 25, 11, 0, tzinfo=TOKYO))
    assert caught is not None and len(texts_to(api, worker)) == 1


async def test_the_daily_job_has_a_fixed_id_and_is_not_doubled_by_a_restart(
    app: IntakeApplication, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert app.job_queue is not None
    schedule_daily_run(app.job_queue, runtime_for(sessions))
    schedule_daily_run(app.job_queue, runtime_for(sessions))
    jobs = sorted(app.job_queue.scheduler.get_jobs(), key=lambda job: job.id)
    assert [job.id for job in jobs] == [CATCH_UP_JOB_ID, DAILY_JOB_ID]  # today's catch-up, then every day
    jobs = jobs[1:]
    trigger = str(jobs[0].trigger)
    assert "hour='9'" in trigger and "minute='30'" in trigger, trigger
    assert str(jobs[0].trigger.timezone) == "Asia/Tokyo"


@pytest.mark.usefixtures("clock")
async def test_reminders_command_pauses_and_resumes(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions))
    status = (await worker.send("/reminders"))[-1]
    assert status.text == "次のリマインダー: 2025-11-25（09:30）\n状態: 受け取る"
    assert (await worker.press("リマインダーを止める"))[-1].text.endswith("状態: 停止中")
    async with session_scope(sessions) as session:
        paused = (await session.scalars(select(Staff).where(col(Staff.reminders_paused)))).all()
    assert len(paused) == 1
    assert (await worker.press("リマインダーを再開"))[-1].text.endswith("状態: 受け取る")


@pytest.mark.usefixtures("clock")
async def test_admins_set_leave(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = await add_staff(sessions, name="休暇 予定")
    admin = chat_as(app, api, await add_staff(sessions, Role.ADMIN, ward=None))
    reply = (await admin.send(f"/leave {member.id} 2026-01-31"))[-1].text
    assert reply == f"休暇 予定さん（No.{member.id}）: 休暇中（2026-01-31まで）"
    assert (await admin.send(f"/leave {member.id} off"))[-1].text.endswith("休暇なし")
    assert (await admin.send("/leave x"))[-1].text.startswith("使い方: /leave")
    assert (await admin.send(f"/leave {member.id} 2025-01-31"))[-1].text.startswith("使い方: /leave")  # already over
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send(f"/leave {member.id} off"))[-1].text == "この操作は権限のある方のみ行えます。"


async def test_two_processes_on_one_database_run_the_day_once(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    workers = [await add_staff(sessions) for _ in range(5)]
    second_api = InProcessBotApi()
    second = build_application(Runtime(make_settings(), sessions), TOKEN, request=second_api, rate_limited=False)
    with time_machine.travel(datetime(2025, 11, 25, 9, 30, tzinfo=TOKYO)):
        async with second:
            first_run, second_run = await asyncio.gather(
                run_day_once(app.bot, runtime_for(sessions), REMINDER_DAY),
                run_day_once(second.bot, runtime_for(sessions), REMINDER_DAY),
            )
            later = await run_day_once(second.bot, runtime_for(sessions), REMINDER_DAY)  # e.g. a restart's catch-up
    ran = [report for report in (first_run, second_run) if report is not None]
    assert len(ran) == 1 or engine.dialect.name == "sqlite"  # SQLite: one process by design, runs are serialised
    assert later is None
    assert sum(len(texts_to(api, w)) + len(texts_to(second_api, w)) for w in workers) == 5
    async with session_scope(sessions) as session:
        marks = (await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "daily_run"))).all()
    assert [mark.entity_id for mark in marks] == ["2025-11-25"]


@pytest.mark.usefixtures("clock")
async def test_the_daily_run_checks_the_rollups_and_logs_a_difference(
    app: IntakeApplication, sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 11, 10), count=3)
    assert (await run_day(app.bot, runtime_for(sessions), REMINDER_DAY)).rollup_differences == 0
    async with session_scope(sessions) as session:  # a row changed behind the rollups' back
        await session.execute(sa.update(RollupMonth).values(total=RollupMonth.total + 1))
    with caplog.at_level(logging.ERROR, logger="reminders.jobs"):
        report = await run_day(app.bot, runtime_for(sessions), date(2025, 11, 28))
    assert report.rollup_differences == 1
    assert "rollups differ from the events: rollup_month 2025 outreach 27102" in caplog.text
    assert "run `intake rollups rebuild`" in caplog.text
