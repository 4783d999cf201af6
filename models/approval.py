"""A ward's month confirmed by the ward and accepted by the city (DHIS2's approval beside its expiry days).

After a month ends, a ward supervisor of the ward confirms its month; a city supervisor (or admin) accepts it or
returns it with a reason. A change to the month's entries (a late entry before the lock, a correction, a void, an
undo) or a reopen withdraws the confirmation and the acceptance, in the change's own transaction; the lock still
applies as before (approval neither locks nor opens a month).

    open ──confirm──▶ confirmed ──accept──▶ accepted
     ▲  ▲               │   │                  │  │
     │  └──withdraw─────┘   └─return─▶ returned ◀─return
     └──────────────withdraw───────────────────┘      (returned ──confirm──▶ confirmed)

Each transition reads the state, checks the rules (`transition_problem`), and changes it with
`UPDATE … WHERE state = <what was read>`: of two presses at once one changes it, the other finds it changed.
Every transition writes an audit entry. No row is `open`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models import rollups
from models.fiscal import month_end
from models.privacy import personal_data_in
from models.reference import ward_order
from models.roles import Role
from models.tables import AuditEntry, MonthApproval, Staff, Ward, utcnow

APPROVALS = MonthApproval.__table__  # type: ignore[attr-defined]  # SQLModel's tables are untyped
REASON_MAX = 200
WITHDRAWN = "month_approval_withdrawn"  # session.info key: the months a change in this transaction withdrew


class State(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Action(StrEnum):
    CONFIRM = "confirm"
    ACCEPT = "accept"
    RETURN = "return"
    WITHDRAW = "withdraw"  # by a change to the month, never by a person's press


# (the states it may start from, the state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.CONFIRM: (frozenset({State.OPEN, State.RETURNED}), State.CONFIRMED),
    Action.ACCEPT: (frozenset({State.CONFIRMED}), State.ACCEPTED),
    Action.RETURN: (frozenset({State.CONFIRMED, State.ACCEPTED}), State.RETURNED),
    Action.WITHDRAW: (frozenset({State.CONFIRMED, State.ACCEPTED}), State.OPEN),
}
CITY_ROLES = (Role.CITY_SUPERVISOR, Role.ADMIN)


class Refusal(StrEnum):
    """Why a transition cannot happen; the bot turns each into a short message."""

    NOT_ALLOWED = "not_allowed"  # the role (or ward) may not do this
    MONTH_NOT_OVER = "month_not_over"
    WRONG_STATE = "wrong_state"  # not from this state (a second press finds it done)
    REASON_REQUIRED = "reason_required"
    REASON_PERSONAL = "reason_personal"
    UNKNOWN_WARD = "unknown_ward"


class ApprovalRefusedError(ValueError):
    def __init__(self, refusal: Refusal, state: State | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal, self.state = refusal, state


@dataclass(frozen=True)
class MonthKey:
    ward_code: str
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.ward_code}:{self.year}-{self.month:02d}"


def allowed_by(action: Action, staff: Staff | None, ward_code: str) -> bool:
    """Confirm: a ward supervisor of that ward. Accept, return: city supervisors and admins. Withdraw: nobody's
    press (a change does it, whoever made the change)."""
    if action is Action.WITHDRAW:
        return True
    if staff is None or not staff.active:
        return False
    if action is Action.CONFIRM:
        return staff.role == Role.WARD_SUPERVISOR and staff.ward_code == ward_code
    return staff.role in CITY_ROLES


def transition_problem(
    action: Action, state: State, staff: Staff | None, key: MonthKey, today: date, reason: str | None = None
) -> Refusal | None:
    """Why `action` cannot happen now, or None: the role, the month (over), the state, the reason (to return)."""
    if not allowed_by(action, staff, key.ward_code):
        return Refusal.NOT_ALLOWED
    if month_end(key.year, key.month) >= today:
        return Refusal.MONTH_NOT_OVER
    if state not in TRANSITIONS[action][0]:
        return Refusal.WRONG_STATE
    if action is Action.RETURN:
        if not reason or not reason.strip():
            return Refusal.REASON_REQUIRED
        if personal_data_in(reason):
            return Refusal.REASON_PERSONAL
    return None


async def state_of(session: AsyncSession, key: MonthKey) -> State:
    found = await session.scalar(
        select(col(MonthApproval.state)).where(
            col(MonthApproval.ward_code) == key.ward_code,
            col(MonthApproval.year) == key.year,
            col(MonthApproval.month) == key.month,
        )
    )
    return State(found) if found else State.OPEN


async def transition(
    session: AsyncSession,
    action: Action,
    key: MonthKey,
    *,
    by: Staff | None,
    today: date,
    reason: str | None = None,
    actor: str = "bot",
) -> State:
    """Make one transition (audited) and return the new state; ApprovalRefusedError when it may not happen —
    including when another press changed the state between the read and the write."""
    if await session.get(Ward, key.ward_code) is None:
        raise ApprovalRefusedError(Refusal.UNKNOWN_WARD)
    state = await state_of(session, key)
    problem = transition_problem(action, state, by, key, today, reason)
    if problem is not None:
        raise ApprovalRefusedError(problem, state)
    target = TRANSITIONS[action][1]
    cleaned = reason.strip()[:REASON_MAX] if reason else None
    if not await _change(session, key, state, target, cleaned, by.id if by else None):
        raise ApprovalRefusedError(Refusal.WRONG_STATE, await state_of(session, key))
    await _audit(session, action, key, state, target, by.id if by else None, actor, cleaned)
    return target


async def _change(
    session: AsyncSession, key: MonthKey, state: State, target: State, reason: str | None, by_staff_id: int | None
) -> bool:
    """`UPDATE … WHERE state = <read>` (a missing row is inserted first as `open`); whether this call changed it."""
    where = (APPROVALS.c.ward_code == key.ward_code, APPROVALS.c.year == key.year, APPROVALS.c.month == key.month)
    if state is State.OPEN:
        insert = rollups.INSERTS[rollups.dialect_name(session)](APPROVALS)
        row = {"ward_code": key.ward_code, "year": key.year, "month": key.month, "state": State.OPEN.value}
        await session.execute(
            insert.values(**row, changed_at=utcnow()).on_conflict_do_nothing(
                index_elements=["ward_code", "year", "month"]
            )
        )
    result = await session.execute(
        sa.update(APPROVALS)
        .where(*where, APPROVALS.c.state == state.value)
        .values(state=target.value, reason=reason, changed_at=utcnow(), changed_by_staff_id=by_staff_id)
    )
    return getattr(result, "rowcount", 0) == 1


async def _audit(
    session: AsyncSession,
    action: Action,
    key: MonthKey,
    before: State,
    after: State,
    by_staff_id: int | None,
    actor: str,
    reason: str | None,
) -> None:
    detail: dict[str, Any] = {"from": before.value, "to": after.value}
    if reason:
        detail["reason"] = reason
    entry = {
        "at": utcnow(),
        "actor_staff_id": by_staff_id,
        "actor": actor,
        "action": f"month_{action.value}",
        "entity": "month_approval",
        "entity_id": key.label,
        "detail": detail,
    }
    await session.execute(AuditEntry.__table__.insert(), entry)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Withdrawal:
    """A confirmation (and `accepted`: an acceptance) a change withdrew; `cause` is what changed (record, void, …)."""

    key: MonthKey
    was: State
    cause: str


async def withdraw_on_change(
    session: AsyncSession, ward_code: str, day: date, *, today: date, by_staff_id: int | None, cause: str
) -> Withdrawal | None:
    """A change to an entry dated `day` in the ward (or a reopen of its month): a confirmed or accepted month goes
    back to open, in the change's transaction, audited. A month not over yet cannot be confirmed: nothing is read.
    The withdrawal is kept in `session.info` for the caller to tell the ward's supervisors after the commit."""
    if month_end(day.year, day.month) >= today:
        return None
    key = MonthKey(ward_code, day.year, day.month)
    state = await state_of(session, key)
    if state not in TRANSITIONS[Action.WITHDRAW][0]:
        return None
    if not await _change(session, key, state, State.OPEN, cause, by_staff_id):
        return None  # withdrawn or returned meanwhile
    await _audit(session, Action.WITHDRAW, key, state, State.OPEN, by_staff_id, "bot", cause)
    withdrawal = Withdrawal(key, state, cause)
    session.info.setdefault(WITHDRAWN, []).append(withdrawal)
    return withdrawal


