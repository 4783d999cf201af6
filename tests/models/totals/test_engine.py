"""The totals engine against a hand-computed dataset, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, update

from models.catalog import INDICATOR_BY_KIND, INDICATORS_BY_CODE
from models.config import TOKYO
from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event
from models.tables import Area
from models.totals import (
    IndicatorValue,
    Totals,
    indicator_totals,
    percent,
    sheet_notation,
    totals_for_every_scope,
    would_count_anew,
    year_to_date,
)
from tests.builders import add_event, area_id

FY = 2025
AS_OF = date(2025, 11, 30)
MIYAKOJIMA, FUKUSHIMA = "27102", "27103"  # 13 and 9 sample areas


@pytest.fixture
async def dataset(session: AsyncSession) -> AsyncSession:
    """The events whose totals are worked out by hand in each test below."""
    # One Fukushima area has no roster: it leaves the 1-1/1-2 denominator (334 → 333) and never counts.
    await session.execute(update(Area).where(col(Area.code) == "27103-03").values(roster_provided=False))
    e = add_event
    # 1-1 area meetings: 27102-01 twice (Apr, Jun), 27102-02 once (May); others out of range.
    await e(session, "area_meeting", date(2025, 4, 10), area="27102-01")
    await e(session, "area_meeting", date(2025, 6, 1), area="27102-01")
    await e(session, "area_meeting", date(2025, 5, 1), area="27102-02")
    await e(session, "area_meeting", date(2025, 12, 5), FUKUSHIMA, area="27103-01")  # after as-of
    await e(session, "area_meeting", date(2025, 3, 31), area="27102-03")  # FY2024
    await e(session, "area_meeting", date(2025, 7, 1), area="27102-04", voided=True)
    # 1-2 concern reports: 27102-01 three times = 1 area; a voided one and one in a no-roster area.
    for day in (3, 4, 5):
        await e(session, "concern_report", date(2025, 4, day), area="27102-01")
    await e(session, "concern_report", date(2025, 10, 1), FUKUSHIMA, area="27103-02", voided=True)
    await e(session, "concern_report", date(2025, 10, 2), FUKUSHIMA, area="27103-03")
    # 1-3 roster provision: 12 + 8 people (Nov 30 is inside "as of the end of November").
    await e(session, "roster_provision", date(2025, 5, 20), area="27102-01", count=12)
    await e(session, "roster_provision", date(2025, 11, 30), FUKUSHIMA, area="27103-01", count=8)
    # 1-5 outreach: 1 (Apr 1) + 3 (Nov 30) in Miyakojima; out of range and voided ones do not count.
    await e(session, "outreach", date(2025, 4, 1))
    await e(session, "outreach", date(2025, 11, 30), count=3)
    await e(session, "outreach", date(2025, 12, 1), count=5)
    await e(session, "outreach", date(2025, 3, 31), count=2)
    await e(session, "outreach", date(2025, 8, 8), FUKUSHIMA, voided=True)
    # 3-1 participation: H1 three connections = 1 household; H2; the same code in another ward is another one.
    for month in (4, 6, 9):
        await e(session, "participation_link", date(2025, month, 15), household="H1")
    await e(session, "participation_link", date(2025, 7, 1), household="H2")
    await e(session, "participation_link", date(2025, 7, 2), FUKUSHIMA, household="H1")
    await e(session, "participation_link", date(2025, 7, 3), household="H3", voided=True)
    # 2-Q survey: yes, yes, no in Miyakojima; yes in Fukushima; a voided no.
    for answer in (True, True, False):
        await e(session, "agency_survey", date(2025, 9, 1), answer=answer)
    await e(session, "agency_survey", date(2025, 9, 2), FUKUSHIMA, answer=True)
    await e(session, "agency_survey", date(2025, 9, 3), answer=False, voided=True)
    return session


async def totals(session: AsyncSession, ward: str | None = None, threshold: int = 1) -> Totals:
    return await indicator_totals(session, FY, AS_OF, ward, regular_meeting_threshold=threshold)


async def test_city_totals_match_hand_computed(dataset: AsyncSession) -> None:
    result = await totals(dataset)
    values = {code: (v.value, v.denominator) for code, v in result.indicators.items()}
    assert values == {
        "1-1": (2, 333),
        "1-2": (1, 333),
        "1-3": (20, None),
        "1-4": (0, None),
        "1-5": (4, None),
        "1-6": (0, None),
        "2-1": (0, None),
        "2-2": (0, None),
        "2-3": (0, None),
        "2-4": (0, None),
        "2-5": (0, None),
        "2-Q": (3, 4),
        "3-1": (3, None),
    }
    assert result.indicators["1-2"].percent == 0.3  # 1 / 333 = 0.30 %
    assert result.indicators["2-Q"].percent == 75.0
    assert result.scope == "city"
    assert len(result.by_ward) == 24


async def test_ward_breakdown_adds_up_to_city(dataset: AsyncSession) -> None:
    result = await totals(dataset)
    miyakojima, fukushima = result.by_ward[MIYAKOJIMA], result.by_ward[FUKUSHIMA]
    assert (miyakojima["1-1"].value, miyakojima["1-1"].denominator) == (2, 13)
    assert (fukushima["1-1"].value, fukushima["1-1"].denominator) == (0, 8)
    assert (miyakojima["3-1"].value, fukushima["3-1"].value) == (2, 1)
    assert (miyakojima["2-Q"].value, miyakojima["2-Q"].denominator) == (2, 3)
    for code, city_value in result.indicators.items():
        assert sum(ward[code].value for ward in result.by_ward.values()) == city_value.value, code


async def test_ward_scope_counts_only_that_ward(dataset: AsyncSession) -> None:
    result = await totals(dataset, ward=FUKUSHIMA)
    assert result.scope == FUKUSHIMA
    assert list(result.by_ward) == [FUKUSHIMA]
    assert result.indicators["1-3"].value == 8
    assert result.indicators["1-5"].value == 0  # its only outreach was voided
    assert result.indicators["1-2"] == IndicatorValue(0, 8)  # the no-roster area's report never counts
    assert result.indicators["2-Q"] == IndicatorValue(1, 1)


async def test_regular_meeting_threshold_is_a_setting(dataset: AsyncSession) -> None:
    twice = await totals(dataset, threshold=2)
    assert twice.indicators["1-1"].value == 1
    assert twice.definitions["regular_meeting_threshold"] == 2
    assert [v.value for v in twice.by_month["1-1"]] == [0, 0, 1, 1, 1, 1, 1, 1]


async def test_monthly_series_is_cumulative_to_the_as_of_month(dataset: AsyncSession) -> None:
    result = await totals(dataset)
    assert result.months[0] == (2025, 4) and result.months[-1] == (2025, 11)
    assert [v.value for v in result.by_month["1-1"]] == [1, 2, 2, 2, 2, 2, 2, 2]
    assert [v.value for v in result.by_month["1-5"]] == [1, 1, 1, 1, 1, 1, 1, 4]
    # H1 counts from April, H2 and Fukushima's H1 from July; H1's later connections add nothing.
    assert [v.value for v in result.by_month["3-1"]] == [1, 1, 1, 3, 3, 3, 3, 3]
    assert result.by_month["1-1"][-1] == result.indicators["1-1"]


async def test_fiscal_year_boundaries(dataset: AsyncSession) -> None:
    previous = await indicator_totals(dataset, 2024, date(2025, 3, 31))
    assert previous.indicators["1-5"].value == 2  # the outreach of 2025-03-31
    assert previous.indicators["1-1"].value == 1
    whole_year = await indicator_totals(dataset, FY, date(2026, 3, 31))
    assert whole_year.indicators["1-5"].value == 9  # December's 5 join
    assert whole_year.indicators["1-1"].value == 3
    capped = await indicator_totals(dataset, FY, date(2027, 1, 1))
    assert capped.as_of == date(2026, 3, 31)
    with pytest.raises(ValueError, match="starts on"):
        await indicator_totals(dataset, 2026, date(2026, 3, 31))


async def test_a_correction_counts_once_with_its_new_value(dataset: AsyncSession) -> None:
    original = await add_event(dataset, "outreach", date(2025, 10, 10))
    assert original.id is not None
    await correct_event(
        dataset,
        original.id,
        EventDraft.of(original).model_copy(update={"count": 2}),
        by_staff_id=None,
        reason="件数の入力誤り",
        idempotency_key="fix-1",
        today=original.occurred_on,
    )
    assert (await totals(dataset)).indicators["1-5"].value == 4 + 2


async def test_empty_database_gives_zeros_and_no_percent_for_empty_survey(session: AsyncSession) -> None:
    result = await totals(session)
    assert all(v.value == 0 for v in result.indicators.values())
    assert result.indicators["2-Q"] == IndicatorValue(0, 0)
    assert result.indicators["2-Q"].percent is None
    assert result.indicators["1-1"].denominator == 334


async def test_json_shape(dataset: AsyncSession) -> None:
    data = (await totals(dataset)).as_json()
    assert data["fy"] == FY and data["as_of"] == "2025-11-30" and data["scope"] == "city"
    assert data["indicators"]["1-2"] == {"value": 1, "denominator": 333, "percent": 0.3}
    assert data["indicators"]["1-5"] == {"value": 4, "denominator": None, "percent": None}
    assert data["months"][0] == "2025-04"


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (0, 5, 0.0), (5, 5, 100.0), (1, 0, None)],
)
def test_percent_rounds_half_up(numerator: int, denominator: int, expected: float | None) -> None:
    assert percent(numerator, denominator) == expected


def test_sheet_notation() -> None:
    assert sheet_notation(INDICATORS_BY_CODE["1-1"], IndicatorValue(12, 334)) == "12 ／ 全334地域"
    assert sheet_notation(INDICATORS_BY_CODE["1-2"], IndicatorValue(12, 334)) == "12 ／ 全334地域（3.6％）"
    assert sheet_notation(INDICATORS_BY_CODE["1-5"], IndicatorValue(1280)) == "1,280件"
    assert sheet_notation(INDICATORS_BY_CODE["2-Q"], IndicatorValue(30, 40)) == "75.0％（効果あり30 ／ 回答40）"


async def test_every_scope_in_one_pass_equals_each_scope_alone(dataset: AsyncSession) -> None:
    every = await totals_for_every_scope(dataset, FY, AS_OF)
    assert len(every) == 25
    for scope in (None, MIYAKOJIMA, FUKUSHIMA, "27128"):
        assert every[scope].as_json() == (await totals(dataset, ward=scope)).as_json()


@pytest.mark.parametrize("code", [i.code for i in INDICATORS_BY_CODE.values()])
async def test_year_to_date_equals_the_engine(dataset: AsyncSession, code: str) -> None:
    for ward in (MIYAKOJIMA, FUKUSHIMA):
        engine_value = (await totals(dataset, ward=ward)).indicators[code]
        assert await year_to_date(dataset, code, FY, AS_OF, ward) == engine_value


async def test_as_of_today_reads_the_month_from_the_rollups_and_agrees_with_its_events(dataset: AsyncSession) -> None:
    # Nothing is dated after today, so "now" takes the unfinished month whole from the rollups; a later clock
    # reads the same days from the events. Both must give November's figures plus December's first five days.
    december_fifth = date(2025, 12, 5)
    with time_machine.travel(datetime(2025, 12, 5, 12, 0, tzinfo=TOKYO)):
        now = await indicator_totals(dataset, FY, december_fifth)
    with time_machine.travel(datetime(2025, 12, 20, 12, 0, tzinfo=TOKYO)):
        later = await indicator_totals(dataset, FY, december_fifth)
    assert now.as_json() == later.as_json()
    november = await totals(dataset)
    assert now.indicators["1-5"].value == november.indicators["1-5"].value + 5  # outreach of 12/1
    assert now.indicators["1-1"].value == november.indicators["1-1"].value + 1  # 27103-01's first meeting, 12/5


async def test_year_to_date_equals_the_engine_mid_month_and_with_a_meeting_threshold(dataset: AsyncSession) -> None:
    for as_of in (date(2025, 4, 4), date(2025, 6, 1), date(2025, 7, 2), date(2025, 11, 29), date(2026, 3, 31)):
        for threshold in (1, 2, 3):
            for ward in (MIYAKOJIMA, FUKUSHIMA):
                engine = await indicator_totals(dataset, FY, as_of, ward, regular_meeting_threshold=threshold)
                for code in INDICATORS_BY_CODE:
                    found = await year_to_date(dataset, code, FY, as_of, ward, threshold)
                    assert found == engine.indicators[code], (code, as_of, threshold, ward)


@pytest.mark.parametrize("threshold", [1, 2, 3])
async def test_would_count_anew_says_whether_the_save_moves_the_figure(dataset: AsyncSession, threshold: int) -> None:
    """Asked before each save, from the rollups: the year's figure then grows by one exactly when it said so."""
    await dataset.execute(update(Area).where(col(Area.code) == "27102-05").values(active=False))
    day = date(2025, 12, 10)
    drafts = [
        *[
            EventDraft(kind="area_meeting", occurred_on=day, ward_code=MIYAKOJIMA, area_id=await area_id(dataset, code))
            for code in ("27102-01", "27102-01", "27102-02", "27102-03", "27102-05", "27102-06", "27102-06")
        ],
        EventDraft(
            kind="area_meeting", occurred_on=day, ward_code=FUKUSHIMA, area_id=await area_id(dataset, "27103-03")
        ),  # no roster
        *[
            EventDraft(
                kind="concern_report", occurred_on=day, ward_code=FUKUSHIMA, area_id=await area_id(dataset, code)
            )
            for code in ("27103-02", "27103-02", "27103-03")
        ],
        EventDraft(
            kind="concern_report", occurred_on=day, ward_code=MIYAKOJIMA, area_id=await area_id(dataset, "27102-01")
        ),
        *(
            EventDraft(kind="participation_link", occurred_on=day, ward_code=ward, household_ref=household)
            for ward, household in ((MIYAKOJIMA, "H1"), (MIYAKOJIMA, "H3"), (MIYAKOJIMA, "H3"), (FUKUSHIMA, "H2"))
        ),
    ]
    answers = []
    for n, draft in enumerate(drafts):
        code = INDICATOR_BY_KIND[draft.kind].code
        before = await year_to_date(dataset, code, FY, day, draft.ward_code, threshold)
        anew = await would_count_anew(dataset, draft, threshold)
        await record_event(dataset, draft, idempotency_key=f"anew-{n}", today=day)
        after = await year_to_date(dataset, code, FY, day, draft.ward_code, threshold)
        assert after.value - before.value == (1 if anew else 0), (n, draft)
        answers.append(anew)
    assert any(answers) and not all(answers)
    assert await would_count_anew(
        dataset, EventDraft(kind="outreach", occurred_on=day, ward_code=MIYAKOJIMA), threshold
    )
