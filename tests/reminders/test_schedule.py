"""The planned reminder and push dates of every month of FY2024–FY2026, checked against a hand-made table.

Each row was worked out on a calendar: the month's last business day (weekends, public holidays and the
12/29–1/3 closure skipped), three business days before it, and the first business day after the month.
"""

from __future__ import annotations

from datetime import date

import pytest

from reminders.schedule import due_on, month_plan, next_reminder_day, reminder_days

D = date
HAND_MADE: dict[tuple[int, int], tuple[tuple[date, date], date]] = {
    (2024, 4): ((D(2024, 4, 24), D(2024, 4, 30)), D(2024, 5, 1)),  # 4/29 昭和の日
    (2024, 5): ((D(2024, 5, 28), D(2024, 5, 31)), D(2024, 6, 3)),
    (2024, 6): ((D(2024, 6, 25), D(2024, 6, 28)), D(2024, 7, 1)),  # 6/30 is a Sunday
    (2024, 7): ((D(2024, 7, 26), D(2024, 7, 31)), D(2024, 8, 1)),
    (2024, 8): ((D(2024, 8, 27), D(2024, 8, 30)), D(2024, 9, 2)),  # 8/31 Saturday
    (2024, 9): ((D(2024, 9, 25), D(2024, 9, 30)), D(2024, 10, 1)),
    (2024, 10): ((D(2024, 10, 28), D(2024, 10, 31)), D(2024, 11, 1)),
    (2024, 11): ((D(2024, 11, 26), D(2024, 11, 29)), D(2024, 12, 2)),
    (2024, 12): ((D(2024, 12, 24), D(2024, 12, 27)), D(2025, 1, 6)),  # 12/29–1/3 closed, 1/4–5 weekend
    (2025, 1): ((D(2025, 1, 28), D(2025, 1, 31)), D(2025, 2, 3)),
    (2025, 2): ((D(2025, 2, 25), D(2025, 2, 28)), D(2025, 3, 3)),
    (2025, 3): ((D(2025, 3, 26), D(2025, 3, 31)), D(2025, 4, 1)),
    (2025, 4): ((D(2025, 4, 24), D(2025, 4, 30)), D(2025, 5, 1)),  # Golden Week: 4/29
    (2025, 5): ((D(2025, 5, 27), D(2025, 5, 30)), D(2025, 6, 2)),
    (2025, 6): ((D(2025, 6, 25), D(2025, 6, 30)), D(2025, 7, 1)),
    (2025, 7): ((D(2025, 7, 28), D(2025, 7, 31)), D(2025, 8, 1)),
    (2025, 8): ((D(2025, 8, 26), D(2025, 8, 29)), D(2025, 9, 1)),  # 8/31 Sunday
    (2025, 9): ((D(2025, 9, 25), D(2025, 9, 30)), D(2025, 10, 1)),
    (2025, 10): ((D(2025, 10, 28), D(2025, 10, 31)), D(2025, 11, 4)),  # 11/3 文化の日
    (2025, 11): ((D(2025, 11, 25), D(2025, 11, 28)), D(2025, 12, 1)),  # 11/30 Sunday
    (2025, 12): ((D(2025, 12, 23), D(2025, 12, 26)), D(2026, 1, 5)),  # year-end closure
    (2026, 1): ((D(2026, 1, 27), D(2026, 1, 30)), D(2026, 2, 2)),
    (2026, 2): ((D(2026, 2, 24), D(2026, 2, 27)), D(2026, 3, 2)),
    (2026, 3): ((D(2026, 3, 26), D(2026, 3, 31)), D(2026, 4, 1)),
    (2026, 4): ((D(2026, 4, 24), D(2026, 4, 30)), D(2026, 5, 1)),  # 4/29; 5/1 works between holidays
    (2026, 5): ((D(2026, 5, 26), D(2026, 5, 29)), D(2026, 6, 1)),
    (2026, 6): ((D(2026, 6, 25), D(2026, 6, 30)), D(2026, 7, 1)),
    (2026, 7): ((D(2026, 7, 28), D(2026, 7, 31)), D(2026, 8, 3)),
    (2026, 8): ((D(2026, 8, 26), D(2026, 8, 31)), D(2026, 9, 1)),
    (2026, 9): ((D(2026, 9, 25), D(2026, 9, 30)), D(2026, 10, 1)),
    (2026, 10): ((D(2026, 10, 27), D(2026, 10, 30)), D(2026, 11, 2)),
    (2026, 11): ((D(2026, 11, 25), D(2026, 11, 30)), D(2026, 12, 1)),
    (2026, 12): ((D(2026, 12, 23), D(2026, 12, 28)), D(2027, 1, 4)),
    (2027, 1): ((D(2027, 1, 26), D(2027, 1, 29)), D(2027, 2, 1)),
    (2027, 2): ((D(2027, 2, 22), D(2027, 2, 26)), D(2027, 3, 1)),  # 2/23 天皇誕生日
    (2027, 3): ((D(2027, 3, 26), D(2027, 3, 31)), D(2027, 4, 1)),
}


@pytest.mark.parametrize(("month", "expected"), HAND_MADE.items(), ids=lambda v: str(v))
def test_month_plans_match_the_hand_made_table(
    month: tuple[int, int], expected: tuple[tuple[date, date], date]
) -> None:
    plan = month_plan(*month)
    assert (plan.reminder_days, plan.push_day) == expected


def test_what_is_due_on_a_day() -> None:
    assert due_on(D(2025, 11, 25)).remind
    assert due_on(D(2025, 11, 28)).remind
    assert not due_on(D(2025, 11, 27)).remind
    assert due_on(D(2025, 12, 1)).push_month == (2025, 11)
    assert due_on(D(2026, 1, 5)).push_month == (2025, 12)
    assert due_on(D(2025, 12, 2)).push_month is None


def test_next_reminder_and_settings() -> None:
    assert next_reminder_day(D(2025, 11, 26)) == D(2025, 11, 28)
    assert next_reminder_day(D(2025, 11, 29)) == D(2025, 12, 23)
    assert reminder_days(2025, 11, days_before=0) == (D(2025, 11, 28),)
    assert reminder_days(2025, 11, days_before=5) == (D(2025, 11, 20), D(2025, 11, 28))  # 11/24 振替休日
