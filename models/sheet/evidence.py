"""The city's 集計根拠: per ward × kind × month, the figures the city sheet's numbers are made of.

One row (`EvidenceRow`) per ward, kind and calendar month with anything in it: the live events, the sum of their
counts, the "yes" answers, and the areas (1-1, 1-2) and households (3-1) counted anew in that month. Read as the
totals engine reads the year (`models.totals`), never the year's events:

- the whole months from `rollup_month` (at most wards × kinds × 12 rows);
- the as-of month, while it is not over, from that month's events alone;
- the areas and households counted anew from the engine's own steps (`models.totals.counted_anew_by_month`):
  roster-provided active areas by the day they first qualified (for 1-1 with a regular-meeting threshold N > 1,
  the day of their N-th meeting), households by their first day of the year.

So, without baselines, a ward's rows of an indicator add up to that ward's figure on the sheet: 1-1 and 1-2 its
new areas, 3-1 its new households, 2-Q its "yes" answers (over its events, the answers), every other indicator
the sum of its counts.

A closed month's sheet shows the rows as they were recorded when it froze: `models.snapshots.close_month` stores
them beside the city's snapshot (`EvidenceSnapshot`, one `as_json` each). A month closed before that has none;
`evidence_as_recorded` then
computes them from the events as they stood at the freeze (logged by then, not voided by then), with the same
meanings: correct, slower (it reads the year's events), only for those old snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import INDICATOR_BY_KIND, INDICATORS, INDICATORS_BY_CODE, KINDS_BY_CODE, Aggregation
from models.fiscal import fiscal_year_start
from models.rollups import AREA_KINDS, EVENTS, HOUSEHOLD_KINDS, MONTHS, month_figures_of_events, year_month
from models.tables import Area
from models.totals import counted_anew_by_month, resolve_as_of, split_year

EvidenceKey = tuple[str, str, str]  # ward, kind, 'YYYY-MM'
FIGURES = ("events", "total", "yes_answers", "new_areas", "new_households")


@dataclass(frozen=True)
class EvidenceRow:
    """What one ward recorded and counted for one kind in one calendar month."""

    ward_code: str
    kind: str
    month: str  # YYYY-MM
    events: int = 0  # live events
    total: int = 0  # the sum of their counts
    yes_answers: int = 0  # the survey's "yes" answers
    new_areas: int = 0  # roster-provided active areas that first qualified in the month (1-1, 1-2)
    new_households: int = 0  # households first connected in the fiscal year in the month (3-1)

    def as_json(self) -> list[Any]:
        return list(astuple(self))

    @classmethod
    def from_json(cls, raw: list[Any]) -> EvidenceRow:
        return cls(*raw)


@dataclass(frozen=True)
class MonthlyFigure:
    """One row of the city's 集計根拠 tab: an `EvidenceRow` with its names, and blanks where a column does not
    apply to the indicator (new areas for 1-1/1-2, new households for 3-1, "yes" answers for the survey)."""

    ward_code: str
    ward_name: str
    indicator_code: str
    indicator_label: str
    month: str  # YYYY-MM
    events: int
    count_sum: int
    new_areas: int | None
    new_households: int | None
    yes_answers: int | None

    def cells(self) -> tuple[Any, ...]:
        return (
            self.ward_code,
            self.ward_name,
            self.indicator_code,
            self.indicator_label,
            self.month,
            self.events,
            self.count_sum,
            self.new_areas,
            self.new_households,
            self.yes_answers,
        )


class _Rows:
    """Figures added up per (ward, kind, month), rows of zeros left out (a void leaves a rollup row behind)."""

    def __init__(self) -> None:
        self.figures: dict[EvidenceKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    def add(self, ward: str, kind: str, month: str, **figures: int) -> None:
        mine = self.figures[(ward, kind, month)]
        for name, value in figures.items():
            mine[name] += int(value or 0)

    def add_months(self, rows: Iterable[Any]) -> None:
        """Rows of (kind, ward, 'YYYY-MM', events, total, yes answers), as `month_figures_of_events` gives them."""
        for kind, ward, month, events, total, yes_answers in rows:
            self.add(ward, kind, month, events=events, total=total, yes_answers=yes_answers)

    def rows(self) -> list[EvidenceRow]:
        return [
            EvidenceRow(ward, kind, month, **figures)
            for (ward, kind, month), figures in sorted(self.figures.items())
            if any(figures.values())
        ]


async def city_evidence(session: AsyncSession, fiscal_year: int, as_of: date, threshold: int = 1) -> list[EvidenceRow]:
    """The city's rows for the fiscal year to `as_of`, live: the rollups' whole months, the unfinished as-of
    month's events, and what the totals engine counts anew in each month."""
    as_of = resolve_as_of(fiscal_year, as_of)
    whole_months, partial_month = split_year(fiscal_year, as_of)
    rows = _Rows()
    if whole_months is not None:
        last = whole_months[0] * 100 + whole_months[1]
        query = sa.select(
            MONTHS.c.ward_code,
            MONTHS.c.kind,
            MONTHS.c.year,
            MONTHS.c.month,
            MONTHS.c.events,
            MONTHS.c.total,
            MONTHS.c.yes_answers,
        ).where(MONTHS.c.fiscal_year == fiscal_year, MONTHS.c.year * 100 + MONTHS.c.month <= last)
        for ward, kind, year, month, events, total, yes_answers in await session.execute(query):
            rows.add(ward, kind, f"{year:04d}-{month:02d}", events=events, total=total, yes_answers=yes_answers)
    if partial_month is not None:
        live = (EVENTS.c.voided_at.is_(None), EVENTS.c.occurred_on.between(*partial_month))
        rows.add_months(await session.execute(month_figures_of_events(*live)))
    for (code, ward, month), anew in (await counted_anew_by_month(session, fiscal_year, as_of, threshold)).items():
        indicator = INDICATORS_BY_CODE[code]
        rows.add(ward, indicator.kind, month, **{_anew_column(indicator.aggregation): anew})
    return rows.rows()


