"""The progress sheet (推進状況確認シート) as an Excel workbook, and the data behind every figure in it.

`collect_sheet` reads: the totals engine (SQL aggregates) for each plan year, plus two simple selects (the
sheet's bullets, the counted events). `build_workbook` is pure: the same `SheetData` gives the same bytes
(the zip entries and document properties carry `generated_at`, not the clock).

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
             取組内容 (key `activities`), 量的成果（指標） (key `indicator:<code>` per indicator: B letter,
             C label, D–F the figure written by `sheet_notation`), 質的成果 (sheet 2: first the row
             `indicator:2-Q`; then rows keyed `qualitative`), 課題と今後の方向性 (key `issues`).
             A bullet row holds `・<text>` or a lone `・` in each year column that has started; there are
             at least `MIN_BULLET_LINES` rows per section.
    last     the source note (A:F merged, key `note`); then, only when a figure on the worksheet includes a
             baseline (written with a trailing ※), the footnote `BASELINE_NOTE` (A:F merged, key `baseline_note`)
    A year that has not started by the as-of date (later than the chosen year) is blank everywhere.

"数値" — machine-readable figures: one row per (plan year up to the chosen one, indicator); header row 1
    (`FIGURE_COLUMNS`): year, as-of, scope, indicator code, sheet, sub, label, value, denominator, percent,
    the sheet's notation.
"区別内訳" — the chosen year per ward: header row 1 = column codes (区コード, 区名, then per indicator its code,
    `<code> 分母` where it has a denominator, `<code> ％` where the sheet shows a percentage), row 2 = Japanese
    labels, one row per ward (code order), then the total row (A `合計`, B the scope's name).
"集計根拠" — every live event of the chosen year up to the as-of date in the scope, by date then No.: header
    row 1 = `EVENT_COLUMNS`. No notes, no staff, no Telegram ids.
"定義" — the definitions used: header row 1 (キー, 項目, 値, 説明), then one row per definition keyed in A
    (`regular_meeting_threshold`, `distinct_areas`, `households`, `fiscal_year`, `as_of`, `scope`,
    `earlier_years`, `generated_at`, `from_snapshot`, `note`).
"""

from __future__ import annotations

import math
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.catalog import (
    FISCAL_YEARS_OF_PLAN,
    INDICATOR_BY_KIND,
    INDICATORS,
    KINDS_BY_CODE,
    PLAN_GOALS,
    PLAN_PHILOSOPHY,
    SECTION_LABELS_JA,
    SHEET_TITLE,
    SHEETS,
    Denominator,
    Indicator,
    Sheet,
    SheetSection,
)
from models.config import TOKYO
from models.fiscal import as_of_label, fiscal_year_end, fiscal_year_label, fiscal_year_start
from models.snapshots import snapshot_taken_at, totals_as_of
from models.tables import Area, Event, SheetBullet, Ward
from models.totals import IndicatorValue, Totals, display_width, resolve_as_of, sheet_notation

SNAPSHOT_NOTE = "月末確定値（締切時に保存した集計）です。締切後の修正は含みません。"
BASELINE_MARK = "※"  # after a figure that includes a baseline (models.totals: IndicatorValue.from_baseline)
BASELINE_NOTE = "※ 集計開始前の実績値（ベースライン）を含みます"

BulletKey = tuple[int, SheetSection, int]  # (sheet number, section, fiscal year)

CITY_NAME = "大阪市（24区）"
QUANTITATIVE_LABEL = "量的成果（指標）"
MIN_BULLET_LINES = 3
FONT_NAME = "游ゴシック"

