"""「地域別」: every roster-provided active area of the scope with the month it first counted this fiscal year for
1-1 and 1-2 (`models.coverage`), wards in the city's order then area codes; 「未」 where it has not counted yet.

Header row 1 (`COVERAGE_COLUMNS`), then one row per area; A4 landscape fitted to width, the header on every page.
"""

from __future__ import annotations

from typing import Any

from models.catalog import INDICATORS_BY_CODE
from models.coverage import AREA_INDICATORS, AreaCoverage
from models.sheet.data import SheetData
from models.sheet.styles import Styles, print_setup, write_cell
from models.sheet.tabs import table_header

NOT_YET = "未"
COVERAGE_COLUMNS = (
    "区コード",
    "区名",
    "地域コード",
    "地域名",
    *(f"{code} {INDICATORS_BY_CODE[code].short_label} 初めて数えた月" for code in AREA_INDICATORS),
)
COVERAGE_WIDTHS = (10, 12, 12, 24, *([30.0] * len(AREA_INDICATORS)))


def coverage_cells(area: AreaCoverage, ward_names: dict[str, str]) -> tuple[str, ...]:
    """区コード, 区名, 地域コード, 地域名, then per area indicator 'YYYY-MM' or 「未」."""
    months = (area.first_counted[code] for code in AREA_INDICATORS)
    return (
        area.ward_code,
        ward_names.get(area.ward_code, area.ward_code),
        area.area_code,
        area.name_ja,
        *(NOT_YET if month is None else f"{month[0]:04d}-{month[1]:02d}" for month in months),
    )


def write_coverage(ws: Any, styles: Styles, data: SheetData) -> None:
    table_header(ws, styles, COVERAGE_COLUMNS, COVERAGE_WIDTHS)
    row = 0
    for row, area in enumerate(data.coverage, start=1):
        for column, value in enumerate(coverage_cells(area, data.ward_names)):
            write_cell(ws, row, column, value, styles.body)
    if data.coverage:
        ws.autofilter(0, 0, row, len(COVERAGE_COLUMNS) - 1)
    print_setup(ws, row, COVERAGE_WIDTHS)
    ws.repeat_rows(0)
