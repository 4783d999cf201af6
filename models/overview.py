"""What a supervisor's overview is made of, for /totals and the dashboard alike: the figures (frozen or live) with
the previous month end's and last year's at the same point, who reported for the as-of month, and which month's
confirmation goes with them. Telegram-free: the settings come in as plain arguments."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import Indicator
from models.fiscal import fiscal_year_of, month_end, previous_month_end, same_point_last_year
from models.locks import lock_date
from models.ranking import change_in_points, is_share
from models.snapshots import totals_as_of
from models.totals import IndicatorValue, Totals, flag_no_data
from models.who_reported import Completeness, completeness


async def flagged_totals(
    session: AsyncSession, fiscal_year: int, as_of: date | None, ward_code: str | None, threshold: int
) -> tuple[Totals, bool]:
    """The figures (frozen or live, and which), marked when their year and scope have no data at all."""
    totals, final = await totals_as_of(session, fiscal_year, as_of, ward_code, threshold)
    return await flag_no_data(session, totals), final


async def same_point_last_year_totals(session: AsyncSession, totals: Totals, threshold: int) -> Totals:
    """The figures a year before the as-of date (the 前年同期 column), for the same scope."""
    last_year, _final = await flagged_totals(
        session, totals.fiscal_year - 1, same_point_last_year(totals.as_of), totals.ward_code, threshold
    )
    return last_year


async def previous_month_totals(
    session: AsyncSession, totals: Totals, ward_code: str | None, threshold: int
) -> Totals | None:
    """The figures at the end of the month before the as-of month, for the change column (none in April)."""
    before = previous_month_end(totals.as_of)
    if fiscal_year_of(before) != totals.fiscal_year:
        return None
    previous, _final = await totals_as_of(session, totals.fiscal_year, before, ward_code, threshold)
    return previous


async def month_completeness(
    session: AsyncSession, as_of: date, ward_code: str | None, lock_business_days: int, today: date
) -> dict[str, Completeness]:
    """Per ward of the scope: who reported for the as-of month of those expected, and how many before its lock."""
    lock = lock_date(as_of.year, as_of.month, lock_business_days)
    return await completeness(session, ward_code, as_of.year, as_of.month, today, lock)


def approval_month(as_of: date, today: date) -> date:
    """The month whose confirmation goes with figures as of `as_of` (any day of it): the as-of month once it is
    over, else the month before."""
    return as_of if month_end(as_of.year, as_of.month) < today else previous_month_end(as_of)


def change_of(indicator: Indicator, now: IndicatorValue, before: IndicatorValue) -> float | int | None:
    """How far a figure moved: the share (2-Q) in points (None while either side has no answers), any other
    indicator in its own unit."""
    if is_share(indicator):
        return change_in_points(now, before)
    return now.value - before.value
