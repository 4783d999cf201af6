"""Who may change (void or correct) which entry, and whether it can still change: the rules `write` enforces and
the bot asks before it offers the buttons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.entries.draft import Problem
from models.locks import is_entry_locked
from models.roles import Role
from models.tables import Event, Staff


def may_change(staff: Staff, event: Event) -> bool:
    """Own entries always; a ward supervisor's ward; everything for city supervisors and admins."""
    if event.logged_by_staff_id == staff.id:
        return True
    if staff.role in (Role.CITY_SUPERVISOR, Role.ADMIN):
        return True
    return staff.role == Role.WARD_SUPERVISOR and event.ward_code == staff.ward_code


async def change_problem(
    session: AsyncSession, event: Event | None, staff: Staff | None, today: date, lock_days: int
) -> Problem | None:
    """Why this entry cannot be changed now (by `staff`, when given), or None: gone, voided, not theirs, locked."""
    if event is None:
        return Problem.NOT_FOUND
    if event.voided_at is not None:
        return Problem.ALREADY_VOIDED
    if staff is not None and not may_change(staff, event):
        return Problem.NOT_YOURS
    if await is_entry_locked(session, event.ward_code, event.occurred_on, today, lock_days):
        return Problem.MONTH_LOCKED
    return None


async def changeable(session: AsyncSession, events: Iterable[Event], today: date, lock_days: int) -> set[int]:
    """The ids of the listed entries that are live and in an open (or reopened) month."""
    return {
        event.id
        for event in events
        if event.id is not None and await change_problem(session, event, None, today, lock_days) is None
    }
