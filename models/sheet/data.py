"""What the workbook shows, gathered once (`SheetData`): the totals of each plan year, the bullets, the ward
names and the counted events (a ward's 集計根拠) or the monthly evidence (the city's)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.approval import month_states
from models.catalog import (
    FISCAL_YEARS_OF_PLAN,
    KINDS_BY_CODE,
    SHEETS,
    SheetSection,
)
from models.coverage import AreaCoverage, area_coverage
from models.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start, same_point_last_year
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS, lock_date
from models.sheet.event_rows import EventRow, event_row, event_rows_query
from models.sheet.evidence import MonthlyFigure, live_at, monthly_figures
from models.snapshots import city_evidence_as_of, snapshot_taken_at, totals_as_of
from models.tables import Event, SheetBullet, Ward
from models.totals import (
    IndicatorValue,
    Totals,
    flag_no_data,
    indicator_totals,
    resolve_as_of,
)
from models.who_reported import Completeness, completeness

SNAPSHOT_NOTE = "月末確定値（締切時に保存した集計）です。締切後の修正は含みません。"

BulletKey = tuple[int, SheetSection, int]  # (sheet number, section, fiscal year)
CITY_NAME = "大阪市（24区）"
STREAM_CHUNK = 2_000  # events fetched from the database at a time


@dataclass
class SheetData:
    """Everything the workbook shows, gathered once; `from_snapshot`/`note` say where it came from."""

    fiscal_year: int
    as_of: date
    ward_code: str | None  # None: the whole city
    ward_name: str | None
    totals_by_year: dict[int, Totals]  # plan years up to the chosen one; later years are absent (blank)
    bullets: dict[BulletKey, list[str]]
    by_ward: dict[str, dict[str, IndicatorValue]]  # the chosen year
    ward_names: dict[str, str]
    events: list[EventRow]
    definitions: dict[str, Any]
    generated_at: datetime
    from_snapshot: bool = False
    note: str = ""
    evidence: list[MonthlyFigure] | None = None  # the city's monthly 集計根拠; None: the event list
    recorded_by: datetime | None = field(default=None, repr=False)  # a frozen sheet: events as of this moment
    approval: dict[str, str] = field(default_factory=dict)  # ward → its as-of month's state (models.approval), now
    coverage: list[AreaCoverage] = field(default_factory=list)  # 地域別: the scope's areas, 1-1/1-2 first months
    completeness: dict[str, Completeness] = field(default_factory=dict)  # 区別内訳: the as-of month, per ward
    # 区別内訳's 前年同期: the previous year at `same_point_last_year(as_of)` for the same scope, as /totals compares
    # (its `by_ward` per ward, its `indicators` the total row); None: not gathered, every such cell 「—」.
    same_day_last_year: Totals | None = None

    @property
    def scope(self) -> str:
        return self.ward_code or "city"

    @property
    def scope_label(self) -> str:
        return self.ward_name or CITY_NAME

    @property
    def totals(self) -> Totals:
        return self.totals_by_year[self.fiscal_year]

    @property
    def by_ward_last_year(self) -> dict[str, dict[str, IndicatorValue]]:
        return self.same_day_last_year.by_ward if self.same_day_last_year is not None else {}

    def bullets_for(self, sheet: int, section: SheetSection, fiscal_year: int) -> list[str]:
        return self.bullets.get((sheet, section, fiscal_year), [])


# --- collecting -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartFigures:
    """What /chart draws: this year's and last year's monthly series, and last year's figures at the same day
    as this year's (the 前年同期 of /totals), which the chart labels."""

    this_year: Totals
    last_year: Totals
    same_day: Totals


async def collect_chart(
    session: AsyncSession, fiscal_year: int, ward_code: str | None, regular_meeting_threshold: int = 1
) -> ChartFigures:
    """The chart's figures for a scope as of today: the same-day figures are read as /totals reads them."""
    this_year = await flag_no_data(
        session, await indicator_totals(session, fiscal_year, None, ward_code, regular_meeting_threshold)
    )
    last_year = await flag_no_data(
        session, await indicator_totals(session, fiscal_year - 1, None, ward_code, regular_meeting_threshold)
    )
    same_day, _final = await totals_as_of(
        session, fiscal_year - 1, same_point_last_year(this_year.as_of), ward_code, regular_meeting_threshold
    )
    return ChartFigures(this_year, last_year, await flag_no_data(session, same_day))


