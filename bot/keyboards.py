"""Keyboards: the persistent main menu and inline button grids. Labels come from the message catalog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update

from bot.texts import TEXTS, text

Choice = tuple[str, str]  # (label, callback data)
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit


@dataclass(frozen=True)
class Callback:
    """One kind of button: its callback data is `prefix` or `prefix:arg:arg…`, and it carries its whole request,
    so a button from before a restart still works. Each feature module declares its own (see handlers())."""

    prefix: str

    def __call__(self, *args: object) -> str:
        """The callback data for these arguments (Telegram takes at most 64 bytes: more is a bug, raised here)."""
        data = ":".join([self.prefix, *map(str, args)])
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
        return data

    @property
    def pattern(self) -> str:
        """For CallbackQueryHandler: this button with or without arguments, and no other."""
        return f"^{re.escape(self.prefix)}(:|$)"

    def args(self, update: Update) -> list[str] | None:
        """The pressed button's arguments; None when the update is not a press of this button."""
        query = update.callback_query
        data = query.data if query is not None and isinstance(query.data, str) else None
        if data == self.prefix:
            return []
        if data is None or not data.startswith(f"{self.prefix}:"):
            return None
        return data.removeprefix(f"{self.prefix}:").split(":")

    def arg(self, update: Update) -> str:
        """The pressed button's one argument ('' when it has none or is not this button)."""
        args = self.args(update)
        return ":".join(args) if args else ""


# A button several features send and one owns: 「記録する」 under a reminder or a /missing message starts the
# logging conversation (flow.py registers it as an entry point).
LOG_NOW = Callback("log:new")
# The next-contact offer under a saved entry (log_event sends it, followups owns it): fu:<event id>:<1w|2w|1m|none>,
# and fut:<date|purpose|postpone>:<id> — a typed day or purpose, a step of the logging conversation (flow.py).
# 地域別 under /totals (totals sends it, coverage owns it): cov:<fy>:<yyyymm|now>:<scope>:<1-1|1-2>, the areas counted
# and not yet, as a new message under the figures.
COVERAGE = Callback("cov")
PLAN_NEXT = Callback("fu")
FOLLOWUP_TYPE = Callback("fut")


def inline(rows: Sequence[Sequence[Choice]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows if row]
    )


def in_rows(choices: Sequence[Choice], per_row: int) -> list[list[Choice]]:
    return [list(choices[i : i + per_row]) for i in range(0, len(choices), per_row)]


SUPERVISOR_MENU = ("menu_totals", "menu_sheet", "menu_chart", "menu_missing")


def main_menu(language: str, supervisor: bool = False) -> ReplyKeyboardMarkup:
    """The menu that stays under the text field on the phone; supervisors get 集計 / シート / グラフ / 未報告 too."""
    rows = [
        [KeyboardButton(text("menu_log", language)), KeyboardButton(text("menu_repeat", language))],
        [KeyboardButton(text(key, language)) for key in ("menu_mine", "menu_plans", "menu_help")],
    ]
    if supervisor:
        rows.append([KeyboardButton(text(key, language)) for key in SUPERVISOR_MENU])
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=True,
        is_persistent=True,
    )


def menu_texts(key: str) -> list[str]:
    """A main-menu label in every language, so a press matches whatever language the phone shows."""
    return list(TEXTS[key].values())
