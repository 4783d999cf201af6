"""The logging conversation assembled in one place: entry points, states, fallbacks — top to bottom.

Corrections share it, because a correction is the logging card filled with an old entry's values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import IntakeContext
from bot.conversations import corrections as fix
from bot.conversations import log_event as log
from bot.conversations import notes
from bot.keyboards import menu_texts

# The flow mixes typed answers and buttons, so per_message stays False on purpose (PTB #1781).
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

Callback = Callable[[Update, IntakeContext], Coroutine[Any, Any, Any]]
KIND_COMMANDS = {"outreach": "outreach", "consult": "watch_consultation", "participation": "participation_link"}

TYPED = filters.TEXT & ~filters.COMMAND
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL


def _kind_command(kind: str) -> Callback:
    async def start(update: Update, context: IntakeContext) -> Any:
        return await log.start_kind(update, context, kind)

    return start


def _button(
    pattern: str, callback: Callable[[Update, IntakeContext], Coroutine[Any, Any, Any]]
) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=f"^{pattern}")


def entry_points() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("log", log.on_log),
        MessageHandler(filters.Text(menu_texts("menu_log")), log.on_log),
        MessageHandler(filters.Text(menu_texts("menu_repeat")), log.on_repeat),
        *(CommandHandler(command, _kind_command(kind)) for command, kind in KIND_COMMANDS.items()),
        _button("void:", fix.on_void_button),
        _button("fix:", fix.on_fix_button),
        CommandHandler("void", fix.on_void),
        _button("log:resume$", log.on_resume_button),
        _button("log:restart$", log.on_restart_button),
        _button("log:new$", log.on_log),  # 「記録する」 under a reminder
        _button("note:add:", notes.on_add_bullet_button),  # a supervisor types a bullet of the sheet's text
    ]


def build_log_conversation() -> ConversationHandler[Any]:
    """Every state answers wrong input and stays; /cancel and 中止 end it; entry commands mid-flow offer to resume."""
    wrong_text = MessageHandler(TYPED, log.on_text_instead_of_button)
    not_text = MessageHandler(NOT_TEXT, log.on_not_text)
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        log.KIND: [_button("log:kind:", log.on_kind_button), wrong_text],
        log.AREA: [_button("log:area:", log.on_area_button), _button("log:page:", log.on_area_page_button),
                   MessageHandler(TYPED, log.on_area_text)],
        log.HOUSEHOLD: [_button("log:newhh$", log.on_new_household_button),
                        _button("log:skiphh$", log.on_skip_household_button),
                        MessageHandler(TYPED, log.on_household_text)],
        log.DATE: [_button("log:date:", log.on_date_button), MessageHandler(TYPED, log.on_date_text)],
        log.COUNT: [_button("log:count:", log.on_count_button), MessageHandler(TYPED, log.on_count_text)],
        log.ANSWER: [_button("log:answer:", log.on_answer_button), wrong_text],
        log.CONFIRM: [_button("log:save:", log.on_save_button), _button("log:edit:", log.on_edit_button),
                      _button("log:resume$", log.on_resume_button), _button("log:restart$", log.on_restart_button),
                      wrong_text],
        log.NOTE: [_button("log:nonote$", log.on_no_note_button), MessageHandler(TYPED, log.on_note_text)],
        log.REASON: [_button("reason:", fix.on_reason_button), MessageHandler(TYPED, fix.on_reason_text)],
        notes.TEXT: [CommandHandler("cancel", notes.on_note_cancel), MessageHandler(TYPED, notes.on_bullet_text)],
    }  # fmt: skip
    for handlers in states.values():
        handlers.append(not_text)
    return ConversationHandler(
        entry_points=entry_points(),
        states=states,
        fallbacks=[
            CommandHandler("cancel", log.on_cancel),
            _button("log:cancel$", log.on_cancel),
            *entry_points(),  # /log, a kind command or a correction button mid-flow: resume offer or switch
        ],
        name="log_event",
        persistent=True,
        allow_reentry=False,
    )
