"""The totals engine: every indicator of the sheet for a fiscal year as of a date, by SQL aggregates.

The figures come from the write-time rollups (`models.rollups`), not from the events: the year's whole months
are read from `rollup_month` (at most wards × kinds × 12 rows, however many events there are) and the
distinct areas from `rollup_first_day` (one row per area). Only the as-of month, while it is not over, is read
from the events (one month's rows), and 1-1 with a regular-meeting threshold above one (the day of an area's
N-th meeting is not in the rollups). Two more small queries read the live baselines of the shown months and the
area denominator; everything after that is arithmetic on those rows. Voided events never count.

Baselines (`models.baselines`): figures for an indicator, ward and month that exist only as numbers (periods
before the bot). A baseline belongs to its month; an as-of date inside that month already includes it.

- Sum indicators (1-3 … 1-6, 2-1 … 2-5): the baseline is added to that ward-month's sum of event counts.
- 2-Q: the baseline's value (yes answers) and denominator (answers) are added to that ward-month's answers.
- Distinct indicators (1-1, 1-2, 3-1): the baseline is the ward's cumulative figure as of that month end. It
  replaces what the events say for that ward up to that month; each later month adds what the events newly
  qualify in it (areas or households whose qualifying day falls in that month, as without baselines), until
  the ward's next baseline replaces the figure again:
      cumulative(ward, m) = baseline(ward, b) + Σ event increments of the months after b up to m,
  with b the ward's latest baseline month ≤ m (no such b: the events alone). This is an approximation: a
  baseline does not say which areas or households it covered, so one that first qualifies by events after b
  is added even if the baseline had already counted it. City figures are the sum of the wards'.

A figure that includes any baseline (of a ward in the scope, in a month up to the figure's month) is marked
`IndicatorValue.from_baseline`; its JSON carries `"baseline": true` and the sheet marks it with ※.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import INDICATOR_BY_KIND, INDICATORS, INDICATORS_BY_CODE, Aggregation, Denominator, Indicator
from models.entries.write import EventDraft
from models.fiscal import fiscal_months, fiscal_year_end, fiscal_year_of, fiscal_year_start, month_end
from models.fiscal import today as japan_today
from models.rollups import FIRST_DAYS, MONTHS, year_month
from models.tables import Area, Baseline, Event, Ward

YearMonth = tuple[int, int]
Bindable = Any  # a value, or a bind parameter in a statement built once per shape
DISTINCT_AGGREGATIONS = (Aggregation.DISTINCT_AREAS, Aggregation.DISTINCT_HOUSEHOLDS)


@dataclass(frozen=True)
class IndicatorValue:
    """One figure: the value, and for shares its denominator and percentage (one decimal, rounded half up)."""

    value: int
    denominator: int | None = None
    from_baseline: bool = False  # includes a baseline (a figure from before the bot), see the module docstring

    @property
    def percent(self) -> float | None:
        return percent(self.value, self.denominator)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "denominator": self.denominator, "percent": self.percent}
        if self.from_baseline:
            data["baseline"] = True
        return data


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
    no_data: bool = False  # no events and no baselines in the year and scope: shown as 「—」, not zeros

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
    gathered = await _gather(session, fiscal_year, as_of, ward_code, regular_meeting_threshold, only, one_scope=True)
    return gathered.assemble(ward_code, gathered.wards)


async def totals_for_every_scope(
    session: AsyncSession, fiscal_year: int, as_of: date, regular_meeting_threshold: int = 1
) -> dict[str | None, Totals]:
    """The city (key None) and each ward, from one pass over the events (month-end snapshots)."""
    gathered = await _gather(session, fiscal_year, as_of, None, regular_meeting_threshold, None, one_scope=False)
    wards = gathered.wards
    return {None: gathered.assemble(None, wards)} | {ward: gathered.assemble(ward, [ward]) for ward in wards}


@dataclass(frozen=True)
class _Gathered:
    """The aggregated rows of one pass, ready to be assembled for any scope they cover.

    `one_scope`: the whole months were summed for the gathered scope only (`_Counts.ward_sums`/`month_sums`),
    so they assemble into that scope's totals and no other.
    """

    fiscal_year: int
    as_of: date
    months: list[YearMonth]
    counts: _Counts
    wards: list[str]
    roster_areas: dict[str, int]
    threshold: int
    one_scope: bool

    def assemble(self, ward_code: str | None, wards: list[str]) -> Totals:
        if self.one_scope and wards != self.wards:
            raise ValueError("totals gathered for one scope assemble into that scope only")
        return _assemble(self.fiscal_year, self.as_of, ward_code, wards, self.months, self.counts,
                         self.roster_areas, self.threshold)  # fmt: skip


async def _gather(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date | None,
    ward_code: str | None,
    threshold: int,
    only: Collection[str] | None,
    *,
    one_scope: bool,
) -> _Gathered:
    as_of = resolve_as_of(fiscal_year, as_of)
    window = (fiscal_year_start(fiscal_year), as_of)
    counts = _Counts()
    wanted = set(only) if only is not None else {indicator.code for indicator in INDICATORS}
    whole_months, partial_month = _split_window(window)
    await _add_rollup_months(session, counts, fiscal_year, whole_months, ward_code, wanted, summed=one_scope)
    if partial_month is not None:
        await _add_sums(session, counts, partial_month, ward_code, wanted)
        await _add_first_days_between(session, counts, fiscal_year, partial_month, ward_code, wanted)
    await _add_distinct_areas(session, counts, fiscal_year, window, ward_code, {"area_meeting": threshold}, wanted)
    months = [ym for ym in fiscal_months(fiscal_year) if month_end(*ym) <= as_of or ym == (as_of.year, as_of.month)]
    await _add_baselines(session, counts, months, ward_code, wanted)
    needs_roster = any(INDICATORS_BY_CODE[code].denominator is Denominator.ROSTER_AREAS for code in wanted)
    roster_areas = await _roster_areas_by_ward(session, ward_code) if needs_roster or not ward_code else {}
    wards = [ward_code] if ward_code else sorted(roster_areas)  # the same query lists the city's wards
    shown_roster = roster_areas if needs_roster else {}
    return _Gathered(fiscal_year, as_of, months, counts, wards, shown_roster, threshold, one_scope)


def _live_events_in(window: tuple[Bindable, Bindable], ward_code: Bindable | None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(Event.voided_at).is_(None),
        col(Event.occurred_on).between(*window),
    ]
    if ward_code is not None:
        conditions.append(col(Event.ward_code) == ward_code)
    return conditions


def _kinds(aggregations: Iterable[Aggregation], wanted: set[str]) -> dict[str, Indicator]:
    return {i.kind: i for i in INDICATORS if i.aggregation in aggregations and i.code in wanted}


def _split_window(window: tuple[date, date]) -> tuple[YearMonth | None, tuple[date, date] | None]:
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


async def _add_rollup_months(
    session: AsyncSession,
    counts: _Counts,
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
            sa.select(MONTHS.c.kind, MONTHS.c.ward_code, month_number, figure, MONTHS.c.events)
            .where(*in_window, MONTHS.c.kind.in_(detailed))
        )  # fmt: skip
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


async def _add_sums(
    session: AsyncSession, counts: _Counts, window: tuple[date, date], ward: str | None, wanted: set[str]
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


async def _add_distinct_areas(
    session: AsyncSession,
    counts: _Counts,
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
    from_rollups = tuple(sorted(kind for kind in by_kind if thresholds.get(kind, 1) == 1))
    from_events = tuple((kind, thresholds[kind]) for kind in sorted(set(by_kind) - set(from_rollups)))
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
    fiscal_year = sa.bindparam("fiscal_year", type_=sa.Integer)
    start, as_of = sa.bindparam("start", type_=sa.Date), sa.bindparam("as_of", type_=sa.Date)
    ward = sa.bindparam("ward", type_=sa.String) if one_ward else None
    reached_days = [_area_first_day(list(from_rollups), fiscal_year, as_of, ward)] if from_rollups else []
    reached_days += [_area_reached_on(kind, threshold, (start, as_of), ward) for kind, threshold in from_events]
    grouped: list[sa.Select[Any]] = []
    for reached in reached_days:
        month = year_month(reached.c.reached_on)
        grouped.append(
            sa.select(reached.c.kind, col(Area.ward_code), month, sa.func.count())
            .join(reached, reached.c.area_id == col(Area.id))
            .where(col(Area.roster_provided), col(Area.active))
            .group_by(reached.c.kind, col(Area.ward_code), month)
        )
    return sa.union_all(*grouped) if len(grouped) > 1 else grouped[0]


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
    live = [col(Event.kind) == kind, col(Event.area_id).is_not(None), *_live_events_in(window, ward)]
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


async def _add_first_days_between(
    session: AsyncSession,
    counts: _Counts,
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


async def _add_baselines(
    session: AsyncSession, counts: _Counts, months: list[YearMonth], ward: str | None, wanted: set[str]
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
        col(Baseline.indicator_code), col(Baseline.ward_code), col(Baseline.year), col(Baseline.month),
        col(Baseline.value), col(Baseline.denominator),
    ).where(
        col(Baseline.removed_at).is_(None),
        month_number.between(sa.bindparam("first"), sa.bindparam("last")),
        col(Baseline.indicator_code).in_(codes),
    )  # fmt: skip
    return query.where(col(Baseline.ward_code) == sa.bindparam("ward")) if one_ward else query


async def _roster_areas_by_ward(session: AsyncSession, ward: str | None) -> dict[str, int]:
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

    tables = {"numerators": counts.numerators, "answers": counts.answers}
    detailed: dict[tuple[str, str], set[str]] = defaultdict(set)  # (table, code) → wards with ward-month rows
    for table, values in (*tables.items(), ("numerators", counts.resets)):
        for code, ward, _month in values:
            detailed[(table, code)].add(ward)

    @cache
    def ward_running(table: str, code: str, ward: str) -> tuple[int, ...]:
        """One ward's running total as of each month end, a reset (distinct baseline) replacing it."""
        values, resets = tables[table], counts.resets
        totals, total = [], 0
        for month in month_keys:
            reset = resets.get((code, ward, month)) if resets else None
            total = reset if reset is not None else total + values.get((code, ward, month), 0)
            totals.append(total)
        return tuple(totals)

    def running(table: str, code: str, in_wards: list[str]) -> list[int]:
        """Cumulative figures over the months (as of each month end), summed over the wards.

        The wards' ward-month rows, plus the months summed over the scope's wards (`_Counts.month_sums`).
        """
        with_rows = detailed[(table, code)].intersection(in_wards)
        columns = zip(*(ward_running(table, code, w) for w in sorted(with_rows)), strict=True)
        totals = [sum(column) for column in columns] if with_rows else [0] * len(month_keys)
        if counts.month_sums:
            total = 0
            for position, month in enumerate(month_keys):
                total += counts.month_sums.get((table, code, month), 0)
                totals[position] += total
        return totals

    def ward_total(table: str, code: str, ward: str) -> int:
        """One ward's figure as of the as-of date: its ward-month rows and its months summed (`ward_sums`)."""
        value = counts.ward_sums.get((table, code, ward), 0)
        return value + (ward_running(table, code, ward)[-1] if ward in detailed[(table, code)] else 0)

    @cache
    def ward_marks(code: str, ward: str) -> tuple[bool, ...]:
        flags, seen = [], False
        for month in month_keys:
            seen = seen or (code, ward, month) in counts.marked
            flags.append(seen)
        return tuple(flags)

    def marks(code: str, in_wards: list[str]) -> list[bool]:
        """Whether each month's figure includes a baseline (one in that month or earlier)."""
        if not counts.marked:
            return [False] * len(month_keys)
        return [any(column) for column in zip(*(ward_marks(code, w) for w in in_wards), strict=True)]

    def ward_figure(indicator: Indicator, ward: str) -> IndicatorValue:
        """One ward's figure as of the as-of date (the last of its series, without building the series)."""
        code = indicator.code
        value = ward_total("numerators", code, ward)
        flag = bool(counts.marked) and ward_marks(code, ward)[-1]
        if indicator.denominator is Denominator.ROSTER_AREAS:
            return IndicatorValue(value, roster_areas.get(ward, 0), flag)
        if indicator.denominator is Denominator.SURVEY_ANSWERS:
            return IndicatorValue(value, ward_total("answers", code, ward), flag)
        return IndicatorValue(value, None, flag)

    def series(indicator: Indicator, in_wards: list[str]) -> list[IndicatorValue]:
        numerators = running("numerators", indicator.code, in_wards)
        flags = marks(indicator.code, in_wards)
        if indicator.denominator is Denominator.ROSTER_AREAS:
            areas = sum(roster_areas.get(w, 0) for w in in_wards)
            return [IndicatorValue(n, areas, f) for n, f in zip(numerators, flags, strict=True)]
        if indicator.denominator is Denominator.SURVEY_ANSWERS:
            answers = running("answers", indicator.code, in_wards)
            return [IndicatorValue(n, a, f) for n, a, f in zip(numerators, answers, flags, strict=True)]
        return [IndicatorValue(n, None, f) for n, f in zip(numerators, flags, strict=True)]

    by_month = {i.code: series(i, wards) for i in INDICATORS}
    return Totals(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        indicators={code: values[-1] for code, values in by_month.items()},
        by_ward={w: {i.code: ward_figure(i, w) for i in INDICATORS} for w in wards},
        months=months,
        by_month=by_month,
        definitions={
            "regular_meeting_threshold": threshold,
            "distinct_areas": "roster-provided active areas only",
            "households": "distinct (ward, household reference) pairs in the fiscal year",
        },
    )


