"""/note: supervisors write the sheet's text sections for the current fiscal year.

Ward supervisors write their ward's sheet; city supervisors and admins the city's. Choosing the sheet and
section and removing a bullet are stateless buttons (`note:…`); typing a new bullet is a step of the one
conversation a person can be in (assembled in flow.py), so typed text never goes to two places.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import PENDING_NOTE, IntakeContext, language, show
from bot.keyboards import Callback, Choice, in_rows, inline
from bot.scope import CITY, default_scope, is_supervisor, refuse_button
from bot.texts import personal_data_label, text
from models.catalog import SECTION_LABELS_JA, SHEETS, SheetSection
from models.db import session_scope
from models.fiscal import fiscal_year_label, fiscal_year_of
from models.fiscal import today as japan_today
from models.privacy import personal_data_in
from models.sheet_text import BULLET_MAX_LENGTH, add_bullet, live_bullets, remove_bullet
from models.tables import SheetBullet

log = logging.getLogger(__name__)

TEXT = "note_text"
SHEET_NUMBERS = {sheet.number for sheet in SHEETS}
SHEET_BUTTON, SECTION_BUTTON = Callback("note:sheet"), Callback("note:sec")  # note:sheet:<n>, note:sec:<n>:<section>
DELETE_BUTTON, ADD_BUTTON = Callback("note:del"), Callback("note:add")  # note:del:<bullet id>, note:add:<n>:<section>


def _scope_ward(context: IntakeContext) -> str | None:
    scope = default_scope(context.member)
    return None if scope == CITY else scope


async def on_note(update: Update, context: IntakeContext) -> None:
    """Which sheet: 基本目標1 / 基本目標2 / 参加支援."""
    lang = language(update)
    if not is_supervisor(context.member):
        await show(update, text("not_allowed", lang))
        return
    year = fiscal_year_label(fiscal_year_of(japan_today()))
    choices = [(sheet.goal, SHEET_BUTTON(sheet.number)) for sheet in SHEETS]
    await show(update, text("notes_choose_sheet", lang, year=year), inline([choices]))


async def on_note_button(update: Update, context: IntakeContext) -> None:
    """note:sheet:N → sections; note:sec:N:S → the list; note:del:ID → removed, list again."""
    sheet, section, delete = (button.args(update) or [] for button in (SHEET_BUTTON, SECTION_BUTTON, DELETE_BUTTON))
    if not is_supervisor(context.member):
        await refuse_button(update)
    elif len(sheet) == 1 and _sheet(sheet[0]):
        await _sections(update, int(sheet[0]))
    elif len(section) == 2 and _sheet(section[0]) and section[1] in set(SheetSection):
        await _list(update, context, int(section[0]), SheetSection(section[1]))
    elif len(delete) == 1 and delete[0].isdigit():
        await _remove(update, context, int(delete[0]))
    else:
        await refuse_button(update)


def _sheet(raw: str) -> bool:
    return raw.isdigit() and int(raw) in SHEET_NUMBERS


async def _sections(update: Update, sheet: int) -> None:
    goal = next(s.goal for s in SHEETS if s.number == sheet)
    choices = [(SECTION_LABELS_JA[section], SECTION_BUTTON(sheet, section.value)) for section in SheetSection]
    await show(update, text("notes_choose_section", language(update), sheet=goal), inline([choices]))


async def _list(update: Update, context: IntakeContext, sheet: int, section: SheetSection) -> None:
    lang = language(update)
    fiscal_year = fiscal_year_of(japan_today())
    ward = _scope_ward(context)
    async with session_scope(context.sessions) as session:
        bullets = await live_bullets(session, sheet, fiscal_year, ward, section)
    goal = next(s.goal for s in SHEETS if s.number == sheet)
    lines = "\n".join(f"{n}. {b.text}" for n, b in enumerate(bullets, start=1)) or text("notes_empty", lang)
    body = text("notes_list", lang, sheet=goal, section=SECTION_LABELS_JA[section], year=fiscal_year_label(fiscal_year),
                scope=ward or "市", bullets=lines)  # fmt: skip
    removals: list[Choice] = [
        (text("button_remove_bullet", lang, n=n), DELETE_BUTTON(b.id)) for n, b in enumerate(bullets, 1)
    ]
    rows = [[(text("button_add_bullet", lang), ADD_BUTTON(sheet, section.value))], *in_rows(removals, 3)]
    await show(update, body, inline(rows))


async def _remove(update: Update, context: IntakeContext, bullet_id: int) -> None:
    async with session_scope(context.sessions) as session:
        bullet = await session.get(SheetBullet, bullet_id)
        if bullet is None or not _in_members_scope(context, bullet):
            await refuse_button(update)
            return
        removed = await remove_bullet(session, bullet_id, context.member.id)
    if removed is None:
        await refuse_button(update)
        return
    await _list(update, context, removed.sheet, SheetSection(removed.section))


def _in_members_scope(context: IntakeContext, bullet: SheetBullet) -> bool:
    return bullet.ward_code == _scope_ward(context) and bullet.fiscal_year == fiscal_year_of(japan_today())


async def on_add_bullet_button(update: Update, context: IntakeContext) -> str | int:
    """note:add:N:S — ask for the text of a new bullet."""
    args = ADD_BUTTON.args(update) or []
    if not is_supervisor(context.member) or len(args) != 2 or not _sheet(args[0]) or args[1] not in set(SheetSection):
        await refuse_button(update)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[PENDING_NOTE] = [int(args[0]), args[1]]
    await show(update, text("notes_ask_text", language(update)))
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
        await show(update, text("note_personal", lang, what=personal_data_label(found[0], lang)))
        return None
    assert context.user_data is not None
    target = context.user_data.pop(PENDING_NOTE, None)
    if target is None:
        await show(update, text("expired", lang))
        return ConversationHandler.END
    sheet, section = int(target[0]), SheetSection(target[1])
    async with session_scope(context.sessions) as session:
        await add_bullet(session, sheet, fiscal_year_of(japan_today()), _scope_ward(context), section, bullet,
                         context.member.id)  # fmt: skip
    await show(update, text("notes_added", lang))
    await _list(update, context, sheet, section)
    return ConversationHandler.END


async def on_note_cancel(update: Update, context: IntakeContext) -> int:
    if context.user_data is not None:
        context.user_data.pop(PENDING_NOTE, None)
    await show(update, text("cancelled", language(update)))
    return ConversationHandler.END


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    """The stateless parts; typing a bullet is a step of the one conversation (see flow.py)."""
    return [
        CommandHandler("note", on_note),
        CallbackQueryHandler(
            on_note_button, pattern="|".join(b.pattern for b in (SHEET_BUTTON, SECTION_BUTTON, DELETE_BUTTON))
        ),
    ]
