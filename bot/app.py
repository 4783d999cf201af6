"""The one wiring place: build the python-telegram-bot Application with every handler, in order."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot import health
from bot.commands import register_default_commands
from bot.context import FIGURES_POOL, FIGURES_STARTING, RENDER_POOL, RUNTIME, IntakeContext, Runtime
from bot.conversations import (
    admin,
    approval,
    corrections,
    coverage,
    dashboard,
    flagged,
    flow,
    followups,
    help_menu,
    missing,
    notes,
    register,
    reminder_settings,
    reopen,
    reports,
    totals,
)
from bot.errors import on_error
from bot.guards import admit
from bot.health import TRACK_GROUP, track_update
from bot.persistence import DatabasePersistence
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from models.config import TOKYO
from models.db import session_scope
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
            for key in (RENDER_POOL, FIGURES_POOL):
                pool: RenderPool | None = self.bot_data.get(key)
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
    elif settings.telegram_proxy:  # the outbound proxy for the Bot API (docs/operations.md)
        builder = builder.proxy(settings.telegram_proxy).get_updates_proxy(settings.telegram_proxy)
    application: IntakeApplication = builder.build()
    application.bot_data[RUNTIME] = runtime
    application.bot_data[RENDER_POOL] = RenderPool(settings.render_workers)  # processes start on first use
    application.bot_data[FIGURES_POOL] = RenderPool(1)  # the dashboard's figures: started by its first request
    add_handlers(application)
    return application


def add_handlers(application: IntakeApplication) -> None:
    """Ids for the logs, then the guard, then every feature's handlers in order, then the answers for the rest."""
    application.add_handler(TypeHandler(Update, track_update), group=TRACK_GROUP)  # log ids, heartbeat
    application.add_handler(TypeHandler(Update, admit), group=GUARD_GROUP)
    features: list[BaseHandler[Any, IntakeContext, Any]] = [
        *register.handlers(),
        *flow.handlers(),  # before the plain commands: it keeps drafts when /mine etc. come mid-flow
        *corrections.handlers(),
        *help_menu.handlers(),
        *admin.handlers(),
        *health.handlers(),
        *totals.handlers(),
        *coverage.handlers(),
        *missing.handlers(),
        *reopen.handlers(),
        *reports.handlers(),
        *reminder_settings.handlers(),
        *notes.handlers(),
        *followups.handlers(),  # 📅 予定, /plan, /handover and the follow-up buttons
        *flagged.handlers(),  # /flagged: entries with a count far above the usual, to review
        *approval.handlers(),  # /confirm, /accept, /return: a ward's month confirmed and accepted
        *dashboard.handlers(),  # /dashboard: the button that opens the page (a Mini App)
        # Last in the group, so they run only when nothing above took the update:
        *flow.stale_buttons(),
        *help_menu.leftovers(),
    ]
    application.add_handlers(features, group=FEATURE_GROUP)
    application.add_error_handler(on_error)


async def _post_init(application: IntakeApplication) -> None:
    """At start-up (polling or webhook): command menus, area names for the privacy guard, the daily job, the
    dashboard's menu button."""
    await register_default_commands(application.bot)
    runtime: Runtime = application.bot_data[RUNTIME]
    async with session_scope(runtime.sessions) as session:
        await remember_area_names(session)  # place names the guard must not read as people's names
    messenger = BotMessenger(runtime.sessions, runtime.settings, application.bot_data[RENDER_POOL])
    reminders = ReminderRuntime(runtime.sessions, runtime.settings, messenger)
    if application.job_queue is not None:
        schedule_daily_run(application.job_queue, reminders)  # and, just after start, today's missed run
    health.schedule_heartbeat(application)  # the row `intake health` reads, once a minute
    await dashboard.set_menu_button(application, runtime.settings)  # with WEBAPP_URL: the page from the menu
    if runtime.settings.webapp_url:  # the figures process started now, not while the first supervisor waits
        started = asyncio.get_running_loop().create_task(application.bot_data[FIGURES_POOL].run(os.getpid))
        application.bot_data[FIGURES_STARTING] = started  # kept: a task nobody holds may be collected
