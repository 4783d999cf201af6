"""/chart and /sheet: the supervisor's scope as a picture (this year against last) and as the filled workbook."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback, in_rows, inline
from bot.scope import default_scope, is_supervisor, refuse_button, scope_name_of, ward_of
from bot.texts import text
from models.catalog import INDICATORS
from models.db import session_scope
from models.fiscal import as_of_label, fiscal_year_of, month_end, parse_year_month
from models.fiscal import today as japan_today
from models.sheet.chart import render_chart
from models.sheet.workbook import build_workbook, collect_sheet, default_file_name
from models.totals import indicator_totals

log = logging.getLogger(__name__)

CHART = Callback("chart")  # chart:<indicator code>


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("chart", on_chart),
        CallbackQueryHandler(on_chart_indicator, pattern=CHART.pattern),
        CommandHandler("sheet", on_sheet),
    ]


async def on_chart(update: Update, context: IntakeContext) -> None:
    """Which indicator to draw: one button per indicator of the sheet."""
    lang = language(update)
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", lang))
        return
    choices = [(indicator.short_label, CHART(indicator.code)) for indicator in INDICATORS]
    await show(update, text("chart_choose", lang), inline(in_rows(choices, 1)))


async def on_chart_indicator(update: Update, context: IntakeContext) -> None:
    """chart:<code> — this fiscal year against last, monthly, for the member's scope, as a picture."""
    query = update.callback_query
    code = CHART.arg(update)
    if not is_supervisor(context.member) or code not in {i.code for i in INDICATORS}:
        await refuse_button(update)
        return
    assert query is not None
    await query.answer()
    lang = language(update)
    ward_code = ward_of(default_scope(context.member))
    fiscal_year = fiscal_year_of(japan_today())
    threshold = context.settings.regular_meeting_threshold
    async with session_scope(context.sessions) as session:
        this_year = await indicator_totals(session, fiscal_year, None, ward_code, threshold)
        last_year = await indicator_totals(session, fiscal_year - 1, None, ward_code, threshold)
        scope_name = await scope_name_of(session, ward_code, lang)
    png = await asyncio.to_thread(render_chart, [code], this_year, last_year, scope_name)  # keeps the bot responsive
    label = next(i.short_label for i in INDICATORS if i.code == code)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(png, caption=text("chart_caption", lang, label=label, scope=scope_name))


async def on_sheet(update: Update, context: IntakeContext) -> None:
    """/sheet [YYYY-MM]: the filled progress sheet (.xlsx) for the member's scope, now or as of a month end."""
    lang = language(update)
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", lang))
        return
    today = japan_today()
    args = context.args or []
    month = parse_year_month(args[0]) if args else None
    if (args and month is None) or (month and month_end(*month) >= today):
        await show(update, text("sheet_usage", lang))
        return
    as_of = month_end(*month) if month else today
    scope = default_scope(context.member)
    try:
        async with session_scope(context.sessions) as session:
            data = await collect_sheet(session, fiscal_year_of(as_of), as_of, ward_of(scope),
                                       context.settings.regular_meeting_threshold)  # fmt: skip
    except ValueError:
        await show(update, text("sheet_usage", lang))
        return
    workbook = await asyncio.to_thread(build_workbook, data)  # openpyxl is CPU-bound: keep the bot responsive
    caption = text("sheet_caption", lang, as_of=as_of_label(data.as_of), scope=data.scope_label,
                   final=text("totals_final", lang) if data.from_snapshot else "")  # fmt: skip
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(workbook, filename=default_file_name(data), caption=caption)
    log.info("sheet sent fy=%s as_of=%s scope=%s staff=%s", data.fiscal_year, as_of, scope, context.member.id)
