"""Random sequences of record, void, correct, import and baseline: after every step the rollups equal the raw
aggregates, and the totals engine (which reads them) equals a count of the events in Python. Both databases.

Hypothesis drives the steps synchronously, so the machine runs in a thread with an event loop and an engine of
its own, on the database (and PostgreSQL schema) of the `engine` fixture.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from models.baselines import BaselineKey, set_baseline
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event, void_event
from models.ops.history import import_events
from models.rollups import check_rollups
from models.tables import Area, Event
from tests.builders import FAR_FUTURE, run_state_machine_on
from tests.models.test_rollups import OTHER_WARD, WARD, engine_per_ward, raw_per_ward

T = TypeVar("T")
CLEARED_TABLES = ("rollup_first_day", "rollup_month", "audit_log", "baseline", "event")
# Around a fiscal year's turn and a few month ends, so first days move across months and years.
DAYS = [date(2025, 3, 30), date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 29), date(2025, 5, 2), date(2025, 5, 31)]
AS_OF = [(2024, date(2025, 3, 31)), (2025, date(2025, 4, 30)), (2025, date(2025, 5, 15)), (2025, date(2025, 5, 31))]
# Distinct kinds weighted up and few subjects, so one subject often has several events to void and correct.
KINDS = [
    "outreach",
    "agency_survey",
    "area_meeting",
    "area_meeting",
    "concern_report",
    "participation_link",
    "participation_link",
]
HOUSEHOLDS = ["H1", "H2"]
UNLOCKED: dict[str, Any] = {"today": date(2025, 6, 1), "lock_business_days": 60}  # no month of DAYS has locked
BASELINE_CODES = ["1-5", "2-Q"]  # a sum and the survey share: a baseline adds to their figures

drafts = st.builds(
    lambda kind, day, ward, area, household, count, answer: (kind, day, ward, area, household, count, answer),
    st.sampled_from(KINDS),
    st.sampled_from(DAYS),
    st.sampled_from([WARD, OTHER_WARD]),
    st.sampled_from(["01", "02"]),
    st.sampled_from(HOUSEHOLDS),
    st.integers(1, 3),
    st.booleans(),
)


class RollupMachine(RuleBasedStateMachine):
    def __init__(self, loop: asyncio.AbstractEventLoop, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self.loop, self.sessions = loop, sessions
        self.keys = itertools.count()
        self.live: list[int] = []
        self.run(self._clear())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def _clear(self) -> None:
        async with session_scope(self.sessions) as session:
            for table in CLEARED_TABLES:
                await session.execute(sa.text(f"DELETE FROM {table}"))

    async def _draft(self, session: AsyncSession, values: tuple[Any, ...]) -> EventDraft:
        kind, day, ward, area, household, count, answer = values
        area_code = f"{ward}-{area}"
        area_id = await session.scalar(select(col(Area.id)).where(col(Area.code) == area_code))
        return EventDraft(
            kind=kind,
            occurred_on=day,
            ward_code=ward,
            area_id=area_id if kind in ("area_meeting", "concern_report") else None,
            household_ref=household if kind == "participation_link" else None,
            count=count if kind == "outreach" else 1,
            answer=answer if kind == "agency_survey" else None,
        )

    @rule(values=drafts)
    def record(self, values: tuple[Any, ...]) -> None:
        async def step() -> None:
            async with session_scope(self.sessions) as session:
                draft = await self._draft(session, values)
                event, _ = await record_event(session, draft, idempotency_key=f"sm-{next(self.keys)}", **UNLOCKED)
                assert event.id is not None
                self.live.append(event.id)

        self.run(step())

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        event_id = data.draw(st.sampled_from(self.live))

        async def step() -> None:
            async with session_scope(self.sessions) as session:
                await void_event(session, event_id, by_staff_id=None, reason="入力ミス", **UNLOCKED)
            self.live.remove(event_id)

        self.run(step())

    @precondition(lambda self: self.live)
    @rule(data=st.data(), values=drafts)
    def correct(self, data: st.DataObject, values: tuple[Any, ...]) -> None:
        event_id = data.draw(st.sampled_from(self.live))

        async def step() -> None:
            async with session_scope(self.sessions) as session:
                draft = await self._draft(session, values)
                new = await correct_event(
                    session,
                    event_id,
                    draft,
                    by_staff_id=None,
                    reason="訂正",
                    idempotency_key=f"sm-{next(self.keys)}",
                    **UNLOCKED,
                )
            assert new.id is not None
            self.live.remove(event_id)
            self.live.append(new.id)

        self.run(step())

    @rule(rows=st.lists(drafts, min_size=1, max_size=4))
    def import_history(self, rows: list[tuple[Any, ...]]) -> None:
        lines = ["kind,date,ward_code,area_code,household_ref,count,answer"]
        for kind, day, ward, area, household, count, answer in rows:
            area_code = f"{ward}-{area}" if kind in ("area_meeting", "concern_report") else ""
            household_ref = household if kind == "participation_link" else ""
            counted = str(count) if kind == "outreach" else ""
            answered = ("yes" if answer else "no") if kind == "agency_survey" else ""
            lines.append(",".join([kind, day.isoformat(), ward, area_code, household_ref, counted, answered]))

        async def step() -> None:
            async with session_scope(self.sessions) as session:
                await import_events(session, "\n".join(lines) + "\n", **UNLOCKED)
                imported = await session.scalars(
                    select(col(Event.id)).where(col(Event.source) == "import", col(Event.voided_at).is_(None))
                )
                self.live.extend(event_id for event_id in imported if event_id and event_id not in self.live)

        self.run(step())

    @rule(
        code=st.sampled_from(BASELINE_CODES),
        ward=st.sampled_from([WARD, OTHER_WARD]),
        month=st.sampled_from([(2025, 3), (2025, 4), (2025, 5)]),
        value=st.integers(0, 5),
    )
    def baseline(self, code: str, ward: str, month: tuple[int, int], value: int) -> None:
        async def step() -> None:
            async with session_scope(self.sessions) as session:
                await set_baseline(
                    session,
                    BaselineKey(code, ward, *month),
                    value=value,
                    denominator=value + 1 if code == "2-Q" else None,
                    reason="移行前の集計",
                    entered_by="テスト",
                    today=FAR_FUTURE,
                )

        self.run(step())

    @invariant()
    def rollups_equal_the_raw_aggregates(self) -> None:
        async def check() -> None:
            async with session_scope(self.sessions) as session:
                assert [d.describe() for d in await check_rollups(session)] == []
                for fiscal_year, as_of in AS_OF:
                    engine = await engine_per_ward(session, fiscal_year, as_of)
                    assert engine == await raw_per_ward(session, fiscal_year, as_of), (fiscal_year, as_of)

        self.run(check())


async def test_random_sequences_keep_rollups_equal_to_the_events(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await run_state_machine_on(engine, RollupMachine, steps=15)
