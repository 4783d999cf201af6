"""Entries that look wrong, through the bot (issue 22, part 3): a count far above the usual is asked about once,
saved flagged when kept, and reviewed by supervisors (確認済み, or 修正を依頼: the worker gets the 修正 button)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.roles import Role
from models.tables import EntryFlag, Event
from tests.builders import add_event, add_staff, chat_as, supervisor

pytestmark = pytest.mark.usefixtures("at_noon")
ASKED = "都島区のアウトリーチ（訪問等）はふだん1回1〜3件です。100件で保存しますか？"


async def history(sessions: async_sessionmaker[AsyncSession], ward: str = "27102") -> None:
    """Ten outreach entries of 1–3 in November: the ward's usual."""
    async with session_scope(sessions) as session:
        for n, count in enumerate([1, 1, 1, 2, 2, 2, 2, 3, 3, 3]):
            await add_event(session, "outreach", date(2025, 11, 3) + timedelta(days=n), ward, count=count)


async def start_outreach(chat: ChatSession, count: str) -> str:
    await chat.send("/outreach")
    await chat.press("今日")
    await chat.send(count)
    return (await chat.press("✅ 保存する"))[-1].text


async def flags(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, str]]:
    async with session_scope(sessions) as session:
        return [(flag.event_id, flag.status) for flag in await session.scalars(select(EntryFlag))]


async def test_a_count_far_above_the_usual_is_asked_once_and_saved_flagged(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await history(sessions)
    assert await start_outreach(worker, "100") == ASKED
    assert worker.last is not None and worker.last.button_texts() == ["100件で保存する", "件数を変更", "中止"]
    saved = (await worker.press("100件で保存する"))[-1].text
    assert "保存しました" in saved and saved.count("※ふだんより多い件数のため、管理者の確認リストに載ります。") == 1
    event_id = int(saved.split("No.", 1)[1].split("）", 1)[0])
    assert await flags(sessions) == [(event_id, "open")]
    again = await worker.press_data(f"log:keep:{event_id}")  # a forged or stale press saves nothing more
    assert again == [] or "保存" not in again[-1].text
    async with session_scope(sessions) as session:
        assert len((await session.scalars(select(Event).where(Event.count == 100))).all()) == 1


async def test_a_usual_count_is_never_asked_and_changing_the_count_asks_again(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await history(sessions)
    assert "保存しました" in await start_outreach(worker, "10")  # at the floor: never asked
    assert await start_outreach(worker, "100") == ASKED
    await worker.press("件数を変更")
    await worker.send("3")
    saved = (await worker.press("✅ 保存する"))[-1].text
    assert "保存しました" in saved and "※" not in saved
    assert await flags(sessions) == []


async def test_supervisors_review_flagged_entries_confirm_or_ask_the_worker(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await history(sessions)
    worker = chat_as(app, api, await add_staff(sessions))
    await start_outreach(worker, "100")
    saved = (await worker.press("100件で保存する"))[-1].text
    event_id = int(saved.split("No.", 1)[1].split("）", 1)[0])
    boss = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    listed = (await boss.send("/flagged"))[-1]
    assert listed.text.splitlines() == [
        "確認待ちの記録（ふだんより多い件数）: 1件",
        f"No.{event_id} 都島区 11/27 アウトリーチ（訪問等） 100件（ふだん1〜3件）見守り花子",
    ]
    assert listed.button_texts() == [f"No.{event_id} 確認済み", f"No.{event_id} 修正を依頼"]
    await boss.press(f"No.{event_id} 修正を依頼")
    assert boss.answers[-1] == f"見守り花子さんに No.{event_id} の修正を依頼しました。"
    request = worker.last
    assert request is not None and request.text.startswith(f"管理 一郎さんから、No.{event_id}（11/27 アウトリーチ")
    assert "ふだんは1〜3件です" in request.text and request.button_texts() == [f"修正 No.{event_id}"]
    assert boss.last is not None and boss.last.text.endswith("見守り花子・修正依頼中")
    await boss.press_data(f"flgr:ask:{event_id}:27102", listed)  # a second request: done already
    assert boss.answers[-1] == f"No.{event_id} はすでに確認されたか、変更されています。"
    assert len([m for m in worker.transcript if m.text.startswith("管理 一郎さんから")]) == 1
    asked_reason = (await worker.press(f"修正 No.{event_id}"))[-1].text  # the correction flow, as from /mine
    assert f"No.{event_id}" in asked_reason
    await worker.send("/cancel")
    await boss.press(f"No.{event_id} 確認済み")
    assert boss.last is not None and boss.last.text == "確認待ちの記録はありません。"
    assert await flags(sessions) == [(event_id, "confirmed")]


async def test_review_buttons_are_checked_on_press(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await history(sessions)
    worker = chat_as(app, api, await add_staff(sessions))
    await start_outreach(worker, "100")
    saved = (await worker.press("100件で保存する"))[-1].text
    event_id = int(saved.split("No.", 1)[1].split("）", 1)[0])
    other = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR, ward="27103")
    assert (await other.send("/flagged"))[-1].text == "確認待ちの記録はありません。"
    await other.press_data(f"flgr:ok:{event_id}:27102")  # another ward's scope: forged
    await other.press_data(f"flgr:ok:{event_id}:27103")  # its own scope, another ward's entry
    assert await flags(sessions) == [(event_id, "open")]
    assert (await worker.send("/flagged"))[-1].text == "この操作は権限のある方のみ行えます。"
