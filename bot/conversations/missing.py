"""/missing: who has logged nothing in a month (leave excluded), a nudge for them, and 「今月は0件」."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import IntakeContext, language, show
from bot.keyboards import LOG_NOW, Callback, Choice, inline, menu_texts
from bot.long_answer import Group, LongAnswer, grouped, reply, turn_page
from bot.scope import default_scope, is_supervisor, refuse_button, scope_allowed, scope_name_of, ward_of
from bot.texts import month_label, text
from models.db import session_scope
from models.fiscal import parse_year_month, reporting_month_end
from models.fiscal import today as japan_today
from models.tables import Staff
from models.who_reported import last_entry_days, missing_reporters, record_zero_report

log = logging.getLogger(__name__)

NUDGE = Callback("nudge")  # nudge:<yyyymm>:<scope>
MISSING_PAGE = Callback("misp")  # misp:<yyyy-mm>:<scope>:<page> — a page of the list, in place
MISSING_LIST = Callback("misl")  # misl:<yyyy-mm>:<scope> — the list as a new message (under the monthly push)
ZERO = Callback("zero")  # zero:<yyyymm>


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("missing", on_missing),
        MessageHandler(filters.Text(menu_texts("menu_missing")), on_missing),
        CallbackQueryHandler(on_nudge, pattern=NUDGE.pattern),
        CallbackQueryHandler(on_missing_page, pattern=MISSING_PAGE.pattern),
        CallbackQueryHandler(on_missing_list, pattern=MISSING_LIST.pattern),
        CallbackQueryHandler(on_zero, pattern=ZERO.pattern),
    ]


def reminder_buttons(today: date, lang: str) -> InlineKeyboardMarkup:
    """「記録する」 and 「今月は0件」 under a reminder or a nudge."""
    return inline([[(text("button_log_now", lang), LOG_NOW()), (text("button_zero", lang), ZERO(f"{today:%Y%m}"))]])


async def on_missing(update: Update, context: IntakeContext) -> None:
    """/missing [YYYY-MM]: workers in scope with nothing logged and no zero report for the month (leave excluded).

    Without a month: the current one, or last month while its entries are still coming in (before the
    5th business day). Each person with their ward and the day they last logged anything; a nudge button
    for the current month. A long list (a city's) is summarised per ward, then paged (bot/long_answer.py).
    """
    member, lang = context.staff, language(update)
    if not is_supervisor(member):
        await show(update, text("not_allowed", lang))
        return
    today = japan_today()
    month = _requested_month(context.args or [], today)
    if month is None:
        await show(update, text("missing_usage", lang))
        return
    answer = await missing_answer(context, month, default_scope(member), lang)
    if answer is None:
        await show(update, text("missing_none", lang, month=month_label(*month, lang, with_year=False)))
        return
    await reply(update, answer)


async def on_missing_page(update: Update, context: IntakeContext) -> None:
    """misp:<yyyy-mm>:<scope>:<page> — a page of the list, in place."""
    args = MISSING_PAGE.args(update) or []
    page = args.pop() if len(args) == 3 else ""
    await _pressed_list(update, context, args, lambda answer: turn_page(update, answer, page))


async def on_missing_list(update: Update, context: IntakeContext) -> None:
    """misl:<yyyy-mm>:<scope> — under the monthly push: the list as a new message (the push stays as it is)."""
    args = MISSING_LIST.args(update) or []
    await _pressed_list(update, context, args, lambda answer: reply(update, answer, new_message=True))


async def _pressed_list(
    update: Update, context: IntakeContext, args: list[str], then: Callable[[LongAnswer], Awaitable[object]]
) -> None:
    """A list button's `<yyyy-mm>:<scope>`, checked again (data can be forged), the list rebuilt for the presser."""
    lang = language(update)
    month = parse_year_month(args[0], "-") if len(args) == 2 else None
    today = japan_today()
    if (
        month is None
        or month > (today.year, today.month)
        or not is_supervisor(context.staff)
        or not scope_allowed(context.staff, args[1])
    ):
        await refuse_button(update)
        return
    answer = await missing_answer(context, month, args[1], lang)
    if answer is None:
        await show(update, text("missing_none", lang, month=month_label(*month, lang, with_year=False)))
        return
    await then(answer)


async def missing_answer(context: IntakeContext, month: tuple[int, int], scope: str, lang: str) -> LongAnswer | None:
    """Who has not reported for the month in the scope, by ward (the presser's own first); None if nobody."""
    today = japan_today()
    async with session_scope(context.sessions) as session:
        missing = await missing_reporters(session, ward_of(scope), *month, today)
        last_days = await last_entry_days(session, [m.id for m in missing if m.id is not None])
        wards = {m.ward_code: await scope_name_of(session, m.ward_code, lang) for m in missing}
    if not missing:
        return None
    label = month_label(*month, lang, with_year=False)
    groups = [
        Group(wards[code], [_missing_line(m, wards, last_days, lang) for m in people])
        for code, people in grouped(missing, lambda m: m.ward_code, first=context.staff.ward_code)
    ]
    current = month == (today.year, today.month)
    nudge: list[list[Choice]] = [[(text("button_nudge", lang), NUDGE(f"{today:%Y%m}", scope))]] if current else []
    key = f"{month[0]}-{month[1]:02d}"
    return LongAnswer(
        head=text("missing_header", lang, month=label, count=len(missing)),
        title=text("missing_title", lang, month=label),
        groups=groups,
        count_key="missing_ward_count",
        page_data=lambda n: MISSING_PAGE(key, scope, n),
        lang=lang,
        buttons=nudge,
    )


def _requested_month(args: list[str], today: date) -> tuple[int, int] | None:
    """The month asked for (not a future one), by default the one being reported; None if unreadable."""
    if not args:
        settled = reporting_month_end(today) or today
        return settled.year, settled.month
    month = parse_year_month(args[0]) if len(args) == 1 else None
    return month if month is not None and month <= (today.year, today.month) else None


def _missing_line(worker: Staff, wards: dict[str | None, str], last_days: dict[int, date], lang: str) -> str:
    """`・未記録 太郎（都島区・最終記録 2025-10-06）`."""
    ward = wards.get(worker.ward_code, worker.ward_code or "")
    last = last_days.get(worker.id or 0)
    when = text("missing_last_entry", lang, day=last.isoformat()) if last else text("missing_never", lang)
    return text("missing_line", lang, name=worker.display_name, ward=ward, last=when)


async def on_nudge(update: Update, context: IntakeContext) -> None:
    """nudge:<yyyymm>:<scope> — remind each missing worker now (only this month, only in scope)."""
    args = NUDGE.args(update) or []
    today = japan_today()
    lang = language(update)
    if (
        len(args) != 2
        or args[0] != f"{today:%Y%m}"
        or not is_supervisor(context.staff)
        or not scope_allowed(context.staff, args[1])
    ):
        await refuse_button(update)
        return
    async with session_scope(context.sessions) as session:
        missing = await missing_reporters(session, ward_of(args[1]), today.year, today.month, today)
    sent = 0
    for worker in missing:
        sent += await send_nudge(context, worker, today)
    log.info("nudged %s of %s staff=%s", sent, len(missing), context.staff.id)
    await show(update, text("nudged", lang, count=sent))


async def send_nudge(context: IntakeContext, worker: Staff, today: date) -> int:
    """One reminder with 「記録する」 and 「今月は0件」; 0 if Telegram refuses (the worker blocked the bot)."""
    lang = worker.language if worker.language in ("ja", "en") else "ja"
    try:
        await context.bot.send_message(
            worker.telegram_user_id,
            text("nudge", lang, month=month_label(today.year, today.month, lang, with_year=False)),
            reply_markup=reminder_buttons(today, lang),
        )
    except Forbidden:
        log.warning("staff=%s has blocked the bot", worker.id)
        return 0
    except TelegramError:
        log.warning("nudge to staff=%s failed", worker.id, exc_info=True)
        return 0
    return 1


async def on_zero(update: Update, context: IntakeContext) -> None:
    """zero:<yyyymm> — 「今月は0件」 for the current month (a press from an old month is refused)."""
    today = japan_today()
    lang = language(update)
    if ZERO.args(update) != [f"{today:%Y%m}"] or context.staff.id is None:
        await refuse_button(update)
        return
    async with session_scope(context.sessions) as session:
        await record_zero_report(session, context.staff.id, today.year, today.month)
    await show(update, text("zero_recorded", lang, month=month_label(today.year, today.month, lang, with_year=False)))
