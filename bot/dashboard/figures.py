"""The supervisors' views of the dashboard API (docs/dashboard.md): overview, wards, chart, coverage and review.

Each reads its parameters strictly (`bot.dashboard.access`), then the figures in one short session from the
rollup-based totals (`models.overview`, `models.snapshots.totals_as_of`): a handful of statements per request,
whatever the number of events. Nothing here names a household.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard.access import (
    FORBIDDEN,
    Asker,
    Params,
    RefusedError,
    default_when,
    is_month_end,
    month_text,
    read_indicator,
    read_month,
    read_when,
    require_supervisor,
    scope_of,
)
from bot.scope import CITY, is_city_wide, scope_name_of
from bot.texts import kind_label
from models.approval import month_states
from models.catalog import INDICATORS, SHEETS, Indicator
from models.coverage import AREA_INDICATORS, area_coverage, by_ward
from models.db import session_scope
from models.entries.unusual import flagged_waiting
from models.fiscal import as_of_label, fiscal_months
from models.overview import (
    approval_month,
    change_of,
    flagged_totals,
    month_completeness,
    previous_month_totals,
    same_point_last_year_totals,
)
from models.ranking import is_share, rank_wards
from models.reference import wards_in_order
from models.totals import IndicatorValue, Totals, flag_no_data, indicator_totals, sheet_notation
from models.who_reported import NOTHING_EXPECTED, Completeness

NO_DATA = "—"
FLAGGED_SHOWN = 50  # the review list's length (the total is given beside it)
GOALS = {sheet.number: sheet.goal for sheet in SHEETS}
Json = dict[str, Any]


def _figure(totals: Totals | None, code: str) -> Json | None:
    return None if totals is None or totals.no_data else totals.indicators[code].as_json()


def _notation(totals: Totals, indicator: Indicator) -> str:
    return NO_DATA if totals.no_data else sheet_notation(indicator, totals.indicators[indicator.code])


def _change(indicator: Indicator, now: Totals, before: Totals | None) -> float | int | None:
    if before is None or now.no_data or before.no_data:
        return None
    return change_of(indicator, now.indicators[indicator.code], before.indicators[indicator.code])


def _completeness(month: str, reported: Completeness) -> Json:
    return {"month": month, "expected": reported.expected, "reported": reported.reported, "on_time": reported.on_time}


async def _ward_names(session: AsyncSession, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every ward in the city's order."""
    return [(w.code, w.name_ja if lang == "ja" else w.name_en) for w in await wards_in_order(session)]


async def overview(params: Params, asker: Asker) -> Json:
    """The 13 indicators of a scope as of a day, with the previous month end, last year at the same point, who
    reported, the month's confirmation and the flagged entries waiting."""
    require_supervisor(asker)
    when = read_when(params.get("fy"), params.get("as_of"), asker.today)
    ward = await scope_of(asker, params.get("ward"))
    settings, today = asker.runtime.settings, asker.today
    threshold = settings.regular_meeting_threshold
    async with session_scope(asker.runtime.sessions) as session:
        totals, final = await flagged_totals(session, when.fiscal_year, when.as_of, ward, threshold)
        previous = await previous_month_totals(session, totals, ward, threshold)
        last_year = await same_point_last_year_totals(session, totals, threshold)
        reported = await month_completeness(session, totals.as_of, ward, settings.lock_business_days, today)
        confirmed = approval_month(totals.as_of, today)
        states = await month_states(session, confirmed.year, confirmed.month)
        waiting = len(await flagged_waiting(session, ward))
        scope_name = await scope_name_of(session, ward, asker.lang)
    return {
        "fy": totals.fiscal_year,
        "as_of": totals.as_of.isoformat(),
        "as_of_label": as_of_label(totals.as_of),
        "final": final,
        "no_data": totals.no_data,
        "scope": {"code": ward or CITY, "name": scope_name},
        "indicators": [_indicator_row(indicator, totals, previous, last_year) for indicator in INDICATORS],
        "completeness": _completeness(month_text(totals.as_of), sum(reported.values(), NOTHING_EXPECTED)),
        "approval": {
            "month": month_text(confirmed),
            "states": {code: state.value for code, state in states.items() if ward is None or code == ward},
        },
        "flagged_waiting": waiting,
    }


