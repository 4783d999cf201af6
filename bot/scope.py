"""Who may see what: supervisors' scopes (a ward or the whole city), their names, and the refusals.

Every supervisor feature asks here, so that a button's scope (callback data can be forged) is checked the
same way everywhere.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import language
from bot.texts import CITY_LABEL, text
from models.reference import ward_names
from models.roles import Role
from models.tables import Staff

SUPERVISORS = (Role.WARD_SUPERVISOR, Role.CITY_SUPERVISOR, Role.ADMIN)
CITY_WIDE = (Role.CITY_SUPERVISOR, Role.ADMIN)
CITY = "city"
_WARD_NAMES: dict[str, tuple[str, str]] = {}


def is_supervisor(member: Staff) -> bool:
    """Supervisors and admins; a ward supervisor without a ward is misconfigured and sees nothing (fails closed)."""
    if member.role == Role.WARD_SUPERVISOR:
        return member.ward_code is not None
    return member.role in SUPERVISORS


def is_city_wide(member: Staff) -> bool:
    return member.role in CITY_WIDE


def scope_allowed(member: Staff, scope: str) -> bool:
    """City supervisors and admins see every scope; a ward supervisor only their ward."""
    return member.role in CITY_WIDE or (member.role == Role.WARD_SUPERVISOR and scope == member.ward_code)


def default_scope(member: Staff) -> str:
    return member.ward_code if member.role == Role.WARD_SUPERVISOR and member.ward_code else CITY


def ward_of(scope: str) -> str | None:
    """The ward code a scope stands for; None for the whole city."""
    return None if scope == CITY else scope


async def scope_name_of(session: AsyncSession, ward_code: str | None, lang: str) -> str:
    """The ward's name, or the city's (the 24 wards never change: read once per process)."""
    if not _WARD_NAMES:
        _WARD_NAMES.update(await ward_names(session))
    names = _WARD_NAMES.get(ward_code) if ward_code else None
    if names is None:
        return CITY_LABEL[lang]
    return names[0] if lang == "ja" else names[1]


async def refuse_button(update: Update) -> None:
    """A forged, out-of-scope or malformed button: answered with an alert, nothing shown."""
    query = update.callback_query
    if query is not None:
        await query.answer(text("invalid_choice", language(update)), show_alert=True)
