"""Synthetic casework that looks like a city's: the offline demo's events and the benchmarks' million.

Deterministic for a seed. Wards are drawn by population, days by business day (and, for the benchmarks, a
volume that grows by fiscal year), areas with a few dormant ones (so distinct-area counts stay below 334), and
households from a per-ward pool so that some are connected several times. Rows come as dicts in chunks, ready for
one Core `INSERT … executemany` (ORM objects would make a million rows take minutes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from random import Random
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.catalog import EVENT_KINDS, KINDS_BY_CODE, Requirement
from models.config import TOKYO
from models.entries.read import HOUSEHOLD_ALPHABET, HOUSEHOLD_CODE_LENGTH
from models.fiscal import is_business_day
from models.reference import wards_in_order
from models.roles import Organisation
from models.tables import Area

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
NON_BUSINESS_DAY_VOLUME = 0.08  # weekends and holidays: a little outreach still happens
DORMANT_AREA_SHARE = 0.08  # areas that never hold a meeting / never report
CONNECTIONS_PER_HOUSEHOLD = 2.5  # participation links per household, on average
NOTES = ("定例会にて共有", "電話で対応", "訪問時に不在", "関係機関と調整中", "次回訪問予定")
VOID_REASONS = ("入力ミス", "重複登録", "区の誤り")
CHUNK_ROWS = 20_000
GENERATOR_VERSION = 2  # part of the benchmarks' cache key: bump it when the rows drawn for a seed change


@dataclass(frozen=True)
class Mix:
    """How generated events vary besides kind, ward and day."""

    source: str = "bot"
    key_prefix: str = "synthetic"
    voided_share: float = 0.0
    imported_share: float = 0.0  # of the rest, logged as history imports
    note_share: float = 0.03
    optional_household_share: float = 0.35
    survey_yes_share: float = 0.75
    every_kind_first: bool = False  # the first rows go through every kind once (a demo shows them all)


@dataclass(frozen=True)
class World:
    """What events are drawn from: wards by population, their areas, the days, the staff and the households."""

    wards: list[str]
    ward_cum_weights: list[float]
    days: list[date]
    day_cum_weights: list[float]
    areas_by_kind_ward: dict[tuple[str, str], tuple[list[int], list[float]]]  # (kind, ward) → areas, cum weights
    staff_by_ward_org: dict[tuple[str, str], list[int]]  # empty: events are logged by nobody in particular
    households_per_ward: dict[str, int]
    now: datetime  # nothing is logged or voided after this moment (UTC)


async def load_world(
    session: AsyncSession,
    rng: Random,
    *,
    days: Sequence[date],
    events: int,
    now: datetime,
    staff_by_ward_org: dict[tuple[str, str], list[int]] | None = None,
    volume_of: Callable[[date], float] = lambda _day: 1.0,
) -> World:
    """The world of the database's wards and active areas, over `days`."""
    wards = await wards_in_order(session)
    areas = list((await session.scalars(select(Area).where(col(Area.active)).order_by(col(Area.id)))).all())
    codes = [ward.code for ward in wards]
    populations = [float(ward.population_2020 or 1) for ward in wards]
    weights = day_weights(days, volume_of)
    return World(
        wards=codes,
        ward_cum_weights=list(accumulate(populations)),
        days=list(days),
        day_cum_weights=list(accumulate(weights)),
        areas_by_kind_ward=_area_weights(areas, rng),
        staff_by_ward_org=staff_by_ward_org or {},
        households_per_ward=_household_pools(codes, populations, events),
        now=now,
    )


def day_weights(days: Sequence[date], volume_of: Callable[[date], float] = lambda _day: 1.0) -> list[float]:
    """How likely an event falls on each day: the day's volume, a little of it on weekends and holidays."""
    return [volume_of(day) * (1.0 if is_business_day(day) else NON_BUSINESS_DAY_VOLUME) for day in days]


def _area_weights(areas: list[Area], rng: Random) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """Per area kind and ward: some areas are busy, a few dormant (so distinct-area counts are not all 334)."""
    result: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
    for kind in (code for code, kind in KINDS_BY_CODE.items() if kind.area is Requirement.REQUIRED):
        by_ward: dict[str, tuple[list[int], list[float]]] = {}
        for area in areas:
            dormant = kind != "roster_provision" and rng.random() < DORMANT_AREA_SHARE
            ids, weights = by_ward.setdefault(area.ward_code, ([], []))
            ids.append(area.id or 0)
            weights.append(0.0 if dormant else 0.2 + rng.random())
        for ward, (ids, weights) in by_ward.items():
            if not any(weights):  # every ward keeps at least one active area
                weights[0] = 1.0
            result[(kind, ward)] = (ids, list(accumulate(weights)))
    return result


def _household_pools(wards: list[str], populations: list[float], events: int) -> dict[str, int]:
    """How many households each ward draws from, so that households get several connections."""
    links = events * KIND_MIX["participation_link"]
    total = sum(populations)
    return {
        ward: max(10, math.ceil(links * population / total / CONNECTIONS_PER_HOUSEHOLD))
        for ward, population in zip(wards, populations, strict=True)
    }


