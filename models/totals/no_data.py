"""A fiscal year with nothing for a scope (no live event, no baseline): its figures are 「—」, not zeros."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import INDICATOR_BY_KIND
from models.fiscal import fiscal_year_end, fiscal_year_start
from models.tables import Baseline, Event
from models.totals.rows import live_events_in
from models.totals.values import Totals


async def has_data(session: AsyncSession, fiscal_year: int, ward_code: str | None = None) -> bool:
    """Whether a fiscal year has anything for a scope: a live event or a live baseline.

    Without either its figures are "no data" (shown 「—」 with a pointer to `intake baseline set`), not zeros.
    """
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    every_kind = col(Event.kind).in_(sorted(INDICATOR_BY_KIND))  # seeks the (kind, date) index instead of scanning it
    events = sa.select(col(Event.id)).where(every_kind, *live_events_in((start, end), ward_code)).limit(1)
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
