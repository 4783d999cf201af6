"""The follow-up part of the daily run with 100,000 open follow-ups (about 2,000 due) and as many closed ones.

Baseline, measured in the same run on the same database: a bare query of the due rows (`SELECT id, staff_id,
household_ref, due_on FROM followup WHERE closed_at IS NULL AND due_on <= :day`, every row fetched). Ours:

- **selection** — what the daily run reads to decide who gets what (`models.followups.due_by_holder`: the due rows
  joined with their holders, filtered for leave and reachability, grouped per holder, as plain rows: no ORM object
  per holder). Target: ≤ 3× the bare query; the two are timed in turn, so a passing load falls on both. It must
  not grow with the closed history or the plans still ahead (the partial index on due_on).
- **whole run** (reported, no target here): `reminders.followups.run_followups` through the real bot on the in-process
  Bot API without the rate limiter — one message per holder, each recorded in the delivery table before it is sent and
  marked after; then the same day again (a restart): every holder found already served, nothing sent twice. Its cost is
  per holder (the exactly-once bookkeeping, measured at scale by the reminders benchmark), not per follow-up.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.harness import TOKEN, bench_settings, quiet_logging
from bot.app import build_application
from bot.context import Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from models.db import make_engine, migrate, session_factory, session_scope
from models.followups import due_by_holder
from models.reference import ensure_wards
from models.roles import Organisation, Role
from models.tables import Followup, Staff
from reminders.delivery import Outcome
from reminders.followups import run_followups

DAY = date(2025, 12, 4)  # a Thursday, a business day
CLOSED_AT = datetime(2025, 11, 1, tzinfo=UTC)
WORKERS_PER_WARD = 12
REPEATS = 31
BARE = sa.text("SELECT id, staff_id, household_ref, due_on FROM followup WHERE closed_at IS NULL AND due_on <= :day")
TARGET = 3.0


class BenchmarkBrokeError(RuntimeError):
    """The run sent something twice, missed someone, or the two ways of reading disagree."""


async def _build(sessions: Any, engine: Any, open_rows: int, due_rows: int, closed_rows: int) -> list[int]:
    async with session_scope(sessions) as session:
        await ensure_wards(session)
        wards = sorted((await session.scalars(sa.text("SELECT code FROM ward"))).all())
        for ward in wards:
            for n in range(WORKERS_PER_WARD):
                session.add(
                    Staff(
                        telegram_user_id=9_000_000 + len(session.new),
                        display_name=f"職員{ward}-{n}",
                        role=Role.WORKER,
                        organisation=Organisation.WATCH_OFFICE,
                        ward_code=ward,
                    )
                )
    async with session_scope(sessions) as session:
        staff = [(row[0], row[1]) for row in (await session.execute(sa.text("SELECT id, ward_code FROM staff")))]
    table = Followup.__table__  # type: ignore[attr-defined]  # SQLModel's table is untyped
    rows: list[dict[str, Any]] = []
    for n in range(open_rows + closed_rows):
        staff_id, ward = staff[n % len(staff)]
        is_open = n < open_rows
        due = DAY - timedelta(days=n % 10) if n < due_rows else DAY + timedelta(days=1 + n % 60)
        rows.append(
            {
                "staff_id": staff_id,
                "ward_code": ward,
                "household_ref": f"{ward}-H{n:06d}",
                "kind": "participation_link",
                "due_on": due if is_open else DAY - timedelta(days=1 + n % 300),
                "planned_on": DAY - timedelta(days=30),
                "closed_at": None if is_open else CLOSED_AT,
                "closed_reason": None if is_open else "logged",
            }
        )
    async with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            await connection.execute(sa.insert(table), rows[start : start + 10_000])
        if engine.dialect.name == "sqlite":
            await connection.execute(sa.text("ANALYZE"))
    return [staff_id for staff_id, _ward in staff]


async def _medians(*makes: Any) -> list[tuple[float, Any]]:
    """Each call's median time and last result, the calls taken in turn in every round: a load that comes and goes
    (the machine is shared) falls on the baseline and on ours alike."""
    times: list[list[float]] = [[] for _ in makes]
    results: list[Any] = [None for _ in makes]
    for _ in range(REPEATS):
        for n, make in enumerate(makes):
            started = time.perf_counter()
            results[n] = await make()
            times[n].append(time.perf_counter() - started)
    return [(statistics.median(spent), result) for spent, result in zip(times, results, strict=True)]


async def run(open_rows: int = 100_000, due_rows: int = 2_000, closed_rows: int = 100_000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, quiet_logging():
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'followups.db'}")
        await migrate(engine)
        sessions = session_factory(engine)
        await _build(sessions, engine, open_rows, due_rows, closed_rows)

        async def bare() -> int:
            async with sessions() as session:
                return len((await session.execute(BARE, {"day": DAY})).all())

        async def selection() -> int:
            async with sessions() as session:
                return sum(len(plans) for _staff, plans in await due_by_holder(session, DAY))

        (bare_seconds, bare_rows), (ours_seconds, ours_rows) = await _medians(bare, selection)
        if bare_rows != ours_rows or bare_rows != due_rows:
            raise BenchmarkBrokeError(f"due rows: bare {bare_rows}, selection {ours_rows}, expected {due_rows}")

        settings = bench_settings()
        api = InProcessBotApi()
        application = build_application(Runtime(settings, sessions), TOKEN, request=api, rate_limited=False)
        messenger = BotMessenger(sessions, settings, RenderPool())
        async with application:
            started = time.perf_counter()
            first = await run_followups(application.bot, sessions, settings, messenger, DAY)
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            second = await run_followups(application.bot, sessions, settings, messenger, DAY)
            second_seconds = time.perf_counter() - started
        await engine.dispose()
    assert first.reminders is not None and second.reminders is not None
    holders = first.reminders.counts[Outcome.SENT]
    sent = Counter(call.parameters.get("chat_id") for call in api.calls_to("sendMessage") if call.error_code is None)
    duplicated = sum(n - 1 for n in sent.values() if n > 1)
    if duplicated or second.reminders.counts[Outcome.ALREADY_SENT] != holders or len(sent) != holders:
        raise BenchmarkBrokeError(f"holders {holders}, sent to {len(sent)}, duplicated {duplicated}")
    figures = {
        "bare_ms": bare_seconds * 1000,
        "selection_ms": ours_seconds * 1000,
        "ratio": ours_seconds / bare_seconds,
        "holders": holders,
        "run_s": first_seconds,
        "rerun_s": second_seconds,
        "per_holder_ms": first_seconds / holders * 1000 if holders else 0.0,
        "duplicated": duplicated,
    }
    _print(figures, open_rows, due_rows, closed_rows)
    return figures


def _print(f: dict[str, float], open_rows: int, due_rows: int, closed_rows: int) -> None:
    ok = f["ratio"] <= TARGET
    print(
        f"followups: {open_rows:,} open follow-ups ({due_rows:,} due on {DAY}), {closed_rows:,} closed, "
        f"{24 * WORKERS_PER_WARD} workers in 24 wards, SQLite; medians of {REPEATS}, the two taken in turn"
    )
    print(f"  baseline  bare query of the due rows          = {f['bare_ms']:.1f} ms")
    print(f"  ours      the daily run's selection            = {f['selection_ms']:.1f} ms")
    print(f"  ratio     = {f['ratio']:.2f}   (target <= {TARGET:.0f})   {'PASS' if ok else 'MISS'}")
    print(
        f"  whole follow-up run, in-process Bot API, no rate limiter: {f['run_s']:.2f} s for {int(f['holders'])} "
        f"holders ({f['per_holder_ms']:.1f} ms each: one message, recorded before and marked after); "
        f"the same day again: {f['rerun_s']:.2f} s, duplicated {int(f['duplicated'])}"
    )
