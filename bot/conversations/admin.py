"""Admin commands in the bot: /invite, /staff, /deactivate (admins only; the CLI offers the same)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import IntakeContext, language, show
from bot.texts import CITY_LABEL, role_label, text
from models.db import session_scope
from models.roles import Organisation, Role
from models.staff import create_invite, deactivate_staff, list_staff

log = logging.getLogger(__name__)


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def _admin_only(update: Update, context: IntakeContext) -> bool:
    if context.staff.role != Role.ADMIN:
        await show(update, text("not_allowed", language(update)))
        return False
    return True


async def on_invite(update: Update, context: IntakeContext) -> None:
    """/invite ROLE [WARD] [ORGANISATION]: a single-use registration link."""
    lang = language(update)
    if not await _admin_only(update, context):
        return
    args = context.args or []
    try:
        role = Role(args[0]) if args else None
        organisation = Organisation(args[2]) if len(args) > 2 else None
    except ValueError:
        role = None
    if role is None:
        await show(update, text("invite_usage", lang))
        return
    ward = args[1] if len(args) > 1 else None
    try:
        async with session_scope(context.sessions) as session:
            created = await create_invite(session, role, ward, organisation, created_by_staff_id=context.staff.id,
                                          actor="bot")  # fmt: skip
    except ValueError as error:
        await show(update, text("invite_invalid", lang, reason=str(error)))
        return
    log.info("invite=%s created by staff=%s", created.invite.id, context.staff.id)
    link = invite_link(context.bot.username, created.code)
    await show(update, text("invite_created", lang, role=role_label(role, lang), ward=ward or CITY_LABEL[lang],
                            days=7, link=link, code=created.code))  # fmt: skip


async def on_staff(update: Update, context: IntakeContext) -> None:
    lang = language(update)
    if not await _admin_only(update, context):
        return
    async with session_scope(context.sessions) as session:
        members = await list_staff(session)
    lines = [
        text("staff_line", lang, id=m.id, name=m.display_name, role=role_label(m.role, lang),
             ward=m.ward_code or CITY_LABEL[lang], inactive="" if m.active else text("staff_inactive", lang))
        for m in members
    ]  # fmt: skip
    await show(update, "\n".join(lines))


async def on_deactivate(update: Update, context: IntakeContext) -> None:
    """/deactivate N: the staff member is refused from their next update on."""
    lang = language(update)
    if not await _admin_only(update, context):
        return
    argument = context.args[0] if context.args else ""
    if not argument.isdigit():
        await show(update, text("deactivate_usage", lang))
        return
    try:
        async with session_scope(context.sessions) as session:
            member = await deactivate_staff(session, int(argument), context.staff.id, actor="bot")
    except ValueError:
        await show(update, text("deactivate_usage", lang))
        return
    await show(update, text("deactivated", lang, name=member.display_name, id=member.id))
