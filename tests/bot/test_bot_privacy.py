"""Issue 11 through the bot: personal data refused by kind in every stored text, and the month lock held by the domain.

The seven notes that used to be saved are refused (the worker stays in the note step, nothing is saved) and an
ordinary note about a role is saved. /undo, /void and a correction of an entry whose month locks while the worker
is busy are refused with the lock message: the handlers only translate the domain's MONTH_LOCKED.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, func, select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO
from models.db import session_scope
from models.locks import lock_date
from models.roles import Role
from models.tables import Event, MonthReopen, SheetBullet
from tests.builders import add_staff, chat_as

pytestmark = pytest.mark.usefixtures("at_noon")

ISSUE_NOTES = [
    ("1940/03/02生", "生年月日"),
    ("090 1234 5678", "電話番号"),
    ("山田宅訪問", "氏名"),
    ("田中一郎と面談", "氏名"),
    ("(06)6123-4567", "電話番号"),
    ("マイナンバー123456789012", "マイナンバー等の番号"),
    ("昭和15年生まれの男性", "生年月日"),
]
NOVEMBER_LOCKS = lock_date(2025, 11)  # 2025-12-06: November's entries close at midnight before it
JUST_BEFORE_THE_LOCK = datetime.combine(NOVEMBER_LOCKS - timedelta(days=1), time(23, 57), tzinfo=TOKYO)
ASK_TO_REOPEN = "再開は市の管理者にご依頼ください。"
LOCKED = " は2025年11月の記録で、締め切り済みのため変更できません。" + ASK_TO_REOPEN


async def event_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with session_scope(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def stored(sessions: async_sessionmaker[AsyncSession], event_id: int) -> Event:
    async with session_scope(sessions) as session:
        event = await session.get(Event, event_id)
    assert event is not None
    return event


async def log_november_outreach(worker: ChatSession, note: str | None = None) -> int:
    """An outreach entry dated 11/26, typed, as a worker catching up does."""
    await worker.send("/outreach")
    await worker.send("11/26")
    await worker.press("1")
    if note is not None:
        await worker.press("メモを追加")
        await worker.send(note)
    saved = (await worker.press("✅ 保存する"))[-1].text
    assert saved.startswith("保存しました（No."), saved
    return int(saved.split("No.", 1)[1].split("）", 1)[0])


async def test_the_seven_notes_of_the_issue_are_refused_by_kind_and_a_role_is_saved(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("メモを追加")
    for note, kind in ISSUE_NOTES:
        refused = await worker.send(note)
        assert [reply.text for reply in refused] == [
            f"個人が分かる情報（{kind}）が含まれているようです。その部分を除いて入力し直してください。"
        ], note
    assert await event_count(sessions) == 0
    card = (await worker.send("社協の担当者さんへ"))[-1]  # still in the note step: the next text is the note
    assert "メモ: 社協の担当者さんへ" in card.text
    assert (await worker.press("✅ 保存する"))[-1].text.startswith("保存しました（No.")
    async with session_scope(sessions) as session:
        notes = (await session.scalars(select(col(Event.note)))).all()
    assert list(notes) == ["社協の担当者さんへ"]


async def test_undo_in_a_month_that_has_just_locked_is_refused(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    at_noon.move_to(JUST_BEFORE_THE_LOCK)
    entry = await log_november_outreach(worker)
    at_noon.shift(timedelta(minutes=5))  # past midnight: November is closed, the undo window still open
    assert (await worker.send("/undo"))[-1].text == f"No.{entry}{LOCKED}"
    assert (await stored(sessions, entry)).voided_at is None


async def test_a_void_whose_month_locks_while_the_reason_is_typed_is_refused(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    at_noon.move_to(JUST_BEFORE_THE_LOCK)
    entry = await log_november_outreach(worker)
    await worker.send(f"/void {entry}")  # allowed now: the month is still open
    at_noon.shift(timedelta(minutes=5))
    assert (await worker.press("入力誤り"))[-1].text == f"No.{entry}{LOCKED}"
    assert (await stored(sessions, entry)).voided_at is None


async def test_a_correction_whose_month_locks_before_saving_is_refused(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    at_noon.move_to(JUST_BEFORE_THE_LOCK)
    entry = await log_november_outreach(worker)
    await worker.send("/mine")
    await worker.press(f"修正 No.{entry}")
    await worker.send("件数の入力誤り")
    await worker.press("件数を変更")
    await worker.press("2")
    at_noon.shift(timedelta(minutes=5))
    await worker.press("✅ 保存する")
    assert (
        worker.answers[-1]
        == "2025年11月は締め切られています（月末から5営業日で締切）。再開は市の管理者にご依頼ください。"
    )
    assert (await stored(sessions, entry)).voided_at is None
    assert await event_count(sessions) == 1


async def test_a_void_reason_names_the_kind_found(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    entry = await log_november_outreach(worker)
    await worker.send(f"/void {entry}")
    refused = (await worker.send("本人の携帯 080 1111 2222 に確認済み"))[-1].text
    assert refused == "個人が分かる情報（電話番号）が含まれているようです。その部分を除いて入力し直してください。"
    assert (await worker.send("別の記録と重複"))[-1].text.startswith(f"No.{entry} を取り消しました。\n")


async def test_a_sheet_bullet_names_the_kind_found(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = chat_as(app, api, await add_staff(sessions, Role.WARD_SUPERVISOR))
    await chief.send("/note")
    await chief.press("基本目標1")
    await chief.press("取組内容")
    await chief.press("＋ 追加")
    refused = (await chief.send("相談先 taro@example.jp（平成2年5月1日生の方）"))[-1].text
    assert refused.startswith("個人が分かる情報（生年月日・メールアドレス）")
    assert (await chief.send("区社協の担当者さんと月1回の連絡会"))[-2].text == "追加しました。"
    async with session_scope(sessions) as session:
        texts = (await session.scalars(select(col(SheetBullet.text)))).all()
    assert list(texts) == ["区社協の担当者さんと月1回の連絡会"]


async def test_a_reopen_reason_with_personal_data_is_refused(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None))
    refused = (await city.send("/reopen 27102 2025-10 佐藤の入力漏れ"))[-1].text
    assert refused == "個人が分かる情報（氏名）が含まれているようです。その部分を除いて入力し直してください。"
    async with session_scope(sessions) as session:
        assert (await session.scalars(select(MonthReopen))).all() == []
    assert (await city.send("/reopen 27102 2025-10 入力漏れの追加"))[-1].text.startswith(
        "都島区の2025年10月を再開しました"
    )


async def test_a_diagnosis_in_a_note_is_refused_with_its_label_and_the_step_stays(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Issue 18: the README promises no 診断名 is stored; the words of the work (認知症カフェ) still are."""
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("メモを追加")
    refused = await worker.send("統合失調症で通院中、服薬は自己管理")
    assert [reply.text for reply in refused] == [
        "個人が分かる情報（診断名）が含まれているようです。その部分を除いて入力し直してください。"
    ]
    assert await event_count(sessions) == 0
    card = (await worker.send("認知症カフェの案内を渡した"))[-1]  # still in the note step
    assert "メモ: 認知症カフェの案内を渡した" in card.text
    assert (await worker.press("✅ 保存する"))[-1].text.startswith("保存しました（No.")
    async with session_scope(sessions) as session:
        notes = (await session.scalars(select(col(Event.note)))).all()
    assert list(notes) == ["認知症カフェの案内を渡した"]
