"""The one wiring place: build the python-telegram-bot Application with every handler, in order."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.commands import register_default_commands
from bot.context import FLOW_KEYS, RENDER_POOL, RUNTIME, IntakeContext, Runtime, language, show
from bot.conversations import admin, corrections, missing, notes, reminder_settings, reopen, reports, totals
from bot.conversations.flow import build_log_conversation
from bot.conversations.log_event import SAVE_BUTTON, idempotency_key
from bot.conversations.register import on_start
from bot.errors import on_error
from bot.guards import admit
from bot.health import TRACK_GROUP, on_health, track_update
from bot.keyboards import main_menu, menu_texts
from bot.persistence import DatabasePersistence
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from bot.scope import is_city_wide, is_supervisor
from bot.texts import text
from models.config import TOKYO
from models.db import session_scope
from models.entries.read import entry_id_for_key
from models.reference import remember_area_names
from reminders.jobs import ReminderRuntime, schedule_daily_run

log = logging.getLogger(__name__)

GUARD_GROUP, FEATURE_GROUP = -1, 0
IntakeApplication = Application[Any, IntakeContext, dict[str, Any], dict[str, Any], dict[str, Any], Any]


class ApplicationWithRenderPool(Application[Any, IntakeContext, dict[str, Any], dict[str, Any], dict[str, Any], Any]):
    """The Application whose shutdown also stops the render pool's worker processes (no process outlives it)."""

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            pool: RenderPool | None = self.bot_data.get(RENDER_POOL)
            if pool is not None:
                await asyncio.to_thread(pool.shutdown)


def build_application(
    runtime: Runtime, token: str, *, request: BaseRequest | None = None, rate_limited: bool = True
) -> IntakeApplication:
    """The bot: guard first, then features, then the answers for anything left over (order matters)."""
    settings = runtime.settings
    builder = (
        Application.builder()
        .application_class(ApplicationWithRenderPool)
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .context_types(ContextTypes(context=IntakeContext))
        .defaults(Defaults(tzinfo=TOKYO))
        .persistence(DatabasePersistence(runtime.sessions, update_interval=settings.persistence_interval))
        .post_init(_post_init)
    )
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: IntakeApplication = builder.build()
    application.bot_data[RUNTIME] = runtime
    application.bot_data[RENDER_POOL] = RenderPool(settings.render_workers)  # processes start on first use
    add_handlers(application)
    return application


def add_handlers(application: IntakeApplication) -> None:
    application.add_handler(TypeHandler(Update, track_update), group=TRACK_GROUP)  # log ids, heartbeat
    application.add_handler(TypeHandler(Update, admit), group=GUARD_GROUP)
    features: list[BaseHandler[Any, IntakeContext, Any]] = [
        CommandHandler("start", on_start),
        build_log_conversation(),  # before the plain commands: it keeps drafts when /mine etc. come mid-flow
        CommandHandler("mine", corrections.on_mine),
        MessageHandler(filters.Text(menu_texts("menu_mine")), corrections.on_mine),
        CommandHandler("undo", corrections.on_undo),
        CommandHandler("help", on_help),
        MessageHandler(filters.Text(menu_texts("menu_help")), on_help),
        CommandHandler("cancel", on_cancel_outside_flow),
        CommandHandler("invite", admin.on_invite),
        CommandHandler("staff", admin.on_staff),
        CallbackQueryHandler(admin.on_staff_page, pattern=admin.STAFF_PAGE.pattern),
        CommandHandler("deactivate", admin.on_deactivate),
        CommandHandler("health", on_health),
        *totals.handlers(),
        *missing.handlers(),
        *reopen.handlers(),
        *reports.handlers(),
        CommandHandler("reminders", reminder_settings.on_reminders),
        CallbackQueryHandler(reminder_settings.on_reminders_button, pattern=reminder_settings.REMINDERS_BUTTON.pattern),
        CommandHandler("leave", reminder_settings.on_leave),
        *notes.handlers(),
        # Last in the group, so they run only when nothing above took the update:
        CallbackQueryHandler(on_stale_button),
        MessageHandler(filters.ALL, on_anything_else),
    ]
    application.add_handlers(features, group=FEATURE_GROUP)
    application.add_error_handler(on_error)


async def _post_init(application: IntakeApplication) -> None:
    """At start-up (polling or webhook): command menus, area names for the privacy guard, the daily job."""
    await register_default_commands(application.bot)
    runtime: Runtime = application.bot_data[RUNTIME]
    async with session_scope(runtime.sessions) as session:
        await remember_area_names(session)  # place names the guard must not read as people's names
    messenger = BotMessenger(runtime.sessions, runtime.settings, application.bot_data[RENDER_POOL])
    reminders = ReminderRuntime(runtime.sessions, runtime.settings, messenger)
    if application.job_queue is not None:
        schedule_daily_run(application.job_queue, reminders)  # and, just after start, today's missed run


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


async def on_stale_button(update: Update, context: IntakeContext) -> None:
    """A button no live menu owns (from before a restart, or pressed twice): always answered, never spinning."""
    query = update.callback_query
    assert query is not None
    lang = language(update)
    body = text("expired", lang)
    if query.data and query.data.startswith(("log:", "reason:")) and _entry_open(context):
        body = text("other_step_button", lang)  # an older message's button while the entry is still open
    if SAVE_BUTTON.args(update):
        saved = await _saved_event_id(context, update, SAVE_BUTTON.arg(update))
        if saved is not None:
            body = text("already_saved", lang, id=saved)
    await query.answer(body, show_alert=True)


def _entry_open(context: IntakeContext) -> bool:
    """Whether the person is in the middle of an entry, a void or correction, or a bullet of the sheet's text."""
    user_data = context.user_data or {}
    return any(user_data.get(key) is not None for key in FLOW_KEYS)


async def _saved_event_id(context: IntakeContext, update: Update, draft_id: str) -> int | None:
    async with session_scope(context.sessions) as session:
        return await entry_id_for_key(session, idempotency_key(update, draft_id))


async def on_anything_else(update: Update, context: IntakeContext) -> None:
    """Anything else a registered person sends outside a flow: point to the menu."""
    if update.message is None:
        return
    lang = language(update)
    await update.message.reply_text(
        help_text(context, lang), reply_markup=main_menu(lang, is_supervisor(context.staff))
    )