async def evidence_as_recorded(
    session: AsyncSession, fiscal_year: int, as_of: date, recorded_by: datetime, threshold: int = 1
) -> list[EvidenceRow]:
    """The same rows from the events as they stood at `recorded_by` (logged by then, not voided by then).

    For a month-end snapshot taken before the evidence was stored with it; reads the year's events.
    """
    window = (fiscal_year_start(fiscal_year), resolve_as_of(fiscal_year, as_of))
    then = (live_at(recorded_by, EVENTS.c.kind.in_(sorted(KINDS_BY_CODE)), EVENTS.c.occurred_on.between(*window)),)
    rows = _Rows()
    rows.add_months(await session.execute(month_figures_of_events(*then)))
    first_days = (
        sa.select(EVENTS.c.kind, EVENTS.c.ward_code, sa.func.min(EVENTS.c.occurred_on).label("first_on"))
        .where(EVENTS.c.kind.in_(sorted(HOUSEHOLD_KINDS)), EVENTS.c.household_ref.is_not(None), *then)
        .group_by(EVENTS.c.kind, EVENTS.c.ward_code, EVENTS.c.household_ref)
        .subquery()
    )  # each household's first day of the year, as `rollup_first_day` holds it
    month = year_month(first_days.c.first_on)
    households = sa.select(first_days.c.ward_code, first_days.c.kind, month, sa.func.count()).group_by(
        first_days.c.ward_code, first_days.c.kind, month
    )
    for ward, kind, ym, anew in await session.execute(households):
        rows.add(ward, kind, ym, new_households=anew)
    for ward, kind, ym, anew in await session.execute(_areas_reached(then, {"area_meeting": threshold})):
        rows.add(ward, kind, ym, new_areas=anew)
    return rows.rows()


def _areas_reached(conditions: Iterable[sa.ColumnElement[bool]], thresholds: dict[str, int]) -> sa.Select[Any]:
    """(area's ward, kind, 'YYYY-MM', areas): roster-provided active areas by the month of their N-th event of the
    kind among those meeting `conditions` (N = the kind's threshold, else 1), as the totals engine counts them."""
    rank = sa.func.row_number().over(partition_by=(EVENTS.c.kind, EVENTS.c.area_id), order_by=EVENTS.c.occurred_on)
    ranked = (
        sa.select(EVENTS.c.kind, EVENTS.c.area_id, EVENTS.c.occurred_on.label("reached_on"), rank.label("rank"))
        .where(EVENTS.c.kind.in_(sorted(AREA_KINDS)), EVENTS.c.area_id.is_not(None), *conditions)
        .subquery()
    )
    needed = sa.case(*((ranked.c.kind == kind, n) for kind, n in sorted(thresholds.items())), else_=1)
    month = year_month(ranked.c.reached_on)
    return (
        sa.select(col(Area.ward_code), ranked.c.kind, month, sa.func.count())
        .join(Area, col(Area.id) == ranked.c.area_id)
        .where(ranked.c.rank == needed, col(Area.roster_provided), col(Area.active))
        .group_by(col(Area.ward_code), ranked.c.kind, month)
    )


def live_at(moment: datetime | None, *conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Events meeting `conditions` that are live now or, for a past moment, were logged and not voided by then.

    For a past moment, the ids of two index reads: the live events (the live-events indexes, given a kind
    condition) and those voided since (`ix_event_voided_at`); `voided_at IS NULL OR voided_at > …` written
    plainly would read every event ever logged.
    """
    if moment is None:
        return sa.and_(EVENTS.c.voided_at.is_(None), *conditions)
    logged = (EVENTS.c.logged_at <= moment, *conditions)
    still_live = sa.select(EVENTS.c.id).where(EVENTS.c.voided_at.is_(None), *logged)
    voided_since = sa.select(EVENTS.c.id).where(EVENTS.c.voided_at > moment, *logged)
    recorded: sa.ColumnElement[bool] = EVENTS.c.id.in_(sa.union_all(still_live, voided_since))
    return recorded


def _anew_column(aggregation: Aggregation) -> str:
    return "new_areas" if aggregation is Aggregation.DISTINCT_AREAS else "new_households"


def monthly_figures(rows: Iterable[EvidenceRow], ward_names: dict[str, str]) -> list[MonthlyFigure]:
    """The tab's rows, by ward, then indicator (the sheet's order), then month."""
    order = {indicator.code: position for position, indicator in enumerate(INDICATORS)}
    figures = [_monthly_figure(row, ward_names) for row in rows]
    return sorted(figures, key=lambda f: (f.ward_code, order.get(f.indicator_code, len(order)), f.month))


def _monthly_figure(row: EvidenceRow, ward_names: dict[str, str]) -> MonthlyFigure:
    indicator = INDICATOR_BY_KIND.get(row.kind)
    aggregation = indicator.aggregation if indicator else None
    rules = KINDS_BY_CODE.get(row.kind)
    return MonthlyFigure(
        ward_code=row.ward_code,
        ward_name=ward_names.get(row.ward_code, row.ward_code),
        indicator_code=indicator.code if indicator else "",
        indicator_label=indicator.short_label if indicator else row.kind,
        month=row.month,
        events=row.events,
        count_sum=row.total,
        new_areas=row.new_areas if aggregation is Aggregation.DISTINCT_AREAS else None,
        new_households=row.new_households if aggregation is Aggregation.DISTINCT_HOUSEHOLDS else None,
        yes_answers=row.yes_answers if rules and rules.takes_answer else None,
    )
