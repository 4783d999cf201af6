"""Reading entries back for the person who logs them: their latest, the household codes they use, and the
first time a household counted this year. The writes are in models/entries/write.py."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.config import TOKYO
from models.fiscal import fiscal_year_end, fiscal_year_start
from models.tables import Event

HOUSEHOLD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and copied by hand
HOUSEHOLD_CODE_LENGTH = 6
RECENT_HOUSEHOLDS = 6  # offered as buttons in the household step


async def latest_entries_of(session: AsyncSession, staff_id: int | None, limit: int) -> list[Event]:
    """The person's entries, newest first, voided ones included (/mine shows them as such)."""
    query = select(Event).where(col(Event.logged_by_staff_id) == staff_id).order_by(col(Event.id).desc()).limit(limit)
    return list((await session.scalars(query)).all())


class MonthEntry(NamedTuple):
    """An entry as a person's month lists it: plain columns, no ORM object per row."""

    id: int
    occurred_on: date
    kind: str
    number: int  # the entry's count (a tuple has its own count())
    household_ref: str | None
    corrects_event_id: int | None
    voided: bool


async def entries_of_month(
    session: AsyncSession, staff_id: int | None, month: date, limit: int = 500
) -> list[MonthEntry]:
    """The person's entries dated in `month` (any day of it), newest first, voided ones included.

    Read through the index by who logged and when: nothing is logged before the day it happened (a future date is
    refused), so an entry dated this month was logged since its first day — the seek reads this month's entries
    (and the few back-dated ones), never the person's years of history."""
    first = month.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    query = (
        sa.select(
            col(Event.id),
            col(Event.occurred_on),
            col(Event.kind),
            col(Event.count),
            col(Event.household_ref),
            col(Event.corrects_event_id),
            col(Event.voided_at).is_not(None),
        )
        .where(
            col(Event.logged_by_staff_id) == staff_id,
            col(Event.logged_at) >= datetime.combine(first, time(0), TOKYO),
            col(Event.occurred_on) >= first,
            col(Event.occurred_on) < after,
        )
        .order_by(col(Event.occurred_on).desc(), col(Event.id).desc())
        .limit(limit)
    )
    return [MonthEntry._make(row) for row in (await session.execute(query)).all()]


async def last_live_entry_of(
    session: AsyncSession, staff_id: int | None, since: datetime | None = None
) -> Event | None:
    """The person's newest entry that still counts, optionally only if logged since a moment (/undo)."""
    query = select(Event).where(col(Event.logged_by_staff_id) == staff_id, col(Event.voided_at).is_(None))
    if since is not None:
        query = query.where(col(Event.logged_at) >= since)
    return (await session.scalars(query.order_by(col(Event.id).desc()).limit(1))).first()


async def entry_id_for_key(session: AsyncSession, idempotency_key: str) -> int | None:
    """The entry a save button already made (a double tap, or a press after a restart)."""
    found: int | None = await session.scalar(select(col(Event.id)).where(col(Event.idempotency_key) == idempotency_key))
    return found


async def issue_household_code(session: AsyncSession, ward_code: str) -> str:
    """A new pseudonymous household code for the ward, never used before (`27102-K7M2QX`)."""
    while True:
        code = f"{ward_code}-" + "".join(secrets.choice(HOUSEHOLD_ALPHABET) for _ in range(HOUSEHOLD_CODE_LENGTH))
        used = await session.scalar(select(func.count()).select_from(Event).where(col(Event.household_ref) == code))
        if not used:
            return code


async def first_counted_on(
    session: AsyncSession, kind: str, ward_code: str, household_ref: str, fiscal_year: int
) -> date | None:
    """The first day this fiscal year the household counted for the kind, if it has (a distinct-household hint)."""
    first: date | None = await session.scalar(
        select(func.min(col(Event.occurred_on))).where(
            col(Event.kind) == kind,
            col(Event.ward_code) == ward_code,
            col(Event.household_ref) == household_ref,
            col(Event.voided_at).is_(None),
            col(Event.occurred_on).between(fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)),
        )
    )
    return first


async def recent_household_codes(
    session: AsyncSession, staff_id: int, ward_code: str, limit: int = RECENT_HOUSEHOLDS
) -> list[str]:
    """The household codes this person logged most recently in the ward (live entries), newest first."""
    query = (
        select(col(Event.household_ref))
        .where(
            col(Event.logged_by_staff_id) == staff_id,
            col(Event.ward_code) == ward_code,
            col(Event.household_ref).is_not(None),
            col(Event.voided_at).is_(None),
        )
        .group_by(col(Event.household_ref))
        .order_by(func.max(col(Event.logged_at)).desc(), col(Event.household_ref))
        .limit(limit)
    )
    return [code for code in (await session.scalars(query)).all() if code is not None]
