"""The tabs behind the figures: 数値 (machine-readable), 区別内訳 (per ward), 集計根拠 (events or monthly
evidence) and 定義 (the definitions used)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from models.catalog import (
    INDICATORS,
    Aggregation,
    Denominator,
    Indicator,
)
from models.config import TOKYO
from models.fiscal import as_of_label, fiscal_year_label, same_point_last_year
from models.reference import ward_order
from models.sheet.completeness import (
    COMPLETENESS_CODES,
    COMPLETENESS_WIDTHS,
    completeness_cells,
    completeness_labels,
    total_completeness,
)
from models.sheet.data import SheetData
from models.sheet.event_rows import EventRow
from models.sheet.evidence import MonthlyFigure
from models.sheet.goal_sheets import NO_DATA, NO_DATA_NOTE
from models.sheet.measure import column_pixels, text_height
from models.sheet.styles import (
    BODY_SIZE,
    DATE_FORMAT,
    TABLE_ROW_HEIGHT,
    Styles,
    column_breaks,
    print_setup,
    write_cell,
)
from models.totals import (
    IndicatorValue,
    Totals,
    sheet_notation,
)

FIGURE_COLUMNS = (
    "年度",
    "時点",
    "範囲",
    "指標コード",
    "シート",
    "区分",
    "指標",
    "値",
    "分母",
    "割合（％）",
    "シート表記",
)
FIGURE_WIDTHS = (8, 12, 8, 10, 7, 9, 50, 8, 8, 10, 30)
EVENT_COLUMNS = (
    "No.",
    "発生日",
    "区コード",
    "区名",
    "地域コード",
    "種別コード",
    "種別",
    "指標コード",
    "件数（人数）",
    "世帯参照コード",
    "アンケート回答",
    "名簿提供地域",
)

# 区別内訳's last column: each ward's month as confirmed by the ward and accepted by the city (models.approval).
APPROVAL_COLUMN = "確認状況"
APPROVAL_LABELS = {"open": "未確認", "confirmed": "区確認済み", "accepted": "市承認済み", "returned": "差戻し"}
EVENT_WIDTHS = (8, 12, 9, 10, 12, 20, 30, 9, 10, 14, 12, 12)
# The city's 集計根拠: one row per ward × indicator × month (the event list belongs to ward sheets).
MONTHLY_COLUMNS = (
    "区コード",
    "区名",
    "指標コード",
    "指標",
    "年月",
    "記録数",
    "件数（人数）合計",
    "新たに数えた地域",
    "新たに数えた世帯",
    "「はい」の回答数",
)
MONTHLY_WIDTHS = (9, 10, 9, 40, 9, 9, 12, 12, 12, 12)
MONTHLY_NOTES = (
    "区×指標×月ごとの、シートの数値のもとになった集計です。記録数＝その月の記録の件数、"
    "新たに数えた地域＝名簿提供のある有効な地域のうち、その月に年度内で初めて数えた地域（1-1は「定期的」の回数に"
    "達した月）、新たに数えた世帯＝その月に年度内で初めてつながった世帯。市全体の記録ごとの一覧は"
    "システム管理者にお問い合わせください。",
    "ベースライン（集計開始前の実績値）がなければ、区ごとに指標の各月の行を合計すると、その区のシートの数値になります"
    "（1-1・1-2は新たに数えた地域、3-1は新たに数えた世帯、2-Qは「はい」の回答数と記録数（回答数）、"
    "ほかの指標は件数（人数）合計）。締切済みの月末のシートでは、締切時に記録されていた集計です。",
)


def table_header(ws: Any, styles: Styles, header: Sequence[str], widths: Sequence[float]) -> None:
    """Row 1 of a plain table: bold shaded header, frozen; the columns' widths."""
    ws.write_row(0, 0, list(header), styles.header)
    for column, width in enumerate(widths):
        ws.set_column(column, column, width, None, {"hidden": True} if width == 0 else None)
    ws.set_default_row(TABLE_ROW_HEIGHT)
    ws.freeze_panes(1, 0)


def _table(
    ws: Any,
    styles: Styles,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
    *,
    align: str | None = None,
) -> int:
    """A plain table: header on row 1, then boxed rows; landscape A4 fitted to width. Returns the last row.

    With an `align` that wraps, a row whose text takes more than a line is made as tall as its longest cell needs."""
    table_header(ws, styles, header, widths)
    body = styles.get(border=1, align=align)
    day = styles.get(border=1, align=align, num_format=DATE_FORMAT)
    last = 0
    for last, cells in enumerate(rows, start=1):
        if align is not None and (height := _wrapped_height(cells, widths)) > TABLE_ROW_HEIGHT:
            ws.set_row(last, height)
        for column, value in enumerate(cells):
            write_cell(ws, last, column, value, day if isinstance(value, date) else body)
    print_setup(ws, last, widths)
    ws.repeat_rows(0)
    return last


