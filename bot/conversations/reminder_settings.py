"""/reminders: see when the next reminder is due, pause or resume one's own; /leave: admins set leave periods."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback, inline
from bot.scope import refuse_button
from bot.texts import text
from models.db import session_scope
from models.fiscal import parse_day
from models.fiscal import today as japan_today
from models.roles import Role
from models.staff import set_leave, set_reminders_paused
from models.tables import Staff
from reminders.schedule import next_reminder_day

log = logging.getLogger(__name__)

REMINDERS_BUTTON = Callback("rem")  # rem:pause | rem:resume


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """/reminders (pause or resume one's own) and an admin's /leave."""
    return [
        CommandHandler("reminders", on_reminders),
        CallbackQueryHandler(on_reminders_button, pattern=REMINDERS_BUTTON.pattern),
        CommandHandler("leave", on_leave),
    ]


async def on_reminders(update: Update, context: IntakeContext) -> None:
    await _show_status(update, context, context.staff)


async def on_reminders_button(update: Update, context: IntakeContext) -> None:
    """rem:pause / rem:resume — only one's own reminders."""
    paused = {"pause": True, "resume": False}.get(REMINDERS_BUTTON.arg(update))
    if paused is None:
        await refuse_button(update)
        return
    assert context.staff.id is not None
    async with session_scope(context.sessions) as session:
        member = await set_reminders_paused(session, context.staff.id, paused)
    log.info("staff=%s reminders %s", member.id, "paused" if paused else "resumed")
    await _show_status(update, context, member)


async def _show_status(update: Update, context: IntakeContext, member: Staff) -> None:
    lang = language(update)
    settings = context.settings
    today = japan_today()
    upcoming = next_reminder_day(today, settings.reminder_business_days_before)
    if member.on_leave_until is not None and member.on_leave_until >= today:
        state = text("reminders_on_leave", lang, until=member.on_leave_until.isoformat())
    else:
        state = text("reminders_off" if member.reminders_paused else "reminders_on", lang)
    body = text(
        "reminders_status", lang, next=upcoming.isoformat(), time=settings.reminder_time.strftime("%H:%M"), state=state
    )
    toggle = ("button_resume_reminders", "resume") if member.reminders_paused else ("button_pause", "pause")
    await show(update, body, inline([[(text(toggle[0], lang), REMINDERS_BUTTON(toggle[1]))]]))


async def on_leave(update: Update, context: IntakeContext) -> None:
    """/leave N YYYY-MM-DD | off — admins set the last day of a staff member's leave (no reminders until then)."""
    lang = language(update)
    if context.staff.role != Role.ADMIN:
        await show(update, text("not_allowed", lang))
        return
    args = context.args or []
    until = parse_day(args[1]) if len(args) == 2 else None
    if len(args) != 2 or not args[0].isdigit() or (until is None and args[1] != "off"):
        await show(update, text("leave_usage", lang))
        return
    try:
        async with session_scope(context.sessions) as session:
            member = await set_leave(
                session, int(args[0]), until, today=japan_today(), by_staff_id=context.staff.id, actor="bot"
            )
    except ValueError:  # no such member, or a leave that already ended
        await show(update, text("leave_usage", lang))
        return
    state = text("reminders_on_leave", lang, until=until.isoformat()) if until else text("leave_cleared", lang)
    await show(update, text("leave_set", lang, name=member.display_name, id=member.id, state=state))
