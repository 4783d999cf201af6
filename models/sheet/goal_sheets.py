"""The client's three sheets (基本目標1, 基本目標2, 参加支援), written row by row in the seed's layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from models.catalog import (
    FISCAL_YEARS_OF_PLAN,
    INDICATORS,
    PLAN_GOALS,
    PLAN_PHILOSOPHY,
    SECTION_LABELS_JA,
    SHEET_TITLE,
    Denominator,
    Indicator,
    Sheet,
    SheetSection,
)
from models.fiscal import as_of_label, fiscal_year_label, month_end
from models.sheet.data import SheetData
from models.sheet.measure import column_pixels, text_height
from models.sheet.styles import Border, Styles, print_setup, write_cell
from models.totals import (
    IndicatorValue,
    sheet_notation,
)

BASELINE_MARK = "※"  # after a figure that includes a baseline (models.totals: IndicatorValue.from_baseline)
BASELINE_NOTE = "※ 集計開始前の実績値（ベースライン）を含みます"
NO_DATA = "—"  # a year with no events and no baselines in the scope (Totals.no_data): not a result of 0
# What a supervisor reads on the official sheet: what 「—」 means, no operator's instructions.
NO_DATA_NOTE = "「—」はデータなし（その年度・範囲に記録も過去の数値もありません）"
ROSTER_AREAS_NOTE = "（名簿提供地域数）"  # after the denominator, as on the seed
CITY_TOTAL_NOTE = "（24区合計）"  # in 3-1's label: true of the city's sheet only
SEED_CITY_TOTAL_NOTE = "　（24区合計）"  # how the seed prints it: 「…対象世帯数　（24区合計）」
# The section labels as printed in the narrow column A, broken between words (never 「量的成果（指標」 + 「）」).
SECTION_LINES = {"量的成果（指標）": "量的成果\n（指標）", "課題と今後の方向性": "課題と今後の\n方向性"}
QUANTITATIVE_LABEL = "量的成果（指標）"
# The indicators the seed prints a letter beside: on 基本目標1 only ⑥ (ウ); on 基本目標2 every one.
SEED_LETTERS = frozenset({"1-6", "2-1", "2-2", "2-3", "2-4", "2-5"})
MIN_BULLET_LINES = 2  # empty 「・」 lines per section: with two, a sheet without bullets prints on one page
SECTION_COLUMN, SUB_COLUMN, LABEL_COLUMN = 1, 2, 3
YEAR_COLUMNS: dict[int, int] = {year: 4 + index for index, year in enumerate(FISCAL_YEARS_OF_PLAN)}
LAST_COLUMN = max(YEAR_COLUMNS.values())
KEY_COLUMN = LAST_COLUMN + 1
NOTE_COLUMN = LAST_COLUMN - 1  # the source note: E:F of the heading row
# Sized to fill A4 landscape's width at 100 %: a label takes two lines at most, 「課題と今後の」 fits column A.
COLUMN_WIDTHS: dict[int, float] = {SECTION_COLUMN: 12.5, SUB_COLUMN: 3.5, LABEL_COLUMN: 42} | dict.fromkeys(
    YEAR_COLUMNS.values(), 29.5
)
SPACER_HEIGHT = 4.0  # the blank line between the sub-initiatives and the grid


def sheet_figure(indicator: Indicator, figure: IndicatorValue, no_data: bool = False) -> str:
    """A figure as the printed sheet writes it: `sheet_notation`, with the seed's 「（名簿提供地域数）」 after a
    roster denominator and 1-2's share on its own 「（　％）」 line; 「—」 for a year without data."""
    if indicator.denominator is not Denominator.ROSTER_AREAS:
        return NO_DATA if no_data else sheet_notation(indicator, figure)
    shown = NO_DATA if no_data else f"{figure.value:,}"  # a year without data keeps the seed's 「／ 全N地域」 form
    text = f"{shown} ／ 全{figure.denominator or 0:,}地域{ROSTER_AREAS_NOTE}"
    if indicator.shows_percent:
        text += f"\n（{NO_DATA if no_data or figure.percent is None else f'{figure.percent:.1f}'}％）"
    return text


