"""Does the monthly push slow the field workers down? 200 workers logging while 27 supervisors get their push.

On a copy of the cached 1,000,000-event SQLite dataset: our bot (started, as under run_polling) takes the intake
benchmark's mix of logging updates from 200 workers (`bench.intake_bench`), first on its own, then while the
monthly push for the latest month builds and sends to 24 ward supervisors and 3 city supervisors (one workbook
per ward and one for the city, in the render pool's worker process). Printed: the workers' p50/p99 per update
during the push against the same bot without it. The run fails unless every supervisor got the push exactly
once (one summary, one workbook, one delivery record) and every logging flow saved its event.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from bench.dataset import LAST_DAY, cached_sqlite_dataset
from bench.driver import SEED, BenchmarkBrokeError, IntakeDriver, Pass, Users, add_members
from bench.harness import TOKEN, bench_settings, copy_sqlite, quiet_logging, running
from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from models.db import engine_scope, session_factory, session_scope
from models.roles import Organisation, Role
from models.tables import Delivery, Staff, Ward
from reminders.delivery import Outcome
from reminders.jobs import SUPERVISOR_ROLES, ReminderRuntime, monthly_push

BASELINE_UPDATES = 3_000
WARMUP_UPDATES = 500
BATCH = 50  # updates between looks at whether the push is over
CITY_SUPERVISORS = 3
FIRST_SUPERVISOR_ID = 8_500_000
TARGET_P99_RATIO = 2.0
PUSH_MONTH = (LAST_DAY.year, LAST_DAY.month - 1)  # the dataset's last whole month


async def _add_supervisors(sessions: Any) -> list[int]:
    """Our 27 supervisors, the only active ones (the dataset's own are retired in this copy)."""
    async with session_scope(sessions) as session:
        await session.execute(sa.update(Staff).where(col(Staff.role).in_(SUPERVISOR_ROLES)).values(active=False))
        wards = list((await session.scalars(select(col(Ward.code)).order_by(col(Ward.code)))).all())
        people = [(ward, Role.WARD_SUPERVISOR) for ward in wards] + [(None, Role.CITY_SUPERVISOR)] * CITY_SUPERVISORS
        session.add_all(
            Staff(
                telegram_user_id=FIRST_SUPERVISOR_ID + n,
                display_name=f"管理者{n:02d}",
                role=role,
                organisation=Organisation.HEALTH_CENTRE if ward else Organisation.CITY,
                ward_code=ward,
            )
            for n, (ward, role) in enumerate(people)
        )
    return [FIRST_SUPERVISOR_ID + n for n in range(len(people))]


async def _during_push(driver: IntakeDriver, push: asyncio.Task[Any]) -> Pass:
    """Logging updates in batches until the push is over: every update timed is one taken during the push."""
    during = Pass("during the push")
    started = time.perf_counter()
    while not push.done():
        batch = await driver.run("batch", BATCH)
        during.times += batch.times
        during.steps += batch.steps
        during.flows_completed += batch.flows_completed
    during.wall = time.perf_counter() - started
    return during


async def run(events: int, seed: int = SEED) -> dict[str, Any]:
    with quiet_logging(), tempfile.TemporaryDirectory(prefix="intake-push-bench-") as folder:
        path = Path(folder) / "push.db"
        copy_sqlite(await cached_sqlite_dataset(events, seed), path)
        async with engine_scope(f"sqlite+aiosqlite:///{path}") as engine:
            sessions = session_factory(engine)
            members = await add_members(sessions)
            supervisors = await _add_supervisors(sessions)
            api = InProcessBotApi()
            settings = bench_settings()
            app: IntakeApplication = build_application(
                Runtime(settings, sessions), TOKEN, request=api, rate_limited=False
            )
            async with running(app):
                users = Users(app, api, members)
                driver = IntakeDriver(users, Random(seed))
                await driver.run("warm-up", WARMUP_UPDATES)
                gc.collect()
                alone = await driver.run("without the push", BASELINE_UPDATES)
                runtime = ReminderRuntime(
                    sessions, settings, BotMessenger(sessions, settings, app.bot_data[RENDER_POOL])
                )
                started = time.perf_counter()
                push = asyncio.ensure_future(monthly_push(app.bot, runtime, *PUSH_MONTH))
                during = await _during_push(driver, push)
                report = push.result()
                push_seconds = time.perf_counter() - started
                users.check()
                await _check_exactly_once(api, sessions, supervisors, report.counts[Outcome.SENT])
    figures = {
        "alone": alone,
        "during": during,
        "push_seconds": push_seconds,
        "supervisors": len(supervisors),
        "p99_ratio": during.p99_ms / alone.p99_ms,
        "p50_ratio": during.p50_ms / alone.p50_ms,
    }
    _print(figures, events)
    return figures


async def _check_exactly_once(api: InProcessBotApi, sessions: Any, supervisors: list[int], sent: int) -> None:
    summaries = Counter({chat: sum(1 for m in api.messages(chat) if m.document is None) for chat in supervisors})
    documents = Counter({chat: sum(1 for m in api.messages(chat) if m.document is not None) for chat in supervisors})
    async with session_scope(sessions) as session:
        delivered = Counter(
            (
                await session.scalars(
                    select(col(Delivery.staff_id)).where(col(Delivery.kind) == "push", col(Delivery.status) == "sent")
                )
            ).all()
        )
    wrong = [chat for chat in supervisors if (summaries[chat], documents[chat]) != (1, 1)]
    if wrong or sent != len(supervisors) or sorted(delivered.values()) != [1] * len(supervisors):
        raise BenchmarkBrokeError(
            f"push not exactly once: {len(wrong)} supervisors wrong, {sent} sent, {len(delivered)} delivery records"
        )


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print(f: dict[str, Any], events: int) -> None:
    alone, during = f["alone"], f["during"]
    year, month = PUSH_MONTH
    print(
        f"push: 200 workers logging (the intake mix) on {events:,} events (SQLite) while the {year}-{month:02d} "
        f"push builds and sends to {f['supervisors']} supervisors (24 ward + {CITY_SUPERVISORS} city)"
    )
    print(f"  {'workers':<28}{'updates':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for measured in (alone, during):
        print(
            f"  {measured.label:<28}{measured.updates:>9,}{measured.p50_ms:>9.2f}{measured.p99_ms:>9.2f}"
            f"{measured.max_ms:>9.1f}"
        )
    print(f"  the push took {f['push_seconds']:.1f} s; every supervisor got it exactly once")
    print(f"  {'target':<46}{'value':>10}  {'goal':<10}result")
    print(
        f"  {'p99 during the push ÷ p99 without':<46}{f['p99_ratio']:>10.2f}  {'<= 2.0':<10}"
        f"{_verdict(f['p99_ratio'] <= TARGET_P99_RATIO)}"
    )
    print(f"  (p50 ratio {f['p50_ratio']:.2f})")
