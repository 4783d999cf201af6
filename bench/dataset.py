"""A realistic synthetic dataset: 24 wards, the 334 sample areas, staff, and N events over fiscal years 2024–2026.

Deterministic for a seed. Events are inserted with SQLAlchemy Core executemany in large chunks inside one
transaction: going through ORM objects would make a 1M-row build take minutes instead of seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.catalog import KINDS_BY_CODE, Organisation, Requirement, Role
from models.db import alembic_config, make_engine, migrate, session_factory, session_scope
from models.fiscal import fiscal_year_of, is_business_day
from models.reference import ensure_wards, load_sample_areas_if_empty
from models.tables import Area, Event, Staff, Ward

FIRST_DAY = date(2024, 4, 1)
LAST_DAY = date(2026, 11, 27)  # "today" of the dataset: nothing happens or is logged after it
CHUNK_ROWS = 20_000
CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "bench"

# Share of each kind in what a city logs: day-to-day casework dominates, meetings and surveys are rare.
KIND_MIX: dict[str, float] = {
    "outreach": 0.30,
    "watch_consultation": 0.30,
    "concern_report": 0.08,
    "complex_intake": 0.06,
    "watch_office_link": 0.05,
    "participation_link": 0.06,
    "area_meeting": 0.05,
    "roster_provision": 0.03,
    "missing_alert_registration": 0.02,
    "tsunagaru_meeting": 0.02,
    "sv_dispatch": 0.01,
    "training_session": 0.01,
    "agency_survey": 0.01,
}
# Use of the bot grows as wards adopt it.
FISCAL_YEAR_VOLUME = {2024: 0.85, 2025: 1.0, 2026: 1.15}
WEEKEND_VOLUME = 0.08  # weekends and holidays: a little outreach still happens
VOIDED_SHARE = 0.01
NOTE_SHARE = 0.03
OPTIONAL_HOUSEHOLD_SHARE = 0.35
CONNECTIONS_PER_HOUSEHOLD = 2.5  # participation links per household over the three years, on average
DORMANT_AREA_SHARE = 0.08  # areas that never hold a meeting / never report: 1-1 and 1-2 stay below 334
NOTES = ("定例会にて共有", "電話で対応", "訪問時に不在", "関係機関と調整中", "次回訪問予定")
VOID_REASONS = ("入力ミス", "重複登録", "区の誤り")
JST_OFFSET = timedelta(hours=9)


@dataclass(frozen=True)
class World:
    """The reference rows and distributions the generator draws events from."""

    wards: list[str]
    ward_cum_weights: list[float]
    days: list[date]
    day_cum_weights: list[float]
    areas_by_kind_ward: dict[tuple[str, str], tuple[list[int], list[float]]]  # (kind, ward) → areas, cum weights
    staff_by_ward_org: dict[tuple[str, str], list[int]]
    households_per_ward: dict[str, int]


async def build_dataset(database_url: str, events: int, seed: int = 7) -> None:
    """Migrate a fresh database, load wards, areas and staff, and insert `events` events."""
    rng = Random(seed)
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            world = await _reference_world(session, events, rng)
        started = time.perf_counter()
        async with engine.begin() as connection:
            insert = sa.insert(Event.__table__)  # type: ignore[attr-defined]  # SQLModel's table is untyped
            for chunk in _event_chunks(world, events, rng):
                await connection.execute(insert, chunk)
        print(f"dataset: inserted {events:,} events in {time.perf_counter() - started:.1f} s")
    finally:
        await engine.dispose()


async def cached_sqlite_dataset(events: int, seed: int) -> str:
    """The sqlite+aiosqlite URL of `data/bench/events-{events}-{seed}.db`, built once and then reused."""
    path = CACHE_DIR / f"events-{events}-{seed}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if path.exists() and await _is_complete(url, events):
        print(f"dataset: reusing {path.relative_to(CACHE_DIR.parent.parent)}")
        return url
    # Build under a temporary name so an interrupted build never passes for a cached one.
    partial = path.with_suffix(".partial.db")
    for stale in (path, partial):
        _remove_sqlite(stale)
    started = time.perf_counter()
    await build_dataset(f"sqlite+aiosqlite:///{partial}", events, seed)
    partial.rename(path)
    print(f"dataset: built {path.name} in {time.perf_counter() - started:.1f} s")
    return url


async def _is_complete(url: str, events: int) -> bool:
    """Same schema revision as the code, and every event row present."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            revision = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
            rows = await connection.scalar(sa.text("SELECT COUNT(*) FROM event"))
    except sa.exc.DBAPIError:
        return False
    finally:
        await engine.dispose()
    return bool(revision == head and rows == events)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- reference data -------------------------------------------------------------------------------------------


