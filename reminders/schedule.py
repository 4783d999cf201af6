"""What is due when: reminder days, the monthly push and month locks, all on Japanese business days. Pure.

Reminders go out on the n-th business day before the month's last business day and on that last business
day itself; the month's totals are pushed on the first business day after it ends. Business days skip
weekends, public holidays and the 12/29–1/3 closure (models.fiscal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.fiscal import business_days_before, first_business_day_after_month, last_business_day
from models.locks import lock_date


@dataclass(frozen=True)
class MonthPlan:
    year: int
    month: int
    reminder_days: tuple[date, ...]
    push_day: date  # when this month's totals go to supervisors (in the next month)
    lock_date: date  # from this day on, the month's entries are closed


def reminder_days(year: int, month: int, days_before: int = 3) -> tuple[date, ...]:
    last = last_business_day(year, month)
    first = business_days_before(last, days_before)
    return (first, last) if first != last else (last,)


def month_plan(year: int, month: int, days_before: int = 3, lock_business_days: int = 5) -> MonthPlan:
    return MonthPlan(
        year=year,
        month=month,
        reminder_days=reminder_days(year, month, days_before),
        push_day=first_business_day_after_month(year, month),
        lock_date=lock_date(year, month, lock_business_days),
    )


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class Due:
    """What the daily run has to do on a day."""

    remind: bool  # a reminder day of this month
    push_month: tuple[int, int] | None  # the month whose totals are pushed today


def due_on(day: date, days_before: int = 3) -> Due:
    pushed = previous_month(day.year, day.month)
    return Due(
        remind=day in reminder_days(day.year, day.month, days_before),
        push_month=pushed if first_business_day_after_month(*pushed) == day else None,
    )


def next_reminder_day(day: date, days_before: int = 3) -> date:
    """The next reminder day on or after `day`."""
    year, month = day.year, day.month
    while True:
        upcoming = [d for d in reminder_days(year, month, days_before) if d >= day]
        if upcoming:
            return upcoming[0]
        year, month = next_month(year, month)
