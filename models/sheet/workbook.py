"""The progress sheet (推進状況確認シート) as an Excel workbook, and the data behind every figure in it.

`collect_sheet` reads: the totals engine (SQL aggregates) for each plan year, plus simple selects (the
sheet's bullets, the counted events or, for the city, the monthly evidence of `models.sheet.evidence`, read
from the rollups like the totals). `build_workbook` is pure: the same `SheetData` gives the same bytes (the
document properties carry `generated_at`, not the clock).
`write_sheet` does both with bounded memory, streaming the event list from the database into the file.

Worksheets, in this order:

"基本目標1", "基本目標2", "参加支援" (`Sheet.goal`) — the client's three sheets, one layout:
    columns  A section label · B ア/イ/ウ · C indicator label · D/E/F the plan years 2024/2025/2026
             (`YEAR_COLUMNS`) · G hidden row key (`KEY_COLUMN`; find rows with `row_of` / `rows_of`)
    row 1    title: SHEET_TITLE + `（令和7年11月末時点）`, plus `　<ward name>` for a ward (A1, merged A:F)
    row 2    A `基本理念`, B:F the philosophy                               key `philosophy`
    rows 3–4 A `基本目標`, B:F the two plan goals                           keys `goal-1`, `goal-2`
    row 5    A the sheet's goal (基本目標1 …), B:F its heading               key `heading`
    then     per sub-initiative: B letter, C:F title (key `sub:ア`); then one row per description,
             C:F `・…` (key `description:ア`); sheet 3 has no letter and no title line (key `description:`)
    then     the year header row: D/E/F `2024（令和6）年度` … (key `years`)
    then     four sections, A merged down each section with its label:
             取組内容 (key `activities`; sheet 3 first has the seed's 「※市区社協での取組」, B:F, key
             `activities_remark`), 量的成果（指標） (key `indicator:<code>` per indicator: B letter, C label
             (a ward's 3-1 without 「（24区合計）」), D–F the figure written by `sheet_figure`: 「（名簿提供地域数）」
             after a roster denominator, 1-2's share on its own 「（　％）」 line, 「—」 for a year without data),
             質的成果 (sheet 2: first the row `indicator:2-Q`; then rows keyed `qualitative`),
             課題と今後の方向性 (key `issues`).
             A bullet row holds `・<text>` or a lone `・` in each year column that has started; there are
             at least `MIN_BULLET_LINES` rows per section.
    last     the source note (A:F merged, key `note`); then, only when a figure on the worksheet includes a
             baseline (written with a trailing ※), the footnote `BASELINE_NOTE` (A:F merged, key `baseline_note`);
             then, only when a year shows 「—」 (`Totals.no_data`), `NO_DATA_NOTE` (key `no_data_note`)
    A year that has not started by the as-of date (later than the chosen year) is blank everywhere.
    Printed: A4 landscape, 10 pt 游ゴシック at 100 % (the columns fit the page), rows tall for 游ゴシック.

"数値" — machine-readable figures: one row per (plan year up to the chosen one, indicator); header row 1
    (`FIGURE_COLUMNS`): year, as-of, scope, indicator code, sheet, sub, label, value, denominator, percent,
    the sheet's notation; a year without data has empty figures and the notation 「—」.
"区別内訳" — the chosen year per ward: header row 1 = column codes (区コード, 区名, then per indicator its code,
    `<code> 分母` where it has a denominator, `<code> ％` where the sheet shows a percentage; 2-Q is its
    percentage, then `2-Q はい` and `2-Q 分母`), row 2 = Japanese labels, one row per ward (code order), then
    the total row (A `合計`, B the scope's name). A year without data shows 「—」 in every figure.
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

import math
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
import xlsxwriter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from xlsxwriter.utility import xl_range  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet as Worksheet_  # type: ignore[import-untyped]

from models.catalog import (
    FISCAL_YEARS_OF_PLAN,
    INDICATORS,
    KINDS_BY_CODE,
    PLAN_GOALS,
    PLAN_PHILOSOPHY,
    SECTION_LABELS_JA,
    SHEET_TITLE,
    SHEETS,
    Aggregation,
    Denominator,
    Indicator,
    Sheet,
    SheetSection,
    indicator_code_of,
    kind_label_ja,
)
from models.config import TOKYO
from models.fiscal import as_of_label, fiscal_year_end, fiscal_year_label, fiscal_year_start
from models.sheet.evidence import MonthlyFigure, live_at, monthly_figures
from models.sheet.measure import display_width
from models.snapshots import city_evidence_as_of, snapshot_taken_at, totals_as_of
from models.tables import Area, Event, SheetBullet, Ward
from models.totals import (
    IndicatorValue,
    Totals,
    flag_no_data,
    resolve_as_of,
    sheet_notation,
)

SNAPSHOT_NOTE = "月末確定値（締切時に保存した集計）です。締切後の修正は含みません。"
BASELINE_MARK = "※"  # after a figure that includes a baseline (models.totals: IndicatorValue.from_baseline)
BASELINE_NOTE = "※ 集計開始前の実績値（ベースライン）を含みます"
NO_DATA = "—"  # a year with no events and no baselines in the scope (Totals.no_data): not a result of 0
NO_DATA_NOTE = (
    "「—」はデータなし（その年度・範囲に記録も過去の数値もありません）。"
    "過去の数値は管理者が intake baseline set で登録できます。"
)
ROSTER_AREAS_NOTE = "（名簿提供地域数）"  # after the denominator, as on the seed
CITY_TOTAL_NOTE = "（24区合計）"  # in 3-1's label: true of the city's sheet only
# A remark the seed prints at the top of a sheet's 取組内容 (by sheet number), not in the source note.

BulletKey = tuple[int, SheetSection, int]  # (sheet number, section, fiscal year)

CITY_NAME = "大阪市（24区）"
QUANTITATIVE_LABEL = "量的成果（指標）"
MIN_BULLET_LINES = 3
FONT_NAME = "游ゴシック"

SECTION_COLUMN, SUB_COLUMN, LABEL_COLUMN = 1, 2, 3
YEAR_COLUMNS: dict[int, int] = {year: 4 + index for index, year in enumerate(FISCAL_YEARS_OF_PLAN)}
LAST_COLUMN = max(YEAR_COLUMNS.values())
KEY_COLUMN = LAST_COLUMN + 1
# Sized to fit A4 landscape at 100 %: fitting to one page wide never shrinks the 10 pt text (see _print_setup).
COLUMN_WIDTHS: dict[int, float] = {SECTION_COLUMN: 10, SUB_COLUMN: 3.5, LABEL_COLUMN: 34} | dict.fromkeys(
    YEAR_COLUMNS.values(), 33.0
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
    "達した月）、新たに数えた世帯＝その月に年度内で初めてつながった世帯。市全体の記録ごとの一覧は intake export で"
    "出力できます。",
    "ベースライン（集計開始前の実績値）がなければ、区ごとに指標の各月の行を合計すると、その区のシートの数値になります"
    "（1-1・1-2は新たに数えた地域、3-1は新たに数えた世帯、2-Qは「はい」の回答数と記録数（回答数）、"
    "ほかの指標は件数（人数）合計）。締切済みの月末のシートでは、締切時に記録されていた集計です。",
)
STREAM_CHUNK = 2_000  # events fetched from the database at a time

CREATOR = "mimamori-intake"
DATE_FORMAT = "yyyy-mm-dd"
SHADE_COLOUR, BORDER_COLOUR = "#F2F2F2", "#808080"
BODY_SIZE = 10.0  # points; printed at 100 %, or at no less than MIN_PRINT_SCALE
MIN_PRINT_SCALE = 0.9  # 10 pt × 0.9 = 9 pt on paper, the least legible size
# 游ゴシック needs about 1.75 × its size per line (Excel's own default row for 11 pt is 18.75 pt).
LINE_SPACING, ROW_PADDING = 1.75, 3.0
TABLE_ROW_HEIGHT = 18.0  # one 10 pt line of 游ゴシック, for the plain tables
# A4 landscape (297 mm = 841.9 pt) less the side margins: the width a page prints at 100 %.
SIDE_MARGIN_INCHES = 0.3
PRINTABLE_WIDTH_PT = 841.9 - 2 * 72 * SIDE_MARGIN_INCHES


@dataclass(frozen=True)
class CountedEvent:
    """One row of the 集計根拠 listing (no note, no staff, no Telegram id)."""

    event_id: int
    occurred_on: date
    ward_code: str
    ward_name: str
    area_code: str | None
    kind: str
    kind_label: str
    indicator_code: str
    count: int
    household_ref: str | None
    answer: bool | None
    area_roster_provided: bool | None  # roster provided and active; None without an area


@dataclass
class SheetData:
    """Everything the workbook shows, gathered once; `from_snapshot`/`note` say where it came from."""

    fiscal_year: int
    as_of: date
    ward_code: str | None  # None: the whole city
    ward_name: str | None
    totals_by_year: dict[int, Totals]  # plan years up to the chosen one; later years are absent (blank)
    bullets: dict[BulletKey, list[str]]
    by_ward: dict[str, dict[str, IndicatorValue]]  # the chosen year
    ward_names: dict[str, str]
    events: list[CountedEvent]
    definitions: dict[str, Any]
    generated_at: datetime
    from_snapshot: bool = False
    note: str = ""
    evidence: list[MonthlyFigure] | None = None  # the city's monthly 集計根拠; None: the event list
    recorded_by: datetime | None = field(default=None, repr=False)  # a frozen sheet: events as of this moment

    @property
    def scope(self) -> str:
        return self.ward_code or "city"

    @property
    def scope_label(self) -> str:
        return self.ward_name or CITY_NAME

    @property
    def totals(self) -> Totals:
        return self.totals_by_year[self.fiscal_year]

    def bullets_for(self, sheet: int, section: SheetSection, fiscal_year: int) -> list[str]:
        return self.bullets.get((sheet, section, fiscal_year), [])


# --- collecting -------------------------------------------------------------------------------------------


async def collect_sheet(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    regular_meeting_threshold: int = 1,
    *,
    generated_at: datetime | None = None,
    with_events: bool = True,
) -> SheetData:
    """The sheet's data for a plan year as of a date (capped at the year end), for the city or one ward.

    The 集計根拠 evidence: a ward's event list; for the city, always its monthly figures (`evidence`).
    `with_events=False` leaves the event list empty for the caller to stream (`write_sheet`). Raises
    ValueError for a year outside the plan, an as-of date before the year, or an unknown ward.
    """
    if fiscal_year not in FISCAL_YEARS_OF_PLAN:
        years = "–".join(str(year) for year in (FISCAL_YEARS_OF_PLAN[0], FISCAL_YEARS_OF_PLAN[-1]))
        raise ValueError(f"fiscal year {fiscal_year} is outside the plan ({years})")
    as_of = resolve_as_of(fiscal_year, as_of)
    ward_names = await _ward_names(session)
    if ward_code is not None and ward_code not in ward_names:
        raise ValueError(f"unknown ward code {ward_code}")
    totals_by_year = await _totals_by_year(session, fiscal_year, as_of, ward_code, regular_meeting_threshold)
    chosen = totals_by_year[fiscal_year]
    # A closed month's sheet is the one frozen when it locked: figures from the snapshot, and the events
    # as they were recorded at that moment (later corrections are left out, so every number still traces).
    frozen_at = await snapshot_taken_at(session, as_of, ward_code)
    evidence = None
    if ward_code is None:
        rows = await city_evidence_as_of(session, fiscal_year, as_of, regular_meeting_threshold)
        evidence = monthly_figures(rows, ward_names)
    listed = with_events and evidence is None
    return SheetData(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        ward_name=ward_names[ward_code] if ward_code else None,
        totals_by_year=totals_by_year,
        bullets=await _bullets(session, fiscal_year, ward_code),
        by_ward=chosen.by_ward,
        ward_names=ward_names,
        events=await counted_events(session, fiscal_year, as_of, ward_code, recorded_by=frozen_at) if listed else [],
        definitions=dict(chosen.definitions),
        generated_at=generated_at or datetime.now(UTC),
        from_snapshot=frozen_at is not None,
        note=SNAPSHOT_NOTE if frozen_at is not None else "",
        evidence=evidence,
        recorded_by=frozen_at,
    )


async def write_sheet(
    session: AsyncSession,
    target: str | Path | BytesIO,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    regular_meeting_threshold: int = 1,
    *,
    generated_at: datetime | None = None,
) -> SheetData:
    """Collect and write the workbook to `target`, streaming the event list from the database in chunks.

    Memory stays bounded however many events there are: no list of events, one row in memory per worksheet.
    """
    data = await collect_sheet(session, fiscal_year, as_of, ward_code, regular_meeting_threshold,
                               generated_at=generated_at, with_events=False)  # fmt: skip
    with SheetWorkbook(target, data) as book:
        if data.evidence is None:
            async for chunk in stream_counted_events(session, data.fiscal_year, data.as_of, ward_code,
                                                     recorded_by=data.recorded_by):  # fmt: skip
                book.add_events(chunk)
    return data


async def _totals_by_year(
    session: AsyncSession, fiscal_year: int, as_of: date, ward_code: str | None, threshold: int
) -> dict[int, Totals]:
    """The chosen year as of `as_of`; earlier plan years as of their year end; later years not at all."""
    totals: dict[int, Totals] = {}
    for year in FISCAL_YEARS_OF_PLAN:
        if year <= fiscal_year:
            year_as_of = as_of if year == fiscal_year else fiscal_year_end(year)
            year_totals, _frozen = await totals_as_of(session, year, year_as_of, ward_code, threshold)
            totals[year] = await flag_no_data(session, year_totals)
    return totals


async def _ward_names(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(sa.select(col(Ward.code), col(Ward.name_ja)).order_by(col(Ward.code)))
    return {code: name for code, name in rows}


async def _bullets(session: AsyncSession, fiscal_year: int, ward_code: str | None) -> dict[BulletKey, list[str]]:
    """Live bullets of the plan years up to the chosen one, for the city sheet (ward None) or the ward's."""
    scope = col(SheetBullet.ward_code).is_(None) if ward_code is None else col(SheetBullet.ward_code) == ward_code
    query = (
        sa.select(col(SheetBullet.sheet), col(SheetBullet.section), col(SheetBullet.fiscal_year), col(SheetBullet.text))
        .where(
            # Every key column of ix_sheet_bullet_scope named (the sheets too): the index is searched, not scanned,
            # however many years of bullets exist.
            col(SheetBullet.sheet).in_([sheet.number for sheet in SHEETS]),
            scope,
            col(SheetBullet.removed_at).is_(None),
            col(SheetBullet.fiscal_year).in_([year for year in FISCAL_YEARS_OF_PLAN if year <= fiscal_year]),
            col(SheetBullet.section).in_([section.value for section in SheetSection]),
        )
        .order_by(col(SheetBullet.position), col(SheetBullet.id))
    )
    bullets: dict[BulletKey, list[str]] = defaultdict(list)
    for sheet, section, year, text in await session.execute(query):
        bullets[(sheet, SheetSection(section), year)].append(text)
    return dict(bullets)


