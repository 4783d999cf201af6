"""The date and count parser (`models.typed_input`), every form with a fixed today; the date hints built from today."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.texts import EN, JA, WEEKDAY_LABELS, date_values, text, weekday_mismatch
from models.locks import is_month_locked
from models.typed_input import Unreadable, WrongWeekday, parse_count, parse_date

TODAY = date(2026, 12, 10)  # a Thursday; 2026-12-03 is a Thursday too
DEC_3 = date(2026, 12, 3)


# The forms grouped as the comments say (the formatter would set one a line).
@pytest.mark.parametrize(
    "typed",
    [
        # without a weekday: the forms the bot already read, and M-D
        "12/3", "12.3", "12月3日", "12-3", "１２－３", "12ー3", "12−3", "2026-12-03", "2026/12/3", "2026.12.3",
        "2026年12月3日", "R8.12.3", "r8.12.3", "令和8年12月3日", "１２／３", "１２月３日", " 12 / 3 ",
        # with its weekday, in any bracket, half or full width, or none
        "12/3(木)", "12/3（木）", "12月3日（木）", "12月3日(木)", "2026/12/3(木)", "2026-12-03(木)", "R8.12.3(木)",
        "令和8年12月3日（木曜日）", "12/3[木]", "12/3［木］", "12/3【木】", "12/3〔木〕", "12/3「木」", "12/3<木>",
        "12/3〈木〉", "12/3《木》", "12/3{木}", "12/3 (木)", "12/3木", "12月3日木曜", "12月3日木曜日", "12-3(木)",
        "１２／３（木）", "12/3(Thu)", "12/3 thu", "12/3 (Thursday)", "12/3(THURS)",
    ],
)  # fmt: skip
def test_every_form_of_the_same_day(typed: str) -> None:
    assert parse_date(typed, TODAY) == DEC_3


# Grouped by days back.
@pytest.mark.parametrize(
    ("typed", "back"),
    [("今日", 0), ("きょう", 0), ("Today", 0), ("昨日", 1), ("きのう", 1), ("yesterday", 1),
     ("一昨日", 2), ("おととい", 2), ("おとつい", 2), ("day before yesterday", 2)],
)  # fmt: skip
def test_days_counted_back_from_today(typed: str, back: int) -> None:
    assert parse_date(typed, TODAY) == TODAY - timedelta(days=back)


def test_a_relative_day_with_its_weekday_is_checked_too() -> None:
    assert parse_date("今日(木)", TODAY) == TODAY
    assert parse_date("一昨日（火）", TODAY) == date(2026, 12, 8)
    assert parse_date("昨日(木)", TODAY) == WrongWeekday(date(2026, 12, 9))


@pytest.mark.parametrize(
    "typed", ["12/3(水)", "12月3日（金）", "2026/12/3(月)", "12/3【日】", "12月3日日曜日", "12/3(Wed)", "R8.12.3(土)"]
)
def test_a_weekday_that_is_not_the_dates_is_never_ignored(typed: str) -> None:
    assert parse_date(typed, TODAY) == WrongWeekday(DEC_3)


def test_a_weekday_never_picks_the_year() -> None:
    january = date(2027, 1, 15)
    # 12/3 typed in January is last December's (a Thursday); 2025-12-03 was a Wednesday, but (水) does not reach it.
    assert parse_date("12/3(木)", january) == DEC_3
    assert parse_date("12/3(水)", january) == WrongWeekday(DEC_3)
    # A day just ahead stays this year's, weekday or not (the step then refuses it as a future day).
    assert parse_date("12/25(金)", TODAY) == date(2026, 12, 25)
    assert parse_date("12/25(木)", TODAY) == WrongWeekday(date(2026, 12, 25))


# The refusals grouped as the comments say (the formatter would set one a line).
@pytest.mark.parametrize(
    "typed",
    [
        # not a date, or not a real one
        "", "あした", "明日", "木", "(木)", "木曜日", "2/30", "2/30(月)", "13/1", "12/32", "2026-12", "12", "R8.13.1",
        "12--3", "12-3-4",
        # a weekday that is not one weekday in one pair of brackets: nothing is guessed from half a bracket
        "12/3(木", "12/3木)", "12/3(木]", "12/3(木)(木)", "12/3(Monkey)", "12/3(祝)", "12/3(木・祝)",
        # forms not read, as before: ambiguous, another era, or the weekday first
        "1203", "12/3/2026", "26/12/3", "H30.1.1", "十二月三日", "Thu 12/3", "(木)12/3",
    ],
)  # fmt: skip
def test_what_is_not_read_as_a_date_is_refused(typed: str) -> None:
    assert parse_date(typed, TODAY) == Unreadable()


@given(st.dates(min_value=date(2019, 5, 1), max_value=TODAY), st.integers(min_value=1, max_value=6))
def test_any_written_day_reads_back_with_its_weekday_and_not_with_another(day: date, off: int) -> None:
    values = date_values(day, JA)
    other = WEEKDAY_LABELS[JA][(day.weekday() + off) % 7][0]
    for form in ("{y}/{m}/{d}({wd})", "{y}年{m}月{d}日（{wd}）", "令和{r}年{m}月{d}日【{wd}曜日】"):
        assert parse_date(form.format(**values), TODAY) == day, form
        assert parse_date(form.format(**values | {"wd": other}), TODAY) == WrongWeekday(day), form


def test_the_answer_names_the_real_weekday() -> None:
    assert weekday_mismatch(DEC_3, TODAY, JA) == "12/3 は木曜日です。日付か曜日を直して、もう一度入力してください。"
    assert weekday_mismatch(DEC_3, date(2027, 1, 15), JA).startswith("2026/12/3 は木曜日です。")  # the year read
    assert weekday_mismatch(DEC_3, TODAY, EN).startswith("2026-12-03 is a Thursday.")


# Month starts and ends, the fiscal year's turn, the new year, a leap day, a Sunday.
HINT_DAYS = [
    date(2025, 11, 27),
    date(2025, 12, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 3, 31),
    date(2026, 4, 1),
    date(2028, 2, 29),
    date(2026, 12, 6),
    date(2019, 5, 1),
]


@pytest.mark.parametrize("today", HINT_DAYS, ids=str)
@pytest.mark.parametrize("language", [JA, EN])
def test_every_example_in_the_hints_can_be_logged_today(today: date, language: str) -> None:
    for key in ("ask_date", "date_unreadable"):
        hint = text(key, language, **date_values(today, language))
        examples = hint_examples(hint)
        assert len(examples) >= 3, hint
        for example in examples:
            day = parse_date(example, today)
            assert isinstance(day, date), (hint, example)
            assert day <= today, (hint, example)
            assert not is_month_locked(day.year, day.month, today, 0), (hint, example)  # whatever the lock setting


def hint_examples(hint: str) -> list[str]:
    """`…（例: 11/27、11/27(木)、R7.11.27）。` → the examples, as a worker would copy them."""
    listed = re.sub(r"(?:）。|\)\.)$", "", re.split(r"例: |e\.g\. ", hint, maxsplit=1)[1])
    return [example.strip() for example in re.split(r"、|, ", listed)]


def test_the_date_steps_hints_on_the_readme_day() -> None:
    today = date(2025, 11, 27)
    assert text("ask_date", JA, **date_values(today, JA)).endswith("（例: 11/27、11/27(木)、R7.11.27）。")
    assert text("date_unreadable", JA, **date_values(today, JA)) == (
        "日付を読み取れませんでした。例: 11/27、11月27日（木）、2025-11-27、R7.11.27、令和7年11月27日"
    )


@pytest.mark.parametrize(("typed", "count"), [("3", 3), ("３", 3), ("12件", 12), ("5人", 5), ("2回", 2), (" 7 ", 7)])
def test_counts(typed: str, count: int) -> None:
    assert parse_count(typed) == count


@pytest.mark.parametrize("typed", ["", "三", "-1", "1.5", "1,000", "1234567", "3個"])
def test_what_is_not_a_count(typed: str) -> None:
    assert parse_count(typed) is None
