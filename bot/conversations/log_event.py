"""Logging an event: kind → area → household → date → count → answer → confirmation card → saved.

The draft lives in `user_data["draft"]` (persisted, JSON), so a restart resumes where the person was.
Each step stores what it got and calls `ask_next`, which finds the first missing field and asks for it;
optional fields (note, an optional household, another count or date) are changed from the card.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import DRAFT, IntakeContext, language, show
from bot.keyboards import Callback, Choice, in_rows, inline
from bot.scope import refuse_button
from bot.texts import date_values, kind_label, month_label, personal_data_labels, text, weekday_mismatch
from models.catalog import (
    KINDS_BY_CODE,
    EventKind,
    Requirement,
    counts_each_household_once,
    kinds_for,
)
from models.db import session_scope
from models.entries.draft import COUNT_MAX, EventDraft, next_field, upgraded
from models.entries.read import first_counted_on, issue_household_code, last_live_entry_of, recent_household_codes
from models.fiscal import fiscal_year_of
from models.fiscal import today as japan_today
from models.locks import is_entry_locked, is_month_locked
from models.privacy import is_valid_household_ref, personal_data_in
from models.reference import active_areas_of
from models.roles import Organisation
from models.tables import NOTE_MAX_LENGTH, Area
from models.typed_input import Unreadable, WrongWeekday, normalise, parse_count, parse_date

log = logging.getLogger(__name__)

# The steps (persisted conversation states), on one line in the order they are asked.
KIND, AREA, HOUSEHOLD, DATE, COUNT, ANSWER, CONFIRM, NOTE, REASON = (
    "kind", "area", "household", "date", "count", "answer", "confirm", "note", "reason",
)  # fmt: skip
# The buttons of the logging flow (flow.py registers them for each step).
KIND_BUTTON, AREA_BUTTON, PAGE_BUTTON = Callback("log:kind"), Callback("log:area"), Callback("log:page")
NEW_HOUSEHOLD_BUTTON, SKIP_HOUSEHOLD_BUTTON = Callback("log:newhh"), Callback("log:skiphh")
KNOWN_HOUSEHOLD_BUTTON = Callback("log:hh")  # log:hh:<household code>, one of the worker's recent households
DATE_BUTTON, COUNT_BUTTON, ANSWER_BUTTON = Callback("log:date"), Callback("log:count"), Callback("log:answer")
SAVE_BUTTON, EDIT_BUTTON, NO_NOTE_BUTTON = Callback("log:save"), Callback("log:edit"), Callback("log:nonote")
KEEP_BUTTON = Callback("log:keep")  # log:keep:<draft id> — save a count far above the usual as it is (flagged)
RESUME_BUTTON, RESTART_BUTTON, CANCEL_BUTTON = Callback("log:resume"), Callback("log:restart"), Callback("log:cancel")
# The step (a persisted conversation state) that asks each field; the edit buttons' data names a step.
STEP_OF_FIELD: dict[str | None, str] = {
    "kind": KIND,
    "area_id": AREA,
    "household_ref": HOUSEHOLD,
    "occurred_on": DATE,
    "count": COUNT,
    "answer": ANSWER,
    None: CONFIRM,
}
EDITED_FIELDS = {"date": "occurred_on", "count": "count"}  # log:edit:<step> → the field it clears
AREAS_PER_PAGE = 8
TEXT_MAX = 300
COUNT_CHOICES = (1, 2, 3, 5, 10)

Draft = dict[str, Any]
State = str | int

END: int = ConversationHandler.END


# ---- the draft -------------------------------------------------------------------------------------------


def current_draft(context: IntakeContext) -> Draft | None:
    """The entry being made, under the table's field names (a draft persisted under the old names is renamed)."""
    if context.user_data is None or context.user_data.get(DRAFT) is None:
        return None
    draft: Draft = upgraded(context.user_data[DRAFT])
    context.user_data[DRAFT] = draft
    return draft


def start_draft(context: IntakeContext, **fields: Any) -> Draft:
    assert context.user_data is not None
    draft: Draft = {"id": uuid.uuid4().hex, "ward_code": context.staff.ward_code, **fields}
    context.user_data[DRAFT] = draft
    return draft


