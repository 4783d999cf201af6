"""Issue 12's sheet points, read back cell by cell for a year with data and a year without: 「—」 and its
footnote, the seed's wording (名簿提供地域数, 1-2's own （％） line, 24区合計 on the city's only, ※市区社協での取組),
the 2-Q share by ward, the 定義 tab in Japanese, and print legibility (≥ 9 pt on A4 landscape, rows tall enough)."""

from __future__ import annotations

import math
import re
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import INDICATORS, SHEET_TITLE, SHEETS, SheetSection
from models.fiscal import fiscal_year_end
from models.sheet.completeness import COMPLETENESS_CODES
from models.sheet.data import collect_sheet
from models.sheet.goal_sheets import (
    KEY_COLUMN,
    LABEL_COLUMN,
    LAST_COLUMN,
    NOTE_COLUMN,
    SECTION_COLUMN,
    SUB_COLUMN,
    YEAR_COLUMNS,
    sheet_figure,
)
from models.sheet.measure import display_width
from models.sheet.tabs import by_ward_columns
from models.sheet.workbook import build_workbook
from models.totals import indicator_totals
from tests.models.sheet.test_workbook import (
    AS_OF,
    FUKUSHIMA,
    FY,
    GENERATED_AT,
    MIYAKOJIMA,
    SHEET_NAMES,
    Dataset,
    dataset,
)
from tests.sheet_reading import row_of, rows_of

__all__ = ["dataset"]  # the fixture, shared with the read-back tests

EMPTY_WARD = "27104"  # 此花区: no events and no baselines in any year of the dataset
NO_DATA_YEAR, NO_DATA_AS_OF = 2026, date(2026, 11, 30)  # the dataset has nothing in FY2026
A4_LANDSCAPE_WIDTH_PT, A4_LANDSCAPE_HEIGHT_PT = 841.9, 595.3
MIN_PRINTED_PT = 9.0


async def workbook(session: AsyncSession, fiscal_year: int = FY, as_of: date = AS_OF, ward: str | None = None) -> Any:
    data = await collect_sheet(session, fiscal_year, as_of, ward, generated_at=GENERATED_AT)
    return load_workbook(BytesIO(build_workbook(data)))


def figure_cell(book: Any, code: str, year: int) -> Any:
    ws = book[SHEET_NAMES[int(code[0]) - 1]]
    return ws.cell(row=row_of(ws, f"indicator:{code}"), column=YEAR_COLUMNS[year]).value


def keys(ws: Any) -> list[Any]:
    return [ws.cell(row=row, column=KEY_COLUMN).value for row in range(1, ws.max_row + 1)]


# --- 「—」 for no data --------------------------------------------------------------------------------------


async def test_a_year_without_data_prints_a_dash_in_the_seeds_form(dataset: Dataset) -> None:
    book = await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF)
    # The earlier years as of their year ends (2025's includes December's meeting in Fukushima).
    expected = {year: await indicator_totals(dataset.session, year, fiscal_year_end(year)) for year in (2024, 2025)}
    for indicator in INDICATORS:
        no_data = sheet_figure(indicator, expected[2025].indicators[indicator.code], no_data=True)
        assert figure_cell(book, indicator.code, NO_DATA_YEAR) == no_data, indicator.code
        for year in (2024, 2025):  # the years with data keep their figures
            assert figure_cell(book, indicator.code, year) == sheet_figure(
                indicator, expected[year].indicators[indicator.code]
            ), (indicator.code, year)
    for name in SHEET_NAMES:
        ws = book[name]
        footnote = ws.cell(row=row_of(ws, "no_data_note"), column=SECTION_COLUMN).value
        assert footnote == "「—」はデータなし（その年度・範囲に記録も過去の数値もありません）"
        assert "intake" not in footnote  # no operator's instruction on the official sheet
        assert keys(ws)[-1] == "no_data_note"
    figures = [row for row in book["数値"].iter_rows(min_row=2, values_only=True) if row[0] == NO_DATA_YEAR]
    assert len(figures) == len(INDICATORS)
    assert {row[7:] for row in figures} == {(None, None, None, "—")}  # no 0 anywhere for that year
    by_ward = list(book["区別内訳"].iter_rows(min_row=3, values_only=True))
    columns = by_ward_columns()
    this_year = [i for i, (_code, _label, _i, part) in enumerate(columns, start=2) if not part.startswith("last_")]
    completeness = range(2 + len(columns), 2 + len(columns) + len(COMPLETENESS_CODES))
    assert len(by_ward) == 25
    assert all({line[i] for i in [*this_year, *completeness]} == {"—"} for line in by_ward)
    # Beside them the 前年同期 (FY2025 at 11月末) has figures (a share without answers none): that year has data.
    last_year = [i for i, (_code, _label, _i, part) in enumerate(columns, start=2) if part.startswith("last_")]
    assert all(isinstance(line[i], int | float) or line[i] is None for line in by_ward for i in last_year)
    definitions = {line[0]: line for line in book["定義"].iter_rows(min_row=2, values_only=True)}
    assert definitions["no_data"][2] == "あり" and "intake" not in definitions["no_data"][3]
    assert "intake" not in "".join(str(cell) for line in book["集計根拠"].iter_rows(values_only=True) for cell in line)


