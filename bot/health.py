"""Is the bot well? Database reachability, the scheduler, and when the last update came in.

`track_update` runs first for every update (handler group -2, before the guard): it binds the update id for the logs
and beats the heartbeat. `health(application)` gathers the report; `/health` shows it to admins in the chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackContext, CommandHandler, JobQueue

from bot.context import RUNTIME, IntakeContext, Runtime, language, show
from bot.logs import bind_update
from bot.texts import text
from models.config import TOKYO
from models.db import session_scope
from models.heartbeat import BEAT_EVERY, Beat, write_beat
from models.roles import Role

TRACK_GROUP: Final = -2  # before the guard (-1): refused updates are updates too
HEARTBEAT: Final = "heartbeat"  # bot_data key (bot_data is not persisted)
DATABASE_TIMEOUT: Final = 3.0  # seconds for SELECT 1
HEARTBEAT_JOB_ID: Final = "heartbeat"

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Heartbeat:
    """The last update this process received, kept in memory (a restart starts it afresh)."""

    last_update_id: int | None = None
    last_update_at: datetime | None = None
    updates: int = 0
    started_at: datetime = field(default_factory=lambda: datetime.now(TOKYO))

    def beat(self, update_id: int, at: datetime | None = None) -> None:
        self.last_update_id = update_id
        self.last_update_at = at or datetime.now(TOKYO)
        self.updates += 1


def heartbeat_of(bot_data: dict[str, Any]) -> Heartbeat:
    found = bot_data.get(HEARTBEAT)
    if not isinstance(found, Heartbeat):
        found = bot_data[HEARTBEAT] = Heartbeat()
    return found


async def track_update(update: Update, context: IntakeContext) -> None:
    """Every update: its id on every log line from here on, and the heartbeat."""
    bind_update(update.update_id)
    heartbeat_of(context.bot_data).beat(update.update_id)


def schedule_heartbeat(application: AnyApplication) -> None:
    """Once a minute, from the bot's event loop: the heartbeat row (models/heartbeat.py) for monitors outside."""
    job_queue = _job_queue(application)
    if job_queue is None:
        return
    job_queue.run_repeating(
        write_heartbeat,
        interval=BEAT_EVERY,
        first=0,
        name=HEARTBEAT_JOB_ID,
        job_kwargs={"id": HEARTBEAT_JOB_ID, "replace_existing": True, "coalesce": True},
    )


async def write_heartbeat(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The minute job: what the in-memory heartbeat knows, in one small transaction of its own."""
    beat = heartbeat_of(context.bot_data)
    runtime: Runtime = context.bot_data[RUNTIME]
    try:
        async with session_scope(runtime.sessions) as session:
            snapshot = Beat(beat.started_at, beat.last_update_at, beat.last_update_id, beat.updates)
            await write_beat(session, snapshot, datetime.now(TOKYO))
    except Exception:  # the next minute tries again; a monitor sees the beat go stale
        log.warning("could not write the heartbeat", exc_info=True)


async def health(application: AnyApplication) -> dict[str, Any]:
    """The report: {"database": {...}, "scheduler": {...} | None, "last_update": {...}, "checked_at": ISO}."""
    now = datetime.now(TOKYO)
    runtime: Runtime = application.bot_data[RUNTIME]
    return {
        "database": await database_health(runtime.sessions),
        "scheduler": scheduler_health(_job_queue(application)),
        "last_update": last_update_health(heartbeat_of(application.bot_data), now),
        "checked_at": now.isoformat(timespec="seconds"),
    }


async def database_health(
    sessions: async_sessionmaker[AsyncSession], within: float = DATABASE_TIMEOUT
) -> dict[str, Any]:
    """SELECT 1 within `within` seconds: {"ok", "ms"} or {"ok": False, "error": exception class}."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(within), sessions() as session:
            await session.execute(sql("SELECT 1"))
    except Exception as error:  # any failure is the answer; its text may hold a host name, so only the class
        return {"ok": False, "error": "timeout" if isinstance(error, TimeoutError) else type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def scheduler_health(job_queue: JobQueue[Any] | None) -> dict[str, Any] | None:
    """None without a job queue; else whether APScheduler runs and its jobs (id, name, next run, Japan time)."""
    if job_queue is None:
        return None
    jobs = [
        {"id": job.id, "name": job.name, "next_run": _iso(getattr(job, "next_run_time", None))}
        for job in job_queue.scheduler.get_jobs()
    ]
    return {"running": bool(job_queue.scheduler.running), "jobs": jobs}


def last_update_health(heartbeat: Heartbeat, now: datetime) -> dict[str, Any]:
    at = heartbeat.last_update_at
    return {
        "at": _iso(at),
        "seconds_ago": None if at is None else round((now - at).total_seconds(), 1),
        "update_id": heartbeat.last_update_id,
        "updates_since_start": heartbeat.updates,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(TOKYO).isoformat(timespec="seconds")


def _job_queue(application: AnyApplication) -> JobQueue[Any] | None:
    with warnings.catch_warnings():  # PTB warns when there is none; None is a fine answer here
        warnings.simplefilter("ignore")
        return application.job_queue


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """An admin's /health."""
    return [CommandHandler("health", on_health)]


async def on_health(update: Update, context: IntakeContext) -> None:
    """/health (admins): the report in the chat."""
    lang = language(update)
    if context.staff.role != Role.ADMIN:
        await show(update, text("not_allowed", lang))
        return
    await show(update, format_health(await health(context.application), lang))


def format_health(report: dict[str, Any], lang: str) -> str:
    return text(
        "health",
        lang,
        database=_database_line(report["database"], lang),
        scheduler=_scheduler_line(report["scheduler"], lang),
        last_update=_last_update_line(report["last_update"], lang),
    )


def _database_line(database: dict[str, Any], lang: str) -> str:
    if database["ok"]:
        return text("health_db_ok", lang, ms=database["ms"])
    return text("health_db_down", lang, error=database["error"])


def _scheduler_line(scheduler: dict[str, Any] | None, lang: str) -> str:
    if scheduler is None:
        return text("health_scheduler_none", lang)
    jobs = ", ".join(job["id"] for job in scheduler["jobs"]) or "-"
    key = "health_scheduler_running" if scheduler["running"] else "health_scheduler_stopped"
    return text(key, lang, count=len(scheduler["jobs"]), jobs=jobs)


def _last_update_line(last: dict[str, Any], lang: str) -> str:
    if last["at"] is None:
        return text("health_no_update", lang)
    return text(
        "health_last_update", lang, at=last["at"], seconds=last["seconds_ago"], count=last["updates_since_start"]
    )
