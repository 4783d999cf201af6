"""The streamed workbook: the same bytes as the in-memory one, events read in chunks, the city's monthly evidence."""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from models.catalog import INDICATORS, Aggregation
from models.sheet.data import collect_sheet, counted_events, stream_counted_events
from models.sheet.tabs import EVENT_COLUMNS, MONTHLY_COLUMNS, MONTHLY_NOTES
from models.sheet.workbook import build_workbook, write_sheet
from tests.models.sheet.test_workbook import AS_OF, FY, GENERATED_AT, MIYAKOJIMA, Dataset, dataset, engine_totals

__all__ = ["dataset"]  # the fixture, shared with the read-back tests


async def test_the_streamed_workbook_is_the_in_memory_one_byte_for_byte(dataset: Dataset) -> None:
    for ward in (None, MIYAKOJIMA):
        streamed = BytesIO()
        data = await write_sheet(dataset.session, streamed, FY, AS_OF, ward, generated_at=GENERATED_AT)
        assert data.events == []  # nothing was held: the rows went straight into the file
        listed = await collect_sheet(dataset.session, FY, AS_OF, ward, generated_at=GENERATED_AT)
        assert streamed.getvalue() == build_workbook(listed), ward


async def test_events_are_read_in_chunks_in_the_listing_order(dataset: Dataset) -> None:
    chunks = [chunk async for chunk in stream_counted_events(dataset.session, FY, AS_OF, None, chunk=4)]
    assert [len(chunk) for chunk in chunks] == [4, 4, 4, 4, 1]
    assert [event for chunk in chunks for event in chunk] == await counted_events(dataset.session, FY, AS_OF, None)


def monthly_rows(workbook: Any) -> tuple[str, list[tuple[Any, ...]]]:
    """The city's 集計根拠: its header notes (joined) and its rows under the column header."""
    ws = workbook["集計根拠"]
    header = len(MONTHLY_NOTES) + 1
    assert tuple(cell.value for cell in ws[header]) == MONTHLY_COLUMNS
    notes = "".join(str(ws.cell(row=row, column=1).value) for row in range(1, header))
    return notes, list(ws.iter_rows(min_row=header + 1, values_only=True))


async def test_the_city_lists_ward_by_indicator_by_month_with_event_counts(dataset: Dataset) -> None:
    data = await collect_sheet(dataset.session, FY, AS_OF, None, generated_at=GENERATED_AT)  # 17 events: small
    assert data.evidence is not None and data.events == []
    note, rows = monthly_rows(load_workbook(BytesIO(build_workbook(data))))
    assert "システム管理者" in note and "intake" not in note  # whom to ask, no command line
    assert sum(row[5] for row in rows) == len(dataset.live)  # every counted event, once
    totals = (await engine_totals(dataset.session))[FY]
    for indicator in INDICATORS:
        figures = [row for row in rows if row[2] == indicator.code]
        if indicator.aggregation is Aggregation.SUM:
            assert sum(row[6] for row in figures) == totals.indicators[indicator.code].value, indicator.code
    by_key = {(row[0], row[2], row[4]): row for row in rows}
    assert by_key[(MIYAKOJIMA, "1-1", "2025-04")][5:] == (1, 1, 1, None, None)  # one meeting, one area counted
    assert by_key[(MIYAKOJIMA, "1-1", "2025-06")][5:] == (1, 1, 0, None, None)  # the same area again: none new
    assert by_key[(MIYAKOJIMA, "3-1", "2025-06")][5:] == (1, 1, None, 0, None)  # H1 again: no new household
    assert by_key[(MIYAKOJIMA, "3-1", "2025-07")][5:] == (1, 1, None, 1, None)
    assert by_key[(MIYAKOJIMA, "2-Q", "2025-09")][5:] == (2, 2, None, None, 1)  # two answers, one yes
    assert by_key[(MIYAKOJIMA, "1-3", "2025-05")][5:] == (1, 12, None, None, None)
    assert by_key[("27103", "2-5", "2025-09")][1] == "福島区"
    assert Counter(row[0] for row in rows) == {MIYAKOJIMA: 12, "27103": 4}  # groups with events only


async def test_even_a_small_city_gets_the_monthly_table_and_a_ward_the_event_list(dataset: Dataset) -> None:
    city = await collect_sheet(dataset.session, FY, AS_OF, None, generated_at=GENERATED_AT)
    assert city.evidence is not None and len(dataset.live) < 20
    note, _rows = monthly_rows(load_workbook(BytesIO(build_workbook(city))))
    assert "システム管理者" in note and "intake" not in note  # whom to ask, no command line
    ward = await collect_sheet(dataset.session, FY, AS_OF, MIYAKOJIMA, generated_at=GENERATED_AT)
    assert ward.evidence is None
    listing = load_workbook(BytesIO(build_workbook(ward)))["集計根拠"]
    assert tuple(cell.value for cell in listing[1]) == EVENT_COLUMNS
