"""Keyboards: the persistent main menu and inline button grids. Labels come from the message catalog."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.texts import TEXTS, text

Choice = tuple[str, str]  # (label, callback data)


def inline(rows: Sequence[Sequence[Choice]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows if row]
    )


def in_rows(choices: Sequence[Choice], per_row: int) -> list[list[Choice]]:
    return [list(choices[i : i + per_row]) for i in range(0, len(choices), per_row)]


def main_menu(language: str) -> ReplyKeyboardMarkup:
    """The menu that stays under the text field on the phone."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(text("menu_log", language)), KeyboardButton(text("menu_repeat", language))],
            [KeyboardButton(text("menu_mine", language)), KeyboardButton(text("menu_help", language))],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )


def menu_texts(key: str) -> list[str]:
    """A main-menu label in every language, so a press matches whatever language the phone shows."""
    return list(TEXTS[key].values())
