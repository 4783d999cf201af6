"""Issue 19: 区別内訳 printed on its own — beside each figure last year's at the same day (the 前年同期 /totals
compares: `same_point_last_year(as_of)`, a closed month end's snapshot), the year, day and scope in the frozen
corner; read back against the totals engine on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from models.fiscal import same_point_last_year
from models.sheet.data import collect_sheet
from models.sheet.goal_sheets import NO_DATA
from models.sheet.measure import column_pixels, printed_width, text_height
from models.sheet.styles import BODY_SIZE, MIN_PRINT_SCALE, PRINTABLE_WIDTH_PT, TABLE_ROW_HEIGHT, WIDER_RENDERING
from models.sheet.tabs import by_ward_columns
from models.sheet.workbook import build_workbook
from models.snapshots import close_month, totals_as_of
from models.totals import IndicatorValue, indicator_totals
from tests.builders import add_event
from tests.models.sheet.test_workbook import AS_OF, FUKUSHIMA, FY, GENERATED_AT, MIYAKOJIMA, Dataset, dataset

__all__ = ["dataset"]

LAST_YEAR_DAY = date(2024, 11, 30)  # same_point_last_year(AS_OF)
A4_LANDSCAPE_HEIGHT_PT = 595.3


async def last_year_events(session: AsyncSession) -> None:
    """FY2024 before and after its 11月末 in two wards (the dataset's FY2024 events are all on 2025-03-31)."""
    e = add_event
    await e(session, "area_meeting", date(2024, 5, 1), area="27102-01")
    await e(session, "concern_report", date(2024, 6, 2), FUKUSHIMA, area="27103-02")
    await e(session, "outreach", date(2024, 7, 1), count=4)
    await e(session, "outreach", date(2024, 11, 30), FUKUSHIMA, count=2)
    await e(session, "outreach", date(2024, 12, 1), count=50)  # after the same day: not in 前年同期
    await e(session, "agency_survey", date(2024, 9, 1), answer=True)
    await e(session, "agency_survey", date(2024, 9, 2), answer=False)
    await e(session, "agency_survey", date(2024, 9, 3), answer=False)
    await e(session, "participation_link", date(2024, 8, 1), FUKUSHIMA, household="H7")


async def sheet(session: AsyncSession, as_of: date = AS_OF, ward: str | None = None, fiscal_year: int = FY) -> Any:
    data = await collect_sheet(session, fiscal_year, as_of, ward, generated_at=GENERATED_AT)
    return load_workbook(BytesIO(build_workbook(data)))["区別内訳"]


def rows_by_ward(ws: Any) -> dict[str, tuple[Any, ...]]:
    return {str(line[0]): line for line in ws.iter_rows(min_row=3, values_only=True)}


def last_year_cells(line: tuple[Any, ...]) -> dict[str, Any]:
    """`<code> 前年同期` → the cell, from the figure columns (`[2 : 2 + len(columns)]`)."""
    columns = by_ward_columns()
    cells = zip(columns, line[2 : 2 + len(columns)], strict=True)
    return {code: value for (code, _label, _i, part), value in cells if part.startswith("last_year_")}


def expected_cells(figures: dict[str, IndicatorValue]) -> dict[str, Any]:
    """What the 前年同期 columns should hold for one ward's (or the total's) figures: the value, a share's %."""
    return {
        f"{i.code} 前年同期": figures[i.code].percent if part == "last_year_percent" else figures[i.code].value
        for _code, _label, i, part in by_ward_columns()
        if i is not None and part.startswith("last_year_")
    }


def column_widths(ws: Any, count: int) -> list[float]:
    """The widths as written (XlsxWriter adds Excel's 0.71 padding; one element covers a run of equal columns)."""
    widths = [0.0] * count
    for dimension in ws.column_dimensions.values():
        for column in range(dimension.min, min(dimension.max, count) + 1):
            widths[column - 1] = round(dimension.width - 0.7109375, 2)
    return widths


async def test_each_ward_has_last_years_figures_at_the_same_day(dataset: Dataset) -> None:
    session = dataset.session
    await last_year_events(session)
    ws = await sheet(session)
    assert same_point_last_year(AS_OF) == LAST_YEAR_DAY
    city = await indicator_totals(session, FY - 1, LAST_YEAR_DAY, None)
    rows = rows_by_ward(ws)
    assert len(rows) == 24 + 1 and set(rows) - {"合計"} == set(city.by_ward)
    for ward, figures in city.by_ward.items():
        assert last_year_cells(rows[ward]) == expected_cells(figures), ward
    assert last_year_cells(rows["合計"]) == expected_cells(city.indicators)
    # Each ward's as /totals reads it for that ward alone; the day after 11月末 is left out.
    for ward in (MIYAKOJIMA, FUKUSHIMA):
        alone = await indicator_totals(session, FY - 1, LAST_YEAR_DAY, ward)
        assert last_year_cells(rows[ward]) == expected_cells(alone.indicators), ward
    assert last_year_cells(rows[MIYAKOJIMA])["1-5 前年同期"] == 4
    assert last_year_cells(rows[FUKUSHIMA])["1-5 前年同期"] == 2
    assert last_year_cells(rows["合計"])["2-Q 前年同期"] == 33.3
    # This year's figure and last year's side by side, the latter labelled with its day.
    header, labels = [cell.value for cell in ws[1]], [cell.value for cell in ws[2]]
    outreach = header.index("1-5")
    assert header[outreach + 1] == "1-5 前年同期" and labels[outreach + 1] == "前年同期（令和6年11月末）"
    assert labels[header.index("2-Q 前年同期")] == "前年同期（令和6年11月末）（％）"
    assert header[header.index("2-Q") + 1] == "2-Q 前年同期"


async def test_a_day_inside_the_month_compares_the_same_day(dataset: Dataset) -> None:
    session = dataset.session
    await last_year_events(session)
    as_of = date(2025, 11, 15)
    ws = await sheet(session, as_of, ward=MIYAKOJIMA)
    day = same_point_last_year(as_of)
    assert day == date(2024, 11, 15)
    rows = rows_by_ward(ws)
    assert list(rows) == [MIYAKOJIMA, "合計"]
    ward = await indicator_totals(session, FY - 1, day, MIYAKOJIMA)
    assert last_year_cells(rows[MIYAKOJIMA]) == expected_cells(ward.indicators)
    assert last_year_cells(rows["合計"]) == expected_cells(ward.indicators)
    labels = [cell.value for cell in ws[2]]
    assert "前年同期（令和6年11月15日）" in labels


async def test_a_closed_month_end_last_year_is_its_snapshot(dataset: Dataset) -> None:
    session = dataset.session
    await last_year_events(session)
    assert await close_month(session, 2024, 11)
    await add_event(session, "outreach", date(2024, 11, 20), count=7)  # after the lock: the live figure moves
    frozen, final = await totals_as_of(session, FY - 1, LAST_YEAR_DAY, None)
    live = await indicator_totals(session, FY - 1, LAST_YEAR_DAY, None)
    assert final and frozen.indicators["1-5"].value + 7 == live.indicators["1-5"].value
    rows = rows_by_ward(await sheet(session))
    for ward, figures in frozen.by_ward.items():
        assert last_year_cells(rows[ward]) == expected_cells(figures), ward
    assert last_year_cells(rows["合計"]) == expected_cells(frozen.indicators)


async def test_a_last_year_without_data_shows_dashes_beside_this_years_figures(dataset: Dataset) -> None:
    ws = await sheet(dataset.session, date(2024, 11, 30), fiscal_year=2024)  # FY2023: nothing at all
    rows = rows_by_ward(ws)
    assert all(set(last_year_cells(line).values()) == {NO_DATA} for line in rows.values())
    figures = [cell for line in rows.values() for cell in line[2:-1] if cell != NO_DATA]
    assert figures and all(isinstance(cell, int | float) or cell is None for cell in figures)  # FY2024 has data
    labels = [cell.value for cell in ws[2]]
    assert "前年同期（令和5年11月末）" in labels


async def test_the_frozen_corner_says_the_year_day_and_scope(dataset: Dataset) -> None:
    """On screen and on every printed page (rows 1–2 and columns A–B repeat): A2:B2 holds the caption; row 1 keeps
    the column codes programs read."""
    for ward, scope in ((None, "大阪市（24区）"), (MIYAKOJIMA, "都島区")):
        ws = await sheet(dataset.session, ward=ward)
        assert ws["A2"].value == f"2025（令和7）年度\n令和7年11月末時点\n{scope}"
        assert "A2:B2" in {str(merged) for merged in ws.merged_cells.ranges}
        assert ws.freeze_panes == "C3"
        assert (ws["A1"].value, ws["B1"].value) == ("区コード", "区名")
        assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$2"
        height = ws.row_dimensions[2].height
        assert height is not None and height >= 3 * 16 + 1.5  # three 10 pt lines


async def test_it_prints_whole_indicators_beside_the_ward_names_at_nine_points(dataset: Dataset) -> None:
    """Several A4 pages across at 90 % (10 pt → 9 pt); a page break never falls between a figure and its 前年同期 or
    inside an indicator's columns, and each page's columns fit beside the repeated A:B with room for a renderer
    whose default font is wider (`WIDER_RENDERING`); rows 1–2 tall enough for their wrapped codes and labels."""
    ws = await sheet(dataset.session)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.scale == round(MIN_PRINT_SCALE * 100)
    header = [cell.value for cell in ws[1]]
    breaks = [brk.id for brk in ws.col_breaks.brk]
    figures = {code for code, _label, i, _part in by_ward_columns() if i is not None and code == i.code}
    assert breaks and all(header[column] in figures | {"報告済み"} for column in breaks)
    widths = column_widths(ws, len(header))
    room = PRINTABLE_WIDTH_PT / MIN_PRINT_SCALE / WIDER_RENDERING - printed_width(widths[:2])
    for first, last in zip([2, *breaks], [*breaks, len(header)], strict=True):
        assert printed_width(widths[first:last]) <= room, header[first:last]
    assert len(breaks) + 1 == 4  # pages
    for row in (1, 2):
        height = ws.row_dimensions[row].height
        for column, width in enumerate(widths, start=1):
            text = ws.cell(row=row, column=column).value
            if isinstance(text, str) and column > 2:
                assert height >= text_height(text, column_pixels(width), BODY_SIZE), (row, text)
    rows = sum(ws.row_dimensions[row].height or TABLE_ROW_HEIGHT for row in range(1, ws.max_row + 1))
    assert rows * MIN_PRINT_SCALE <= A4_LANDSCAPE_HEIGHT_PT - 72  # one page down (0.5 in margins)