async def _reference_world(session: AsyncSession, events: int, rng: Random) -> World:
    await ensure_wards(session)
    await load_sample_areas_if_empty(session)
    wards = list((await session.scalars(select(Ward).order_by(col(Ward.code)))).all())
    areas = list((await session.scalars(select(Area).order_by(col(Area.id)))).all())
    staff = await _add_staff(session, [ward.code for ward in wards])
    ward_codes = [ward.code for ward in wards]
    populations = [float(ward.population_2020 or 1) for ward in wards]
    days, day_weights = _day_weights()
    return World(
        wards=ward_codes,
        ward_cum_weights=list(accumulate(populations)),
        days=days,
        day_cum_weights=list(accumulate(day_weights)),
        areas_by_kind_ward=_area_weights(areas, rng),
        staff_by_ward_org=staff,
        households_per_ward=_household_pools(ward_codes, populations, events),
    )


async def _add_staff(session: AsyncSession, wards: list[str]) -> dict[tuple[str, str], list[int]]:
    """Per ward: a supervisor and four workers across the organisations; plus city staff."""
    per_ward = (
        (Role.WARD_SUPERVISOR, Organisation.WARD_COUNCIL),
        (Role.WORKER, Organisation.WATCH_OFFICE),
        (Role.WORKER, Organisation.WATCH_OFFICE),
        (Role.WORKER, Organisation.HEALTH_CENTRE),
        (Role.WORKER, Organisation.WARD_COUNCIL),
    )
    rows: list[Staff] = []
    for ward in wards:
        for number, (role, organisation) in enumerate(per_ward, start=1):
            rows.append(_staff(len(rows), f"{ward} {organisation} {number}", role, organisation, ward))
    rows.append(_staff(len(rows), "city supervisor", Role.CITY_SUPERVISOR, Organisation.CITY, None))
    rows.append(_staff(len(rows), "admin", Role.ADMIN, Organisation.CITY, None))
    session.add_all(rows)
    await session.flush()
    by_ward_org: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if row.ward_code is not None and row.id is not None:
            by_ward_org.setdefault((row.ward_code, row.organisation), []).append(row.id)
    return by_ward_org


def _staff(index: int, name: str, role: Role, organisation: Organisation, ward: str | None) -> Staff:
    return Staff(
        telegram_user_id=9_000_000 + index,
        display_name=name,
        role=role,
        organisation=organisation,
        ward_code=ward,
        created_at=datetime(2024, 3, 1, tzinfo=UTC),
    )


