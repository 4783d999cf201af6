"""Gathering a year's rows: each query adds what it read to `Counts`, which `assemble` turns into figures.

Whole months come from the rollups, the unfinished as-of month from its events; statements are built once per
shape and bound with each request's values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import (
    DISTINCT_AGGREGATIONS,
    INDICATOR_BY_KIND,
    INDICATORS,
    INDICATORS_BY_CODE,
    Aggregation,
    Indicator,
)
from models.fiscal import fiscal_months, month_end
from models.fiscal import today as japan_today
from models.rollups import FIRST_DAYS, MONTHS, year_month
from models.tables import Area, Baseline, Event, Ward
from models.totals.values import YearMonth

Bindable = Any  # a value, or a bind parameter in a statement built once per shape


@dataclass
class Counts:
    """Aggregated rows: (indicator code, ward, 'YYYY-MM') → numerator increment, and survey answers.

    `resets`: distinct indicators' baselines, the ward's cumulative figure at that month end; `marked`: every
    key that has a baseline.
    """

    numerators: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    answers: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    resets: dict[tuple[str, str, str], int] = field(default_factory=dict)
    marked: set[tuple[str, str, str]] = field(default_factory=set)
    # The whole months of sum and survey kinds for one scope, summed in SQL two ways instead of per ward-month
    # (such a figure never resets): (table, code, ward) over the months, (table, code, 'YYYY-MM') over the wards.
    ward_sums: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    month_sums: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))


def live_events_in(window: tuple[Bindable, Bindable], ward_code: Bindable | None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(Event.voided_at).is_(None),
        col(Event.occurred_on).between(*window),
    ]
    if ward_code is not None:
        conditions.append(col(Event.ward_code) == ward_code)
    return conditions


def _kinds(aggregations: Iterable[Aggregation], wanted: set[str]) -> dict[str, Indicator]:
    return {i.kind: i for i in INDICATORS if i.aggregation in aggregations and i.code in wanted}


def split_window(window: tuple[date, date]) -> tuple[YearMonth | None, tuple[date, date] | None]:
    """The window's last whole month (None: none is over yet), and the as-of month's days when it is not over.

    A month as of today (or later) counts as whole: nothing is dated after today (a rule of `models.entries.write`), so
    its rollups already hold exactly its days so far, and the usual request, "now", reads no event at all.
    """
    first, as_of = window
    if as_of == month_end(as_of.year, as_of.month) or as_of >= japan_today():
        return (as_of.year, as_of.month), None
    partial = (max(first, as_of.replace(day=1)), as_of)
    previous = as_of.replace(day=1) - timedelta(days=1)
    return ((previous.year, previous.month) if previous >= first else None), partial


async def add_rollup_months(
    session: AsyncSession,
    counts: Counts,
    fiscal_year: int,
    last_whole_month: YearMonth | None,
    ward: str | None,
    wanted: set[str],
    *,
    summed: bool,
) -> None:
    """Sums, survey answers and households' first days of the year's whole months, from the monthly rollups.

    At most wards × kinds × 12 rows, however many events the months hold. `summed`: the sum and survey kinds
    come summed per ward and per month instead (their figures never reset, and one scope needs no more), which
    is a tenth of the rows for the city; households stay per ward-month, as a baseline can reset them.
    """
    by_kind = _kinds([Aggregation.SUM, Aggregation.SURVEY_YES_SHARE, Aggregation.DISTINCT_HOUSEHOLDS], wanted)
    if not by_kind or last_whole_month is None:
        return
    year, month = last_whole_month
    survey = {kind for kind, i in by_kind.items() if i.aggregation is Aggregation.SURVEY_YES_SHARE}
    households = {kind for kind, i in by_kind.items() if i.aggregation is Aggregation.DISTINCT_HOUSEHOLDS}
    detailed = households if summed else set(by_kind)
    query = _rollup_months_query(tuple(sorted(by_kind)), tuple(sorted(detailed)), ward is not None)
    params = {"fiscal_year": fiscal_year, "last_month": year * 100 + month, "ward": ward}
    labels = {y * 100 + m: f"{y:04d}-{m:02d}" for y, m in fiscal_months(fiscal_year)}
    codes = {kind: indicator.code for kind, indicator in by_kind.items()}
    for kind, ward_code, ym, value, events in await session.execute(query, params):
        code = codes[kind]
        if kind in detailed:
            counts.numerators[(code, ward_code, labels[ym])] += value
            if kind in survey:
                counts.answers[(code, ward_code, labels[ym])] += events
            continue
        sums, key = (counts.ward_sums, ward_code) if ym is None else (counts.month_sums, labels[ym])
        sums[("numerators", code, key)] += int(value)
        if kind in survey:
            sums[("answers", code, key)] += int(events)


@lru_cache(maxsize=32)
def _rollup_months_query(kinds: tuple[str, ...], detailed: tuple[str, ...], one_ward: bool) -> sa.CompoundSelect[Any]:
    """The whole months' rollups of some kinds: `detailed` ones per ward-month, the others summed two ways.

    Built once per shape (constructing it costs more than SQLite takes to run it); bound by :fiscal_year,
    :last_month (YYYYMM) and :ward.
    """
    aggregation = {kind: INDICATOR_BY_KIND[kind].aggregation for kind in kinds}
    survey = sorted(kind for kind in kinds if aggregation[kind] is Aggregation.SURVEY_YES_SHARE)
    households = sorted(kind for kind in kinds if aggregation[kind] is Aggregation.DISTINCT_HOUSEHOLDS)
    figure = sa.case(
        (MONTHS.c.kind.in_(survey), MONTHS.c.yes_answers),
        (MONTHS.c.kind.in_(households), MONTHS.c.first_days),
        else_=MONTHS.c.total,
    )  # what each kind's indicator counts, so that every row is one number (and its answers)
    month_number = MONTHS.c.year * 100 + MONTHS.c.month
    in_window = [MONTHS.c.fiscal_year == sa.bindparam("fiscal_year"), month_number <= sa.bindparam("last_month")]
    if one_ward:
        in_window.append(MONTHS.c.ward_code == sa.bindparam("ward"))
    parts: list[sa.Select[Any]] = []
    if detailed:
        parts.append(
            sa.select(MONTHS.c.kind, MONTHS.c.ward_code, month_number, figure, MONTHS.c.events).where(
                *in_window, MONTHS.c.kind.in_(detailed)
            )
        )
    if summed := sorted(set(kinds) - set(detailed)):
        some_kinds = [*in_window, MONTHS.c.kind.in_(summed)]
        totals = (sa.func.sum(figure), sa.func.sum(MONTHS.c.events))
        parts += [
            sa.select(MONTHS.c.kind, MONTHS.c.ward_code, sa.null(), *totals)
            .where(*some_kinds)
            .group_by(MONTHS.c.kind, MONTHS.c.ward_code),
            sa.select(MONTHS.c.kind, sa.null(), month_number, *totals)
            .where(*some_kinds)
            .group_by(MONTHS.c.kind, MONTHS.c.year, MONTHS.c.month),  # ix_rollup_month_by_month's order
        ]
    return sa.union_all(*parts)


async def add_sums(
    session: AsyncSession, counts: Counts, window: tuple[date, date], ward: str | None, wanted: set[str]
) -> None:
    """Sums and survey answers per ward and month: one branch per kind and month, each an index range.

    Each branch reads one kind's rows of one month straight from the index and groups them by ward, so
    the database never sorts the year's rows. The statement is plain SQL text, cached per shape: with up to
    120 branches, building it from SQLAlchemy constructs would cost more than running it.
    """
    by_kind = _kinds([Aggregation.SUM, Aggregation.SURVEY_YES_SHARE], wanted)
    if not by_kind:
        return
    months = _month_ranges(window)
    statement = _monthly_sums_sql(tuple(by_kind), len(months), ward is not None)
    params: dict[str, Any] = {"ward": ward} if ward is not None else {}
    for n, (first, last) in enumerate(months):
        params |= {f"s{n}": first, f"e{n}": last, f"m{n}": f"{first:%Y-%m}"}
    params |= {f"k{n}": kind for n, kind in enumerate(by_kind)}
    for kind, ward_code, ym, total, yes_answers, answers in await session.execute(statement, params):
        indicator = by_kind[kind]
        key = (indicator.code, ward_code, ym)
        if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            counts.numerators[key] += int(yes_answers)
            counts.answers[key] += int(answers)
        else:
            counts.numerators[key] += int(total)


def _month_ranges(window: tuple[date, date]) -> list[tuple[date, date]]:
    """The window cut into calendar months: (first day, last day or the window's end)."""
    ranges, first = [], window[0]
    while first <= window[1]:
        ranges.append((first, min(month_end(first.year, first.month), window[1])))
        first = month_end(first.year, first.month) + timedelta(days=1)
    return ranges


@lru_cache(maxsize=64)
def _monthly_sums_sql(kinds: tuple[str, ...], months: int, one_ward: bool) -> sa.TextClause:
    survey = {i.kind for i in INDICATORS if i.aggregation is Aggregation.SURVEY_YES_SHARE}
    ward = " AND ward_code = :ward" if one_ward else ""
    branches = [
        f"SELECT :k{k} AS kind, ward_code, :m{m} AS ym, SUM(count), "
        f"{'SUM(CASE WHEN answer THEN 1 ELSE 0 END)' if kind in survey else '0'}, COUNT(*) "
        f"FROM event WHERE kind = :k{k} AND voided_at IS NULL AND occurred_on BETWEEN :s{m} AND :e{m}{ward} "
        "GROUP BY ward_code"
        for k, kind in enumerate(kinds)
        for m in range(months)
    ]
    return sa.text(" UNION ALL ".join(branches)).bindparams(
        *(sa.bindparam(f"s{m}", type_=sa.Date) for m in range(months)),
        *(sa.bindparam(f"e{m}", type_=sa.Date) for m in range(months)),
    )


async def add_distinct_areas(
    session: AsyncSession,
    counts: Counts,
    fiscal_year: int,
    window: tuple[date, date],
    ward: str | None,
    thresholds: dict[str, int],
    wanted: set[str],
) -> None:
    """An area counts from the day of its N-th event (N = threshold); roster-provided active areas only.

    With N = 1 the day is the area's first day in the rollups (one row per area, however many events);
    a higher N needs the events themselves. Only those per-area rows meet the area table.
    """
    by_kind = _kinds([Aggregation.DISTINCT_AREAS], wanted)
    if not by_kind:
        return
    from_rollups, from_events = split_by_threshold(by_kind, thresholds)
    query = _distinct_areas_query(from_rollups, from_events, ward is not None)
    params = {"fiscal_year": fiscal_year, "start": window[0], "as_of": window[1], "ward": ward}
    for kind, ward_code, ym, areas in await session.execute(query, params):
        counts.numerators[(by_kind[kind].code, ward_code, ym)] += int(areas)


@lru_cache(maxsize=32)
def _distinct_areas_query(
    from_rollups: tuple[str, ...], from_events: tuple[tuple[str, int], ...], one_ward: bool
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """(kind, ward, 'YYYY-MM', areas reached that month): built once per shape, bound by :fiscal_year, :start,
    :as_of and :ward."""
    grouped: list[sa.Select[Any]] = []
    for reached in area_reached_days(from_rollups, from_events, one_ward):
        month = year_month(reached.c.reached_on)
        grouped.append(
            sa.select(reached.c.kind, col(Area.ward_code), month, sa.func.count())
            .join(reached, reached.c.area_id == col(Area.id))
            .where(col(Area.roster_provided), col(Area.active))
            .group_by(reached.c.kind, col(Area.ward_code), month)
        )
    return sa.union_all(*grouped) if len(grouped) > 1 else grouped[0]


def area_reached_days(
    from_rollups: tuple[str, ...], from_events: tuple[tuple[str, int], ...], one_ward: bool
) -> list[sa.Subquery]:
    """(kind, area_id, reached_on) per area that counts, one subquery per source: the kinds counted from an area's
    first day (the rollups) and those counted from its N-th event (the year's events). Bound by :fiscal_year,
    :start, :as_of and :ward; the totals engine and the area coverage (`models.coverage`) read the same days."""
    fiscal_year = sa.bindparam("fiscal_year", type_=sa.Integer)
    start, as_of = sa.bindparam("start", type_=sa.Date), sa.bindparam("as_of", type_=sa.Date)
    ward = sa.bindparam("ward", type_=sa.String) if one_ward else None
    reached_days = [_area_first_day(list(from_rollups), fiscal_year, as_of, ward)] if from_rollups else []
    reached_days += [_area_reached_on(kind, threshold, (start, as_of), ward) for kind, threshold in from_events]
    return reached_days


def split_by_threshold(
    kinds: Iterable[str], thresholds: dict[str, int]
) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """The area kinds read from the rollups (threshold 1) and those read from the events (kind, N > 1)."""
    kinds = set(kinds)
    from_rollups = tuple(sorted(kind for kind in kinds if thresholds.get(kind, 1) == 1))
    from_events = tuple((kind, thresholds[kind]) for kind in sorted(kinds - set(from_rollups)))
    return from_rollups, from_events


def _area_first_day(kinds: list[str], fiscal_year: Bindable, as_of: Bindable, ward: Bindable | None) -> sa.Subquery:
    """(kind, area_id, reached_on) from the rollups: each area's first day of the year, if by `as_of`."""
    query = (
        sa.select(FIRST_DAYS.c.kind, FIRST_DAYS.c.area_id, sa.func.min(FIRST_DAYS.c.first_on).label("reached_on"))
        .where(FIRST_DAYS.c.fiscal_year == fiscal_year, FIRST_DAYS.c.kind.in_(kinds), FIRST_DAYS.c.first_on <= as_of)
        .group_by(FIRST_DAYS.c.kind, FIRST_DAYS.c.area_id)
    )
    if ward is not None:
        query = query.where(FIRST_DAYS.c.ward_code == ward)
    return query.subquery()


def _area_reached_on(
    kind: str, threshold: int, window: tuple[Bindable, Bindable], ward: Bindable | None
) -> sa.Subquery:
    """(kind, area_id, reached_on) from the events: the day each area had its `threshold`-th event of the kind."""
    live = [col(Event.kind) == kind, col(Event.area_id).is_not(None), *live_events_in(window, ward)]
    rank = sa.func.row_number().over(partition_by=col(Event.area_id), order_by=col(Event.occurred_on))
    ranked = (
        sa.select(col(Event.area_id).label("area_id"), col(Event.occurred_on).label("reached_on"), rank.label("rank"))
        .where(*live)
        .subquery()
    )
    return (
        sa.select(sa.literal(kind).label("kind"), ranked.c.area_id, ranked.c.reached_on)
        .where(ranked.c.rank == threshold)
        .subquery()
    )


async def add_first_days_between(
    session: AsyncSession,
    counts: Counts,
    fiscal_year: int,
    days: tuple[date, date],
    ward: str | None,
    wanted: set[str],
) -> None:
    """Households whose first connection of the year falls in `days` (the as-of month, when it is not over)."""
    for kind, indicator in _kinds([Aggregation.DISTINCT_HOUSEHOLDS], wanted).items():
        query = (
            sa.select(FIRST_DAYS.c.ward_code, sa.func.count())
            .where(
                FIRST_DAYS.c.fiscal_year == fiscal_year,
                FIRST_DAYS.c.kind == kind,
                FIRST_DAYS.c.first_on.between(*days),
            )
            .group_by(FIRST_DAYS.c.ward_code)
        )
        if ward:
            query = query.where(FIRST_DAYS.c.ward_code == ward)
        for ward_code, households in await session.execute(query):
            counts.numerators[(indicator.code, ward_code, f"{days[0]:%Y-%m}")] += int(households)


async def add_baselines(
    session: AsyncSession, counts: Counts, months: list[YearMonth], ward: str | None, wanted: set[str]
) -> None:
    """The live baselines of the shown months, in one query: added to sums and answers, or kept as resets."""
    if not wanted:
        return
    (first_year, first_month), (last_year, last_month) = months[0], months[-1]
    query = _baselines_query(tuple(sorted(wanted)), ward is not None)
    params = {"first": first_year * 100 + first_month, "last": last_year * 100 + last_month, "ward": ward}
    for code, ward_code, year, month, value, denominator in await session.execute(query, params):
        indicator = INDICATORS_BY_CODE.get(code)
        if indicator is None:
            continue
        key = (code, ward_code, f"{year:04d}-{month:02d}")
        counts.marked.add(key)
        if indicator.aggregation in DISTINCT_AGGREGATIONS:
            counts.resets[key] = int(value)
            continue
        counts.numerators[key] += int(value)
        if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            counts.answers[key] += int(denominator or 0)


@lru_cache(maxsize=16)
def _baselines_query(codes: tuple[str, ...], one_ward: bool) -> sa.Select[str, str, int, int, int, int | None]:
    """Live baselines of some indicators between :first and :last (YYYYMM), of :ward or every ward."""
    month_number = col(Baseline.year) * 100 + col(Baseline.month)
    query = sa.select(
        col(Baseline.indicator_code),
        col(Baseline.ward_code),
        col(Baseline.year),
        col(Baseline.month),
        col(Baseline.value),
        col(Baseline.denominator),
    ).where(
        col(Baseline.removed_at).is_(None),
        month_number.between(sa.bindparam("first"), sa.bindparam("last")),
        col(Baseline.indicator_code).in_(codes),
    )
    return query.where(col(Baseline.ward_code) == sa.bindparam("ward")) if one_ward else query


async def roster_areas_by_ward(session: AsyncSession, ward: str | None) -> dict[str, int]:
    """Every ward (or the one) with its roster-provided active areas, zero included: one query for both."""
    rows = await session.execute(_roster_query(ward is not None), {"ward": ward})
    return {ward_code: int(areas) for ward_code, areas in rows}


@cache
def _roster_query(one_ward: bool) -> sa.Select[str, int]:
    counted = sa.and_(col(Area.ward_code) == col(Ward.code), col(Area.roster_provided), col(Area.active))
    query = (
        sa.select(col(Ward.code), sa.func.count(col(Area.id)))
        .select_from(Ward)
        .outerjoin(Area, counted)
        .group_by(col(Ward.code))
    )
    return query.where(col(Ward.code) == sa.bindparam("ward")) if one_ward else query
