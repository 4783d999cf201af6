"""A ward's month confirmed and accepted (issue 22, part 4): the state machine against a model of it (hypothesis,
both databases), two presses at once make one transition, every transition is audited, a change withdraws."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from datetime import date
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from models.approval import (
    TRANSITIONS,
    Action,
    ApprovalRefusedError,
    MonthKey,
    Refusal,
    State,
    month_states,
    state_of,
    transition,
    transition_problem,
    wards_not_confirmed,
    withdrawn_in,
)
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event, undo_entry, void_event
from models.locks import reopen_month
from models.roles import Role
from models.tables import AuditEntry, Staff
from tests.builders import add_event, add_staff, run_state_machine_on

T = TypeVar("T")
WARD, OTHER_WARD = "27102", "27103"
OCTOBER = MonthKey(WARD, 2025, 10)
BEFORE_LOCK = date(2025, 11, 5)  # October is over, not locked yet (5 business days: 11/8)
UNLOCKED: dict[str, Any] = {"today": BEFORE_LOCK, "lock_business_days": 60}
ROLES = ["ward", "other_ward", "city", "admin", "worker"]


def test_the_rules_by_role_month_and_state() -> None:
    ward = Staff(telegram_user_id=1, display_name="a", role=Role.WARD_SUPERVISOR, organisation="city", ward_code=WARD)
    city = Staff(telegram_user_id=2, display_name="b", role=Role.CITY_SUPERVISOR, organisation="city")
    assert transition_problem(Action.CONFIRM, State.OPEN, ward, OCTOBER, BEFORE_LOCK) is None
    assert transition_problem(Action.CONFIRM, State.OPEN, city, OCTOBER, BEFORE_LOCK) is Refusal.NOT_ALLOWED
    assert transition_problem(Action.CONFIRM, State.OPEN, ward, OCTOBER, date(2025, 10, 31)) is Refusal.MONTH_NOT_OVER
    assert transition_problem(Action.ACCEPT, State.OPEN, city, OCTOBER, BEFORE_LOCK) is Refusal.WRONG_STATE
    assert transition_problem(Action.ACCEPT, State.CONFIRMED, ward, OCTOBER, BEFORE_LOCK) is Refusal.NOT_ALLOWED
    assert (
        transition_problem(Action.RETURN, State.CONFIRMED, city, OCTOBER, BEFORE_LOCK, " ") is Refusal.REASON_REQUIRED
    )
    assert transition_problem(Action.RETURN, State.ACCEPTED, city, OCTOBER, BEFORE_LOCK, "再確認を") is None
    assert transition_problem(Action.CONFIRM, State.RETURNED, ward, OCTOBER, BEFORE_LOCK) is None


async def test_every_change_to_a_confirmed_month_withdraws_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A late entry, a void, a correction, an undo, a reopen: each one withdraws (and the acceptance with it)."""
    ward = await add_staff(sessions, Role.WARD_SUPERVISOR)
    city = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None)
    async with session_scope(sessions) as session:
        event = await add_event(session, "outreach", date(2025, 10, 20), WARD)
        november = await add_event(session, "outreach", date(2025, 11, 4), WARD)
    assert event.id is not None and november.id is not None

    async def confirmed_and_accepted() -> None:
        async with session_scope(sessions) as session:
            await transition(session, Action.CONFIRM, OCTOBER, by=ward, today=BEFORE_LOCK)
            await transition(session, Action.ACCEPT, OCTOBER, by=city, today=BEFORE_LOCK)

    draft = EventDraft(kind="outreach", occurred_on=date(2025, 10, 31), ward_code=WARD)
    changes = ["late entry", "void", "undo"]
    for change in changes:
        await confirmed_and_accepted()
        async with session_scope(sessions) as session:
            assert event.id is not None
            if change == "late entry":
                await record_event(session, draft, idempotency_key="late", **UNLOCKED)
            elif change == "void":
                await void_event(session, event.id, by_staff_id=None, reason="重複", **UNLOCKED)
            else:  # brings nothing back: a plain entry
                await undo_entry(session, event.id, by_staff_id=None, **UNLOCKED)
            withdrawn = withdrawn_in(session)
            assert [(w.key, w.was) for w in withdrawn] == [(OCTOBER, State.ACCEPTED)]
            assert await state_of(session, OCTOBER) is State.OPEN
        if change is not changes[0]:  # voided, undone: a live October entry for the next change
            async with session_scope(sessions) as session:
                event = await add_event(session, "outreach", date(2025, 10, 20), WARD)
    await confirmed_and_accepted()
    async with session_scope(sessions) as session:  # a correction of an October entry
        assert event.id is not None
        corrected = draft.model_copy(update={"occurred_on": date(2025, 10, 20), "count": 2})
        await correct_event(
            session, event.id, corrected, by_staff_id=None, reason="訂正", idempotency_key="fix", **UNLOCKED
        )
        assert [w.was for w in withdrawn_in(session)] == [State.ACCEPTED]
    async with session_scope(sessions) as session:  # a change to November leaves October as it is
        await transition(session, Action.CONFIRM, OCTOBER, by=ward, today=BEFORE_LOCK)
        await void_event(session, november.id, by_staff_id=None, reason="重複", **UNLOCKED)
        assert withdrawn_in(session) == [] and await state_of(session, OCTOBER) is State.CONFIRMED
    async with session_scope(sessions) as session:  # a reopen, after the lock
        await reopen_month(session, WARD, 2025, 10, reason="追加の記録", by_staff_id=city.id, today=date(2025, 12, 1))
        assert [w.cause for w in withdrawn_in(session)] == ["reopen"]
        audit = list(
            await session.scalars(select(col(AuditEntry.action)).where(col(AuditEntry.entity) == "month_approval"))
        )
    assert audit.count("month_withdraw") == 5 and audit.count("month_confirm") == 5


