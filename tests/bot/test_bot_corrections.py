"""Corrections through the bot: /mine, void and correct with a reason, /undo, supervisors' scope, locked months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.roles import Role
from models.tables import AuditEntry, Event, Staff
from tests.builders import add_staff, chat_as

pytestmark = pytest.mark.usefixtures("at_noon")


async def log_outreach(chat: ChatSession, count: str = "1") -> int:
    await chat.send("/outreach")
    await chat.press("今日")
    await chat.press(count)
    saved = (await chat.press("✅ 保存する"))[-1].text
    return int(saved.split("No.", 1)[1].split("）", 1)[0])


async def stored(sessions: async_sessionmaker[AsyncSession], event_id: int) -> Event:
    async with session_scope(sessions) as session:
        event = await session.get(Event, event_id)
    assert event is not None
    return event


async def audit_actions(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with session_scope(sessions) as session:
        entries = (await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    return [(entry.action, entry.entity_id) for entry in entries]


async def test_mine_lists_entries_and_voids_one_with_a_reason(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await log_outreach(worker)
    second = await log_outreach(worker, "3")
    listing = (await worker.send("/mine"))[-1]
    assert listing.text.splitlines()[:3] == [
        "最近の記録（新しい順）:",
        f"No.{second} 11/27 アウトリーチ（訪問等） ×3",
        f"No.{first} 11/27 アウトリーチ（訪問等）",
    ]
    await worker.press(f"取消 No.{first}")
    assert worker.last is not None and worker.last.text == f"No.{first} を取り消す理由を入力するか選んでください。"
    done = await worker.press("二重登録")
    assert done[-1].text == f"No.{first} を取り消しました。\n基本目標1 ⑤アウトリーチ件数 −1 → 今年度 3件（都島区）"
    voided = await stored(sessions, first)
    assert voided.voided_at is not None and voided.void_reason == "二重登録"
    assert (await audit_actions(sessions))[-1] == ("void", str(first))
    again = (await worker.send("/mine"))[-1]
    assert f"No.{first} 11/27 アウトリーチ（訪問等） （取消済）" in again.text
    assert f"取消 No.{first}" not in again.button_texts()


async def test_a_correction_replaces_the_entry_and_both_stay_audited(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    old = await log_outreach(worker)
    await worker.send("/mine")
    await worker.press(f"修正 No.{old}")
    card = (await worker.send("件数を2件と入力し間違えた"))[-1]
    assert card.text.startswith(f"修正内容を確認してください（No.{old} を置き換えます）。")
    await worker.press("件数を変更")
    await worker.press("2")
    saved = (await worker.press("✅ 保存する"))[-1].text
    new = int(saved.split("を No.", 1)[1].split(" ", 1)[0])
    assert saved.startswith(f"No.{old} を No.{new} に修正しました。")
    assert "今年度 2件" in saved
    replaced, replacement = await stored(sessions, old), await stored(sessions, new)
    assert replaced.replaced_by_event_id == new and replaced.voided_at is not None
    assert (replacement.corrects_event_id, replacement.count) == (old, 2)
    assert replaced.void_reason == "件数を2件と入力し間違えた"
    assert await audit_actions(sessions) == [("record", str(old)), ("record", str(new)), ("correct", str(old))]


async def test_a_reason_with_personal_data_is_refused(worker: ChatSession) -> None:
    old = await log_outreach(worker)
    await worker.send("/mine")
    await worker.press(f"取消 No.{old}")
    refused = await worker.send("田中さんの件は別の記録")
    assert refused[-1].text.startswith("個人が分かる情報（氏名）")
    assert (await worker.send("別の記録と重複"))[-1].text.startswith(f"No.{old} を取り消しました。\n")


async def test_undo_voids_the_last_entry_only_within_the_window(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    first = await log_outreach(worker)
    assert (await worker.send("/undo"))[-1].text.startswith(f"No.{first} を取り消しました。\n")
    second = await log_outreach(worker)
    at_noon.shift(timedelta(minutes=11))
    assert (await worker.send("/undo"))[-1].text.startswith("10分以内に取り消せる記録はありません")
    assert (await stored(sessions, second)).voided_at is None


async def entry_of(sessions: async_sessionmaker[AsyncSession], staff: Staff, on: date, ward: str) -> int:
    async with session_scope(sessions) as session:
        draft = EventDraft(kind="outreach", occurred_on=on, ward_code=ward)
        event, _ = await record_event(
            session, draft, idempotency_key=f"seed-{staff.id}-{on}-{ward}", today=on, logged_by_staff_id=staff.id
        )
    assert event.id is not None
    return event.id


async def test_supervisors_void_within_their_scope_only(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    fukushima_worker = await add_staff(sessions, ward="27103")
    miyakojima_worker = await add_staff(sessions, ward="27102")
    fukushima_entry = await entry_of(sessions, fukushima_worker, date(2025, 11, 20), "27103")
    miyakojima_entry = await entry_of(sessions, miyakojima_worker, date(2025, 11, 21), "27102")
    ward_supervisor = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27102"))
    refused = await ward_supervisor.send(f"/void {fukushima_entry}")
    assert refused[-1].text == f"No.{fukushima_entry} はあなたの担当範囲の記録ではありません。"
    await ward_supervisor.send(f"/void {miyakojima_entry}")
    assert (await ward_supervisor.press("入力誤り"))[-1].text.startswith(f"No.{miyakojima_entry} を取り消しました。\n")
    other_worker = chat_as(app, api, await add_staff(sessions, ward="27103"))
    assert "担当範囲の記録ではありません" in (await other_worker.send(f"/void {fukushima_entry}"))[-1].text
    city = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None))
    await city.send(f"/void {fukushima_entry}")
    assert (await city.press("入力誤り"))[-1].text.startswith(f"No.{fukushima_entry} を取り消しました。\n")
    assert (await city.send("/void abc"))[-1].text == "使い方: /void 記録番号"
    assert (await city.send(f"/void {fukushima_entry}"))[-1].text.endswith("取消済みか、見つかりません。")


async def test_entries_in_a_locked_month_cannot_change(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff_id = worker.user["id"]
    async with session_scope(sessions) as session:
        member = (await session.scalars(select(Staff).where(col(Staff.telegram_user_id) == staff_id))).one()
    october = await entry_of(sessions, member, date(2025, 10, 15), "27102")
    listing = (await worker.send("/mine"))[-1]
    assert f"No.{october} 10/15" in listing.text
    assert listing.buttons == []  # nothing to press for a closed month
    refused = (await worker.send(f"/void {october}"))[-1].text
    assert (
        refused
        == f"No.{october} は2025年10月の記録で、締め切り済みのため変更できません。再開は市の管理者にご依頼ください。"
    )
    assert (await stored(sessions, october)).voided_at is None


async def test_cancel_at_the_reason_step_says_it_cancelled_and_voids_nothing(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    entry = await log_outreach(worker)
    await worker.send("/mine")
    await worker.press(f"取消 No.{entry}")
    assert (await worker.send("/cancel"))[-1].text == "入力を中止しました。"
    assert (await stored(sessions, entry)).voided_at is None
    assert (await worker.send("/cancel"))[-1].text == "中止する入力はありません。"