def _indicator_row(indicator: Indicator, totals: Totals, previous: Totals | None, last_year: Totals) -> Json:
    code = indicator.code
    return {
        "code": code,
        "label": indicator.label,
        "short_label": indicator.short_label,
        "goal": GOALS[indicator.sheet],
        "unit": indicator.unit_ja,
        "share": is_share(indicator),
        "now": totals.indicators[code].as_json(),
        "notation": _notation(totals, indicator),
        "previous": _figure(previous, code),
        "last_year": _figure(last_year, code),
        "last_year_notation": _notation(last_year, indicator),
        "change": _change(indicator, totals, previous),
        "change_last_year": _change(indicator, totals, last_year),
    }


async def wards(params: Params, asker: Asker) -> Json:
    """City supervisors: every ward × indicator against the ward's own figure a year earlier, with who reported and
    the month's confirmation, in the city's ward order."""
    require_supervisor(asker)
    if not is_city_wide(asker.staff):
        raise RefusedError(*FORBIDDEN)
    when = read_when(params.get("fy"), params.get("as_of"), asker.today)
    settings, today = asker.runtime.settings, asker.today
    threshold = settings.regular_meeting_threshold
    async with session_scope(asker.runtime.sessions) as session:
        city, _final = await flagged_totals(session, when.fiscal_year, when.as_of, None, threshold)
        last_year = await same_point_last_year_totals(session, city, threshold)
        reported = await month_completeness(session, city.as_of, None, settings.lock_business_days, today)
        confirmed = approval_month(city.as_of, today)
        states = await month_states(session, confirmed.year, confirmed.month)
        names = await _ward_names(session, asker.lang)
    progress = {i.code: {row.ward_code: row for row in rank_wards(i.code, city, last_year).ranked} for i in INDICATORS}
    month = month_text(city.as_of)

    def cell(ward: str, code: str) -> Json:
        row = progress[code].get(ward)
        before = None if last_year.no_data else last_year.by_ward.get(ward, {}).get(code, IndicatorValue(0))
        return {
            "now": city.by_ward.get(ward, {}).get(code, IndicatorValue(0)).as_json(),
            "last_year": None if before is None else before.as_json(),
            "ratio": None if row is None or last_year.no_data else row.ratio,
            "points": None if row is None or last_year.no_data else row.points,
        }

    return {
        "fy": city.fiscal_year,
        "as_of": city.as_of.isoformat(),
        "indicators": [{"code": i.code, "short_label": i.short_label, "share": is_share(i)} for i in INDICATORS],
        "wards": [
            {
                "code": code,
                "name": name,
                "cells": {i.code: cell(code, i.code) for i in INDICATORS},
                "completeness": _completeness(month, reported.get(code, NOTHING_EXPECTED)),
                "approval": states[code].value,
            }
            for code, name in names
        ],
    }


def _plotted(indicator: Indicator, figure: IndicatorValue) -> float | int | None:
    return figure.percent if is_share(indicator) else figure.value


