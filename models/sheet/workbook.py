"""The progress sheet (推進状況確認シート) as an Excel workbook, and the data behind every figure in it.

`collect_sheet` reads: the totals engine (SQL aggregates) for each plan year, plus simple selects (the
sheet's bullets, the counted events or, for the city, the monthly evidence of `models.sheet.evidence`, read
from the rollups like the totals). `build_workbook` is pure: the same `SheetData` gives the same bytes (the
document properties carry `generated_at`, not the clock).
`write_sheet` does both with bounded memory, streaming the event list from the database into the file.

Worksheets, in this order:

"基本目標1", "基本目標2", "参加支援" (`Sheet.goal`) — the client's three sheets, one layout:
    columns  A section label · B ア/イ/ウ · C indicator label · D/E/F the plan years 2024/2025/2026
             (`YEAR_COLUMNS`) · G hidden row key (`KEY_COLUMN`; tests find rows with `tests/sheet_reading.py`)
    row 1    title: SHEET_TITLE + `（令和7年11月末時点）`, plus `　<ward name>` for a ward (A1, merged A:F)
    row 2    A `基本理念`, B:F the philosophy                               key `philosophy`
    row 3    A `基本目標`, B:C goal 1, D:F goal 2 (side by side)             key `goals`
    row 4    A the sheet's goal (基本目標1 …), B:D its heading, E:F the source note (right)  key `heading`
    then     per sub-initiative: B letter, C:F title (key `sub:ア`); then one row per description,
             C:F `・…` (key `description:ア`); sheet 3 has no letter and no title line (key `description:`)
    then     a 4 pt spacer row; the year header row: D/E/F `2024（令和6）年度（3月末）`, the chosen year at its
             as-of month `2025（令和7）年度（11月末）`, a year not started bare (key `years`)
    then     four sections, A merged down each section with its label:
             取組内容 (key `activities`; sheet 3 first has the seed's 「※市区社協での取組」, B:F, key
             `activities_remark`), 量的成果（指標） (key `indicator:<code>` per indicator: B letter, C label
             (a ward's 3-1 without 「（24区合計）」), D–F the figure written by `sheet_figure`: 「（名簿提供地域数）」
             after a roster denominator, 1-2's share on its own 「（　％）」 line, 「—」 for a year without data),
             質的成果 (sheet 2: first the row `indicator:2-Q`; then rows keyed `qualitative`),
             課題と今後の方向性 (key `issues`).
             A bullet row holds `・<text>` or a lone `・` in each year column that has started; there are
             at least `MIN_BULLET_LINES` rows per section.
    last     only when a figure on the worksheet includes a baseline (written with a trailing ※), the footnote
             `BASELINE_NOTE` (A:F merged, key `baseline_note`);
             then, only when a year shows 「—」 (`Totals.no_data`), `NO_DATA_NOTE` (key `no_data_note`)
    A year that has not started by the as-of date (later than the chosen year) is blank everywhere.
    Printed: A4 landscape fitted to one page; the columns fill the width at 100 % and the rows (1.6 × 10 pt a
    line) add up to one page at 90 % or more with two bullet lines a section (tests add them up), so 10 pt
    游ゴシック prints at 9 pt or more. More bullets make the page shrink below that.

"数値" — machine-readable figures: one row per (plan year up to the chosen one, indicator); header row 1
    (`FIGURE_COLUMNS`): year, as-of, scope, indicator code, sheet, sub, label, value, denominator, percent,
    the sheet's notation; a year without data has empty figures and the notation 「—」.
"区別内訳" — the chosen year per ward, last year's beside it: header row 1 = column codes (区コード, 区名, then per
    indicator its code, beside it `<code> 前年同期` — the previous year at the same day, `same_point_last_year`
    (as_of), as /totals compares, a closed month end's snapshot — then `<code> 分母` where it has a denominator,
    `<code> ％` where the sheet shows a percentage; 2-Q is its percentage, `2-Q 前年同期` (last year's percentage),
    `2-Q はい` and `2-Q 分母`; last `COMPLETENESS_CODES` and `確認状況`), row 2 = Japanese labels (the 前年同期
    ones with their day: 「前年同期（令和6年11月末）」) but for A2:B2, merged: the caption, a line each for the
    year, the as-of date and the scope. Rows 1–2 and columns A–B are frozen and repeat on every printed page, so
    the caption is on screen and on paper without a row of its own (readers keep row 1 = codes, row 3 = first
    ward); the printed page header repeats it after 「区別内訳」. One row per ward (the city's order), then the
    total row (A `合計`, B the scope's name). A year without data shows 「—」 in every figure of that year (this
    year's and last year's each on its own). Printed at 90 % (`print_setup`), several A4 pages across, each page
    whole indicators — a figure never apart from its 前年同期 — with room to spare for a wider substitute font
    (`column_breaks`); rows 1–2 as tall as their wrapped codes and labels.
"地域別" — every roster-provided active area of the scope (wards in the city's order, then area codes): header row 1
    = `COVERAGE_COLUMNS` (区コード, 区名, 地域コード, 地域名, then for 1-1 and 1-2 the month it first counted this
    year as 'YYYY-MM', 「未」 if not yet; `models.coverage`, the totals engine's days, without baselines).
"集計根拠" — a ward's sheet: every live event of the chosen year up to the as-of date in the ward, by date then
    No.: header row 1 = `EVENT_COLUMNS`. No notes, no staff, no Telegram ids. The city's sheet, whatever its
    size: rows 1–2 are `MONTHLY_NOTES` (what the columns count, that a ward's months of an indicator add up to
    its figure without baselines, that the event list is `intake export`) and row 3 heads `MONTHLY_COLUMNS`:
    per ward × indicator × month, the counted figures (`models.sheet.evidence`: read from the rollups as the
    totals engine reads them; a closed month end's as recorded when it froze).
"定義" — the definitions used, in Japanese: header row 1 (キー, 項目, 値, 説明), then one row per definition keyed
    in the hidden column A (`regular_meeting_threshold`, `distinct_areas`, `households`, `fiscal_year`, `as_of`,
    `scope`, `earlier_years`, `voided`, `no_data`, `generated_at`, `from_snapshot`, `note`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import SHEET_TITLE, SHEETS
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS
from models.sheet.coverage_tab import write_coverage
from models.sheet.data import SheetData, collect_sheet, stream_counted_events
from models.sheet.event_rows import EventRow
from models.sheet.goal_sheets import GoalSheetWriter
from models.sheet.styles import SheetWorksheet, Styles, print_setup, write_cell
from models.sheet.tabs import (
    EVENT_COLUMNS,
    EVENT_WIDTHS,
    event_cells,
    table_header,
    write_by_ward,
    write_definitions,
    write_figures,
    write_monthly_evidence,
)

CREATOR = "mimamori-intake"


async def write_sheet(
    session: AsyncSession,
    target: str | Path | BytesIO,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    regular_meeting_threshold: int = 1,
    *,
    generated_at: datetime | None = None,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
) -> SheetData:
    """Collect and write the workbook to `target`, streaming the event list from the database in chunks.

    Memory stays bounded however many events there are: no list of events, one row in memory per worksheet.
    """
    data = await collect_sheet(
        session,
        fiscal_year,
        as_of,
        ward_code,
        regular_meeting_threshold,
        generated_at=generated_at,
        with_events=False,
        lock_business_days=lock_business_days,
    )
    with SheetWorkbook(target, data) as book:
        if data.evidence is None:
            async for chunk in stream_counted_events(
                session, data.fiscal_year, data.as_of, ward_code, recorded_by=data.recorded_by
            ):
                book.add_events(chunk)
    return data


# --- building ---------------------------------------------------------------------------------------------
#
# XlsxWriter in constant_memory mode (measured against openpyxl's write-only mode: about three times faster per
# cell and half the memory): each worksheet is written strictly row by row to a temporary file, so a row must
# be complete before the next one starts. Every style is one shared Format from `Styles` (never one per cell).
# The city's workbook has no event list (its 集計根拠 is at most wards × kinds × months rows): it is built in
# memory, its repeated texts (ward names, labels, months) stored once as shared strings, about a quarter faster
# to write than inline; the rows are written in the same order either way.


def build_workbook(data: SheetData) -> bytes:
    """The workbook as .xlsx bytes: the three sheets, then 数値, 区別内訳, 地域別, 集計根拠 and 定義."""
    raw = BytesIO()
    with SheetWorkbook(raw, data) as book:
        if data.evidence is None:
            book.add_events(data.events)
    return raw.getvalue()


class SheetWorkbook:
    """Writes every worksheet but the event rows of 集計根拠 on entry; `add_events` streams those in chunks.

    `target` is a path or a binary buffer. The bytes depend only on the data (`generated_at`, not the clock).
    """

    def __init__(self, target: str | Path | BytesIO, data: SheetData) -> None:
        self.data = data
        streamed = data.evidence is None  # a ward's event list: bounded memory however many events
        options = {"constant_memory": True} if streamed else {"in_memory": True}
        self.workbook = xlsxwriter.Workbook(target if isinstance(target, BytesIO) else str(target), options)
        self.styles = Styles(self.workbook)
        self.events_sheet: Any = None
        self.event_rows = 0

    def __enter__(self) -> SheetWorkbook:
        stamp = self.data.generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self.workbook.set_properties({"created": stamp, "author": CREATOR, "title": SHEET_TITLE})
        pages = [(self._add(sheet.goal), sheet) for sheet in SHEETS]
        names = ("数値", "区別内訳", "地域別", "集計根拠", "定義")
        figures, by_ward, coverage, evidence, definitions = (self._add(name) for name in names)
        for worksheet, sheet in pages:
            GoalSheetWriter(worksheet, self.styles, self.data, sheet).write()
        write_figures(figures, self.styles, self.data)
        write_by_ward(by_ward, self.styles, self.data)
        write_coverage(coverage, self.styles, self.data)
        write_definitions(definitions, self.styles, self.data)
        if self.data.evidence is None:
            self.events_sheet = evidence
            table_header(evidence, self.styles, EVENT_COLUMNS, EVENT_WIDTHS)
        else:
            write_monthly_evidence(evidence, self.styles, self.data.evidence)
        return self

    def _add(self, name: str) -> Any:
        return self.workbook.add_worksheet(name, worksheet_class=SheetWorksheet)

    def add_events(self, events: Iterable[EventRow]) -> None:
        """The next 集計根拠 rows (by date then No.), as they come from the database."""
        sheet, body = self.events_sheet, self.styles.body
        for event in events:
            self.event_rows += 1
            row = self.event_rows
            sheet.write_number(row, 0, event.event_id, body)
            sheet.write_datetime(row, 1, event.occurred_on, self.styles.date)
            for column, value in enumerate(event_cells(event), start=2):
                if value is not None:  # an empty cell is left out: tens of thousands of rows, a third of them empty
                    write_cell(sheet, row, column, value, body)

    def __exit__(self, *exc_info: object) -> None:
        if self.events_sheet is not None:
            last = len(EVENT_COLUMNS) - 1
            if self.event_rows:
                self.events_sheet.autofilter(0, 0, self.event_rows, last)
                # The empty cells left out above still get their box, as one rule rather than a cell each.
                box = {"type": "blanks", "format": self.styles.blank_box}
                self.events_sheet.conditional_format(1, 0, self.event_rows, last, box)
            print_setup(self.events_sheet, self.event_rows, EVENT_WIDTHS)
            self.events_sheet.repeat_rows(0)
        self.workbook.close()