def drop_draft(context: IntakeContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


def next_step(draft: Draft) -> str:
    """The step that asks the first field the draft still needs (`models.entries.draft.next_field`)."""
    return STEP_OF_FIELD[next_field(draft)]


# ---- entry points ----------------------------------------------------------------------------------------


async def on_log(update: Update, context: IntakeContext) -> State:
    """/log or the menu: offer to resume an unfinished draft, else ask for the kind."""
    return await start_kind(update, context, None)


async def start_kind(update: Update, context: IntakeContext, kind: str | None) -> State:
    """/outreach, /consult, /participation skip the kind menu (None: ask it); an unfinished draft is offered first."""
    if context.staff.ward_code is None:
        await show(update, text("no_ward", language(update)))
        return END
    draft = current_draft(context)
    if draft and draft.get("kind"):
        return await offer_resume(update, context, draft)
    start_draft(context, **({"kind": kind} if kind else {}))
    return await ask_next(update, context)


async def on_repeat(update: Update, context: IntakeContext) -> State:
    """「前回と同じ」: the person's last live entry again, dated today, straight to the card."""
    lang = language(update)
    draft = current_draft(context)
    if draft and draft.get("kind"):
        return await offer_resume(update, context, draft)
    async with session_scope(context.sessions) as session:
        last = await last_live_entry_of(session, context.staff.id)
    if last is None:
        await show(update, text("no_previous", lang))
        return END
    repeated = EventDraft.of(last, on=japan_today(), with_note=False).to_json()
    again = start_draft(context, **repeated | {"ward_code": context.staff.ward_code})  # the member's ward of today
    since = await _already_counted_since(context, again) if again.get("household_ref") else None
    return await ask_next(update, context, text("household_already_counted", lang, since=since) if since else None)


async def offer_resume(update: Update, context: IntakeContext, draft: Draft) -> State:
    lang = language(update)
    buttons = inline(
        [[(text("button_resume", lang), RESUME_BUTTON()), (text("button_restart", lang), RESTART_BUTTON())]]
    )
    await show(update, text("draft_pending", lang, kind=kind_label(draft["kind"], lang)), buttons)
    return CONFIRM


async def on_resume_button(update: Update, context: IntakeContext) -> State:
    if current_draft(context) is None:
        start_draft(context)
    return await ask_next(update, context)


async def on_restart_button(update: Update, context: IntakeContext) -> State:
    drop_draft(context)
    start_draft(context)
    return await ask_next(update, context)


# ---- asking ----------------------------------------------------------------------------------------------


async def ask_next(update: Update, context: IntakeContext, notice: str | None = None) -> State:
    """Ask for whatever the draft needs next (or show the card); returns that step as the new state."""
    draft = current_draft(context)
    assert draft is not None
    step = next_step(draft)
    lang = language(update)
    body, markup = await _prompt(step, draft, context, lang)
    await show(update, f"{notice}\n\n{body}" if notice else body, markup)
    return step


async def _prompt(step: str, draft: Draft, context: IntakeContext, lang: str) -> tuple[str, Any]:
    cancel: Choice = (text("button_cancel", lang), CANCEL_BUTTON())
    if step == KIND:
        kinds = kinds_for_member(context)
        return text("ask_kind", lang), inline(
            [*in_rows([(kind_label(k.code, lang), KIND_BUTTON(k.code)) for k in kinds], 2), [cancel]]
        )
    if step == AREA:
        return await _area_prompt(context, draft, lang, draft.get("area_page", 0))
    if step == HOUSEHOLD:
        known = [(code, KNOWN_HOUSEHOLD_BUTTON(code)) for code in await _known_households(context, draft)]
        rows: list[list[Choice]] = [*in_rows(known, 2), [(text("button_new_household", lang), NEW_HOUSEHOLD_BUTTON())]]
        if KINDS_BY_CODE[draft["kind"]].household is Requirement.OPTIONAL:
            rows.append([(text("button_skip", lang), SKIP_HOUSEHOLD_BUTTON())])
        return text("ask_household", lang), inline([*rows, [cancel]])
    if step == DATE:
        today: Choice = (text("button_today", lang), DATE_BUTTON("today"))
        hint = text("ask_date", lang, **date_values(japan_today(), lang))
        return hint, inline([[today, (text("button_yesterday", lang), DATE_BUTTON("yesterday"))], [cancel]])
    if step == COUNT:
        key = "ask_count_people" if KINDS_BY_CODE[draft["kind"]].counts_people else "ask_count"
        return text(key, lang), inline([[(str(n), COUNT_BUTTON(n)) for n in COUNT_CHOICES], [cancel]])
    if step == ANSWER:
        answers = [(text("answer_yes", lang), ANSWER_BUTTON("yes")), (text("answer_no", lang), ANSWER_BUTTON("no"))]
        return text("ask_answer", lang), inline([answers, [cancel]])
    if step == NOTE:
        return text("ask_note", lang, max=NOTE_MAX_LENGTH), inline([[(text("button_no_note", lang), NO_NOTE_BUTTON())]])
    return await _card(context, draft, lang)


def kinds_for_member(context: IntakeContext) -> list[EventKind]:
    """All kinds, the member's organisation's usual ones first, then by sheet."""
    try:
        organisation = Organisation(context.staff.organisation)
    except ValueError:
        organisation = Organisation.WATCH_OFFICE
    return kinds_for(organisation)


async def _area_prompt(context: IntakeContext, draft: Draft, lang: str, page: int) -> tuple[str, Any]:
    async with session_scope(context.sessions) as session:
        areas = await active_areas_of(session, draft["ward_code"])
    pages = max(1, -(-len(areas) // AREAS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = areas[page * AREAS_PER_PAGE : (page + 1) * AREAS_PER_PAGE]
    rows = in_rows([(area.name_ja, AREA_BUTTON(area.id)) for area in shown], 2)
    nav: list[Choice] = []
    if page > 0:
        nav.append((text("button_prev", lang), PAGE_BUTTON(page - 1)))
    if page < pages - 1:
        nav.append((text("button_next", lang), PAGE_BUTTON(page + 1)))
    cancel = [(text("button_cancel", lang), CANCEL_BUTTON())]
    return text("ask_area", lang, page=page + 1, pages=pages), inline([*rows, nav, cancel])


async def _card(context: IntakeContext, draft: Draft, lang: str) -> tuple[str, Any]:
    kind = KINDS_BY_CODE[draft["kind"]]
    lines = [text("card_kind", lang, value=kind_label(kind.code, lang))]
    if draft.get("area_id") is not None:
        async with session_scope(context.sessions) as session:
            area = await session.get(Area, draft["area_id"])
        lines.append(text("card_area", lang, value=area.name_ja if area else "?"))
    if draft.get("household_ref"):
        lines.append(text("card_household", lang, value=draft["household_ref"]))
    lines.append(text("card_date", lang, value=draft["occurred_on"]))
    if kind.takes_count:
        key = "card_people" if kind.counts_people else "card_count"
        lines.append(text(key, lang, value=draft.get("count", 1)))
    if kind.takes_answer:
        lines.append(text("card_answer", lang, value=text("answer_yes" if draft["answer"] else "answer_no", lang)))
    if draft.get("note"):
        lines.append(text("card_note", lang, value=draft["note"]))
    card = "\n".join(lines)
    heading = (
        text("confirm_correction", lang, id=draft["corrects"], card=card)
        if draft.get("corrects")
        else text("confirm", lang, card=card)
    )
    edits: list[Choice] = [(text("button_date", lang), EDIT_BUTTON("date"))]
    if kind.takes_count:
        edits.append((text("button_count", lang), EDIT_BUTTON("count")))
    extras: list[Choice] = [
        (text("button_note_change" if draft.get("note") else "button_note", lang), EDIT_BUTTON("note"))
    ]
    if kind.household is Requirement.OPTIONAL:
        extras.append((text("button_household", lang), EDIT_BUTTON("household")))
    rows = [
        [(text("button_save", lang), SAVE_BUTTON(draft["id"]))],
        edits,
        extras,
        [(text("button_cancel", lang), CANCEL_BUTTON())],
    ]
    return heading, inline(rows)


# ---- steps: buttons --------------------------------------------------------------------------------------


async def on_kind_button(update: Update, context: IntakeContext) -> State | None:
    """Stores the kind; asks what that kind needs next."""
    kind = KIND_BUTTON.arg(update)
    draft = current_draft(context)
    if kind not in KINDS_BY_CODE or draft is None:
        await refuse_button(update)
        return None
    draft["kind"] = kind
    return await ask_next(update, context)


async def on_area_button(update: Update, context: IntakeContext) -> State | None:
    """Stores the area if it is an active area of the member's ward (callback data can be forged)."""
    draft = current_draft(context)
    argument = AREA_BUTTON.arg(update)
    async with session_scope(context.sessions) as session:
        area = await session.get(Area, int(argument)) if argument.isdigit() else None
    if draft is None or area is None or not area.active or area.ward_code != draft["ward_code"]:
        await refuse_button(update)
        return None
    draft["area_id"] = area.id
    return await ask_next(update, context)


async def on_area_page_button(update: Update, context: IntakeContext) -> State | None:
    draft = current_draft(context)
    argument = PAGE_BUTTON.arg(update)
    if draft is None or not argument.isdigit():
        await refuse_button(update)
        return None
    draft["area_page"] = int(argument)
    return await ask_next(update, context)


async def on_new_household_button(update: Update, context: IntakeContext) -> State | None:
    """A new pseudonymous code for the ward, unused so far (random, so two workers never get the same)."""
    draft = current_draft(context)
    if draft is None:
        await refuse_button(update)
        return None
    async with session_scope(context.sessions) as session:
        code = await issue_household_code(session, draft["ward_code"])
    draft["household_ref"] = code
    return await ask_next(update, context, text("household_issued", language(update), code=code))


async def on_skip_household_button(update: Update, context: IntakeContext) -> State | None:
    draft = current_draft(context)
    if draft is None:
        await refuse_button(update)
        return None
    draft.pop("household_ref", None)
    return await ask_next(update, context)


async def on_date_button(update: Update, context: IntakeContext) -> State | None:
    today = japan_today()
    picked = {"today": today, "yesterday": date.fromordinal(today.toordinal() - 1)}.get(DATE_BUTTON.arg(update))
    if picked is None:
        await refuse_button(update)
        return None
    return await _store_date(update, context, picked)


async def on_count_button(update: Update, context: IntakeContext) -> State | None:
    argument = COUNT_BUTTON.arg(update)
    if not argument.isdigit() or not 1 <= int(argument) <= COUNT_MAX:
        await refuse_button(update)
        return None
    return await _store(update, context, count=int(argument))


async def on_answer_button(update: Update, context: IntakeContext) -> State | None:
    answer = {"yes": True, "no": False}.get(ANSWER_BUTTON.arg(update))
    if answer is None:
        await refuse_button(update)
        return None
    return await _store(update, context, answer=answer)


async def on_edit_button(update: Update, context: IntakeContext) -> State | None:
    """From the card: clear one field so the flow asks it again (note and optional household have own steps)."""
    draft = current_draft(context)
    field = EDIT_BUTTON.arg(update)
    if draft is None or field not in {"date", "count", "note", "household"}:
        await refuse_button(update)
        return None
    if field == "note":
        return await _ask_step(update, context, NOTE)
    if field == "household":
        return await _ask_step(update, context, HOUSEHOLD)
    draft.pop(EDITED_FIELDS[field], None)
    return await ask_next(update, context)


async def _ask_step(update: Update, context: IntakeContext, step: str) -> State:
    draft = current_draft(context)
    assert draft is not None
    body, markup = await _prompt(step, draft, context, language(update))
    await show(update, body, markup)
    return step


async def on_no_note_button(update: Update, context: IntakeContext) -> State | None:
    return await _store(update, context, note=None)


async def _store(update: Update, context: IntakeContext, **fields: Any) -> State | None:
    draft = current_draft(context)
    if draft is None:
        await refuse_button(update)
        return None
    for key, value in fields.items():
        if value is None:
            draft.pop(key, None)
        else:
            draft[key] = value
    return await ask_next(update, context)


async def _store_date(update: Update, context: IntakeContext, picked: date) -> State | None:
    draft = current_draft(context)
    if draft is None:
        return await stay(update, text("expired", language(update)))
    refusal = await date_refusal(context, draft["ward_code"], picked, language(update))
    if refusal:
        return await stay(update, refusal)
    return await _store(update, context, occurred_on=picked.isoformat())


async def date_refusal(context: IntakeContext, ward_code: str, picked: date, lang: str) -> str | None:
    """Why an entry cannot be dated `picked` in this ward (future, or a locked month), or None."""
    today = japan_today()
    if picked > today:
        return text("date_future", lang)
    lock_days = context.settings.lock_business_days
    if not is_month_locked(picked.year, picked.month, today, lock_days):
        return None  # the usual case, known without the database
    async with session_scope(context.sessions) as session:
        locked = await is_entry_locked(session, ward_code, picked, today, lock_days)
    if locked:
        return text("date_locked", lang, month=month_label(picked.year, picked.month, lang), days=lock_days)
    return None


async def stay(update: Update, message: str) -> State | None:
    """A wrong answer: say why, and stay in the same step."""
    if update.callback_query is not None:
        await update.callback_query.answer(message, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(message)
    return None


# ---- steps: typed text -----------------------------------------------------------------------------------


def _typed(update: Update) -> str:
    message = update.effective_message
    return message.text if message and message.text else ""


async def _too_long(update: Update, limit: int = TEXT_MAX) -> bool:
    if len(_typed(update)) > limit:
        await stay(update, text("too_long", language(update), max=limit))
        return True
    return False


async def on_area_text(update: Update, context: IntakeContext) -> State | None:
    """Typed part of an area's name or code: one match is taken, several are offered, none is said."""
    draft = current_draft(context)
    if draft is None or await _too_long(update, 50):
        return None
    query = normalise(_typed(update))
    async with session_scope(context.sessions) as session:
        areas = await active_areas_of(session, draft["ward_code"])
        matches = [a for a in areas if query in normalise(a.name_ja) or query in a.code]
    lang = language(update)
    if not matches:
        return await stay(update, text("area_none", lang, query=query))
    if len(matches) == 1:
        draft["area_id"] = matches[0].id
        return await ask_next(update, context)
    rows = in_rows([(area.name_ja, AREA_BUTTON(area.id)) for area in matches[: AREAS_PER_PAGE * 2]], 2)
    await show(
        update,
        text("area_matches", lang, query=query),
        inline([*rows, [(text("button_cancel", lang), CANCEL_BUTTON())]]),
    )
    return None


async def _known_households(context: IntakeContext, draft: Draft) -> list[str]:
    """The worker's most recent household codes in the draft's ward (up to six), for one tap instead of typing."""
    if context.staff.id is None:
        return []
    async with session_scope(context.sessions) as session:
        return await recent_household_codes(session, context.staff.id, draft["ward_code"])


async def on_known_household_button(update: Update, context: IntakeContext) -> State | None:
    """log:hh:<code> — one of the worker's recent households, taken as if typed."""
    draft = current_draft(context)
    code = KNOWN_HOUSEHOLD_BUTTON.arg(update)
    if draft is None or not is_valid_household_ref(code):
        await refuse_button(update)
        return None
    return await _take_household(update, context, draft, code)


async def on_household_text(update: Update, context: IntakeContext) -> State | None:
    draft = current_draft(context)
    if draft is None or await _too_long(update, 50):
        return None
    code = normalise(_typed(update)).upper()
    if not is_valid_household_ref(code):
        return await stay(update, text("household_invalid", language(update)))
    return await _take_household(update, context, draft, code)


async def _take_household(update: Update, context: IntakeContext, draft: Draft, code: str) -> State | None:
    """Stores the code; warns when the household already counts this year; asks what comes next."""
    lang = language(update)
    draft["household_ref"] = code
    since = await _already_counted_since(context, draft)
    notice = text("household_already_counted", lang, since=since) if since else None
    return await ask_next(update, context, notice)


async def _already_counted_since(context: IntakeContext, draft: Draft) -> State | None:
    """For a distinct-household kind: the first date this fiscal year the household was counted, if any."""
    if not counts_each_household_once(draft["kind"]):
        return None
    fiscal_year = fiscal_year_of(japan_today())
    async with session_scope(context.sessions) as session:
        first = await first_counted_on(session, draft["kind"], draft["ward_code"], draft["household_ref"], fiscal_year)
    return first.isoformat() if first else None


async def on_date_text(update: Update, context: IntakeContext) -> State | None:
    if await _too_long(update, 30):
        return None
    today, lang = japan_today(), language(update)
    picked = parse_date(_typed(update), today)
    if isinstance(picked, WrongWeekday):  # never guessed either way: the person sees the date's real weekday
        return await stay(update, weekday_mismatch(picked.day, today, lang))
    if isinstance(picked, Unreadable):
        return await stay(update, text("date_unreadable", lang, **date_values(today, lang)))
    return await _store_date(update, context, picked)


async def on_count_text(update: Update, context: IntakeContext) -> State | None:
    count = parse_count(_typed(update)) if len(_typed(update)) <= 10 else None
    if count is None or not 1 <= count <= COUNT_MAX:
        return await stay(update, text("count_invalid", language(update)))
    return await _store(update, context, count=count)


async def on_note_text(update: Update, context: IntakeContext) -> State | None:
    """A short note, refused (and the step kept) when it is too long or looks like personal data."""
    note = _typed(update).strip()
    lang = language(update)
    if len(note) > NOTE_MAX_LENGTH:
        return await stay(update, text("note_too_long", lang, max=NOTE_MAX_LENGTH, length=len(note)))
    found = personal_data_in(note)
    if found:
        return await stay(update, text("note_personal", lang, what=personal_data_labels(found, lang)))
    return await _store(update, context, note=note or None)


async def on_text_instead_of_button(update: Update, context: IntakeContext) -> None:
    """Text where a button is expected."""
    await stay(update, text("use_buttons", language(update)))


async def on_not_text(update: Update, context: IntakeContext) -> None:
    """A photo, file or sticker in the middle of a flow: nothing of it is kept."""
    await stay(update, text("text_only", language(update)))


async def on_cancel(update: Update, context: IntakeContext) -> State:
    """/cancel or the 中止 button: drop the draft, save nothing."""
    lang = language(update)
    await show(update, text("cancelled" if context.end_flow() else "nothing_to_cancel", lang))
    return END
