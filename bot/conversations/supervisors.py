"""Supervisors: /totals (edited in place as they switch year, month and ward), /missing with a nudge, /reopen.

Every button carries its whole request (`tot:<fy>:<yyyymm>:<scope>`), so a button from before a restart
still works, and every press is checked against the presser's scope (callback data can be forged).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError

from bot.context import IntakeContext, language, show
from bot.keyboards import Choice, in_rows, inline
from bot.texts import CITY_LABEL, text
from models.catalog import INDICATORS, SHEETS, Role
from models.db import session_scope
from models.fiscal import as_of_label, fiscal_months, fiscal_year_label, fiscal_year_of, month_end, previous_month_end
from models.fiscal import today as japan_today
from models.locks import reopen_month
from models.reporting import missing_reporters, record_zero_report
from models.sheet.chart import render_chart
from models.sheet.workbook import build_workbook, collect_sheet, default_file_name
from models.snapshots import totals_as_of
from models.tables import Staff, Ward
from models.totals import IndicatorValue, Totals, indicator_totals, sheet_notation

log = logging.getLogger(__name__)

FIRST_PLAN_YEAR = 2024
SUPERVISORS = (Role.WARD_SUPERVISOR, Role.CITY_SUPERVISOR, Role.ADMIN)
CITY_WIDE = (Role.CITY_SUPERVISOR, Role.ADMIN)
CITY = "city"
_WARD_NAMES: dict[str, tuple[str, str]] = {}


def is_supervisor(member: Staff) -> bool:
    """Supervisors and admins; a ward supervisor without a ward is misconfigured and sees nothing (fails closed)."""
    if member.role == Role.WARD_SUPERVISOR:
        return member.ward_code is not None
    return member.role in SUPERVISORS


def scope_allowed(member: Staff, scope: str) -> bool:
    """City supervisors and admins see every scope; a ward supervisor only their ward."""
    return member.role in CITY_WIDE or (member.role == Role.WARD_SUPERVISOR and scope == member.ward_code)


def default_scope(member: Staff) -> str:
    return member.ward_code if member.role == Role.WARD_SUPERVISOR and member.ward_code else CITY


# ---- /totals ---------------------------------------------------------------------------------------------


async def totals_command(update: Update, context: IntakeContext) -> None:
    """The current fiscal year as of today, for the member's scope."""
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", language(update)))
        return
    today = japan_today()
    await _show_totals(update, context, fiscal_year_of(today), None, default_scope(context.member))


async def totals_button(update: Update, context: IntakeContext) -> None:
    """tot:<fy>:<yyyymm|now>:<scope> — another year, month or ward, edited into the same message."""
    parsed = _parse_totals_data(update)
    if parsed is None or not is_supervisor(context.member) or not scope_allowed(context.member, parsed[2]):
        await _refuse(update)
        return
    await _show_totals(update, context, *parsed)


def _parse_totals_data(update: Update) -> tuple[int, date | None, str] | None:
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    fiscal_year, month, scope = int(parts[1]), parts[2], parts[3]
    today = japan_today()
    if not FIRST_PLAN_YEAR <= fiscal_year <= fiscal_year_of(today):
        return None
    if month == "now":
        return fiscal_year, None, scope
    if not (month.isdigit() and len(month) == 6 and (int(month[:4]), int(month[4:])) in fiscal_months(fiscal_year)):
        return None
    as_of = month_end(int(month[:4]), int(month[4:]))
    return (fiscal_year, as_of, scope) if as_of < today else (fiscal_year, None, scope)


async def _refuse(update: Update) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(text("invalid_choice", language(update)), show_alert=True)


async def _show_totals(
    update: Update, context: IntakeContext, fiscal_year: int, as_of: date | None, scope: str
) -> None:
    lang = language(update)
    ward_code = None if scope == CITY else scope
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
        years.append((text("button_prev_year", lang), f"tot:{fiscal_year - 1}:now:{scope}"))
    if fiscal_year < fiscal_year_of(today):
        years.append((text("button_next_year", lang), f"tot:{fiscal_year + 1}:now:{scope}"))
    months: list[Choice] = []
    before = previous_month_end(totals.as_of)
    if fiscal_year_of(before) == fiscal_year:
        months.append((text("button_prev_month", lang), f"tot:{fiscal_year}:{before:%Y%m}:{scope}"))
    later = month_end(*_next_month(totals.as_of))
    if fiscal_year_of(later) == fiscal_year and totals.as_of < today:
        months.append((text("button_next_month", lang), f"tot:{fiscal_year}:{later:%Y%m}:{scope}"))
    rows = [years, months]
    if member.role in CITY_WIDE:
        rows.append([(text("button_wards", lang), f"totw:{fiscal_year}:{totals.as_of:%Y%m}")])
    return inline(rows)


