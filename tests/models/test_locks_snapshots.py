"""Month locks, reopening and month-end snapshots (models), on both databases, with the audit log checked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.entries.draft import EventDraft
from models.entries.write import correct_event
from models.locks import is_entry_locked, lock_date, reopen_month
from models.privacy import PersonalDataError
from models.snapshots import close_due_months, close_month, stored_snapshot, totals_as_of
from models.tables import AuditEntry
from models.totals import indicator_totals
from tests.builders import add_event


def test_a_month_locks_five_business_days_after_it_ends() -> None:
    assert lock_date(2025, 11) == date(2025, 12, 6)  # 12/1–12/5 are the five business days
    assert lock_date(2025, 12) == date(2026, 1, 10)  # 12/29–1/4 closed: 1/5–1/9
    assert lock_date(2026, 4) == date(2026, 5, 13)  # Golden Week: 5/1, 5/7, 5/8, 5/11, 5/12
    assert lock_date(2025, 11, 0) == date(2025, 12, 1)


async def test_reopen_opens_one_ward_month_until_it_closes_again(session: AsyncSession) -> None:
    today = date(2025, 12, 10)
    assert await is_entry_locked(session, "27102", date(2025, 11, 15), today)
    with pytest.raises(ValueError, match="not locked"):
        await reopen_month(session, "27102", 2025, 12, reason="x", by_staff_id=None, today=today)
    with pytest.raises(ValueError, match="reason"):
        await reopen_month(session, "27102", 2025, 11, reason=" ", by_staff_id=None, today=today)
    with pytest.raises(PersonalDataError, match="name"):
        await reopen_month(session, "27102", 2025, 11, reason="山田の分の入力漏れ", by_staff_id=None, today=today)
    reopened = await reopen_month(session, "27102", 2025, 11, reason="入力漏れ", by_staff_id=None, today=today)
    assert reopened.closes_on == date(2025, 12, 18)  # five business days after 12/10, then locked again
    assert not await is_entry_locked(session, "27102", date(2025, 11, 15), today)
    assert await is_entry_locked(session, "27103", date(2025, 11, 15), today)  # only that ward
    assert await is_entry_locked(session, "27102", date(2025, 11, 15), date(2025, 12, 18))
    audit = (await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "reopen"))).one()
    assert (audit.entity_id, audit.detail["reason"]) == ("27102:2025-11", "入力漏れ")


async def test_a_snapshot_reproduces_the_month_after_a_correction(session: AsyncSession) -> None:
    outreach = await add_event(session, "outreach", date(2025, 11, 20), count=3)
    await add_event(session, "outreach", date(2025, 10, 2))
    assert await close_month(session, 2025, 11)
    assert not await close_month(session, 2025, 11)  # once only
    assert outreach.id is not None
    await correct_event(
        session,
        outreach.id,
        EventDraft.of(outreach).model_copy(update={"count": 5}),
        by_staff_id=None,
        reason="件数誤り",
        idempotency_key="late-fix",
        today=outreach.occurred_on,
    )
    live = await indicator_totals(session, 2025, date(2025, 11, 30))
    frozen, final = await totals_as_of(session, 2025, date(2025, 11, 30), None)
    assert (live.indicators["1-5"].value, frozen.indicators["1-5"].value, final) == (6, 4, True)
    ward, _ = await totals_as_of(session, 2025, date(2025, 11, 30), "27102")
    assert ward.indicators["1-5"].value == 4
    assert ward.by_month["1-5"][-1].value == 4
    assert frozen.as_json() == (await stored_snapshot(session, date(2025, 11, 30), None)).as_json()  # type: ignore[union-attr]
    today_figures, today_final = await totals_as_of(session, 2025, date(2025, 11, 25), None)
    assert (today_figures.indicators["1-5"].value, today_final) == (6, False)
    locks = (await session.scalars(select(AuditEntry.entity_id).where(col(AuditEntry.action) == "lock"))).all()
    assert list(locks) == ["2025-11"]


async def test_close_due_months_closes_every_locked_month_once(session: AsyncSession) -> None:
    closed = await close_due_months(session, date(2025, 12, 8), lock_business_days=5)
    assert closed[0] == (2024, 4)
    assert closed[-1] == (2025, 11)
    assert len(closed) == 20  # April 2024 … November 2025
    assert await close_due_months(session, date(2025, 12, 8), lock_business_days=5) == []
