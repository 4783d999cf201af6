"""Who has reported for a month (an entry dated in it, or a confirmed 「今月は0件」), who has not (/missing), and how
complete each ward's month is: one definition of who is expected and what counts as reported, for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.config import TOKYO
from models.fiscal import month_end
from models.roles import Role
from models.tables import AuditEntry, Event, Staff, ZeroReport


@dataclass(frozen=True)
class Completeness:
    """A ward's month: the members expected to report, those who did (an entry or 「今月は0件」), and of those how
    many reported before the month's lock date (on time)."""

    expected: int
    reported: int
    on_time: int

    def __add__(self, other: Completeness) -> Completeness:
        return Completeness(
            self.expected + other.expected, self.reported + other.reported, self.on_time + other.on_time
        )


NOTHING_EXPECTED = Completeness(0, 0, 0)


def _expected(ward_code: str | None, today: date) -> list[sa.SQLColumnExpression[bool]]:
    """Who is expected to report: active workers (in scope) not on leave today.

    Supervisors and admins are not chased: logging is not their job, even if they sometimes do it.
    """
    conditions: list[sa.SQLColumnExpression[bool]] = [
        col(Staff.active),
        col(Staff.role) == Role.WORKER,
        col(Staff.on_leave_until).is_(None) | (col(Staff.on_leave_until) < today),
    ]
    if ward_code:
        conditions.append(col(Staff.ward_code) == ward_code)
    return conditions


def _reported(year: int, month: int, before: datetime | None = None) -> sa.ColumnElement[bool]:
    """Whether the staff member (of the outer query) reported for the month: a live entry dated in it, or a zero
    report; with `before`, only what was logged or confirmed before that moment."""
    first, last = date(year, month, 1), month_end(year, month)
    entry = select(col(Event.logged_by_staff_id)).where(
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
    if before is not None:
        entry = entry.where(col(Event.logged_at) < before)
        zero = zero.where(col(ZeroReport.confirmed_at) < before)
    # The first such entry in logged order, not EXISTS: PostgreSQL assumes the day an entry is for and the moment it
    # was logged independent, so with years of history it expects few of a person's entries logged since the month
    # began to be dated in it, and answered EXISTS by a bitmap scan reading all of them (0.34 ms a person on ten
    # years against 0.015 ms on three). In the index's order with LIMIT 1 (which EXISTS would drop) it stops at the
    # first, as SQLite does.
    first_entry = entry.order_by(col(Event.logged_at)).limit(1).scalar_subquery()
    return first_entry.is_not(None) | zero.exists()


async def missing_reporters(
    session: AsyncSession, ward_code: str | None, year: int, month: int, today: date
) -> list[Staff]:
    """The members expected to report (`_expected`) with neither an entry in the month nor a zero report."""
    query = (
        select(Staff)
        .where(*_expected(ward_code, today), ~_reported(year, month))
        .order_by(col(Staff.ward_code), col(Staff.id))
    )
    return list((await session.scalars(query)).all())


async def completeness(
    session: AsyncSession, ward_code: str | None, year: int, month: int, today: date, lock_on: date
) -> dict[str, Completeness]:
    """Per ward (one, or every ward with someone expected): expected, reported and reported before `lock_on` (the
    month's lock date), by the same definition as `missing_reporters`. One grouped query."""
    on_time = _reported(year, month, before=datetime.combine(lock_on, time(), TOKYO))
    query = (
        select(col(Staff.ward_code), sa.func.count(), _count_where(_reported(year, month)), _count_where(on_time))
        .where(*_expected(ward_code, today))
        .group_by(col(Staff.ward_code))
    )
    return {
        ward: Completeness(int(expected), int(reported or 0), int(punctual or 0))
        for ward, expected, reported, punctual in await session.execute(query)
        if ward is not None
    }


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


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