async def test_two_presses_at_once_make_one_transition(sessions: async_sessionmaker[AsyncSession]) -> None:
    ward = await add_staff(sessions, Role.WARD_SUPERVISOR)

    async def press() -> str:
        try:
            async with session_scope(sessions) as session:
                await transition(session, Action.CONFIRM, OCTOBER, by=ward, today=BEFORE_LOCK)
        except ApprovalRefusedError as refused:
            return refused.refusal.value
        except sa.exc.OperationalError:  # SQLite: the second writer may find the database busy
            return "busy"
        return "done"

    results = await asyncio.gather(press(), press())
    assert sorted(results)[0] == "done" and results.count("done") == 1
    async with session_scope(sessions) as session:
        confirms = await session.scalar(
            select(sa.func.count()).select_from(AuditEntry).where(col(AuditEntry.action) == "month_confirm")
        )
        assert confirms == 1
        assert (await month_states(session, 2025, 10))[WARD] is State.CONFIRMED
        assert WARD not in await wards_not_confirmed(session, 2025, 10)
        assert len(await wards_not_confirmed(session, 2025, 10)) == 23


class ApprovalMachine(RuleBasedStateMachine):
    """Random presses by every role, and changes to the month's entries, against the diagram's model."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self.loop, self.sessions = loop, sessions
        self.keys = itertools.count()
        self.expected = State.OPEN
        self.transitions = 0
        self.staff = self.run(self._setup())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def _setup(self) -> dict[str, Staff]:
        async with session_scope(self.sessions) as session:
            for table in ("month_approval", "entry_flag", "rollup_first_day", "rollup_month", "audit_log", "event"):
                await session.execute(sa.text(f"DELETE FROM {table}"))
            await session.execute(sa.text("DELETE FROM staff"))
            roles = {
                "ward": ("ward_supervisor", WARD),
                "other_ward": ("ward_supervisor", OTHER_WARD),
                "city": ("city_supervisor", None),
                "admin": ("admin", None),
                "worker": ("worker", WARD),
            }
            people = {
                who: Staff(telegram_user_id=n, display_name=who, role=role, organisation="city", ward_code=ward)
                for n, (who, (role, ward)) in enumerate(roles.items(), 1)
            }
            session.add_all(people.values())
            await session.flush()
            return people

    def _allowed(self, action: Action, who: str) -> bool:
        roles = {Action.CONFIRM: {"ward"}, Action.ACCEPT: {"city", "admin"}, Action.RETURN: {"city", "admin"}}
        return who in roles[action]

    @rule(
        action=st.sampled_from([Action.CONFIRM, Action.ACCEPT, Action.RETURN]),
        who=st.sampled_from(ROLES),
        reason=st.sampled_from(["", "件数を再確認してください"]),
    )
    def press(self, action: Action, who: str, reason: str) -> None:
        sources, target = TRANSITIONS[action]
        ok = self._allowed(action, who) and self.expected in sources and (action is not Action.RETURN or reason)

        async def step() -> None:
            try:
                async with session_scope(self.sessions) as session:
                    state = await transition(
                        session, action, OCTOBER, by=self.staff[who], today=BEFORE_LOCK, reason=reason
                    )
                assert ok and state is target
                self.expected = target
                self.transitions += 1
            except ApprovalRefusedError:
                assert not ok

        self.run(step())

    @rule(kind=st.sampled_from(["record", "record_november"]))
    def change(self, kind: str) -> None:
        day = date(2025, 10, 30) if kind == "record" else date(2025, 11, 2)

        async def step() -> None:
            async with session_scope(self.sessions) as session:
                draft = EventDraft(kind="outreach", occurred_on=day, ward_code=WARD)
                await record_event(session, draft, idempotency_key=f"am-{next(self.keys)}", **UNLOCKED)
                withdrawn = withdrawn_in(session)
            if kind == "record" and self.expected in (State.CONFIRMED, State.ACCEPTED):
                assert [w.was for w in withdrawn] == [self.expected]
                self.expected = State.OPEN
                self.transitions += 1
            else:
                assert withdrawn == []

        self.run(step())

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        async def check() -> None:
            async with session_scope(self.sessions) as session:
                assert await state_of(session, OCTOBER) is self.expected
                audited = await session.scalar(
                    select(sa.func.count()).select_from(AuditEntry).where(col(AuditEntry.entity) == "month_approval")
                )
                assert audited == self.transitions
                assert await state_of(session, MonthKey(OTHER_WARD, 2025, 10)) is State.OPEN

        self.run(check())


@pytest.mark.usefixtures("sessions")
async def test_random_presses_and_changes_follow_the_state_machine(engine: AsyncEngine) -> None:
    await run_state_machine_on(engine, ApprovalMachine, steps=20)