async def collect_sheet(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    regular_meeting_threshold: int = 1,
    *,
    generated_at: datetime | None = None,
    with_events: bool = True,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
) -> SheetData:
    """The sheet's data for a plan year as of a date (capped at the year end), for the city or one ward.

    The 集計根拠 evidence: a ward's event list; for the city, always its monthly figures (`evidence`).
    `with_events=False` leaves the event list empty for the caller to stream (`write_sheet`). Raises
    ValueError for a year outside the plan, an as-of date before the year, or an unknown ward.
    """
    if fiscal_year not in FISCAL_YEARS_OF_PLAN:
        years = "–".join(str(year) for year in (FISCAL_YEARS_OF_PLAN[0], FISCAL_YEARS_OF_PLAN[-1]))
        raise ValueError(f"fiscal year {fiscal_year} is outside the plan ({years})")
    as_of = resolve_as_of(fiscal_year, as_of)
    ward_names = await _ward_names(session)
    if ward_code is not None and ward_code not in ward_names:
        raise ValueError(f"unknown ward code {ward_code}")
    totals_by_year = await _totals_by_year(session, fiscal_year, as_of, ward_code, regular_meeting_threshold)
    chosen = totals_by_year[fiscal_year]
    # A closed month's sheet is the one frozen when it locked: figures from the snapshot, and the events
    # as they were recorded at that moment (later corrections are left out, so every number still traces).
    frozen_at = await snapshot_taken_at(session, as_of, ward_code)
    evidence = None
    if ward_code is None:
        rows = await city_evidence_as_of(session, fiscal_year, as_of, regular_meeting_threshold)
        evidence = monthly_figures(rows, ward_names)
    listed = with_events and evidence is None
    return SheetData(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        ward_name=ward_names[ward_code] if ward_code else None,
        totals_by_year=totals_by_year,
        bullets=await _bullets(session, fiscal_year, ward_code),
        by_ward=chosen.by_ward,
        ward_names=ward_names,
        events=await counted_events(session, fiscal_year, as_of, ward_code, recorded_by=frozen_at) if listed else [],
        definitions=dict(chosen.definitions),
        generated_at=generated_at or datetime.now(UTC),
        from_snapshot=frozen_at is not None,
        note=SNAPSHOT_NOTE if frozen_at is not None else "",
        evidence=evidence,
        recorded_by=frozen_at,
        approval={ward: state.value for ward, state in (await month_states(session, as_of.year, as_of.month)).items()},
        coverage=await area_coverage(session, fiscal_year, as_of, ward_code, regular_meeting_threshold),
        completeness=await completeness(
            session, ward_code, as_of.year, as_of.month, as_of, lock_date(as_of.year, as_of.month, lock_business_days)
        ),
        same_day_last_year=await _same_day_last_year(
            session, totals_by_year, as_of, ward_code, regular_meeting_threshold
        ),
    )


async def _same_day_last_year(
    session: AsyncSession, totals_by_year: dict[int, Totals], as_of: date, ward_code: str | None, threshold: int
) -> Totals:
    """The previous fiscal year at the same day (/totals' 前年同期), for the scope with every ward's breakdown (one
    engine pass, or a closed month end's snapshot); at a year end that is last year's column, already gathered."""
    day = same_point_last_year(as_of)
    gathered = totals_by_year.get(fiscal_year_of(day))
    if gathered is not None and gathered.as_of == day:
        return gathered
    last_year, _frozen = await totals_as_of(session, fiscal_year_of(day), day, ward_code, threshold)
    return await flag_no_data(session, last_year)