def household_code(ward: str, number: int) -> str:
    """The pool's household `number` as a code in the form the bot issues (`27102-K7M2QX`), scrambled."""
    value = (number * 2_654_435_761) % len(HOUSEHOLD_ALPHABET) ** HOUSEHOLD_CODE_LENGTH
    letters = []
    for _ in range(HOUSEHOLD_CODE_LENGTH):
        value, digit = divmod(value, len(HOUSEHOLD_ALPHABET))
        letters.append(HOUSEHOLD_ALPHABET[digit])
    return f"{ward}-{''.join(letters)}"


def event_chunks(world: World, events: int, rng: Random, mix: Mix) -> Iterator[list[dict[str, Any]]]:
    """`events` event rows (the Event table's columns), CHUNK_ROWS at a time."""
    kinds = list(KIND_MIX)
    kind_cum_weights = list(accumulate(KIND_MIX.values()))
    for start in range(0, events, CHUNK_ROWS):
        size = min(CHUNK_ROWS, events - start)
        # Drawing the three main choices per chunk is several times faster than per row.
        chunk_kinds = rng.choices(kinds, cum_weights=kind_cum_weights, k=size)
        if mix.every_kind_first and start == 0:
            chunk_kinds[: len(EVENT_KINDS)] = [kind.code for kind in EVENT_KINDS][:size]
        chunk_wards = rng.choices(world.wards, cum_weights=world.ward_cum_weights, k=size)
        chunk_days = rng.choices(world.days, cum_weights=world.day_cum_weights, k=size)
        yield [
            _event_row(world, rng, mix, start + n, kind, ward, day)
            for n, (kind, ward, day) in enumerate(zip(chunk_kinds, chunk_wards, chunk_days, strict=True))
        ]


def _event_row(world: World, rng: Random, mix: Mix, index: int, kind_code: str, ward: str, day: date) -> dict[str, Any]:
    area = _area(world, rng, kind_code, ward) if KINDS_BY_CODE[kind_code].area is Requirement.REQUIRED else None
    if area is None and KINDS_BY_CODE[kind_code].area is Requirement.REQUIRED:
        kind_code = "outreach"  # no area master for this ward: casework instead
    kind = KINDS_BY_CODE[kind_code]
    staff_id = _logger(world, rng, kind.logged_by, ward)
    logged_at = _logged_at(world, rng, day)
    voided = rng.random() < mix.voided_share
    return {
        "kind": kind_code,
        "occurred_on": day,
        "ward_code": ward,
        "area_id": area,
        "household_ref": _household(world, rng, mix, kind.household, ward),
        "count": _count(rng, kind_code) if kind.takes_count else 1,
        "answer": rng.random() < mix.survey_yes_share if kind.takes_answer else None,
        "note": rng.choice(NOTES) if rng.random() < mix.note_share else None,
        "logged_by_staff_id": staff_id,
        "logged_at": logged_at,
        "source": "import" if rng.random() < mix.imported_share else mix.source,
        "idempotency_key": f"{mix.key_prefix}-{index + 1}",
        "voided_at": min(logged_at + timedelta(hours=rng.randint(1, 48)), world.now) if voided else None,
        "voided_by_staff_id": staff_id if voided else None,
        "void_reason": rng.choice(VOID_REASONS) if voided else None,
        "replaced_by_event_id": None,
        "corrects_event_id": None,
    }


def _area(world: World, rng: Random, kind: str, ward: str) -> int | None:
    ids, cum_weights = world.areas_by_kind_ward.get((kind, ward), ([], []))
    return rng.choices(ids, cum_weights=cum_weights)[0] if ids else None


def _household(world: World, rng: Random, mix: Mix, rule: Requirement, ward: str) -> str | None:
    if rule is Requirement.NONE or (rule is Requirement.OPTIONAL and rng.random() >= mix.optional_household_share):
        return None
    # Skewed towards low numbers: some households are connected many times, most once or twice.
    return household_code(ward, 1 + int(world.households_per_ward[ward] * rng.random() ** 1.5))


def _count(rng: Random, kind: str) -> int:
    if kind == "roster_provision":
        return rng.randint(1, 30)  # people on the roster handed over
    return 1 if rng.random() < 0.9 else rng.randint(2, 5)


def _logger(world: World, rng: Random, organisations: tuple[Organisation, ...], ward: str) -> int | None:
    if not world.staff_by_ward_org:
        return None
    candidates = [
        staff_id for organisation in organisations for staff_id in world.staff_by_ward_org.get((ward, organisation), [])
    ]
    return rng.choice(candidates or world.staff_by_ward_org[(ward, Organisation.WARD_COUNCIL)])


def _logged_at(world: World, rng: Random, day: date) -> datetime:
    """Logged during office hours (JST) on the day or up to three days later, never after `world.now`."""
    delay = timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)), minutes=rng.randint(9 * 60, 18 * 60))
    return min((datetime.combine(day, time(0), tzinfo=TOKYO) + delay).astimezone(UTC), world.now)
