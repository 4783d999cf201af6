"""/chart and /sheet: the supervisor's scope as a picture (this year against last) and as the filled workbook."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback, in_rows, indicator_label, indicator_rows, inline, menu_texts
from bot.render_pool import RenderPool, SheetFile
from bot.scope import (
    CITY,
    default_scope,
    is_city_wide,
    is_supervisor,
    refuse_button,
    scope_allowed,
    scope_name_of,
    ward_of,
)
from bot.texts import text
from models.catalog import INDICATORS, INDICATORS_BY_CODE
from models.db import session_scope
from models.fiscal import as_of_label, fiscal_year_of, month_end, parse_year_month, previous_month_end
from models.fiscal import today as japan_today
from models.reference import ward_exists, wards_in_order
from models.sheet.build import SheetRequest
from models.sheet.data import collect_chart

log = logging.getLogger(__name__)

CHART = Callback("chart")  # chart:<indicator code>[:<scope>]; `chart` alone: the indicators again (◀ 戻る)
WARD_CODE_LENGTH = 5  # 27102


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("chart", on_chart),
        MessageHandler(filters.Text(menu_texts("menu_chart")), on_chart),
        CallbackQueryHandler(on_chart_indicator, pattern=CHART.pattern),
        CommandHandler("sheet", on_sheet),
        MessageHandler(filters.Text(menu_texts("menu_sheet")), on_sheet),
    ]


async def on_chart(update: Update, context: IntakeContext) -> None:
    """Which indicator to draw: one button per indicator of the sheet."""
    lang = language(update)
    if not is_supervisor(context.staff):
        await show(update, text("totals_workers", lang))
        return
    rows = indicator_rows(lambda indicator: CHART(indicator.code), lang)
    await show(update, text("chart_choose", lang), inline(rows))


async def on_chart_indicator(update: Update, context: IntakeContext) -> None:
    """chart:<code>[:<scope>] — this fiscal year against last, monthly, as a picture.

    A ward supervisor's chart is their ward's; a city supervisor first chooses the city or a ward.
    """
    query = update.callback_query
    if CHART.args(update) == []:  # 「◀ 戻る」 under the wards: the indicators again
        await on_chart(update, context)
        return
    code, _, scope = CHART.arg(update).partition(":")
    member = context.staff
    if not is_supervisor(member) or code not in {i.code for i in INDICATORS}:
        await refuse_button(update)
        return
    if not scope and is_city_wide(member):
        await _choose_chart_scope(update, context, code)
        return
    scope = scope or default_scope(member)
    if not scope_allowed(member, scope) or not await _known_scope(context, scope):
        await refuse_button(update)
        return
    assert query is not None
    await query.answer()
    lang = language(update)
    ward_code = ward_of(scope)
    fiscal_year = fiscal_year_of(japan_today())
    threshold = context.settings.regular_meeting_threshold
    async with session_scope(context.sessions) as session:
        figures = await collect_chart(session, fiscal_year, ward_code, threshold)
        scope_name = await scope_name_of(session, ward_code, lang)
    png = await context.render_pool.chart(  # matplotlib in a worker
        [code], figures.this_year, figures.last_year, scope_name, figures.same_day
    )
    label = indicator_label(INDICATORS_BY_CODE[code], lang)
    caption = text("chart_caption", lang, label=label, scope=scope_name)
    if figures.this_year.no_data or figures.last_year.no_data:
        caption += "\n" + text("no_data_footnote", lang)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(png, caption=caption)


async def _choose_chart_scope(update: Update, context: IntakeContext, code: str) -> None:
    """For city supervisors: the whole city or one of the 24 wards."""
    lang = language(update)
    async with session_scope(context.sessions) as session:
        wards = await wards_in_order(session)
    choices = [(w.name_ja if lang == "ja" else w.name_en, CHART(code, w.code)) for w in wards]
    back = [(text("button_back", lang), CHART())]
    rows = [[(text("button_city", lang), CHART(code, CITY))], *in_rows(choices, 3), back]
    await show(update, text("chart_choose_ward", lang), inline(rows))


async def _known_scope(context: IntakeContext, scope: str) -> bool:
    if scope == CITY:
        return True
    async with session_scope(context.sessions) as session:
        return await ward_exists(session, scope)


async def on_sheet(update: Update, context: IntakeContext) -> None:
    """/sheet [WARD] [YYYY-MM]: the filled progress sheet (.xlsx), now or as of a month end.

    The member's scope by default; city supervisors may name a ward (`/sheet 27102 2025-10`).
    """
    lang = language(update)
    if not is_supervisor(context.staff):
        await show(update, text("totals_workers", lang))
        return
    request = await _sheet_request(context, context.args or [])
    if request is None:
        await show(update, text("sheet_usage", lang))
        return
    as_of, scope = request
    sheet_request = SheetRequest(
        fiscal_year_of(as_of),
        as_of,
        ward_of(scope),
        context.settings.regular_meeting_threshold,
        context.settings.lock_business_days,
    )
    await show(update, text("sheet_building", lang))
    chat = update.effective_chat
    assert chat is not None
    try:
        await send_sheet(context.bot, chat.id, context.sessions, context.render_pool, sheet_request, lang)
    except ValueError:
        await show(update, text("sheet_usage", lang))
        return
    log.info("sheet sent fy=%s as_of=%s scope=%s staff=%s", sheet_request.fiscal_year, as_of, scope, context.staff.id)


async def send_sheet(
    bot: Bot,
    chat_id: int,
    sessions: async_sessionmaker[AsyncSession],
    pool: RenderPool,
    request: SheetRequest,
    lang: str,
) -> SheetFile:
    """Build the workbook in the render pool (never on the event loop) and send it to the chat with its caption;
    ValueError for a request the sheet cannot be built for (/sheet and the dashboard's 「Excelで送る」)."""
    sheet = await pool.sheet(sessions, request)
    built = sheet.built
    caption = text(
        "sheet_caption",
        lang,
        as_of=as_of_label(built.as_of),
        scope=built.scope_label,
        final=text("totals_final", lang) if built.from_snapshot else "",
    )
    await bot.send_document(chat_id, sheet.content, filename=sheet.file_name, caption=caption)
    return sheet


async def _sheet_request(context: IntakeContext, args: list[str]) -> tuple[date, str] | None:
    """The as-of date and scope of `/sheet [WARD] [YYYY-MM]`; None for anything unreadable or out of scope."""
    scope = default_scope(context.staff)
    if args and args[0].isdigit() and len(args[0]) == WARD_CODE_LENGTH:
        scope, args = args[0], args[1:]
        if not scope_allowed(context.staff, scope) or not await _known_scope(context, scope):
            return None
    if len(args) > 1:
        return None
    today = japan_today()
    month = parse_year_month(args[0]) if args else None
    if (args and month is None) or (month and month_end(*month) >= today):
        return None
    # The sheet is always 「●月末時点」: without a month, the last complete month end.
    return (month_end(*month) if month else previous_month_end(today)), scope
