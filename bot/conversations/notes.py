"""/note: supervisors write the sheet's text sections, for this fiscal year and, until the end of June, the last.

Ward supervisors write their ward's sheet; city supervisors and admins the city's. Choosing the year, sheet
and section and removing a bullet are stateless buttons (`note:…`, each carrying its fiscal year); typing a
new bullet is a step of the one conversation a person can be in (assembled in flow.py), so typed text never
goes to two places.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import PENDING_NOTE, IntakeContext, language, show
from bot.keyboards import Callback, Choice, in_rows, inline
from bot.scope import CITY, default_scope, is_supervisor, refuse_button, scope_name_of
from bot.texts import personal_data_labels, text
from models.catalog import SECTION_LABELS_JA, SHEETS, SheetSection
from models.db import session_scope
from models.fiscal import fiscal_year_label, fiscal_year_of
from models.fiscal import today as japan_today
from models.privacy import personal_data_in
from models.sheet.bullets import BULLET_MAX_LENGTH, add_bullet, live_bullets, remove_bullet, writable_fiscal_years
from models.tables import SheetBullet

log = logging.getLogger(__name__)

TEXT = "note_text"
SHEET_NUMBERS = {sheet.number for sheet in SHEETS}
YEAR_BUTTON = Callback("note:year")  # note:year:<fy>
SHEET_BUTTON = Callback("note:sheet")  # note:sheet:<n>[:<fy>]
SECTION_BUTTON = Callback("note:sec")  # note:sec:<n>:<section>[:<fy>]
DELETE_BUTTON = Callback("note:del")  # note:del:<bullet id>
ADD_BUTTON = Callback("note:add")  # note:add:<n>:<section>[:<fy>]
CANCEL_BUTTON = Callback("note:cancel")  # while a bullet is typed


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """The stateless parts; typing a bullet is a step of the one conversation (see flow.py)."""
    buttons = (YEAR_BUTTON, SHEET_BUTTON, SECTION_BUTTON, DELETE_BUTTON)
    return [
        CommandHandler("note", on_note),
        CallbackQueryHandler(on_note_button, pattern="|".join(b.pattern for b in buttons)),
    ]


def _scope_ward(context: IntakeContext) -> str | None:
    scope = default_scope(context.staff)
    return None if scope == CITY else scope


async def on_note(update: Update, context: IntakeContext) -> None:
    """Which year (from April to June, last year's sheet is still being written), then which sheet."""
    lang = language(update)
    if not is_supervisor(context.staff):
        await show(update, text("not_allowed", lang))
        return
    years = writable_fiscal_years(japan_today())
    if len(years) == 1:
        await _sheets(update, years[0])
        return
    choices = [(fiscal_year_label(year), YEAR_BUTTON(year)) for year in years]
    await show(update, text("notes_choose_year", lang), inline(in_rows(choices, 1)))


async def on_note_button(update: Update, context: IntakeContext) -> None:
    """note:year:FY → sheets; note:sheet:N:FY → sections; note:sec:N:S:FY → the list; note:del:ID → removed."""
    year, sheet, section, delete = (
        button.args(update) or [] for button in (YEAR_BUTTON, SHEET_BUTTON, SECTION_BUTTON, DELETE_BUTTON)
    )
    if not is_supervisor(context.staff):
        await refuse_button(update)
    elif len(year) == 1 and (writable := _writable_year(year[0])) is not None:
        await _sheets(update, writable)
    elif sheet and _sheet(sheet[0]) and (fiscal_year := _year_of(sheet, 1)) is not None:
        await _sections(update, int(sheet[0]), fiscal_year)
    elif _section(section) and (fiscal_year := _year_of(section, 2)) is not None:
        await _list(update, context, int(section[0]), SheetSection(section[1]), fiscal_year)
    elif len(delete) == 1 and delete[0].isdigit():
        await _remove(update, context, int(delete[0]))
    else:
        await refuse_button(update)


def _sheet(raw: str) -> bool:
    return raw.isdigit() and int(raw) in SHEET_NUMBERS


def _section(args: list[str]) -> bool:
    """`<sheet>:<section>[:<fy>]` names a sheet and one of its sections."""
    return len(args) >= 2 and _sheet(args[0]) and args[1] in set(SheetSection)


def _writable_year(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and int(raw) in writable_fiscal_years(japan_today()) else None


def _year_of(args: list[str], at: int) -> int | None:
    """The button's fiscal year at `args[at]` (a button from before years were shown: this year); None if closed."""
    if len(args) == at:
        return fiscal_year_of(japan_today())
    return _writable_year(args[at]) if len(args) == at + 1 else None


async def _sheets(update: Update, fiscal_year: int) -> None:
    choices = [(sheet.goal, SHEET_BUTTON(sheet.number, fiscal_year)) for sheet in SHEETS]
    await show(
        update, text("notes_choose_sheet", language(update), year=fiscal_year_label(fiscal_year)), inline([choices])
    )


async def _sections(update: Update, sheet: int, fiscal_year: int) -> None:
    lang = language(update)
    goal = next(s.goal for s in SHEETS if s.number == sheet)
    choices = [
        (SECTION_LABELS_JA[section], SECTION_BUTTON(sheet, section.value, fiscal_year)) for section in SheetSection
    ]
    back = [(text("button_back", lang), YEAR_BUTTON(fiscal_year))]  # the sheets of that year
    await show(update, text("notes_choose_section", lang, sheet=goal), inline([choices, back]))


async def _list(update: Update, context: IntakeContext, sheet: int, section: SheetSection, fiscal_year: int) -> None:
    lang = language(update)
    ward = _scope_ward(context)
    async with session_scope(context.sessions) as session:
        bullets = await live_bullets(session, sheet, fiscal_year, ward, section)
        scope_name = await scope_name_of(session, ward, lang)
    goal = next(s.goal for s in SHEETS if s.number == sheet)
    lines = "\n".join(f"{n}. {b.text}" for n, b in enumerate(bullets, start=1)) or text("notes_empty", lang)
    body = text(
        "notes_list",
        lang,
        sheet=goal,
        section=SECTION_LABELS_JA[section],
        year=fiscal_year_label(fiscal_year),
        scope=scope_name,
        bullets=lines,
    )
    removals: list[Choice] = [
        (text("button_remove_bullet", lang, n=n), DELETE_BUTTON(b.id)) for n, b in enumerate(bullets, 1)
    ]
    add = [(text("button_add_bullet", lang), ADD_BUTTON(sheet, section.value, fiscal_year))]
    back = [(text("button_back", lang), SHEET_BUTTON(sheet, fiscal_year))]  # the sheet's sections
    await show(update, body, inline([add, *in_rows(removals, 3), back]))


async def _remove(update: Update, context: IntakeContext, bullet_id: int) -> None:
    async with session_scope(context.sessions) as session:
        bullet = await session.get(SheetBullet, bullet_id)
        if bullet is None or not _in_members_scope(context, bullet):
            await refuse_button(update)
            return
        removed = await remove_bullet(session, bullet_id, context.staff.id)
    if removed is None:
        await refuse_button(update)
        return
    await _list(update, context, removed.sheet, SheetSection(removed.section), removed.fiscal_year)


def _in_members_scope(context: IntakeContext, bullet: SheetBullet) -> bool:
    return bullet.ward_code == _scope_ward(context) and bullet.fiscal_year in writable_fiscal_years(japan_today())


async def on_add_bullet_button(update: Update, context: IntakeContext) -> str | int:
    """note:add:N:S[:FY] — ask for the text of a new bullet (with a 中止 button)."""
    args = ADD_BUTTON.args(update) or []
    year = _year_of(args, 2) if _section(args) else None
    if not is_supervisor(context.staff) or year is None:
        await refuse_button(update)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[PENDING_NOTE] = [int(args[0]), args[1], year]
    lang = language(update)
    await show(update, text("notes_ask_text", lang), inline([[(text("button_cancel", lang), CANCEL_BUTTON())]]))
    return TEXT


async def on_bullet_text(update: Update, context: IntakeContext) -> str | int | None:
    """The bullet's text: refused (and the step kept) when too long or looking like personal data."""
    lang = language(update)
    bullet = (update.effective_message.text or "").strip() if update.effective_message else ""
    if not bullet or len(bullet) > BULLET_MAX_LENGTH:
        await show(update, text("too_long", lang, max=BULLET_MAX_LENGTH))
        return None
    found = personal_data_in(bullet)
    if found:
        await show(update, text("note_personal", lang, what=personal_data_labels(found, lang)))
        return None
    assert context.user_data is not None
    target = context.user_data.pop(PENDING_NOTE, None)
    year = int(target[2]) if target is not None and len(target) > 2 else fiscal_year_of(japan_today())
    if target is None or year not in writable_fiscal_years(japan_today()):
        await show(update, text("expired", lang))
        return ConversationHandler.END
    sheet, section = int(target[0]), SheetSection(target[1])
    async with session_scope(context.sessions) as session:
        await add_bullet(session, sheet, year, _scope_ward(context), section, bullet, context.staff.id)
    await show(update, text("notes_added", lang))
    await _list(update, context, sheet, section, year)
    return ConversationHandler.END


async def on_note_cancel(update: Update, context: IntakeContext) -> int:
    """/cancel or 中止 while a bullet is typed: nothing kept."""
    if context.user_data is not None:
        context.user_data.pop(PENDING_NOTE, None)
    await show(update, text("cancelled", language(update)))
    return ConversationHandler.END