async def would_count_anew(session: AsyncSession, draft: EventDraft, threshold: int = 1) -> bool:
    """Whether saving this (not yet saved) event makes its area or household count anew in its fiscal year.

    For the reply after a save, read before the event is written: the subject's `rollup_first_day` row holds its
    live events of the year, so one indexed read answers. An area counts from its N-th meeting (N = threshold) and
    only when roster-provided and active.
    """
    indicator = INDICATOR_BY_KIND[draft.kind]
    if indicator.aggregation not in DISTINCT_AGGREGATIONS:
        return True
    households = indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS
    subject = {"fiscal_year": fiscal_year_of(draft.occurred_on), "kind": draft.kind, "ward": draft.ward_code,
               "subject": draft.household_ref if households else str(draft.area_id)}  # fmt: skip
    if households:
        return not await session.scalar(_EVENTS_SO_FAR, subject)
    if draft.area_id is None:
        return False
    row = (await session.execute(_AREA_AND_EVENTS_SO_FAR, subject | {"area_id": draft.area_id})).first()
    if row is None or not (row[0] and row[1]):
        return False
    needed = threshold if draft.kind == "area_meeting" else 1
    return int(row[2] or 0) == needed - 1


# Statements of every save, built once: each save only binds its values (building them costs more than running).
_EVENTS_SO_FAR = sa.select(FIRST_DAYS.c.events).where(
    FIRST_DAYS.c.fiscal_year == sa.bindparam("fiscal_year"),
    FIRST_DAYS.c.kind == sa.bindparam("kind"),
    FIRST_DAYS.c.ward_code == sa.bindparam("ward"),
    FIRST_DAYS.c.subject == sa.bindparam("subject"),
)
_AREA_AND_EVENTS_SO_FAR = sa.select(
    col(Area.roster_provided), col(Area.active), _EVENTS_SO_FAR.scalar_subquery()
).where(col(Area.id) == sa.bindparam("area_id"))
_COUNTED, _BASELINE, _ROSTER = 0, 1, 2  # the parts of year_to_date's one statement
_Part = sa.Select[Any, Any, Any, Any]  # (part, YYYYMM, value, survey answers or denominator)


