"""Exports of the events of a fiscal year, for analysis in Excel or elsewhere (no Telegram, no Typer here).

Only coded fields leave the database: no note, no void reason (both free text), no staff member, no Telegram id.
Households appear as their pseudonymous reference codes. Voided and corrected events are included and flagged,
so every figure can be traced: a row counts when `voided` is "no".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.config import TOKYO
from models.fiscal import fiscal_year_end, fiscal_year_start
from models.sheet.event_rows import EventRow, event_row, event_rows_query
from models.tables import Event, Ward


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# Stable column names (machine-readable; README "Operations" explains them), each with what it shows of a row:
# flags as yes/no, times in Japan time, absent values as None.
EXPORTED: tuple[tuple[str, Callable[[EventRow], Any]], ...] = (
    ("no", lambda row: row.event_id),
    ("date", lambda row: row.occurred_on),
    ("ward_code", lambda row: row.ward_code),
    ("ward_name", lambda row: row.ward_name),
    ("area_code", lambda row: row.area_code),
    ("kind", lambda row: row.kind),
    ("kind_label", lambda row: row.kind_label),
    ("indicator_code", lambda row: row.indicator_code),
    ("count", lambda row: row.count),
    ("household_ref", lambda row: row.household_ref),
    ("answer", lambda row: _yes_no(row.answer) or None),
    ("logged_at_jst", lambda row: _japan(row.logged_at)),
    ("source", lambda row: row.source),
    ("voided", lambda row: _yes_no(row.voided)),
    ("voided_at_jst", lambda row: _japan(row.voided_at)),
    ("replaced_by", lambda row: row.replaced_by),
    ("corrects", lambda row: row.corrects),
)
EXPORT_COLUMNS = tuple(name for name, _value in EXPORTED)
_WIDTHS = (8, 11, 9, 10, 11, 24, 30, 9, 7, 14, 7, 17, 10, 7, 17, 11, 9)
_JST_FORMAT = "%Y-%m-%d %H:%M:%S"


async def export_events(
    session: AsyncSession, fiscal_year: int, ward_code: str | None = None, as_of: date | None = None
) -> list[EventRow]:
    """Every event (counted or voided) that happened in the fiscal year up to `as_of`, by date then number.

    `as_of` defaults to the year's last day; ValueError for an unknown ward or a date before the year.
    """
    first, last = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    if as_of is not None and as_of < first:
        raise ValueError(f"fiscal year {fiscal_year} starts on {first}, after {as_of}")
    if ward_code is not None and await session.get(Ward, ward_code) is None:
        raise ValueError(f"unknown ward code {ward_code}")
    query = event_rows_query(col(Event.occurred_on).between(first, min(as_of or last, last)), with_history=True)
    if ward_code is not None:
        query = query.where(col(Event.ward_code) == ward_code)
    return [event_row(tuple(values)) for values in await session.execute(query)]


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "no")


def _japan(moment: datetime | None) -> datetime | None:
    """Japan time without a zone (spreadsheets hold no zones; the column name says JST)."""
    return moment.astimezone(TOKYO).replace(tzinfo=None) if moment else None


def _cells(row: EventRow) -> list[Any]:
    return [value(row) for _name, value in EXPORTED]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(_JST_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def events_csv(rows: Sequence[EventRow]) -> bytes:
    """CSV in UTF-8 with a BOM and CRLF line ends, which Excel opens with the Japanese intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([_text(value) for value in _cells(row)] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def events_xlsx(rows: Sequence[EventRow]) -> bytes:
    """One worksheet `events`: a bold, frozen header row, dates and times as real Excel values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "events"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row))
    for index, width in enumerate(_WIDTHS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
    for column, number_format in (
        ("date", "yyyy-mm-dd"),
        ("logged_at_jst", "yyyy-mm-dd hh:mm:ss"),
        ("voided_at_jst", "yyyy-mm-dd hh:mm:ss"),
    ):
        for (cell,) in sheet.iter_rows(
            min_row=2, min_col=EXPORT_COLUMNS.index(column) + 1, max_col=EXPORT_COLUMNS.index(column) + 1
        ):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_events(rows: Sequence[EventRow], export_format: ExportFormat) -> bytes:
    return events_csv(rows) if export_format is ExportFormat.CSV else events_xlsx(rows)


def default_export_name(fiscal_year: int, ward_code: str | None, export_format: ExportFormat) -> str:
    """`events-2025-city.csv` / `events-2025-27102.xlsx`."""
    return f"events-{fiscal_year}-{ward_code or 'city'}.{export_format.value}"


def export_format_for(out: PurePath | None, requested: ExportFormat | None) -> ExportFormat:
    """The format to write: the one asked for, else the --out file's suffix, else CSV. A format that contradicts
    the file's suffix (`--format csv --out ev.xlsx`) is a ValueError: CSV text in a .xlsx breaks the workbook."""
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    named = next((known for known in ExportFormat if known.value == suffix), None)
    if requested is not None and named is not None and named is not requested:
        raise ValueError(f"--format {requested.value} contradicts --out {out} (a .{named.value} file)")
    return requested or named or ExportFormat.CSV
