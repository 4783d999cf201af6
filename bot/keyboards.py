"""Keyboards: the persistent main menu and inline button grids. Labels come from the message catalog."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update

from bot.texts import TEXTS, text
from models.catalog import INDICATORS, Indicator, basic_goal

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
# 修正 under an entry: corrections owns it (a step of the logging conversation); /mine and a supervisor's request to
# correct a flagged entry (bot/conversations/flagged.py) send it. fix:<event id>
FIX_BUTTON = Callback("fix")
FOLLOWUP_TYPE = Callback("fut")
INTERVAL_LABELS = {"1w": "button_fu_1w", "2w": "button_fu_2w", "1m": "button_fu_1m"}  # models.followups.INTERVALS
# 予定 under an entry of 📋 自分の記録 (corrections sends it, followups owns it): fue:<event id> shows the offer.
PLAN_FROM_ENTRY = Callback("fue")


def inline(rows: Sequence[Sequence[Choice]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows if row]
    )


def in_rows(choices: Sequence[Choice], per_row: int) -> list[list[Choice]]:
    return [list(choices[i : i + per_row]) for i in range(0, len(choices), per_row)]


def indicator_label(indicator: Indicator, lang: str) -> str:
    """An indicator as a picker, caption or heading names it: `目標1 ①…`, as each 基本目標 numbers its own ①, ② …"""
    goal = basic_goal(indicator)
    if goal is None:
        return indicator.short_label
    return text("indicator_of_goal", lang, goal=goal, label=indicator.short_label)


def indicator_rows(button: Callable[[Indicator], str], lang: str) -> list[list[Choice]]:
    """A picker of every indicator, one a row, in the sheet's order (基本目標1, 基本目標2, 参加支援), each named with
    its goal."""
    return [[(indicator_label(indicator, lang), button(indicator))] for indicator in INDICATORS]


SUPERVISOR_MENU = ("menu_totals", "menu_sheet", "menu_chart", "menu_missing")


def main_menu(language: str, supervisor: bool = False) -> ReplyKeyboardMarkup:
    """The menu that stays under the text field on the phone; supervisors get 集計 / シート / グラフ / 未報告 and
    ダッシュボード too."""
    rows = [
        [KeyboardButton(text("menu_log", language)), KeyboardButton(text("menu_repeat", language))],
        [KeyboardButton(text(key, language)) for key in ("menu_mine", "menu_plans", "menu_help")],
    ]
    if supervisor:
        rows.append([KeyboardButton(text(key, language)) for key in SUPERVISOR_MENU])
        rows.append([KeyboardButton(text("menu_dashboard", language))])
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=True,
        is_persistent=True,
    )


def menu_texts(key: str) -> list[str]:
    """A main-menu label in every language, so a press matches whatever language the phone shows."""
    return list(TEXTS[key].values())


def next_contact_offer(event_id: int, language: str) -> InlineKeyboardMarkup:
    """[1週間後] [2週間後] [1か月後] / [日付を入力] [なし] for an entry's household (followups answers them)."""
    choices: list[Choice] = [
        (text(label, language), PLAN_NEXT(event_id, interval)) for interval, label in INTERVAL_LABELS.items()
    ]
    rest: list[Choice] = [
        (text("button_fu_date", language), FOLLOWUP_TYPE("date", event_id)),
        (text("button_fu_none", language), PLAN_NEXT(event_id, "none")),
    ]
    return inline([choices, rest])