async def test_a_ward_without_data_prints_dashes_in_every_year(dataset: Dataset) -> None:
    book = await workbook(dataset.session, ward=EMPTY_WARD)
    roster = {"1-1": "— ／ 全{}地域（名簿提供地域数）", "1-2": "— ／ 全{}地域（名簿提供地域数）\n（—％）"}
    areas = (await indicator_totals(dataset.session, FY, AS_OF, EMPTY_WARD)).indicators["1-1"].denominator
    for indicator in INDICATORS:
        dash = roster.get(indicator.code, "—").format(areas)  # the seed's 「／ 全N地域」 stays around the 「—」
        assert [figure_cell(book, indicator.code, year) for year in YEAR_COLUMNS] == [dash, dash, None]
    assert all("no_data_note" in keys(book[name]) for name in SHEET_NAMES)


async def test_a_year_with_data_has_figures_and_no_dash_footnote(dataset: Dataset) -> None:
    book = await workbook(dataset.session)
    for name in SHEET_NAMES:
        assert "no_data_note" not in keys(book[name])
    assert figure_cell(book, "1-5", FY) == "4件"
    assert figure_cell(book, "1-6", FY) == "0件"  # a real 0: the year has data
    definitions = {line[0]: line for line in book["定義"].iter_rows(min_row=2, values_only=True)}
    assert definitions["no_data"][2] == "なし"


# --- the seed's wording -------------------------------------------------------------------------------------


async def test_roster_denominator_keeps_its_words_and_the_share_has_its_own_line(dataset: Dataset) -> None:
    book = await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF)
    assert figure_cell(book, "1-1", 2025) == "3 ／ 全334地域（名簿提供地域数）"  # as of the year end
    assert figure_cell(book, "1-2", 2025).split("\n") == ["2 ／ 全334地域（名簿提供地域数）", "（0.6％）"]
    assert figure_cell(book, "1-2", 2024).split("\n") == ["0 ／ 全334地域（名簿提供地域数）", "（0.0％）"]
    assert (figure_cell(book, "1-1", NO_DATA_YEAR), figure_cell(book, "1-2", NO_DATA_YEAR)) == (
        "— ／ 全334地域（名簿提供地域数）",  # a year without data keeps the seed's form
        "— ／ 全334地域（名簿提供地域数）\n（—％）",
    )
    ward = await workbook(dataset.session, ward=MIYAKOJIMA)
    assert figure_cell(ward, "1-2", FY).split("\n") == ["1 ／ 全13地域（名簿提供地域数）", "（7.7％）"]


async def test_only_the_city_sheet_says_24_wards_in_total(dataset: Dataset) -> None:
    def label(book: Any) -> str:
        ws = book["参加支援"]
        return str(ws.cell(row=row_of(ws, "indicator:3-1"), column=LABEL_COLUMN).value)

    city = label(await workbook(dataset.session))
    assert city.endswith("対象世帯数　（24区合計）")  # spaced as on the seed
    for ward in (MIYAKOJIMA, EMPTY_WARD):  # with data and without
        shown = label(await workbook(dataset.session, ward=ward))
        assert shown == city.removesuffix("　（24区合計）"), ward
    assert label(await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF)) == city


async def test_the_councils_remark_heads_participations_activities_not_the_source(dataset: Dataset) -> None:
    for book in (await workbook(dataset.session), await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF)):
        ws = book["参加支援"]
        remark = row_of(ws, "activities_remark")
        assert ws.cell(row=remark, column=SUB_COLUMN).value == "※市区社協での取組"
        assert ws.cell(row=remark, column=SECTION_COLUMN).value == "取組内容"  # the section's label starts here
        assert rows_of(ws, SheetSection.ACTIVITIES.value)[0] == remark + 1
        source = ws.cell(row=row_of(ws, "heading"), column=NOTE_COLUMN).value
        assert source == "出典：厚生労働省ホームページ 地域共生社会 ポータルサイト"
        for other in ("基本目標1", "基本目標2"):
            assert "activities_remark" not in keys(book[other])


