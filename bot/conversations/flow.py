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
        CommandHandler("log", log.start_log),
        MessageHandler(filters.Text(menu_texts("menu_log")), log.start_log),
        MessageHandler(filters.Text(menu_texts("menu_repeat")), log.repeat_last),
        *(CommandHandler(command, _kind_command(kind)) for command, kind in KIND_COMMANDS.items()),
        _button("void:", fix.start_void),
        _button("fix:", fix.start_fix),
        CommandHandler("void", fix.void_command),
        _button("log:resume$", log.resume),
        _button("log:restart$", log.restart),
        _button("log:new$", log.start_log),  # 「記録する」 under a reminder
        _button("note:add:", notes.ask_bullet),  # a supervisor types a bullet of the sheet's text
    ]


def build_log_conversation() -> ConversationHandler[Any]:
    """Every state answers wrong input and stays; /cancel and 中止 end it; entry commands mid-flow offer to resume."""
    wrong_text = MessageHandler(TYPED, log.use_buttons)
    not_text = MessageHandler(NOT_TEXT, log.text_only)
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        log.KIND: [_button("log:kind:", log.choose_kind), wrong_text],
        log.AREA: [_button("log:area:", log.choose_area), _button("log:page:", log.turn_area_page),
                   MessageHandler(TYPED, log.type_area)],
        log.HOUSEHOLD: [_button("log:newhh$", log.issue_household), _button("log:skiphh$", log.skip_household),
                        MessageHandler(TYPED, log.type_household)],
        log.DATE: [_button("log:date:", log.choose_date), MessageHandler(TYPED, log.type_date)],
        log.COUNT: [_button("log:count:", log.choose_count), MessageHandler(TYPED, log.type_count)],
        log.ANSWER: [_button("log:answer:", log.choose_answer), wrong_text],
        log.CONFIRM: [_button("log:save:", log.save), _button("log:edit:", log.edit_field),
                      _button("log:resume$", log.resume), _button("log:restart$", log.restart), wrong_text],
        log.NOTE: [_button("log:nonote$", log.no_note), MessageHandler(TYPED, log.type_note)],
        log.REASON: [_button("reason:", fix.choose_reason), MessageHandler(TYPED, fix.type_reason)],
        notes.TEXT: [CommandHandler("cancel", notes.stop), MessageHandler(TYPED, notes.type_bullet)],
    }  # fmt: skip
    for handlers in states.values():
        handlers.append(not_text)
    return ConversationHandler(
        entry_points=entry_points(),
        states=states,
        fallbacks=[
            CommandHandler("cancel", log.cancel),
            _button("log:cancel$", log.cancel),
            *entry_points(),  # /log, a kind command or a correction button mid-flow: resume offer or switch
        ],
        name="log_event",
        persistent=True,
        allow_reentry=False,
    )
