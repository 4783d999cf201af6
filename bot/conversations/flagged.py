"""/flagged: the entries of the supervisor's scope saved with a count far above the usual (`models.entries.unusual`),
each to confirm (確認済み) or to send back to its worker (修正を依頼: a message with the entry's 修正 button).

The list goes through the long-answer builder; the review buttons are under the first entries (a handled entry
leaves the list, the next one gets buttons). Every button carries its whole request and is checked on press.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import FIX_BUTTON, Callback, Choice, inline
from bot.long_answer import Group, LongAnswer, grouped, reply, turn_page
from bot.scope import default_scope, is_supervisor, refuse_button, scope_allowed, scope_name_of, ward_of
from bot.texts import kind_label, text
from models.catalog import KINDS_BY_CODE
from models.db import session_scope
from models.entries.unusual import FlaggedEntry, FlagStatus, flagged_waiting, review_flag
from models.tables import EntryFlag, Event, Staff

log = logging.getLogger(__name__)

FLAGGED_PAGE = Callback("flgp")  # flgp:<scope>:<page>
FLAG_REVIEW = Callback("flgr")  # flgr:<ok|ask>:<event id>:<scope>
REVIEWED_WITH_BUTTONS = 4  # the first entries of the list get their two buttons
UNITS = {"件": "unit_items", "人": "unit_people"}


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("flagged", on_flagged),
        CallbackQueryHandler(on_flagged_page, pattern=FLAGGED_PAGE.pattern),
        CallbackQueryHandler(on_flag_review_button, pattern=FLAG_REVIEW.pattern),
    ]


async def on_flagged(update: Update, context: IntakeContext) -> None:
    lang = language(update)
    if not is_supervisor(context.staff):
        await show(update, text("not_allowed", lang))
        return
    answer = await flagged_answer(context, default_scope(context.staff), lang)
    if answer is None:
        await show(update, text("flagged_none", lang))
        return
    await reply(update, answer)


async def on_flagged_page(update: Update, context: IntakeContext) -> None:
    """flgp:<scope>:<page> — a page of the list, rebuilt for the presser."""
    args = FLAGGED_PAGE.args(update) or []
    if len(args) != 2 or not is_supervisor(context.staff) or not scope_allowed(context.staff, args[0]):
        await refuse_button(update)
        return
    lang = language(update)
    answer = await flagged_answer(context, args[0], lang)
    if answer is None:
        await show(update, text("flagged_none", lang))
        return
    await turn_page(update, answer, args[1])


async def on_flag_review_button(update: Update, context: IntakeContext) -> None:
    """flgr:<ok|ask>:<event id>:<scope> — once per entry (a second press is told it is done); the list redrawn."""
    args = FLAG_REVIEW.args(update) or []
    lang = language(update)
    statuses = {"ok": FlagStatus.CONFIRMED, "ask": FlagStatus.ASKED}
    if (
        len(args) != 3
        or args[0] not in statuses
        or not args[1].isdigit()
        or not is_supervisor(context.staff)
        or not scope_allowed(context.staff, args[2])
    ):
        await refuse_button(update)
        return
    event_id, scope = int(args[1]), args[2]
    async with session_scope(context.sessions) as session:
        event = await review_flag(session, event_id, statuses[args[0]], context.staff)
        flag = await session.get(EntryFlag, event_id)
        worker = await session.get(Staff, event.logged_by_staff_id) if event and event.logged_by_staff_id else None
    if event is None:
        notice = text("flag_already", lang, id=event_id)
    elif args[0] == "ok":
        notice = text("flag_confirmed", lang, id=event_id)
    else:
        notice = await _ask_worker(context, event, flag, worker, lang)
    log.info("flag review event=%s action=%s done=%s staff=%s", event_id, args[0], event is not None, context.staff.id)
    await _redraw(update, context, scope, notice, lang)


async def _ask_worker(
    context: IntakeContext, event: Event, flag: EntryFlag | None, worker: Staff | None, lang: str
) -> str:
    """The worker gets the entry and its 修正 button (a step of the logging conversation, as under /mine)."""
    if worker is None or not worker.active or event.id is None:
        return text("flag_no_worker", lang, id=event.id)
    worker_lang = worker.language if worker.language in ("ja", "en") else "ja"
    values = _entry_values(event, flag, worker_lang)
    body = text("flag_fix_request", worker_lang, by=context.staff.display_name, id=event.id, **values)
    button = inline([[(text("button_fix", worker_lang, id=event.id), FIX_BUTTON(event.id))]])
    try:
        await context.bot.send_message(worker.telegram_user_id, body, reply_markup=button)
    except TelegramError:
        log.warning("correction request to staff=%s failed", worker.id, exc_info=True)
        return text("flag_no_worker", lang, id=event.id)
    return text("flag_asked_sent", lang, name=worker.display_name, id=event.id)


async def _redraw(update: Update, context: IntakeContext, scope: str, notice: str, lang: str) -> None:
    """The press answered with what happened, and the list redrawn in place (the handled entry gone)."""
    query = update.callback_query
    assert query is not None
    await query.answer(notice, show_alert=True)
    answer = await flagged_answer(context, scope, lang)
    body, markup = answer.screen(1) if answer is not None else (text("flagged_none", lang), None)
    try:
        await query.edit_message_text(body, reply_markup=markup)
    except BadRequest as error:  # pressed twice: nothing changed
        if "not modified" not in str(error).lower():
            raise


async def flagged_answer(context: IntakeContext, scope: str, lang: str) -> LongAnswer | None:
    """The scope's flagged entries waiting for review, by ward (the presser's own first); None when there are none."""
    async with session_scope(context.sessions) as session:
        entries = await flagged_waiting(session, ward_of(scope))
        wards = {entry.flag.ward_code: await scope_name_of(session, entry.flag.ward_code, lang) for entry in entries}
    if not entries:
        return None
    by_ward = grouped(entries, lambda entry: entry.flag.ward_code, first=context.staff.ward_code)
    groups = [Group(wards[code], [_line(entry, wards[code], lang) for entry in items]) for code, items in by_ward]
    buttons: list[list[Choice]] = []
    for entry in [entry for _code, items in by_ward for entry in items][:REVIEWED_WITH_BUTTONS]:
        event_id = entry.event.id
        row: list[Choice] = [(text("button_flag_ok", lang, id=event_id), FLAG_REVIEW("ok", event_id, scope))]
        if entry.flag.status == FlagStatus.OPEN:
            row.append((text("button_flag_ask", lang, id=event_id), FLAG_REVIEW("ask", event_id, scope)))
        buttons.append(row)
    return LongAnswer(
        head=text("flagged_header", lang, count=len(entries)),
        title=text("flagged_title", lang),
        groups=groups,
        count_key="flagged_ward_count",
        page_data=lambda n: FLAGGED_PAGE(scope, n),
        lang=lang,
        buttons=buttons,
    )


def _line(entry: FlaggedEntry, ward: str, lang: str) -> str:
    asked = text("flagged_asked", lang) if entry.flag.status == FlagStatus.ASKED else ""
    values = _entry_values(entry.event, entry.flag, lang)
    return text("flagged_line", lang, id=entry.event.id, ward=ward, name=entry.logged_by or "", asked=asked, **values)


def _entry_values(event: Event, flag: EntryFlag | None, lang: str) -> dict[str, object]:
    usual = ""
    if flag is not None:
        same = flag.usual_low == flag.usual_high
        usual = str(flag.usual_high) if same else text("unusual_range", lang, low=flag.usual_low, high=flag.usual_high)
    unit = text(UNITS[KINDS_BY_CODE[event.kind].count_unit_ja], lang)
    return {
        "day": event.occurred_on.strftime("%m/%d"),
        "kind": kind_label(event.kind, lang),
        "count": event.count,
        "unit": unit,
        "usual": usual + unit,
    }
