"""Recording, voiding and correcting events. Every change writes an audit entry; nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select

from models import rollups
from models.catalog import KINDS_BY_CODE, Requirement
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS, is_entry_locked
from models.privacy import PersonalData, is_valid_household_ref, personal_data_in
from models.tables import NOTE_MAX_LENGTH, Area, AuditEntry, Event, utcnow

COUNT_MAX = 999
EVENTS = Event.__table__  # type: ignore[attr-defined]  # SQLModel's tables are untyped
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
EVENT_COLUMNS = tuple(column.key for column in EVENTS.columns if column.key != "id")


class Problem(StrEnum):
    """Why an entry cannot be saved; the bot turns each into a message from its catalog."""

    UNKNOWN_KIND = "unknown_kind"
    AREA_REQUIRED = "area_required"
    AREA_NOT_ALLOWED = "area_not_allowed"
    AREA_NOT_IN_WARD = "area_not_in_ward"
    HOUSEHOLD_REQUIRED = "household_required"
    HOUSEHOLD_NOT_ALLOWED = "household_not_allowed"
    HOUSEHOLD_INVALID = "household_invalid"
    COUNT_OUT_OF_RANGE = "count_out_of_range"
    COUNT_NOT_ALLOWED = "count_not_allowed"
    ANSWER_REQUIRED = "answer_required"
    ANSWER_NOT_ALLOWED = "answer_not_allowed"
    NOTE_TOO_LONG = "note_too_long"
    NOTE_PERSONAL_DATA = "note_personal_data"
    FUTURE_DATE = "future_date"
    ALREADY_VOIDED = "already_voided"
    NOT_FOUND = "not_found"
    MONTH_LOCKED = "month_locked"


class EventRejectedError(ValueError):
    """`personal_data` names what the note or reason holds when NOTE_PERSONAL_DATA is among the problems."""

    def __init__(self, problems: list[Problem], personal_data: list[PersonalData] | None = None) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems
        self.personal_data = personal_data or []


@dataclass(frozen=True)
class EventDraft:
    """The fields a worker enters for one event (see SHEET.md's counting rules)."""

    kind: str
    occurred_on: date
    ward_code: str
    area_id: int | None = None
    household_ref: str | None = None
    count: int = 1
    answer: bool | None = None
    note: str | None = None

    @classmethod
    def of(cls, event: Event, *, on: date | None = None, with_note: bool = True) -> EventDraft:
        """The draft an event was made from, dated `on` if given (「前回と同じ」, the start of a correction)."""
        return cls(kind=event.kind, occurred_on=on or event.occurred_on, ward_code=event.ward_code,
                   area_id=event.area_id, household_ref=event.household_ref, count=event.count, answer=event.answer,
                   note=event.note if with_note else None)  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The JSON form the logging conversation keeps between steps (unset optional fields left out)."""
        fields = {"kind": self.kind, "date": self.occurred_on.isoformat(), "ward": self.ward_code,
                  "count": self.count, "area_id": self.area_id, "household": self.household_ref,
                  "answer": self.answer, "note": self.note}  # fmt: skip
        return {key: value for key, value in fields.items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventDraft:
        """A complete draft from its JSON form; KeyError or ValueError when a required field is missing or bad."""
        return cls(kind=data["kind"], occurred_on=date.fromisoformat(data["date"]), ward_code=data["ward"],
                   area_id=data.get("area_id"), household_ref=data.get("household"), count=data.get("count", 1),
                   answer=data.get("answer"), note=data.get("note"))  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """The Event columns the draft fills (a blank note is no note)."""
        note = self.note.strip() if self.note else None
        return {**self.__dict__, "note": note or None}


def draft_problems(draft: EventDraft, today: date) -> list[Problem]:
    """Everything wrong with a draft that can be seen without the database."""
    kind = KINDS_BY_CODE.get(draft.kind)
    if kind is None:
        return [Problem.UNKNOWN_KIND]
    problems = _presence_problems(kind.area, draft.area_id, Problem.AREA_REQUIRED, Problem.AREA_NOT_ALLOWED)
    problems += _presence_problems(
        kind.household, draft.household_ref, Problem.HOUSEHOLD_REQUIRED, Problem.HOUSEHOLD_NOT_ALLOWED
    )
    if draft.household_ref is not None and not is_valid_household_ref(draft.household_ref):
        problems.append(Problem.HOUSEHOLD_INVALID)
    if not kind.takes_count and draft.count != 1:
        problems.append(Problem.COUNT_NOT_ALLOWED)
    elif not 1 <= draft.count <= COUNT_MAX:
        problems.append(Problem.COUNT_OUT_OF_RANGE)
    answer_rule = Requirement.REQUIRED if kind.takes_answer else Requirement.NONE
    problems += _presence_problems(answer_rule, draft.answer, Problem.ANSWER_REQUIRED, Problem.ANSWER_NOT_ALLOWED)
    problems += note_problems(draft.note)
    if draft.occurred_on > today:
        problems.append(Problem.FUTURE_DATE)
    return problems


def note_problems(note: str | None) -> list[Problem]:
    if not note:
        return []
    if len(note) > NOTE_MAX_LENGTH:
        return [Problem.NOTE_TOO_LONG]
    return [Problem.NOTE_PERSONAL_DATA] if personal_data_in(note) else []


def rejection(problems: list[Problem], text: str | None) -> EventRejectedError:
    """The error for these problems, naming the kinds of personal data the note or reason holds."""
    found = personal_data_in(text) if text and Problem.NOTE_PERSONAL_DATA in problems else []
    return EventRejectedError(problems, found)


async def _refuse_locked(session: AsyncSession, ward_code: str, day: date, today: date, lock_days: int) -> None:
    """Entries of a closed (and not reopened) ward-month can be neither added nor changed, by any path."""
    if await is_entry_locked(session, ward_code, day, today, lock_days):
        raise EventRejectedError([Problem.MONTH_LOCKED])


def _presence_problems(rule: Requirement, value: Any, missing: Problem, forbidden: Problem) -> list[Problem]:
    if rule is Requirement.REQUIRED and value is None:
        return [missing]
    if rule is Requirement.NONE and value is not None:
        return [forbidden]
    return []


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
) -> tuple[Event, bool]:
    """Save a draft once: a second call with the same key returns the first event and False.

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
    event = Event(
        **draft.columns(),
        logged_by_staff_id=logged_by_staff_id,
        source=source,
        idempotency_key=idempotency_key,
        corrects_event_id=corrects_event_id,
    )
    values = {name: getattr(event, name) for name in EVENT_COLUMNS}
    event.id = await session.scalar(_insert_once(rollups.dialect_name(session)), values)
    if event.id is None:  # saved before with this key
        winner = await _event_by_key(session, idempotency_key)
        if winner is None:
            raise RuntimeError(f"event {idempotency_key} conflicted but cannot be read")
        return winner, False
    make_transient_to_detached(event)
    session.add(event)  # in the session as if loaded: nothing left to write
    await rollups.count_event(session, event)
    await _audit(session, logged_by_staff_id, source, "record", event, {"kind": event.kind})
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
    event = await _live_event(session, event_id)
    _check_reason(reason)
    await _refuse_locked(session, event.ward_code, event.occurred_on, today, lock_business_days)
    event.voided_at = utcnow()
    event.voided_by_staff_id = by_staff_id
    event.void_reason = reason.strip()
    await _audit(session, by_staff_id, actor, "void", event, {"kind": event.kind, "reason": event.void_reason})
    await session.flush()
    await rollups.uncount_event(session, event)
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
) -> Event:
    """Replace an event by a corrected copy: the old one is voided and points to its replacement."""
    old = await _live_event(session, event_id)
    _check_reason(reason)
    await _refuse_locked(session, old.ward_code, old.occurred_on, today, lock_business_days)
    new, _created = await record_event(
        session,
        corrected,
        idempotency_key=idempotency_key,
        today=today,
        logged_by_staff_id=by_staff_id,
        source="correction",
        corrects_event_id=old.id,
        lock_business_days=lock_business_days,
    )
    old.voided_at = utcnow()
    old.voided_by_staff_id = by_staff_id
    old.void_reason = reason.strip()
    old.replaced_by_event_id = new.id
    await _audit(session, by_staff_id, "bot", "correct", old, {"replaced_by": new.id, "reason": old.void_reason})
    await session.flush()
    await rollups.uncount_event(session, old)
    return new


async def _live_event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id, with_for_update=True)
    if event is None:
        raise EventRejectedError([Problem.NOT_FOUND])
    if event.voided_at is not None:
        raise EventRejectedError([Problem.ALREADY_VOIDED])
    return event


def _check_reason(reason: str) -> None:
    problems = note_problems(reason)
    if problems:
        raise rejection(problems, reason)


async def _audit(
    session: AsyncSession, staff_id: int | None, actor: str, action: str, event: Event, detail: dict[str, Any]
) -> None:
    """One audit row, written at once (one statement, without the unit of work)."""
    entry = {"at": utcnow(), "actor_staff_id": staff_id, "actor": actor, "action": action, "entity": "event",
             "entity_id": str(event.id), "detail": detail}  # fmt: skip
    await session.execute(AUDIT.insert(), entry)
