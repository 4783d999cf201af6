"""Area coverage (1-1, 1-2): every roster-provided active area of the scope with the month it first counted, the
same days as the totals engine counts, in the city's ward order then area codes."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, update

from models.coverage import area_coverage, by_ward
from models.tables import Area
from models.totals import indicator_totals
from tests.builders import add_event


async def test_each_area_with_the_month_it_first_counted_and_the_totals_agree(session: AsyncSession) -> None:
    await add_event(session, "concern_report", date(2025, 5, 10), area="27102-02")
    await add_event(session, "concern_report", date(2025, 9, 1), area="27102-02")  # a later report: still May
    await add_event(session, "area_meeting", date(2025, 6, 3), area="27102-01")
    await add_event(session, "area_meeting", date(2025, 8, 3), area="27102-01")
    await add_event(session, "area_meeting", date(2025, 7, 3), area="27102-03")  # one meeting only
    await add_event(session, "area_meeting", date(2024, 7, 3), area="27102-04")  # last fiscal year
    await add_event(session, "concern_report", date(2025, 11, 20), area="27102-05")  # after the as-of date
    await add_event(session, "concern_report", date(2025, 6, 1), area="27102-06", voided=True)
    await add_event(session, "concern_report", date(2025, 6, 1), area="27102-12")  # retired below
    await add_event(session, "concern_report", date(2025, 6, 1), area="27102-13")  # no roster below
    await session.execute(update(Area).where(col(Area.code) == "27102-12").values(active=False))
    await session.execute(update(Area).where(col(Area.code) == "27102-13").values(roster_provided=False))

    areas = await area_coverage(session, 2025, date(2025, 10, 31), "27102")

    assert [a.area_code for a in areas] == [f"27102-{n:02d}" for n in range(1, 12)]
    assert {a.area_code: a.first_counted for a in areas if any(a.first_counted.values())} == {
        "27102-01": {"1-1": (2025, 6), "1-2": None},
        "27102-02": {"1-1": None, "1-2": (2025, 5)},
        "27102-03": {"1-1": (2025, 7), "1-2": None},
    }
    assert areas[0].name_ja == "都島区第1地域"
    twice = await area_coverage(session, 2025, date(2025, 10, 31), "27102", threshold=2)
    assert [a.area_code for a in twice if a.counted("1-1")] == ["27102-01"]
    assert twice[0].first_counted["1-1"] == (2025, 8)  # from its second meeting
    for threshold, listed in ((1, areas), (2, twice)):
        totals = await indicator_totals(session, 2025, date(2025, 10, 31), "27102", threshold)
        for code in ("1-1", "1-2"):
            [ward] = by_ward(listed, code)
            assert (ward.counted, ward.areas) == (totals.indicators[code].value, totals.indicators[code].denominator)


async def test_the_city_lists_wards_in_the_citys_order_then_area_codes(session: AsyncSession) -> None:
    await add_event(session, "concern_report", date(2025, 5, 10), "27127", area="27127-02")

    areas = await area_coverage(session, 2025, date(2025, 11, 30), None)

    assert len(areas) == 334
    assert [a.area_code for a in areas[:2]] == ["27127-01", "27127-02"]  # 北区 first
    assert areas[-1].ward_code == "27122"  # 西成区 last
    wards = by_ward(areas, "1-2")
    assert [w.ward_code for w in wards[:2]] == ["27127", "27102"]
    assert (wards[0].counted, wards[0].not_yet) == (1, wards[0].areas - 1)
    assert sum(w.areas for w in wards) == 334
