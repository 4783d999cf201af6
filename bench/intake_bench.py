"""How fast does the bot take logging updates? Against the framework's floor and the floor for a bot that writes.

Every update goes through `Application.process_update` on the in-process Bot API double (`bot.offline.fake_api`), with
SQLite files in a temporary folder (with `--db postgresql`: new databases on the server), sequentially, as
`run_polling` processes them in production (the Application is started, so the persistence loop writes
conversation states and drafts every second, as it does live):

(a) ours: the intake bot on a fresh migrated database with ~200 staff over the 24 wards, full logging flows of a
    realistic mix of kinds, many users' conversations in flight at once (each update comes from a random user);
(b) echo: a bare python-telegram-bot Application answering the same updates (texts and button presses) with a
    reply or an answer + edit: the framework's floor;
(c) echo + write: (b) that also commits one SQLModel row per update: the floor for a bot that writes;
(a') ours with the write-time rollups' upkeep switched off (`models.rollups`), update for update in turn with (a)
    on a second fresh database: what keeping them costs.

Then a shorter pass of (a) on an empty events table and on a copy of the cached `big_events` dataset
(`bench.dataset`), update for update in turn as (a) and (a') are: the cost per update should not grow with the
table, overall nor for any one step (a rare step can grow tenfold and hardly move the overall percentiles, so the
worst step's median ratio is a target too).

Timed: each `process_update` call (p50, p99, mean, max); updates/s is over the wall time of the whole pass,
including the driver and the persistence flushes. The run fails when the bot misbehaves (a flow does not finish,
events saved differ from flows completed, a button press goes unanswered, a handler raises): a timing of broken work
is worthless.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from random import Random
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, col, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, Defaults, MessageHandler, filters

from bench import flag_share
from bench.driver import (
    FIRST_TELEGRAM_ID,
    FLOWS,
    SEED,
    SLOW_SECONDS,
    STAFF,
    BenchmarkBrokeError,
    IntakeDriver,
    Member,
    Pass,
    Sent,
    Users,
    add_members,
    percentile,
    replay,
)
from bench.harness import TOKEN, Verdict, bench_settings, quiet_logging, running
from bench.store import SQLITE, Store
from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.fake_api import AnyApplication, InProcessBotApi
from models import rollups
from models.config import TOKYO
from models.db import engine_scope, migrate, session_factory, session_scope
from models.fiscal import fiscal_year_of, fiscal_year_start
from models.fiscal import today as japan_today
from models.reference import ensure_wards, load_sample_areas_if_empty
from models.tables import Event, Staff, UTCDateTime, utcnow

WARMUP_UPDATES = 500
GROWTH_UPDATES = 2_000
GROWTH_WARMUP_UPDATES = 300

TARGET_OURS_OVER_WRITE = 1.5
TARGET_P99_MS = 10.0
TARGET_GROWTH = 1.5
TARGET_ROLLUP_COST = 1.15  # ours ÷ ours with the rollups' upkeep switched off, p50


async def _fresh_intake_database(url: str) -> None:
    async with engine_scope(url) as engine:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            await ensure_wards(session)
            await load_sample_areas_if_empty(session)


async def _event_count(sessions: async_sessionmaker[AsyncSession], after_id: int = 0) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(sa.func.count()).where(col(Event.id) > after_id)) or 0)


async def _max_event_id(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(sa.func.max(col(Event.id)))) or 0)


async def run_ours(url: str, label: str, updates: int, warmup: int, trace: list[Sent] | None = None) -> Pass:
    """Our bot on the database at `url` (migrated, wards and areas loaded): add the staff, warm up, measure."""
    async with engine_scope(url) as engine:
        sessions = session_factory(engine)
        members = await add_members(sessions)
        api = InProcessBotApi()
        app: IntakeApplication = build_application(
            Runtime(bench_settings(), sessions), TOKEN, request=api, rate_limited=False
        )
        async with running(app):
            users = Users(app, api, members)
            driver = IntakeDriver(users, Random(SEED), trace)
            await driver.run("warm-up", warmup)
            api.clear()
            before = await _max_event_id(sessions)
            gc.collect()
            measured = await driver.run(label, updates)
            users.check()
            saved = await _event_count(sessions, before)
        if saved != measured.flows_completed:
            raise BenchmarkBrokeError(f"{label}: {measured.flows_completed} flows completed but {saved} events saved")
    return measured


# --- the baselines --------------------------------------------------------------------------------------------


class _EchoModel(SQLModel, registry=registry()):
    """A registry of its own: the baseline's table stays out of the project's metadata (and its migrations)."""


class EchoRow(_EchoModel, table=True):
    """What the writing echo keeps: one row per update."""

    __tablename__ = "echo_row"

    id: int | None = Field(default=None, primary_key=True)
    update_id: int
    user_id: int = Field(sa_type=sa.BigInteger)
    kind: str = Field(max_length=20)
    payload: str = Field(max_length=4096)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


ECHO_KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("今日", callback_data="echo:today"),
            InlineKeyboardButton("昨日", callback_data="echo:y"),
        ],
        [InlineKeyboardButton("中止", callback_data="echo:cancel")],
    ]
)

Handler = Callable[[Update, Any], Coroutine[Any, Any, None]]


async def _echo_text(update: Update, context: Any) -> None:
    message = update.message
    assert message is not None and message.text is not None
    await message.reply_text(message.text, reply_markup=ECHO_KEYBOARD)


async def _echo_press(update: Update, context: Any) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"{query.data} ({update.update_id})", reply_markup=ECHO_KEYBOARD)


def _writing(sessions: async_sessionmaker[AsyncSession], respond: Handler) -> Handler:
    """The echo, after committing one row for the update (as our save commits, then answers)."""

    async def handle(update: Update, context: Any) -> None:
        user = update.effective_user
        assert user is not None
        if update.callback_query is not None:
            kind, payload = "press", update.callback_query.data or ""
        else:
            kind, payload = "send", update.message.text or "" if update.message else ""
        async with session_scope(sessions) as session:
            session.add(EchoRow(update_id=update.update_id, user_id=user.id, kind=kind, payload=payload))
        await respond(update, context)

    return handle


def _echo_application(api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession] | None) -> AnyApplication:
    """The same builder on the same transport as ours, without persistence; optionally writing one row per update."""
    app: AnyApplication = (
        Application.builder()
        .token(TOKEN)
        .defaults(Defaults(tzinfo=TOKYO))
        .request(api)
        .get_updates_request(api)
        .build()
    )
    on_text: Handler = _echo_text
    on_press: Handler = _echo_press
    if sessions is not None:
        on_text, on_press = _writing(sessions, on_text), _writing(sessions, on_press)
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    return app


async def run_echo(label: str, members: list[Member], sent: list[Sent], warmup: int, url: str | None) -> Pass:
    """Replay `sent` to an echo bot; with `url`, the echo commits one EchoRow per update to that new database."""
    async with engine_scope(url or "sqlite+aiosqlite://") as engine:
        sessions = session_factory(engine) if url else None
        if url:
            async with engine.begin() as connection:
                await connection.run_sync(_EchoModel.metadata.create_all)
        api = InProcessBotApi()
        async with running(_echo_application(api, sessions)) as app:
            users = Users(app, api, members)
            await replay(users, "warm-up", sent[:warmup])
            api.clear()
            gc.collect()
            measured = await replay(users, label, sent[warmup:])
            users.check()
        if sessions is not None:
            async with sessions() as session:
                rows = int(await session.scalar(select(sa.func.count()).select_from(EchoRow)) or 0)
            if rows != len(sent):
                raise BenchmarkBrokeError(f"{label}: {len(sent)} updates but {rows} rows written")
    return measured


# --- the big database -----------------------------------------------------------------------------------------


async def _events_this_fiscal_year(url: str) -> tuple[int, int]:
    """All events in the table, and those dated in the current fiscal year (what a save's totals read)."""
    async with engine_scope(url) as engine, engine.connect() as connection:
        everything = await connection.scalar(sa.select(sa.func.count()).select_from(Event))
        this_year = await connection.scalar(
            sa.select(sa.func.count()).where(col(Event.occurred_on) >= fiscal_year_start(fiscal_year_of(japan_today())))
        )
    return int(everything or 0), int(this_year or 0)


# --- the benchmark --------------------------------------------------------------------------------------------


async def run(updates: int = 10_000, big_events: int = 1_000_000, store: Store = SQLITE) -> dict[str, float]:
    """Measure ours, echo and echo + write on `updates` updates, then growth from 0 to `big_events` events."""
    growth_updates = min(GROWTH_UPDATES, updates)
    started = time.perf_counter()
    with quiet_logging():
        async with store.empty("ours") as ours_url:
            await _fresh_intake_database(ours_url)
            trace: list[Sent] = []
            ours = await run_ours(ours_url, "ours", updates, WARMUP_UPDATES, trace)
            members = await _members_of(ours_url)
        echo = await run_echo("echo", members, trace, WARMUP_UPDATES, None)
        async with store.empty("echo") as echo_url:
            write = await run_echo("echo + write", members, trace, WARMUP_UPDATES, echo_url)
        async with store.empty("kept") as kept_url, store.empty("bare") as bare_url:
            kept, bare = await run_rollup_cost(kept_url, bare_url, growth_updates, GROWTH_WARMUP_UPDATES)
        async with store.empty("empty") as empty_url, store.copy(big_events, SEED) as big_url:
            await _fresh_intake_database(empty_url)
            big_rows, big_this_year = await _events_this_fiscal_year(big_url)
            labels = ("0 events", f"{big_rows:,} events")
            empty, big = await run_in_turns((empty_url, big_url), labels, growth_updates, GROWTH_WARMUP_UPDATES)
            flags, small_flags = await flag_share.flag_share(big_url), await flag_share.flag_share(empty_url)
    figures = _figures(ours, echo, write, empty, big, kept, bare)
    figures |= {"flagged_share": flags.share, "typos_caught": flags.caught, "usual_read_ms": flags.read_ms}
    _print_report(
        figures, ours, echo, write, empty, big, kept, bare, big_this_year, time.perf_counter() - started, store
    )
    print("\n".join(flag_share.report(flags, small_flags.read_ms)))
    return figures


async def run_rollup_cost(kept_url: str, bare_url: str, updates: int, warmup: int) -> tuple[Pass, Pass]:
    """Ours with the rollups' upkeep and without it, update for update in turn on two fresh databases: the ratio
    is the upkeep's cost."""
    for url in (kept_url, bare_url):
        await _fresh_intake_database(url)
    labels = ("ours", "ours, rollups' upkeep off")
    return await run_in_turns((kept_url, bare_url), labels, updates, warmup, second_switched=_rollups_switched_off)


async def run_in_turns(
    urls: tuple[str, str],
    labels: tuple[str, str],
    updates: int,
    warmup: int,
    second_switched: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> tuple[Pass, Pass]:
    """Two bots, one on each database (migrated, wards and areas loaded), update for update in turn.

    Both bots get the same flows from the same users in the same order, alternately (which goes first switches
    every update), so that the machine's changing load falls on both alike; the second's updates are handled
    inside `second_switched()`. Each bot's saves are checked against the events it wrote.
    """
    bots: list[tuple[IntakeApplication, IntakeDriver]] = []
    async with engine_scope(urls[0]) as first_engine, engine_scope(urls[1]) as second_engine:
        engines = (first_engine, second_engine)
        for engine in engines:
            sessions = session_factory(engine)
            members = await add_members(sessions)
            api = InProcessBotApi()
            app: IntakeApplication = build_application(
                Runtime(bench_settings(), sessions), TOKEN, request=api, rate_limited=False
            )
            bots.append((app, IntakeDriver(Users(app, api, members), Random(SEED))))
        (first_app, first), (second_app, second) = bots
        async with running(first_app), running(second_app):
            passes = (Pass("warm-up"), Pass("warm-up"))
            before = [0, 0]
            for number in range(warmup + updates):
                if number == warmup:
                    passes = (Pass(labels[0]), Pass(labels[1]))
                    before = [await _max_event_id(session_factory(engine)) for engine in engines]
                for which in (0, 1) if number % 2 == 0 else (1, 0):
                    if which == 0:
                        await first.step(passes[0])
                        continue
                    with second_switched():
                        await second.step(passes[1])
            for measured, driver, engine, after in zip(passes, (first, second), engines, before, strict=True):
                driver.users.check()
                measured.wall = sum(measured.times)
                saved = await _event_count(session_factory(engine), after)
                if saved != measured.flows_completed:
                    raise BenchmarkBrokeError(
                        f"{measured.label}: {measured.flows_completed} flows completed but {saved} events saved"
                    )
    return passes


@contextmanager
def _rollups_switched_off() -> Iterator[None]:
    """For the write-cost comparison only: events are saved, voided and corrected without touching the rollups."""

    async def untouched(session: AsyncSession, event: Event) -> None:
        return None

    kept = rollups.count_event, rollups.uncount_event
    rollups.count_event = rollups.uncount_event = untouched
    try:
        yield
    finally:
        rollups.count_event, rollups.uncount_event = kept


def _save_p50_ms(measured: Pass) -> float:
    """The median of the updates that save an entry (the only ones that touch the rollups)."""
    saves = [t for name, times in measured.by_step().items() if name.startswith("save ") for t in times]
    return 1000 * percentile(saves, 0.5)


async def _members_of(url: str) -> list[Member]:
    async with engine_scope(url) as engine, session_factory(engine)() as session:
        rows = await session.scalars(
            select(Staff).where(col(Staff.telegram_user_id) >= FIRST_TELEGRAM_ID).order_by(col(Staff.telegram_user_id))
        )
        return [Member(s.telegram_user_id, s.display_name, s.ward_code or "") for s in rows]


def _figures(ours: Pass, echo: Pass, write: Pass, empty: Pass, big: Pass, kept: Pass, bare: Pass) -> dict[str, float]:
    figures: dict[str, float] = {}
    passes = {
        "ours": ours,
        "echo": echo,
        "write": write,
        "growth_empty": empty,
        "growth_big": big,
        "paired_kept": kept,
        "paired_bare": bare,
    }
    for key, measured in passes.items():
        figures |= {
            f"{key}_updates_per_s": measured.per_second,
            f"{key}_p50_ms": measured.p50_ms,
            f"{key}_p99_ms": measured.p99_ms,
            f"{key}_mean_ms": measured.mean_ms,
            f"{key}_max_ms": measured.max_ms,
        }
    worst_ratio = _worst_step_growth(empty, big)[1]
    figures |= {
        "updates": float(ours.updates),
        "flows_completed": float(ours.flows_completed),
        "ours_over_write": write.per_second / ours.per_second,
        "ours_over_echo": echo.per_second / ours.per_second,
        "write_over_echo": echo.per_second / write.per_second,
        "growth_p50_ratio": big.p50_ms / empty.p50_ms,
        "growth_p99_ratio": big.p99_ms / empty.p99_ms,
        "growth_mean_ratio": big.mean_ms / empty.mean_ms,
        "growth_worst_step_p50_ratio": worst_ratio,
        "rollups_p50_ratio": kept.p50_ms / bare.p50_ms,
        "rollups_save_p50_ratio": _save_p50_ms(kept) / _save_p50_ms(bare),
        "save_p50_ms": _save_p50_ms(kept),
        "bare_save_p50_ms": _save_p50_ms(bare),
    }
    return figures


def _step_medians(measured: Pass) -> dict[str, float]:
    return {name: 1000 * percentile(times, 0.5) for name, times in measured.by_step().items()}


def _worst_step_growth(empty: Pass, big: Pass) -> tuple[str, float]:
    """The step whose median grew most: a rare step can grow a lot and hardly move the overall figures."""
    before, after = _step_medians(empty), _step_medians(big)
    ratios = {name: after[name] / before[name] for name in before.keys() & after.keys()}
    name = max(ratios, key=lambda step: ratios[step])
    return name, ratios[name]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print_report(
    f: dict[str, float],
    ours: Pass,
    echo: Pass,
    write: Pass,
    empty: Pass,
    big: Pass,
    kept: Pass,
    bare: Pass,
    big_this_year: int,
    seconds: float,
    store: Store = SQLITE,
) -> None:
    mix = ", ".join(f"{flow.name} {flow.share:.0%}" for flow in FLOWS)
    header = f"{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'max ms':>9}"
    lines = [
        f"intake: {ours.updates:,} logging updates per bot through Application.process_update, in-process Bot API, "
        f"{'PostgreSQL' if store.postgresql else 'SQLite (WAL)'}, one at a time as under run_polling, {STAFF} staff "
        "over 24 wards, random users (conversations interleaved), persistence loop running",
        f"  flows: {mix}",
        f"  check: {ours.flows_completed:,} flows completed = {ours.flows_completed:,} events saved; every press "
        "answered; no handler errors; echo + write wrote one row per update",
        f"  {'bot':<34}{header}",
    ]
    for name, measured in (
        ("(a) ours: intake bot", ours),
        ("(b) echo: bare PTB", echo),
        ("(c) echo + write: 1 SQLModel row", write),
    ):
        lines.append(f"  {name:<34}{_row(measured)}")
    slow = sum(1 for seconds_taken in ours.times if seconds_taken > SLOW_SECONDS)
    lines.append(
        f"  ours: {slow} updates over {SLOW_SECONDS * 1000:.0f} ms; {ours.in_process_update:.0%} of the wall time "
        "inside process_update (the persistence loop's writes mostly run while handlers await the database)"
    )
    lines.append(
        f"  ours, per step (largest share of time first)   {'n':>6}{'share':>7}{'mean':>8}{'p50':>8}{'p99':>8}"
    )
    total = sum(ours.times)
    for name, times in sorted(ours.by_step().items(), key=lambda item: -sum(item[1])):
        lines.append(
            f"    {name:<45}{len(times):>6}{sum(times) / total:>7.0%}{1000 * statistics.fmean(times):>8.2f}"
            f"{1000 * percentile(times, 0.5):>8.2f}{1000 * percentile(times, 0.99):>8.2f}"
        )
    lines.append(f"  rollups' write cost: ours on two fresh databases, {kept.updates:,} updates each, in turn")
    for name, measured in (("(a) ours, rollups kept", kept), ("(a') ours, rollups' upkeep off", bare)):
        lines.append(f"  {name:<34}{_row(measured)}")
    lines.append(
        f"  growth: ours, {empty.updates:,} updates each, on an empty events table and on {big.label} "
        f"({big_this_year:,} dated in this fiscal year)"
    )
    lines.append(f"  {'events table':<34}{header}")
    for measured in (empty, big):
        lines.append(f"  {measured.label:<34}{_row(measured)}")
    lines.append(f"  growth per step, p50 ms            {'0 events':>10}{'big':>10}{'ratio':>8}")
    before, after = _step_medians(empty), _step_medians(big)
    for name in sorted(before.keys() & after.keys(), key=lambda step: -after[step] / before[step]):
        lines.append(f"    {name:<33}{before[name]:>10.2f}{after[name]:>10.2f}{after[name] / before[name]:>8.2f}")
    p99 = ours.p99_ms
    worst = _worst_step_growth(empty, big)[0]
    lines += [
        f"  {'target':<46}{'value':>10}  {'goal':<10}result",
        f"  {'ours ÷ write floor (wall per update)':<46}{f['ours_over_write']:>10.2f}  "
        f"{f'<= {TARGET_OURS_OVER_WRITE}':<10}{_verdict(f['ours_over_write'] <= TARGET_OURS_OVER_WRITE)}",
        f"  {'ours p99':<46}{p99:>7.1f} ms  {f'< {TARGET_P99_MS:.0f} ms':<10}{_verdict(p99 < TARGET_P99_MS)}",
        f"  {'rollups: ours p50 ÷ upkeep off p50':<46}{f['rollups_p50_ratio']:>10.2f}  "
        f"{f'<= {TARGET_ROLLUP_COST}':<10}{_verdict(f['rollups_p50_ratio'] <= TARGET_ROLLUP_COST)}",
        f"  {'  the saves alone (p50 ms: {:.2f} ÷ {:.2f})'.format(f['save_p50_ms'], f['bare_save_p50_ms']):<46}"
        f"{f['rollups_save_p50_ratio']:>10.2f}  (context)",
    ]
    for key, what in (
        ("growth_p50_ratio", "growth p50 (big ÷ empty)"),
        ("growth_p99_ratio", "growth p99 (big ÷ empty)"),
        ("growth_mean_ratio", "growth mean (big ÷ empty)"),
        ("growth_worst_step_p50_ratio", f"growth worst step p50: {worst}"),
    ):
        lines.append(f"  {what:<46}{f[key]:>10.2f}  {'<= 1.5':<10}{_verdict(f[key] <= TARGET_GROWTH)}")
    lines.append(
        f"  (for context: ours ÷ echo {f['ours_over_echo']:.1f}, write ÷ echo {f['write_over_echo']:.1f}; "
        f"whole run {seconds:.0f} s; the machine is noisy: the ratios are the point)"
    )
    print("\n".join(lines))


def _row(measured: Pass) -> str:
    return (
        f"{measured.per_second:>10,.0f}{measured.p50_ms:>9.2f}{measured.p99_ms:>9.2f}"
        f"{measured.mean_ms:>9.2f}{measured.max_ms:>9.1f}"
    )


def verdicts(f: dict[str, float]) -> list[Verdict]:
    growth = [
        Verdict(what, f"{f[key]:.2f}", f"<= {TARGET_GROWTH}", f[key] <= TARGET_GROWTH)
        for key, what in (
            ("growth_p50_ratio", "growth p50 (big ÷ empty)"),
            ("growth_p99_ratio", "growth p99 (big ÷ empty)"),
            ("growth_mean_ratio", "growth mean (big ÷ empty)"),
            ("growth_worst_step_p50_ratio", "growth, worst step's p50"),
        )
    ]
    return [
        Verdict(
            "ours ÷ write floor (wall per update)",
            f"{f['ours_over_write']:.2f}",
            f"<= {TARGET_OURS_OVER_WRITE}",
            f["ours_over_write"] <= TARGET_OURS_OVER_WRITE,
        ),
        Verdict(
            "ours p99", f"{f['ours_p99_ms']:.1f} ms", f"< {TARGET_P99_MS:.0f} ms", f["ours_p99_ms"] < TARGET_P99_MS
        ),
        Verdict(
            "rollups: ours p50 ÷ upkeep off p50",
            f"{f['rollups_p50_ratio']:.2f}",
            f"<= {TARGET_ROLLUP_COST}",
            f["rollups_p50_ratio"] <= TARGET_ROLLUP_COST,
        ),
        *growth,
    ]
