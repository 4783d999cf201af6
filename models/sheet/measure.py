"""Measuring text: how many columns it takes (full-width characters take two), for the sheet's row heights and
the terminal's aligned columns."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

LINE_SPACING, ROW_PADDING = 1.6, 1.5  # 游ゴシック: Excel's own row for 10 pt is 16.5 pt, about 1.6 × its size


def display_width(text: str) -> int:
    """Terminal columns of a text (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


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


def text_height(text: str, pixels: float, size: float) -> float:
    """Points a wrapped text needs in a cell `pixels` wide, with 游ゴシック's line spacing."""
    return text_lines(text, pixels, size) * LINE_SPACING * size + ROW_PADDING
