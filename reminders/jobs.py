"""The scheduler's work: one daily run at the reminder time that does whatever the calendar says is due.

One run per day (instead of one job per reminder date) keeps the schedule in one pure place
(reminders.schedule), survives restarts with a fixed job id, and lets a missed run be caught up the same
day: every send is exactly-once (reminders.delivery), so running a day twice sends nothing twice.
Messages are composed by the bot (a `Messenger` it hands in): this package never holds user-facing text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from apscheduler.jobstores.base import JobLookupError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select
from telegram import Bot
from telegram.ext import CallbackContext, JobQueue

from models.config import TOKYO, Settings
from models.db import session_scope
from models.fiscal import today as japan_today
from models.heartbeat import record_daily_run
from models.ops.retention import purge_notes
from models.roles import Role
from models.rollups import check_rollups
from models.snapshots import close_due_months
from models.staff import Recipient
from models.tables import AuditEntry, Staff
from models.who_reported import missing_reporters
from reminders.delivery import Outcome, Report, Send, broadcast
from reminders.followups import FollowupMessenger, FollowupReport, run_followups
from reminders.schedule import due_on

log = logging.getLogger(__name__)

DAILY_JOB_ID = "daily_run"
CATCH_UP_JOB_ID = "catch_up"
# The scheduler leader's advisory lock: one key per database and schema, so that two deployments (or two
# test runs) sharing one PostgreSQL server never wait on each other. hashtext gives a stable int4.
SCHEDULER_LOCK_KEY = "hashtext('intake-scheduler:' || current_database() || '.' || current_schema())"
_IN_PROCESS = asyncio.Lock()
CATCH_UP_DELAY_SECONDS = 5  # after start-up, once the bot is polling or serving
SUPERVISOR_ROLES = (Role.WARD_SUPERVISOR, Role.CITY_SUPERVISOR)
# The push's workbooks are built one or two at a time anyway; a few sends in flight, not thirty, keep SQLite's one
# writer free for the field workers' saves meanwhile.
PUSH_CONCURRENCY = 3


class Messenger(FollowupMessenger, Protocol):
    """What the bot says; each method sends one message (or document) and raises Telegram's errors."""

    async def remind(self, bot: Bot, staff: Staff, today: date) -> None: ...

    def monthly_push(self, bot: Bot, year: int, month: int) -> AbstractAsyncContextManager[Send]:
        """For one month's push: a send per supervisor, sharing whatever the supervisors of one scope share."""
        ...

    async def report_unreachable(self, bot: Bot, admin: Staff, unreachable: Sequence[Recipient]) -> None: ...


@dataclass(frozen=True)
class ReminderRuntime:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    messenger: Messenger


@dataclass
class DayReport:
    day: date
    closed_months: list[tuple[int, int]] = field(default_factory=list)
    notes_purged: int = 0
    reminders: Report | None = None
    push: Report | None = None
    rollup_differences: int = 0
    followups: FollowupReport | None = None


def schedule_daily_run(job_queue: JobQueue[Any], runtime: ReminderRuntime) -> None:
    """The one daily job, re-created at every start under a fixed id (a restart never doubles it)."""
    at = runtime.settings.reminder_time.replace(tzinfo=TOKYO)
    for job_id in (DAILY_JOB_ID, CATCH_UP_JOB_ID):
        with suppress(JobLookupError):  # before the scheduler starts, APScheduler keeps jobs pending: two would stay
            job_queue.scheduler.remove_job(job_id)
    job_queue.run_daily(
        daily_run,
        time=at,
        name=DAILY_JOB_ID,
        data=runtime,
        job_kwargs={"id": DAILY_JOB_ID, "replace_existing": True, "coalesce": True, "misfire_grace_time": 3600},
    )
    job_queue.run_once(
        catch_up_once,
        when=CATCH_UP_DELAY_SECONDS,
        data=runtime,
        name=CATCH_UP_JOB_ID,
        job_kwargs={"id": CATCH_UP_JOB_ID, "replace_existing": True},
    )


