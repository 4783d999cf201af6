"""What the scheduler says, composed from the message catalog: the reminder, the monthly push, the admin notice.

The `reminders` package decides who gets what and when; this module (the bot side) decides the words.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup

from bot.conversations import followups
from bot.conversations.missing import MISSING_LIST, reminder_buttons
from bot.conversations.totals import totals_text
from bot.keyboards import inline
from bot.long_answer import PAGE_LINES, TEXT_LIMIT, grouped, split_message, telegram_length
from bot.push_summary import summary_lines
from bot.render_pool import RenderPool
from bot.scope import default_scope, scope_name_of, ward_of
from bot.texts import month_label, text
from models.config import Settings
from models.db import session_factory, session_scope
from models.fiscal import fiscal_year_of, month_end
from models.fiscal import today as japan_today
from models.followups import DuePlan
from models.locks import lock_date
from models.overview import month_completeness, previous_month_totals, same_point_last_year_totals
from models.push_summary import ReviewState, SummaryInputs, review_state, summarise
from models.sheet.build import BuiltSheet, DatabaseTarget, SheetRequest, database_target
from models.tables import Staff
from models.totals import Totals, flag_no_data, indicator_totals
from models.who_reported import NOTHING_EXPECTED, Completeness, missing_reporters

T = TypeVar("T")
Send = Callable[[Staff], Awaitable[None]]


def _language(staff: Staff) -> str:
    return staff.language if staff.language in ("ja", "en") else "ja"


class BotMessenger:
    """Implements reminders.jobs.Messenger; workbooks are built by the bot's render pool."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings, pool: RenderPool) -> None:
        self.sessions = sessions
        self.settings = settings
        self.pool = pool

    async def remind(self, bot: Bot, staff: Staff, today: date) -> None:
        lang = _language(staff)
        body = text("nudge", lang, month=month_label(today.year, today.month, lang, with_year=False))
        await bot.send_message(staff.telegram_user_id, body, reply_markup=reminder_buttons(today, lang))

    async def remind_followups(self, bot: Bot, staff: Staff, plans: Sequence[DuePlan], today: date) -> None:
        await followups.send_reminder(bot, staff, plans, today)

    async def ask_handover(self, bot: Bot, supervisor: Staff, member: Staff, count: int) -> None:
        await followups.send_handover_needed(bot, supervisor, member, count)

    async def tell_new_holder(self, bot: Bot, staff: Staff, from_name: str, count: int) -> None:
        await followups.send_handover_received(bot, staff, from_name, count)

    @asynccontextmanager
    async def monthly_push(self, bot: Bot, year: int, month: int) -> AsyncIterator[Send]:
        """The month's push to one supervisor at a time; each scope's figures and workbook are made once."""
        async with session_scope(self.sessions) as session:
            database = await database_target(session)
        push = MonthlyPush(self, bot, year, month, database, self.pool.scratch_directory())
        try:
            yield push.send
        finally:
            await push.close()

    async def report_unreachable(self, bot: Bot, admin: Staff, unreachable: Sequence[Staff]) -> None:
        """Who blocked the bot; a long list in several messages (there is nothing to page it from later)."""
        lang = _language(admin)
        names = [f"・No.{s.id} {s.display_name}（{s.ward_code or '市'}）" for s in unreachable]
        for part in split_message(text("unreachable_report", lang, names="").rstrip(), names, lang):
            await bot.send_message(admin.telegram_user_id, part)


@dataclass(frozen=True)
class ScopeFigures:
    """What the push says about one scope, the same for every supervisor of it."""

    totals: Totals
    previous: Totals | None
    last_year: Totals  # the same point a year before (前年同期)
    missing: list[tuple[str | None, str]]  # ward code and display name of who did not report
    completeness: dict[str, Completeness]  # per ward: who reported of those expected, how many before the lock
    review: ReviewState  # issue 22 parts 3 and 4: flagged entries, wards not confirmed (not known yet)


def push_figures(
    database: DatabaseTarget, ward: str | None, year: int, month: int, threshold: int, lock_business_days: int
) -> ScopeFigures:
    """Runs in a worker process: a scope's month-end totals, the month before, a year before, who did not report and
    how complete each ward's month is."""
    return asyncio.run(_push_figures(database, ward, year, month, threshold, lock_business_days))


async def _push_figures(
    database: DatabaseTarget, ward: str | None, year: int, month: int, threshold: int, lock_business_days: int
) -> ScopeFigures:
    as_of = month_end(year, month)
    async with database.engine() as engine, session_scope(session_factory(engine)) as session:
        totals = await indicator_totals(session, fiscal_year_of(as_of), as_of, ward, threshold)
        totals = await flag_no_data(session, totals)
        previous = await previous_month_totals(session, totals, ward, threshold)
        last_year = await same_point_last_year_totals(session, totals, threshold)
        missing = await missing_reporters(session, ward, year, month, as_of)
        reported = await month_completeness(session, as_of, ward, lock_business_days, as_of)
        review = await review_state(session, ward, year, month, as_of)
    people = [(staff.ward_code, staff.display_name) for staff in missing]
    return ScopeFigures(totals, previous, last_year, people, reported, review)


