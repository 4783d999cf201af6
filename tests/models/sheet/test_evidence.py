"""The city's 集計根拠 (`models.sheet.evidence`): the counted figures per ward × indicator × month, read back from
the written workbook and added up to the sheet's own figures; the as-of month from its events; a frozen month end
as recorded when it froze (stored with the snapshot, or recomputed from the events for an older snapshot)."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from models.catalog import INDICATORS, Aggregation
from models.entries.draft import EventDraft
from models.entries.write import correct_event, void_event
from models.sheet.data import collect_sheet
from models.sheet.evidence import EvidenceRow, city_evidence, evidence_as_recorded
from models.sheet.tabs import MONTHLY_COLUMNS, MONTHLY_NOTES
from models.sheet.workbook import build_workbook
from models.snapshots import close_month
from models.tables import Event, EvidenceSnapshot, utcnow
from tests.builders import add_event
from tests.models.sheet.test_workbook import AS_OF, FUKUSHIMA, FY, GENERATED_AT, MIYAKOJIMA, Dataset, dataset

__all__ = ["dataset"]  # the fixture, shared with the read-back tests

MID_MONTH = date(2025, 11, 20)  # November is not over: its part comes from its own events
COLUMN = {name: number for number, name in enumerate(MONTHLY_COLUMNS)}


async def november_events(session: AsyncSession) -> None:
    """Events of the unfinished as-of month: a new area for 1-2, 27102-02's second meeting, a new household."""
    await add_event(session, "concern_report", date(2025, 11, 5), area="27102-02")
    await add_event(session, "area_meeting", date(2025, 11, 3), area="27102-02")  # its first was on 5/1
    await add_event(session, "participation_link", date(2025, 11, 10), household="H3")
    await add_event(session, "agency_survey", date(2025, 11, 12), FUKUSHIMA, answer=True)


async def written(session: AsyncSession, as_of: date, threshold: int = 1) -> Any:
    data = await collect_sheet(session, FY, as_of, None, threshold, generated_at=GENERATED_AT)
    return load_workbook(BytesIO(build_workbook(data)))


def evidence_rows(book: Any) -> list[dict[str, Any]]:
    ws = book["集計根拠"]
    header = len(MONTHLY_NOTES) + 1
    assert tuple(cell.value for cell in ws[header]) == MONTHLY_COLUMNS
    lines = ws.iter_rows(min_row=header + 1, values_only=True)
    return [dict(zip(MONTHLY_COLUMNS, line, strict=True)) for line in lines]


def by_ward(book: Any) -> dict[str, dict[str, Any]]:
    """区別内訳: ward code → column code → cell (the total row left out)."""
    ws = book["区別内訳"]
    codes = [cell.value for cell in ws[1]]
    return {
        line[0]: dict(zip(codes, line, strict=True))
        for line in ws.iter_rows(min_row=3, values_only=True)
        if line[0] != "合計"
    }


def months_add_up(book: Any) -> set[str]:
    """Every ward's rows of every indicator add up to its figure in 区別内訳; the indicators where one was not 0."""
    rows, wards, checked = evidence_rows(book), by_ward(book), set()
    for ward, cells in wards.items():
        for indicator in INDICATORS:
            mine = [row for row in rows if row["区コード"] == ward and row["指標コード"] == indicator.code]

            def total(name: str, rows_: list[dict[str, Any]] = mine) -> int:
                return sum(row[name] for row in rows_)

            added: tuple[int, ...]
            shown: tuple[Any, ...]
            if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
                added, shown = (total("「はい」の回答数"), total("記録数")), (cells["2-Q はい"], cells["2-Q 分母"])
            else:
                column = {
                    Aggregation.SUM: "件数（人数）合計",
                    Aggregation.DISTINCT_AREAS: "新たに数えた地域",
                    Aggregation.DISTINCT_HOUSEHOLDS: "新たに数えた世帯",
                }[indicator.aggregation]
                added, shown = (total(column),), (cells[indicator.code],)
            assert added == shown, (ward, indicator.code)
            if any(shown):
                checked.add(indicator.code)
    return checked


async def test_the_header_rows_say_how_the_months_add_up_and_where_the_event_list_is(dataset: Dataset) -> None:
    ws = (await written(dataset.session, AS_OF))["集計根拠"]
    notes = "".join(str(ws.cell(row=row, column=1).value) for row in range(1, len(MONTHLY_NOTES) + 1))
    assert "システム管理者" in notes and "intake" not in notes  # whom to ask, no command line
    assert "合計すると、その区のシートの数値" in notes and "ベースライン" in notes


@pytest.mark.parametrize("threshold", [1, 2])
@pytest.mark.parametrize("as_of", [AS_OF, MID_MONTH])
async def test_a_wards_months_add_up_to_its_figure_on_the_written_sheet(
    dataset: Dataset, as_of: date, threshold: int
) -> None:
    await november_events(dataset.session)
    book = await written(dataset.session, as_of, threshold)
    assert {"1-1", "1-2", "3-1", "2-Q", "1-3", "2-5"} <= months_add_up(book)  # every kind of figure, not zeros
    rows = evidence_rows(book)
    areas = {(row["指標コード"], row["年月"]): row["新たに数えた地域"] for row in rows if row["区コード"] == MIYAKOJIMA}
    # 27102-02 met on 5/1 and 11/3: counted in May, or with two meetings needed, in November
    expected = (
        {("1-1", "2025-05"): 1, ("1-1", "2025-11"): 0}
        if threshold == 1
        else {("1-1", "2025-05"): 0, ("1-1", "2025-11"): 1}
    )
    assert {key: areas[key] for key in expected} == expected