async def daily_run(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The job callback (module level, as APScheduler needs)."""
    assert context.job is not None
    runtime: ReminderRuntime = context.job.data  # type: ignore[assignment]
    await run_day_once(context.bot, runtime, japan_today())


async def run_day_once(bot: Bot, runtime: ReminderRuntime, day: date) -> DayReport | None:
    """`run_day`, by one process only and once a day: None when another process leads or the day is done.

    On PostgreSQL the leader holds an advisory lock for the run (two bot processes on one database never
    both run it); SQLite serves one process by design. A run that crashed half-way left no mark, so the
    next start catches it up — the sends it already made are not repeated (reminders.delivery).
    """
    async with leadership(runtime.sessions) as leader:
        if not leader:
            log.info("daily run %s: another process holds the scheduler lock", day)
            return None
        if await _ran_on(runtime.sessions, day):
            return None
        try:
            report = await run_day(bot, runtime, day)
        except Exception as error:
            await _note_run(runtime.sessions, day, f"failed: {type(error).__name__}")
            raise
        async with session_scope(runtime.sessions) as session:
            await record_daily_run(session, day, "done", datetime.now(TOKYO))  # the heartbeat (intake health)
            session.add(
                AuditEntry(
                    actor="scheduler",
                    action="daily_run",
                    entity="scheduler",
                    entity_id=day.isoformat(),
                    detail={"closed": len(report.closed_months)},
                )
            )
        return report


async def _note_run(sessions: async_sessionmaker[AsyncSession], day: date, outcome: str) -> None:
    """The heartbeat's daily run outcome, in a transaction of its own (the run's own may have failed)."""
    try:
        async with session_scope(sessions) as session:
            await record_daily_run(session, day, outcome, datetime.now(TOKYO))
    except Exception:
        log.warning("could not record the daily run's outcome in the heartbeat", exc_info=True)


@asynccontextmanager
async def leadership(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[bool]:
    """Whether this process may run the scheduled work now (PostgreSQL: a session-level advisory lock)."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "postgresql":
        async with _IN_PROCESS:  # the job and a start-up catch-up may meet: one after the other
            yield True
        return
    async with sessions() as session:
        connection = await session.connection()
        held = bool(await connection.scalar(sa.text(f"SELECT pg_try_advisory_lock({SCHEDULER_LOCK_KEY})")))
        try:
            yield held
        finally:
            if held:
                await connection.scalar(sa.text(f"SELECT pg_advisory_unlock({SCHEDULER_LOCK_KEY})"))


async def _ran_on(sessions: async_sessionmaker[AsyncSession], day: date) -> bool:
    async with session_scope(sessions) as session:
        found = await session.scalar(
            select(col(AuditEntry.id)).where(
                col(AuditEntry.action) == "daily_run", col(AuditEntry.entity_id) == day.isoformat()
            )
        )
    return found is not None


