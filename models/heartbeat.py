"""The heartbeat a monitor reads from outside the bot process (`intake health --json`).

The bot writes one row (`heartbeat`): at most once a minute from a job on its event loop (`beat_at`, and the last
update it handled, from memory: never on an entry's save path), and once per daily run (its day and outcome).
A monitor sees a stuck bot (`beat_at` older than BEAT_STALE_AFTER) and a missed daily run (no run for the day
that should have had one) without reaching into the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from models.config import TOKYO
from models.tables import Heartbeat

BEAT_EVERY: Final = timedelta(minutes=1)
BEAT_STALE_AFTER: Final = timedelta(minutes=5)  # five beats missed: the event loop or the scheduler is stuck
DAILY_RUN_GRACE: Final = timedelta(hours=1)  # the daily run's misfire grace: after it, today's run is missed


@dataclass(frozen=True)
class Beat:
    """What the minute job writes: the process's start and the last update it handled (from memory)."""

    started_at: datetime
    last_update_at: datetime | None
    last_update_id: int | None
    updates_since_start: int


async def write_beat(session: AsyncSession, beat: Beat, now: datetime) -> None:
    row = await session.get(Heartbeat, 1)
    if row is None:
        row = Heartbeat(id=1, beat_at=now, started_at=beat.started_at)
        session.add(row)
    row.beat_at, row.started_at = now, beat.started_at
    row.last_update_at, row.last_update_id = beat.last_update_at, beat.last_update_id
    row.updates_since_start = beat.updates_since_start


async def record_daily_run(session: AsyncSession, day: date, outcome: str, now: datetime) -> None:
    row = await session.get(Heartbeat, 1)
    if row is None:
        row = Heartbeat(id=1, beat_at=now, started_at=now)
        session.add(row)
    row.daily_run_day, row.daily_run_at, row.daily_run_outcome = day, now, outcome[:80]


def expected_daily_run_day(now: datetime, reminder_time: time) -> date:
    """The last Japan day whose daily run should have happened by `now` (today once its grace has passed)."""
    local = now.astimezone(TOKYO)
    due = datetime.combine(local.date(), reminder_time, tzinfo=TOKYO) + DAILY_RUN_GRACE
    return local.date() if local >= due else local.date() - timedelta(days=1)


async def heartbeat_report(session: AsyncSession, now: datetime, reminder_time: time) -> dict[str, Any]:
    """{"seen": False} before the bot ever ran; else the beat, the last update, the daily run, and `ok`: the beat
    is fresh and the last daily run is for the day it should be (and did not fail)."""
    row = await session.get(Heartbeat, 1)
    if row is None:
        return {"seen": False, "ok": None, "problems": ["the bot has not run against this database yet"]}
    beat_age = (now - row.beat_at).total_seconds()
    expected = expected_daily_run_day(now, reminder_time)
    problems = []
    if now - row.beat_at > BEAT_STALE_AFTER:
        problems.append(f"no heartbeat for {round(beat_age)} s: the bot is stopped or stuck")
    if row.daily_run_day is None or row.daily_run_day < expected:
        if now - row.started_at > DAILY_RUN_GRACE:  # a bot started within the grace is still catching up
            problems.append(f"the daily run of {expected.isoformat()} is missing")
    elif (row.daily_run_outcome or "").startswith("failed"):
        problems.append(f"the daily run of {row.daily_run_day.isoformat()} failed")
    return {
        "seen": True,
        "ok": not problems,
        "problems": problems,
        "beat_at": _iso(row.beat_at),
        "beat_seconds_ago": round(beat_age, 1),
        "started_at": _iso(row.started_at),
        "last_update": {
            "at": _iso(row.last_update_at),
            "seconds_ago": None if row.last_update_at is None else round((now - row.last_update_at).total_seconds()),
            "update_id": row.last_update_id,
            "updates_since_start": row.updates_since_start,
        },
        "daily_run": {
            "day": None if row.daily_run_day is None else row.daily_run_day.isoformat(),
            "at": _iso(row.daily_run_at),
            "outcome": row.daily_run_outcome,
            "expected_day": expected.isoformat(),
        },
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(TOKYO).isoformat(timespec="seconds")
