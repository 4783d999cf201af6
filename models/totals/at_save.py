"""The figures of one save: whether it counts anew, and the indicator's year so far quoted in the reply.

Statements of every save are built once; each save only binds its values (building them costs more than running).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import (
    DISTINCT_AGGREGATIONS,
    INDICATOR_BY_KIND,
    INDICATORS_BY_CODE,
    Aggregation,
    Denominator,
    Indicator,
)
from models.entries.draft import EventDraft
from models.fiscal import fiscal_months, fiscal_year_end, fiscal_year_of, fiscal_year_start
from models.rollups import FIRST_DAYS, MONTHS, year_month
from models.tables import Area, Baseline, Event
from models.totals.engine import indicator_totals, resolve_as_of
from models.totals.rows import split_window
from models.totals.values import IndicatorValue


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
    subject = {
        "fiscal_year": fiscal_year_of(draft.occurred_on),
        "kind": draft.kind,
        "ward": draft.ward_code,
        "subject": draft.household_ref if households else str(draft.area_id),
    }
    if households:
        return not await session.scalar(_EVENTS_SO_FAR, subject)
    if draft.area_id is None:
        return False
    row = (await session.execute(_AREA_AND_EVENTS_SO_FAR, subject | {"area_id": draft.area_id})).first()
    if row is None or not (row[0] and row[1]):
        return False
    needed = threshold if draft.kind == "area_meeting" else 1
    return int(row[2] or 0) == needed - 1


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


async def figure_after_save(
    session: AsyncSession, draft: EventDraft, today: date, threshold: int = 1
) -> IndicatorValue:
    """The figure of the indicator a draft counts toward, for its ward and fiscal year: as of today, or as of the
    year's end for an entry in a year that is over (last year's March)."""
    fiscal_year = fiscal_year_of(draft.occurred_on)
    as_of = min(today, fiscal_year_end(fiscal_year))
    code = INDICATOR_BY_KIND[draft.kind].code
    return await year_to_date(session, code, fiscal_year, as_of, draft.ward_code, threshold)


def grew_by(kind: str, count: int, *, counted_anew: bool, before: IndicatorValue | None, after: IndicatorValue) -> int:
    """How much a save moved its figure: a correction compares the figure before and after; otherwise a sum grows
    by the count, a distinct figure by one when the area or household counts anew."""
    if before is not None:
        return after.value - before.value
    if INDICATOR_BY_KIND[kind].aggregation in DISTINCT_AGGREGATIONS:
        return 1 if counted_anew else 0
    return count


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
    whole_months, partial_month = split_window((fiscal_year_start(fiscal_year), as_of))
    params: dict[str, Any] = {
        "fiscal_year": fiscal_year,
        "kind": indicator.kind,
        "ward": ward_code,
        "code": code,
        "as_of": as_of,
        "first_month": months[0],
        "last_month": months[-1],
    }
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
        figure = {
            Aggregation.SURVEY_YES_SHARE: MONTHS.c.yes_answers,
            Aggregation.DISTINCT_HOUSEHOLDS: MONTHS.c.first_days,
        }
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
