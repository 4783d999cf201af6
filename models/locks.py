"""Month locks: entries for a month close N business days after it ends (like DHIS2's expiry days).

Pure rules here; reopening a ward-month is added with the supervisors' features.
"""

from __future__ import annotations

from datetime import date, timedelta

from models.fiscal import business_days_after, month_end

DEFAULT_LOCK_BUSINESS_DAYS = 5


def lock_date(year: int, month: int, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS) -> date:
    """The first day on which the month is closed: the N-th business day after its end, plus one day."""
    return business_days_after(month_end(year, month), lock_business_days) + timedelta(days=1)


def is_month_locked(year: int, month: int, today: date, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS) -> bool:
    return today >= lock_date(year, month, lock_business_days)


def earliest_open_date(today: date, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS) -> date:
    """The first day that can still be logged: the 1st of the oldest month not yet locked."""
    year, month = today.year, today.month
    while True:
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        if is_month_locked(*previous, today, lock_business_days):
            return date(year, month, 1)
        year, month = previous
