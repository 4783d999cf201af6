"""XlsxWriter plumbing: the shared cell styles, a cell written by its type, and the print setup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from xlsxwriter.utility import xl_range  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet as Worksheet_  # type: ignore[import-untyped]

from models.sheet.measure import printed_width

FONT_NAME = "游ゴシック"
DATE_FORMAT = "yyyy-mm-dd"
SHADE_COLOUR, BORDER_COLOUR = "#F2F2F2", "#808080"
BODY_SIZE = 10.0  # points; printed at 100 %, or at no less than MIN_PRINT_SCALE
MIN_PRINT_SCALE = 0.9  # 10 pt × 0.9 = 9 pt on paper, the least legible size
TABLE_ROW_HEIGHT = 18.0  # one 10 pt line of 游ゴシック, for the plain tables
# A4 landscape (297 mm = 841.9 pt) less the side margins: the width a page prints at 100 %.
SIDE_MARGIN_INCHES = 0.3
PRINTABLE_WIDTH_PT = 841.9 - 2 * 72 * SIDE_MARGIN_INCHES
ONE_PAGE_MARGIN_INCHES = 0.25  # top and bottom of a goal sheet (no header or footer is printed)
PRINTABLE_HEIGHT_PT = 595.3 - 2 * 72 * ONE_PAGE_MARGIN_INCHES  # A4 landscape's height less those margins
# A column's width is counted in digits of the workbook's default font (Calibri). A renderer without it draws every
# column wider: LibreOffice 7.4 with DejaVu Sans in its place, about a third (measured on a rendered 区別内訳). Column
# groups kept on one page (`column_breaks`) leave that room, so they stay whole there too.
WIDER_RENDERING = 1.35


class SheetWorksheet(Worksheet_):  # type: ignore[misc]
    """Spells out fitToWidth="1": XlsxWriter leaves the default out, and some readers then see no value."""

    def _xml_empty_tag(self, tag: str, attributes: list[tuple[str, Any]] | None = None) -> None:
        if (
            tag == "pageSetup"
            and self.fit_page
            and attributes is not None
            and all(name != "fitToWidth" for name, _value in attributes)
        ):
            attributes = [*attributes, ("fitToWidth", self.fit_width)]
        super()._xml_empty_tag(tag, attributes or [])

    def merge_down(self, first_row: int, column: int, last_row: int) -> None:
        """Merge a column's cells from the current row down, without writing the rows below yet.

        XlsxWriter's merge_range pads the range with blank cells at once, which in constant_memory mode
        would close the current row; here the caller writes each row's cell when it gets there.
        """
        cell_range = xl_range(first_row, column, last_row, column)
        for row in range(first_row, last_row + 1):
            self.merged_cells[(row, column)] = cell_range
        self.merge.append([first_row, column, last_row, column])


Border = int | tuple[bool, bool, bool, bool]  # 1: a thin box; or (left, right, top, bottom) of an outline


@dataclass(frozen=True)
class Style:
    """One look of a cell; the workbook holds one shared Format per distinct Style."""

    bold: bool = False
    size: float = 10
    align: str | None = None
    shade: bool = False
    border: Border = 0
    num_format: str | None = None

    def properties(self) -> dict[str, Any]:
        properties: dict[str, Any] = {"font_name": FONT_NAME, "font_size": self.size, "bold": self.bold}
        properties |= _ALIGNMENTS.get(self.align or "", {})
        if self.shade:
            properties |= {"pattern": 1, "bg_color": SHADE_COLOUR}
        sides = (True,) * 4 if self.border == 1 else self.border if isinstance(self.border, tuple) else ()
        for side, drawn in zip(("left", "right", "top", "bottom"), sides, strict=False):
            if drawn:
                properties |= {side: 1, f"{side}_color": BORDER_COLOUR}
        if self.num_format:
            properties["num_format"] = self.num_format
        return properties


class Styles:
    """The workbook's named shared styles: one Format per distinct Style, created on first use."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[Style, Any] = {}
        self.body = self.get(border=1)
        self.date = self.get(border=1, num_format=DATE_FORMAT)
        self.header = self.get(border=1, bold=True, shade=True, align="centre")
        # A conditional format's look (borders only): the box of a cell left empty in a long table.
        self.blank_box = workbook.add_format({side: 1 for side in ("left", "right", "top", "bottom")})
        self.blank_box.set_border_color(BORDER_COLOUR)

    def get(self, **look: Any) -> Any:
        style = Style(**look)
        if style not in self.cache:
            self.cache[style] = self.workbook.add_format(style.properties())
        return self.cache[style]


_ALIGNMENTS: dict[str, dict[str, Any]] = {
    "wrap": {"text_wrap": True, "valign": "top"},
    "left": {"text_wrap": True, "valign": "top", "align": "left"},
    "centre": {"text_wrap": True, "valign": "vcenter", "align": "center"},
    "right": {"text_wrap": True, "valign": "vcenter", "align": "right"},
    "note": {"text_wrap": True, "valign": "vcenter", "align": "right"},
}


def write_cell(ws: Any, row: int, column: int, value: Any, style: Any) -> None:
    """One cell by its type: text stays text (ward codes), dates get the date format, None a styled blank."""
    if value is None:
        ws.write_blank(row, column, None, style)
    elif isinstance(value, str):
        ws.write_string(row, column, value, style)
    elif isinstance(value, date):
        ws.write_datetime(row, column, value, style)
    else:
        ws.write_number(row, column, value, style)


def print_setup(ws: Any, last_row: int, widths: Sequence[float], *, one_page: bool = False) -> None:
    """Landscape A4, centred, A1 to the last row of the given columns: one page wide (as many pages down as
    needed) when that prints at MIN_PRINT_SCALE or more, else at that scale over several pages across.

    `one_page`: a goal sheet, fitted to one page (its rows are sized so that this prints at MIN_PRINT_SCALE or
    more: tests add the row heights up), with narrower top and bottom margins."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if one_page:
        ws.fit_to_pages(1, 1)
    elif printed_width(widths) * MIN_PRINT_SCALE <= PRINTABLE_WIDTH_PT:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(round(MIN_PRINT_SCALE * 100))
    ws.center_horizontally()
    top = ONE_PAGE_MARGIN_INCHES if one_page else 0.5
    ws.set_margins(left=SIDE_MARGIN_INCHES, right=SIDE_MARGIN_INCHES, top=top, bottom=top)
    ws.print_area(0, 0, max(last_row, 0), len(widths) - 1)


def column_breaks(widths: Sequence[float], starts: Sequence[int], repeated: int) -> list[int]:
    """Vertical page breaks for a table that prints several pages across (at MIN_PRINT_SCALE, `print_setup`): each
    group of columns (from one of `starts` to the next) whole on a page beside the first `repeated` columns, which
    repeat on every page. None when the table prints one page wide."""
    if printed_width(widths) * MIN_PRINT_SCALE <= PRINTABLE_WIDTH_PT:
        return []
    room = PRINTABLE_WIDTH_PT / MIN_PRINT_SCALE / WIDER_RENDERING - printed_width(widths[:repeated])
    breaks: list[int] = []
    used = 0.0
    for start, end in zip(starts, [*starts[1:], len(widths)], strict=True):
        group = printed_width(widths[start:end])
        if used and used + group > room:
            breaks.append(start)
            used = 0.0
        used += group
    return breaks