def _next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


async def ward_menu(update: Update, context: IntakeContext) -> None:
    """totw:<fy>:<yyyymm> — the 24 wards and the city, for city supervisors and admins."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    if context.member.role not in CITY_WIDE or len(parts) != 3:
        await _refuse(update)
        return
    lang = language(update)
    async with session_scope(context.sessions) as session:
        wards = list((await session.scalars(select(Ward).order_by(col(Ward.code)))).all())
    month = parts[2] if parts[2] != f"{japan_today():%Y%m}" else "now"
    choices = [(w.name_ja if lang == "ja" else w.name_en, f"tot:{parts[1]}:{month}:{w.code}") for w in wards]
    rows = [[(text("button_city", lang), f"tot:{parts[1]}:{month}:{CITY}")], *in_rows(choices, 3)]
    await show(update, text("choose_ward", lang), inline(rows))


# ---- /missing, the nudge and 「今月は0件」 ------------------------------------------------------------------


async def missing_command(update: Update, context: IntakeContext) -> None:
    """Workers in scope with nothing logged this month and no zero report (leave excluded), and a nudge button."""
    member, lang = context.member, language(update)
    if not is_supervisor(member):
        await show(update, text("not_allowed", lang))
        return
    today = japan_today()
    scope = default_scope(member)
    async with session_scope(context.sessions) as session:
        missing = await missing_reporters(session, None if scope == CITY else scope, today.year, today.month, today)
    month = month_label_for(today, lang)
    if not missing:
        await show(update, text("missing_none", lang, month=month))
        return
    lines = [text("missing_header", lang, month=month, count=len(missing))]
    lines += [f"・{m.display_name}（{m.ward_code}）" for m in missing]
    await show(update, "\n".join(lines), inline([[(text("button_nudge", lang), f"nudge:{today:%Y%m}:{scope}")]]))


def month_label_for(day: date, lang: str) -> str:
    return f"{day.month}月" if lang == "ja" else day.strftime("%B")


async def nudge_button(update: Update, context: IntakeContext) -> None:
    """nudge:<yyyymm>:<scope> — remind each missing worker now (only this month, only in scope)."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    today = japan_today()
    lang = language(update)
    if (
        len(parts) != 3
        or parts[1] != f"{today:%Y%m}"
        or not is_supervisor(context.member)
        or not scope_allowed(context.member, parts[2])
    ):
        await _refuse(update)
        return
    async with session_scope(context.sessions) as session:
        ward = None if parts[2] == CITY else parts[2]
        missing = await missing_reporters(session, ward, today.year, today.month, today)
    sent = 0
    for worker in missing:
        sent += await send_nudge(context, worker, today)
    log.info("nudged %s of %s staff=%s", sent, len(missing), context.member.id)
    await show(update, text("nudged", lang, count=sent))


async def send_nudge(context: IntakeContext, worker: Staff, today: date) -> int:
    """One reminder with 「記録する」 and 「今月は0件」; 0 if Telegram refuses (the worker blocked the bot)."""
    lang = worker.language if worker.language in ("ja", "en") else "ja"
    buttons = inline([[(text("button_log_now", lang), "log:new"), (text("button_zero", lang), f"zero:{today:%Y%m}")]])
    try:
        await context.bot.send_message(
            worker.telegram_user_id, text("nudge", lang, month=month_label_for(today, lang)), reply_markup=buttons
        )
    except Forbidden:
        log.warning("staff=%s has blocked the bot", worker.id)
        return 0
    except TelegramError:
        log.warning("nudge to staff=%s failed", worker.id, exc_info=True)
        return 0
    return 1


