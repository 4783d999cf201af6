"""Retention: free-text notes on events are cleared after `NOTE_RETENTION_MONTHS`; every count stays.

A note is the only free text a field worker attaches to a case record, so it is the part most likely to hold
something about a person despite the check in `models.privacy`. Counts, dates, areas and household codes are
what the progress sheet needs, and they are kept. Each purge leaves one audit entry (how many, the cutoff),
never the notes themselves.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.tables import AuditEntry, Event

PURGE_ACTION = "purge_notes"


def note_cutoff(today: date, months: int) -> date | None:
    """The first day whose notes are kept: `months` calendar months before today (None: keep every note).

    The day of the month is clamped to the target month's length (31 May minus 3 months is 28 February).
    """
    if months < 0:
        raise ValueError("months must be 0 (keep every note) or more")
    if months == 0:
        return None
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(today.day, monthrange(year, month)[1]))


def _purgeable(cutoff: date) -> Any:
    return (col(Event.occurred_on) < cutoff) & col(Event.note).is_not(None)


async def count_purgeable_notes(session: AsyncSession, today: date, months: int) -> int:
    """How many events a purge would clear now (for `intake purge-notes --dry-run`)."""
    cutoff = note_cutoff(today, months)
    if cutoff is None:
        return 0
    found = await session.scalar(select(func.count()).select_from(Event).where(_purgeable(cutoff)))
    return int(found or 0)


async def purge_notes(session: AsyncSession, today: date, months: int, *, actor: str = "scheduler") -> int:
    """Clear the note of every event (live or voided) dated before the cutoff; returns how many were cleared.

    `months == 0` keeps every note and records nothing. Otherwise one audit entry is written, even when
    nothing was due, so the audit log shows the policy ran.
    """
    cutoff = note_cutoff(today, months)
    if cutoff is None:
        return 0
    statement = update(Event).where(_purgeable(cutoff)).values(note=None)
    result = cast(
        CursorResult[Any], await session.execute(statement, execution_options={"synchronize_session": "fetch"})
    )
    cleared = int(result.rowcount or 0)
    session.add(
        AuditEntry(
            actor=actor,
            action=PURGE_ACTION,
            entity="event",
            detail={"notes_cleared": cleared, "cutoff": cutoff.isoformat(), "months": months},
        )
    )
    await session.flush()
    return cleared
