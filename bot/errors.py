"""The error handler: full context for the operator's log, a short apology for the user, no internals."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import IntakeContext, language
from bot.texts import text

log = logging.getLogger(__name__)


async def on_error(update: object, context: IntakeContext) -> None:
    """Log the exception with the update and user ids (never message texts); apologise to the user."""
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=context.error)
        return
    user_id = update.effective_user.id if update.effective_user else None
    log.error("handler failed update=%s user=%s", update.update_id, user_id, exc_info=context.error)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text("error", language(update)), show_alert=True)
        elif update.effective_chat is not None:
            await update.effective_chat.send_message(text("error", language(update)))
    except TelegramError:
        log.warning("could not tell the user about the error update=%s", update.update_id)
