"""Admin commands in the bot: /invite, /staff, /deactivate (admins only; the CLI offers the same)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback
from bot.long_answer import Group, LongAnswer, grouped, reply, turn_page
from bot.scope import refuse_button, scope_name_of
from bot.texts import CITY_LABEL, role_label, text
from models.db import session_scope
from models.roles import Organisation, Role
from models.staff import create_invite, deactivate_staff, list_staff
from models.tables import Staff

log = logging.getLogger(__name__)

STAFF_PAGE = Callback("stfp")  # stfp:<ward code|all>:<page> — a page of /staff
ALL_WARDS = "all"


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """An admin's /invite, /staff (and its pages) and /deactivate."""
    return [
        CommandHandler("invite", on_invite),
        CommandHandler("staff", on_staff),
        CallbackQueryHandler(on_staff_page, pattern=STAFF_PAGE.pattern),
        CommandHandler("deactivate", on_deactivate),
    ]


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
            created = await create_invite(
                session, role, ward, organisation, created_by_staff_id=context.staff.id, actor="bot"
            )
    except ValueError as error:
        await show(update, text("invite_invalid", lang, reason=str(error)))
        return
    log.info("invite=%s created by staff=%s", created.invite.id, context.staff.id)
    link = invite_link(context.bot.username, created.code)
    await show(
        update,
        text(
            "invite_created",
            lang,
            role=role_label(role, lang),
            ward=ward or CITY_LABEL[lang],
            days=7,
            link=link,
            code=created.code,
        ),
    )


async def on_staff(update: Update, context: IntakeContext) -> None:
    """/staff [WARD]: everyone (or one ward's staff), by ward with the admin's own first; paged when long."""
    lang = language(update)
    if not await _admin_only(update, context):
        return
    ward = context.args[0] if context.args else ALL_WARDS
    if len(context.args or []) > 1 or not (ward == ALL_WARDS or ward.isdigit()):
        await show(update, text("staff_usage", lang))
        return
    await reply(update, await staff_answer(context, ward, lang))


async def on_staff_page(update: Update, context: IntakeContext) -> None:
    """stfp:<ward|all>:<page> — a page of /staff, rebuilt for the admin pressing (checked again)."""
    args = STAFF_PAGE.args(update) or []
    if context.staff.role != Role.ADMIN or len(args) != 2 or not (args[0] == ALL_WARDS or args[0].isdigit()):
        await refuse_button(update)
        return
    await turn_page(update, await staff_answer(context, args[0], language(update)), args[1])


async def staff_answer(context: IntakeContext, ward: str, lang: str) -> LongAnswer:
    async with session_scope(context.sessions) as session:
        members = await list_staff(session, None if ward == ALL_WARDS else ward)
        names = {m.ward_code: await scope_name_of(session, m.ward_code, lang) for m in members}
    groups = [
        Group(names[code], [_staff_line(m, lang) for m in people])
        for code, people in grouped(members, lambda m: m.ward_code, first=context.staff.ward_code)
    ]
    inactive = sum(not m.active for m in members)
    return LongAnswer(
        head=text("staff_header", lang, count=len(members), inactive=inactive),
        title=text("staff_title", lang),
        groups=groups,
        count_key="staff_ward_count",
        page_data=lambda n: STAFF_PAGE(ward, n),
        lang=lang,
    )


def _staff_line(member: Staff, lang: str) -> str:
    """`No.12 見守り花子・職員・27102（停止中）`."""
    inactive = "" if member.active else text("staff_inactive", lang)
    return text(
        "staff_line",
        lang,
        id=member.id,
        name=member.display_name,
        role=role_label(member.role, lang),
        ward=member.ward_code or CITY_LABEL[lang],
        inactive=inactive,
    )


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