def withdrawn_in(session: AsyncSession) -> list[Withdrawal]:
    """The withdrawals this session's changes made (read before the session closes; cleared as read)."""
    found: list[Withdrawal] = session.info.pop(WITHDRAWN, [])
    return found


async def month_states(session: AsyncSession, year: int, month: int) -> dict[str, State]:
    """Every ward's state for the month, in the city's ward order (wards without a row are open)."""
    rows = await session.execute(
        select(col(MonthApproval.ward_code), col(MonthApproval.state)).where(
            col(MonthApproval.year) == year, col(MonthApproval.month) == month
        )
    )
    states = {ward: State(state) for ward, state in rows.all()}
    wards = sorted(await session.scalars(select(col(Ward.code))), key=ward_order)
    return {ward: states.get(ward, State.OPEN) for ward in wards}


async def wards_not_confirmed(session: AsyncSession, year: int, month: int) -> list[str]:
    """The wards (city order) whose month is neither confirmed nor accepted — for the city's push."""
    states = await month_states(session, year, month)
    return [ward for ward, state in states.items() if state not in (State.CONFIRMED, State.ACCEPTED)]


def state_counts(states: dict[str, State]) -> Counter[State]:
    return Counter(states.values())


async def supervisors_of(session: AsyncSession, ward_code: str) -> list[Staff]:
    """The ward's active ward supervisors: they are told of a return, an acceptance and a withdrawal."""
    rows = await session.scalars(
        select(Staff).where(
            col(Staff.role) == Role.WARD_SUPERVISOR.value,
            col(Staff.ward_code) == ward_code,
            col(Staff.active).is_(True),
        )
    )
    return list(rows)
