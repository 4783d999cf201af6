"""Entries that look wrong (issue 22, part 3): the median-based rule over a bounded window, the flag saved with the
entry, the review done once, and the count of flagged entries waiting (the push's hook). Both databases."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.unusual import (
    FLOOR,
    WINDOW,
    FlagStatus,
    count_flagged_waiting,
    flagged_waiting,
    is_unusual,
    review_flag,
    unusual_count,
    usual_count,
    usual_of,
)
from models.entries.write import record_event, void_event
from models.roles import Role
from models.tables import AuditEntry, EntryFlag
from tests.builders import add_event, add_staff

WARD, OTHER_WARD = "27102", "27103"
DAY = date(2025, 10, 1)
TODAY = date(2025, 10, 20)  # October open


def test_the_usual_is_the_middle_half_and_the_limit_is_robust() -> None:
    usual = usual_of([1, 1, 1, 2, 2, 2, 2, 3, 3, 3])
    assert usual is not None
    assert (usual.low, usual.high, usual.limit) == (1, 3, FLOOR)
    assert usual_of([1, 1, 1, 1]) is None  # too few to say
    one_outlier = usual_of([1] * 49 + [300])  # one typo in the window does not move the usual
    assert one_outlier is not None and one_outlier.limit == FLOOR
    rosters = usual_of(list(range(1, 31)))  # a roster's people: 1–30 evenly
    assert rosters is not None and not is_unusual(30, rosters) and is_unusual(200, rosters)


@given(st.lists(st.integers(1, 999), min_size=5, max_size=WINDOW), st.integers(1, FLOOR))
def test_a_count_at_or_below_the_floor_is_never_unusual(window: list[int], count: int) -> None:
    assert not is_unusual(count, usual_of(window))


@given(st.lists(st.integers(1, 999), min_size=5, max_size=WINDOW))
def test_no_count_in_the_middle_half_is_unusual(window: list[int]) -> None:
    usual = usual_of(window)
    assert usual is not None
    assert not is_unusual(usual.high, usual) and usual.limit >= FLOOR


async def test_the_window_is_the_wards_last_live_entries_else_the_citys(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessions) as session:
        assert await usual_count(session, "outreach", WARD) is None  # no history anywhere: nothing to say
        assert await usual_count(session, "area_meeting", WARD) is None  # a kind without counts
        for n in range(6):
            await add_event(session, "outreach", DAY + timedelta(days=n), OTHER_WARD, count=2)
        city = await usual_count(session, "outreach", WARD)
        assert city is not None and city.city_wide and (city.low, city.high) == (2, 2)
        # Older entries of 300 fall out of the window of the WINDOW newest (by date); a voided 1 never counts.
        for n in range(10):
            await add_event(session, "outreach", DAY - timedelta(days=100 + n), WARD, count=300)
        for n in range(WINDOW):
            await add_event(session, "outreach", DAY + timedelta(days=n % 20), WARD, count=1 + n % 3)
        await add_event(session, "outreach", DAY, WARD, count=1, voided=True)
        usual = await usual_count(session, "outreach", WARD)
        assert usual is not None and not usual.city_wide
        assert (usual.low, usual.high, usual.entries) == (1, 3, WINDOW)
        draft = EventDraft(kind="outreach", occurred_on=DAY, ward_code=WARD, count=100)
        assert await unusual_count(session, draft) == usual
        assert await unusual_count(session, draft.model_copy(update={"count": FLOOR})) is None


async def test_a_flagged_entry_waits_until_reviewed_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    worker = await add_staff(sessions)
    ward_supervisor = await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 管理")
    other_supervisor = await add_staff(sessions, Role.WARD_SUPERVISOR, ward=OTHER_WARD, name="他区 管理")
    async with session_scope(sessions) as session:
        for n in range(10):
            await add_event(session, "outreach", DAY + timedelta(days=n), WARD, count=1 + n % 2)
        draft = EventDraft(kind="outreach", occurred_on=DAY, ward_code=WARD, count=100)
        usual = await unusual_count(session, draft)
        assert usual is not None
        event, _ = await record_event(
            session, draft, idempotency_key="flag-1", today=TODAY, logged_by_staff_id=worker.id, flag=usual
        )
        assert event.id is not None
    async with session_scope(sessions) as session:
        waiting = await flagged_waiting(session, WARD)
        assert [(entry.event.id, entry.flag.usual_high, entry.logged_by) for entry in waiting] == [
            (event.id, 2, "見守り花子")
        ]
        assert await flagged_waiting(session, OTHER_WARD) == []
        assert await count_flagged_waiting(session, None, 2025, 10) == 1
        assert await count_flagged_waiting(session, WARD, 2025, 11) == 0
        assert await review_flag(session, event.id, FlagStatus.CONFIRMED, other_supervisor) is None  # not their ward
        assert await review_flag(session, event.id, FlagStatus.ASKED, ward_supervisor) is not None
        assert await review_flag(session, event.id, FlagStatus.ASKED, ward_supervisor) is None  # asked once
        assert await count_flagged_waiting(session, WARD, 2025, 10) == 1  # asked still waits
        assert await review_flag(session, event.id, FlagStatus.CONFIRMED, ward_supervisor) is not None
        assert await review_flag(session, event.id, FlagStatus.CONFIRMED, ward_supervisor) is None
        assert await count_flagged_waiting(session, WARD, 2025, 10) == 0
        actions = list(
            await session.scalars(select(col(AuditEntry.action)).where(col(AuditEntry.entity_id) == str(event.id)))
        )
        assert actions == ["record", "flag_asked", "flag_confirmed"]
        assert (await session.get(EntryFlag, event.id)) is not None


async def test_a_voided_flagged_entry_no_longer_waits(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessions) as session:
        for n in range(10):
            await add_event(session, "outreach", DAY + timedelta(days=n), WARD)
        draft = EventDraft(kind="outreach", occurred_on=DAY, ward_code=WARD, count=50)
        event, _ = await record_event(
            session, draft, idempotency_key="flag-2", today=TODAY, flag=await unusual_count(session, draft)
        )
        assert event.id is not None and await count_flagged_waiting(session, WARD, 2025, 10) == 1
        await void_event(session, event.id, by_staff_id=None, reason="入力ミス", today=TODAY)
        assert await count_flagged_waiting(session, WARD, 2025, 10) == 0
        assert await flagged_waiting(session, None) == []