def _day_weights() -> tuple[list[date], list[float]]:
    """Every day of the dataset, weighted: business days carry the work, volume grows by fiscal year."""
    days = [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    weights = [
        FISCAL_YEAR_VOLUME[fiscal_year_of(day)] * (1.0 if is_business_day(day) else WEEKEND_VOLUME) for day in days
    ]
    return days, weights


def _area_weights(areas: list[Area], rng: Random) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """Per area kind and ward: some areas are busy, a few dormant (so distinct-area counts are not all 334)."""
    result: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
    for kind in (code for code, kind in KINDS_BY_CODE.items() if kind.area is Requirement.REQUIRED):
        by_ward: dict[str, tuple[list[int], list[float]]] = {}
        for area in areas:
            dormant = kind != "roster_provision" and rng.random() < DORMANT_AREA_SHARE
            weight = 0.0 if dormant else 0.2 + rng.random()
            ids, weights = by_ward.setdefault(area.ward_code, ([], []))
            ids.append(area.id or 0)
            weights.append(weight)
        for ward, (ids, weights) in by_ward.items():
            if not any(weights):  # every ward keeps at least one active area
                weights[0] = 1.0
            result[(kind, ward)] = (ids, list(accumulate(weights)))
    return result


def _household_pools(wards: list[str], populations: list[float], events: int) -> dict[str, int]:
    """How many household references each ward draws from, so households get several connections."""
    links = events * KIND_MIX["participation_link"]
    total = sum(populations)
    return {
        ward: max(10, math.ceil(links * population / total / CONNECTIONS_PER_HOUSEHOLD))
        for ward, population in zip(wards, populations, strict=True)
    }


# --- events ---------------------------------------------------------------------------------------------------


def _event_chunks(world: World, events: int, rng: Random) -> Iterator[list[dict[str, Any]]]:
    kinds = list(KIND_MIX)
    kind_cum_weights = list(accumulate(KIND_MIX.values()))
    for start in range(0, events, CHUNK_ROWS):
        size = min(CHUNK_ROWS, events - start)
        # Drawing the three main choices per chunk is several times faster than per row.
        chunk_kinds = rng.choices(kinds, cum_weights=kind_cum_weights, k=size)
        chunk_wards = rng.choices(world.wards, cum_weights=world.ward_cum_weights, k=size)
        chunk_days = rng.choices(world.days, cum_weights=world.day_cum_weights, k=size)
        yield [
            _event_row(world, rng, start + n, kind, ward, day)
            for n, (kind, ward, day) in enumerate(zip(chunk_kinds, chunk_wards, chunk_days, strict=True))
        ]


def _event_row(world: World, rng: Random, index: int, kind_code: str, ward: str, day: date) -> dict[str, Any]:
    kind = KINDS_BY_CODE[kind_code]
    staff_id = _logger(world, rng, kind.logged_by, ward)
    logged_at = _logged_at(rng, day)
    voided = rng.random() < VOIDED_SHARE
    return {
        "kind": kind_code,
        "occurred_on": day,
        "ward_code": ward,
        "area_id": _area(world, rng, kind_code, ward) if kind.area is Requirement.REQUIRED else None,
        "household_ref": _household(world, rng, kind.household, ward),
        "count": _count(rng, kind_code) if kind.takes_count else 1,
        "answer": rng.random() < 0.75 if kind.takes_answer else None,
        "note": rng.choice(NOTES) if rng.random() < NOTE_SHARE else None,
        "logged_by_staff_id": staff_id,
        "logged_at": logged_at,
        "source": "import" if rng.random() < 0.03 else "bot",
        "idempotency_key": f"bench-{index}",
        "voided_at": min(logged_at + timedelta(hours=rng.randint(1, 48)), _cap()) if voided else None,
        "voided_by_staff_id": staff_id if voided else None,
        "void_reason": rng.choice(VOID_REASONS) if voided else None,
        "replaced_by_event_id": None,
        "corrects_event_id": None,
    }


def _area(world: World, rng: Random, kind: str, ward: str) -> int:
    ids, cum_weights = world.areas_by_kind_ward[(kind, ward)]
    return rng.choices(ids, cum_weights=cum_weights)[0]


def _household(world: World, rng: Random, rule: Requirement, ward: str) -> str | None:
    if rule is Requirement.NONE or (rule is Requirement.OPTIONAL and rng.random() >= OPTIONAL_HOUSEHOLD_SHARE):
        return None
    # Skewed towards low numbers: some households are connected many times, most once or twice.
    number = 1 + int(world.households_per_ward[ward] * rng.random() ** 1.5)
    return f"{ward}-H{number:05d}"


def _count(rng: Random, kind: str) -> int:
    if kind == "roster_provision":
        return rng.randint(1, 30)  # people on the roster handed over
    return 1 if rng.random() < 0.9 else rng.randint(2, 5)


def _logger(world: World, rng: Random, organisations: tuple[Organisation, ...], ward: str) -> int:
    candidates = [
        staff_id for organisation in organisations for staff_id in world.staff_by_ward_org.get((ward, organisation), [])
    ]
    return rng.choice(candidates or world.staff_by_ward_org[(ward, Organisation.WARD_COUNCIL)])


def _logged_at(rng: Random, day: date) -> datetime:
    """Logged during office hours (JST) on the day or up to three days later, never after the dataset's today."""
    delay = timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)), minutes=rng.randint(9 * 60, 18 * 60))
    jst_midnight_in_utc = datetime(day.year, day.month, day.day, tzinfo=UTC) - JST_OFFSET
    return min(jst_midnight_in_utc + delay, _cap())


def _cap() -> datetime:
    return datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 18, tzinfo=UTC) - JST_OFFSET
