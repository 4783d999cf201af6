"""/dashboard and 「📊 ダッシュボード」: an inline button that opens the dashboard (a Telegram Mini App).

Only an inline `web_app` button (or the chat's menu button) opens the page with init data, the member's identity
signed by Telegram that the page's API checks on every request; a reply-keyboard `web_app` button would open it
without, so the menu item answers with the inline button. Without WEBAPP_URL it says the dashboard is not set up.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, Update, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import IntakeContext, language, show
from bot.keyboards import menu_texts
from bot.scope import is_supervisor
from bot.texts import JA, text
from models.config import Settings

log = logging.getLogger(__name__)


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("dashboard", on_dashboard),
        MessageHandler(filters.Text(menu_texts("menu_dashboard")), on_dashboard),
    ]


async def on_dashboard(update: Update, context: IntakeContext) -> None:
    """The button that opens the page (a supervisor's scope, or a worker's own month), or why there is none."""
    lang = language(update)
    url = context.settings.webapp_url
    if not url:
        await show(update, text("dashboard_not_set_up", lang))
        return
    button = InlineKeyboardButton(text("button_dashboard", lang), web_app=WebAppInfo(url))
    key = "dashboard_open" if is_supervisor(context.staff) else "dashboard_open_worker"
    await show(update, text(key, lang), InlineKeyboardMarkup([[button]]))


async def set_menu_button(application: Application[Any, IntakeContext, Any, Any, Any, Any], settings: Settings) -> None:
    """With WEBAPP_URL: the bots' default menu button (every private chat without one of its own) opens the page.

    One request at start-up rather than one per member: a member registered later has it too, and the page's API
    refuses anyone who is not an active member. A failure is logged and start-up goes on (the command still works).
    """
    if not settings.webapp_url:
        return
    button = MenuButtonWebApp(text("dashboard_menu_button", JA), WebAppInfo(settings.webapp_url))
    try:
        await application.bot.set_chat_menu_button(menu_button=button)
    except TelegramError as error:
        log.warning("could not set the dashboard's menu button: %s", error)