async def zero_button(update: Update, context: IntakeContext) -> None:
    """zero:<yyyymm> — 「今月は0件」 for the current month (a press from an old month is refused)."""
    query = update.callback_query
    today = japan_today()
    lang = language(update)
    if query is None or query.data != f"zero:{today:%Y%m}" or context.member.id is None:
        await _refuse(update)
        return
    async with session_scope(context.sessions) as session:
        await record_zero_report(session, context.member.id, today.year, today.month)
    await show(update, text("zero_recorded", lang, month=month_label_for(today, lang)))


# ---- /reopen ---------------------------------------------------------------------------------------------


async def reopen_command(update: Update, context: IntakeContext) -> None:
    """/reopen WARD YYYY-MM REASON — admins and city supervisors open a locked ward-month again."""
    lang = language(update)
    if context.member.role not in CITY_WIDE:
        await show(update, text("not_allowed", lang))
        return
    args = context.args or []
    parsed = _parse_month(args[1]) if len(args) >= 3 else None
    if parsed is None:
        await show(update, text("reopen_usage", lang))
        return
    ward_code, reason = args[0], " ".join(args[2:])
    try:
        async with session_scope(context.sessions) as session:
            ward = await session.get(Ward, ward_code)
            if ward is None:
                raise ValueError(f"unknown ward code {ward_code}")
            reopened = await reopen_month(
                session,
                ward_code,
                *parsed,
                reason=reason,
                by_staff_id=context.member.id,
                today=japan_today(),
                lock_business_days=context.settings.lock_business_days,
            )
    except ValueError as error:
        await show(update, text("reopen_invalid", lang, reason=str(error)))
        return
    month = f"{parsed[0]}年{parsed[1]}月" if lang == "ja" else f"{parsed[0]}-{parsed[1]:02d}"
    await show(update, text("reopened", lang, ward=ward.name_ja if lang == "ja" else ward.name_en, month=month,
                            closes=reopened.closes_on.isoformat(), reason=reopened.reason))  # fmt: skip


def _parse_month(raw: str) -> tuple[int, int] | None:
    parts = raw.replace("/", "-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return None
    return int(parts[0]), int(parts[1])


# ---- /chart ----------------------------------------------------------------------------------------------


async def chart_command(update: Update, context: IntakeContext) -> None:
    """Which indicator to draw: one button per indicator of the sheet."""
    lang = language(update)
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", lang))
        return
    choices = [(indicator.short_label, f"chart:{indicator.code}") for indicator in INDICATORS]
    await show(update, text("chart_choose", lang), inline(in_rows(choices, 1)))


async def chart_button(update: Update, context: IntakeContext) -> None:
    """chart:<code> — this fiscal year against last, monthly, for the member's scope, as a picture."""
    query = update.callback_query
    code = (query.data or "").removeprefix("chart:") if query else ""
    if not is_supervisor(context.member) or code not in {i.code for i in INDICATORS}:
        await _refuse(update)
        return
    assert query is not None
    await query.answer()
    lang = language(update)
    scope = default_scope(context.member)
    ward_code = None if scope == CITY else scope
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


async def scope_name_of(session: AsyncSession, ward_code: str | None, lang: str) -> str:
    """The ward's name, or the city's (the 24 wards never change: read once per process)."""
    if not _WARD_NAMES:
        _WARD_NAMES.update({w.code: (w.name_ja, w.name_en) for w in (await session.scalars(select(Ward))).all()})
    names = _WARD_NAMES.get(ward_code) if ward_code else None
    if names is None:
        return CITY_LABEL[lang]
    return names[0] if lang == "ja" else names[1]


# ---- /sheet ----------------------------------------------------------------------------------------------


async def sheet_command(update: Update, context: IntakeContext) -> None:
    """/sheet [YYYY-MM]: the filled progress sheet (.xlsx) for the member's scope, now or as of a month end."""
    lang = language(update)
    if not is_supervisor(context.member):
        await show(update, text("totals_workers", lang))
        return
    today = japan_today()
    args = context.args or []
    month = _parse_month(args[0]) if args else None
    if (args and month is None) or (month and month_end(*month) >= today):
        await show(update, text("sheet_usage", lang))
        return
    as_of = month_end(*month) if month else today
    scope = default_scope(context.member)
    try:
        async with session_scope(context.sessions) as session:
            data = await collect_sheet(session, fiscal_year_of(as_of), as_of, None if scope == CITY else scope,
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
