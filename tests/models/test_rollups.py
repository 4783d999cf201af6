"""The write-time rollups: kept by every write, equal to the raw aggregates, and what the totals engine reads."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from models.catalog import INDICATOR_BY_KIND, INDICATORS, INDICATORS_BY_CODE, Aggregation, Denominator
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event, void_event
from models.fiscal import fiscal_year_start
from models.ops.history import import_events
from models.rollups import check_rollups, rebuild_rollups
from models.tables import Area, Baseline, Event, RollupFirstDay, RollupMonth
from models.totals import indicator_totals, year_to_date
from tests.builders import add_event, area_id

WARD, OTHER_WARD = "27102", "27103"
PerWard = dict[str, dict[str, tuple[int, int | None]]]
# Today just after the latest fixture date, and a lock late enough that no fixture month has locked yet.
UNLOCKED: dict[str, Any] = {"today": date(2026, 5, 1), "lock_business_days": 600}


async def first_day(session: AsyncSession, kind: str, subject: str) -> tuple[date, int] | None:
    row = (
        await session.execute(
            sa.select(col(RollupFirstDay.first_on), col(RollupFirstDay.events)).where(
                col(RollupFirstDay.kind) == kind, col(RollupFirstDay.subject) == subject
            )
        )
    ).one_or_none()
    return None if row is None else (row[0], int(row[1]))


async def month_row(session: AsyncSession, kind: str, year: int, month: int) -> tuple[int, int, int, int]:
    row = (
        await session.execute(
            sa.select(
                col(RollupMonth.events),
                col(RollupMonth.total),
                col(RollupMonth.yes_answers),
                col(RollupMonth.first_days),
            ).where(col(RollupMonth.kind) == kind, col(RollupMonth.year) == year, col(RollupMonth.month) == month)
        )
    ).one_or_none()
    return (0, 0, 0, 0) if row is None else (int(row[0]), int(row[1]), int(row[2]), int(row[3]))


async def test_sums_and_answers_follow_record_void_and_correct(session: AsyncSession) -> None:
    counted = await add_event(session, "outreach", date(2025, 6, 3), count=3)
    await add_event(session, "outreach", date(2025, 6, 20), count=2)
    await add_event(session, "agency_survey", date(2025, 6, 4), answer=True)
    await add_event(session, "agency_survey", date(2025, 6, 5), answer=False)
    assert await month_row(session, "outreach", 2025, 6) == (2, 5, 0, 0)
    assert await month_row(session, "agency_survey", 2025, 6) == (2, 2, 1, 0)
    assert counted.id is not None
    moved = EventDraft(kind="outreach", occurred_on=date(2025, 7, 1), ward_code=WARD, count=4)
    await correct_event(
        session, counted.id, moved, by_staff_id=None, reason="日付の誤り", idempotency_key="c1", **UNLOCKED
    )
    assert await month_row(session, "outreach", 2025, 6) == (1, 2, 0, 0)
    assert await month_row(session, "outreach", 2025, 7) == (1, 4, 0, 0)
    assert await check_rollups(session) == []


async def test_a_void_of_the_first_day_or_the_last_event_recomputes_the_subject(session: AsyncSession) -> None:
    first = await add_event(session, "participation_link", date(2025, 5, 10), household="H1")
    await add_event(session, "participation_link", date(2025, 7, 1), household="H1")
    second_year = await add_event(session, "participation_link", date(2026, 4, 2), household="H1")
    assert await month_row(session, "participation_link", 2025, 5) == (1, 1, 0, 1)
    assert first.id is not None and second_year.id is not None
    await void_event(session, first.id, by_staff_id=None, reason="入力ミス", **UNLOCKED)
    query = sa.select(col(RollupFirstDay.fiscal_year), col(RollupFirstDay.first_on), col(RollupFirstDay.events))
    rows = (await session.execute(query.order_by(col(RollupFirstDay.fiscal_year)))).all()
    assert [tuple(row) for row in rows] == [(2025, date(2025, 7, 1), 1), (2026, date(2026, 4, 2), 1)]
    assert await month_row(session, "participation_link", 2025, 5) == (0, 0, 0, 0)
    assert await month_row(session, "participation_link", 2025, 7) == (1, 1, 0, 1)
    await void_event(session, second_year.id, by_staff_id=None, reason="入力ミス", **UNLOCKED)
    assert await month_row(session, "participation_link", 2026, 4) == (0, 0, 0, 0)
    assert len((await session.execute(sa.select(RollupFirstDay))).all()) == 1
    assert await check_rollups(session) == []


async def test_an_earlier_event_moves_an_areas_first_day(session: AsyncSession) -> None:
    await add_event(session, "area_meeting", date(2025, 6, 10), area="27102-01")
    await add_event(session, "area_meeting", date(2025, 5, 10), area="27102-01")
    area = await area_id(session, "27102-01")
    assert await first_day(session, "area_meeting", str(area)) == (date(2025, 5, 10), 2)
    assert (await month_row(session, "area_meeting", 2025, 6))[3] == 0
    assert (await month_row(session, "area_meeting", 2025, 5))[3] == 1
    assert await check_rollups(session) == []


async def test_a_households_first_day_moves_earlier_and_a_repeat_adds_to_it(session: AsyncSession) -> None:
    """A household is created by its first link; a repeat adds to the row; an earlier one moves its first day."""
    await add_event(session, "participation_link", date(2025, 6, 10), household="H7")
    await add_event(session, "participation_link", date(2025, 6, 20), household="H7")
    assert await first_day(session, "participation_link", "H7") == (date(2025, 6, 10), 2)
    await add_event(session, "participation_link", date(2025, 5, 10), household="H7")
    assert await first_day(session, "participation_link", "H7") == (date(2025, 5, 10), 3)
    assert (await month_row(session, "participation_link", 2025, 6))[3] == 0
    assert (await month_row(session, "participation_link", 2025, 5))[3] == 1
    await add_event(session, "area_meeting", date(2025, 6, 10), area="27102-05")  # an area's first meeting
    assert await first_day(session, "area_meeting", str(await area_id(session, "27102-05"))) == (date(2025, 6, 10), 1)
    assert await check_rollups(session) == []


async def test_history_import_is_counted(session: AsyncSession) -> None:
    history = (
        "kind,date,ward_code,area_code,household_ref,count,answer\n"
        "outreach,2024-06-03,27102,,,3,\n"
        "area_meeting,2024-07-01,27102,27102-01,,,\n"
        "area_meeting,2024-06-01,27102,27102-01,,,\n"
        "participation_link,2024-06-05,27102,,H9,,\n"
    )
    await import_events(session, history, **UNLOCKED)
    assert await month_row(session, "outreach", 2024, 6) == (1, 3, 0, 0)
    assert await first_day(session, "area_meeting", str(await area_id(session, "27102-01"))) == (date(2024, 6, 1), 2)
    assert await check_rollups(session) == []


async def test_check_finds_events_written_behind_the_rollups_and_rebuild_repairs(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2025, 6, 3))
    bulk = {
        "kind": "participation_link",
        "occurred_on": date(2025, 6, 4),
        "ward_code": WARD,
        "household_ref": "H2",
        "count": 1,
        "idempotency_key": "bulk-1",
        "source": "import",
    }
    await session.execute(sa.insert(Event), [bulk])  # a bulk load (as bench/dataset.py does) skips the rollups
    differences = await check_rollups(session)
    assert {(d.table, d.key[1]) for d in differences} == {
        ("rollup_month", "participation_link"),
        ("rollup_first_day", "participation_link"),
    }
    assert "stored None, from the events (None," in differences[-1].describe()
    rebuilt = await rebuild_rollups(session)
    assert len(rebuilt.months) == 2 and len(rebuilt.first_days) == 1
    assert await check_rollups(session) == []


async def test_the_engine_reads_the_rollups_and_the_unfinished_month_from_the_events(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2025, 4, 3), count=2)
    await add_event(session, "outreach", date(2025, 5, 20), count=5)
    await add_event(session, "outreach", date(2025, 5, 21), count=7)
    await add_event(session, "participation_link", date(2025, 5, 2), household="H1")
    await add_event(session, "participation_link", date(2025, 5, 30), household="H2")
    await add_event(session, "area_meeting", date(2025, 5, 25), area="27102-01")
    await session.execute(sa.update(RollupMonth).values(total=RollupMonth.total + 100))  # marks what rollups give
    totals = await indicator_totals(session, 2025, as_of=date(2025, 5, 20), ward_code=WARD)
    assert totals.indicators["1-5"].value == 102 + 5  # April from the rollups, May 1–20 from the events
    assert totals.indicators["3-1"].value == 1  # H1 only: H2's first day is after the as-of date
    assert totals.indicators["1-1"].value == 0
    whole = await indicator_totals(session, 2025, as_of=date(2025, 5, 31), ward_code=WARD)
    assert whole.indicators["1-5"].value == 102 + 112
    assert (whole.indicators["3-1"].value, whole.indicators["1-1"].value) == (2, 1)


# --- the engine against the events, for the state machine -------------------------------------------------------


async def raw_per_ward(session: AsyncSession, fiscal_year: int, as_of: date) -> PerWard:
    """Every ward × indicator counted in Python from the live events and the baselines of sum indicators."""
    window = (fiscal_year_start(fiscal_year), as_of)
    events = (
        await session.scalars(
            select(Event).where(col(Event.voided_at).is_(None), col(Event.occurred_on).between(*window))
        )
    ).all()
    areas = {area.id: area for area in (await session.scalars(select(Area))).all()}
    values: Counter[tuple[str, str]] = Counter()
    answers: Counter[str] = Counter()
    subjects: set[tuple[str, str, str]] = set()
    for event in events:
        indicator = INDICATOR_BY_KIND[event.kind]
        if indicator.aggregation is Aggregation.SUM:
            values[(event.ward_code, indicator.code)] += event.count
        elif indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            values[(event.ward_code, indicator.code)] += 1 if event.answer else 0
            answers[event.ward_code] += 1
        elif indicator.aggregation is Aggregation.DISTINCT_AREAS and event.area_id is not None:
            area = areas[event.area_id]
            if area.roster_provided and area.active:
                subjects.add((area.ward_code, indicator.code, str(area.id)))
        elif indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS and event.household_ref is not None:
            subjects.add((event.ward_code, indicator.code, event.household_ref))
    for ward, code, _subject in subjects:
        values[(ward, code)] += 1
    for baseline in (await session.scalars(select(Baseline).where(col(Baseline.removed_at).is_(None)))).all():
        if window[0] <= date(baseline.year, baseline.month, 1) <= as_of:
            values[(baseline.ward_code, baseline.indicator_code)] += baseline.value
            answers[baseline.ward_code] += baseline.denominator or 0
    roster = Counter(area.ward_code for area in areas.values() if area.roster_provided and area.active)

    def figure(ward: str, code: str) -> tuple[int, int | None]:
        denominator = INDICATORS_BY_CODE[code].denominator
        if denominator is Denominator.ROSTER_AREAS:
            return values[(ward, code)], roster[ward]
        return values[(ward, code)], answers[ward] if denominator is Denominator.SURVEY_ANSWERS else None

    return {ward: {i.code: figure(ward, i.code) for i in INDICATORS} for ward in (WARD, OTHER_WARD)}


async def engine_per_ward(session: AsyncSession, fiscal_year: int, as_of: date) -> PerWard:
    totals = await indicator_totals(session, fiscal_year, as_of=as_of)
    return {
        ward: {code: (value.value, value.denominator) for code, value in totals.by_ward[ward].items()}
        for ward in (WARD, OTHER_WARD)
    }


async def test_the_engine_equals_the_raw_count(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessions) as session:
        for day, ward in ((date(2025, 4, 30), WARD), (date(2025, 5, 1), OTHER_WARD), (date(2025, 5, 15), WARD)):
            await add_event(session, "concern_report", day, ward, area=f"{ward}-01")
            await add_event(session, "participation_link", day, ward, household="H1")
            await add_event(session, "agency_survey", day, ward, answer=day.day == 1)
            await add_event(session, "watch_consultation", day, ward, count=2)
        draft = EventDraft(kind="outreach", occurred_on=date(2025, 5, 2), ward_code=WARD, count=3)
        await record_event(session, draft, idempotency_key="k", **UNLOCKED)
    async with session_scope(sessions) as session:
        for as_of in (date(2025, 4, 30), date(2025, 5, 10), date(2025, 5, 31), date(2025, 6, 1)):
            assert await engine_per_ward(session, 2025, as_of) == await raw_per_ward(session, 2025, as_of), as_of


async def test_concurrent_writers_on_one_subject_and_month_keep_the_rollups_exact(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time; concurrent writers are the PostgreSQL case")

    async def record(number: int, day: date) -> None:
        async with session_scope(sessions) as session:
            draft = EventDraft(kind="participation_link", occurred_on=day, ward_code=WARD, household_ref="H1")
            await record_event(session, draft, idempotency_key=f"race-{number}", **UNLOCKED)

    days = [date(2025, 6, 20), date(2025, 5, 3), date(2025, 6, 1), date(2025, 5, 30), date(2025, 7, 2)] * 2
    await asyncio.gather(*(record(number, day) for number, day in enumerate(days)))
    async with session_scope(sessions) as session:
        assert await check_rollups(session) == []
        assert await first_day(session, "participation_link", "H1") == (date(2025, 5, 3), 10)
        assert await month_row(session, "participation_link", 2025, 5) == (4, 4, 0, 1)


async def test_year_to_date_reads_whole_months_and_the_unfinished_one(session: AsyncSession) -> None:
    for day, count, answer in (
        (date(2025, 4, 2), 2, True),
        (date(2025, 5, 10), 3, False),
        (date(2025, 5, 28), 4, True),
    ):
        await add_event(session, "outreach", day, count=count)
        await add_event(session, "agency_survey", day, answer=answer)
    for as_of in (date(2025, 4, 15), date(2025, 4, 30), date(2025, 5, 20), date(2025, 5, 31)):
        engine = await indicator_totals(session, 2025, as_of=as_of, ward_code=WARD)
        for code in ("1-5", "2-Q"):
            assert await year_to_date(session, code, 2025, as_of, WARD) == engine.indicators[code], (code, as_of)
    assert (await year_to_date(session, "1-5", 2025, date(2025, 5, 20), WARD)).value == 5
