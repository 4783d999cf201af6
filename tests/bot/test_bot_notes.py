"""/note: the sheet's text sections written through the bot, scoped, checked for personal data, in the xlsx."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.roles import Role
from models.sheet.goal_sheets import YEAR_COLUMNS
from models.tables import AuditEntry, SheetBullet
from tests.builders import add_staff, chat_as
from tests.sheet_reading import rows_of

pytestmark = pytest.mark.usefixtures("at_noon")


async def test_a_ward_supervisor_adds_and_removes_bullets_of_the_wards_sheet(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    assert (await chief.send("/note"))[-1].text == "2025（令和7）年度：どのシートの文章を編集しますか？"
    await chief.press("基本目標1")
    listing = (await chief.press("取組内容"))[-1]
    assert listing.text == "基本目標1　取組内容（2025（令和7）年度・都島区）\n（まだありません）"
    assert (await chief.press("＋ 追加"))[-1].text.startswith("追加する文章を入力してください")
    refused = await chief.send("山田様の見守りを強化")
    assert refused[-1].text.startswith("個人が分かる情報")
    added = await chief.send("地域の見守り会議を月1回開催")
    assert added[-2].text == "追加しました。"
    assert added[-1].text.endswith("1. 地域の見守り会議を月1回開催")
    await chief.press("＋ 追加")
    after_second = (await chief.send("防災訓練と連携"))[-1]
    assert after_second.text.endswith("1. 地域の見守り会議を月1回開催\n2. 防災訓練と連携")
    removed = (await chief.press("削除 1"))[-1]
    assert removed.text.endswith("1. 防災訓練と連携")
    async with session_scope(sessions) as session:
        bullets = (await session.scalars(select(SheetBullet).order_by(col(SheetBullet.id)))).all()
        actions = (await session.scalars(select(AuditEntry.action).order_by(col(AuditEntry.id)))).all()
    assert [(b.ward_code, b.section, b.removed_at is None) for b in bullets] == [
        ("27102", "activities", False),
        ("27102", "activities", True),
    ]
    assert list(actions) == ["add_bullet", "add_bullet", "remove_bullet"]
    sheet = load_workbook(BytesIO((await chief.send("/sheet"))[-1].document[1]))["基本目標1"]  # type: ignore[index]
    activities = [sheet.cell(row, YEAR_COLUMNS[2025]).value for row in rows_of(sheet, "activities")]
    assert activities[0] == "・防災訓練と連携"
    assert "・地域の見守り会議を月1回開催" not in activities


async def test_cancel_while_typing_a_bullet_keeps_nothing(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None))
    await city.send("/note")
    await city.press("参加支援")
    await city.press("課題と今後の方向性")
    await city.press("＋ 追加")
    assert (await city.send("/cancel"))[-1].text == "入力を中止しました。"
    assert (await city.send("この文は保存されない"))[-1].text.startswith("/outreach … ")  # back to the help
    async with session_scope(sessions) as session:
        assert (await session.scalars(select(SheetBullet))).all() == []


async def test_scopes_are_kept_apart(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None))
    await city.send("/note")
    await city.press("基本目標2")
    await city.press("質的成果")
    await city.press("＋ 追加")
    await city.send("相談機関アンケートを実施")
    async with session_scope(sessions) as session:
        city_bullet = (await session.scalars(select(SheetBullet))).one()
    assert city_bullet.ward_code is None
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    menu = (await chief.send("/note"))[-1]
    await chief.press_data(f"note:del:{city_bullet.id}", menu)  # the city's bullet: not the ward's to remove
    assert chief.answers[-1] == "その選択は使えません。もう一度選んでください。"
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/note"))[-1].text == "この操作は権限のある方のみ行えます。"
