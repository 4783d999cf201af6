"""The logging conversation's last step: saving the draft once, the one question about an unusual count, and the
reply that says what the entry counted toward (and offers the next contact). Steps registered by flow.py."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import IntakeContext, language, show
from bot.conversations.log_event import (
    CANCEL_BUTTON,
    CONFIRM,
    EDIT_BUTTON,
    END,
    KEEP_BUTTON,
    SAVE_BUTTON,
    Draft,
    State,
    current_draft,
    drop_draft,
    next_step,
    stay,
)
from bot.keyboards import inline, next_contact_offer
from bot.month_notices import tell_withdrawn
from bot.scope import refuse_button, scope_name_of
from bot.texts import kind_label, month_label, personal_data_labels, short_day, text
from models.approval import withdrawn_in
from models.catalog import (
    INDICATOR_BY_KIND,
    KINDS_BY_CODE,
    SHEETS,
)
from models.db import session_scope
from models.entries.draft import EventDraft, EventRejectedError, Problem
from models.entries.unusual import FLOOR, Usual, unusual_count
from models.entries.write import correct_event, record_event
from models.fiscal import today as japan_today
from models.followups import close_on_entry
from models.tables import Event, Followup
from models.totals import IndicatorValue, figure_after_save, grew_by, sheet_notation, would_count_anew

log = logging.getLogger(__name__)


async def on_save_button(update: Update, context: IntakeContext) -> State | None:
    """Save the draft once (its id is the idempotency key), then say what it counted toward. A count far above
    the usual for its kind in the ward is asked about once first (`models.entries.unusual`), never refused."""
    draft = current_draft(context)
    if draft is None or SAVE_BUTTON.arg(update) != draft["id"] or next_step(draft) != CONFIRM:
        await refuse_button(update)
        return None
    if draft.get("count", 1) > FLOOR and draft.get(UNUSUAL_OK) != draft.get("count"):  # ≤ FLOOR: never asked
        async with session_scope(context.sessions) as session:
            usual = await unusual_count(session, EventDraft.from_json(draft))
            scope = await scope_name_of(
                session, None if usual and usual.city_wide else draft["ward_code"], language(update)
            )
        if usual is not None:
            return await _ask_unusual(update, draft, usual, scope)
    return await _save(update, context, draft)


UNUSUAL_OK = "unusual_ok"  # the draft's count the worker said to keep, though far above the usual


async def _ask_unusual(update: Update, draft: Draft, usual: Usual, scope: str) -> State:
    """「都島区のアウトリーチはふだん1回1〜3件です。100件で保存しますか？」 — once per count; the card stays."""
    lang, kind = language(update), KINDS_BY_CODE[draft["kind"]]
    unit = text(UNITS[kind.count_unit_ja], lang)
    usual_text = (
        str(usual.high) if usual.low == usual.high else text("unusual_range", lang, low=usual.low, high=usual.high)
    )
    values = {"scope": scope, "kind": kind_label(kind.code, lang), "usual": usual_text, "unit": unit}
    body = text("unusual_ask", lang, count=draft["count"], **values)
    buttons = inline(
        [
            [(text("button_keep_count", lang, count=draft["count"], unit=unit), KEEP_BUTTON(draft["id"]))],
            [(text("button_count", lang), EDIT_BUTTON("count")), (text("button_cancel", lang), CANCEL_BUTTON())],
        ]
    )
    await show(update, body, buttons)
    return CONFIRM


UNITS = {"件": "unit_items", "人": "unit_people"}  # a kind's count unit → the catalog's word for it


async def on_keep_button(update: Update, context: IntakeContext) -> State | None:
    """log:keep:<draft id> — the worker keeps the unusual count: saved, and flagged for the supervisors."""
    draft = current_draft(context)
    if draft is None or KEEP_BUTTON.arg(update) != draft["id"] or next_step(draft) != CONFIRM:
        await refuse_button(update)
        return None
    draft[UNUSUAL_OK] = draft.get("count")
    return await _save(update, context, draft)


async def _save(update: Update, context: IntakeContext, draft: Draft) -> State | None:
    lang = language(update)
    key = idempotency_key(update, draft["id"])
    event_draft = EventDraft.from_json(draft)
    lock_days = context.settings.lock_business_days
    kept = draft.get(UNUSUAL_OK) == event_draft.count
    try:
        async with session_scope(context.sessions) as session:
            flag = await unusual_count(session, event_draft) if kept else None  # still unusual at the save
            # Sums grow by the count, a distinct count by one if this area or household is new this year;
            # a correction compares the figure before and after.
            before = await _figure(session, context, event_draft) if draft.get("corrects") else None
            anew = before is None and await would_count_anew(session, event_draft, _threshold(context))
            if draft.get("corrects"):
                event = await correct_event(
                    session,
                    draft["corrects"],
                    event_draft,
                    by_staff_id=context.staff.id,
                    reason=draft["reason"],
                    idempotency_key=key,
                    today=japan_today(),
                    lock_business_days=lock_days,
                    flag=flag,
                )
            else:
                event, _created = await record_event(
                    session,
                    event_draft,
                    idempotency_key=key,
                    today=japan_today(),
                    logged_by_staff_id=context.staff.id,
                    lock_business_days=lock_days,
                    flag=flag,
                )
            after = await _figure(session, context, event_draft)
            scope = await scope_name_of(session, draft["ward_code"], lang)
            closed = [] if draft.get("corrects") else await close_on_entry(session, event)  # the follow-ups it did
            withdrawn = withdrawn_in(session)
    except EventRejectedError as rejected:  # a draft resumed days later may have crossed its month's lock
        return await stay(update, _problem_text(rejected, event_draft.occurred_on, lock_days, lang))
    log.info("saved event=%s kind=%s staff=%s", event.id, event.kind, context.staff.id)
    drop_draft(context)
    added = grew_by(event.kind, event.count, counted_anew=anew, before=before, after=after)
    body = _saved_text(event, added, after, scope, lang, draft.get("corrects"))
    if flag is not None:
        body += "\n" + text("saved_flagged", lang)
    body, offer = _next_contact_offer(event, closed, body, lang, corrected=bool(draft.get("corrects")))
    await show(update, body, offer)
    await tell_withdrawn(context.bot, context.sessions, withdrawn)
    return END


def _next_contact_offer(
    event: Event, closed: list[Followup], body: str, lang: str, *, corrected: bool
) -> tuple[str, Any]:
    """The follow-ups the entry closed, and for an entry naming a household one optional tap for the next contact
    (bot/conversations/followups.py answers it; the conversation has ended, so nothing waits for it)."""
    lines = [body]
    lines += [
        text("followup_closed_by_entry", lang, household=plan.household_ref, day=short_day(plan.due_on, lang))
        for plan in closed
    ]
    if event.household_ref is None or corrected or event.id is None:
        return "\n".join(lines), None
    lines += ["", text("followup_ask", lang, household=event.household_ref)]
    return "\n".join(lines), next_contact_offer(event.id, lang)


def idempotency_key(update: Update, draft_id: str) -> str:
    user = update.effective_user
    assert user is not None
    return f"tg:{user.id}:{draft_id}"


async def _figure(session: AsyncSession, context: IntakeContext, draft: EventDraft) -> IndicatorValue:
    return await figure_after_save(session, draft, japan_today(), _threshold(context))


def _threshold(context: IntakeContext) -> int:
    return context.settings.regular_meeting_threshold


def _saved_text(event: Event, added: int, after: IndicatorValue, scope: str, lang: str, corrected: int | None) -> str:
    values = {"id": event.id, **_figure_values(event.kind, after, scope)}
    if added > 0:
        body = text("saved", lang, added=added, **values)
    elif added < 0:  # a correction that lowered the figure says so
        body = text("saved_down", lang, removed=-added, **values)
    else:
        body = text("saved_not_counted", lang, **values)
    return (text("corrected", lang, old=corrected, new=event.id) + "\n" + body) if corrected else body


def _figure_values(kind: str, after: IndicatorValue, scope: str) -> dict[str, object]:
    indicator = INDICATOR_BY_KIND[kind]
    goal = next(sheet.goal for sheet in SHEETS if sheet.number == indicator.sheet)
    return {"goal": goal, "indicator": indicator.short_label, "total": sheet_notation(indicator, after), "scope": scope}


def figure_moved_text(kind: str, before: IndicatorValue, after: IndicatorValue, scope: str, lang: str) -> str:
    """How a change (a void, an undo) moved the year's figure of the entry's indicator, in one line."""
    moved = after.value - before.value
    values = _figure_values(kind, after, scope)
    if moved == 0:
        return text("figure_same", lang, **values)
    return text("figure_moved", lang, delta=f"+{moved}" if moved > 0 else f"−{-moved}", **values)


def _problem_text(rejected: EventRejectedError, day: date, lock_days: int, lang: str) -> str:
    problems = rejected.problems
    if Problem.MONTH_LOCKED in problems:
        return text("date_locked", lang, month=month_label(day.year, day.month, lang), days=lock_days)
    if Problem.NOTE_PERSONAL_DATA in problems:
        return text("note_personal", lang, what=personal_data_labels(rejected.personal_data, lang))
    if Problem.FUTURE_DATE in problems:
        return text("date_future", lang)
    if Problem.ALREADY_VOIDED in problems or Problem.NOT_FOUND in problems:
        return text("expired", lang)
    return text("invalid_choice", lang)
