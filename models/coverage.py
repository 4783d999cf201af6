"""Area coverage of 1-1 and 1-2: which roster-provided active areas have counted this fiscal year, and from which
month — the areas behind 「3 ／ 全13地域」, so a supervisor sees where to go.

The days are the totals engine's own (`models.totals.rows.area_reached_days`): an area counts for 1-2 from its
first concern report of the year (the rollups' first day), for 1-1 from its N-th regular meeting (N = the
regular-meeting threshold; N = 1 reads the rollups too). Cost: the scope's areas (at most 334) and one row per area
and kind that has counted, whatever the history. Baselines (figures from before the bot) name no area: they are
not in these lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import INDICATORS, Aggregation
from models.fiscal import fiscal_year_start
from models.reference import area_order
from models.tables import Area
from models.totals.engine import resolve_as_of
from models.totals.rows import area_reached_days, split_by_threshold
from models.totals.values import YearMonth

# The indicators that count areas (1-1, 1-2), in the catalog's order, and the kind each counts.
AREA_INDICATORS: tuple[str, ...] = tuple(i.code for i in INDICATORS if i.aggregation is Aggregation.DISTINCT_AREAS)
_KIND_OF = {i.code: i.kind for i in INDICATORS if i.aggregation is Aggregation.DISTINCT_AREAS}


@dataclass(frozen=True)
class AreaCoverage:
    """One roster-provided active area: for each of 1-1 and 1-2, the month it first counted this year (None: not
    yet)."""

    ward_code: str
    area_code: str
    name_ja: str
    first_counted: dict[str, YearMonth | None]

    def counted(self, code: str) -> bool:
        return self.first_counted[code] is not None


@dataclass(frozen=True)
class WardCoverage:
    """A ward's roster-provided active areas and how many of them count for one indicator."""

    ward_code: str
    counted: int
    areas: int

    @property
    def not_yet(self) -> int:
        return self.areas - self.counted


async def area_coverage(
    session: AsyncSession, fiscal_year: int, as_of: date | None, ward_code: str | None, threshold: int = 1
) -> list[AreaCoverage]:
    """Every roster-provided active area of the ward (None: the city), wards in the city's order then area codes,
    with the month each first counted for 1-1 and 1-2 by `as_of` (capped at the year's end; default today)."""
    as_of = resolve_as_of(fiscal_year, as_of)
    one_ward = ward_code is not None
    params = {"fiscal_year": fiscal_year, "start": fiscal_year_start(fiscal_year), "as_of": as_of, "ward": ward_code}
    areas = (await session.execute(_areas_query(one_ward), params)).all()
    reached: dict[tuple[str, int | None], date] = {}
    for kind, area_id, reached_on in await session.execute(_reached_query(threshold, one_ward), params):
        reached[(kind, area_id)] = reached_on if isinstance(reached_on, date) else date.fromisoformat(reached_on)
    found = [
        AreaCoverage(
            ward,
            code,
            name,
            {indicator: _month(reached.get((_KIND_OF[indicator], area_id))) for indicator in AREA_INDICATORS},
        )
        for area_id, ward, code, name in areas
    ]
    return sorted(found, key=lambda area: area_order(area.ward_code, area.area_code))


def _month(day: date | None) -> YearMonth | None:
    return None if day is None else (day.year, day.month)


def by_ward(areas: Sequence[AreaCoverage], code: str) -> list[WardCoverage]:
    """Per ward (in the order of `areas`): its areas and how many count for the indicator `code`."""
    wards: dict[str, list[int]] = {}
    for area in areas:
        counts = wards.setdefault(area.ward_code, [0, 0])
        counts[0] += area.counted(code)
        counts[1] += 1
    return [WardCoverage(ward, counted, total) for ward, (counted, total) in wards.items()]


@cache
def _areas_query(one_ward: bool) -> sa.Select[int | None, str, str, str]:
    query = sa.select(col(Area.id), col(Area.ward_code), col(Area.code), col(Area.name_ja)).where(
        col(Area.roster_provided), col(Area.active)
    )
    return query.where(col(Area.ward_code) == sa.bindparam("ward")) if one_ward else query


@cache
def _reached_query(threshold: int, one_ward: bool) -> sa.CompoundSelect[Any] | sa.Select[Any]:
    """(kind, area_id, reached_on) for the area kinds, as the totals engine counts them."""
    from_rollups, from_events = split_by_threshold(_KIND_OF.values(), {_KIND_OF["1-1"]: threshold})
    parts = [
        sa.select(reached.c.kind, reached.c.area_id, reached.c.reached_on)
        for reached in area_reached_days(from_rollups, from_events, one_ward)
    ]
    return sa.union_all(*parts) if len(parts) > 1 else parts[0]
