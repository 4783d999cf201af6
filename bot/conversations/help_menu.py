"""Help, /cancel outside a flow, and the answer to anything a registered person sends that no feature takes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import IntakeContext, language, show
from bot.keyboards import main_menu, menu_texts
from bot.scope import is_city_wide, is_supervisor
from bot.texts import text


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """/help and ❓ ヘルプ, /cancel when nothing is in progress."""
    return [
        CommandHandler("help", on_help),
        MessageHandler(filters.Text(menu_texts("menu_help")), on_help),
        CommandHandler("cancel", on_cancel_outside_flow),
    ]


def leftovers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """Last of all: any other message gets the help and the menu."""
    return [MessageHandler(filters.ALL, on_anything_else)]


async def on_help(update: Update, context: IntakeContext) -> None:
    lang = language(update)
    await show(update, help_text(context, lang), main_menu(lang, is_supervisor(context.staff)))


def help_text(context: IntakeContext, lang: str) -> str:
    """The worker's help; supervisors' adds their commands, city supervisors' the city's."""
    body = text("help", lang, minutes=context.settings.undo_minutes)
    if is_supervisor(context.staff):
        body += text("help_supervisor", lang)
    if is_city_wide(context.staff):
        body += text("help_city", lang)
    return body


async def on_cancel_outside_flow(update: Update, context: IntakeContext) -> None:
    lang = language(update)
    await show(update, text("nothing_to_cancel", lang), main_menu(lang, is_supervisor(context.staff)))


async def on_anything_else(update: Update, context: IntakeContext) -> None:
    """Anything else a registered person sends outside a flow: point to the menu."""
    if update.message is None:
        return
    lang = language(update)
    await update.message.reply_text(
        help_text(context, lang), reply_markup=main_menu(lang, is_supervisor(context.staff))
    )
