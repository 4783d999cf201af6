"""Who gets an answer: registered, active staff in private chats. Everyone else gets one polite refusal.

Runs in handler group -1, before every feature handler (rules-bot style), so no feature can forget it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import IntakeContext, language
from bot.logs import bind_staff
from bot.texts import text
from models.db import session_scope
from models.staff import staff_by_telegram_id

log = logging.getLogger(__name__)


async def admit(update: Update, context: IntakeContext) -> None:
    """Let registered staff through (remembering who they are); refuse and stop everything else."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ApplicationHandlerStop  # polls, channel posts and the like: nothing to answer
    if chat.type != ChatType.PRIVATE:
        await _refuse_group(update, context)
        raise ApplicationHandlerStop
    context.known_staff = await context.runtime.staff_cache.active_member(context.sessions, user.id)
    bind_staff(
        context.known_staff.id if context.known_staff else None
    )  # every later log line of this update carries it
    if context.known_staff is None and not _is_registration(update):
        log.info("refused unregistered user update=%s", update.update_id)
        async with session_scope(context.sessions) as session:
            known = await staff_by_telegram_id(session, user.id, active_only=False)
        await _refuse(update, text("refuse_deactivated" if known else "refuse_stranger", language(update)))
        raise ApplicationHandlerStop


def _is_registration(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.startswith("/start "))


async def _refuse(update: Update, body: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(body, show_alert=True)
    elif update.effective_message is not None and update.message is not None:
        await update.effective_message.reply_text(body)


async def _refuse_group(update: Update, context: IntakeContext) -> None:
    """Say once, in the group, that the bot only works privately, then leave it."""
    chat = update.effective_chat
    assert chat is not None
    log.info("refused %s chat update=%s", chat.type, update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer(text("refuse_group", language(update)), show_alert=True)
        await context.bot.leave_chat(chat.id)
        return
    if chat.type == ChatType.CHANNEL:
        await context.bot.leave_chat(chat.id)
        return
    await context.bot.send_message(chat.id, text("refuse_group", language(update)))
    await context.bot.leave_chat(chat.id)
