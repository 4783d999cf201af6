"""Who may change which entry: decided in models/, enforced by every void and correction, whatever the caller."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.entries.changes import may_change
from models.entries.draft import EventDraft, EventRejectedError, Problem
from models.entries.write import correct_event, void_event
from models.roles import Role
from models.staff import create_invite, redeem_invite
from models.tables import Event, Staff
from tests.builders import add_event

DAY = date(2025, 11, 20)


async def _member(session: AsyncSession, role: Role, ward: str | None, telegram_id: int) -> Staff:
    invite = await create_invite(session, role, ward)
    return await redeem_invite(session, invite.code, telegram_id, f"職員{telegram_id}", "ja")


@pytest.mark.parametrize(
    ("role", "ward", "own", "allowed"),
    [
        (Role.WORKER, "27102", True, True),
        (Role.WORKER, "27102", False, False),
        (Role.WARD_SUPERVISOR, "27102", False, True),
        (Role.WARD_SUPERVISOR, "27103", False, False),
        (Role.CITY_SUPERVISOR, None, False, True),
        (Role.ADMIN, None, False, True),
    ],
)
def test_who_may_change_an_entry(role: Role, ward: str | None, own: bool, allowed: bool) -> None:
    staff = Staff(id=1, role=role, organisation="watch_office", ward_code=ward, telegram_user_id=1, display_name="職員")
    event = Event(
        kind="outreach", occurred_on=DAY, ward_code="27102", logged_by_staff_id=1 if own else 2, idempotency_key="k"
    )
    assert may_change(staff, event) is allowed


async def test_a_worker_cannot_void_or_correct_anothers_entry(session: AsyncSession) -> None:
    author = await _member(session, Role.WORKER, "27102", 7_100_000_001)
    other = await _member(session, Role.WORKER, "27102", 7_100_000_002)
    event = await add_event(session, "outreach", DAY, count=2, logged_by=author.id)
    assert event.id is not None
    with pytest.raises(EventRejectedError) as refused:
        await void_event(session, event.id, by_staff_id=other.id, reason="誤入力", today=DAY)
    assert refused.value.problems == [Problem.NOT_YOURS]
    fixed = EventDraft.of(event).model_copy(update={"count": 3})
    with pytest.raises(EventRejectedError) as refused:
        await correct_event(
            session, event.id, fixed, by_staff_id=other.id, reason="誤入力", idempotency_key="x", today=DAY
        )
    assert refused.value.problems == [Problem.NOT_YOURS]
    assert event.voided_at is None
    voided = await void_event(session, event.id, by_staff_id=author.id, reason="誤入力", today=DAY)
    assert voided.voided_at is not None