async def year_to_date(
    session: AsyncSession, code: str, fiscal_year: int, as_of: date, ward_code: str, threshold: int = 1
) -> IndicatorValue:
    """One indicator for one ward, fiscal year to `as_of`: the figure the bot quotes after each entry.

    One statement: what counted per month (the whole months' rollups, the unfinished as-of month's events or
    households' first days, or the areas' first days), the baselines, and for the areas the roster; the arithmetic
    of the module docstring follows. 1-1 with a regular-meeting threshold above one needs the full engine.
    Equal to `indicator_totals(...).indicators[code]` (tested).
    """
    indicator = INDICATORS_BY_CODE[code]
    if indicator.aggregation is Aggregation.DISTINCT_AREAS and indicator.kind == "area_meeting" and threshold != 1:
        totals = await indicator_totals(session, fiscal_year, as_of, ward_code, threshold, only={code})
        return totals.indicators[code]
    as_of = resolve_as_of(fiscal_year, as_of)
    months = [year * 100 + month for year, month in fiscal_months(fiscal_year) if date(year, month, 1) <= as_of]
    whole_months, partial_month = _split_window((fiscal_year_start(fiscal_year), as_of))
    params: dict[str, Any] = {"fiscal_year": fiscal_year, "kind": indicator.kind, "ward": ward_code, "code": code,
                              "as_of": as_of, "first_month": months[0], "last_month": months[-1]}  # fmt: skip
    if whole_months is not None:
        params["last_whole_month"] = whole_months[0] * 100 + whole_months[1]
    if partial_month is not None:
        params |= {"month_start": partial_month[0], "month_end": partial_month[1], "this_month": months[-1]}
    statement = _year_to_date_statement(indicator.code, whole_months is not None, partial_month is not None)
    counted: dict[int, int] = defaultdict(int)
    resets: dict[int, int] = {}
    answers = roster_areas = 0
    marked = False
    for part, month, value, extra in await session.execute(statement, params):
        if part == _ROSTER:
            roster_areas = int(value)
            continue
        marked = marked or part == _BASELINE
        if part == _BASELINE and indicator.aggregation in DISTINCT_AGGREGATIONS:
            resets[month] = int(value)
            continue
        counted[month] += int(value or 0)
        answers += int(extra or 0)
    total = 0
    for month in months:  # a distinct baseline replaces the ward's running figure at its month end
        total = resets[month] if month in resets else total + counted.get(month, 0)
    if indicator.denominator is Denominator.ROSTER_AREAS:
        return IndicatorValue(total, roster_areas, marked)
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        return IndicatorValue(total, answers, marked)
    return IndicatorValue(total, None, marked)