async def counted_events(
    session: AsyncSession, fiscal_year: int, as_of: date, ward_code: str | None, recorded_by: datetime | None = None
) -> list[CountedEvent]:
    """Every live event of the fiscal year up to `as_of` in the scope, by date then number (one select).

    With `recorded_by`: the events as they stood at that moment (logged by then, not yet voided by then).
    """
    query = _counted_events_query(fiscal_year, as_of, ward_code, recorded_by)
    return [_counted_event(tuple(row)) for row in await session.execute(query)]


async def stream_counted_events(
    session: AsyncSession,
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    recorded_by: datetime | None = None,
    chunk: int = STREAM_CHUNK,
) -> AsyncIterator[list[CountedEvent]]:
    """`counted_events` in chunks of `chunk`, read through a server-side cursor (never one list)."""
    query = _counted_events_query(fiscal_year, as_of, ward_code, recorded_by)
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for rows in result.partitions(chunk):
        yield [_counted_event(tuple(row)) for row in rows]


def _counted_events_query(
    fiscal_year: int, as_of: date, ward_code: str | None, recorded_by: datetime | None
) -> sa.Select[*tuple[Any, ...]]:
    query: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(Event.id), col(Event.occurred_on), col(Event.ward_code), col(Ward.name_ja), col(Area.code),
            col(Event.kind), col(Event.count), col(Event.household_ref), col(Event.answer),
            col(Area.roster_provided), col(Area.active),
        )
        .join(Ward, col(Ward.code) == col(Event.ward_code))
        .outerjoin(Area, col(Area.id) == col(Event.area_id))
        .where(live_at(recorded_by, *_in_window(fiscal_year, as_of, ward_code)))
        .order_by(col(Event.occurred_on), col(Event.id))
    )  # fmt: skip
    return query


