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
    )
    assert [(r.ward_code, r.ratio) for r in ranked[:3]] == [("27104", 0.0), ("27102", 0.5), ("27103", 1.5)]
    without_last_year = [r.ward_code for r in ranked[3:]]
    assert without_last_year[-1] == "27106"  # no comparison: after the compared wards, largest figure last
    assert len(ranked) == 24