def _year_started(data: SheetData, year: int) -> bool:
    return year in data.totals_by_year


def year_heading(data: SheetData, year: int) -> str:
    """A year column's heading with the point its figures stand at: `2024（令和6）年度（3月末）`, this year's
    `2025（令和7）年度（11月末）`; a year not yet started, just the year."""
    totals = data.totals_by_year.get(year)
    if totals is None:
        return fiscal_year_label(year)
    day = totals.as_of
    point = f"{day.month}月末" if day == month_end(day.year, day.month) else f"{day.month}月{day.day}日"
    return f"{fiscal_year_label(year)}（{point}）"


def title_text(data: SheetData) -> str:
    """The title row: `【中核的な取組】…シート（令和7年11月末時点）`, and `　<ward name>` for a ward."""
    title = f"{SHEET_TITLE}（{as_of_label(data.as_of)}）"
    return f"{title}　{data.ward_name}" if data.ward_name else title


@dataclass(frozen=True)
class _Cell:
    column: int
    value: Any
    last_column: int
    bold: bool
    size: float
    align: str
    shade: bool
    measured: bool = True  # its text sets the row's height (not a label merged down several rows)


Box = Literal["inner", "outline"] | None


class GoalSheetWriter:
    """Writes one of the three sheets top to bottom, one finished row at a time (constant_memory).

    A row is gathered with `_put`, then written by `_next` with its height and borders. A label merged down
    several rows (基本目標, each section) is written on its top row, with the merge over the rows to come.
    """

    def __init__(self, worksheet: Any, styles: Styles, data: SheetData, sheet: Sheet) -> None:
        self.ws, self.styles, self.data, self.sheet = worksheet, styles, data, sheet
        self.row = 1
        self.cells: list[_Cell] = []
        self.key: str | None = None
        self.box: Box = None
        self.box_top = self.box_bottom = False
        self.merge_rows = 0  # a label on this row merged down this many rows in column A
        self.baseline_marked = False
        self.no_data_marked = False

    def write(self) -> None:
        self._columns()
        self._header()
        self._sub_initiatives()
        self._year_header()
        self._bullet_section(SheetSection.ACTIVITIES)
        self._quantitative_section()
        self._bullet_section(SheetSection.QUALITATIVE, self._indicators("質的成果"))
        self._bullet_section(SheetSection.ISSUES)
        self._baseline_note()
        self._no_data_note()
        widths = [COLUMN_WIDTHS[column] for column in range(1, LAST_COLUMN + 1)]
        print_setup(self.ws, self.row - 2, widths, one_page=True)

    # rows

    def _put(
        self,
        column: int,
        value: Any,
        *,
        last_column: int | None = None,
        bold: bool = False,
        size: float = 10,
        align: str = "wrap",
        shade: bool = False,
        measured: bool = True,
    ) -> None:
        self.cells.append(_Cell(column, value, last_column or column, bold, size, align, shade, measured))

    def _key(self, key: str) -> None:
        self.key = key

    def _next(self) -> None:
        """Write the gathered row (height, cells, borders, hidden key) and start the next one."""
        row = self.row - 1  # XlsxWriter counts from 0
        height = max(
            (self._height(cell) for cell in self.cells if cell.measured and isinstance(cell.value, str)), default=None
        )
        if height is not None:
            self.ws.set_row(row, height)
        covered: set[int] = set()
        for cell in self.cells:
            style = self.styles.get(
                bold=cell.bold,
                size=cell.size,
                align=cell.align,
                shade=cell.shade,
                border=self._border(cell.column, cell.last_column),
            )
            if cell.last_column > cell.column:
                self.ws.merge_range(row, cell.column - 1, row, cell.last_column - 1, cell.value, style)
            else:
                write_cell(self.ws, row, cell.column - 1, cell.value, style)
            covered.update(range(cell.column, cell.last_column + 1))
        if self.box is not None:
            for column in range(SECTION_COLUMN, LAST_COLUMN + 1):
                if column not in covered:
                    self.ws.write_blank(row, column - 1, None, self.styles.get(border=self._border(column, column)))
        if self.key is not None:
            self.ws.write_string(row, KEY_COLUMN - 1, self.key)
        if self.merge_rows > 1:
            self.ws.merge_down(row, SECTION_COLUMN - 1, row + self.merge_rows - 1)
        self.cells, self.key, self.box_top, self.merge_rows = [], None, False, 0
        self.row += 1

    def _height(self, cell: _Cell) -> float:
        pixels = sum(column_pixels(COLUMN_WIDTHS[c]) for c in range(cell.column, cell.last_column + 1))
        return text_height(cell.value, pixels, cell.size)

    def _border(self, first: int, last: int) -> Border:
        if self.box == "inner":
            return 1
        if self.box == "outline":
            return (first == SECTION_COLUMN, last == LAST_COLUMN, self.box_top, self.box_bottom)
        return 0

    def _boxed(self, box: Box) -> None:
        self.box, self.box_top, self.box_bottom = box, box == "outline", False

    def _columns(self) -> None:
        for column, width in COLUMN_WIDTHS.items():
            self.ws.set_column(column - 1, column - 1, width)
        self.ws.set_column(KEY_COLUMN - 1, KEY_COLUMN - 1, None, None, {"hidden": True})

    def _header(self) -> None:
        self._put(SECTION_COLUMN, title_text(self.data), last_column=LAST_COLUMN, bold=True, size=13)
        self._key("title")
        self._next()
        self._boxed("inner")
        self._labelled("基本理念", PLAN_PHILOSOPHY, "philosophy")
        # The plan's two goals side by side on one row (goal 1 in B:C, goal 2 in D:F): a line saved for one page.
        self._put(SECTION_COLUMN, "基本目標", bold=True, align="centre", shade=True)
        first, second = PLAN_GOALS
        self._put(SUB_COLUMN, first, last_column=LABEL_COLUMN)
        self._put(LABEL_COLUMN + 1, second, last_column=LAST_COLUMN)
        self._key("goals")
        self._next()
        # The sheet's goal and heading, and on the right of that row the source note (as the seed prints it).
        self._put(SECTION_COLUMN, self.sheet.goal, bold=True, align="centre", shade=True)
        self._put(SUB_COLUMN, self.sheet.title, last_column=NOTE_COLUMN - 1, bold=True)
        self._put(NOTE_COLUMN, self.sheet.note, last_column=LAST_COLUMN, align="note")
        self._key("heading")
        self._next()
        self._boxed(None)

    def _labelled(self, label: str | None, text: str, key: str, *, bold: bool = False) -> None:
        if label is not None:
            self._put(SECTION_COLUMN, label, bold=True, align="centre", shade=True)
        self._put(SUB_COLUMN, text, last_column=LAST_COLUMN, bold=bold)
        self._key(key)
        self._next()

    def _sub_initiatives(self) -> None:
        lines = [(sub, None) for sub in self.sheet.sub_initiatives if sub.letter]
        rows = len(lines) + sum(len(sub.description) for sub in self.sheet.sub_initiatives)
        self._boxed("outline")
        written = 0
        for sub in self.sheet.sub_initiatives:
            entries: list[tuple[str, str]] = [("sub", sub.title)] if sub.letter else []
            entries += [("description", description) for description in sub.description]
            for kind, value in entries:
                written += 1
                self.box_bottom = written == rows
                if kind == "sub":
                    self._put(SUB_COLUMN, sub.letter, bold=True)
                    self._put(LABEL_COLUMN, value, last_column=LAST_COLUMN, bold=True)
                    self._key(f"sub:{sub.letter}")
                else:
                    self._put(LABEL_COLUMN, f"・{value}", last_column=LAST_COLUMN)
                    self._key(f"description:{sub.letter}")
                self._next()
        self._boxed(None)
        self.ws.set_row(self.row - 1, SPACER_HEIGHT)  # a blank line before the grid, as on the paper sheet
        self.row += 1

    def _year_header(self) -> None:
        self._boxed("inner")  # the grid: from here to the last section, every cell boxed
        self._put(SECTION_COLUMN, None, last_column=LABEL_COLUMN, shade=True)
        for year, column in YEAR_COLUMNS.items():
            self._put(column, year_heading(self.data, year), bold=True, align="centre", shade=True)
        self._key("years")
        self._next()

    def _indicators(self, sub: str | None = None) -> list[Indicator]:
        """The sheet's indicators: those of 量的成果 (sub None) or those printed under a section (e.g. 質的成果)."""
        on_sheet = [i for i in INDICATORS if i.sheet == self.sheet.number]
        if sub is None:
            return [i for i in on_sheet if i.sub != "質的成果"]
        return [i for i in on_sheet if i.sub == sub]

    def _section_label(self, label: str, rows: int) -> None:
        """The section's label on its first row, merged down over the section's `rows` rows."""
        self._put(
            SECTION_COLUMN, SECTION_LINES.get(label, label), bold=True, align="centre", shade=True, measured=False
        )
        self.merge_rows = rows

    def _indicator_row(self, indicator: Indicator) -> None:
        self._put(SUB_COLUMN, indicator.sub if indicator.code in SEED_LETTERS else None, align="centre")
        label = indicator.label.replace(CITY_TOTAL_NOTE, "" if self.data.ward_code else SEED_CITY_TOTAL_NOTE)
        self._put(LABEL_COLUMN, label)
        for year, column in YEAR_COLUMNS.items():
            totals = self.data.totals_by_year.get(year)
            shown = sheet_figure(indicator, totals.indicators[indicator.code], totals.no_data) if totals else None
            if totals and totals.no_data:
                self.no_data_marked = True
            elif totals and totals.indicators[indicator.code].from_baseline:
                shown, self.baseline_marked = f"{shown}{BASELINE_MARK}", True
            self._put(column, shown, align="right")
        self._key(f"indicator:{indicator.code}")
        self._next()

    def _quantitative_section(self) -> None:
        indicators = self._indicators()
        self._section_label(QUANTITATIVE_LABEL, len(indicators))
        for indicator in indicators:
            self._indicator_row(indicator)

    def _bullet_section(self, section: SheetSection, indicators: Sequence[Indicator] = ()) -> None:
        columns = {year: self.data.bullets_for(self.sheet.number, section, year) for year in YEAR_COLUMNS}
        lines = max(MIN_BULLET_LINES, *(len(bullets) for bullets in columns.values()))
        remark = self.sheet.activities_remark if section is SheetSection.ACTIVITIES else None
        self._section_label(SECTION_LABELS_JA[section], len(indicators) + lines + (remark is not None))
        if remark is not None:  # e.g. 参加支援's 「※市区社協での取組」, above the bullets as on the seed
            self._put(SUB_COLUMN, remark, last_column=LAST_COLUMN)
            self._key(f"{section.value}_remark")
            self._next()
        for indicator in indicators:
            self._indicator_row(indicator)
        for line in range(lines):
            self._put(SUB_COLUMN, None, last_column=LABEL_COLUMN)
            for year, column in YEAR_COLUMNS.items():
                self._put(column, self._bullet(year, columns[year], line))
            self._key(section.value)
            self._next()
        if section is SheetSection.ISSUES:
            self._boxed(None)  # the grid ends with the last section

    def _bullet(self, year: int, bullets: list[str], line: int) -> str | None:
        if not _year_started(self.data, year):
            return None
        return f"・{bullets[line].removeprefix('・')}" if line < len(bullets) else "・"

    def _baseline_note(self) -> None:
        """The footnote for ※, only on a worksheet with a marked figure (key `baseline_note`)."""
        if self.baseline_marked:
            self._put(SECTION_COLUMN, BASELINE_NOTE, last_column=LAST_COLUMN)
            self._key("baseline_note")
            self._next()

    def _no_data_note(self) -> None:
        """The footnote for 「—」, only on a worksheet with a year without data (key `no_data_note`)."""
        if self.no_data_marked:
            self._put(SECTION_COLUMN, NO_DATA_NOTE, last_column=LAST_COLUMN)
            self._key("no_data_note")
            self._next()