async def catch_up_once(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """A one-off job shortly after start-up (module level, as APScheduler needs): today's missed run."""
    assert context.job is not None
    runtime: ReminderRuntime = context.job.data  # type: ignore[assignment]
    await catch_up(context.bot, runtime, datetime.now(TOKYO))


async def catch_up(bot: Bot, runtime: ReminderRuntime, now: datetime) -> DayReport | None:
    """At start-up: make up today's run if the bot was down at the reminder time and it is not too late."""
    settings = runtime.settings
    local = now.astimezone(TOKYO)
    if local.time() < settings.reminder_time:
        return None  # the job will run at the usual time
    if local.time() >= settings.catch_up_until:
        due = due_on(local.date(), settings.reminder_business_days_before)
        if due.remind or due.push_month:
            log.warning(
                "missed the %s run on %s; too late to catch up (after %s)",
                settings.reminder_time,
                local.date(),
                settings.catch_up_until,
            )
        return None
    return await run_day_once(bot, runtime, local.date())


async def run_day(bot: Bot, runtime: ReminderRuntime, day: date) -> DayReport:
    """Everything due on `day`: close locked months, purge old notes, remind non-reporters, push last month's totals."""
    settings, sessions = runtime.settings, runtime.sessions
    report = DayReport(day)
    async with session_scope(sessions) as session:
        report.closed_months = await close_due_months(
            session, day, settings.lock_business_days, settings.regular_meeting_threshold, months_back=2
        )
        report.notes_purged = await purge_notes(session, day, settings.note_retention_months)
    report.rollup_differences = await check_rollups_logged(sessions)
    due = due_on(day, settings.reminder_business_days_before)
    if due.remind:
        recipients = await reminder_recipients(sessions, day)
        report.reminders = await broadcast(
            sessions, recipients, "reminder", day.isoformat(), lambda staff: runtime.messenger.remind(bot, staff, day)
        )
    if due.push_month is not None:
        year, month = due.push_month
        report.push = await monthly_push(bot, runtime, year, month)
    report.followups = await run_followups(bot, sessions, settings, runtime.messenger, day)
    await _report_unreachable(bot, runtime, day, report)
    return report


async def monthly_push(bot: Bot, runtime: ReminderRuntime, year: int, month: int) -> Report:
    """Last month's totals and sheet to every reachable supervisor, once each (a workbook per scope, built once)."""
    supervisors = await push_recipients(runtime.sessions)
    async with runtime.messenger.monthly_push(bot, year, month) as push:
        return await broadcast(runtime.sessions, supervisors, "push", f"{year}-{month:02d}", push, PUSH_CONCURRENCY)


async def check_rollups_logged(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Compare the totals' rollups with the events (they always should agree); log what differs, for the operator."""
    async with session_scope(sessions) as session:
        differences = await check_rollups(session)
    for difference in differences:  # fiscal year, kind and ward only: a household reference stays out of the logs
        log.error("rollups differ from the events: %s %s", difference.table, " ".join(map(str, difference.key[:3])))
    if differences:
        log.error("rollups differ in %d rows: run `intake rollups rebuild`", len(differences))
    return len(differences)


async def reminder_recipients(sessions: async_sessionmaker[AsyncSession], day: date) -> list[Staff]:
    """Workers with nothing logged this month and no 「今月は0件」, not on leave, not paused, reachable."""
    async with session_scope(sessions) as session:
        missing = await missing_reporters(session, None, day.year, day.month, day)
    return [staff for staff in missing if not staff.reminders_paused and staff.unreachable_at is None]


async def push_recipients(sessions: async_sessionmaker[AsyncSession]) -> list[Staff]:
    async with session_scope(sessions) as session:
        query = select(Staff).where(
            col(Staff.active), col(Staff.role).in_(SUPERVISOR_ROLES), col(Staff.unreachable_at).is_(None)
        )
        return list((await session.scalars(query.order_by(col(Staff.id)))).all())


async def _report_unreachable(bot: Bot, runtime: ReminderRuntime, day: date, report: DayReport) -> None:
    """Tell the admins (once per day's run) who blocked the bot, so someone can call them instead."""
    blocked = [s for part in (report.reminders, report.push, report.followups) if part for s in part.newly_unreachable]
    if not blocked:
        return
    async with session_scope(runtime.sessions) as session:
        admins = list(
            (await session.scalars(select(Staff).where(col(Staff.active), col(Staff.role) == Role.ADMIN))).all()
        )
    outcome = await broadcast(
        runtime.sessions,
        admins,
        "unreachable",
        day.isoformat(),
        lambda admin: runtime.messenger.report_unreachable(bot, admin, blocked),
    )
    if outcome.counts[Outcome.SENT] == 0 and admins:
        log.warning("could not tell any admin about %d unreachable staff", len(blocked))
