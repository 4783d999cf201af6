"""Small helpers that put events in the database through the real `record_event` path."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.entries.draft import EventDraft
from models.entries.write import record_event, void_event
from models.tables import Area, Event

FAR_FUTURE = date(2100, 1, 1)  # "today" for fixtures, so no fixture date is refused as future
_keys = itertools.count()


async def area_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(select(col(Area.id)).where(col(Area.code) == code))
    assert found is not None, code
    return found


async def add_event(
    session: AsyncSession,
    kind: str,
    on: date,
    ward: str = "27102",
    *,
    area: str | None = None,
    household: str | None = None,
    count: int = 1,
    answer: bool | None = None,
    voided: bool = False,
    logged_by: int | None = None,
) -> Event:
    draft = EventDraft(
        kind=kind,
        occurred_on=on,
        ward_code=ward,
        area_id=await area_id(session, area) if area else None,
        household_ref=household,
        count=count,
        answer=answer,
    )
    key = f"test-{next(_keys)}"
    event, _created = await record_event(session, draft, idempotency_key=key, today=on, logged_by_staff_id=logged_by)
    if voided:
        assert event.id is not None
        await void_event(session, event.id, by_staff_id=None, reason="テストの取消", today=on)
    return event
