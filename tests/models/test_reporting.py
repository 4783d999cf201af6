"""Who has reported for a month: an entry dated in it (however late it was logged), or a zero report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import Organisation, Role
from models.config import TOKYO
from models.events import EventDraft, record_event
from models.reporting import missing_reporters, record_zero_report
from models.tables import Staff

TODAY = date(2025, 12, 10)


async def _worker(session: AsyncSession, number: int, on_leave_until: date | None = None) -> Staff:
    staff = Staff(telegram_user_id=9000 + number, display_name=f"worker {number}", role=Role.WORKER,
                  organisation=Organisation.WATCH_OFFICE, ward_code="27102", on_leave_until=on_leave_until)  # fmt: skip
    session.add(staff)
    await session.flush()
    return staff


async def _entry(session: AsyncSession, staff: Staff, on: date, logged_at: datetime) -> None:
    event, _created = await record_event(session, EventDraft("outreach", on, "27102"),
                                         idempotency_key=f"r-{staff.id}-{logged_at.isoformat()}",
                                         today=logged_at.astimezone(TOKYO).date(),
                                         logged_by_staff_id=staff.id)  # fmt: skip
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
        first_minute.id, late.id, zero.id, silent.id,
    ]  # fmt: skip
