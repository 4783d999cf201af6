"""The benchmarks' dataset: 24 wards, the 334 sample areas, staff, and N events over fiscal years 2024–2026.

The events come from the same generator as the offline demo's (bot/offline/synthetic.py), inserted with Core
executemany in large chunks inside one transaction, and cached as a SQLite file per size, seed and schema.

With `workers_per_ward`, each ward has that many workers instead of four (18, with the ward's supervisor 19 a ward
and about 450 staff: a city's real size); the events are the same in number, spread over more people.

With `history_years`, the dataset starts that many fiscal years earlier (as busy as FY2024) at the same volume per
day: FY2024–2026 hold as many events, day by day, as the N-event dataset's (in expectation), and the years before
add theirs. It differs from the N-event dataset in how much history exists, not in how busy a month is.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.offline.synthetic import GENERATOR_VERSION, Mix, day_weights, event_chunks, load_world
from models.config import TOKYO
from models.db import engine_scope, head_revision, migrate, session_factory, session_scope
from models.fiscal import fiscal_year_of
from models.reference import ensure_wards, load_sample_areas_if_empty, wards_in_order
from models.roles import Organisation, Role
from models.rollups import rebuild_rollups_sync
from models.tables import Event, Staff

FIRST_DAY = date(2024, 4, 1)
LAST_DAY = date(2026, 11, 27)  # "today" of the dataset: nothing happens or is logged after it
CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "bench"

# Use of the bot grows as wards adopt it; the years before FY2024 (history_years) are as busy as FY2024.
FISCAL_YEAR_VOLUME = {2024: 0.85, 2025: 1.0, 2026: 1.15}
HISTORY_VOLUME = FISCAL_YEAR_VOLUME[2024]
BENCH_MIX = Mix(source="bot", key_prefix="bench", voided_share=0.01, imported_share=0.03)
WORKERS_PER_WARD = 4  # the datasets' default: 122 staff; a city has about 19 a ward (CITY_WORKERS_PER_WARD)
CITY_WORKERS_PER_WARD = 18  # with the ward supervisor 19 a ward: 456, with the city's two 458 staff
_ORGANISATIONS = (
    Organisation.WATCH_OFFICE,
    Organisation.WATCH_OFFICE,
    Organisation.HEALTH_CENTRE,
    Organisation.WARD_COUNCIL,
)


def total_events(events: int, history_years: int = 0) -> int:
    """How many events the dataset holds: `events` over FY2024–2026, and as many a day before them."""
    if history_years == 0:
        return events
    return round(events * sum(day_weights(_days(history_years), _volume)) / sum(day_weights(_days(), _volume)))


async def build_dataset(
    database_url: str, events: int, seed: int = 7, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD
) -> None:
    """Migrate a fresh database, load wards, areas and staff, and insert `events` events over FY2024–2026 (and
    `history_years` fiscal years before them at the same volume a day: `total_events` in all)."""
    rng = Random(seed)
    rows = total_events(events, history_years)
    async with engine_scope(database_url) as engine:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            await ensure_wards(session)
            await load_sample_areas_if_empty(session)
            wards = [ward.code for ward in await wards_in_order(session)]
            staff = await _add_staff(session, wards, since=_days(history_years)[0], workers=workers_per_ward)
            # The households are drawn from pools sized by `events`: each fiscal year has as many distinct ones as
            # the N-event dataset's, and the earlier years connect the same households again.
            world = await load_world(
                session,
                rng,
                days=_days(history_years),
                events=events,
                now=_now(),
                staff_by_ward_org=staff,
                volume_of=_volume,
            )
        started = time.perf_counter()
        async with engine.begin() as connection:
            insert = sa.insert(Event.__table__)  # type: ignore[attr-defined]  # SQLModel's table is untyped
            for chunk in event_chunks(world, rows, rng, BENCH_MIX):
                await connection.execute(insert, chunk)
            print(f"dataset: inserted {rows:,} events in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            # Core inserts bypass models.entries.write, which keeps the rollups: rebuilt here as by the CLI.
            rollups = await connection.run_sync(rebuild_rollups_sync)
        print(
            f"dataset: rollups rebuilt ({len(rollups.months):,} month rows, {len(rollups.first_days):,} first-day "
            f"rows) in {time.perf_counter() - started:.1f} s"
        )


def cache_path(events: int, seed: int, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD) -> Path:
    """`data/bench/events-{events}-{seed}-g{version}.db`; `…-h{history_years}.db` with years before FY2024,
    `…-w{workers_per_ward}.db` with other than four workers a ward."""
    history = f"-h{history_years}" if history_years else ""
    workers = f"-w{workers_per_ward}" if workers_per_ward != WORKERS_PER_WARD else ""
    return CACHE_DIR / f"events-{events}-{seed}-g{GENERATOR_VERSION}{history}{workers}.db"


async def cached_sqlite_dataset(
    events: int, seed: int, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD
) -> str:
    """The sqlite+aiosqlite URL of the dataset's `cache_path`, built once and then reused."""
    path = cache_path(events, seed, history_years, workers_per_ward)
    url = f"sqlite+aiosqlite:///{path}"
    if path.exists() and await _is_complete(url, total_events(events, history_years)):
        print(f"dataset: reusing {path.relative_to(CACHE_DIR.parent.parent)}")
        return url
    # Build under a temporary name so an interrupted build never passes for a cached one.
    partial = path.with_suffix(".partial.db")
    for stale in (path, partial):
        _remove_sqlite(stale)
    started = time.perf_counter()
    await build_dataset(f"sqlite+aiosqlite:///{partial}", events, seed, history_years, workers_per_ward)
    partial.rename(path)
    print(f"dataset: built {path.name} in {time.perf_counter() - started:.1f} s")
    return url


