"""Reading a written sheet back: its rows by the hidden key column (tests and the sheet benchmark)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from models.sheet.goal_sheets import KEY_COLUMN


def rows_of(worksheet: Worksheet, key: str) -> list[int]:
    """The rows of a sheet worksheet whose hidden key (column G) is `key`, top to bottom."""
    return [row for row in range(1, worksheet.max_row + 1) if worksheet.cell(row=row, column=KEY_COLUMN).value == key]


def row_of(worksheet: Worksheet, key: str) -> int:
    """The one row keyed `key` (KeyError when there is none)."""
    found = rows_of(worksheet, key)
    if not found:
        raise KeyError(key)
    return found[0]