def _wrapped_height(cells: Sequence[Any], widths: Sequence[float]) -> float:
    """Points the row's longest wrapped text needs (hidden columns left out)."""
    texts = [(v, w) for v, w in zip(cells, widths, strict=True) if w and isinstance(v, str)]
    return max((text_height(v, column_pixels(w), BODY_SIZE) for v, w in texts), default=0.0)


def write_figures(ws: Any, styles: Styles, data: SheetData) -> None:
    rows = [
        (year, totals.as_of, data.scope, i.code, i.sheet, i.sub, i.label, *_figure(i, totals, i.code))
        for year, totals in sorted(data.totals_by_year.items())
        for i in INDICATORS
    ]
    _table(ws, styles, FIGURE_COLUMNS, rows, FIGURE_WIDTHS, align="wrap")  # a long 指標 wraps, not cut by 値


def _figure(indicator: Indicator, totals: Totals, code: str) -> tuple[int | None, int | None, float | None, str]:
    """値, 分母, 割合, シート表記; a year without data has no figures, only 「—」."""
    if totals.no_data:
        return None, None, None, NO_DATA
    value = totals.indicators[code]
    return value.value, value.denominator, value.percent, sheet_notation(indicator, value)


BY_WARD_FIGURE_WIDTH, BY_WARD_DETAIL_WIDTH = 9.0, 8.0
LAST_YEAR = "前年同期"  # the 区別内訳 column beside each figure: last year at the same day, as /totals compares


def by_ward_columns(last_year: date | None = None) -> list[tuple[str, str, Indicator | None, str]]:
    """The 区別内訳 columns after 区コード/区名: (column code, Japanese label, indicator, part).

    Each indicator's figure, then beside it `<code> 前年同期` (part `last_year_value`, or `last_year_percent` for a
    share), labelled with that day when `last_year` is given: 「前年同期（令和6年11月末）」. Then the figure's details:
    `<code> 分母` where it has a denominator, `<code> ％` where the sheet shows a percentage. A share (2-Q) is a
    percentage under its own code, its last year's percentage, then its 「はい」 count and its denominator.
    """
    when = f"{LAST_YEAR}（{as_of_label(last_year).removesuffix('時点')}）" if last_year is not None else LAST_YEAR
    columns: list[tuple[str, str, Indicator | None, str]] = []
    for indicator in INDICATORS:
        last = (f"{indicator.code} {LAST_YEAR}", when, indicator, "last_year_value")
        if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            columns.append((indicator.code, f"{indicator.short_label}（％）", indicator, "percent"))
            columns.append((last[0], f"{when}（％）", indicator, "last_year_percent"))
            columns.append((f"{indicator.code} はい", "「はい」の回答数", indicator, "value"))
            columns.append((f"{indicator.code} 分母", "回答数", indicator, "denominator"))
            continue
        columns.append((indicator.code, indicator.short_label, indicator, "value"))
        columns.append(last)
        if indicator.denominator is not Denominator.NONE:
            denominator = "回答数" if indicator.denominator is Denominator.SURVEY_ANSWERS else "名簿提供地域数"
            columns.append((f"{indicator.code} 分母", denominator, indicator, "denominator"))
        if indicator.shows_percent:
            columns.append((f"{indicator.code} ％", "割合（％）", indicator, "percent"))
    return columns


def _ward_cells(
    columns: Sequence[tuple[str, str, Indicator | None, str]],
    this_year: dict[str, IndicatorValue] | None,
    last_year: dict[str, IndicatorValue] | None,
) -> list[int | float | str | None]:
    """A ward's (or the total's) figures, this year's and last year's; None for a year: 「—」 in its cells (a year
    without data, or a ward last year's figures do not have)."""
    cells: list[int | float | str | None] = []
    for _code, _label, indicator, part in columns:
        assert indicator is not None
        figures = last_year if part.startswith("last_year_") else this_year
        if figures is None:
            cells.append(NO_DATA)
            continue
        value = figures[indicator.code]
        shown = {"value": value.value, "denominator": value.denominator, "percent": value.percent}
        cells.append(shown[part.removeprefix("last_year_")])
    return cells


