"""Who has reported for a month: an entry dated in it (however late it was logged), or a zero report."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.config import TOKYO
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.roles import Organisation, Role
from models.tables import Event, Staff
from models.who_reported import (
    NOTHING_EXPECTED,
    Completeness,
    completeness,
    last_entry_days,
    missing_reporters,
    record_zero_report,
)

TODAY = date(2025, 12, 10)


async def _worker(session: AsyncSession, number: int, on_leave_until: date | None = None) -> Staff:
    staff = Staff(
        telegram_user_id=9000 + number,
        display_name=f"worker {number}",
        role=Role.WORKER,
        organisation=Organisation.WATCH_OFFICE,
        ward_code="27102",
        on_leave_until=on_leave_until,
    )
    session.add(staff)
    await session.flush()
    return staff


async def _entry(session: AsyncSession, staff: Staff, on: date, logged_at: datetime) -> None:
    event, _created = await record_event(
        session,
        EventDraft(kind="outreach", occurred_on=on, ward_code="27102"),
        idempotency_key=f"r-{staff.id}-{logged_at.isoformat()}",
        today=logged_at.astimezone(TOKYO).date(),
        logged_by_staff_id=staff.id,
    )
    event.logged_at = logged_at
    await session.flush()


async def test_an_entry_dated_in_the_month_counts_however_it_was_logged(session: AsyncSession) -> None:
    # Logged at 00:30 on 1 November in Japan (still 31 October in UTC), and logged in December for November.
    first_minute = await _worker(session, 1)
    await _entry(session, first_minute, date(2025, 11, 1), datetime(2025, 10, 31, 15, 30, tzinfo=UTC))
    late = await _worker(session, 2)
    await _entry(session, late, date(2025, 11, 30), datetime(2025, 12, 3, 1, 0, tzinfo=UTC))
    # Dated in October, logged in November: it does not count for November.
    october_only = await _worker(session, 3)
    await _entry(session, october_only, date(2025, 10, 31), datetime(2025, 11, 1, 1, 0, tzinfo=UTC))
    zero = await _worker(session, 4)
    assert await record_zero_report(session, zero.id or 0, 2025, 11)
    silent = await _worker(session, 5)
    on_leave = await _worker(session, 6, on_leave_until=date(2025, 12, 31))

    missing = await missing_reporters(session, "27102", 2025, 11, TODAY)

    assert [staff.id for staff in missing] == [october_only.id, silent.id]
    assert on_leave.id not in {staff.id for staff in missing}
    assert [staff.id for staff in await missing_reporters(session, None, 2025, 10, TODAY)] == [
        first_minute.id,
        late.id,
        zero.id,
        silent.id,
    ]


async def test_the_last_entry_day_is_the_latest_live_entry_in_japan(session: AsyncSession) -> None:
    steady = await _worker(session, 1)
    await _entry(session, steady, date(2025, 9, 1), datetime(2025, 9, 1, 1, 0, tzinfo=UTC))
    await _entry(session, steady, date(2025, 10, 2), datetime(2025, 10, 1, 15, 30, tzinfo=UTC))  # 2 Oct in Japan
    await _entry(session, steady, date(2025, 9, 2), datetime(2025, 9, 2, 1, 0, tzinfo=UTC))  # logged late for Sept
    voided_last = await _worker(session, 2)
    await _entry(session, voided_last, date(2025, 8, 5), datetime(2025, 8, 5, 1, 0, tzinfo=UTC))
    await _entry(session, voided_last, date(2025, 10, 6), datetime(2025, 10, 6, 1, 0, tzinfo=UTC))
    latest = await session.scalar(select(Event).where(col(Event.occurred_on) == date(2025, 10, 6)))
    assert latest is not None
    latest.voided_at = datetime(2025, 10, 6, 2, 0, tzinfo=UTC)  # its latest entry voided
    await session.flush()
    never = await _worker(session, 3)

    days = await last_entry_days(session, [steady.id or 0, voided_last.id or 0, never.id or 0])

    assert days == {steady.id: date(2025, 10, 2), voided_last.id: date(2025, 8, 5)}


async def test_completeness_counts_the_same_people_as_missing_reporters(session: AsyncSession) -> None:
    """Per ward: expected (active workers not on leave), reported (entry or zero report), reported before the lock."""
    first_minute = await _worker(session, 1)
    await _entry(session, first_minute, date(2025, 11, 1), datetime(2025, 10, 31, 15, 30, tzinfo=UTC))
    late = await _worker(session, 2)
    await _entry(session, late, date(2025, 11, 30), datetime(2025, 12, 3, 1, 0, tzinfo=UTC))  # 12/3 10:00 in Japan
    zero = await _worker(session, 3)
    with time_machine.travel(datetime(2025, 12, 1, 1, 0, tzinfo=UTC)):  # before the lock
        assert await record_zero_report(session, zero.id or 0, 2025, 11)
    await _worker(session, 4)  # silent
    await _worker(session, 5, on_leave_until=date(2025, 12, 31))  # not expected
    elsewhere = Staff(
        telegram_user_id=9100,
        display_name="福島の職員",
        role=Role.WORKER,
        organisation=Organisation.WATCH_OFFICE,
        ward_code="27103",
    )
    chief = Staff(
        telegram_user_id=9101,
        display_name="区の管理者",
        role=Role.WARD_SUPERVISOR,
        organisation=Organisation.WARD_COUNCIL,
        ward_code="27103",
    )
    session.add_all([elsewhere, chief])
    await session.flush()

    by_ward = await completeness(session, None, 2025, 11, TODAY, lock_on=date(2025, 12, 3))

    assert by_ward == {"27102": Completeness(4, 3, 2), "27103": Completeness(1, 0, 0)}
    assert await completeness(session, "27103", 2025, 11, TODAY, lock_on=date(2025, 12, 3)) == {
        "27103": Completeness(1, 0, 0)
    }
    missing = await missing_reporters(session, None, 2025, 11, TODAY)
    for ward, figures in by_ward.items():
        assert figures.expected - figures.reported == sum(1 for staff in missing if staff.ward_code == ward)
    assert sum(by_ward.values(), NOTHING_EXPECTED) == Completeness(5, 3, 2)
