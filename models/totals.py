"""The totals engine: every indicator of the sheet for a fiscal year as of a date, by SQL aggregates.

Four small queries (sums, distinct areas, distinct households, the area denominator) return at most
wards × kinds × months rows; everything after that is arithmetic on those rows. Events are never
loaded into Python. Voided events never count.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from models.catalog import INDICATOR_BY_KIND, INDICATORS, Aggregation, Denominator, Indicator
from models.events import EventDraft
from models.fiscal import fiscal_months, fiscal_year_end, fiscal_year_of, fiscal_year_start, month_end
from models.fiscal import today as japan_today
from models.tables import Area, Event, Ward

YearMonth = tuple[int, int]


class year_month(FunctionElement[str]):  # noqa: N801  (SQL function naming)
    """'YYYY-MM' of a date column, written the cheap way for each database."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"  # dates are stored as 'YYYY-MM-DD'


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@dataclass(frozen=True)
class IndicatorValue:
    """One figure: the value, and for shares its denominator and percentage (one decimal, rounded half up)."""

    value: int
    denominator: int | None = None

    @property
    def percent(self) -> float | None:
        return percent(self.value, self.denominator)

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "denominator": self.denominator, "percent": self.percent}


def percent(numerator: int, denominator: int | None) -> float | None:
    """100 × numerator ÷ denominator to one decimal, half up (四捨五入), in exact integer arithmetic."""
    if not denominator:
        return None
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def sheet_notation(indicator: Indicator, figure: IndicatorValue) -> str:
    """A figure as the sheet writes it: `12 ／ 全334地域（3.6％）`, `128件`, `75.0％（30 ／ 40）`."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        shown = "—" if figure.percent is None else f"{figure.percent:.1f}％"
        return f"{shown}（{figure.value:,} ／ {figure.denominator or 0:,}）"
    if indicator.denominator is Denominator.ROSTER_AREAS:
        text = f"{figure.value:,} ／ 全{figure.denominator or 0:,}地域"
        if indicator.shows_percent and figure.percent is not None:
            text += f"（{figure.percent:.1f}％）"
        return text
    return f"{figure.value:,}{indicator.unit_ja}"


def display_width(text: str) -> int:
    """Terminal columns of a text (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


@dataclass(frozen=True)
class Totals:
    fiscal_year: int
    as_of: date
    ward_code: str | None  # None: the whole city
    indicators: dict[str, IndicatorValue]
    by_ward: dict[str, dict[str, IndicatorValue]]
    months: list[YearMonth]  # April … the as-of month
    by_month: dict[str, list[IndicatorValue]]  # cumulative, as of the end of each month (or as_of)
    definitions: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return self.ward_code or "city"

    def as_json(self) -> dict[str, Any]:
        return {
            "fy": self.fiscal_year,
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "indicators": {code: value.as_json() for code, value in self.indicators.items()},
            "by_ward": {
                ward: {code: value.as_json() for code, value in values.items()} for ward, values in self.by_ward.items()
            },
            "months": [f"{year:04d}-{month:02d}" for year, month in self.months],
            "by_month": {code: [v.as_json() for v in values] for code, values in self.by_month.items()},
            "definitions": self.definitions,
        }


@dataclass
class _Counts:
    """Aggregated rows: (indicator code, ward, 'YYYY-MM') → numerator increment, and survey answers."""

    numerators: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    answers: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))


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

    `only` restricts the work to some indicator codes (the others come back as zero), e.g. for the
    one-line reply after an entry is saved.
    """
    gathered = await _gather(session, fiscal_year, as_of, ward_code, regular_meeting_threshold, only)
    wards = [ward_code] if ward_code else await _ward_codes(session)
    return gathered.assemble(ward_code, wards)


async def totals_for_every_scope(
    session: AsyncSession, fiscal_year: int, as_of: date, regular_meeting_threshold: int = 1
) -> dict[str | None, Totals]:
    """The city (key None) and each ward, from one pass over the events (month-end snapshots)."""
    gathered = await _gather(session, fiscal_year, as_of, None, regular_meeting_threshold, None)
    wards = await _ward_codes(session)
    return {None: gathered.assemble(None, wards)} | {ward: gathered.assemble(ward, [ward]) for ward in wards}


@dataclass(frozen=True)
class _Gathered:
    """The aggregated rows of one pass, ready to be assembled for any scope they cover."""

    fiscal_year: int
    as_of: date
    months: list[YearMonth]
    counts: _Counts
    roster_areas: dict[str, int]
    threshold: int

    def assemble(self, ward_code: str | None, wards: list[str]) -> Totals:
        return _assemble(self.fiscal_year, self.as_of, ward_code, wards, self.months, self.counts,
                         self.roster_areas, self.threshold)  # fmt: skip


async def _gather(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date | None,
    ward_code: str | None,
    threshold: int,
    only: Collection[str] | None,
) -> _Gathered:
    as_of = resolve_as_of(fiscal_year, as_of)
    window = (fiscal_year_start(fiscal_year), as_of)
    counts = _Counts()
    wanted = set(only) if only is not None else {indicator.code for indicator in INDICATORS}
    await _add_sums(session, counts, window, ward_code, wanted)
    await _add_distinct_areas(session, counts, window, ward_code, {"area_meeting": threshold}, wanted)
    await _add_distinct_households(session, counts, window, ward_code, wanted)
    roster_areas = await _roster_areas_by_ward(session, ward_code)
    months = [ym for ym in fiscal_months(fiscal_year) if month_end(*ym) <= as_of or ym == (as_of.year, as_of.month)]
    return _Gathered(fiscal_year, as_of, months, counts, roster_areas, threshold)


def _live_events_in(window: tuple[date, date], ward_code: str | None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(Event.voided_at).is_(None),
        col(Event.occurred_on).between(*window),
    ]
    if ward_code:
        conditions.append(col(Event.ward_code) == ward_code)
    return conditions


def _kinds(aggregations: Iterable[Aggregation], wanted: set[str]) -> dict[str, Indicator]:
    return {i.kind: i for i in INDICATORS if i.aggregation in aggregations and i.code in wanted}


async def _add_sums(
    session: AsyncSession, counts: _Counts, window: tuple[date, date], ward: str | None, wanted: set[str]
) -> None:
    """Sums and survey answers per ward and month: one branch per kind, each read in index order.

    Grouping by (day, ward) inside a kind follows the index, so the database never sorts the year's rows;
    each branch then regroups its small per-day result by month.
    """
    by_kind = _kinds([Aggregation.SUM, Aggregation.SURVEY_YES_SHARE], wanted)
    if not by_kind:
        return
    branches = [_monthly_sums(kind, indicator, window, ward) for kind, indicator in by_kind.items()]
    query = sa.union_all(*branches) if len(branches) > 1 else branches[0]
    for kind, ward_code, ym, total, yes_answers, answers in await session.execute(query):
        indicator = by_kind[kind]
        key = (indicator.code, ward_code, ym)
        if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            counts.numerators[key] += int(yes_answers)
            counts.answers[key] += int(answers)
        else:
            counts.numerators[key] += int(total)


def _monthly_sums(
    kind: str, indicator: Indicator, window: tuple[date, date], ward: str | None
) -> sa.Select[tuple[Any, ...]]:
    survey = indicator.aggregation is Aggregation.SURVEY_YES_SHARE
    yes = sa.func.sum(sa.case((col(Event.answer).is_(True), 1), else_=0)) if survey else sa.literal(0)
    daily = (
        sa.select(
            col(Event.occurred_on).label("occurred_on"),
            col(Event.ward_code).label("ward_code"),
            sa.func.sum(col(Event.count)).label("total"),
            yes.label("yes"),
            sa.func.count().label("answers"),
        )
        .where(col(Event.kind) == kind, *_live_events_in(window, ward))
        .group_by(col(Event.occurred_on), col(Event.ward_code))
        .subquery()
    )
    month = year_month(daily.c.occurred_on)
    return sa.select(
        sa.literal(kind, sa.String()), daily.c.ward_code, month, sa.func.sum(daily.c.total), sa.func.sum(daily.c.yes),
        sa.func.sum(daily.c.answers),
    ).group_by(daily.c.ward_code, month)  # fmt: skip


async def _add_distinct_areas(
    session: AsyncSession,
    counts: _Counts,
    window: tuple[date, date],
    ward: str | None,
    thresholds: dict[str, int],
    wanted: set[str],
) -> None:
    """An area counts from the day of its N-th event (N = threshold); roster-provided active areas only.

    The events are reduced to one row per area first (on the event table alone); only those rows meet
    the area table.
    """
    for kind, indicator in _kinds([Aggregation.DISTINCT_AREAS], wanted).items():
        reached = _area_reached_on(kind, thresholds.get(kind, 1), window, ward)
        month = year_month(reached.c.reached_on)
        query = (
            sa.select(col(Area.ward_code), month, sa.func.count())
            .join(reached, reached.c.area_id == col(Area.id))
            .where(col(Area.roster_provided), col(Area.active))
            .group_by(col(Area.ward_code), month)
        )
        for ward_code, ym, areas in await session.execute(query):
            counts.numerators[(indicator.code, ward_code, ym)] += int(areas)


def _area_reached_on(kind: str, threshold: int, window: tuple[date, date], ward: str | None) -> sa.Subquery:
    """(area_id, reached_on): the day each area had its `threshold`-th event of the kind."""
    live = [col(Event.kind) == kind, col(Event.area_id).is_not(None), *_live_events_in(window, ward)]
    if threshold == 1:
        return (
            sa.select(col(Event.area_id).label("area_id"), sa.func.min(col(Event.occurred_on)).label("reached_on"))
            .where(*live)
            .group_by(col(Event.area_id))
            .subquery()
        )
    rank = sa.func.row_number().over(partition_by=col(Event.area_id), order_by=col(Event.occurred_on))
    ranked = (
        sa.select(col(Event.area_id).label("area_id"), col(Event.occurred_on).label("reached_on"), rank.label("rank"))
        .where(*live)
        .subquery()
    )
    return sa.select(ranked.c.area_id, ranked.c.reached_on).where(ranked.c.rank == threshold).subquery()


async def _add_distinct_households(
    session: AsyncSession, counts: _Counts, window: tuple[date, date], ward: str | None, wanted: set[str]
) -> None:
    """A household (ward, reference) counts once a year, in the month of its first connection."""
    for kind, indicator in _kinds([Aggregation.DISTINCT_HOUSEHOLDS], wanted).items():
        first = (
            sa.select(col(Event.ward_code), sa.func.min(col(Event.occurred_on)).label("first_on"))
            .where(col(Event.kind) == kind, col(Event.household_ref).is_not(None), *_live_events_in(window, ward))
            .group_by(col(Event.ward_code), col(Event.household_ref))
            .subquery()
        )
        month = year_month(first.c.first_on)
        query = sa.select(first.c.ward_code, month, sa.func.count()).group_by(first.c.ward_code, month)
        for ward_code, ym, households in await session.execute(query):
            counts.numerators[(indicator.code, ward_code, ym)] += int(households)


async def _roster_areas_by_ward(session: AsyncSession, ward: str | None) -> dict[str, int]:
    query = (
        sa.select(col(Area.ward_code), sa.func.count())
        .where(col(Area.roster_provided), col(Area.active))
        .group_by(col(Area.ward_code))
    )
    if ward:
        query = query.where(col(Area.ward_code) == ward)
    return {ward_code: int(areas) for ward_code, areas in await session.execute(query)}


async def _ward_codes(session: AsyncSession) -> list[str]:
    return list((await session.scalars(sa.select(col(Ward.code)).order_by(col(Ward.code)))).all())


def _assemble(
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    wards: list[str],
    months: list[YearMonth],
    counts: _Counts,
    roster_areas: dict[str, int],
    threshold: int,
) -> Totals:
    month_keys = [f"{year:04d}-{month:02d}" for year, month in months]

    def running(table: dict[tuple[str, str, str], int], code: str, in_wards: list[str]) -> list[int]:
        """Cumulative sums over the months (as of each month end)."""
        totals, total = [], 0
        for month in month_keys:
            total += sum(table.get((code, w, month), 0) for w in in_wards)
            totals.append(total)
        return totals

    def series(indicator: Indicator, in_wards: list[str]) -> list[IndicatorValue]:
        numerators = running(counts.numerators, indicator.code, in_wards)
        if indicator.denominator is Denominator.ROSTER_AREAS:
            areas = sum(roster_areas.get(w, 0) for w in in_wards)
            return [IndicatorValue(n, areas) for n in numerators]
        if indicator.denominator is Denominator.SURVEY_ANSWERS:
            answers = running(counts.answers, indicator.code, in_wards)
            return [IndicatorValue(n, a) for n, a in zip(numerators, answers, strict=True)]
        return [IndicatorValue(n) for n in numerators]

    by_month = {i.code: series(i, wards) for i in INDICATORS}
    return Totals(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        indicators={code: values[-1] for code, values in by_month.items()},
        by_ward={w: {i.code: series(i, [w])[-1] for i in INDICATORS} for w in wards},
        months=months,
        by_month=by_month,
        definitions={
            "regular_meeting_threshold": threshold,
            "distinct_areas": "roster-provided active areas only",
            "households": "distinct (ward, household reference) pairs in the fiscal year",
        },
    )


async def would_count_anew(session: AsyncSession, draft: EventDraft, as_of: date, threshold: int = 1) -> bool:
    """Whether saving this (not yet saved) event makes its area or household count anew in its fiscal year.

    For the reply after a save: cheaper than computing the indicator before and after.
    """
    indicator = INDICATOR_BY_KIND[draft.kind]
    fiscal_year = fiscal_year_of(draft.occurred_on)
    same = [col(Event.kind) == draft.kind, *_live_events_in((fiscal_year_start(fiscal_year), as_of), draft.ward_code)]
    if indicator.aggregation is Aggregation.DISTINCT_AREAS:
        area = await session.get(Area, draft.area_id) if draft.area_id is not None else None
        if area is None or not (area.roster_provided and area.active):
            return False
        earlier = await session.scalar(sa.select(sa.func.count()).where(*same, col(Event.area_id) == draft.area_id))
        needed = threshold if draft.kind == "area_meeting" else 1
        return int(earlier or 0) == needed - 1
    if indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS:
        earlier = await session.scalar(
            sa.select(sa.func.count()).where(*same, col(Event.household_ref) == draft.household_ref)
        )
        return not earlier
    return True