def _in_window(fiscal_year: int, as_of: date, ward_code: str | None) -> list[sa.ColumnElement[bool]]:
    """The sheet's events: every known kind (so the live-events indexes are searched, not scanned), the days."""
    days = col(Event.occurred_on).between(fiscal_year_start(fiscal_year), as_of)
    ward = [col(Event.ward_code) == ward_code] if ward_code is not None else []
    return [col(Event.kind).in_(sorted(KINDS_BY_CODE)), days, *ward]


def _counted_event(row: Sequence[Any]) -> CountedEvent:
    event_id, occurred_on, ward_code, ward_name, area_code, kind, count, household, answer, roster, active = row
    return CountedEvent(
        event_id=event_id,
        occurred_on=occurred_on,
        ward_code=ward_code,
        ward_name=ward_name,
        area_code=area_code,
        kind=kind,
        kind_label=kind_label_ja(kind),
        indicator_code=indicator_code_of(kind),
        count=count,
        household_ref=household,
        answer=answer,
        area_roster_provided=None if area_code is None else bool(roster and active),
    )


def default_file_name(data: SheetData) -> str:
    """`sheet-2025-2025-11-30-city.xlsx` / `sheet-2025-2025-11-30-27102.xlsx`."""
    return f"sheet-{data.fiscal_year}-{data.as_of.isoformat()}-{data.scope}.xlsx"


