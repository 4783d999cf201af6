"""Callback data: each button kind builds and reads back its own data, and never another kind's."""

from __future__ import annotations

import re

from telegram import CallbackQuery, Update, User

from bot.keyboards import Callback

TOTALS, WARDS = Callback("tot"), Callback("totw")


def pressed(data: str) -> Update:
    user = User(1, "テスト", is_bot=False)
    return Update(1, callback_query=CallbackQuery("q1", user, chat_instance="c", data=data))


def test_a_button_carries_its_arguments_and_reads_them_back() -> None:
    data = TOTALS(2025, "202510", "27102")
    assert data == "tot:2025:202510:27102"
    assert TOTALS.args(pressed(data)) == ["2025", "202510", "27102"]
    assert Callback("log:cancel")() == "log:cancel"
    assert Callback("log:cancel").args(pressed("log:cancel")) == []


def test_a_prefix_never_takes_another_buttons_press() -> None:
    assert TOTALS.args(pressed("totw:2025:202510")) is None
    assert re.match(TOTALS.pattern, "totw:2025:202510") is None
    assert re.match(WARDS.pattern, "totw:2025:202510") is not None
    assert TOTALS.arg(pressed("chart:1-5")) == ""