def write_by_ward(ws: Any, styles: Styles, data: SheetData) -> None:
    """Row 1 the column codes, row 2 the labels (A2:B2 merged: the caption, so that the frozen corner says on screen
    and on every printed page which year, day and scope the figures are), a row per ward, the total row."""
    last_year = data.same_day_last_year if data.same_day_last_year and not data.same_day_last_year.no_data else None
    this_year = None if data.totals.no_data else data.totals
    columns = by_ward_columns(same_point_last_year(data.as_of))
    approval = f"区の確認・市の承認（{data.as_of.month}月分・作成時点）"
    header = ["区コード", "区名", *(code for code, _label, _i, _part in columns), *COMPLETENESS_CODES, APPROVAL_COLUMN]
    labels = [
        *(label for _code, label, _i, _part in columns),
        *completeness_labels(data.as_of),
        approval,
    ]
    # Short numbers under wrapped labels: an indicator's figure, its 前年同期 and details narrow enough that each
    # printed page holds whole indicators (`column_breaks`); row 2 as tall as its longest label needs.
    figures = (BY_WARD_FIGURE_WIDTH if code == i.code else BY_WARD_DETAIL_WIDTH for code, _l, i, _p in columns if i)
    widths = [8, 14, *figures, *COMPLETENESS_WIDTHS, 14]
    table_header(ws, styles, header, widths)
    ws.set_row(0, max(TABLE_ROW_HEIGHT, *_heights(header, widths)))  # `1-1 前年同期` wraps in its narrow column
    caption = "\n".join(_caption_parts(data))
    corner = text_height(caption, column_pixels(widths[0]) + column_pixels(widths[1]), BODY_SIZE)
    ws.set_row(1, max(60.0, corner, *_heights(labels, widths[2:])))
    ws.merge_range(1, 0, 1, 1, caption, styles.header)
    ws.write_row(1, 2, labels, styles.header)
    row = 1
    for row, (ward, values) in enumerate(sorted(data.by_ward.items(), key=lambda item: ward_order(item[0])), start=2):
        before = last_year.by_ward.get(ward) if last_year is not None else None
        cells = [
            *_ward_cells(columns, values if this_year is not None else None, before),
            *completeness_cells(data.completeness.get(ward), data.totals.no_data),
        ]
        state = APPROVAL_LABELS.get(data.approval.get(ward, "open"), "")
        _write_cells(ws, row, [ward, data.ward_names.get(ward, ward), *cells, state], styles.body)
    row += 1
    accepted = sum(1 for ward in data.by_ward if data.approval.get(ward) == "accepted")
    _write_cells(
        ws,
        row,
        [
            "合計",
            data.scope_label,
            *_ward_cells(
                columns,
                this_year.indicators if this_year is not None else None,
                last_year.indicators if last_year is not None else None,
            ),
            *completeness_cells(total_completeness(data.completeness), data.totals.no_data),
            f"市承認済み {accepted}／{len(data.by_ward)}区",
        ],
        styles.get(border=1, bold=True),
    )
    ws.freeze_panes(2, 2)
    print_setup(ws, row, widths)
    ws.repeat_rows(0, 1)
    ws.repeat_columns(0, 1)  # the ward's code and name on every printed page
    # Each printed page holds whole indicators (a figure and its 前年同期 never apart), then the report columns.
    firsts = [column for column, (code, _l, i, _p) in enumerate(columns, start=2) if i and code == i.code]
    report = 2 + len(columns)
    ws.set_v_pagebreaks(column_breaks(widths, [*firsts, report, report + len(COMPLETENESS_CODES)], repeated=2))
    ws.set_header(f"&L{by_ward_caption(data)}&R&P", {"margin": 0.2})  # printed alone, each page says what it is


def _heights(texts: Sequence[str], widths: Sequence[float]) -> list[float]:
    return [text_height(text, column_pixels(width), BODY_SIZE) for text, width in zip(texts, widths, strict=True)]


def by_ward_caption(data: SheetData) -> str:
    """What a printed page of 区別内訳 is: `区別内訳　2025（令和7）年度　令和7年11月末時点　大阪市（24区）`."""
    return "　".join(("区別内訳", *_caption_parts(data)))


def _caption_parts(data: SheetData) -> tuple[str, str, str]:
    """The year, the day and the scope: the printed header's, and a line each in the frozen corner (A2:B2)."""
    return fiscal_year_label(data.fiscal_year), as_of_label(data.as_of), data.scope_label


def _write_cells(ws: Any, row: int, cells: Sequence[Any], style: Any) -> None:
    for column, value in enumerate(cells):
        write_cell(ws, row, column, value, style)