# --- reading back -----------------------------------------------------------------------------------------


def rows_of(worksheet: Worksheet, key: str) -> list[int]:
    """The rows of a sheet worksheet whose hidden key (column G) is `key`, top to bottom."""
    return [row for row in range(1, worksheet.max_row + 1) if worksheet.cell(row=row, column=KEY_COLUMN).value == key]


def row_of(worksheet: Worksheet, key: str) -> int:
    """The one row keyed `key` (KeyError when there is none)."""
    found = rows_of(worksheet, key)
    if not found:
        raise KeyError(key)
    return found[0]


# --- building ---------------------------------------------------------------------------------------------
#
# XlsxWriter in constant_memory mode (measured against openpyxl's write-only mode: about three times faster per
# cell and half the memory): each worksheet is written strictly row by row to a temporary file, so a row must
# be complete before the next one starts. Every style is one shared Format from `_Styles` (never one per cell).
# The city's workbook has no event list (its 集計根拠 is at most wards × kinds × months rows): it is built in
# memory, its repeated texts (ward names, labels, months) stored once as shared strings, about a quarter faster
# to write than inline; the rows are written in the same order either way.


def build_workbook(data: SheetData) -> bytes:
    """The workbook as .xlsx bytes: the three sheets, then 数値, 区別内訳, 集計根拠 and 定義."""
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
        self.styles = _Styles(self.workbook)
        self.events_sheet: Any = None
        self.event_rows = 0

    def __enter__(self) -> SheetWorkbook:
        stamp = self.data.generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self.workbook.set_properties({"created": stamp, "author": CREATOR, "title": SHEET_TITLE})
        pages = [(self._add(sheet.goal), sheet) for sheet in SHEETS]
        figures, by_ward, evidence, definitions = (self._add(name) for name in ("数値", "区別内訳", "集計根拠", "定義"))
        for worksheet, sheet in pages:
            _SheetWriter(worksheet, self.styles, self.data, sheet).write()
        _write_figures(figures, self.styles, self.data)
        _write_by_ward(by_ward, self.styles, self.data)
        _write_definitions(definitions, self.styles, self.data)
        if self.data.evidence is None:
            self.events_sheet = evidence
            _table_header(evidence, self.styles, EVENT_COLUMNS, EVENT_WIDTHS)
        else:
            _write_monthly_evidence(evidence, self.styles, self.data.evidence)
        return self

    def _add(self, name: str) -> Any:
        return self.workbook.add_worksheet(name, worksheet_class=_Worksheet)

    def add_events(self, events: Iterable[CountedEvent]) -> None:
        """The next 集計根拠 rows (by date then No.), as they come from the database."""
        sheet, body = self.events_sheet, self.styles.body
        for event in events:
            self.event_rows += 1
            row = self.event_rows
            sheet.write_number(row, 0, event.event_id, body)
            sheet.write_datetime(row, 1, event.occurred_on, self.styles.date)
            for column, value in enumerate(_event_cells(event), start=2):
                if value is not None:  # an empty cell is left out: tens of thousands of rows, a third of them empty
                    _write(sheet, row, column, value, body)

    def __exit__(self, *exc_info: object) -> None:
        if self.events_sheet is not None:
            last = len(EVENT_COLUMNS) - 1
            if self.event_rows:
                self.events_sheet.autofilter(0, 0, self.event_rows, last)
            _print_setup(self.events_sheet, self.event_rows, EVENT_WIDTHS)
            self.events_sheet.repeat_rows(0)
        self.workbook.close()


