"""Corrections: /mine lists recent entries with void/correct buttons; /undo; /void for supervisors.

A void or a correction needs a reason; both are audited. A correction reuses the logging card: the old
entry's values become a draft, the person changes what was wrong, and saving replaces the old event.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import PENDING_CHANGE, IntakeContext, language, show
from bot.conversations.log_event import CANCEL_BUTTON, END, REASON, State, ask_next, start_draft
from bot.conversations.log_save import figure_moved_text
from bot.keyboards import FIX_BUTTON, PLAN_FROM_ENTRY, Callback, Choice, inline, menu_texts
from bot.month_notices import tell_withdrawn
from bot.scope import refuse_button, scope_name_of
from bot.texts import kind_label, month_label, personal_data_labels, text
from models.approval import withdrawn_in
from models.db import session_scope
from models.entries.changes import change_problem, changeable
from models.entries.draft import EventDraft, EventRejectedError, Problem
from models.entries.read import last_live_entry_of, latest_entries_of
from models.entries.write import undo_entry, void_event
from models.fiscal import today as japan_today
from models.privacy import personal_data_in
from models.tables import Event, Staff
from models.totals import figure_after_save

log = logging.getLogger(__name__)

MINE_LIMIT = 10
VOID_BUTTON = Callback("void")  # void:<event id>; fix:<event id> is bot.keyboards.FIX_BUTTON (flagged sends it too)
REASON_BUTTON = Callback("reason")  # reason:mistake | reason:duplicate
REASONS = {"mistake": "reason_mistake", "duplicate": "reason_duplicate"}  # the catalog's keys


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """/mine and 📋 自分の記録, /undo (voiding and correcting are steps of the logging conversation, flow.py)."""
    return [
        CommandHandler("mine", on_mine),
        MessageHandler(filters.Text(menu_texts("menu_mine")), on_mine),
        CommandHandler("undo", on_undo),
    ]


async def on_mine(update: Update, context: IntakeContext) -> None:
    """The member's latest entries, newest first, with buttons for those that can still change."""
    lang = language(update)
    async with session_scope(context.sessions) as session:
        events = await latest_entries_of(session, context.staff.id, MINE_LIMIT)
    if not events:
        await show(update, text("mine_empty", lang))
        return
    changeable = await _changeable(context, events)
    lines, rows = [text("mine_header", lang)], []
    for event in events:
        detail = f" ×{event.count}" if event.count > 1 else ""
        detail += " （取消済）" if event.voided_at and lang == "ja" else " (void)" if event.voided_at else ""
        date_label = event.occurred_on.strftime("%m/%d")
        lines.append(
            text("mine_line", lang, id=event.id, date=date_label, kind=kind_label(event.kind, lang), detail=detail)
        )
        row: list[Choice] = []
        if event.id in changeable:
            row += [
                (text("button_void", lang, id=event.id), VOID_BUTTON(event.id)),
                (text("button_fix", lang, id=event.id), FIX_BUTTON(event.id)),
            ]
        if event.household_ref and event.voided_at is None and event.logged_by_staff_id == context.staff.id:
            row.append((text("button_plan", lang, id=event.id), PLAN_FROM_ENTRY(event.id)))
        if row:
            rows.append(row)
    await show(update, "\n".join(lines), inline(rows))


async def on_undo(update: Update, context: IntakeContext) -> None:
    """Undo the member's last action if it was within the undo window: a logged entry is voided; a correction is
    taken back (its replacement voided, the original live again). The reply says how the year's figure moved."""
    lang = language(update)
    minutes = context.settings.undo_minutes
    since = datetime.now(UTC) - timedelta(minutes=minutes)
    today, threshold = japan_today(), context.settings.regular_meeting_threshold
    try:
        async with session_scope(context.sessions) as session:
            last = await last_live_entry_of(session, context.staff.id, since)
            if last is None or last.id is None:
                await show(update, text("undo_nothing", lang, minutes=minutes))
                return
            entry = (last.id, last.occurred_on)  # read now: a refusal rolls the session back
            draft = EventDraft.of(last)
            before = await figure_after_save(session, draft, today, threshold)
            original = await undo_entry(
                session,
                last.id,
                by_staff_id=context.staff.id,
                today=today,
                lock_business_days=context.settings.lock_business_days,
            )
            after = await figure_after_save(session, draft, today, threshold)
            scope = await scope_name_of(session, draft.ward_code, lang)
            withdrawn = withdrawn_in(session)
    except EventRejectedError as rejected:
        await show(update, _rejection_text(rejected, *entry, lang))
        return
    log.info("undo event=%s restored=%s staff=%s", entry[0], original and original.id, context.staff.id)
    head = (
        text("undone_correction", lang, new=entry[0], old=original.id)
        if original is not None
        else text("voided", lang, id=entry[0])
    )
    await show(update, head + "\n" + figure_moved_text(draft.kind, before, after, scope, lang))
    await tell_withdrawn(context.bot, context.sessions, withdrawn)


async def on_void_button(update: Update, context: IntakeContext) -> State:
    return await _start_change(update, context, "void")


async def on_fix_button(update: Update, context: IntakeContext) -> State:
    return await _start_change(update, context, "fix")


async def on_void(update: Update, context: IntakeContext) -> State:
    """/void N: supervisors (and a worker for their own entries) void an entry in their scope."""
    argument = context.args[0] if context.args else ""
    if not argument.isdigit():
        await show(update, text("void_usage", language(update)))
        return END
    return await _begin(update, context, "void", int(argument))


