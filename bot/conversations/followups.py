"""Follow-ups: the next contact planned in one tap after a save, the reminder's buttons, 📅 予定, /plan, /handover.

The rules are `models.followups`; here each press is read, checked again (callback data can be forged, a plan may
have closed meanwhile) and answered. Every button carries its whole request, so one from before a restart works.
A typed day or purpose is a step of the one logging conversation (flow.py registers `on_log_button`,
`on_type_button` and `on_typed_text`); everything else answers outside it, so nothing here is ever in the way of
the next entry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PENDING_FOLLOWUP, IntakeContext, language, show
from bot.conversations.log_event import END, State, ask_next, current_draft, offer_resume, start_draft
from bot.keyboards import (
    FOLLOWUP_TYPE,
    INTERVAL_LABELS,
    PLAN_FROM_ENTRY,
    PLAN_NEXT,
    Callback,
    Choice,
    in_rows,
    inline,
    menu_texts,
    next_contact_offer,
)
from bot.long_answer import Group, LongAnswer, grouped, reply, turn_page
from bot.scope import CITY, default_scope, is_supervisor, refuse_button, scope_allowed, scope_name_of, ward_of
from bot.texts import date_values, kind_label, personal_data_labels, short_day, text, weekday_mismatch
from models.db import session_scope
from models.fiscal import today as japan_today
from models.followups import (
    INTERVALS,
    PURPOSE_MAX_LENGTH,
    PURPOSES,
    DuePlan,
    FollowupProblem,
    FollowupRejectedError,
    Handover,
    OverdueCount,
    due_for,
    hand_over,
    latest_entry_for_household,
    mark_done,
    on_business_day,
    open_plans_of,
    overdue_counts,
    own_open_plan,
    plan_after_entry,
    plan_day,
    plannable_entry,
    plans_last_entries,
    postpone,
    quiet_for,
    read_plan_date,
    set_purpose,
)
from models.privacy import is_valid_household_ref
from models.tables import Followup, Staff
from models.typed_input import Unreadable, WrongWeekday, normalise
from reminders.delivery import deliver_once

log = logging.getLogger(__name__)

LOG_FOLLOWUP = Callback("ful")  # ful:<plan id> — 記録する under a reminder: the log with kind and household filled
# The catalog's texts of the purposes (models.followups.PURPOSES; the intervals' are keyboards.INTERVAL_LABELS).
PURPOSE_LABELS = {
    "phone": "purpose_phone",
    "visit": "purpose_visit",
    "accompany": "purpose_accompany",
    "link_check": "purpose_link_check",
}
PURPOSE = Callback("fupp")  # fupp:<plan id>:<purpose code>
POSTPONE = Callback("fupo")  # fupo:<plan id> asks when; fupo:<plan id>:<1w|2w|1m> moves it
DONE = Callback("fud")  # fud:<plan id> — 完了・不要
PLANS_PAGE = Callback("fumy")  # fumy:<page> — a page of the person's own plans
OVERDUE_PAGE = Callback("fuov")  # fuov:<scope>:<page> — a page of the supervisors' counts
TYPED = "followup_text"  # the logging conversation's step waiting for a typed day or purpose
REMINDER_ITEMS = 8  # plans with buttons in one reminder (3 buttons each); the rest are in 📅 予定


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """📅 予定 (/plans), /plan CODE, /handover and the buttons that answer outside the logging conversation."""
    return [
        CommandHandler("plans", on_plans),
        MessageHandler(filters.Text(menu_texts("menu_plans")), on_plans),
        CommandHandler("plan", on_plan),
        CommandHandler("handover", on_handover),
        CallbackQueryHandler(on_plan_button, pattern=PLAN_NEXT.pattern),
        CallbackQueryHandler(on_plan_entry_button, pattern=PLAN_FROM_ENTRY.pattern),
        CallbackQueryHandler(on_purpose_button, pattern=PURPOSE.pattern),
        CallbackQueryHandler(on_postpone_button, pattern=POSTPONE.pattern),
        CallbackQueryHandler(on_done_button, pattern=DONE.pattern),
        CallbackQueryHandler(on_plans_page, pattern=PLANS_PAGE.pattern),
        CallbackQueryHandler(on_overdue_page, pattern=OVERDUE_PAGE.pattern),
    ]


# ---- planning after a save ----------------------------------------------------------------------------------


async def on_plan_button(update: Update, context: IntakeContext) -> None:
    """fu:<event id>:<1w|2w|1m|none> under a saved entry: the plan in one tap (or none), then an optional purpose."""
    args = PLAN_NEXT.args(update) or []
    if len(args) != 2 or not args[0].isdigit() or args[1] not in (*INTERVALS, "none"):
        await refuse_button(update)
        return
    lang = language(update)
    if args[1] == "none":
        await show(update, _with_base(update, text("followup_not_planned", lang)))
        return
    await _plan(update, context, int(args[0]), plan_day(args[1], japan_today()), None)


async def _plan(update: Update, context: IntakeContext, event_id: int, day: date, asked: date | None) -> None:
    lang = language(update)
    try:
        async with session_scope(context.sessions) as session:
            plan, _event = await plan_after_entry(session, event_id, _staff_id(context), day, japan_today())
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return
    log.info("followup=%s planned staff=%s", plan.id, context.staff.id)
    await show(update, _with_base(update, _planned_text(plan, lang, asked)), _purpose_buttons(plan, lang))


def _planned_text(plan: Followup, lang: str, asked: date | None = None) -> str:
    moved = text("followup_moved", lang, asked=short_day(asked, lang)) if asked and asked != plan.due_on else ""
    body = text("followup_planned", lang, day=short_day(plan.due_on, lang), household=plan.household_ref) + moved
    if plan.purpose:
        return body + "\n" + text("followup_purpose", lang, purpose=purpose_label(plan.purpose, lang))
    return body + "\n" + text("followup_ask_purpose", lang)


def _purpose_buttons(plan: Followup, lang: str) -> InlineKeyboardMarkup | None:
    if plan.purpose or plan.id is None:
        return None
    choices = [(text(PURPOSE_LABELS[code], lang), PURPOSE(plan.id, code)) for code in PURPOSES]
    typed: Choice = (text("button_fu_purpose_text", lang), FOLLOWUP_TYPE("purpose", plan.id))
    return inline([*in_rows(choices, 2), [typed]])


def purpose_label(purpose: str, lang: str) -> str:
    return text(PURPOSE_LABELS[purpose], lang) if purpose in PURPOSES else purpose


def _with_base(update: Update, body: str) -> str:
    """The pressed message's saved part (up to its first blank line), then `body`: 保存しました stays on screen."""
    query = update.callback_query
    message = query.message if query is not None else None
    current = getattr(message, "text", None) or ""
    base = current.split("\n\n", 1)[0]
    return f"{base}\n\n{body}" if base else body


