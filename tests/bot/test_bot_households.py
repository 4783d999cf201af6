"""Known households as buttons (issue 12): a worker's six most recent household codes above 新しいコードを発行."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.roles import Role
from models.tables import Event
from tests.builders import add_staff, chat_as

pytestmark = pytest.mark.usefixtures("at_noon")


async def log_participation(chat: ChatSession, code: str) -> None:
    await chat.send("/participation")
    await chat.send(code)
    await chat.press("今日")
    await chat.press("✅ 保存する")


async def test_the_six_most_recent_households_are_buttons_above_a_new_code(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], worker: ChatSession
) -> None:
    for n in range(1, 8):
        await log_participation(worker, f"27102-H000{n}")
    await log_participation(worker, "27102-H0002")  # used again: the most recent now
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR, name="管理 一郎"))
    await log_participation(chief, "27102-K0001")  # another person's household: not the worker's button
    asked = (await worker.send("/participation"))[-1]
    assert asked.text.startswith("世帯の参照コードを入力してください")
    assert asked.button_texts() == [
        "27102-H0002",
        "27102-H0007",
        "27102-H0006",
        "27102-H0005",
        "27102-H0004",
        "27102-H0003",
        "新しいコードを発行",
        "中止",
    ]
    warned = (await worker.press("27102-H0005"))[-1]
    assert warned.text.startswith("この世帯は今年度すでに計上済みです（2025-11-27）")
    await worker.press("今日")
    saved = (await worker.press("✅ 保存する"))[-1]
    assert "この記録で数は変わりません" in saved.text
    async with session_scope(sessions) as session:
        last = (await session.scalars(select(Event).order_by(col(Event.id).desc()))).first()
    assert last is not None and last.household_ref == "27102-H0005"
    assert (await chief.send("/participation"))[-1].button_texts()[0] == "27102-K0001"
    await worker.send("/participation")
    await worker.press_data("log:hh:山田 花子")  # forged: never a name
    assert worker.answers[-1] == "その選択は使えません。もう一度選んでください。"
    city = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 太郎"))
    assert (await city.send("/participation"))[-1].text.startswith("区が設定されていないため記録できません")
