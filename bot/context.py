"""What every handler needs: the runtime (settings, database), the staff member behind an update, the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.render_pool import RenderPool
from bot.texts import language_of
from models.config import Settings
from models.staff import StaffCache
from models.tables import Staff

RUNTIME = "runtime"
# What the one logging conversation (bot/conversations/flow.py) keeps in user_data between steps:
DRAFT = "draft"  # the entry being made (EventDraft's JSON form, filled step by step)
PENDING_CHANGE = "pending"  # {"action": "void" | "fix", "event": id} while a reason is asked
PENDING_NOTE = "note_target"  # [sheet, section, fiscal year] while a bullet of the sheet's text is typed
PENDING_FOLLOWUP = (
    "followup_target"  # {"what": "date" | "postpone" | "purpose", "id": …} while a day or purpose is typed
)
FLOW_KEYS = (DRAFT, PENDING_CHANGE, PENDING_NOTE, PENDING_FOLLOWUP)
RENDER_POOL = "render_pool"  # bot_data key: the Application's bot.render_pool.RenderPool
FIGURES_POOL = "figures_pool"  # bot_data key: the dashboard's figures process (bot.dashboard.answers), apart
FIGURES_STARTING = "figures_starting"  # bot_data key: the task starting it at start-up (with WEBAPP_URL)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


@dataclass(frozen=True)
class Runtime:
    """Process-wide parts handed to the Application (kept out of persisted data)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    staff_cache: StaffCache = field(default_factory=StaffCache)  # the guard's; see models.staff


class IntakeContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """The callback context, plus the registered staff member the guard found for this update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.known_staff: Staff | None = None  # set by the guard (bot/guards.py), or on registration

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.bot_data[RUNTIME]
        return runtime

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.runtime.sessions

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def end_flow(self) -> bool:
        """Forget whatever the conversation was in the middle of; whether there was anything."""
        if self.user_data is None:
            return False
        return any([self.user_data.pop(key, None) is not None for key in FLOW_KEYS])

    @property
    def render_pool(self) -> RenderPool:
        pool: RenderPool = self.bot_data[RENDER_POOL]
        return pool

    @property
    def staff(self) -> Staff:
        """The staff member behind the update; handlers behind the guard can rely on it."""
        assert self.known_staff is not None, "handler reached without a registered staff member"
        return self.known_staff


def language(update: Update) -> str:
    user = update.effective_user
    return language_of(user.language_code if user else None)


async def show(update: Update, body: str, markup: Markup = None) -> Message | None:
    """Answer a button press by editing its message in place; answer typed text with a new message."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        if markup is None or isinstance(markup, InlineKeyboardMarkup):
            return await _edit(query, body, markup)
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(body, reply_markup=markup)


async def _edit(query: CallbackQuery, body: str, markup: InlineKeyboardMarkup | None) -> Message | None:
    try:
        edited = await query.edit_message_text(body, reply_markup=markup)
    except BadRequest as error:  # pressing the same button twice: nothing to change is not an error
        if "not modified" not in str(error).lower():
            raise
        return None
    return edited if isinstance(edited, Message) else None
