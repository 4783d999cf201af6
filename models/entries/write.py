"""Recording, voiding and correcting events under the rules. Every change writes an audit entry; nothing is deleted."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select

from models import rollups
from models.approval import withdraw_on_change
from models.entries.changes import change_problem
from models.entries.draft import EventDraft, EventRejectedError, Problem, draft_problems, note_problems, rejection
from models.entries.unusual import Usual, flag_entry
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS, is_entry_locked
from models.tables import Area, AuditEntry, Event, Staff, utcnow

EVENTS = Event.__table__  # type: ignore[attr-defined]  # SQLModel's tables are untyped
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_ROW_DEFAULTS = {"voided_at": None, "voided_by_staff_id": None, "void_reason": None, "replaced_by_event_id": None}


async def record_event(
    session: AsyncSession,
    draft: EventDraft,
    *,
    idempotency_key: str,
    today: date,
    logged_by_staff_id: int | None = None,
    source: str = "bot",
    corrects_event_id: int | None = None,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
    flag: Usual | None = None,
) -> tuple[Event, bool]:
    """Save a draft once: a second call with the same key returns the first event and False.

    `flag`: the count was far above the usual and the worker confirmed it (`models.entries.unusual`): the entry
    goes on the supervisors' review list. A save into a month that is over withdraws its confirmation
    (`models.approval`).

    The row goes in with `INSERT … ON CONFLICT (idempotency_key) DO NOTHING`, so a repeat (a double tap, a
    concurrent retry of the same update) finds the first save without a read before every write; a repeat whose
    draft would be refused now (its month has locked since) still gets the first event back.
    """
    problems = draft_problems(draft, today)
    if draft.area_id is not None and not problems:
        area = await session.get(Area, draft.area_id)
        if area is None or area.ward_code != draft.ward_code:
            problems.append(Problem.AREA_NOT_IN_WARD)
    if not problems and await is_entry_locked(session, draft.ward_code, draft.occurred_on, today, lock_business_days):
        problems.append(Problem.MONTH_LOCKED)
    if problems:
        existing = await _event_by_key(session, idempotency_key)
        if existing is not None:
            return existing, False
        if Problem.MONTH_LOCKED in problems:
            raise EventRejectedError([Problem.MONTH_LOCKED])
        raise rejection(problems, draft.note)
    values = draft.columns() | {
        "logged_by_staff_id": logged_by_staff_id,
        "logged_at": utcnow(),
        "source": source,
        "idempotency_key": idempotency_key,
        "corrects_event_id": corrects_event_id,
    }
    event_id = await session.scalar(_insert_once(rollups.dialect_name(session)), _ROW_DEFAULTS | values)
    if event_id is None:  # saved before with this key
        winner = await _event_by_key(session, idempotency_key)
        if winner is None:
            raise RuntimeError(f"event {idempotency_key} conflicted but cannot be read")
        return winner, False
    event = Event(id=event_id, **values)
    make_transient_to_detached(event)
    session.add(event)  # in the session as if loaded: nothing left to write
    await rollups.count_event(session, event)
    detail: dict[str, Any] = {"kind": event.kind}
    if flag is not None:
        await flag_entry(session, event, flag)
        detail["flagged"] = True
    await _audit(session, logged_by_staff_id, source, "record", event, detail)
    await _withdraw(session, event, today, logged_by_staff_id, source)
    return event, True


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, built once (a save binds its values)."""
    insert = rollups.INSERTS[dialect](EVENTS)
    return insert.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(EVENTS.c.id)


async def _event_by_key(session: AsyncSession, idempotency_key: str) -> Event | None:
    return await session.scalar(select(Event).where(col(Event.idempotency_key) == idempotency_key))


async def void_event(
    session: AsyncSession,
    event_id: int,
    *,
    by_staff_id: int | None,
    reason: str,
    today: date,
    actor: str = "bot",
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
) -> Event:
    """Void an event (it stops counting at once); the reason is required and checked like a note."""
    event = await _changeable_event(session, event_id, by_staff_id, today, lock_business_days)
    _check_reason(reason)
    event.voided_at = utcnow()
    event.voided_by_staff_id = by_staff_id
    event.void_reason = reason.strip()
    await _audit(session, by_staff_id, actor, "void", event, {"kind": event.kind, "reason": event.void_reason})
    await session.flush()
    await rollups.uncount_event(session, event)
    await _withdraw(session, event, today, by_staff_id, "void")
    return event