async def test_the_by_ward_share_is_a_percentage_under_a_percentage_header(dataset: Dataset) -> None:
    book = await workbook(dataset.session)
    ws = book["区別内訳"]
    header = [cell.value for cell in ws[1]]
    labels = [cell.value for cell in ws[2]]
    share = header.index("2-Q")
    assert "割合" in labels[share] and labels[share].endswith("（％）")
    assert (labels[header.index("2-Q はい")], labels[header.index("2-Q 分母")]) == ("「はい」の回答数", "回答数")
    assert "2-Q ％" not in header
    rows = {line[0]: line for line in ws.iter_rows(min_row=3, values_only=True)}
    assert (rows[MIYAKOJIMA][share], rows[FUKUSHIMA][share], rows["合計"][share]) == (50.0, 100.0, 66.7)
    assert (rows["合計"][header.index("2-Q はい")], rows["合計"][header.index("2-Q 分母")]) == (2, 3)
    assert rows["27104"][share] is None  # no answers: no percentage
    assert len(header) == 2 + len(by_ward_columns()) + len(COMPLETENESS_CODES) + 1  # and 確認状況


async def test_the_definitions_tab_reads_in_japanese(dataset: Dataset) -> None:
    for book in (await workbook(dataset.session), await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF)):
        ws = book["定義"]
        assert ws.column_dimensions["A"].hidden  # the keys, for programs
        assert [cell.value for cell in ws[1]][1:] == ["項目", "値", "説明"]
        for name, value, _description in ws.iter_rows(min_row=2, min_col=2, values_only=True):
            assert not re.search("[A-Za-z]", f"{name}{value if isinstance(value, str) else ''}"), (name, value)
    ward = {
        line[0]: line
        for line in (await workbook(dataset.session, ward=MIYAKOJIMA))["定義"].iter_rows(min_row=2, values_only=True)
    }
    assert ward["scope"][2:] == (MIYAKOJIMA, "都島区")


# --- the title --------------------------------------------------------------------------------------------------


async def test_the_title_is_always_a_month_end(dataset: Dataset) -> None:
    book = await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF, ward=MIYAKOJIMA)
    assert book["基本目標1"]["A1"].value == f"{SHEET_TITLE}（令和8年11月末時点）　都島区"
    assert (await workbook(dataset.session))["参加支援"]["A1"].value == f"{SHEET_TITLE}（令和7年11月末時点）"


# --- print legibility -------------------------------------------------------------------------------------------


def column_points(ws: Any, column: int) -> float:
    """A column's printed width at 96 dpi. The file stores Excel's width (pixels ÷ 7, the default font's digit);
    one <col> element may cover several columns (openpyxl keeps it under its first letter, with min/max)."""
    for dimension in ws.column_dimensions.values():
        if dimension.min is not None and dimension.min <= column <= dimension.max:
            return 0.0 if dimension.hidden else round(dimension.width * 7) * 72 / 96
    return 0.0 if ws.column_dimensions[get_column_letter(column)].hidden else 64 * 72 / 96  # Excel's default


def printed_height(ws: Any) -> float:
    """The print area's height at 100 %: every row's set height (Excel's default 15 pt where none is set)."""
    last = int(str(ws.print_area).rsplit("$", 1)[-1])
    return sum(ws.row_dimensions[row].height or 15.0 for row in range(1, last + 1))


def printed_scale(ws: Any, columns: range) -> float:
    """The scale the page prints at: fitted to one page wide, or wide and high (never enlarged), or the fixed
    print scale."""
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    printable = A4_LANDSCAPE_WIDTH_PT - 72 * float(ws.page_margins.left + ws.page_margins.right)
    if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
        assert int(setup.fitToWidth) == 1
        scale = min(1.0, printable / sum(column_points(ws, column) for column in columns))
        if int(setup.fitToHeight if setup.fitToHeight is not None else 1) == 1:  # one page high as well
            high = A4_LANDSCAPE_HEIGHT_PT - 72 * float(ws.page_margins.top + ws.page_margins.bottom)
            scale = min(scale, high / printed_height(ws))
        return scale
    return int(setup.scale) / 100


def smallest_font(ws: Any) -> float:
    return min(float(cell.font.sz) for line in ws.iter_rows() for cell in line if cell.value is not None)


async def test_every_tab_prints_at_nine_points_or_more_on_a4_landscape(dataset: Dataset) -> None:
    for book in (
        await workbook(dataset.session, ward=MIYAKOJIMA),
        await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF),
        await workbook(dataset.session, ward=EMPTY_WARD),  # 「—」 and its footnote
        await workbook(dataset.session),  # the city's, with its bullets
    ):
        for name in SHEET_NAMES:
            ws = book[name]
            setup = ws.page_setup
            assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight or 1) == 1, name  # one page
            scale = printed_scale(ws, range(1, LAST_COLUMN + 1))
            assert scale >= 0.9, (name, scale)  # the rows add up to one page at 90 % or more
            assert smallest_font(ws) * scale >= MIN_PRINTED_PT, name
        for name in ("数値", "区別内訳", "集計根拠", "定義"):
            ws = book[name]
            scale = printed_scale(ws, range(1, ws.max_column + 1))
            assert smallest_font(ws) * scale >= MIN_PRINTED_PT, (name, scale)


