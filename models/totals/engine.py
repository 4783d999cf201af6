"""The totals engine: every indicator for a fiscal year as of a date, for one scope or every scope at once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import DISTINCT_AGGREGATIONS, INDICATORS, INDICATORS_BY_CODE, Denominator
from models.fiscal import fiscal_months, fiscal_year_end, fiscal_year_start, month_end
from models.fiscal import today as japan_today
from models.totals.assemble import assemble
from models.totals.rows import (
    Counts,
    add_baselines,
    add_distinct_areas,
    add_first_days_between,
    add_rollup_months,
    add_sums,
    roster_areas_by_ward,
    split_window,
)
from models.totals.values import Totals, YearMonth


def resolve_as_of(fiscal_year: int, as_of: date | None) -> date:
    """The as-of date within the fiscal year: default today, capped at the year's last day."""
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    as_of = min(as_of or japan_today(), end)
    if as_of < start:
        raise ValueError(f"fiscal year {fiscal_year} starts on {start}, after {as_of}")
    return as_of


async def indicator_totals(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date | None = None,
    ward_code: str | None = None,
    regular_meeting_threshold: int = 1,
    only: Collection[str] | None = None,
) -> Totals:
    """Every indicator for the fiscal year up to `as_of`, for the city or one ward, with breakdowns.

    `only` restricts the work to some indicator codes (the others come back as zero, denominators too),
    e.g. for the one-line reply after an entry is saved.
    """
    gathered = await gather(session, fiscal_year, as_of, ward_code, regular_meeting_threshold, only, one_scope=True)
    return gathered.assemble(ward_code, gathered.wards)


async def totals_for_every_scope(
    session: AsyncSession, fiscal_year: int, as_of: date, regular_meeting_threshold: int = 1
) -> dict[str | None, Totals]:
    """The city (key None) and each ward, from one pass over the events (month-end snapshots)."""
    gathered = await gather(session, fiscal_year, as_of, None, regular_meeting_threshold, None, one_scope=False)
    wards = gathered.wards
    return {None: gathered.assemble(None, wards)} | {ward: gathered.assemble(ward, [ward]) for ward in wards}


@dataclass(frozen=True)
class Gathered:
    """The aggregated rows of one pass, ready to be assembled for any scope they cover.

    `one_scope`: the whole months were summed for the gathered scope only (`Counts.ward_sums`/`month_sums`),
    so they assemble into that scope's totals and no other.
    """

    fiscal_year: int
    as_of: date
    months: list[YearMonth]
    counts: Counts
    wards: list[str]
    roster_areas: dict[str, int]
    threshold: int
    one_scope: bool

    def assemble(self, ward_code: str | None, wards: list[str]) -> Totals:
        if self.one_scope and wards != self.wards:
            raise ValueError("totals gathered for one scope assemble into that scope only")
        return assemble(
            self.fiscal_year, self.as_of, ward_code, wards, self.months, self.counts, self.roster_areas, self.threshold
        )


async def gather(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date | None,
    ward_code: str | None,
    threshold: int,
    only: Collection[str] | None,
    *,
    one_scope: bool,
) -> Gathered:
    as_of = resolve_as_of(fiscal_year, as_of)
    window = (fiscal_year_start(fiscal_year), as_of)
    counts = Counts()
    wanted = set(only) if only is not None else {indicator.code for indicator in INDICATORS}
    whole_months, partial_month = split_window(window)
    await add_rollup_months(session, counts, fiscal_year, whole_months, ward_code, wanted, summed=one_scope)
    if partial_month is not None:
        await add_sums(session, counts, partial_month, ward_code, wanted)
        await add_first_days_between(session, counts, fiscal_year, partial_month, ward_code, wanted)
    await add_distinct_areas(session, counts, fiscal_year, window, ward_code, {"area_meeting": threshold}, wanted)
    months = [ym for ym in fiscal_months(fiscal_year) if month_end(*ym) <= as_of or ym == (as_of.year, as_of.month)]
    await add_baselines(session, counts, months, ward_code, wanted)
    needs_roster = any(INDICATORS_BY_CODE[code].denominator is Denominator.ROSTER_AREAS for code in wanted)
    roster_areas = await roster_areas_by_ward(session, ward_code) if needs_roster or not ward_code else {}
    wards = [ward_code] if ward_code else sorted(roster_areas)  # the same query lists the city's wards
    shown_roster = roster_areas if needs_roster else {}
    return Gathered(fiscal_year, as_of, months, counts, wards, shown_roster, threshold, one_scope)


async def counted_anew_by_month(
    session: AsyncSession, fiscal_year: int, as_of: date, threshold: int = 1
) -> dict[tuple[str, str, str], int]:
    """(indicator code, ward, 'YYYY-MM') → the areas (1-1, 1-2) or households (3-1) the city's totals newly
    count in that month, fiscal year to `as_of`, without baselines: the engine's own steps (whole months from the
    rollups, the unfinished as-of month's households by their first day, areas by their qualifying day), so a
    ward's months add up to its figure. For the sheet's 集計根拠."""
    as_of = resolve_as_of(fiscal_year, as_of)
    window = (fiscal_year_start(fiscal_year), as_of)
    wanted = {i.code for i in INDICATORS if i.aggregation in DISTINCT_AGGREGATIONS}
    counts = Counts()
    whole_months, partial_month = split_window(window)
    await add_rollup_months(session, counts, fiscal_year, whole_months, None, wanted, summed=False)
    if partial_month is not None:
        await add_first_days_between(session, counts, fiscal_year, partial_month, None, wanted)
    await add_distinct_areas(session, counts, fiscal_year, window, None, {"area_meeting": threshold}, wanted)
    return {key: value for key, value in counts.numerators.items() if value}


def split_year(fiscal_year: int, as_of: date) -> tuple[YearMonth | None, tuple[date, date] | None]:
    """The fiscal year to `as_of` as the engine reads it: its last whole month (None: none is over yet), read
    from the rollups, and the as-of month's days when that month is not over, read from its events."""
    return split_window((fiscal_year_start(fiscal_year), resolve_as_of(fiscal_year, as_of)))