async def chart(params: Params, asker: Asker) -> Json:
    """One indicator month by month: this year up to the as-of month, last year's whole year, and last year's figure
    at the same day."""
    require_supervisor(asker)
    when = read_when(params.get("fy"), params.get("as_of"), asker.today)
    indicator = read_indicator(params.get("indicator"))
    ward = await scope_of(asker, params.get("ward"))
    threshold = asker.runtime.settings.regular_meeting_threshold
    async with session_scope(asker.runtime.sessions) as session:
        this_year, _final = await flagged_totals(session, when.fiscal_year, when.as_of, ward, threshold)
        last_year = await indicator_totals(session, when.fiscal_year - 1, None, ward, threshold)
        last_year = await flag_no_data(session, last_year)
        same_day = await same_point_last_year_totals(session, this_year, threshold)
    months = fiscal_months(when.fiscal_year)
    return {
        "indicator": {
            "code": indicator.code,
            "label": indicator.label,
            "unit": indicator.unit_ja,
            "share": is_share(indicator),
        },
        "months": [f"{year:04d}-{month:02d}" for year, month in months],
        "this_year": _series(indicator, this_year, len(months)),
        "last_year": _series(indicator, last_year, len(months)),
        "last_year_same_day": None if same_day.no_data else _plotted(indicator, same_day.indicators[indicator.code]),
        "partial_month": None if is_month_end(this_year.as_of) else month_text(this_year.as_of),
    }


def _series(indicator: Indicator, totals: Totals, length: int) -> list[float | int | None]:
    """The cumulative figure at each month end of the year (April first), None after the as-of month or without
    data."""
    shown = [] if totals.no_data else [_plotted(indicator, v) for v in totals.by_month.get(indicator.code, [])]
    return (shown + [None] * length)[:length]


async def coverage(params: Params, asker: Asker) -> Json:
    """The roster areas of the scope for 1-1 and 1-2: per ward how many counted, per area the month it first did."""
    require_supervisor(asker)
    when = read_when(params.get("fy"), params.get("as_of"), asker.today)
    ward = await scope_of(asker, params.get("ward"))
    threshold = asker.runtime.settings.regular_meeting_threshold
    async with session_scope(asker.runtime.sessions) as session:
        areas = await area_coverage(session, when.fiscal_year, when.as_of, ward, threshold)
        names = dict(await _ward_names(session, asker.lang))
    counted = {code: {row.ward_code: row for row in by_ward(areas, code)} for code in AREA_INDICATORS}
    first = AREA_INDICATORS[0]
    return {
        "indicators": list(AREA_INDICATORS),
        "wards": [
            {
                "code": code,
                "name": names.get(code, code),
                "areas": row.areas,
                "counted": {indicator: counted[indicator][code].counted for indicator in AREA_INDICATORS},
            }
            for code, row in counted[first].items()
        ],
        "areas": [
            {
                "code": area.area_code,
                "name": area.name_ja,
                "ward": area.ward_code,
                "counted": {
                    code: None if month is None else f"{month[0]:04d}-{month[1]:02d}"
                    for code, month in area.first_counted.items()
                },
            }
            for area in areas
        ],
    }


async def review(params: Params, asker: Asker) -> Json:
    """A month's confirmation per ward of the scope, and the flagged entries waiting for review (oldest first)."""
    require_supervisor(asker)
    today = asker.today
    month = read_month(params.get("month"), approval_month(default_when(today).as_of, today), today)
    ward = await scope_of(asker, params.get("ward"))
    async with session_scope(asker.runtime.sessions) as session:
        states = await month_states(session, month.year, month.month)
        names = await _ward_names(session, asker.lang)
        waiting = sorted(await flagged_waiting(session, ward), key=lambda found: found.event.id or 0)
    return {
        "month": month_text(month),
        "wards": [
            {"code": code, "name": name, "state": states[code].value}
            for code, name in names
            if ward is None or code == ward
        ],
        "flagged_total": len(waiting),
        "flagged": [
            {
                "id": found.event.id,
                "ward": found.event.ward_code,
                "kind": found.event.kind,
                "kind_label": kind_label(found.event.kind, asker.lang),
                "day": found.event.occurred_on.isoformat(),
                "count": found.event.count,
                "usual": {"low": found.flag.usual_low, "high": found.flag.usual_high},
                "logged_by": found.logged_by,
            }
            for found in waiting[:FLAGGED_SHOWN]
        ],
    }