def push_messages(
    head: str,
    missing: list[tuple[str | None, str]],
    ward_names: dict[str | None, str],
    supervisor: Staff,
    button: InlineKeyboardMarkup,
    month: str,
    lang: str,
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The push's text: the totals and who did not report — their names when they fit one message, else the count
    per ward (the supervisor's own first) and a button to the /missing pages (a city's ~450 names)."""
    if not missing:
        return [("\n".join([head, "", text("push_all_reported", lang, month=month)]), None)]
    names = "、".join(name for _ward, name in missing)
    whole = "\n".join([head, "", text("push_missing", lang, month=month, names=names)])
    if len(missing) <= PAGE_LINES and telegram_length(whole) <= TEXT_LIMIT:
        return [(whole, None)]
    counts = [
        text("missing_ward_count", lang, title=ward_names[code], count=len(people))
        for code, people in grouped(missing, lambda m: m[0], first=supervisor.ward_code)
    ]
    summary = ["", text("push_missing_count", lang, month=month, count=len(missing)), *counts]
    return [(part, button) for part in split_message(head, summary, lang)]


class MonthlyPush:
    """One month's push: per scope (each ward, the city) the figures once and the workbook once, built lazily by
    the first supervisor's send (a re-run that finds everyone served builds nothing)."""

    def __init__(
        self, messenger: BotMessenger, bot: Bot, year: int, month: int, database: DatabaseTarget, directory: Path
    ) -> None:
        self.messenger, self.bot, self.year, self.month = messenger, bot, year, month
        self.database, self.directory = database, directory
        self.as_of = month_end(year, month)
        self.figures: dict[str | None, asyncio.Task[ScopeFigures]] = {}
        self.sheets: dict[str | None, asyncio.Task[BuiltSheet]] = {}

    async def send(self, supervisor: Staff) -> None:
        """The month's totals for the supervisor's scope, the change, who did not report, and the sheet."""
        lang = _language(supervisor)
        scope = default_scope(supervisor)
        ward = ward_of(scope)
        figures = await self._once(self.figures, ward, self._figures)
        async with session_scope(self.messenger.sessions) as session:
            scope_label = await scope_name_of(session, ward, lang)
            ward_names = {code: await scope_name_of(session, code, lang) for code, _name in figures.missing}
            summary = summarise(SummaryInputs(figures.totals, figures.last_year, figures.completeness, figures.review))
            named = {*figures.completeness, *figures.totals.by_ward, *(figures.review.wards_not_confirmed or ())}
            names = {code: await scope_name_of(session, code, lang) for code in sorted(named)}
        month = month_label(self.as_of.year, self.as_of.month, lang, with_year=False)
        lock = lock_date(self.year, self.month, self.messenger.settings.lock_business_days)
        head = "\n".join(
            [
                text("push_header", lang, month=month, lock=lock),
                *summary_lines(summary, names, month, lang),
                "",
                totals_text(
                    figures.totals,
                    figures.previous,
                    figures.last_year,
                    scope_label,
                    False,
                    lang,
                    sum(figures.completeness.values(), NOTHING_EXPECTED),
                ),
            ]
        )
        head += await self._followup_counts(ward, lang)
        button = inline([[(text("button_missing_list", lang), MISSING_LIST(f"{self.as_of:%Y-%m}", scope))]])
        for body, markup in push_messages(head, figures.missing, ward_names, supervisor, button, month, lang):
            await self.bot.send_message(supervisor.telegram_user_id, body, reply_markup=markup)
        sheet = await self._once(self.sheets, ward, self._sheet)
        await self.bot.send_document(supervisor.telegram_user_id, sheet.path, filename=sheet.file_name)

    async def _followup_counts(self, ward: str | None, lang: str) -> str:
        """The scope's follow-ups due this week and overdue (per worker, or per ward for the city); nothing if none."""
        async with session_scope(self.messenger.sessions) as session:
            _head, lines = await followups.overdue_lines(session, ward, japan_today(), lang)
        return "\n\n" + "\n".join([text("push_followups", lang), *lines]) if lines else ""

    @staticmethod
    async def _once(
        made: dict[str | None, asyncio.Task[T]], ward: str | None, make: Callable[[str | None], Awaitable[T]]
    ) -> T:
        if ward not in made:
            made[ward] = asyncio.ensure_future(make(ward))
        return await asyncio.shield(made[ward])

    async def _figures(self, ward: str | None) -> ScopeFigures:
        """In the render pool too: assembling the totals of 25 scopes would hold the bot's event loop."""
        settings = self.messenger.settings
        return await self.messenger.pool.run(
            push_figures,
            self.database,
            ward,
            self.year,
            self.month,
            settings.regular_meeting_threshold,
            settings.lock_business_days,
        )

    async def _sheet(self, ward: str | None) -> BuiltSheet:
        settings = self.messenger.settings
        request = SheetRequest(
            fiscal_year_of(self.as_of),
            self.as_of,
            ward,
            settings.regular_meeting_threshold,
            settings.lock_business_days,
        )
        return await self.messenger.pool.sheet_file(self.database, request, self.directory)

    async def close(self) -> None:
        """Wait for builds nobody is waiting for any more, then remove the push's files."""
        for task in [*self.figures.values(), *self.sheets.values()]:
            task.cancel()
        await asyncio.gather(*self.figures.values(), *self.sheets.values(), return_exceptions=True)
        await asyncio.to_thread(shutil.rmtree, self.directory, True)
