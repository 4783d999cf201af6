"""Month-end snapshots: the totals frozen when a month locks, so a past sheet is reproduced exactly.

Later corrections (in a reopened month) change the live totals, never a snapshot: the sheet sent to the
city for November stays the sheet sent for November. With them the city sheet's monthly 集計根拠 is frozen as it
stood at that moment (`EvidenceSnapshot`, `models.sheet.evidence`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.fiscal import fiscal_months, fiscal_year_of, month_end
from models.locks import is_month_locked
from models.sheet.evidence import EvidenceRow, city_evidence, evidence_as_recorded
from models.tables import AuditEntry, EvidenceSnapshot, TotalsSnapshot
from models.totals import IndicatorValue, Totals, indicator_totals, totals_for_every_scope

CITY = "city"


def totals_from_json(data: dict[str, Any]) -> Totals:
    """The inverse of `Totals.as_json()`."""

    def figure(raw: dict[str, Any]) -> IndicatorValue:
        return IndicatorValue(raw["value"], raw["denominator"], raw.get("baseline", False))

    return Totals(
        fiscal_year=data["fy"],
        as_of=date.fromisoformat(data["as_of"]),
        ward_code=None if data["scope"] == CITY else data["scope"],
        indicators={code: figure(raw) for code, raw in data["indicators"].items()},
        by_ward={ward: {code: figure(raw) for code, raw in values.items()} for ward, values in data["by_ward"].items()},
        months=[(int(ym[:4]), int(ym[5:7])) for ym in data["months"]],
        by_month={code: [figure(raw) for raw in values] for code, values in data["by_month"].items()},
        definitions=data["definitions"],
    )


async def stored_snapshot(session: AsyncSession, as_of: date, ward_code: str | None) -> Totals | None:
    """The frozen totals for a month end and scope, if that month has been closed."""
    snapshot = await _snapshot(session, as_of, ward_code)
    return totals_from_json(snapshot.data) if snapshot else None


async def _snapshot(session: AsyncSession, as_of: date, ward_code: str | None) -> TotalsSnapshot | None:
    snapshot: TotalsSnapshot | None = await session.scalar(
        select(TotalsSnapshot).where(
            col(TotalsSnapshot.fiscal_year) == fiscal_year_of(as_of),
            col(TotalsSnapshot.as_of) == as_of,
            col(TotalsSnapshot.scope) == (ward_code or CITY),
        )
    )
    return snapshot


async def close_month(
    session: AsyncSession, year: int, month: int, *, threshold: int = 1, actor: str = "scheduler"
) -> bool:
    """Freeze the month's totals for the city and every ward (once); audited as the month's lock."""
    as_of = month_end(year, month)
    if await stored_snapshot(session, as_of, None) is not None:
        return False
    fiscal_year = fiscal_year_of(as_of)
    every_scope = await totals_for_every_scope(session, fiscal_year, as_of, threshold)
    evidence = [row.as_json() for row in await city_evidence(session, fiscal_year, as_of, threshold)]
    try:
        async with session.begin_nested():  # another process closing the same month at once: it wins, fine
            for scope, totals in every_scope.items():
                session.add(
                    TotalsSnapshot(fiscal_year=fiscal_year, as_of=as_of, scope=scope or CITY, data=totals.as_json())
                )
            session.add(EvidenceSnapshot(fiscal_year=fiscal_year, as_of=as_of, rows=evidence))
    except IntegrityError:
        return False
    session.add(
        AuditEntry(
            actor=actor,
            action="lock",
            entity="month",
            entity_id=f"{year}-{month:02d}",
            detail={"snapshots": len(every_scope), "threshold": threshold},
        )
    )
    await session.flush()
    return True


async def close_due_months(
    session: AsyncSession,
    today: date,
    lock_business_days: int,
    threshold: int = 1,
    actor: str = "scheduler",
    months_back: int = 24,
) -> list[tuple[int, int]]:
    """Close every month of the last `months_back` months that has locked by today and has no snapshot yet.

    The daily run looks a few months back (a month locks within days of its end); `intake close-months`
    covers this and last fiscal year, for a first deployment or a long outage.
    """
    current = fiscal_year_of(today)
    recent = [
        (y, m)
        for y, m in [*fiscal_months(current - 1), *fiscal_months(current)]
        if _months_between(y, m, today) <= months_back
    ]
    closed = []
    for year, month in recent:
        if is_month_locked(year, month, today, lock_business_days) and await close_month(
            session, year, month, threshold=threshold, actor=actor
        ):
            closed.append((year, month))
    return closed


async def totals_as_of(
    session: AsyncSession, fiscal_year: int, as_of: date | None, ward_code: str | None, threshold: int = 1
) -> tuple[Totals, bool]:
    """The figures for a scope: a month end's snapshot when that month is closed, else live; and which."""
    if as_of is not None and as_of == month_end(as_of.year, as_of.month):
        frozen = await stored_snapshot(session, as_of, ward_code)
        if frozen is not None:
            return frozen, True
    return await indicator_totals(session, fiscal_year, as_of, ward_code, threshold), False


async def city_evidence_as_of(
    session: AsyncSession, fiscal_year: int, as_of: date, threshold: int = 1
) -> list[EvidenceRow]:
    """The city's monthly 集計根拠: a closed month end's as stored when it froze (or, for a snapshot taken before
    the evidence was stored, recomputed from the events as they stood then), else live from the rollups."""
    snapshot = await _snapshot(session, as_of, None)
    if snapshot is None:
        return await city_evidence(session, fiscal_year, as_of, threshold)
    frozen = await session.scalar(
        select(col(EvidenceSnapshot.rows)).where(
            col(EvidenceSnapshot.fiscal_year) == fiscal_year_of(as_of), col(EvidenceSnapshot.as_of) == as_of
        )
    )
    if frozen is not None:
        return [EvidenceRow.from_json(raw) for raw in frozen]
    frozen_threshold = int(snapshot.data.get("definitions", {}).get("regular_meeting_threshold", threshold))
    return await evidence_as_recorded(session, fiscal_year, as_of, snapshot.created_at, frozen_threshold)


async def snapshot_taken_at(session: AsyncSession, as_of: date, ward_code: str | None) -> datetime | None:
    """When the month-end snapshot for this scope was taken (the moment its month locked), if any."""
    taken: datetime | None = await session.scalar(
        select(col(TotalsSnapshot.created_at)).where(
            col(TotalsSnapshot.fiscal_year) == fiscal_year_of(as_of),
            col(TotalsSnapshot.as_of) == as_of,
            col(TotalsSnapshot.scope) == (ward_code or CITY),
        )
    )
    return taken


def _months_between(year: int, month: int, today: date) -> int:
    return (today.year - year) * 12 + today.month - month
