"""The sheet's text sections (取組内容 / 質的成果 / 課題と今後の方向性): bullets per sheet, year and scope.

Removing a bullet stamps it; the row and an audit entry stay.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.catalog import SheetSection
from models.fiscal import FISCAL_YEAR_FIRST_MONTH, fiscal_year_of
from models.privacy import refuse_personal_data
from models.tables import AuditEntry, SheetBullet, utcnow

BULLET_MAX_LENGTH = 300
LAST_YEAR_WRITABLE_UNTIL_MONTH = 6  # last year's sheet is written in April–June: its text stays open until June


def writable_fiscal_years(today: date) -> list[int]:
    """The fiscal years whose text may be written today: this one, and until the end of June the last one."""
    current = fiscal_year_of(today)
    if FISCAL_YEAR_FIRST_MONTH <= today.month <= LAST_YEAR_WRITABLE_UNTIL_MONTH:
        return [current - 1, current]
    return [current]


def _in_scope(sheet: int, fiscal_year: int, ward_code: str | None, section: SheetSection) -> list[ColumnElement[bool]]:
    scope = col(SheetBullet.ward_code).is_(None) if ward_code is None else col(SheetBullet.ward_code) == ward_code
    return [
        col(SheetBullet.sheet) == sheet,
        col(SheetBullet.fiscal_year) == fiscal_year,
        col(SheetBullet.section) == section.value,
        scope,
    ]


async def live_bullets(
    session: AsyncSession, sheet: int, fiscal_year: int, ward_code: str | None, section: SheetSection
) -> list[SheetBullet]:
    query = (
        select(SheetBullet)
        .where(*_in_scope(sheet, fiscal_year, ward_code, section), col(SheetBullet.removed_at).is_(None))
        .order_by(col(SheetBullet.position), col(SheetBullet.id))
    )
    return list((await session.scalars(query)).all())


async def add_bullet(
    session: AsyncSession,
    sheet: int,
    fiscal_year: int,
    ward_code: str | None,
    section: SheetSection,
    bullet: str,
    by_staff_id: int | None,
) -> SheetBullet:
    """Append a bullet; refused when empty or too long (ValueError) or holding personal data (PersonalDataError)."""
    bullet = bullet.strip().removeprefix("・").strip()
    if not bullet or len(bullet) > BULLET_MAX_LENGTH:
        raise ValueError("length")
    refuse_personal_data(bullet)
    last = await session.scalar(
        select(func.max(col(SheetBullet.position))).where(*_in_scope(sheet, fiscal_year, ward_code, section))
    )
    added = SheetBullet(
        sheet=sheet,
        fiscal_year=fiscal_year,
        ward_code=ward_code,
        section=section.value,
        position=(last or 0) + 1,
        text=bullet,
        created_by_staff_id=by_staff_id,
    )
    session.add(added)
    await session.flush()
    detail = {"sheet": sheet, "fy": fiscal_year, "section": section.value}
    session.add(
        AuditEntry(
            actor_staff_id=by_staff_id,
            action="add_bullet",
            entity="sheet_bullet",
            entity_id=str(added.id),
            detail=detail,
        )
    )
    return added


async def remove_bullet(session: AsyncSession, bullet_id: int, by_staff_id: int | None) -> SheetBullet | None:
    """Stamp a live bullet removed; None when it does not exist or is already removed."""
    bullet = await session.get(SheetBullet, bullet_id)
    if bullet is None or bullet.removed_at is not None:
        return None
    bullet.removed_at, bullet.removed_by_staff_id = utcnow(), by_staff_id
    session.add(
        AuditEntry(actor_staff_id=by_staff_id, action="remove_bullet", entity="sheet_bullet", entity_id=str(bullet_id))
    )
    await session.flush()
    return bullet
