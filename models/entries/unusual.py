"""Entries that look wrong: a count far above the usual for its kind in its ward is asked about once at entry, never
refused, and saved flagged (`EntryFlag`); supervisors review the flagged entries of their scope.

The usual comes from a bounded window: the ward's last `WINDOW` live entries of the kind (newest by date), read
from the live (kind, ward, date, …, count) index alone, so its cost does not grow with history. Counts are small
and mostly 1, so mean ± k·sd says little (one 30 moves it); the rule is median-based: a count is unusual when it
is above `FLOOR` and above both `FACTOR` × the median and the far fence of the upper quartile (Q3 + 3·IQR).
A count at or below `FLOOR` is never asked about and never reads the window (the usual save costs nothing more).
A ward with fewer than `MIN_HISTORY` entries of the kind is compared with the city's window; with fewer
anywhere, nothing is asked (there is no usual to say).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.catalog import KINDS_BY_CODE
from models.entries.draft import EventDraft
from models.fiscal import month_end
from models.roles import Role
from models.tables import AuditEntry, EntryFlag, Event, Staff, utcnow

WINDOW = 50
MIN_HISTORY = 5
FLOOR = 10
FACTOR = 5
FAR_FENCE = 3.0
EVENTS = Event.__table__  # type: ignore[attr-defined]  # SQLModel's tables are untyped
FLAGS = EntryFlag.__table__  # type: ignore[attr-defined]


class FlagStatus(StrEnum):
    OPEN = "open"  # waiting for a supervisor
    ASKED = "asked"  # the worker was asked to correct it (still waiting: the entry is unchanged)
    CONFIRMED = "confirmed"  # a supervisor confirmed the count


WAITING = (FlagStatus.OPEN, FlagStatus.ASKED)


@dataclass(frozen=True)
class Usual:
    """What is usual for a kind in a ward: the middle half of its recent counts (`low`–`high`) and the `limit`
    above which a count is unusual; `city_wide` when the ward had too few entries and the city's were used."""

    low: int
    high: int
    limit: int
    entries: int
    city_wide: bool = False


def usual_of(counts: Sequence[int], *, city_wide: bool = False) -> Usual | None:
    """The usual of a window of counts; None when the window is too small to say."""
    if len(counts) < MIN_HISTORY:
        return None
    q1, median, q3 = statistics.quantiles(counts, n=4, method="inclusive")
    limit = max(FLOOR, math.ceil(FACTOR * median), math.ceil(q3 + FAR_FENCE * (q3 - q1)))
    return Usual(math.floor(q1), math.ceil(q3), limit, len(counts), city_wide)


def is_unusual(count: int, usual: Usual | None) -> bool:
    return usual is not None and count > usual.limit


@cache
def _window(ward: bool) -> Any:
    """The newest `WINDOW` live counts of a kind (in a ward): an index-only read of the live kind indexes."""
    where = [EVENTS.c.kind == sa.bindparam("kind"), EVENTS.c.voided_at.is_(None)]
    if ward:
        where.append(EVENTS.c.ward_code == sa.bindparam("ward_code"))
    return sa.select(EVENTS.c.count).where(*where).order_by(EVENTS.c.occurred_on.desc()).limit(WINDOW)


async def usual_count(session: AsyncSession, kind: str, ward_code: str) -> Usual | None:
    """The usual count of a kind in a ward (or, with too few there, in the city); None for a kind without counts."""
    found = KINDS_BY_CODE.get(kind)
    if found is None or not found.takes_count:
        return None
    counts = list(await session.scalars(_window(True), {"kind": kind, "ward_code": ward_code}))
    if len(counts) >= MIN_HISTORY:
        return usual_of(counts)
    return usual_of(list(await session.scalars(_window(False), {"kind": kind})), city_wide=True)


async def unusual_count(session: AsyncSession, draft: EventDraft) -> Usual | None:
    """The usual the draft's count is far above, or None when it is not (counts ≤ FLOOR read nothing)."""
    if draft.count <= FLOOR:
        return None
    usual = await usual_count(session, draft.kind, draft.ward_code)
    return usual if is_unusual(draft.count, usual) else None


