"""/confirm, /accept, /return: a ward's month confirmed by its ward supervisor, accepted or returned by the city.

The rules and the state machine are `models.approval`; here the words and the buttons. A button carries its whole
request (`apv:<c|a>:<ward>:<yyyymm>`), so it works after a restart, and every press is checked again there.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import Callback, Choice, in_rows, inline
from bot.month_notices import tell_ward
from bot.scope import refuse_button, scope_name_of
from bot.texts import approval_label, month_label, text
from models.approval import (
    Action,
    ApprovalRefusedError,
    MonthKey,
    Refusal,
    State,
    month_states,
    state_counts,
    state_of,
    transition,
)
from models.db import session_scope
from models.fiscal import month_end, parse_year_month
from models.fiscal import today as japan_today
from models.roles import Role

log = logging.getLogger(__name__)

APPROVE = Callback("apv")  # apv:<c|a>:<ward code>:<yyyymm>
ACTIONS = {"c": Action.CONFIRM, "a": Action.ACCEPT}
CITY_ROLES = (Role.CITY_SUPERVISOR, Role.ADMIN)


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("confirm", on_confirm),
        CommandHandler("accept", on_accept),
        CommandHandler("return", on_return),
        CallbackQueryHandler(on_approve_button, pattern=APPROVE.pattern),
    ]


def _month(args: list[str], today: date) -> tuple[int, int] | None:
    """The month asked for (default: last month); None when unreadable."""
    if not args:
        last = today.replace(day=1).toordinal() - 1
        previous = date.fromordinal(last)
        return previous.year, previous.month
    return parse_year_month(args[0]) if len(args) == 1 else None


async def on_confirm(update: Update, context: IntakeContext) -> None:
    """/confirm [YYYY-MM]: a ward supervisor sees the ward's month's state and a button to confirm it."""
    lang, member, today = language(update), context.staff, japan_today()
    if member.role != Role.WARD_SUPERVISOR or member.ward_code is None:
        await show(update, text("approval_ward_only", lang))
        return
    month = _month(context.args or [], today)
    if month is None:
        await show(update, text("approval_confirm_usage", lang))
        return
    if month_end(*month) >= today:
        await show(update, text("approval_month_not_over", lang, month=month_label(*month, lang)))
        return
    key = MonthKey(member.ward_code, *month)
    async with session_scope(context.sessions) as session:
        state = await state_of(session, key)
        ward = await scope_name_of(session, key.ward_code, lang)
    label = month_label(*month, lang)
    if state not in (State.OPEN, State.RETURNED):
        await show(update, text("approval_state_now", lang, ward=ward, month=label, state=approval_label(state, lang)))
        return
    button = inline([[(text("button_confirm_month", lang, month=label), APPROVE("c", key.ward_code, _yyyymm(key)))]])
    body = text("approval_confirm_ask", lang, ward=ward, month=label, state=approval_label(state, lang))
    await show(update, body, button)


async def on_accept(update: Update, context: IntakeContext) -> None:
    """/accept [YYYY-MM]: the city's view of every ward's month, a button for each ward waiting to be accepted."""
    lang, today = language(update), japan_today()
    if context.staff.role not in CITY_ROLES:
        await show(update, text("approval_city_only", lang))
        return
    month = _month(context.args or [], today)
    if month is None:
        await show(update, text("approval_accept_usage", lang))
        return
    if month_end(*month) >= today:
        await show(update, text("approval_month_not_over", lang, month=month_label(*month, lang)))
        return
    body, buttons = await _city_view(context, month, lang)
    await show(update, body, buttons)


async def _city_view(
    context: IntakeContext, month: tuple[int, int], lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    async with session_scope(context.sessions) as session:
        states = await month_states(session, *month)
        names = {ward: await scope_name_of(session, ward, lang) for ward in states}
    counts = state_counts(states)
    label = month_label(*month, lang)
    head = text(
        "approval_city_header",
        lang,
        month=label,
        accepted=counts[State.ACCEPTED],
        confirmed=counts[State.CONFIRMED],
        open=counts[State.OPEN],
        returned=counts[State.RETURNED],
    )
    lines = [
        text("approval_city_line", lang, ward=names[ward], state=approval_label(s, lang)) for ward, s in states.items()
    ]
    yyyymm = f"{month[0]}-{month[1]:02d}"
    waiting: list[Choice] = [
        (names[ward], APPROVE("a", ward, f"{month[0]}{month[1]:02d}"))
        for ward, state in states.items()
        if state is State.CONFIRMED
    ]
    hint = [text("approval_city_hint", lang, yyyymm=yyyymm)] if waiting else []
    return "\n".join([head, *lines, *hint]), inline(in_rows(waiting, 3)) if waiting else None


async def on_return(update: Update, context: IntakeContext) -> None:
    """/return WARD YYYY-MM REASON: the city sends a confirmed (or accepted) month back; the ward is told why."""
    lang, today = language(update), japan_today()
    if context.staff.role not in CITY_ROLES:
        await show(update, text("approval_city_only", lang))
        return
    args = context.args or []
    month = parse_year_month(args[1]) if len(args) >= 3 else None
    if month is None:
        await show(update, text("approval_return_usage", lang))
        return
    key = MonthKey(args[0], *month)
    reason = " ".join(args[2:])
    await _transition(update, context, Action.RETURN, key, today, reason)


async def on_approve_button(update: Update, context: IntakeContext) -> None:
    """apv:<c|a>:<ward>:<yyyymm> — checked again on press (role, ward, month, state); a second press is told."""
    args = APPROVE.args(update) or []
    if len(args) != 3 or args[0] not in ACTIONS or not (len(args[2]) == 6 and args[2].isdigit()):
        await refuse_button(update)
        return
    month = (int(args[2][:4]), int(args[2][4:]))
    if not 1 <= month[1] <= 12:
        await refuse_button(update)
        return
    await _transition(update, context, ACTIONS[args[0]], MonthKey(args[1], *month), japan_today(), None)


async def _transition(
    update: Update, context: IntakeContext, action: Action, key: MonthKey, today: date, reason: str | None
) -> None:
    lang = language(update)
    label = month_label(key.year, key.month, lang)
    try:
        async with session_scope(context.sessions) as session:
            await transition(session, action, key, by=context.staff, today=today, reason=reason)
            ward = await scope_name_of(session, key.ward_code, lang)
    except ApprovalRefusedError as refused:
        await show(update, await _refusal_text(context, action, refused, key, lang))
        return
    log.info("month %s %s staff=%s", key.label, action.value, context.staff.id)
    if action is Action.CONFIRM:
        await show(update, text("approval_confirmed_done", lang, ward=ward, month=label))
        return
    if action is Action.ACCEPT:
        await tell_ward(context.bot, context.sessions, key, "approval_accepted_notice")
        body, buttons = await _city_view(context, (key.year, key.month), lang)  # the next ward to accept
        await show(update, text("approval_accepted_done", lang, ward=ward, month=label) + "\n\n" + body, buttons)
        return
    cleaned = (reason or "").strip()
    await tell_ward(context.bot, context.sessions, key, "approval_returned_notice", reason=cleaned)
    await show(update, text("approval_returned_done", lang, ward=ward, month=label, reason=cleaned))


async def _refusal_text(
    context: IntakeContext, action: Action, refused: ApprovalRefusedError, key: MonthKey, lang: str
) -> str:
    label = month_label(key.year, key.month, lang)
    refusal = refused.refusal
    if refusal is Refusal.UNKNOWN_WARD:
        return text("approval_unknown_ward", lang, ward=key.ward_code[:5])
    if refusal is Refusal.NOT_ALLOWED:
        return text("approval_ward_only" if action is Action.CONFIRM else "approval_city_only", lang)
    if refusal is Refusal.MONTH_NOT_OVER:
        return text("approval_month_not_over", lang, month=label)
    if refusal is Refusal.REASON_REQUIRED:
        return text("approval_return_usage", lang)
    if refusal is Refusal.REASON_PERSONAL:
        return text("approval_reason_personal", lang)
    async with session_scope(context.sessions) as session:
        ward = await scope_name_of(session, key.ward_code, lang)
    state = approval_label((refused.state or State.OPEN).value, lang)
    return text("approval_wrong_state", lang, ward=ward, month=label, state=state)


def _yyyymm(key: MonthKey) -> str:
    return f"{key.year}{key.month:02d}"
