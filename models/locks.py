"""Month locks: entries for a month close N business days after it ends (like DHIS2's expiry days).

The rules are pure; a ward-month reopened by an admin or city supervisor stays open until its
`closes_on` (recorded in `month_reopen`, audited).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.approval import withdraw_on_change
from models.fiscal import business_days_after, month_end
from models.privacy import refuse_personal_data
from models.tables import AuditEntry, MonthReopen

DEFAULT_LOCK_BUSINESS_DAYS = 5


def lock_date(year: int, month: int, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS) -> date:
    """The first day on which the month is closed: the N-th business day after its end, plus one day."""
    return business_days_after(month_end(year, month), lock_business_days) + timedelta(days=1)


def is_month_locked(year: int, month: int, today: date, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS) -> bool:
    return today >= lock_date(year, month, lock_business_days)


async def reopened_until(session: AsyncSession, ward_code: str, year: int, month: int, today: date) -> date | None:
    """The day a reopened ward-month closes again, if it is open now."""
    closes_on = await session.scalar(
        select(func.max(col(MonthReopen.closes_on))).where(
            col(MonthReopen.ward_code) == ward_code, col(MonthReopen.year) == year, col(MonthReopen.month) == month
        )
    )
    return closes_on if closes_on is not None and closes_on > today else None


async def is_entry_locked(
    session: AsyncSession, ward_code: str, day: date, today: date, lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS
) -> bool:
    """Whether an entry dated `day` in the ward can no longer be added or changed."""
    if not is_month_locked(day.year, day.month, today, lock_business_days):
        return False
    return await reopened_until(session, ward_code, day.year, day.month, today) is None


async def reopen_month(
    session: AsyncSession,
    ward_code: str,
    year: int,
    month: int,
    *,
    reason: str,
    by_staff_id: int | None,
    today: date,
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
    actor: str = "bot",
) -> MonthReopen:
    """Open a locked ward-month again for `lock_business_days` business days; audited with its reason.

    ValueError when the month is open or the reason blank; PersonalDataError when the reason holds personal data.
    """
    if not is_month_locked(year, month, today, lock_business_days):
        raise ValueError(f"{year}-{month:02d} is not locked")
    if not reason.strip():
        raise ValueError("a reason is required")
    refuse_personal_data(reason)
    reopen = MonthReopen(
        ward_code=ward_code,
        year=year,
        month=month,
        reason=reason.strip()[:200],
        reopened_by_staff_id=by_staff_id,
        closes_on=business_days_after(today, max(lock_business_days, 1)) + timedelta(days=1),
    )
    session.add(reopen)
    await session.flush()
    detail = {"reason": reopen.reason, "closes_on": reopen.closes_on.isoformat()}
    month_id = f"{ward_code}:{year}-{month:02d}"
    session.add(
        AuditEntry(
            actor_staff_id=by_staff_id, actor=actor, action="reopen", entity="month", entity_id=month_id, detail=detail
        )
    )
    # A reopened month will change: its confirmation and acceptance are withdrawn now (models.approval).
    await withdraw_on_change(
        session, ward_code, date(year, month, 1), today=today, by_staff_id=by_staff_id, cause="reopen"
    )
    return reopen
