"""The logging conversation assembled in one place: entry points, states, fallbacks — top to bottom.

Corrections share it, because a correction is the logging card filled with an old entry's values; follow-ups
share it for 記録する under their reminder (the card with kind and household filled) and a typed day or purpose.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import FLOW_KEYS, IntakeContext, language
from bot.conversations import corrections as fix
from bot.conversations import followups as fu
from bot.conversations import log_event as log
from bot.conversations import log_save as save
from bot.conversations import notes
from bot.keyboards import FIX_BUTTON, FOLLOWUP_TYPE, LOG_NOW, Callback, menu_texts
from bot.texts import text
from models.db import session_scope
from models.entries.read import entry_id_for_key

# The flow mixes typed answers and buttons, so per_message stays False on purpose (PTB #1781).
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

Handler = Callable[[Update, IntakeContext], Coroutine[Any, Any, Any]]
KIND_COMMANDS = {"outreach": "outreach", "consult": "watch_consultation", "participation": "participation_link"}

TYPED = filters.TEXT & ~filters.COMMAND
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """The one conversation: before the plain commands, so it keeps drafts when /mine etc. come mid-flow."""
    return [build_log_conversation()]


def stale_buttons() -> list[BaseHandler[Update, IntakeContext, object]]:
    """Late in the group: a button nothing above took is answered, never left spinning."""
    return [CallbackQueryHandler(on_stale_button)]


def _kind_command(kind: str) -> Handler:
    async def start(update: Update, context: IntakeContext) -> Any:
        return await log.start_kind(update, context, kind)

    return start


def _button(button: Callback, callback: Handler) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=button.pattern)


def entry_points() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("log", log.on_log),
        MessageHandler(filters.Text(menu_texts("menu_log")), log.on_log),
        MessageHandler(filters.Text(menu_texts("menu_repeat")), log.on_repeat),
        *(CommandHandler(command, _kind_command(kind)) for command, kind in KIND_COMMANDS.items()),
        _button(fix.VOID_BUTTON, fix.on_void_button),
        _button(FIX_BUTTON, fix.on_fix_button),
        CommandHandler("void", fix.on_void),
        _button(log.RESUME_BUTTON, log.on_resume_button),
        _button(log.RESTART_BUTTON, log.on_restart_button),
        _button(LOG_NOW, log.on_log),  # 「記録する」 under a reminder
        _button(notes.ADD_BUTTON, notes.on_add_bullet_button),  # a supervisor types a bullet of the sheet's text
        _button(fu.LOG_FOLLOWUP, fu.on_log_button),  # 記録する under a follow-up reminder: kind and household filled
        _button(FOLLOWUP_TYPE, fu.on_type_button),  # a follow-up's day or purpose, typed
    ]


def build_log_conversation() -> ConversationHandler[Any]:
    """Every state answers wrong input and stays; /cancel and 中止 end it; entry commands mid-flow offer to resume."""
    wrong_text = MessageHandler(TYPED, log.on_text_instead_of_button)
    not_text = MessageHandler(NOT_TEXT, log.on_not_text)
    # One row per state: its buttons and typed answers side by side (the formatter would split them apart).
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        log.KIND: [_button(log.KIND_BUTTON, log.on_kind_button), wrong_text],
        log.AREA: [_button(log.AREA_BUTTON, log.on_area_button), _button(log.PAGE_BUTTON, log.on_area_page_button),
                   MessageHandler(TYPED, log.on_area_text)],
        log.HOUSEHOLD: [_button(log.KNOWN_HOUSEHOLD_BUTTON, log.on_known_household_button),
                        _button(log.NEW_HOUSEHOLD_BUTTON, log.on_new_household_button),
                        _button(log.SKIP_HOUSEHOLD_BUTTON, log.on_skip_household_button),
                        MessageHandler(TYPED, log.on_household_text)],
        log.DATE: [_button(log.DATE_BUTTON, log.on_date_button), MessageHandler(TYPED, log.on_date_text)],
        log.COUNT: [_button(log.COUNT_BUTTON, log.on_count_button), MessageHandler(TYPED, log.on_count_text)],
        log.ANSWER: [_button(log.ANSWER_BUTTON, log.on_answer_button), wrong_text],
        log.CONFIRM: [_button(log.SAVE_BUTTON, save.on_save_button), _button(log.EDIT_BUTTON, log.on_edit_button),
                      _button(log.KEEP_BUTTON, save.on_keep_button),
                      _button(log.RESUME_BUTTON, log.on_resume_button),
                      _button(log.RESTART_BUTTON, log.on_restart_button),
                      wrong_text],
        log.NOTE: [_button(log.NO_NOTE_BUTTON, log.on_no_note_button), MessageHandler(TYPED, log.on_note_text)],
        log.REASON: [_button(fix.REASON_BUTTON, fix.on_reason_button), MessageHandler(TYPED, fix.on_reason_text)],
        notes.TEXT: [CommandHandler("cancel", notes.on_note_cancel), _button(notes.CANCEL_BUTTON, notes.on_note_cancel),
                     MessageHandler(TYPED, notes.on_bullet_text)],
        fu.TYPED: [MessageHandler(TYPED, fu.on_typed_text)],
    }  # fmt: skip
    for handlers in states.values():
        handlers.append(not_text)
    return ConversationHandler(
        entry_points=entry_points(),
        states=states,
        fallbacks=[
            CommandHandler("cancel", log.on_cancel),
            _button(log.CANCEL_BUTTON, log.on_cancel),
            *entry_points(),  # /log, a kind command or a correction button mid-flow: resume offer or switch
        ],
        name="log_event",
        persistent=True,
        allow_reentry=False,
    )


async def on_stale_button(update: Update, context: IntakeContext) -> None:
    """A button no live menu owns (from before a restart, or pressed twice): always answered, never spinning."""
    query = update.callback_query
    assert query is not None
    lang = language(update)
    body = text("expired", lang)
    if query.data and query.data.startswith(("log:", "reason:")) and _entry_open(context):
        body = text("other_step_button", lang)  # an older message's button while the entry is still open
    pressed = log.SAVE_BUTTON.arg(update) or log.KEEP_BUTTON.arg(update)
    if pressed:
        saved = await _saved_event_id(context, update, pressed)
        if saved is not None:
            body = text("already_saved", lang, id=saved)
    await query.answer(body, show_alert=True)


def _entry_open(context: IntakeContext) -> bool:
    """Whether the person is in the middle of an entry, a void or correction, or a bullet of the sheet's text."""
    user_data = context.user_data or {}
    return any(user_data.get(key) is not None for key in FLOW_KEYS)


async def _saved_event_id(context: IntakeContext, update: Update, draft_id: str) -> int | None:
    async with session_scope(context.sessions) as session:
        return await entry_id_for_key(session, save.idempotency_key(update, draft_id))
