"""The fiscal calendar: fiscal years (April–March), 令和 labels, month ends and business days.

Pure functions only; nothing here touches the database or the clock except `today()`, which a worker process
answering the bot's question may set to the bot's day (`asked_on`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

import jpholiday

from models.config import TOKYO

REIWA_START = date(2019, 5, 1)
FISCAL_YEAR_FIRST_MONTH = 4


_ASKED_ON: ContextVar[date | None] = ContextVar("asked_on", default=None)


def today() -> date:
    """Today's date in Japan (the only clock the domain uses), or the day set by `asked_on`."""
    return _ASKED_ON.get() or datetime.now(TOKYO).date()


@contextmanager
def asked_on(day: date) -> Iterator[None]:
    """`today()` is `day` within: a worker process answers as of the day the bot asked on (the two clocks agree in
    production; a test freezes only the bot's)."""
    token = _ASKED_ON.set(day)
    try:
        yield
    finally:
        _ASKED_ON.reset(token)


def fiscal_year_of(day: date) -> int:
    """The fiscal year a date belongs to, named by the calendar year it starts in (2025 = 2025-04-01…2026-03-31)."""
    return day.year if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year - 1


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year, FISCAL_YEAR_FIRST_MONTH, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year + 1, FISCAL_YEAR_FIRST_MONTH - 1, 31)


def fiscal_months(fiscal_year: int) -> list[tuple[int, int]]:
    """The twelve (year, month) pairs of a fiscal year, April first."""
    return [
        (fiscal_year + (1 if month < FISCAL_YEAR_FIRST_MONTH else 0), month)
        for month in [*range(FISCAL_YEAR_FIRST_MONTH, 13), *range(1, FISCAL_YEAR_FIRST_MONTH)]
    ]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_month_end(day: date) -> date:
    """The last day of the month before `day`'s month."""
    return day.replace(day=1) - timedelta(days=1)


def reiwa_year(year: int) -> int:
    """令和 year of a Western calendar year (2019 = 令和元年 = 1)."""
    if year < REIWA_START.year:
        raise ValueError(f"{year} is before the Reiwa era")
    return year - 2018


def reiwa_numeral(year: int) -> str:
    number = reiwa_year(year)
    return "元" if number == 1 else str(number)


def fiscal_year_label(fiscal_year: int) -> str:
    """`2025（令和7）年度`, as in the sheet's column headings."""
    return f"{fiscal_year}（令和{reiwa_numeral(fiscal_year)}）年度"


def as_of_label(as_of: date) -> str:
    """`令和7年11月末時点` for a month end; `令和7年11月3日時点` for any other day."""
    era = f"令和{reiwa_numeral(as_of.year)}年{as_of.month}月"
    if as_of == month_end(as_of.year, as_of.month):
        return f"{era}末時点"
    return f"{era}{as_of.day}日時点"


def is_year_end_closure(day: date) -> bool:
    """Public offices close 12/29–1/3 (年末年始)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date) -> bool:
    """Weekdays that are neither a Japanese public holiday nor in the year-end closure."""
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_year_end_closure(day)


def business_days_between(first: date, last: date) -> Iterator[date]:
    """Business days from `first` to `last`, both included, in order."""
    day = first
    while day <= last:
        if is_business_day(day):
            yield day
        day += timedelta(days=1)


def last_business_day(year: int, month: int) -> date:
    day = month_end(year, month)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def business_days_before(day: date, count: int) -> date:
    """The business day `count` business days before `day` (`count` = 0 gives `day` itself)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day -= timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_after(day: date, count: int) -> date:
    """The business day `count` business days after `day` (`count` = 0 gives `day` itself)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def first_business_day_after_month(year: int, month: int) -> date:
    """The first business day after the end of a month (when the month's totals are pushed)."""
    return business_days_after(month_end(year, month), 1)


REPORTING_BUSINESS_DAYS = 5  # a month's entries are mostly in by its 5th business day after the month


def reporting_month_end(today: date, business_days: int = REPORTING_BUSINESS_DAYS) -> date | None:
    """Before the month's `business_days`-th business day, the last complete month end; otherwise None.

    On the 1st, figures "as of today" say nothing yet: supervisors see the month that has just ended.
    """
    last_month_end = previous_month_end(today)
    return last_month_end if today < business_days_after(last_month_end, business_days) else None


def same_point_last_year(day: date) -> date:
    """The comparable date a year earlier: a month end gives that month's end, any other day the same day."""
    if day == month_end(day.year, day.month):
        return month_end(day.year - 1, day.month)
    return day.replace(year=day.year - 1, day=min(day.day, month_end(day.year - 1, day.month).day))


def parse_year_month(raw: str, separators: str = "-/") -> tuple[int, int] | None:
    """`2025-10` or `2025/10` → (2025, 10); None for anything else (the one month parser of bot and CLI)."""
    cleaned = raw.strip()
    for separator in separators:
        cleaned = cleaned.replace(separator, "\0")
    parts = cleaned.split("\0")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def parse_day(raw: str) -> date | None:
    """`2025-11-30` → a date; None for anything else (the one ISO day parser of bot and CLI)."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None
