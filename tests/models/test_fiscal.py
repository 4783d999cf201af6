"""Tests for the pure fiscal-calendar module `models.fiscal`.

Hand-checked dates below were verified against jpholiday 1.0.3 in the project venv.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import jpholiday
import pytest
import time_machine
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from models.fiscal import (
    as_of_label,
    asked_on,
    business_days_after,
    business_days_before,
    business_days_between,
    first_business_day_after_month,
    fiscal_months,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    is_business_day,
    is_year_end_closure,
    last_business_day,
    month_end,
    previous_month_end,
    reiwa_numeral,
    reiwa_year,
    today,
)

ONE_DAY = timedelta(days=1)

any_date = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
any_year = st.integers(min_value=2000, max_value=2100)
any_month = st.integers(min_value=1, max_value=12)
small_count = st.integers(min_value=0, max_value=40)

hypothesis_settings = settings(max_examples=200, deadline=None)


def count_business_days(first: date, last: date) -> int:
    """Reference count of business days in [first, last], by brute force."""
    return sum(1 for _ in business_days_between(first, last))


# --- fiscal years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 4, 1), 2025),
        (date(2025, 3, 31), 2024),
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2025, 1, 1), 2024),
        (date(2025, 12, 31), 2025),
        (date(2024, 2, 29), 2023),  # leap day falls in the fiscal year that began April 2023
    ],
)
def test_fiscal_year_of_boundaries(day: date, expected: int) -> None:
    assert fiscal_year_of(day) == expected


def test_fiscal_year_start_and_end() -> None:
    assert fiscal_year_start(2025) == date(2025, 4, 1)
    assert fiscal_year_end(2025) == date(2026, 3, 31)


@hypothesis_settings
@given(any_date)
def test_date_lies_within_its_fiscal_year(day: date) -> None:
    fiscal_year = fiscal_year_of(day)
    assert fiscal_year_start(fiscal_year) <= day <= fiscal_year_end(fiscal_year)


@hypothesis_settings
@given(any_year)
def test_fiscal_years_are_contiguous(fiscal_year: int) -> None:
    assert fiscal_year_end(fiscal_year) + ONE_DAY == fiscal_year_start(fiscal_year + 1)
    assert fiscal_year_of(fiscal_year_start(fiscal_year)) == fiscal_year
    assert fiscal_year_of(fiscal_year_end(fiscal_year)) == fiscal_year


def test_fiscal_months_example() -> None:
    assert fiscal_months(2025) == [
        (2025, 4),
        (2025, 5),
        (2025, 6),
        (2025, 7),
        (2025, 8),
        (2025, 9),
        (2025, 10),
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
        (2026, 3),
    ]


@hypothesis_settings
@given(any_year)
def test_fiscal_months_properties(fiscal_year: int) -> None:
    months = fiscal_months(fiscal_year)
    assert len(months) == 12
    assert len(set(months)) == 12
    assert months[0] == (fiscal_year, 4)
    assert months[-1] == (fiscal_year + 1, 3)
    for (year, month), (next_year, next_month) in pairwise(months):
        # consecutive calendar months
        assert date(next_year, next_month, 1) == month_end(year, month) + ONE_DAY
    for year, month in months:
        assert fiscal_year_of(date(year, month, 1)) == fiscal_year


# --- month ends -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2025, 1, date(2025, 1, 31)),
        (2025, 2, date(2025, 2, 28)),
        (2028, 2, date(2028, 2, 29)),
        (2100, 2, date(2100, 2, 28)),  # divisible by 100, not by 400: not a leap year
        (2000, 2, date(2000, 2, 29)),  # divisible by 400: a leap year
        (2025, 4, date(2025, 4, 30)),
        (2025, 12, date(2025, 12, 31)),
    ],
)
def test_month_end_examples(year: int, month: int, expected: date) -> None:
    assert month_end(year, month) == expected


@hypothesis_settings
@given(any_year, any_month)
def test_month_end_is_last_day_of_month(year: int, month: int) -> None:
    end = month_end(year, month)
    assert (end.year, end.month) == (year, month)
    assert (end + ONE_DAY).day == 1


@hypothesis_settings
@given(any_date)
def test_previous_month_end(day: date) -> None:
    first_of_month = day.replace(day=1)
    result = previous_month_end(day)
    assert result < first_of_month
    assert result + ONE_DAY == first_of_month
    assert result == month_end(result.year, result.month)


def test_previous_month_end_examples() -> None:
    assert previous_month_end(date(2026, 1, 15)) == date(2025, 12, 31)
    assert previous_month_end(date(2028, 3, 1)) == date(2028, 2, 29)
    assert previous_month_end(date(2025, 4, 30)) == date(2025, 3, 31)


# --- business days --------------------------------------------------------------------------------


@hypothesis_settings
@given(any_date)
def test_is_business_day_matches_definition(day: date) -> None:
    closed = (
        day.weekday() >= 5
        or bool(jpholiday.is_holiday(day))
        or (day.month == 12 and day.day >= 29)
        or (day.month == 1 and day.day <= 3)
    )
    assert is_business_day(day) is not closed


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 29),
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 1, 3),
    ],
)
def test_year_end_closure_days_are_closed(day: date) -> None:
    assert is_year_end_closure(day)
    assert not is_business_day(day)


def test_year_end_closure_edges_are_open() -> None:
    # 2023-12-28 (Thu) and 2024-01-04 (Thu) are plain weekdays just outside 12/29–1/3.
    assert not is_year_end_closure(date(2023, 12, 28))
    assert not is_year_end_closure(date(2024, 1, 4))
    assert is_business_day(date(2023, 12, 28))
    assert is_business_day(date(2024, 1, 4))


def test_golden_week_2025() -> None:
    # 4/29 (Tue) 昭和の日; 5/3 (Sat) 憲法記念日, 5/4 (Sun) みどりの日, 5/5 (Mon) こどもの日,
    # 5/6 (Tue) 振替休日 for 5/4 falling on a Sunday. 4/30, 5/1, 5/2 and 5/7 are ordinary weekdays.
    for holiday in [date(2025, 4, 29), date(2025, 5, 5), date(2025, 5, 6)]:
        assert jpholiday.is_holiday(holiday)
        assert not is_business_day(holiday)
    assert list(business_days_between(date(2025, 4, 28), date(2025, 5, 7))) == [
        date(2025, 4, 28),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 5, 7),
    ]


def test_substitute_holiday_2025_11_24() -> None:
    # 勤労感謝の日 2025-11-23 is a Sunday, so Monday 11/24 is a 振替休日.
    assert jpholiday.is_holiday(date(2025, 11, 24))
    assert not is_business_day(date(2025, 11, 24))


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        # 12/29–31 are closed (Mon–Wed), so the last business day is Friday 12/26.
        (2025, 12, date(2025, 12, 26)),
        # 2025-05-31 is a Saturday -> Friday 5/30.
        (2025, 5, date(2025, 5, 30)),
        # 2025-08-31 is a Sunday -> Friday 8/29.
        (2025, 8, date(2025, 8, 29)),
        # 2025-11-30 is a Sunday -> Friday 11/28.
        (2025, 11, date(2025, 11, 28)),
        # 2026-03-31 is an ordinary Tuesday.
        (2026, 3, date(2026, 3, 31)),
    ],
)
def test_last_business_day_examples(year: int, month: int, expected: date) -> None:
    assert last_business_day(year, month) == expected


@hypothesis_settings
@given(any_year, any_month)
def test_last_business_day_properties(year: int, month: int) -> None:
    result = last_business_day(year, month)
    assert is_business_day(result)
    assert (result.year, result.month) == (year, month)
    day = result + ONE_DAY
    while day <= month_end(year, month):
        assert not is_business_day(day)
        day += ONE_DAY


def test_first_business_day_of_january_2026() -> None:
    # 1/1–1/3 closure, 1/4 is a Sunday: the first business day is Monday 1/5.
    assert next(business_days_between(date(2026, 1, 1), date(2026, 1, 31))) == date(2026, 1, 5)


def test_business_days_before_end_of_november_2025() -> None:
    # last business day of 2025-11 is Fri 11/28; three business days back: 11/27, 11/26, 11/25.
    assert business_days_before(last_business_day(2025, 11), 3) == date(2025, 11, 25)
    # a fourth step skips 11/24 (振替休日) and the weekend 11/22–23, landing on Fri 11/21.
    assert business_days_before(last_business_day(2025, 11), 4) == date(2025, 11, 21)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        # 12/29–1/3 closure and Sunday 1/4 -> Monday 2026-01-05.
        (2025, 12, date(2026, 1, 5)),
        # 2026-04-30 is a Thursday; Fri 5/1 is a working day in between 昭和の日 (4/29) and
        # the 5/3–5/6 holidays, so the push happens on 5/1, before the rest of Golden Week.
        (2026, 4, date(2026, 5, 1)),
        # 2025-05-01 (Thu) likewise falls between 4/29 and 5/3.
        (2025, 4, date(2025, 5, 1)),
        # 2026-05-31 is a Sunday; Monday 6/1 is an ordinary weekday.
        (2026, 5, date(2026, 6, 1)),
    ],
)
def test_first_business_day_after_month_examples(year: int, month: int, expected: date) -> None:
    assert first_business_day_after_month(year, month) == expected


@hypothesis_settings
@given(any_year, any_month)
def test_first_business_day_after_month_properties(year: int, month: int) -> None:
    result = first_business_day_after_month(year, month)
    end = month_end(year, month)
    assert result > end
    assert is_business_day(result)
    assert count_business_days(end + ONE_DAY, result) == 1


def test_business_days_zero_count_is_identity() -> None:
    assert business_days_before(date(2025, 11, 28), 0) == date(2025, 11, 28)
    assert business_days_after(date(2025, 11, 28), 0) == date(2025, 11, 28)


@hypothesis_settings
@given(any_date, small_count)
def test_business_days_before_properties(day: date, count: int) -> None:
    assume(is_business_day(day))
    result = business_days_before(day, count)
    assert result <= day
    assert count_business_days(result + ONE_DAY, day) == count
    assert is_business_day(result)
    assert business_days_after(result, count) == day


@hypothesis_settings
@given(any_date, small_count)
def test_business_days_after_properties(day: date, count: int) -> None:
    assume(is_business_day(day))
    result = business_days_after(day, count)
    assert result >= day
    assert count_business_days(day + ONE_DAY, result) == count
    assert is_business_day(result)
    assert business_days_before(result, count) == day


@hypothesis_settings
@given(any_date, st.integers(min_value=1, max_value=40))
def test_business_days_from_non_business_day(day: date, count: int) -> None:
    # Starting from any day (even a closed one), a positive count lands on a business day.
    assume(not is_business_day(day))
    before = business_days_before(day, count)
    after = business_days_after(day, count)
    assert is_business_day(before)
    assert is_business_day(after)
    assert count_business_days(before, day) == count
    assert count_business_days(day, after) == count


@pytest.mark.parametrize("function", [business_days_before, business_days_after])
def test_business_days_negative_count_raises(function: Callable[[date, int], date]) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        function(date(2025, 11, 28), -1)


@hypothesis_settings
@given(any_date, st.integers(min_value=-3, max_value=60))
def test_business_days_between_is_exact(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    result = list(business_days_between(first, last))
    expected = [
        first + timedelta(days=offset) for offset in range(span + 1) if is_business_day(first + timedelta(days=offset))
    ]
    assert result == expected
    assert all(first <= day <= last for day in result)
    assert result == sorted(set(result))


# --- 令和 labels -----------------------------------------------------------------------------------


def test_reiwa_year() -> None:
    assert reiwa_year(2019) == 1
    assert reiwa_year(2025) == 7
    assert reiwa_numeral(2019) == "元"
    assert reiwa_numeral(2020) == "2"
    assert reiwa_numeral(2028) == "10"


@pytest.mark.parametrize(
    ("fiscal_year", "expected"),
    [
        (2025, "2025（令和7）年度"),
        (2024, "2024（令和6）年度"),
        (2019, "2019（令和元）年度"),
        (2020, "2020（令和2）年度"),
    ],
)
def test_fiscal_year_label(fiscal_year: int, expected: str) -> None:
    assert fiscal_year_label(fiscal_year) == expected


@pytest.mark.parametrize("year", [2018, 2000, 1989])
def test_years_before_reiwa_raise(year: int) -> None:
    with pytest.raises(ValueError, match="before the Reiwa era"):
        reiwa_year(year)
    with pytest.raises(ValueError, match="before the Reiwa era"):
        reiwa_numeral(year)
    with pytest.raises(ValueError, match="before the Reiwa era"):
        fiscal_year_label(year)
    with pytest.raises(ValueError, match="before the Reiwa era"):
        as_of_label(date(year, 12, 31))


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 11, 30), "令和7年11月末時点"),
        (date(2028, 2, 29), "令和10年2月末時点"),  # leap-year February end
        (date(2028, 2, 28), "令和10年2月28日時点"),  # not the end in a leap year
        (date(2025, 2, 28), "令和7年2月末時点"),  # the end in a common year
        (date(2025, 11, 3), "令和7年11月3日時点"),
        (date(2026, 3, 31), "令和8年3月末時点"),
        (date(2019, 5, 31), "令和元年5月末時点"),
        (date(2019, 12, 1), "令和元年12月1日時点"),
    ],
)
def test_as_of_label(as_of: date, expected: str) -> None:
    assert as_of_label(as_of) == expected


# --- the clock ------------------------------------------------------------------------------------


def test_today_rolls_into_new_fiscal_year_in_tokyo() -> None:
    # 15:30 UTC on 3/31 is 00:30 JST on 4/1: already fiscal year 2026 in Tokyo.
    with time_machine.travel(datetime(2026, 3, 31, 15, 30, tzinfo=UTC), tick=False):
        assert today() == date(2026, 4, 1)
        assert fiscal_year_of(today()) == 2026


def test_today_is_still_previous_fiscal_year_before_tokyo_midnight() -> None:
    # 14:59 UTC on 3/31 is 23:59 JST the same day: still fiscal year 2025.
    with time_machine.travel(datetime(2026, 3, 31, 14, 59, tzinfo=UTC), tick=False):
        assert today() == date(2026, 3, 31)
        assert fiscal_year_of(today()) == 2025


def test_asked_on_sets_the_domains_day_within_and_only_within() -> None:
    from models.fiscal import today

    clock_day = today()
    with asked_on(date(2025, 11, 27)):
        assert today() == date(2025, 11, 27)  # what a worker process answering the bot's question uses
    assert today() == clock_day
