"""区別内訳's completeness columns: per ward, for the as-of month, the members who reported (an entry or 「今月は0件」)
of those expected and how many of them before the month's lock date (`models.who_reported.completeness`, the
definition /missing uses), so that a low figure can be told from missing reports."""

from __future__ import annotations

from datetime import date

from models.sheet.goal_sheets import NO_DATA
from models.who_reported import NOTHING_EXPECTED, Completeness

COMPLETENESS_CODES = ("報告済み", "報告対象", "締切前に報告")
COMPLETENESS_WIDTHS = (9.0, 9.0, 9.0)  # their labels wrap; the counts are short


def completeness_labels(as_of: date) -> list[str]:
    """Row 2's labels: the month they are about."""
    month = f"{as_of.month}月分"
    return [f"{month}の報告済み（人）", f"{month}の報告対象（人）", f"{month}の締切前の報告（人）"]


def completeness_cells(found: Completeness | None, no_data: bool = False) -> list[int | str]:
    """報告済み, 報告対象, 締切前; 「—」 in each for a year without data (as every figure of that year)."""
    if no_data:
        return [NO_DATA] * len(COMPLETENESS_CODES)
    reported = found or NOTHING_EXPECTED
    return [reported.reported, reported.expected, reported.on_time]


def total_completeness(by_ward: dict[str, Completeness]) -> Completeness:
    return sum(by_ward.values(), NOTHING_EXPECTED)