class _Worksheet(Worksheet_):  # type: ignore[misc]
    """Spells out fitToWidth="1": XlsxWriter leaves the default out, and some readers then see no value."""

    def _xml_empty_tag(self, tag: str, attributes: list[tuple[str, Any]] | None = None) -> None:
        if (tag == "pageSetup" and self.fit_page and attributes is not None
                and all(name != "fitToWidth" for name, _value in attributes)):  # fmt: skip
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


class _Styles:
    """The workbook's named shared styles: one Format per distinct Style, created on first use."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[Style, Any] = {}
        self.body = self.get(border=1)
        self.date = self.get(border=1, num_format=DATE_FORMAT)
        self.header = self.get(border=1, bold=True, shade=True, align="centre")

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
    "note": {"text_wrap": True, "align": "right"},
}


def sheet_figure(indicator: Indicator, figure: IndicatorValue, no_data: bool = False) -> str:
    """A figure as the printed sheet writes it: `sheet_notation`, with the seed's 「（名簿提供地域数）」 after a
    roster denominator and 1-2's share on its own 「（　％）」 line; 「—」 for a year without data."""
    if no_data:
        return NO_DATA
    if indicator.denominator is not Denominator.ROSTER_AREAS:
        return sheet_notation(indicator, figure)
    text = f"{figure.value:,} ／ 全{figure.denominator or 0:,}地域{ROSTER_AREAS_NOTE}"
    if indicator.shows_percent:
        text += f"\n（{NO_DATA if figure.percent is None else f'{figure.percent:.1f}'}％）"
    return text


def _year_started(data: SheetData, year: int) -> bool:
    return year in data.totals_by_year


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