async def _is_complete(url: str, events: int) -> bool:
    """Every event row present, and the schema at the code's revision (migrated forward if it is older)."""
    head = head_revision()
    try:
        async with engine_scope(url) as engine:
            async with engine.connect() as connection:
                revision = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
                rows = await connection.scalar(sa.text("SELECT COUNT(*) FROM event"))
            if rows != events:
                return False
            if revision != head:  # what an upgraded production database goes through, on a million events
                started = time.perf_counter()
                await migrate(engine)
                print(f"dataset: migrated from {revision} to {head} in {time.perf_counter() - started:.1f} s")
    except (sa.exc.DBAPIError, CommandError):  # no such table, or a revision this code does not know: rebuild
        return False
    return True


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- reference data -------------------------------------------------------------------------------------------


async def _add_staff(
    session: AsyncSession, wards: list[str], since: date, workers: int = WORKERS_PER_WARD
) -> dict[tuple[str, str], list[int]]:
    """Per ward: a supervisor and `workers` workers across the organisations (two of four at the 見守り相談室);
    plus city staff; all created the month before the first day (`since`)."""
    created_at = datetime(since.year, since.month - 1, 1, tzinfo=UTC)
    per_ward = (
        (Role.WARD_SUPERVISOR, Organisation.WARD_COUNCIL),
        *((Role.WORKER, _ORGANISATIONS[n % len(_ORGANISATIONS)]) for n in range(workers)),
    )
    rows: list[Staff] = []
    for ward in wards:
        for number, (role, organisation) in enumerate(per_ward, start=1):
            rows.append(_staff(len(rows), f"{ward} {organisation} {number}", role, organisation, ward, created_at))
    rows.append(_staff(len(rows), "city supervisor", Role.CITY_SUPERVISOR, Organisation.CITY, None, created_at))
    rows.append(_staff(len(rows), "admin", Role.ADMIN, Organisation.CITY, None, created_at))
    session.add_all(rows)
    await session.flush()
    by_ward_org: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if row.ward_code is not None and row.id is not None:
            by_ward_org.setdefault((row.ward_code, row.organisation), []).append(row.id)
    return by_ward_org


def _staff(
    index: int, name: str, role: Role, organisation: Organisation, ward: str | None, created_at: datetime
) -> Staff:
    return Staff(
        telegram_user_id=9_000_000 + index,
        display_name=name,
        role=role,
        organisation=organisation,
        ward_code=ward,
        created_at=created_at,
    )


def _days(history_years: int = 0) -> list[date]:
    first = FIRST_DAY.replace(year=FIRST_DAY.year - history_years)
    return [first + timedelta(days=n) for n in range((LAST_DAY - first).days + 1)]


def _volume(day: date) -> float:
    return FISCAL_YEAR_VOLUME.get(fiscal_year_of(day), HISTORY_VOLUME)


def _now() -> datetime:
    """The dataset's "now": the evening of its last day (JST), so that nothing is logged after it."""
    return datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 18, tzinfo=TOKYO).astimezone(UTC)
