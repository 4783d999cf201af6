"""Who has reported for a month: an entry dated in it, or a confirmed 「今月は0件」."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.config import TOKYO
from models.fiscal import month_end
from models.roles import Role
from models.tables import AuditEntry, Event, Staff, ZeroReport


async def missing_reporters(
    session: AsyncSession, ward_code: str | None, year: int, month: int, today: date
) -> list[Staff]:
    """Active workers (in scope), not on leave, with neither an entry in the month nor a zero report.

    Supervisors and admins are not chased: logging is not their job, even if they sometimes do it.
    """
    first, last = date(year, month, 1), month_end(year, month)
    logged = select(col(Event.logged_by_staff_id)).where(
        col(Event.logged_by_staff_id) == col(Staff.id),
        # An entry is logged on or after its day (no future dates), so only what was logged since the month
        # began can be dated in it: a range on (logged_by_staff_id, logged_at), however long the history.
        col(Event.logged_at) >= datetime.combine(first, time(), TOKYO),
        col(Event.voided_at).is_(None),
        col(Event.occurred_on).between(first, last),
    )
    zero = select(col(ZeroReport.id)).where(
        col(ZeroReport.staff_id) == col(Staff.id), col(ZeroReport.year) == year, col(ZeroReport.month) == month
    )
    query = (
        select(Staff)
        .where(col(Staff.active), col(Staff.role) == Role.WORKER, ~logged.exists(), ~zero.exists())
        .where(col(Staff.on_leave_until).is_(None) | (col(Staff.on_leave_until) < today))
        .order_by(col(Staff.ward_code), col(Staff.id))
    )
    if ward_code:
        query = query.where(col(Staff.ward_code) == ward_code)
    return list((await session.scalars(query)).all())


async def last_entry_days(session: AsyncSession, staff_ids: list[int]) -> dict[int, date]:
    """The Japanese day each person last logged a (live) entry; people who never did are absent."""
    if not staff_ids:
        return {}
    # Per person, their latest live entry: (logged_by_staff_id, logged_at) read backwards from the newest, stopping
    # at the first live row, however many years they have logged (max() would read every one of their entries).
    latest = (
        select(col(Event.logged_at))
        .where(col(Event.logged_by_staff_id) == col(Staff.id), col(Event.voided_at).is_(None))
        .order_by(col(Event.logged_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    query = select(col(Staff.id), latest).where(col(Staff.id).in_(staff_ids))
    return {
        staff_id: logged_at.astimezone(TOKYO).date()
        for staff_id, logged_at in (await session.execute(query)).all()
        if staff_id is not None and logged_at is not None
    }


async def record_zero_report(session: AsyncSession, staff_id: int, year: int, month: int) -> bool:
    """「今月は0件」 once per person and month; a second press changes nothing (returns False)."""
    try:
        async with session.begin_nested():
            session.add(ZeroReport(staff_id=staff_id, year=year, month=month))
            await session.flush()
    except IntegrityError:
        return False
    session.add(
        AuditEntry(
            actor_staff_id=staff_id,
            action="zero_report",
            entity="staff",
            entity_id=str(staff_id),
            detail={"month": f"{year}-{month:02d}"},
        )
    )
    return True