class _SheetWriter:
    """Writes one of the three sheets top to bottom, one finished row at a time (constant_memory).

    A row is gathered with `_put`, then written by `_next` with its height and borders. A label merged down
    several rows (基本目標, each section) is written on its top row, with the merge over the rows to come.
    """

    def __init__(self, worksheet: Any, styles: _Styles, data: SheetData, sheet: Sheet) -> None:
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
        self._note()
        self._baseline_note()
        self._no_data_note()
        _print_setup(self.ws, self.row - 2, [COLUMN_WIDTHS[column] for column in range(1, LAST_COLUMN + 1)])

    # rows

    def _put(self, column: int, value: Any, *, last_column: int | None = None, bold: bool = False,
             size: float = 10, align: str = "wrap", shade: bool = False, measured: bool = True) -> None:  # fmt: skip
        self.cells.append(_Cell(column, value, last_column or column, bold, size, align, shade, measured))

    def _key(self, key: str) -> None:
        self.key = key

    def _next(self) -> None:
        """Write the gathered row (height, cells, borders, hidden key) and start the next one."""
        row = self.row - 1  # XlsxWriter counts from 0
        height = max((self._height(cell) for cell in self.cells if cell.measured and isinstance(cell.value, str)),
                     default=None)  # fmt: skip
        if height is not None:
            self.ws.set_row(row, height)
        covered: set[int] = set()
        for cell in self.cells:
            style = self.styles.get(bold=cell.bold, size=cell.size, align=cell.align, shade=cell.shade,
                                    border=self._border(cell.column, cell.last_column))  # fmt: skip
            if cell.last_column > cell.column:
                self.ws.merge_range(row, cell.column - 1, row, cell.last_column - 1, cell.value, style)
            else:
                _write(self.ws, row, cell.column - 1, cell.value, style)
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
        return _text_height(cell.value, pixels, cell.size)

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
        self._put(SECTION_COLUMN, title_text(self.data), last_column=LAST_COLUMN, bold=True, size=14)
        self._key("title")
        self._next()
        self._boxed("inner")
        self._labelled("基本理念", PLAN_PHILOSOPHY, "philosophy")
        for number, goal in enumerate(PLAN_GOALS, start=1):
            if number == 1:
                self.merge_rows = len(PLAN_GOALS)
            self._labelled("基本目標" if number == 1 else None, goal, f"goal-{number}")
        self._labelled(self.sheet.goal, self.sheet.title, "heading", bold=True)
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
        self.row += 1  # a blank line before the grid, as on the paper sheet

    def _year_header(self) -> None:
        self._boxed("inner")  # the grid: from here to the last section, every cell boxed
        self._put(SECTION_COLUMN, None, last_column=LABEL_COLUMN, shade=True)
        for year, column in YEAR_COLUMNS.items():
            self._put(column, fiscal_year_label(year), bold=True, align="centre", shade=True)
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
        self._put(SECTION_COLUMN, label, bold=True, align="centre", shade=True, measured=False)
        self.merge_rows = rows

    def _indicator_row(self, indicator: Indicator) -> None:
        self._put(SUB_COLUMN, indicator.sub if indicator.sub in ("ア", "イ", "ウ") else None, align="centre")
        label = indicator.label.replace(CITY_TOTAL_NOTE, "") if self.data.ward_code else indicator.label
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

    def _note(self) -> None:
        self._put(SECTION_COLUMN, self.sheet.note, last_column=LAST_COLUMN, align="note")
        self._key("note")
        self._next()


def _write(ws: Any, row: int, column: int, value: Any, style: Any) -> None:
    """One cell by its type: text stays text (ward codes), dates get the date format, None a styled blank."""
    if value is None:
        ws.write_blank(row, column, None, style)
    elif isinstance(value, str):
        ws.write_string(row, column, value, style)
    elif isinstance(value, date):
        ws.write_datetime(row, column, value, style)
    else:
        ws.write_number(row, column, value, style)


def column_pixels(width: float) -> int:
    """A column's width in pixels, as Excel (and XlsxWriter) turn a width in characters into pixels."""
    return int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def printed_width(widths: Iterable[float]) -> float:
    """Points the columns take on paper at 100 % (96 pixels to the inch)."""
    return sum(column_pixels(width) for width in widths) * 72 / 96


def text_lines(text: str, pixels: float, size: float) -> int:
    """Lines a wrapped text takes in a cell `pixels` wide: a full-width glyph is `size` pt wide, others half."""
    half_width = size * 96 / 72 / 2
    per_line = max((pixels - 8) * 0.95 / half_width, 2)  # less the cell's inner padding, with some slack
    return sum(max(1, math.ceil(display_width(part) / per_line)) for part in text.split("\n"))