@lru_cache(maxsize=64)
def _year_to_date_statement(code: str, whole_months: bool, partial_month: bool) -> sa.CompoundSelect[Any]:
    """year_to_date's statement for an indicator and the shape of its window, built once (values are bound)."""
    indicator = INDICATORS_BY_CODE[code]
    parts = [*_counted_parts(indicator, whole_months, partial_month), _baseline_part()]
    if indicator.denominator is Denominator.ROSTER_AREAS:
        roster = sa.select(sa.literal(_ROSTER), sa.literal(0), sa.func.count(), sa.literal(0))
        parts.append(roster.where(col(Area.roster_provided), col(Area.active), col(Area.ward_code) == _WARD))
    return sa.union_all(*parts)


_WARD = sa.bindparam("ward", type_=sa.String)
_KIND = sa.bindparam("kind", type_=sa.String)


def _counted_parts(indicator: Indicator, whole_months: bool, partial_month: bool) -> list[_Part]:
    """(part, YYYYMM, what counted, survey answers) rows of one ward and kind, fiscal year to `as_of`."""
    tag, fiscal_year = sa.literal(_COUNTED), sa.bindparam("fiscal_year", type_=sa.Integer)
    if indicator.aggregation is Aggregation.DISTINCT_AREAS:  # each roster-provided active area's first day
        # Written inline: PostgreSQL groups by the expression's text, and bound values would make it differ.
        dash, nothing = sa.literal_column("'-'", sa.String), sa.literal_column("''", sa.String)
        month = sa.cast(sa.func.replace(year_month(FIRST_DAYS.c.first_on), dash, nothing), sa.Integer)
        reached = (
            sa.select(tag, month, sa.func.count(), sa.literal(0))
            .join_from(FIRST_DAYS, Area, col(Area.id) == FIRST_DAYS.c.area_id)
            .where(
                FIRST_DAYS.c.fiscal_year == fiscal_year,
                FIRST_DAYS.c.kind == _KIND,
                FIRST_DAYS.c.ward_code == _WARD,
                FIRST_DAYS.c.first_on <= sa.bindparam("as_of"),
                col(Area.roster_provided),
                col(Area.active),
                col(Area.ward_code) == _WARD,
            )
            .group_by(month)
        )
        return [reached]
    parts: list[_Part] = []
    if whole_months:
        figure = {Aggregation.SURVEY_YES_SHARE: MONTHS.c.yes_answers,
                  Aggregation.DISTINCT_HOUSEHOLDS: MONTHS.c.first_days}  # fmt: skip
        month_number = MONTHS.c.year * 100 + MONTHS.c.month
        parts.append(
            sa.select(tag, month_number, figure.get(indicator.aggregation, MONTHS.c.total), MONTHS.c.events).where(
                MONTHS.c.fiscal_year == fiscal_year,
                MONTHS.c.kind == _KIND,
                MONTHS.c.ward_code == _WARD,
                month_number <= sa.bindparam("last_whole_month"),
            )
        )
    if partial_month:
        this_month = sa.bindparam("this_month", type_=sa.Integer)
        days = (sa.bindparam("month_start", type_=sa.Date), sa.bindparam("month_end", type_=sa.Date))
        if indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS:
            parts.append(
                sa.select(tag, this_month, sa.func.count(), sa.literal(0)).where(
                    FIRST_DAYS.c.fiscal_year == fiscal_year,
                    FIRST_DAYS.c.kind == _KIND,
                    FIRST_DAYS.c.ward_code == _WARD,
                    FIRST_DAYS.c.first_on.between(*days),
                )
            )
        else:
            yes = sa.func.sum(sa.case((col(Event.answer).is_(True), 1), else_=0))
            summed = yes if indicator.aggregation is Aggregation.SURVEY_YES_SHARE else sa.func.sum(col(Event.count))
            parts.append(
                sa.select(tag, this_month, summed, sa.func.count()).where(
                    col(Event.kind) == _KIND,
                    col(Event.voided_at).is_(None),
                    col(Event.occurred_on).between(*days),
                    col(Event.ward_code) == _WARD,
                )
            )
    return parts