async def _totals_by_year(
    session: AsyncSession, fiscal_year: int, as_of: date, ward_code: str | None, threshold: int
) -> dict[int, Totals]:
    """The chosen year as of `as_of`; earlier plan years as of their year end; later years not at all."""
    totals: dict[int, Totals] = {}
    for year in FISCAL_YEARS_OF_PLAN:
        if year <= fiscal_year:
            year_as_of = as_of if year == fiscal_year else fiscal_year_end(year)
            year_totals, _frozen = await totals_as_of(session, year, year_as_of, ward_code, threshold)
            totals[year] = await flag_no_data(session, year_totals)
    return totals


async def _ward_names(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(sa.select(col(Ward.code), col(Ward.name_ja)).order_by(col(Ward.code)))
    return {code: name for code, name in rows}


async def _bullets(session: AsyncSession, fiscal_year: int, ward_code: str | None) -> dict[BulletKey, list[str]]:
    """Live bullets of the plan years up to the chosen one, for the city sheet (ward None) or the ward's."""
    scope = col(SheetBullet.ward_code).is_(None) if ward_code is None else col(SheetBullet.ward_code) == ward_code
    query = (
        sa.select(col(SheetBullet.sheet), col(SheetBullet.section), col(SheetBullet.fiscal_year), col(SheetBullet.text))
        .where(
            # Every key column of ix_sheet_bullet_scope named (the sheets too): the index is searched, not scanned,
            # however many years of bullets exist.
            col(SheetBullet.sheet).in_([sheet.number for sheet in SHEETS]),
            scope,
            col(SheetBullet.removed_at).is_(None),
            col(SheetBullet.fiscal_year).in_([year for year in FISCAL_YEARS_OF_PLAN if year <= fiscal_year]),
            col(SheetBullet.section).in_([section.value for section in SheetSection]),
        )
        .order_by(col(SheetBullet.position), col(SheetBullet.id))
    )
    bullets: dict[BulletKey, list[str]] = defaultdict(list)
    for sheet, section, year, text in await session.execute(query):
        bullets[(sheet, SheetSection(section), year)].append(text)
    return dict(bullets)


async def counted_events(
    session: AsyncSession, fiscal_year: int, as_of: date, ward_code: str | None, recorded_by: datetime | None = None
) -> list[EventRow]:
    """Every live event of the fiscal year up to `as_of` in the scope, by date then number (one select).

    With `recorded_by`: the events as they stood at that moment (logged by then, not yet voided by then).
    """
    query = _counted_events_query(fiscal_year, as_of, ward_code, recorded_by)
    return [event_row(tuple(row)) for row in await session.execute(query)]


async def stream_counted_events(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    recorded_by: datetime | None = None,
    chunk: int = STREAM_CHUNK,
) -> AsyncIterator[list[EventRow]]:
    """`counted_events` in chunks of `chunk`, read through a server-side cursor (never one list)."""
    query = _counted_events_query(fiscal_year, as_of, ward_code, recorded_by)
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for rows in result.partitions(chunk):
        yield [event_row(tuple(row)) for row in rows]


def _counted_events_query(
    fiscal_year: int, as_of: date, ward_code: str | None, recorded_by: datetime | None
) -> sa.Select[Any]:
    return event_rows_query(live_at(recorded_by, *_in_window(fiscal_year, as_of, ward_code)))


def _in_window(fiscal_year: int, as_of: date, ward_code: str | None) -> list[sa.ColumnElement[bool]]:
    """The sheet's events: every known kind (so the live-events indexes are searched, not scanned), the days."""
    days = col(Event.occurred_on).between(fiscal_year_start(fiscal_year), as_of)
    ward = [col(Event.ward_code) == ward_code] if ward_code is not None else []
    return [col(Event.kind).in_(sorted(KINDS_BY_CODE)), days, *ward]


def default_file_name(data: SheetData) -> str:
    """`sheet-2025-2025-11-30-city.xlsx` / `sheet-2025-2025-11-30-27102.xlsx`."""
    return f"sheet-{data.fiscal_year}-{data.as_of.isoformat()}-{data.scope}.xlsx"