async def correct_event(
    session: AsyncSession,
    event_id: int,
    corrected: EventDraft,
    *,
    by_staff_id: int | None,
    reason: str,
    idempotency_key: str,
    today: date,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
    flag: Usual | None = None,
) -> Event:
    """Replace an event by a corrected copy: the old one is voided and points to its replacement."""
    old = await _changeable_event(session, event_id, by_staff_id, today, lock_business_days)
    _check_reason(reason)
    new, _created = await record_event(
        session,
        corrected,
        idempotency_key=idempotency_key,
        today=today,
        logged_by_staff_id=by_staff_id,
        source="correction",
        corrects_event_id=old.id,
        lock_business_days=lock_business_days,
        flag=flag,
    )
    old.voided_at = utcnow()
    old.voided_by_staff_id = by_staff_id
    old.void_reason = reason.strip()
    old.replaced_by_event_id = new.id
    await _audit(session, by_staff_id, "bot", "correct", old, {"replaced_by": new.id, "reason": old.void_reason})
    await session.flush()
    await rollups.uncount_event(session, old)
    await _withdraw(session, old, today, by_staff_id, "correction")
    return new


UNDO_REASON = "取り消し（/undo）"


async def undo_entry(
    session: AsyncSession,
    event_id: int,
    *,
    by_staff_id: int | None,
    today: date,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
) -> Event | None:
    """Undo the action that made this entry (/undo): a logged entry is voided; a correction's replacement is
    voided and the original it replaced is live again (counted, not voided, no longer replaced). Returns the
    original brought back (None after a plain log). Refused as a whole (EventRejectedError) when either entry's
    month has locked; both changes are audited."""
    event = await _changeable_event(session, event_id, by_staff_id, today, lock_business_days)
    original = None
    if event.corrects_event_id is not None:
        original = await session.get(Event, event.corrects_event_id, with_for_update=True)
        if original is None or original.replaced_by_event_id != event.id:
            original = None  # changed since by someone else: only the replacement is undone
        elif await is_entry_locked(session, original.ward_code, original.occurred_on, today, lock_business_days):
            raise EventRejectedError([Problem.MONTH_LOCKED])
    event.voided_at = utcnow()
    event.voided_by_staff_id = by_staff_id
    event.void_reason = UNDO_REASON
    await _audit(
        session, by_staff_id, "bot", "undo", event, {"kind": event.kind, "restored": getattr(original, "id", None)}
    )
    await session.flush()
    await rollups.uncount_event(session, event)
    await _withdraw(session, event, today, by_staff_id, "undo")
    if original is not None:
        original.voided_at = original.voided_by_staff_id = original.void_reason = original.replaced_by_event_id = None
        await _audit(session, by_staff_id, "bot", "restore", original, {"undone_correction": event.id})
        await session.flush()
        await rollups.count_event(session, original)
        await _withdraw(session, original, today, by_staff_id, "undo")
    return original


async def _changeable_event(
    session: AsyncSession, event_id: int, by_staff_id: int | None, today: date, lock_days: int
) -> Event:
    """The event, locked for the change, if it may change now by this staff member (`models.entries.changes`)."""
    event = await session.get(Event, event_id, with_for_update=True)
    staff = await session.get(Staff, by_staff_id) if by_staff_id is not None else None
    problem = await change_problem(session, event, staff, today, lock_days)
    if problem is not None or event is None:
        raise EventRejectedError([problem or Problem.NOT_FOUND])
    return event


async def _withdraw(session: AsyncSession, event: Event, today: date, staff_id: int | None, cause: str) -> None:
    """A change to a month that is over withdraws its confirmation and acceptance (`models.approval`)."""
    await withdraw_on_change(
        session, event.ward_code, event.occurred_on, today=today, by_staff_id=staff_id, cause=cause
    )


def _check_reason(reason: str) -> None:
    problems = note_problems(reason)
    if problems:
        raise rejection(problems, reason)


async def _audit(
    session: AsyncSession, staff_id: int | None, actor: str, action: str, event: Event, detail: dict[str, Any]
) -> None:
    """One audit row, written at once (one statement, without the unit of work)."""
    entry = {
        "at": utcnow(),
        "actor_staff_id": staff_id,
        "actor": actor,
        "action": action,
        "entity": "event",
        "entity_id": str(event.id),
        "detail": detail,
    }
    await session.execute(AUDIT.insert(), entry)