async def on_purpose_button(update: Update, context: IntakeContext) -> None:
    """fupp:<plan id>:<code>: one of 電話 / 訪問 / 同行 / つなぎ先の確認."""
    args = PURPOSE.args(update) or []
    if len(args) != 2 or not args[0].isdigit() or args[1] not in PURPOSES:
        await refuse_button(update)
        return
    lang = language(update)
    try:
        async with session_scope(context.sessions) as session:
            plan = await set_purpose(session, int(args[0]), _staff_id(context), args[1])
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return
    await show(update, _with_base(update, _planned_text(plan, lang)))


async def on_plan(update: Update, context: IntakeContext) -> None:
    """/plan CODE: the next-contact offer for a household, from the person's latest entry for it."""
    lang = language(update)
    code = normalise(context.args[0]).upper() if context.args and len(context.args) == 1 else ""
    if not is_valid_household_ref(code):
        await show(update, text("plan_usage", lang))
        return
    async with session_scope(context.sessions) as session:
        event = await latest_entry_for_household(session, _staff_id(context), code)
    if event is None or event.id is None:
        await show(update, text("plan_no_entry", lang, household=code))
        return
    await show(update, text("followup_ask", lang, household=code), next_contact_offer(event.id, lang))


async def on_plan_entry_button(update: Update, context: IntakeContext) -> None:
    """fue:<event id>, 予定 under an entry of 📋 自分の記録: the next-contact offer for that entry's household."""
    argument = PLAN_FROM_ENTRY.arg(update)
    if not argument.isdigit():
        await refuse_button(update)
        return
    lang = language(update)
    try:
        async with session_scope(context.sessions) as session:
            event = await plannable_entry(session, int(argument), _staff_id(context))
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return
    await show(
        update, text("followup_ask", lang, household=event.household_ref), next_contact_offer(int(argument), lang)
    )