def cell_widths(ws: Any) -> dict[tuple[int, int], float]:
    """(row, column) of each written cell on one row → its printed width, merged across columns."""
    widths: dict[tuple[int, int], float] = {}
    spanned: set[tuple[int, int]] = set()
    for merged in ws.merged_cells.ranges:
        if merged.min_row != merged.max_row:  # a section label merged down: its height is the section's
            spanned.update((row, merged.min_col) for row in range(merged.min_row, merged.max_row + 1))
            continue
        columns = range(merged.min_col, merged.max_col + 1)
        widths[(merged.min_row, merged.min_col)] = sum(column_points(ws, column) for column in columns)
    for line in ws.iter_rows(max_col=LAST_COLUMN):
        for cell in line:
            key = (cell.row, cell.column)
            if isinstance(cell.value, str) and key not in widths and key not in spanned:
                widths[key] = column_points(ws, cell.column)
    return widths


def needed_height(text: str, width_pt: float, size: float) -> float:
    """游ゴシック: a full-width glyph is `size` wide, a half-width one half that; a line is 1.6 × size tall."""
    usable = width_pt - 6  # the cell's inner padding
    lines = sum(max(1, math.ceil(display_width(part) * size / 2 / usable)) for part in text.split("\n"))
    return lines * 1.6 * size


async def test_row_heights_hold_their_wrapped_text_in_yu_gothic(dataset: Dataset) -> None:
    for book in (
        await workbook(dataset.session, ward=MIYAKOJIMA),
        await workbook(dataset.session, NO_DATA_YEAR, NO_DATA_AS_OF),
    ):
        for sheet in SHEETS:
            ws = book[sheet.goal]
            assert ws["A1"].font.name == "游ゴシック"
            for (row, column), width in cell_widths(ws).items():
                cell = ws.cell(row=row, column=column)
                if not isinstance(cell.value, str):
                    continue
                height = ws.row_dimensions[row].height
                assert height is not None, (sheet.goal, row)
                assert height >= needed_height(cell.value, width, cell.font.sz), (sheet.goal, row, cell.value)


async def test_by_ward_lists_the_wards_in_the_citys_order_and_prints_their_names_on_every_page(
    dataset: Dataset,
) -> None:
    ws = (await workbook(dataset.session))["区別内訳"]
    names = [line[1] for line in ws.iter_rows(min_row=3, values_only=True)]
    assert names[:3] == ["北区", "都島区", "福島区"] and names[-2:] == ["西成区", "大阪市（24区）"]
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$2"


async def test_the_tabs_print_on_their_own_whole_boxed_and_captioned(dataset: Dataset) -> None:
    """Issue 19: 区別内訳 says its year, day and scope on every printed page; 数値's and 定義's long texts wrap in
    rows tall enough (not cut by the next column, not clipped); a ward's 集計根拠 boxes its empty cells too."""
    city, ward = await workbook(dataset.session), await workbook(dataset.session, ward=MIYAKOJIMA)
    header = city["区別内訳"].oddHeader.left.text
    assert header == "区別内訳　2025（令和7）年度　令和7年11月末時点　大阪市（24区）"
    assert ward["区別内訳"].oddHeader.left.text.endswith("令和7年11月末時点　都島区")
    for book in (city, ward):
        for name in ("数値", "定義"):
            ws = book[name]
            for line in ws.iter_rows(min_row=2):
                for cell in line:
                    width = ws.column_dimensions[cell.column_letter].width
                    if not isinstance(cell.value, str) or not width:
                        continue
                    assert cell.alignment.wrap_text, (name, cell.coordinate)
                    height = ws.row_dimensions[cell.row].height or 18.0
                    pixels = int(width * 7 + 0.5) + 5
                    assert height >= needed_height(cell.value, pixels * 0.75, cell.font.sz), (name, cell.value)
    events = ward["集計根拠"]
    rules = [(str(r.sqref), rule) for r in events.conditional_formatting for rule in r.rules]
    assert [(sqref, rule.type) for sqref, rule in rules] == [(f"A2:L{events.max_row}", "containsBlanks")]
    box = rules[0][1].dxf.border
    assert all(getattr(box, side).style == "thin" for side in ("left", "right", "top", "bottom"))