async def flag_entry(session: AsyncSession, event: Event, usual: Usual) -> None:
    """The saved entry goes on its ward's review list (in the save's transaction)."""
    values = {
        "event_id": event.id,
        "ward_code": event.ward_code,
        "status": FlagStatus.OPEN.value,
        "usual_low": usual.low,
        "usual_high": usual.high,
        "usual_limit": usual.limit,
        "city_wide": usual.city_wide,
        "flagged_at": utcnow(),
        "reviewed_by_staff_id": None,
        "reviewed_at": None,
    }
    await session.execute(FLAGS.insert(), values)


@dataclass(frozen=True)
class FlaggedEntry:
    """A live flagged entry waiting for review, with what was usual and who logged it."""

    event: Event
    flag: EntryFlag
    logged_by: str | None


async def flagged_waiting(session: AsyncSession, ward_code: str | None) -> list[FlaggedEntry]:
    """The live flagged entries of a ward (None: the city) not yet confirmed, oldest first within each ward."""
    query = (
        select(Event, EntryFlag, Staff.display_name)
        .join(EntryFlag, col(EntryFlag.event_id) == col(Event.id))
        .outerjoin(Staff, col(Staff.id) == col(Event.logged_by_staff_id))
        .where(col(EntryFlag.status).in_(WAITING), col(Event.voided_at).is_(None))
        .order_by(col(EntryFlag.ward_code), col(Event.id))
    )
    if ward_code is not None:
        query = query.where(col(EntryFlag.ward_code) == ward_code)
    rows = (await session.execute(query)).all()
    return [FlaggedEntry(event, flag, name) for event, flag, name in rows]


async def count_flagged_waiting(session: AsyncSession, ward_code: str | None, year: int, month: int) -> int:
    """How many flagged entries dated in the month wait for review in the ward (None: the city) — for the push."""
    query = (
        select(func.count())
        .select_from(EntryFlag)
        .join(Event, col(Event.id) == col(EntryFlag.event_id))
        .where(
            col(EntryFlag.status).in_(WAITING),
            col(Event.voided_at).is_(None),
            col(Event.occurred_on).between(date(year, month, 1), month_end(year, month)),
        )
    )
    if ward_code is not None:
        query = query.where(col(EntryFlag.ward_code) == ward_code)
    return int(await session.scalar(query) or 0)


def may_review(staff: Staff, ward_code: str) -> bool:
    """City supervisors and admins review every ward's flagged entries; a ward supervisor their ward's."""
    if staff.role in (Role.CITY_SUPERVISOR, Role.ADMIN):
        return True
    return staff.role == Role.WARD_SUPERVISOR and staff.ward_code == ward_code


async def review_flag(session: AsyncSession, event_id: int, status: FlagStatus, by: Staff) -> Event | None:
    """Confirm a flagged entry, or mark that its worker was asked to correct it. The change happens once (a
    conditional UPDATE: a second press finds it done) and is audited; returns the entry when this call changed it,
    None when it was not waiting for this change, is out of the reviewer's scope or no longer live."""
    flag = await session.get(EntryFlag, event_id)
    event = await session.get(Event, event_id)
    if flag is None or event is None or event.voided_at is not None or not may_review(by, flag.ward_code):
        return None
    allowed_from = WAITING if status is FlagStatus.CONFIRMED else (FlagStatus.OPEN,)
    result = await session.execute(
        sa.update(FLAGS)
        .where(FLAGS.c.event_id == event_id, FLAGS.c.status.in_([s.value for s in allowed_from]))
        .values(status=status.value, reviewed_by_staff_id=by.id, reviewed_at=utcnow())
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    session.add(
        AuditEntry(
            actor_staff_id=by.id,
            action=f"flag_{status.value}",
            entity="event",
            entity_id=str(event_id),
            detail={"count": event.count, "kind": event.kind},
        )
    )
    await session.flush()
    return event