def _baseline_part() -> _Part:
    """The ward's live baselines of the indicator in the months shown: (part, YYYYMM, value, denominator)."""
    month_number = col(Baseline.year) * 100 + col(Baseline.month)
    return sa.select(
        sa.literal(_BASELINE), month_number, col(Baseline.value), sa.func.coalesce(col(Baseline.denominator), 0)
    ).where(
        col(Baseline.removed_at).is_(None),
        col(Baseline.indicator_code) == sa.bindparam("code"),
        col(Baseline.ward_code) == _WARD,
        month_number.between(sa.bindparam("first_month"), sa.bindparam("last_month")),
    )


async def has_data(session: AsyncSession, fiscal_year: int, ward_code: str | None = None) -> bool:
    """Whether a fiscal year has anything for a scope: a live event or a live baseline.

    Without either its figures are "no data" (shown 「—」 with a pointer to `intake baseline set`), not zeros.
    """
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    every_kind = col(Event.kind).in_(sorted(INDICATOR_BY_KIND))  # seeks the (kind, date) index instead of scanning it
    events = sa.select(col(Event.id)).where(every_kind, *_live_events_in((start, end), ward_code)).limit(1)
    if await session.scalar(events) is not None:
        return True
    month_number = col(Baseline.year) * 100 + col(Baseline.month)
    baselines = sa.select(col(Baseline.id)).where(
        col(Baseline.removed_at).is_(None),
        month_number.between(start.year * 100 + start.month, end.year * 100 + end.month),
    )
    if ward_code:
        baselines = baselines.where(col(Baseline.ward_code) == ward_code)
    return await session.scalar(baselines.limit(1)) is not None


async def flag_no_data(session: AsyncSession, totals: Totals) -> Totals:
    """The totals, marked `no_data` when their year and scope have neither events nor baselines."""
    if await has_data(session, totals.fiscal_year, totals.ward_code):
        return totals
    return replace(totals, no_data=True)


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
    counts = _Counts()
    whole_months, partial_month = _split_window(window)
    await _add_rollup_months(session, counts, fiscal_year, whole_months, None, wanted, summed=False)
    if partial_month is not None:
        await _add_first_days_between(session, counts, fiscal_year, partial_month, None, wanted)
    await _add_distinct_areas(session, counts, fiscal_year, window, None, {"area_meeting": threshold}, wanted)
    return {key: value for key, value in counts.numerators.items() if value}


def split_year(fiscal_year: int, as_of: date) -> tuple[YearMonth | None, tuple[date, date] | None]:
    """The fiscal year to `as_of` as the engine reads it: its last whole month (None: none is over yet), read
    from the rollups, and the as-of month's days when that month is not over, read from its events."""
    return _split_window((fiscal_year_start(fiscal_year), resolve_as_of(fiscal_year, as_of)))