async def test_the_unfinished_as_of_month_comes_from_its_own_events(dataset: Dataset) -> None:
    await november_events(dataset.session)
    rows = {(r.ward_code, r.kind, r.month): r for r in await city_evidence(dataset.session, FY, MID_MONTH)}
    month = "2025-11"
    assert (MIYAKOJIMA, "outreach", month) not in rows  # 11/30 is after the as-of date, though in the rollups
    assert rows[(MIYAKOJIMA, "concern_report", month)] == EvidenceRow(
        MIYAKOJIMA, "concern_report", month, 1, 1, new_areas=1
    )
    assert rows[(MIYAKOJIMA, "participation_link", month)].new_households == 1
    assert rows[(FUKUSHIMA, "agency_survey", month)] == EvidenceRow(FUKUSHIMA, "agency_survey", month, 1, 1, 1)
    whole = {(r.ward_code, r.kind, r.month): r for r in await city_evidence(dataset.session, FY, AS_OF)}
    assert whole[(MIYAKOJIMA, "outreach", month)].total == 3  # the month end: the whole month, from the rollups


@pytest.mark.parametrize("threshold", [1, 2])
@pytest.mark.parametrize("as_of", [AS_OF, MID_MONTH])
async def test_from_the_events_as_recorded_it_means_the_same(dataset: Dataset, as_of: date, threshold: int) -> None:
    await november_events(dataset.session)
    live = await city_evidence(dataset.session, FY, as_of, threshold)
    assert len(live) > 10
    assert await evidence_as_recorded(dataset.session, FY, as_of, utcnow() + timedelta(seconds=1), threshold) == live


async def changes_after_the_freeze(session: AsyncSession, events: list[Event]) -> None:
    """What a reopened month brings later: a void, a correction and a late entry."""
    household_h2 = next(e for e in events if e.kind == "participation_link" and e.household_ref == "H2")
    outreach = next(e for e in events if e.kind == "outreach" and e.occurred_on == AS_OF)
    assert household_h2.id is not None and outreach.id is not None
    await void_event(session, household_h2.id, by_staff_id=None, reason="重複入力", today=household_h2.occurred_on)
    await correct_event(
        session,
        outreach.id,
        EventDraft.of(outreach).model_copy(update={"count": 5}),
        by_staff_id=None,
        reason="件数誤り",
        idempotency_key="evidence-late-fix",
        today=AS_OF,
    )
    await add_event(session, "concern_report", date(2025, 11, 10), FUKUSHIMA, area="27103-01")


async def frozen_evidence(session: AsyncSession) -> list[EvidenceSnapshot]:
    return list((await session.scalars(select(EvidenceSnapshot))).all())


async def test_a_frozen_city_sheet_shows_the_evidence_stored_when_it_froze(dataset: Dataset) -> None:
    session = dataset.session
    before = (await collect_sheet(session, FY, AS_OF, None, generated_at=GENERATED_AT)).evidence
    assert await close_month(session, 2025, 11)
    assert [(row.as_of, len(row.rows)) for row in await frozen_evidence(session)] == [(AS_OF, len(before or []))]
    await changes_after_the_freeze(session, dataset.live)
    frozen = await collect_sheet(session, FY, AS_OF, None, generated_at=GENERATED_AT)
    assert frozen.from_snapshot and frozen.evidence == before
    shown = {(f.ward_code, f.indicator_code, f.month): f.count_sum for f in frozen.evidence or []}
    live = {(r.ward_code, r.kind, r.month): r.total for r in await city_evidence(session, FY, AS_OF)}
    assert (shown[(MIYAKOJIMA, "1-5", "2025-11")], live[(MIYAKOJIMA, "outreach", "2025-11")]) == (3, 5)
    assert {"1-1", "3-1", "2-Q"} <= months_add_up(load_workbook(BytesIO(build_workbook(frozen))))  # frozen both


async def test_an_older_snapshot_without_evidence_recomputes_it_as_recorded(dataset: Dataset) -> None:
    session = dataset.session
    before = (await collect_sheet(session, FY, AS_OF, None, 2, generated_at=GENERATED_AT)).evidence
    assert await close_month(session, 2025, 11, threshold=2)
    for stored in await frozen_evidence(session):  # as for a month closed before the evidence was frozen
        await session.delete(stored)
    await session.flush()
    await changes_after_the_freeze(session, dataset.live)
    frozen = await collect_sheet(session, FY, AS_OF, None, generated_at=GENERATED_AT)  # the snapshot's threshold
    assert frozen.from_snapshot and frozen.evidence == before
    assert await frozen_evidence(session) == []  # read, not written back


async def test_a_frozen_ward_sheet_lists_the_events_as_recorded_when_it_froze(dataset: Dataset) -> None:
    session = dataset.session
    before = await collect_sheet(session, FY, AS_OF, MIYAKOJIMA, generated_at=GENERATED_AT)
    assert await close_month(session, 2025, 11)
    await changes_after_the_freeze(session, dataset.live)  # a void and a correction in MIYAKOJIMA
    late = await add_event(session, "outreach", date(2025, 11, 28))  # logged after the freeze, in MIYAKOJIMA
    frozen = await collect_sheet(session, FY, AS_OF, MIYAKOJIMA, generated_at=GENERATED_AT)
    assert frozen.from_snapshot and frozen.events == before.events
    listed = {event.event_id for event in frozen.events}
    voided = {event.id for event in (await session.scalars(select(Event))).all() if event.voided_at is not None}
    assert listed & voided, "an event voided after the freeze is still on the frozen sheet"
    assert late.id not in listed