SECTION_COLUMN, SUB_COLUMN, LABEL_COLUMN = 1, 2, 3
YEAR_COLUMNS: dict[int, int] = {year: 4 + index for index, year in enumerate(FISCAL_YEARS_OF_PLAN)}
LAST_COLUMN = max(YEAR_COLUMNS.values())
KEY_COLUMN = LAST_COLUMN + 1
COLUMN_WIDTHS: dict[int, float] = {SECTION_COLUMN: 12, SUB_COLUMN: 4, LABEL_COLUMN: 44} | dict.fromkeys(
    YEAR_COLUMNS.values(), 42.0
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

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SHADE = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LINE_HEIGHT, _ROW_PADDING = 14.0, 4.0  # points, for the 10 pt font


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
) -> SheetData:
    """The sheet's data for a plan year as of a date (capped at the year end), for the city or one ward.

    Raises ValueError for a year outside the plan, an as-of date before the year, or an unknown ward.
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
    return SheetData(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        ward_name=ward_names[ward_code] if ward_code else None,
        totals_by_year=totals_by_year,
        bullets=await _bullets(session, fiscal_year, ward_code),
        by_ward=chosen.by_ward,
        ward_names=ward_names,
        events=await counted_events(session, fiscal_year, as_of, ward_code, recorded_by=frozen_at),
        definitions=dict(chosen.definitions),
        generated_at=generated_at or datetime.now(UTC),
        from_snapshot=frozen_at is not None,
        note=SNAPSHOT_NOTE if frozen_at is not None else "",
    )


async def _totals_by_year(
    session: AsyncSession, fiscal_year: int, as_of: date, ward_code: str | None, threshold: int
) -> dict[int, Totals]:
    """The chosen year as of `as_of`; earlier plan years as of their year end; later years not at all."""
    totals: dict[int, Totals] = {}
    for year in FISCAL_YEARS_OF_PLAN:
        if year <= fiscal_year:
            year_as_of = as_of if year == fiscal_year else fiscal_year_end(year)
            totals[year], _frozen = await totals_as_of(session, year, year_as_of, ward_code, threshold)
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
    query = (
        sa.select(
            col(Event.id), col(Event.occurred_on), col(Event.ward_code), col(Ward.name_ja), col(Area.code),
            col(Event.kind), col(Event.count), col(Event.household_ref), col(Event.answer),
            col(Area.roster_provided), col(Area.active),
        )
        .join(Ward, col(Ward.code) == col(Event.ward_code))
        .outerjoin(Area, col(Area.id) == col(Event.area_id))
        .where(_live_at(recorded_by), col(Event.occurred_on).between(fiscal_year_start(fiscal_year), as_of))
        .order_by(col(Event.occurred_on), col(Event.id))
    )  # fmt: skip
    if ward_code is not None:
        query = query.where(col(Event.ward_code) == ward_code)
    if recorded_by is not None:
        query = query.where(col(Event.logged_at) <= recorded_by)
    return [_counted_event(tuple(row)) for row in await session.execute(query)]


def _live_at(moment: datetime | None) -> sa.ColumnElement[bool]:
    """Not voided now, or (for a past moment) not voided by then."""
    if moment is None:
        return col(Event.voided_at).is_(None)
    return sa.or_(col(Event.voided_at).is_(None), col(Event.voided_at) > moment)


def _counted_event(row: Sequence[Any]) -> CountedEvent:
    event_id, occurred_on, ward_code, ward_name, area_code, kind, count, household, answer, roster, active = row
    indicator = INDICATOR_BY_KIND.get(kind)
    label = KINDS_BY_CODE[kind].label_ja if kind in KINDS_BY_CODE else kind
    return CountedEvent(
        event_id=event_id,
        occurred_on=occurred_on,
        ward_code=ward_code,
        ward_name=ward_name,
        area_code=area_code,
        kind=kind,
        kind_label=label,
        indicator_code=indicator.code if indicator else "",
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


def build_workbook(data: SheetData) -> bytes:
    """The workbook as .xlsx bytes: the three sheets, then 数値, 区別内訳, 集計根拠 and 定義."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        _SheetWriter(workbook.create_sheet(sheet.goal), data, sheet).write()
    _write_figures(workbook.create_sheet("数値"), data)
    _write_by_ward(workbook.create_sheet("区別内訳"), data)
    _write_events(workbook.create_sheet("集計根拠"), data)
    _write_definitions(workbook.create_sheet("定義"), data)
    return _pinned_bytes(workbook, data.generated_at)