def _answer(answer: bool | None) -> str | None:
    return None if answer is None else ("はい" if answer else "いいえ")


def _roster(flag: bool | None) -> str | None:
    return None if flag is None else ("○" if flag else "×")


def event_cells(e: EventRow) -> tuple[Any, ...]:
    """The 集計根拠 cells after No. and 発生日."""
    return (
        e.ward_code,
        e.ward_name,
        e.area_code,
        e.kind,
        e.kind_label,
        e.indicator_code,
        e.count,
        e.household_ref,
        _answer(e.answer),
        _roster(e.area_roster_provided),
    )


def write_monthly_evidence(ws: Any, styles: Styles, figures: Sequence[MonthlyFigure]) -> None:
    """The city's 集計根拠: the notes on the first rows (what the columns count, how they add up to the sheet,
    the event list is `intake export`), then the table."""
    last, header = len(MONTHLY_COLUMNS) - 1, len(MONTHLY_NOTES)
    width = sum(column_pixels(width) for width in MONTHLY_WIDTHS)
    for row, note in enumerate(MONTHLY_NOTES):
        ws.set_row(row, text_height(note, width, BODY_SIZE))
        ws.merge_range(row, 0, row, last, note, styles.get(align="wrap"))
    ws.write_row(header, 0, list(MONTHLY_COLUMNS), styles.header)
    for column, width in enumerate(MONTHLY_WIDTHS):
        ws.set_column(column, column, width)
    ws.set_default_row(TABLE_ROW_HEIGHT)
    ws.freeze_panes(header + 1, 0)
    row, body = header, styles.body
    for row, figure in enumerate(figures, start=header + 1):
        for column, value in enumerate(figure.cells()):
            if value is not None:  # a column that does not apply to the indicator is left empty, as in the event list
                (ws.write_string if isinstance(value, str) else ws.write_number)(row, column, value, body)
    if figures:
        ws.autofilter(header, 0, row, last)
    print_setup(ws, row, MONTHLY_WIDTHS)
    ws.repeat_rows(header)  # the column header on every printed page; the notes once, on the first


def definition_rows(data: SheetData) -> list[tuple[str, str, Any, str]]:
    """(key, 項目, 値, 説明) for the 定義 worksheet."""
    threshold = data.definitions.get("regular_meeting_threshold")
    generated = data.generated_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S（日本時間）")
    return [
        (
            "regular_meeting_threshold",
            "「定期的に」（指標1-1）",
            threshold,
            f"年度内（時点まで）に{threshold}回以上、活動者の集まりがあった地域を数える",
        ),
        (
            "distinct_areas",
            "地域数（指標1-1・1-2）",
            "名簿提供のある有効な地域のみ",
            "名簿提供のある有効な地域だけを、何回あっても1地域として数える（分母：名簿提供地域数）",
        ),
        (
            "households",
            "世帯数（指標3-1）",
            "年度内の（区、世帯参照コード）の組",
            "年度内の（区、世帯参照コード）の組を、何回つながっても1世帯として数える",
        ),
        ("fiscal_year", "年度", data.fiscal_year, fiscal_year_label(data.fiscal_year)),
        ("as_of", "時点", data.as_of, f"{as_of_label(data.as_of)}（発生日が4月1日からこの日までの記録）"),
        ("scope", "範囲", data.ward_code or "市全体", data.scope_label),
        ("earlier_years", "過年度の列", "各年度末時点", "前年度までの列は各年度末（3月31日）時点、以後の年度は空欄"),
        ("voided", "取消された記録", "数えない", "取消・訂正前の記録は数えない（年度は発生日で判定）"),
        ("no_data", "「—」（データなし）", "あり" if _has_no_data_year(data) else "なし", NO_DATA_NOTE),
        ("generated_at", "作成日時", generated, ""),
        ("from_snapshot", "スナップショットから作成", "はい" if data.from_snapshot else "いいえ", ""),
        ("note", "備考", data.note, ""),
    ]


def _has_no_data_year(data: SheetData) -> bool:
    return any(totals.no_data for totals in data.totals_by_year.values())


# The key column (A) is for programs reading the tab back: hidden (width 0), so the page reads in Japanese only.
DEFINITION_WIDTHS = (0, 24, 44, 76)


def write_definitions(ws: Any, styles: Styles, data: SheetData) -> None:
    _table(ws, styles, ("キー", "項目", "値", "説明"), definition_rows(data), DEFINITION_WIDTHS, align="left")
