"""/undo undoes the last action (issue 18): after a log it voids, after a correction it brings the original back;
every reply says how the year's figure moved; 「前回と同じ」 warns about a household counted already; the
correction screen offers 「メモを変更」 when there is a memo."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO
from models.db import session_scope
from models.rollups import check_rollups
from models.tables import AuditEntry, Event
from tests.builders import add_staff, chat_as

pytestmark = pytest.mark.usefixtures("at_noon")


async def log_outreach(chat: ChatSession, count: str = "1", day: str = "今日") -> int:
    await chat.send("/outreach")
    if day == "今日":
        await chat.press(day)
    else:
        await chat.send(day)
    await chat.send(count)
    saved = (await chat.press("✅ 保存する"))[-1].text
    return int(saved.split("No.", 1)[1].split("）", 1)[0])


async def correct_count(chat: ChatSession, event_id: int, count: str) -> str:
    await chat.send("/mine")
    await chat.press(f"修正 No.{event_id}")
    await chat.press("入力誤り")
    await chat.press("件数を変更")
    await chat.send(count)
    return (await chat.press("✅ 保存する"))[-1].text


async def stored(sessions: async_sessionmaker[AsyncSession], event_id: int) -> Event:
    async with session_scope(sessions) as session:
        event = await session.get(Event, event_id)
    assert event is not None
    return event


async def audit_trail(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with session_scope(sessions) as session:
        entries = (await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
        assert await check_rollups(session) == []  # the totals' rollups agree with the events after each step
    return [(entry.action, entry.entity_id) for entry in entries]


async def test_undo_after_a_log_voids_it_and_says_the_figure_went_down(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await log_outreach(worker, "5")
    last = await log_outreach(worker, "2")
    reply = (await worker.send("/undo"))[-1].text
    assert reply.startswith(f"No.{last} を取り消しました。\n")
    assert reply.endswith("⑤アウトリーチ件数 −2 → 今年度 5件（都島区）")
    assert (await stored(sessions, last)).void_reason == "取り消し（/undo）"
    assert (await audit_trail(sessions))[-1] == ("undo", str(last))


async def test_undo_after_a_correction_brings_the_original_back(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The case of issue 18: 14 + 4 = 18; the 4 corrected to 3 (17); /undo: the 4 counts again (18)."""
    await log_outreach(worker, "14")
    original = await log_outreach(worker, "4")
    corrected = await correct_count(worker, original, "3")
    replacement = int(corrected.split("を No.", 1)[1].split(" ", 1)[0])
    assert corrected.startswith(f"No.{original} を No.{replacement} に修正しました。\n")
    assert corrected.endswith("⑤アウトリーチ件数 −1 → 今年度 17件（都島区）")
    assert "変わりません" not in corrected

    undone = (await worker.send("/undo"))[-1].text
    assert undone == (
        f"修正 No.{replacement} を取り消し、元の No.{original} を戻しました。\n"
        + corrected.split("\n", 2)[2].replace("−1 → 今年度 17件", "+1 → 今年度 18件")
    )
    back, gone = await stored(sessions, original), await stored(sessions, replacement)
    assert (back.voided_at, back.replaced_by_event_id, back.void_reason, back.count) == (None, None, None, 4)
    assert gone.voided_at is not None and gone.void_reason == "取り消し（/undo）"
    assert (await audit_trail(sessions))[-3:] == [
        ("correct", str(original)),
        ("undo", str(replacement)),
        ("restore", str(original)),
    ]
    totals = (await worker.send("/mine"))[-1].text
    assert f"No.{original} 11/27 アウトリーチ（訪問等） ×4\n" in totals + "\n"

    again = (await worker.send("/undo"))[-1].text  # the next undo takes the original itself
    assert again.startswith(f"No.{original} を取り消しました。\n") and again.endswith("−4 → 今年度 14件（都島区）")


async def test_a_void_of_a_distinct_count_says_whether_the_figure_moved(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for _ in range(2):  # the same household twice: 3-1 counts it once
        await worker.send("/participation")
        await worker.send("27102-H0001")
        await worker.press("今日")
        await worker.press("✅ 保存する")
    reply = (await worker.send("/undo"))[-1].text
    assert reply.endswith("今年度 1世帯（都島区）。数は変わりません。"), reply


async def test_undo_past_the_window_or_across_a_lock_is_refused_with_the_reason(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions))
    with time_machine.travel(datetime(2025, 11, 10, 23, 55, tzinfo=TOKYO)) as clock:  # October closes on 11/11
        entry = await log_outreach(worker, "1", day="10/31")
        clock.shift(timedelta(minutes=6))
        refused = (await worker.send("/undo"))[-1].text
        assert refused.startswith(f"No.{entry} は") and "締め切り済みのため変更できません" in refused, refused
        assert (await stored(sessions, entry)).voided_at is None
        later = await log_outreach(worker, "1")
        clock.shift(timedelta(minutes=11))
        assert (await worker.send("/undo"))[-1].text.startswith("10分以内に取り消せる記録はありません")
        assert (await stored(sessions, later)).voided_at is None


async def test_repeat_warns_when_the_household_is_counted_already(worker: ChatSession) -> None:
    await worker.send("/participation")
    await worker.send("27102-H0042")
    await worker.press("今日")
    await worker.press("✅ 保存する")
    card = (await worker.send("🔁 前回と同じ"))[-1].text
    assert card.startswith("この世帯は今年度すでに計上済みです（2025-11-27）。保存はできますが、世帯数は増えません。")
    assert "この記録で数は変わりません。" in (await worker.press("✅ 保存する"))[-1].text  # then the follow-up offer
    plain = await log_outreach(worker)  # a kind without households: no warning
    assert plain > 0
    assert not (await worker.send("🔁 前回と同じ"))[-1].text.startswith("この世帯")


async def test_the_correction_screen_offers_to_change_the_memo(worker: ChatSession) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("メモを追加")
    await worker.send("民生委員と同行")
    saved = (await worker.press("✅ 保存する"))[-1].text
    entry = int(saved.split("No.", 1)[1].split("）", 1)[0])
    await worker.send("/mine")
    await worker.press(f"修正 No.{entry}")
    card = (await worker.press("入力誤り"))[-1]
    assert "メモを変更" in card.button_texts() and "メモを追加" not in card.button_texts()
    await worker.press("メモを変更")
    fixed = (await worker.send("地域の会議に同行"))[-1]
    assert "地域の会議に同行" in fixed.text
    assert (await worker.press("✅ 保存する"))[-1].text.startswith(f"No.{entry} を No.")