def _pinned_bytes(workbook: Workbook, generated_at: datetime) -> bytes:
    """Save without the clock: document properties and zip entries are stamped with `generated_at`."""
    stamp = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.creator = workbook.properties.lastModifiedBy = "mimamori-intake"
    raw = BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    local = generated_at.astimezone(TOKYO)
    when = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
    pinned = BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=when), source.read(entry.filename),
                            compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return pinned.getvalue()


def _font(*, bold: bool = False, size: float = 10) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def _year_started(data: SheetData, year: int) -> bool:
    return year in data.totals_by_year


def title_text(data: SheetData) -> str:
    """The title row: `【中核的な取組】…シート（令和7年11月末時点）`, and `　<ward name>` for a ward."""
    title = f"{SHEET_TITLE}（{as_of_label(data.as_of)}）"
    return f"{title}　{data.ward_name}" if data.ward_name else title


class _SheetWriter:
    """Writes one of the three sheets top to bottom, remembering the row heights its texts need."""

    def __init__(self, worksheet: Worksheet, data: SheetData, sheet: Sheet) -> None:
        self.ws, self.data, self.sheet = worksheet, data, sheet
        self.row = 1
        self.heights: dict[int, float] = {}
        self.baseline_marked = False

    def write(self) -> None:
        self._columns()
        self._header()
        self._sub_initiatives()
        grid_top = self.row
        self._year_header()
        self._bullet_section(SheetSection.ACTIVITIES)
        self._quantitative_section()
        self._bullet_section(SheetSection.QUALITATIVE, self._indicators("質的成果"))
        self._bullet_section(SheetSection.ISSUES)
        _box(self.ws, grid_top, self.row - 1, SECTION_COLUMN, LAST_COLUMN)
        self._note()
        self._baseline_note()
        self._finish()

    # rows

    def _put(self, column: int, value: Any, *, last_column: int | None = None, bold: bool = False,
             size: float = 10, align: Alignment = _WRAP, shade: bool = False) -> None:  # fmt: skip
        cell = self.ws.cell(row=self.row, column=column, value=value)
        cell.font, cell.alignment = _font(bold=bold, size=size), align
        if shade:
            cell.fill = _SHADE
        last = last_column or column
        if last > column:
            self.ws.merge_cells(start_row=self.row, start_column=column, end_row=self.row, end_column=last)
        if isinstance(value, str):
            width = sum(COLUMN_WIDTHS[c] for c in range(column, last + 1))
            self._need(_text_height(value, width, size))

    def _need(self, height: float) -> None:
        self.heights[self.row] = max(self.heights.get(self.row, 0.0), height)

    def _key(self, key: str) -> None:
        self.ws.cell(row=self.row, column=KEY_COLUMN, value=key)

    def _next(self) -> None:
        self.row += 1

    def _columns(self) -> None:
        for column, width in COLUMN_WIDTHS.items():
            self.ws.column_dimensions[get_column_letter(column)].width = width
        self.ws.column_dimensions[get_column_letter(KEY_COLUMN)].hidden = True

    def _header(self) -> None:
        self._put(SECTION_COLUMN, title_text(self.data), last_column=LAST_COLUMN, bold=True, size=14)
        self._key("title")
        self._next()
        top = self.row
        self._labelled("基本理念", PLAN_PHILOSOPHY, "philosophy")
        goals_top = self.row
        for number, goal in enumerate(PLAN_GOALS, start=1):
            self._labelled("基本目標" if number == 1 else None, goal, f"goal-{number}")
        self.ws.merge_cells(start_row=goals_top, start_column=SECTION_COLUMN, end_row=self.row - 1,
                            end_column=SECTION_COLUMN)  # fmt: skip
        self._labelled(self.sheet.goal, self.sheet.title, "heading", bold=True)
        _box(self.ws, top, self.row - 1, SECTION_COLUMN, LAST_COLUMN)

    def _labelled(self, label: str | None, text: str, key: str, *, bold: bool = False) -> None:
        if label is not None:
            self._put(SECTION_COLUMN, label, bold=True, align=_CENTRE, shade=True)
        self._put(SUB_COLUMN, text, last_column=LAST_COLUMN, bold=bold)
        self._key(key)
        self._next()

    def _sub_initiatives(self) -> None:
        top = self.row
        for sub in self.sheet.sub_initiatives:
            if sub.letter:
                self._put(SUB_COLUMN, sub.letter, bold=True)
                self._put(LABEL_COLUMN, sub.title, last_column=LAST_COLUMN, bold=True)
                self._key(f"sub:{sub.letter}")
                self._next()
            for description in sub.description:
                self._put(LABEL_COLUMN, f"・{description}", last_column=LAST_COLUMN)
                self._key(f"description:{sub.letter}")
                self._next()
        _box(self.ws, top, self.row - 1, SECTION_COLUMN, LAST_COLUMN, inner=False)
        self.row += 1  # a blank line before the grid, as on the paper sheet

    def _year_header(self) -> None:
        self._put(SECTION_COLUMN, None, last_column=LABEL_COLUMN, shade=True)
        for year, column in YEAR_COLUMNS.items():
            self._put(column, fiscal_year_label(year), bold=True, align=_CENTRE, shade=True)
        self._key("years")
        self._next()

    def _section_label(self, label: str, top: int) -> None:
        cell = self.ws.cell(row=top, column=SECTION_COLUMN, value=label)
        cell.font, cell.alignment, cell.fill = _font(bold=True), _CENTRE, _SHADE
        if self.row - 1 > top:
            self.ws.merge_cells(start_row=top, start_column=SECTION_COLUMN, end_row=self.row - 1,
                                end_column=SECTION_COLUMN)  # fmt: skip

    def _indicators(self, sub: str | None = None) -> list[Indicator]:
        """The sheet's indicators: those of 量的成果 (sub None) or those printed under a section (e.g. 質的成果)."""
        on_sheet = [i for i in INDICATORS if i.sheet == self.sheet.number]
        if sub is None:
            return [i for i in on_sheet if i.sub != "質的成果"]
        return [i for i in on_sheet if i.sub == sub]

    def _indicator_row(self, indicator: Indicator) -> None:
        self._put(SUB_COLUMN, indicator.sub if indicator.sub in ("ア", "イ", "ウ") else None, align=_CENTRE)
        self._put(LABEL_COLUMN, indicator.label)
        for year, column in YEAR_COLUMNS.items():
            totals = self.data.totals_by_year.get(year)
            shown = sheet_notation(indicator, totals.indicators[indicator.code]) if totals else None
            if totals and totals.indicators[indicator.code].from_baseline:
                shown, self.baseline_marked = f"{shown}{BASELINE_MARK}", True
            self._put(column, shown, align=Alignment(wrap_text=True, vertical="center", horizontal="right"))
        self._key(f"indicator:{indicator.code}")
        self._next()

    def _quantitative_section(self) -> None:
        top = self.row
        for indicator in self._indicators():
            self._indicator_row(indicator)
        self._section_label(QUANTITATIVE_LABEL, top)

    def _bullet_section(self, section: SheetSection, indicators: Sequence[Indicator] = ()) -> None:
        top = self.row
        for indicator in indicators:
            self._indicator_row(indicator)
        columns = {year: self.data.bullets_for(self.sheet.number, section, year) for year in YEAR_COLUMNS}
        lines = max(MIN_BULLET_LINES, *(len(bullets) for bullets in columns.values()))
        for line in range(lines):
            self._put(SUB_COLUMN, None, last_column=LABEL_COLUMN)
            for year, column in YEAR_COLUMNS.items():
                self._put(column, self._bullet(year, columns[year], line))
            self._key(section.value)
            self._next()
        self._section_label(SECTION_LABELS_JA[section], top)

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

    def _note(self) -> None:
        self._put(SECTION_COLUMN, self.sheet.note, last_column=LAST_COLUMN,
                  align=Alignment(wrap_text=True, horizontal="right"))  # fmt: skip
        self._key("note")
        self._next()

    def _finish(self) -> None:
        for row, height in self.heights.items():
            self.ws.row_dimensions[row].height = height
        _print_setup(self.ws, f"A1:{get_column_letter(LAST_COLUMN)}{self.row - 1}")


