""" "No data" (issue 12): a fiscal year and scope with neither live events nor live baselines, unlike a real zero."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.baselines import BaselineKey, clear_baseline, set_baseline
from models.ranking import rank_wards
from models.totals import flag_no_data, has_data, indicator_totals
from tests.builders import add_event


async def test_a_year_has_data_from_a_live_event_or_a_live_baseline_of_its_scope(session: AsyncSession) -> None:
    assert not await has_data(session, 2024)
    await add_event(session, "outreach", date(2024, 4, 1), voided=True)
    assert not await has_data(session, 2024)  # a voided entry is not data
    await add_event(session, "outreach", date(2025, 3, 31), "27103")
    assert await has_data(session, 2024) and await has_data(session, 2024, "27103")
    assert not await has_data(session, 2024, "27102") and not await has_data(session, 2025)
    key = BaselineKey("1-5", "27102", 2024, 6)
    await set_baseline(session, key, value=0, reason="紙の集計", entered_by="市 担当", today=date(2025, 11, 27))
    assert await has_data(session, 2024, "27102")  # a baseline of 0 is a real zero
    await clear_baseline(session, key, reason="誤り", cleared_by="市 担当")
    assert not await has_data(session, 2024, "27102")


async def test_totals_are_flagged_without_changing_their_figures(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2025, 5, 1), count=4)
    empty = await flag_no_data(session, await indicator_totals(session, 2024, date(2024, 11, 30)))
    full = await flag_no_data(session, await indicator_totals(session, 2025, date(2025, 11, 30)))
    assert empty.no_data and not full.no_data
    assert empty.indicators["1-5"].value == 0 and full.indicators["1-5"].value == 4


async def test_wards_are_ranked_by_their_own_last_year_laggards_first(session: AsyncSession) -> None:
    for ward, before, now in [("27102", 10, 5), ("27103", 4, 6), ("27104", 2, 0)]:
        await add_event(session, "outreach", date(2024, 6, 1), ward, count=before)
        if now:
            await add_event(session, "outreach", date(2025, 6, 1), ward, count=now)
    await add_event(session, "outreach", date(2025, 6, 1), "27106", count=3)  # nothing last year
    ranked = rank_wards(
        "1-5",
        await indicator_totals(session, 2025, date(2025, 11, 30)),
        await indicator_totals(session, 2024, date(2024, 11, 30)),
    ).ranked
    assert [(r.ward_code, r.ratio) for r in ranked[:3]] == [("27104", 0.0), ("27102", 0.5), ("27103", 1.5)]
    without_last_year = [r.ward_code for r in ranked[3:]]
    assert without_last_year[-1] == "27106"  # no comparison: after the compared wards, largest figure last
    assert len(ranked) == 24


async def test_the_share_is_ranked_by_its_change_in_points_and_wards_without_answers_stand_apart(
    session: AsyncSession,
) -> None:
    """Issue 19: 2-Q compares in points (not 100 % ÷ 50 % = 200 %), marks few answers, sets unanswered wards apart."""
    answers = {  # ward: (last year's yes, no), (this year's yes, no)
        "27102": ((3, 1), (2, 2)),  # 75.0 → 50.0: -25.0pt, few answers
        "27103": ((4, 4), (7, 3)),  # 50.0 → 70.0: +20.0pt
        "27124": ((1, 1), (1, 0)),  # 鶴見区 50.0 → 100.0: +50.0pt, few answers
        "27104": ((0, 0), (3, 3)),  # no answers last year: after the compared wards
        "27106": ((5, 0), (0, 0)),  # no answers this year: not ranked
    }
    for ward, years in answers.items():
        for fiscal_year, (yes, no) in zip((2024, 2025), years, strict=True):
            for answer, times in ((True, yes), (False, no)):
                for _ in range(times):
                    await add_event(session, "agency_survey", date(fiscal_year, 6, 1), ward, answer=answer)
    ranking = rank_wards(
        "2-Q",
        await indicator_totals(session, 2025, date(2025, 11, 30)),
        await indicator_totals(session, 2024, date(2024, 11, 30)),
    )
    assert [(r.ward_code, r.points, r.few_answers) for r in ranking.ranked] == [
        ("27102", -25.0, True),
        ("27103", 20.0, False),
        ("27124", 50.0, True),
        ("27104", None, False),
    ]
    assert all(r.ratio is None for r in ranking.ranked)
    assert ranking.without_answers[0] == "27127" and "27106" in ranking.without_answers  # the city's order
    assert len(ranking.without_answers) == 20
