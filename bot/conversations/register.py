"""/start CODE registers a Telegram user with an invite; /start alone greets a registered user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.commands import register_commands_for
from bot.context import IntakeContext, language
from bot.keyboards import main_menu
from bot.scope import is_supervisor
from bot.texts import CITY_LABEL, role_label, text
from models.db import session_scope
from models.staff import InviteProblem, InviteRejectedError, redeem_invite
from models.tables import Ward

log = logging.getLogger(__name__)

INVITE_REFUSALS = {  # the domain's answer → the catalog's text
    InviteProblem.UNKNOWN: "invite_unknown",
    InviteProblem.USED: "invite_used",
    InviteProblem.EXPIRED: "invite_expired",
    InviteProblem.ALREADY_REGISTERED: "invite_already_registered",
}


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """/start, with an invite code (registration) or without (a greeting)."""
    return [CommandHandler("start", on_start)]


async def on_start(update: Update, context: IntakeContext) -> None:
    """Greet staff; register newcomers whose /start carries a valid invite code."""
    lang = language(update)
    message, user = update.message, update.effective_user
    assert message is not None and user is not None
    if context.known_staff is not None:
        await message.reply_text(
            text("hello_again", lang, name=context.known_staff.display_name),
            reply_markup=main_menu(lang, is_supervisor(context.known_staff)),
        )
        return
    code = context.args[0] if context.args else ""
    try:
        async with session_scope(context.sessions) as session:
            staff = await redeem_invite(session, code, user.id, user.full_name, lang)
            ward = await session.get(Ward, staff.ward_code) if staff.ward_code else None
    except InviteRejectedError as rejected:
        log.info("registration refused (%s) update=%s", rejected.problem.value, update.update_id)
        await message.reply_text(text(INVITE_REFUSALS[rejected.problem], lang))
        return
    log.info("registered staff=%s role=%s", staff.id, staff.role)
    context.known_staff = staff
    ward_name = (ward.name_ja if lang == "ja" else ward.name_en) if ward else CITY_LABEL[lang]
    welcome = text("welcome", lang, name=staff.display_name, role=role_label(staff.role, lang), ward=ward_name)
    await message.reply_text(welcome, reply_markup=main_menu(lang, is_supervisor(staff)))
    await register_commands_for(context.bot, staff, lang)
