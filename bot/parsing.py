"""Reading what people type on a phone: dates and counts, in the forms Japanese offices write them. Pure."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

REIWA_OFFSET = 2018
NEAR_FUTURE_DAYS = 31
_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_REIWA = re.compile(r"^(?:R|令和)(\d{1,2}|元)[./年](\d{1,2})[./月](\d{1,2})日?$", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^(\d{1,2})[/.月](\d{1,2})日?$")


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces removed: ２０２５／１１／３ → 2025/11/3."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_date(text: str, today: date) -> date | None:
    """`11/3`, `2025-11-03`, `R7.11.3`, `令和7年11月3日`, `今日`, `昨日`; None if it is not a real date.

    A month/day without a year is this year's, unless that lies more than a month ahead: then it is last
    year's (`12/25` typed in January). A day just ahead stays in the future, so it is refused as such.
    """
    plain = normalise(text)
    if plain in {"今日", "きょう", "today"}:
        return today
    if plain in {"昨日", "きのう", "yesterday"}:
        return date.fromordinal(today.toordinal() - 1)
    if match := _ISO.match(plain):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _REIWA.match(plain):
        era_year = 1 if match[1] == "元" else int(match[1])
        return _safe_date(era_year + REIWA_OFFSET, int(match[2]), int(match[3]))
    if match := _MONTH_DAY.match(plain):
        month, day = int(match[1]), int(match[2])
        candidate = _safe_date(today.year, month, day)
        if candidate is not None and (candidate - today).days > NEAR_FUTURE_DAYS:
            candidate = _safe_date(today.year - 1, month, day)
        return candidate
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_count(text: str) -> int | None:
    """A whole number typed with ASCII or full-width digits, optionally followed by 件/人/回."""
    plain = normalise(text).removesuffix("件").removesuffix("人").removesuffix("回")
    return int(plain) if plain.isdigit() and len(plain) <= 6 else None