# ---- the reminder and its buttons ---------------------------------------------------------------------------


def reminder(
    plans: Sequence[DuePlan], today: date, lang: str, notice: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The day's message: due and overdue plans by household code (no personal data), each with 記録する, 延期 and
    完了・不要; more than REMINDER_ITEMS are counted and left to 📅 予定."""
    lines = [notice, ""] if notice else []
    if not plans:
        return "\n".join([*lines, text("followup_none_due", lang)]), None
    lines.append(text("followup_reminder_head", lang, count=len(plans)))
    rows: list[list[Choice]] = []
    for plan in plans[:REMINDER_ITEMS]:
        lines.append(_reminder_line(plan, today, lang))
        rows.append(
            [
                (text("button_fu_log", lang, household=plan.household_ref), LOG_FOLLOWUP(plan.id)),
                (text("button_fu_postpone", lang), POSTPONE(plan.id)),
                (text("button_fu_done", lang), DONE(plan.id)),
            ]
        )
    if len(plans) > REMINDER_ITEMS:
        lines.append(text("followup_more", lang, count=len(plans) - REMINDER_ITEMS))
    return "\n".join(lines), inline(rows)


def _reminder_line(plan: DuePlan, today: date, lang: str) -> str:
    late = (today - plan.due_on).days
    return text(
        "followup_reminder_line",
        lang,
        household=plan.household_ref,
        day=short_day(plan.due_on, lang),
        kind=kind_label(plan.kind, lang),
        purpose=f"・{purpose_label(plan.purpose, lang)}" if plan.purpose else "",
        late=text("followup_late", lang, days=late) if late > 0 else "",
    )


async def send_reminder(bot: Bot, staff: Staff, plans: Sequence[DuePlan], today: date) -> None:
    """The daily run's message to one holder (bot/reminder_messages.py hands it the plans it read)."""
    lang = staff.language if staff.language in ("ja", "en") else "ja"
    body, markup = reminder(plans, today, lang)
    await bot.send_message(staff.telegram_user_id, body, reply_markup=markup)


async def _show_reminder_again(update: Update, context: IntakeContext, notice: str) -> None:
    """After a press under the reminder: the same message with what is still due today, and what was done."""
    today = japan_today()
    async with session_scope(context.sessions) as session:
        plans = await due_for(session, _staff_id(context), today)
    body, markup = reminder(plans, today, language(update), notice)
    await show(update, body, markup)


async def on_done_button(update: Update, context: IntakeContext) -> None:
    """fud:<plan id>: 完了・不要 — closed without an entry."""
    plan_id = DONE.arg(update)
    if not plan_id.isdigit():
        await refuse_button(update)
        return
    lang = language(update)
    try:
        async with session_scope(context.sessions) as session:
            plan = await mark_done(session, int(plan_id), _staff_id(context))
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return
    await _show_reminder_again(update, context, text("followup_done", lang, household=plan.household_ref))


async def on_postpone_button(update: Update, context: IntakeContext) -> None:
    """fupo:<plan id> asks when (+1 week, +2 weeks, +1 month, a typed day); fupo:<plan id>:<interval> moves it."""
    args = POSTPONE.args(update) or []
    if not args or not args[0].isdigit() or len(args) > 2 or (len(args) == 2 and args[1] not in INTERVALS):
        await refuse_button(update)
        return
    lang, plan_id = language(update), int(args[0])
    try:
        async with session_scope(context.sessions) as session:
            if len(args) == 1:
                plan = await own_open_plan(session, plan_id, _staff_id(context))
            else:
                plan = await postpone(session, plan_id, _staff_id(context), plan_day(args[1], japan_today()))
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return
    if len(args) == 2:
        day = short_day(plan.due_on, lang)
        await _show_reminder_again(
            update, context, text("followup_postponed", lang, household=plan.household_ref, day=day)
        )
        return
    choices = [(text(INTERVAL_LABELS[choice], lang), POSTPONE(plan_id, choice)) for choice in INTERVALS]
    typed: Choice = (text("button_fu_date", lang), FOLLOWUP_TYPE("postpone", plan_id))
    await show(update, text("followup_postpone_ask", lang, household=plan.household_ref), inline([choices, [typed]]))


# ---- steps of the logging conversation (flow.py registers them) ---------------------------------------------


async def on_log_button(update: Update, context: IntakeContext) -> State:
    """ful:<plan id>: 記録する under a reminder — the log starts with the plan's kind and household filled."""
    lang = language(update)
    plan_id = LOG_FOLLOWUP.arg(update)
    if not plan_id.isdigit() or context.staff.ward_code is None:
        await refuse_button(update)
        return END
    try:
        async with session_scope(context.sessions) as session:
            plan = await own_open_plan(session, int(plan_id), _staff_id(context))
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return END
    draft = current_draft(context)
    if draft and draft.get("kind"):
        return await offer_resume(update, context, draft)
    start_draft(context, kind=plan.kind, household_ref=plan.household_ref)
    return await ask_next(update, context)  # answers the press


async def on_type_button(update: Update, context: IntakeContext) -> State:
    """fut:<date|postpone|purpose>:<id>: ask for a typed day (of a new plan or a postponed one) or purpose."""
    args = FOLLOWUP_TYPE.args(update) or []
    if len(args) != 2 or args[0] not in ("date", "postpone", "purpose") or not args[1].isdigit():
        await refuse_button(update)
        return END
    lang = language(update)
    what, target = args[0], int(args[1])
    if what != "date":
        try:
            async with session_scope(context.sessions) as session:
                await own_open_plan(session, target, _staff_id(context))
        except FollowupRejectedError as rejected:
            await _refuse(update, rejected, lang)
            return END
    assert context.user_data is not None
    context.user_data[PENDING_FOLLOWUP] = {"what": what, "id": target}
    if what == "purpose":
        prompt = text("followup_ask_purpose_text", lang, max=PURPOSE_MAX_LENGTH)
    else:
        prompt = text("followup_ask_date", lang, **date_values(japan_today(), lang))
    await _answer(update)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(prompt)  # a new message: the saved entry's message stays as it is
    return TYPED


async def on_typed_text(update: Update, context: IntakeContext) -> State | None:
    """The typed day or purpose; a wrong one is answered and the step stays."""
    assert context.user_data is not None
    pending = context.user_data.get(PENDING_FOLLOWUP)
    lang = language(update)
    message = update.effective_message
    typed = (message.text or "").strip() if message else ""
    if not isinstance(pending, dict):
        await show(update, text("expired", lang))
        return END
    if pending["what"] == "purpose":
        return await _typed_purpose(update, context, pending["id"], typed)
    today = japan_today()
    day = read_plan_date(typed, today) if len(typed) <= 30 else Unreadable()
    problem = _date_problem(day, today, lang)
    if problem is not None or not isinstance(day, date):
        await show(update, problem or text("expired", lang))
        return None
    context.user_data.pop(PENDING_FOLLOWUP, None)
    if pending["what"] == "date":
        await _plan(update, context, pending["id"], on_business_day(day), day)
        return END
    try:
        async with session_scope(context.sessions) as session:
            plan = await postpone(session, pending["id"], _staff_id(context), day)
    except FollowupRejectedError as rejected:
        await _refuse(update, rejected, lang)
        return END
    await show(update, text("followup_postponed", lang, household=plan.household_ref, day=short_day(plan.due_on, lang)))
    return END


def _date_problem(day: object, today: date, lang: str) -> str | None:
    if isinstance(day, WrongWeekday):
        return weekday_mismatch(day.day, today, lang)
    if isinstance(day, Unreadable):
        return text("date_unreadable", lang, **date_values(today, lang))
    if day is FollowupProblem.PAST:
        return text("followup_date_past", lang)
    if day is FollowupProblem.TOO_FAR:
        return text("followup_date_too_far", lang)
    return None


async def _typed_purpose(update: Update, context: IntakeContext, plan_id: int, typed: str) -> State | None:
    lang = language(update)
    try:
        async with session_scope(context.sessions) as session:
            plan = await set_purpose(session, plan_id, _staff_id(context), typed)
    except FollowupRejectedError as rejected:
        if rejected.problem in (FollowupProblem.PURPOSE_PERSONAL, FollowupProblem.PURPOSE_TOO_LONG):
            await show(update, _problem_text(rejected, lang))
            return None  # stays in the step
        await _refuse(update, rejected, lang)
        return END
    assert context.user_data is not None
    context.user_data.pop(PENDING_FOLLOWUP, None)
    await show(update, _planned_text(plan, lang))
    return END


# ---- 📅 予定: the person's plans, and the supervisors' counts -------------------------------------------------


async def on_plans(update: Update, context: IntakeContext) -> None:
    """The person's open plans by day (a household quiet for too long is marked); a supervisor also gets the
    counts of their scope (due this week and overdue, per worker or per ward — never other workers' households)."""
    lang = language(update)
    answer = await plans_answer(context, lang)
    if answer is None and not is_supervisor(context.staff):
        await show(update, text("plans_empty", lang))
        return
    if answer is not None:
        await reply(update, answer)
    if is_supervisor(context.staff):
        await reply(update, await overdue_answer(context, default_scope(context.staff), lang), new_message=True)


async def on_plans_page(update: Update, context: IntakeContext) -> None:
    page = PLANS_PAGE.arg(update)
    answer = await plans_answer(context, language(update))
    if answer is None:
        await show(update, text("plans_empty", language(update)))
        return
    await turn_page(update, answer, page)


async def plans_answer(context: IntakeContext, lang: str) -> LongAnswer | None:
    today = japan_today()
    async with session_scope(context.sessions) as session:
        plans = await open_plans_of(session, _staff_id(context))
        last = await plans_last_entries(session, plans)
    if not plans:
        return None
    quiet_days = context.settings.followup_quiet_days
    groups = [
        Group(f"{month[0]}/{month[1]:02d}", [_plans_line(plan, last, today, quiet_days, lang) for plan in month_plans])
        for month, month_plans in grouped(plans, lambda plan: (plan.due_on.year, plan.due_on.month))
    ]
    return LongAnswer(
        head=text("plans_header", lang, count=len(plans)),
        title=text("plans_title", lang),
        groups=groups,
        page_data=lambda n: PLANS_PAGE(n),
        count_key="plans_month_count",
        lang=lang,
    )


def _plans_line(plan: Followup, last: dict[tuple[str, str], date], today: date, quiet_days: int, lang: str) -> str:
    quiet = quiet_for(last.get((plan.ward_code, plan.household_ref)), today, quiet_days)
    return text(
        "plans_line",
        lang,
        day=short_day(plan.due_on, lang),
        household=plan.household_ref,
        kind=kind_label(plan.kind, lang),
        purpose=f"・{purpose_label(plan.purpose, lang)}" if plan.purpose else "",
        quiet=text("plans_quiet", lang, days=quiet) if quiet is not None else "",
    )


async def on_overdue_page(update: Update, context: IntakeContext) -> None:
    """fuov:<scope>:<page>, rebuilt for the supervisor pressing (the scope is checked again)."""
    args = OVERDUE_PAGE.args(update) or []
    if len(args) != 2 or not is_supervisor(context.staff) or not scope_allowed(context.staff, args[0]):
        await refuse_button(update)
        return
    await turn_page(update, await overdue_answer(context, args[0], language(update)), args[1])


async def overdue_answer(context: IntakeContext, scope: str, lang: str) -> LongAnswer:
    async with session_scope(context.sessions) as session:
        lines = await overdue_lines(session, ward_of(scope), japan_today(), lang)
        scope_name = await scope_name_of(session, ward_of(scope), lang)
    head, rows = lines
    return LongAnswer(
        head=head.replace("{scope}", scope_name),
        title=text("overdue_title", lang),
        groups=[Group(scope_name, rows)],
        page_data=lambda n: OVERDUE_PAGE(scope, n),
        count_key="overdue_group_count",
        lang=lang,
    )


async def overdue_lines(session: AsyncSession, ward: str | None, today: date, lang: str) -> tuple[str, list[str]]:
    """The counts' head (with `{scope}` left to fill) and one line per holder (a ward) or per ward (the city); the
    monthly push shows the same lines."""
    counts = await overdue_counts(session, ward, today)
    rows = [await _count_line(session, row, ward is None, lang) for row in counts]
    week, late = sum(row.due_this_week for row in counts), sum(row.overdue for row in counts)
    head = text("overdue_header", lang, scope="{scope}", day=short_day(today, lang), week=week, late=late)
    return head, rows


async def _count_line(session: AsyncSession, row: OverdueCount, city: bool, lang: str) -> str:
    name = await scope_name_of(session, row.ward_code, lang) if city else row.label
    return text("overdue_line", lang, name=name, week=row.due_this_week, late=row.overdue)


# ---- handover -----------------------------------------------------------------------------------------------


async def on_handover(update: Update, context: IntakeContext) -> None:
    """/handover FROM TO: a supervisor moves a member's open plans to another member of the same ward; audited;
    the new holder is told (once: the daily run tells them if this message could not go out)."""
    lang, member = language(update), context.staff
    args = context.args or []
    if not is_supervisor(member):
        await show(update, text("not_allowed", lang))
        return
    if len(args) != 2 or not all(arg.isdigit() for arg in args):
        await show(update, text("handover_usage", lang))
        return
    try:
        async with session_scope(context.sessions) as session:
            source = await session.get(Staff, int(args[0]))
            if source is None or not scope_allowed(member, source.ward_code or CITY):
                raise FollowupRejectedError(FollowupProblem.UNKNOWN_STAFF)
            done = await hand_over(session, int(args[0]), int(args[1]), by_staff_id=member.id, actor="bot")
    except FollowupRejectedError as rejected:
        await show(update, _problem_text(rejected, lang))
        return
    log.info("handover audit=%s from=%s to=%s by staff=%s", done.audit_id, args[0], args[1], member.id)
    await show(update, handover_text(done, lang))
    await tell_new_holder(context, done)


def handover_text(done: Handover, lang: str) -> str:
    merged = text("handover_merged", lang, count=done.merged) if done.merged else ""
    return text(
        "handover_done",
        lang,
        from_id=done.from_staff.id,
        from_name=done.from_staff.display_name,
        moved=done.moved,
        to_id=done.to_staff.id,
        to_name=done.to_staff.display_name,
        merged=merged,
    ).strip()


async def tell_new_holder(context: IntakeContext, done: Handover) -> None:
    async def send(staff: Staff) -> None:
        await send_handover_received(context.bot, staff, done.from_staff.display_name, done.moved)

    await deliver_once(context.sessions, done.to_staff, "handover", str(done.audit_id), send)


async def send_handover_received(bot: Bot, staff: Staff, from_name: str, count: int) -> None:
    lang = staff.language if staff.language in ("ja", "en") else "ja"
    await bot.send_message(staff.telegram_user_id, text("handover_received", lang, from_name=from_name, count=count))


async def send_handover_needed(bot: Bot, supervisor: Staff, member: Staff, count: int) -> None:
    lang = supervisor.language if supervisor.language in ("ja", "en") else "ja"
    if member.active and member.on_leave_until is not None:
        why = text("handover_why_leave", lang, until=short_day(member.on_leave_until, lang))
    else:
        why = text("handover_why_deactivated", lang)
    body = text("handover_needed", lang, name=member.display_name, id=member.id, why=why, count=count)
    await bot.send_message(supervisor.telegram_user_id, body)


# ---- shared -------------------------------------------------------------------------------------------------


def _staff_id(context: IntakeContext) -> int:
    staff_id = context.staff.id
    assert staff_id is not None
    return staff_id


async def _answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def _problem_text(rejected: FollowupRejectedError, lang: str) -> str:
    problem = rejected.problem
    if problem is FollowupProblem.PURPOSE_PERSONAL:
        return text("note_personal", lang, what=personal_data_labels(rejected.personal_data, lang))
    keys = {
        FollowupProblem.PURPOSE_TOO_LONG: "purpose_too_long",
        FollowupProblem.NO_HOUSEHOLD: "followup_no_household",
        FollowupProblem.UNKNOWN_STAFF: "handover_unknown_staff",
        FollowupProblem.NOT_SAME_WARD: "handover_not_same_ward",
        FollowupProblem.INACTIVE_HOLDER: "handover_inactive_holder",
        FollowupProblem.SAME_PERSON: "handover_same_person",
        FollowupProblem.NOTHING_TO_MOVE: "handover_nothing",
    }
    return text(keys.get(problem, "followup_gone"), lang, max=PURPOSE_MAX_LENGTH)


async def _refuse(update: Update, rejected: FollowupRejectedError, lang: str) -> None:
    """A plan closed meanwhile, or not the person's: an alert on a button; a message for typed text."""
    if update.callback_query is not None:
        await update.callback_query.answer(_problem_text(rejected, lang), show_alert=True)
    else:
        await show(update, _problem_text(rejected, lang))
