"""Measuring text: how many columns it takes (full-width characters take two), for the sheet's row heights and
the terminal's aligned columns."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal columns of a text (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