async def _start_change(update: Update, context: IntakeContext, action: str) -> State:
    argument = (VOID_BUTTON if action == "void" else FIX_BUTTON).arg(update)
    if not argument.isdigit():
        await refuse_button(update)
        return END
    return await _begin(update, context, action, int(argument))


async def _begin(update: Update, context: IntakeContext, action: str, event_id: int) -> State:
    """Check the entry may be changed by this member now, then ask for the reason."""
    lang = language(update)
    async with session_scope(context.sessions) as session:
        event = await session.get(Event, event_id)
        refusal = await _refusal(session, event, context.staff, context.settings.lock_business_days, lang, event_id)
    if refusal:
        await show(update, refusal)
        return END
    assert context.user_data is not None
    context.user_data[PENDING_CHANGE] = {"action": action, "event": event_id}
    reasons = [(text(key, lang), REASON_BUTTON(reason)) for reason, key in REASONS.items()]
    buttons = inline([reasons, [(text("button_cancel", lang), CANCEL_BUTTON())]])
    action_label = text("action_void" if action == "void" else "action_fix", lang)
    await show(update, text("ask_reason", lang, id=event_id, action=action_label), buttons)
    return REASON


async def _refusal(
    session: AsyncSession, event: Event | None, staff: Staff, lock_days: int, lang: str, event_id: int
) -> str | None:
    problem = await change_problem(session, event, staff, japan_today(), lock_days)
    if problem is None:
        return None
    if problem is Problem.NOT_YOURS:
        return text("event_not_yours", lang, id=event_id)
    if problem is Problem.MONTH_LOCKED and event is not None:
        return text(
            "event_locked", lang, id=event_id, month=month_label(event.occurred_on.year, event.occurred_on.month, lang)
        )
    return text("event_gone", lang, id=event_id)


async def _changeable(context: IntakeContext, events: list[Event]) -> set[int]:
    async with session_scope(context.sessions) as session:
        return await changeable(session, events, japan_today(), context.settings.lock_business_days)


async def on_reason_button(update: Update, context: IntakeContext) -> State | None:
    key = REASONS.get(REASON_BUTTON.arg(update))
    if key is None:
        await refuse_button(update)
        return None
    return await _apply_reason(update, context, text(key, "ja"))  # reasons are stored in Japanese


async def on_reason_text(update: Update, context: IntakeContext) -> State | None:
    reason = (update.effective_message.text or "").strip() if update.effective_message else ""
    lang = language(update)
    if not reason or len(reason) > 200:
        await show(update, text("too_long", lang, max=200))
        return None
    found = personal_data_in(reason)
    if found:
        await show(update, text("note_personal", lang, what=personal_data_labels(found, lang)))
        return None
    return await _apply_reason(update, context, reason)


async def _apply_reason(update: Update, context: IntakeContext, reason: str) -> State:
    assert context.user_data is not None
    pending = context.user_data.pop(PENDING_CHANGE, None)
    lang = language(update)
    if pending is None:
        await show(update, text("expired", lang))
        return END
    if pending["action"] == "void":
        return await _void(update, context, pending["event"], reason)
    async with session_scope(context.sessions) as session:
        event = await session.get(Event, pending["event"])
        fields = EventDraft.of(event).to_json() if event else None
    if fields is None:
        await show(update, text("event_gone", lang, id=pending["event"]))
        return END
    start_draft(context, corrects=pending["event"], reason=reason, **fields)
    return await ask_next(update, context)


async def _void(update: Update, context: IntakeContext, event_id: int, reason: str) -> State:
    lang = language(update)
    today, threshold = japan_today(), context.settings.regular_meeting_threshold
    moved = ""
    try:
        async with session_scope(context.sessions) as session:
            event = await session.get(Event, event_id)
            day = event.occurred_on if event is not None else None  # read now: a refusal rolls the session back
            draft = EventDraft.of(event) if event is not None else None
            before = await figure_after_save(session, draft, today, threshold) if draft else None
            await _void_checked(session, context, event_id, reason)
            if draft is not None and before is not None:
                after = await figure_after_save(session, draft, today, threshold)
                scope = await scope_name_of(session, draft.ward_code, lang)
                moved = "\n" + figure_moved_text(draft.kind, before, after, scope, lang)
            withdrawn = withdrawn_in(session)
    except EventRejectedError as rejected:
        await show(update, _rejection_text(rejected, event_id, day, lang))
        return END
    log.info("voided event=%s staff=%s", event_id, context.staff.id)
    await show(update, text("voided", lang, id=event_id) + moved)
    await tell_withdrawn(context.bot, context.sessions, withdrawn)
    return END


async def _void_checked(session: AsyncSession, context: IntakeContext, event_id: int, reason: str) -> None:
    await void_event(
        session,
        event_id,
        by_staff_id=context.staff.id,
        reason=reason,
        today=japan_today(),
        lock_business_days=context.settings.lock_business_days,
    )


def _rejection_text(rejected: EventRejectedError, event_id: int, day: date | None, lang: str) -> str:
    """The domain's answer as a message: a month that locked meanwhile, personal data, or an entry gone."""
    if Problem.MONTH_LOCKED in rejected.problems and day is not None:
        return text("event_locked", lang, id=event_id, month=month_label(day.year, day.month, lang))
    if Problem.NOTE_PERSONAL_DATA in rejected.problems:
        return text("note_personal", lang, what=personal_data_labels(rejected.personal_data, lang))
    return text("event_gone", lang, id=event_id)