def _text_height(text: str, pixels: float, size: float) -> float:
    """Points a wrapped text needs in a cell `pixels` wide, with 游ゴシック's line spacing."""
    return text_lines(text, pixels, size) * LINE_SPACING * size + ROW_PADDING


def _print_setup(ws: Any, last_row: int, widths: Sequence[float]) -> None:
    """Landscape A4, centred, A1 to the last row of the given columns: one page wide (as many pages down as
    needed) when that prints at MIN_PRINT_SCALE or more, else at that scale over several pages across."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if printed_width(widths) * MIN_PRINT_SCALE <= PRINTABLE_WIDTH_PT:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(round(MIN_PRINT_SCALE * 100))
    ws.center_horizontally()
    ws.set_margins(left=SIDE_MARGIN_INCHES, right=SIDE_MARGIN_INCHES, top=0.5, bottom=0.5)
    ws.print_area(0, 0, max(last_row, 0), len(widths) - 1)


# --- the tables behind the figures ------------------------------------------------------------------------


def _table_header(ws: Any, styles: _Styles, header: Sequence[str], widths: Sequence[float]) -> None:
    """Row 1 of a plain table: bold shaded header, frozen; the columns' widths."""
    ws.write_row(0, 0, list(header), styles.header)
    for column, width in enumerate(widths):
        ws.set_column(column, column, width, None, {"hidden": True} if width == 0 else None)
    ws.set_default_row(TABLE_ROW_HEIGHT)
    ws.freeze_panes(1, 0)


def _table(ws: Any, styles: _Styles, header: Sequence[str], rows: Iterable[Sequence[Any]],
           widths: Sequence[float], *, align: str | None = None) -> int:  # fmt: skip
    """A plain table: header on row 1, then boxed rows; landscape A4 fitted to width. Returns the last row."""
    _table_header(ws, styles, header, widths)
    body = styles.get(border=1, align=align)
    day = styles.get(border=1, align=align, num_format=DATE_FORMAT)
    last = 0
    for last, cells in enumerate(rows, start=1):
        for column, value in enumerate(cells):
            _write(ws, last, column, value, day if isinstance(value, date) else body)
    _print_setup(ws, last, widths)
    ws.repeat_rows(0)
    return last


def _write_figures(ws: Any, styles: _Styles, data: SheetData) -> None:
    rows = [
        (year, totals.as_of, data.scope, i.code, i.sheet, i.sub, i.label, *_figure(i, totals, i.code))
        for year, totals in sorted(data.totals_by_year.items())
        for i in INDICATORS
    ]
    _table(ws, styles, FIGURE_COLUMNS, rows, (8, 12, 8, 10, 7, 9, 50, 8, 8, 10, 30))


def _figure(indicator: Indicator, totals: Totals, code: str) -> tuple[int | None, int | None, float | None, str]:
    """値, 分母, 割合, シート表記; a year without data has no figures, only 「—」."""
    if totals.no_data:
        return None, None, None, NO_DATA
    value = totals.indicators[code]
    return value.value, value.denominator, value.percent, sheet_notation(indicator, value)


def by_ward_columns() -> list[tuple[str, str, Indicator | None, str]]:
    """The 区別内訳 columns after 区コード/区名: (column code, Japanese label, indicator, part).

    A share (2-Q) is a percentage under its own code, then its 「はい」 count and its denominator.
    """
    columns: list[tuple[str, str, Indicator | None, str]] = []
    for indicator in INDICATORS:
        if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            columns.append((indicator.code, f"{indicator.short_label}（％）", indicator, "percent"))
            columns.append((f"{indicator.code} はい", "「はい」の回答数", indicator, "value"))
            columns.append((f"{indicator.code} 分母", "回答数", indicator, "denominator"))
            continue
        columns.append((indicator.code, indicator.short_label, indicator, "value"))
        if indicator.denominator is not Denominator.NONE:
            denominator = "回答数" if indicator.denominator is Denominator.SURVEY_ANSWERS else "名簿提供地域数"
            columns.append((f"{indicator.code} 分母", denominator, indicator, "denominator"))
        if indicator.shows_percent:
            columns.append((f"{indicator.code} ％", "割合（％）", indicator, "percent"))
    return columns


def _ward_cells(values: dict[str, IndicatorValue], no_data: bool = False) -> list[int | float | str | None]:
    """A ward's (or the total's) figures; 「—」 in every figure for a year without data."""
    cells: list[int | float | str | None] = []
    for _code, _label, indicator, part in by_ward_columns():
        assert indicator is not None
        value = values[indicator.code]
        figure = {"value": value.value, "denominator": value.denominator, "percent": value.percent}[part]
        cells.append(NO_DATA if no_data else figure)
    return cells