def _text_height(text: str, width: float, size: float) -> float:
    """Points a wrapped text needs in a cell `width` characters wide (full-width characters count two)."""
    usable = max(width * 0.9 - 1, 1)
    lines = sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))
    return lines * _LINE_HEIGHT * size / 10 + _ROW_PADDING


def _box(ws: Worksheet, top: int, bottom: int, left: int, right: int, *, inner: bool = True) -> None:
    """Thin borders: every cell of the block (`inner`), or only its outline."""
    for row in range(top, bottom + 1):
        for column in range(left, right + 1):
            if inner:
                ws.cell(row=row, column=column).border = _BOX
                continue
            ws.cell(row=row, column=column).border = Border(
                left=_THIN if column == left else None,
                right=_THIN if column == right else None,
                top=_THIN if row == top else None,
                bottom=_THIN if row == bottom else None,
            )


def _print_setup(ws: Worksheet, area: str) -> None:
    """Landscape A4, fitted to one page wide (as many pages down as needed), centred, the given print area."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_area = area


# --- the tables behind the figures ------------------------------------------------------------------------


def _table(ws: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float]) -> None:
    """A plain table: bold shaded header on row 1, frozen, filterable, landscape A4 fitted to width."""
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = _font(bold=True), _SHADE, _CENTRE
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.font = _font()
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    _box(ws, 1, ws.max_row, 1, len(header))
    _print_setup(ws, f"A1:{get_column_letter(len(header))}{ws.max_row}")
    ws.print_title_rows = "1:1"


def _write_figures(ws: Worksheet, data: SheetData) -> None:
    rows = [
        (year, totals.as_of, data.scope, i.code, i.sheet, i.sub, i.label, *_figure(i, totals.indicators[i.code]))
        for year, totals in sorted(data.totals_by_year.items())
        for i in INDICATORS
    ]
    _table(ws, FIGURE_COLUMNS, rows, (8, 12, 8, 10, 7, 9, 60, 8, 8, 10, 30))
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd"


def _figure(indicator: Indicator, value: IndicatorValue) -> tuple[int, int | None, float | None, str]:
    return value.value, value.denominator, value.percent, sheet_notation(indicator, value)


def by_ward_columns() -> list[tuple[str, str, Indicator | None, str]]:
    """The 区別内訳 columns after 区コード/区名: (column code, Japanese label, indicator, part)."""
    columns: list[tuple[str, str, Indicator | None, str]] = []
    for indicator in INDICATORS:
        columns.append((indicator.code, indicator.short_label, indicator, "value"))
        if indicator.denominator is not Denominator.NONE:
            denominator = "回答数" if indicator.denominator is Denominator.SURVEY_ANSWERS else "名簿提供地域数"
            columns.append((f"{indicator.code} 分母", denominator, indicator, "denominator"))
        if indicator.shows_percent:
            columns.append((f"{indicator.code} ％", "割合（％）", indicator, "percent"))
    return columns


def _ward_cells(values: dict[str, IndicatorValue]) -> list[int | float | None]:
    cells: list[int | float | None] = []
    for _code, _label, indicator, part in by_ward_columns():
        assert indicator is not None
        value = values[indicator.code]
        cells.append({"value": value.value, "denominator": value.denominator, "percent": value.percent}[part])
    return cells


def _write_by_ward(ws: Worksheet, data: SheetData) -> None:
    columns = by_ward_columns()
    labels = ["区コード", "区名", *(label for _code, label, _i, _part in columns)]
    rows: list[list[Any]] = [labels]
    for ward, values in sorted(data.by_ward.items()):
        rows.append([ward, data.ward_names.get(ward, ward), *_ward_cells(values)])
    rows.append(["合計", data.scope_label, *_ward_cells(data.totals.indicators)])
    _table(ws, ["区コード", "区名", *(code for code, _label, _i, _part in columns)], rows,
           [10, 14, *([11.0] * len(columns))])  # fmt: skip
    for cell in ws[2]:
        cell.font, cell.fill, cell.alignment = _font(bold=True), _SHADE, _CENTRE
    ws.row_dimensions[2].height = 60
    for cell in ws[ws.max_row]:
        cell.font = _font(bold=True)
    ws.freeze_panes = "C3"
    ws.print_title_rows = "1:2"


def _answer(answer: bool | None) -> str | None:
    return None if answer is None else ("はい" if answer else "いいえ")


def _roster(flag: bool | None) -> str | None:
    return None if flag is None else ("○" if flag else "×")


def _write_events(ws: Worksheet, data: SheetData) -> None:
    rows = [
        (e.event_id, e.occurred_on, e.ward_code, e.ward_name, e.area_code, e.kind, e.kind_label, e.indicator_code,
         e.count, e.household_ref, _answer(e.answer), _roster(e.area_roster_provided))
        for e in data.events
    ]  # fmt: skip
    _table(ws, EVENT_COLUMNS, rows, (8, 12, 9, 10, 12, 24, 30, 9, 10, 14, 12, 12))
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd"
    if data.events:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(EVENT_COLUMNS))}{ws.max_row}"


def definition_rows(data: SheetData) -> list[tuple[str, str, Any, str]]:
    """(key, 項目, 値, 説明) for the 定義 worksheet."""
    threshold = data.definitions.get("regular_meeting_threshold")
    generated = data.generated_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S（日本時間）")
    return [
        ("regular_meeting_threshold", "「定期的に」（指標1-1）", threshold,
         f"年度内（時点まで）に{threshold}回以上、活動者の集まりがあった地域を数える"),
        ("distinct_areas", "地域数（指標1-1・1-2）", data.definitions.get("distinct_areas"),
         "名簿提供のある有効な地域だけを、何回あっても1地域として数える（分母：名簿提供地域数）"),
        ("households", "世帯数（指標3-1）", data.definitions.get("households"),
         "年度内の（区、世帯参照コード）の組を、何回つながっても1世帯として数える"),
        ("fiscal_year", "年度", data.fiscal_year, fiscal_year_label(data.fiscal_year)),
        ("as_of", "時点", data.as_of, f"{as_of_label(data.as_of)}（発生日が4月1日からこの日までの記録）"),
        ("scope", "範囲", data.scope, data.scope_label),
        ("earlier_years", "過年度の列", "year_end", "前年度までの列は各年度末（3月31日）時点、以後の年度は空欄"),
        ("voided", "取消された記録", "excluded", "取消・訂正前の記録は数えない（年度は発生日で判定）"),
        ("generated_at", "作成日時", generated, ""),
        ("from_snapshot", "スナップショットから作成", "はい" if data.from_snapshot else "いいえ", ""),
        ("note", "備考", data.note, ""),
    ]  # fmt: skip


def _write_definitions(ws: Worksheet, data: SheetData) -> None:
    _table(ws, ("キー", "項目", "値", "説明"), definition_rows(data), (26, 26, 60, 80))
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
