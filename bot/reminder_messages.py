"""What the scheduler says, composed from the message catalog: the reminder, the monthly push, the admin notice.

The `reminders` package decides who gets what and when; this module (the bot side) decides the words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.conversations.missing import month_label_for, reminder_buttons
from bot.conversations.totals import previous_month_totals, same_point_last_year_totals, totals_text
from bot.scope import default_scope, scope_name_of, ward_of
from bot.texts import text
from models.config import Settings
from models.db import session_scope
from models.fiscal import fiscal_year_of, month_end
from models.locks import lock_date
from models.reporting import missing_reporters
from models.sheet.workbook import build_workbook, collect_sheet, default_file_name
from models.tables import Staff
from models.totals import flag_no_data, indicator_totals


def _language(staff: Staff) -> str:
    return staff.language if staff.language in ("ja", "en") else "ja"


class BotMessenger:
    """Implements reminders.jobs.Messenger."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    async def remind(self, bot: Bot, staff: Staff, today: date) -> None:
        lang = _language(staff)
        body = text("nudge", lang, month=month_label_for(today, lang))
        await bot.send_message(staff.telegram_user_id, body, reply_markup=reminder_buttons(today, lang))

    async def push(self, bot: Bot, supervisor: Staff, year: int, month: int) -> None:
        """The month's totals for the supervisor's scope, the change, who did not report, and the sheet."""
        lang = _language(supervisor)
        ward = ward_of(default_scope(supervisor))
        as_of = month_end(year, month)
        threshold = self.settings.regular_meeting_threshold
        async with session_scope(self.sessions) as session:
            totals = await indicator_totals(session, fiscal_year_of(as_of), as_of, ward, threshold)
            totals = await flag_no_data(session, totals)
            previous = await previous_month_totals(session, totals, ward, threshold)
            last_year = await same_point_last_year_totals(session, totals, threshold)
            scope_label = await scope_name_of(session, ward, lang)
            missing = await missing_reporters(session, ward, year, month, as_of)
            sheet = await collect_sheet(session, fiscal_year_of(as_of), as_of, ward, threshold)
        month_label = month_label_for(as_of, lang)
        lines = [
            text("push_header", lang, month=month_label, lock=lock_date(year, month, self.settings.lock_business_days)),
            totals_text(totals, previous, last_year, scope_label, False, lang),
            "",
            text("push_missing", lang, month=month_label, names="、".join(s.display_name for s in missing))
            if missing
            else text("push_all_reported", lang, month=month_label),
        ]
        await bot.send_message(supervisor.telegram_user_id, "\n".join(lines))
        workbook = await asyncio.to_thread(build_workbook, sheet)
        await bot.send_document(supervisor.telegram_user_id, workbook, filename=default_file_name(sheet))

    async def report_unreachable(self, bot: Bot, admin: Staff, unreachable: Sequence[Staff]) -> None:
        names = "\n".join(f"・No.{s.id} {s.display_name}（{s.ward_code or '市'}）" for s in unreachable)
        await bot.send_message(admin.telegram_user_id, text("unreachable_report", _language(admin), names=names))