def _write_by_ward(ws: Any, styles: _Styles, data: SheetData) -> None:
    columns = by_ward_columns()
    header = ["区コード", "区名", *(code for code, _label, _i, _part in columns)]
    labels = ["区コード", "区名", *(label for _code, label, _i, _part in columns)]
    widths = [10, 14, *([11.0] * len(columns))]
    _table_header(ws, styles, header, widths)
    ws.set_row(1, 60)
    ws.write_row(1, 0, labels, styles.header)
    row = 1
    for row, (ward, values) in enumerate(sorted(data.by_ward.items()), start=2):
        cells = _ward_cells(values, data.totals.no_data)
        _write_cells(ws, row, [ward, data.ward_names.get(ward, ward), *cells], styles.body)
    row += 1
    _write_cells(
        ws,
        row,
        ["合計", data.scope_label, *_ward_cells(data.totals.indicators, data.totals.no_data)],
        styles.get(border=1, bold=True),
    )
    ws.freeze_panes(2, 2)
    _print_setup(ws, row, widths)
    ws.repeat_rows(0, 1)


def _write_cells(ws: Any, row: int, cells: Sequence[Any], style: Any) -> None:
    for column, value in enumerate(cells):
        _write(ws, row, column, value, style)


def _answer(answer: bool | None) -> str | None:
    return None if answer is None else ("はい" if answer else "いいえ")


def _roster(flag: bool | None) -> str | None:
    return None if flag is None else ("○" if flag else "×")


def _event_cells(e: CountedEvent) -> tuple[Any, ...]:
    """The 集計根拠 cells after No. and 発生日."""
    return (e.ward_code, e.ward_name, e.area_code, e.kind, e.kind_label, e.indicator_code, e.count, e.household_ref,
            _answer(e.answer), _roster(e.area_roster_provided))  # fmt: skip


def _write_monthly_evidence(ws: Any, styles: _Styles, figures: Sequence[MonthlyFigure]) -> None:
    """The city's 集計根拠: the notes on the first rows (what the columns count, how they add up to the sheet,
    the event list is `intake export`), then the table."""
    last, header = len(MONTHLY_COLUMNS) - 1, len(MONTHLY_NOTES)
    width = sum(column_pixels(width) for width in MONTHLY_WIDTHS)
    for row, note in enumerate(MONTHLY_NOTES):
        ws.set_row(row, _text_height(note, width, BODY_SIZE))
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
    _print_setup(ws, row, MONTHLY_WIDTHS)
    ws.repeat_rows(header)  # the column header on every printed page; the notes once, on the first


def definition_rows(data: SheetData) -> list[tuple[str, str, Any, str]]:
    """(key, 項目, 値, 説明) for the 定義 worksheet."""
    threshold = data.definitions.get("regular_meeting_threshold")
    generated = data.generated_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S（日本時間）")
    return [
        ("regular_meeting_threshold", "「定期的に」（指標1-1）", threshold,
         f"年度内（時点まで）に{threshold}回以上、活動者の集まりがあった地域を数える"),
        ("distinct_areas", "地域数（指標1-1・1-2）", "名簿提供のある有効な地域のみ",
         "名簿提供のある有効な地域だけを、何回あっても1地域として数える（分母：名簿提供地域数）"),
        ("households", "世帯数（指標3-1）", "年度内の（区、世帯参照コード）の組",
         "年度内の（区、世帯参照コード）の組を、何回つながっても1世帯として数える"),
        ("fiscal_year", "年度", data.fiscal_year, fiscal_year_label(data.fiscal_year)),
        ("as_of", "時点", data.as_of, f"{as_of_label(data.as_of)}（発生日が4月1日からこの日までの記録）"),
        ("scope", "範囲", data.ward_code or "市全体", data.scope_label),
        ("earlier_years", "過年度の列", "各年度末時点", "前年度までの列は各年度末（3月31日）時点、以後の年度は空欄"),
        ("voided", "取消された記録", "数えない", "取消・訂正前の記録は数えない（年度は発生日で判定）"),
        ("no_data", "「—」（データなし）", "あり" if _has_no_data_year(data) else "なし", NO_DATA_NOTE),
        ("generated_at", "作成日時", generated, ""),
        ("from_snapshot", "スナップショットから作成", "はい" if data.from_snapshot else "いいえ", ""),
        ("note", "備考", data.note, ""),
    ]  # fmt: skip


def _has_no_data_year(data: SheetData) -> bool:
    return any(totals.no_data for totals in data.totals_by_year.values())


# The key column (A) is for programs reading the tab back: hidden (width 0), so the page reads in Japanese only.
DEFINITION_WIDTHS = (0, 24, 44, 76)


def _write_definitions(ws: Any, styles: _Styles, data: SheetData) -> None:
    _table(ws, styles, ("キー", "項目", "値", "説明"), definition_rows(data), DEFINITION_WIDTHS, align="left")
