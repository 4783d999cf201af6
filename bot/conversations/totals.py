"""/totals: the indicators for a scope, edited in place as the supervisor switches year, month and ward.

Every button carries its whole request (`tot:<fy>:<yyyymm>:<scope>`), so a button from before a restart
still works, and every press is checked against the presser's scope (callback data can be forged).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback, Choice, in_rows, inline
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
from models.catalog import INDICATORS, SHEETS
from models.db import session_scope
from models.fiscal import as_of_label, fiscal_months, fiscal_year_label, fiscal_year_of, month_end, previous_month_end
from models.fiscal import today as japan_today
from models.reference import wards_in_order
from models.snapshots import totals_as_of
from models.tables import Staff
from models.totals import IndicatorValue, Totals, sheet_notation

FIRST_PLAN_YEAR = 2024
TOTALS = Callback("tot")  # tot:<fy>:<yyyymm|now>:<scope>
WARDS = Callback("totw")  # totw:<fy>:<yyyymm>


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("totals", on_totals),
        CallbackQueryHandler(on_totals_button, pattern=TOTALS.pattern),
        CallbackQueryHandler(on_wards_button, pattern=WARDS.pattern),
    ]


async def on_totals(update: Update, context: IntakeContext) -> None:
    """The current fiscal year as of today, for the member's scope."""
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", language(update)))
        return
    today = japan_today()
    await _show_totals(update, context, fiscal_year_of(today), None, default_scope(context.member))


async def on_totals_button(update: Update, context: IntakeContext) -> None:
    """tot:<fy>:<yyyymm|now>:<scope> — another year, month or ward, edited into the same message."""
    parsed = _parse_totals_data(update)
    if parsed is None or not is_supervisor(context.member) or not scope_allowed(context.member, parsed[2]):
        await refuse_button(update)
        return
    await _show_totals(update, context, *parsed)


def _parse_totals_data(update: Update) -> tuple[int, date | None, str] | None:
    args = TOTALS.args(update) or []
    if len(args) != 3 or not args[0].isdigit():
        return None
    fiscal_year, month, scope = int(args[0]), args[1], args[2]
    today = japan_today()
    if not FIRST_PLAN_YEAR <= fiscal_year <= fiscal_year_of(today):
        return None
    if month == "now":
        return fiscal_year, None, scope
    if not (month.isdigit() and len(month) == 6 and (int(month[:4]), int(month[4:])) in fiscal_months(fiscal_year)):
        return None
    as_of = month_end(int(month[:4]), int(month[4:]))
    return (fiscal_year, as_of, scope) if as_of < today else (fiscal_year, None, scope)


async def _show_totals(
    update: Update, context: IntakeContext, fiscal_year: int, as_of: date | None, scope: str
) -> None:
    lang = language(update)
    ward_code = ward_of(scope)
    threshold = context.settings.regular_meeting_threshold
    async with session_scope(context.sessions) as session:
        totals, final = await totals_as_of(session, fiscal_year, as_of, ward_code, threshold)
        previous = await previous_month_totals(session, totals, ward_code, threshold)
        scope_name = await scope_name_of(session, ward_code, lang)
    body = totals_text(totals, previous, scope_name, final, lang)
    await show(update, body, _totals_buttons(context.member, totals, scope, lang))


async def previous_month_totals(
    session: AsyncSession, totals: Totals, ward_code: str | None, threshold: int
) -> Totals | None:
    """The figures at the end of the month before the as-of month, for the change column (none in April)."""
    before = previous_month_end(totals.as_of)
    if fiscal_year_of(before) != totals.fiscal_year:
        return None
    previous, _final = await totals_as_of(session, totals.fiscal_year, before, ward_code, threshold)
    return previous


def totals_text(totals: Totals, previous: Totals | None, scope_name: str, final: bool, lang: str) -> str:
    header = text("totals_header", lang, year=fiscal_year_label(totals.fiscal_year), as_of=as_of_label(totals.as_of),
                  scope=scope_name, final=text("totals_final", lang) if final else "")  # fmt: skip
    lines = [header]
    for sheet in SHEETS:
        lines.append(f"\n【{sheet.goal}】")
        for indicator in (i for i in INDICATORS if i.sheet == sheet.number):
            figure = totals.indicators[indicator.code]
            line = f"{indicator.short_label}: {sheet_notation(indicator, figure)}"
            if previous is not None:
                line += text("totals_change", lang, delta=_delta(figure, previous.indicators[indicator.code]))
            lines.append(line)
    return "\n".join(lines)


def _delta(now: IndicatorValue, before: IndicatorValue) -> str:
    if now.percent is not None and before.percent is not None and now.denominator != before.denominator:
        return f"{now.percent - before.percent:+.1f}pt"
    return f"{now.value - before.value:+,}"


def _totals_buttons(member: Staff, totals: Totals, scope: str, lang: str) -> InlineKeyboardMarkup:
    fiscal_year, today = totals.fiscal_year, japan_today()
    years: list[Choice] = []
    if fiscal_year > FIRST_PLAN_YEAR:
        years.append((text("button_prev_year", lang), TOTALS(fiscal_year - 1, "now", scope)))
    if fiscal_year < fiscal_year_of(today):
        years.append((text("button_next_year", lang), TOTALS(fiscal_year + 1, "now", scope)))
    months: list[Choice] = []
    before = previous_month_end(totals.as_of)
    if fiscal_year_of(before) == fiscal_year:
        months.append((text("button_prev_month", lang), TOTALS(fiscal_year, f"{before:%Y%m}", scope)))
    later = month_end(*_next_month(totals.as_of))
    if fiscal_year_of(later) == fiscal_year and totals.as_of < today:
        months.append((text("button_next_month", lang), TOTALS(fiscal_year, f"{later:%Y%m}", scope)))
    rows = [years, months]
    if is_city_wide(member):
        rows.append([(text("button_wards", lang), WARDS(fiscal_year, f"{totals.as_of:%Y%m}"))])
    return inline(rows)


def _next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


async def on_wards_button(update: Update, context: IntakeContext) -> None:
    """totw:<fy>:<yyyymm> — the 24 wards and the city, for city supervisors and admins."""
    args = WARDS.args(update) or []
    if not is_city_wide(context.member) or len(args) != 2:
        await refuse_button(update)
        return
    lang = language(update)
    async with session_scope(context.sessions) as session:
        wards = await wards_in_order(session)
    fiscal_year, month = args[0], args[1] if args[1] != f"{japan_today():%Y%m}" else "now"
    choices = [(w.name_ja if lang == "ja" else w.name_en, TOTALS(fiscal_year, month, w.code)) for w in wards]
    rows = [[(text("button_city", lang), TOTALS(fiscal_year, month, CITY))], *in_rows(choices, 3)]
    await show(update, text("choose_ward", lang), inline(rows))
