"""Staff and invites: who may use the bot, in which role, for which ward."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from models.db import read_value, session_scope
from models.roles import Organisation, Role
from models.tables import AuditEntry, Invite, Staff, Ward, utcnow

INVITE_DAYS_DEFAULT = 7
ROLES_WITHOUT_WARD = {Role.CITY_SUPERVISOR, Role.ADMIN}


class Recipient(Protocol):
    """Whom a message goes to: a `Staff` row, or the few columns of one that a bulk run reads as a plain tuple
    (`models.followups.Holder`: no ORM object per recipient). Read-only, so both fit."""

    @property
    def id(self) -> int | None: ...
    @property
    def telegram_user_id(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def ward_code(self) -> str | None: ...


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_REGISTERED = "already_registered"


class InviteRejectedError(ValueError):
    def __init__(self, problem: InviteProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class NewInvite:
    code: str  # shown once; only its hash is stored
    invite: Invite


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def default_organisation(role: Role) -> Organisation:
    return Organisation.CITY if role in ROLES_WITHOUT_WARD else Organisation.WATCH_OFFICE


async def create_invite(
    session: AsyncSession,
    role: Role,
    ward_code: str | None,
    organisation: Organisation | None = None,
    *,
    days: int = INVITE_DAYS_DEFAULT,
    created_by_staff_id: int | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> NewInvite:
    """A single-use code (128 random bits) that registers one Telegram user with this role and ward."""
    if role not in ROLES_WITHOUT_WARD and not ward_code:
        raise ValueError(f"a {role.value} needs a ward")
    if role in ROLES_WITHOUT_WARD and ward_code:
        raise ValueError(f"a {role.value} works city-wide: give no ward")
    if ward_code and await session.get(Ward, ward_code) is None:
        raise ValueError(f"unknown ward code {ward_code}")
    if not 1 <= days <= 90:
        raise ValueError("an invite lasts 1 to 90 days")
    code = secrets.token_urlsafe(16)  # URL-safe, fits the 64 characters of a /start deep-link payload
    created = now or utcnow()
    invite = Invite(
        code_hash=hash_code(code),
        role=role.value,
        organisation=(organisation or default_organisation(role)).value,
        ward_code=ward_code,
        created_by_staff_id=created_by_staff_id,
        created_at=created,
        expires_at=created + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    session.add(
        AuditEntry(
            actor_staff_id=created_by_staff_id,
            actor=actor,
            action="invite",
            entity="invite",
            entity_id=str(invite.id),
            detail={"role": role.value, "ward": ward_code, "days": days},
        )
    )
    return NewInvite(code, invite)


async def redeem_invite(
    session: AsyncSession,
    code: str,
    telegram_user_id: int,
    display_name: str,
    language: str,
    now: datetime | None = None,
) -> Staff:
    """Register a Telegram user with an invite; the code is spent even if two people race for it."""
    now = now or utcnow()
    if await staff_by_telegram_id(session, telegram_user_id, active_only=False) is not None:
        raise InviteRejectedError(InviteProblem.ALREADY_REGISTERED)
    invite = await session.scalar(select(Invite).where(col(Invite.code_hash) == hash_code(code)).with_for_update())
    if invite is None:
        raise InviteRejectedError(InviteProblem.UNKNOWN)
    if invite.used_at is not None:
        raise InviteRejectedError(InviteProblem.USED)
    if invite.expires_at <= now:
        raise InviteRejectedError(InviteProblem.EXPIRED)
    staff = Staff(
        telegram_user_id=telegram_user_id,
        display_name=display_name[:100],
        role=invite.role,
        organisation=invite.organisation,
        ward_code=invite.ward_code,
        language=language,
    )
    session.add(staff)
    await session.flush()
    invite.used_at, invite.used_by_staff_id = now, staff.id
    session.add(
        AuditEntry(
            actor_staff_id=staff.id,
            action="register",
            entity="staff",
            entity_id=str(staff.id),
            detail={"invite": invite.id, "role": invite.role, "ward": invite.ward_code},
        )
    )
    await session.flush()
    return staff


async def staff_by_telegram_id(session: AsyncSession, telegram_user_id: int, active_only: bool = True) -> Staff | None:
    query = select(Staff).where(col(Staff.telegram_user_id) == telegram_user_id)
    if active_only:
        query = query.where(col(Staff.active))
    return (await session.scalars(query)).first()


STAFF_VERSION_SQL = "SELECT version FROM staff_version WHERE id = 1"  # plain text: `read_value` runs it as is


async def staff_version(session: AsyncSession) -> int:
    """The number every write to a staff row bumps (`models.tables.StaffVersion`): 0 before the first."""
    return int(await session.scalar(text(STAFF_VERSION_SQL)) or 0)


@dataclass
class StaffCache:
    """Active staff by Telegram id, held in the process while the staff version stays the same.

    Each lookup reads the version (one integer, one round trip); any staff change since the last lookup (a
    deactivation from the CLI, a new role, a leave, a registration) empties the cache, so it takes effect from the
    very next update. Strangers are not cached: their lookups stay queries, and the cache stays the size of the staff.
    """

    version: int | None = None
    members: dict[int, Staff] = field(default_factory=dict)

    async def active_member(self, sessions: async_sessionmaker[AsyncSession], telegram_user_id: int) -> Staff | None:
        version = int(await read_value(sessions, STAFF_VERSION_SQL) or 0)
        if version != self.version:
            self.members.clear()
            self.version = version
        member = self.members.get(telegram_user_id)
        if member is None:
            async with session_scope(sessions) as session:
                member = await staff_by_telegram_id(session, telegram_user_id)
            if member is not None:
                self.members[telegram_user_id] = member
        return member


async def deactivate_staff(session: AsyncSession, staff_id: int, by_staff_id: int | None, actor: str = "cli") -> Staff:
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise ValueError(f"no staff member with id {staff_id}")
    staff.active = False
    staff.deactivated_at = utcnow()
    session.add(
        AuditEntry(
            actor_staff_id=by_staff_id, actor=actor, action="deactivate", entity="staff", entity_id=str(staff_id)
        )
    )
    await session.flush()
    return staff


async def list_staff(session: AsyncSession, ward_code: str | None = None) -> list[Staff]:
    query = select(Staff).order_by(col(Staff.ward_code), col(Staff.id))
    if ward_code:
        query = query.where(col(Staff.ward_code) == ward_code)
    return list((await session.scalars(query)).all())


async def set_leave(
    session: AsyncSession,
    staff_id: int,
    until: date | None,
    *,
    today: date,
    by_staff_id: int | None = None,
    actor: str = "cli",
) -> Staff:
    """Put a member on leave through `until` (inclusive), or end the leave (None); audited as "leave".

    On leave, a member is left out of /missing and the month-end reminders.
    """
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise ValueError(f"no staff member with id {staff_id}")
    if until is not None and until < today:
        raise ValueError(f"the leave must end today ({today}) or later, not {until}")
    previous = staff.on_leave_until
    staff.on_leave_until = until
    detail = {"until": until.isoformat() if until else None, "was": previous.isoformat() if previous else None}
    session.add(
        AuditEntry(
            actor_staff_id=by_staff_id,
            actor=actor,
            action="leave",
            entity="staff",
            entity_id=str(staff_id),
            detail=detail,
        )
    )
    await session.flush()
    return staff


async def set_reminders_paused(session: AsyncSession, staff_id: int, paused: bool) -> Staff:
    """A member pauses or resumes their own month-end reminders; audited."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise ValueError(f"no staff member with id {staff_id}")
    staff.reminders_paused = paused
    session.add(
        AuditEntry(
            actor_staff_id=staff_id,
            action="pause_reminders" if paused else "resume_reminders",
            entity="staff",
            entity_id=str(staff_id),
        )
    )
    await session.flush()
    return staff
