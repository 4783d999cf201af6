"""Getting in: invites and registration, and the polite refusal of strangers, groups and deactivated staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, func, select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.roles import Role
from models.staff import create_invite, deactivate_staff
from models.tables import AuditEntry, Event, Invite, Staff
from tests.builders import add_staff, chat_as, stranger

REFUSAL = "申し訳ありません。このボットは登録された職員の方専用です"
STOPPED = "利用が停止されています。"


async def invite_code(sessions: async_sessionmaker[AsyncSession], role: Role = Role.WORKER, ward: str = "27102") -> str:
    async with session_scope(sessions) as session:
        return (await create_invite(session, role, ward)).code


async def staff_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with session_scope(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(Staff)) or 0)


async def test_a_valid_invite_registers_and_shows_the_menu(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invite_code(sessions)
    person = stranger(app, api, first_name="山田")
    replies = await person.send(f"/start {code}")
    assert "登録しました（職員・都島区）" in replies[0].text
    assert replies[0].keyboard[0] == ["📝 記録する", "🔁 前回と同じ"]
    async with session_scope(sessions) as session:
        staff = (await session.scalars(select(Staff))).one()
        invite = (await session.scalars(select(Invite))).one()
        actions = list((await session.scalars(select(AuditEntry.action))).all())
    assert (staff.role, staff.ward_code, staff.telegram_user_id) == ("worker", "27102", person.user["id"])
    assert invite.used_by_staff_id == staff.id
    assert actions == ["invite", "register"]
    commands = api.calls_to("setMyCommands")[-1].parameters
    assert commands["scope"] == {"type": "chat", "chat_id": person.user["id"]}
    assert "/log" not in str(commands) and {"command": "log", "description": "活動を記録する"} in commands["commands"]


async def test_a_used_code_is_refused(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invite_code(sessions)
    await stranger(app, api).send(f"/start {code}")
    replies = await stranger(app, api).send(f"/start {code}")
    assert replies[0].text.startswith("この招待コードは使用済みです")
    assert replies[0].keyboard == []
    assert await staff_count(sessions) == 1


async def test_an_expired_code_is_refused(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invite_code(sessions)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        replies = await stranger(app, api).send(f"/start {code}")
    assert replies[0].text.startswith("この招待コードは期限切れです")
    assert await staff_count(sessions) == 0


async def test_a_forged_code_is_refused(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    replies = await stranger(app, api).send("/start AAAAAAAAAAAAAAAAAAAAAA")
    assert replies[0].text.startswith("招待コードが正しくありません")
    assert await staff_count(sessions) == 0


async def test_strangers_get_one_polite_refusal_and_nothing_else(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    person = stranger(app, api)
    for attempt in ("/start", "/log", "こんにちは", "/totals", "📝 記録する"):
        replies = await person.send(attempt)
        assert len(replies) == 1, attempt
        assert replies[0].text.startswith(REFUSAL)
        assert replies[0].buttons == [] and replies[0].keyboard == []
    replies = await person.press_data("log:kind:outreach")
    assert replies == []
    assert person.unanswered_callbacks() == []
    async with session_scope(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 0


async def test_english_speakers_are_refused_in_english(app: IntakeApplication, api: InProcessBotApi) -> None:
    replies = await stranger(app, api, language_code="en").send("/log")
    assert replies[0].text.startswith("Sorry, this bot is only for registered staff")


async def test_group_chats_get_one_refusal_and_the_bot_leaves(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = await add_staff(sessions)
    group = ChatSession(app, api, member.telegram_user_id, chat_type="group")
    replies = await group.send("/log")
    assert [r.text for r in replies] == ["申し訳ありません。このボットは個別のチャットでのみ利用できます。"]
    assert api.calls_to("leaveChat")[-1].parameters["chat_id"] == group.chat_id


async def test_a_deactivated_member_is_refused_from_the_next_update(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = await add_staff(sessions)
    person = chat_as(app, api, member)
    assert "何を記録しますか" in (await person.send("/log"))[0].text
    async with session_scope(sessions) as session:
        assert member.id is not None
        await deactivate_staff(session, member.id, by_staff_id=None)
    replies = await person.press("アウトリーチ（訪問等）")
    assert replies == []
    assert (person.answers[-1] or "").startswith(STOPPED)  # not the stranger's text: they know the bot
    assert (await person.send("/log"))[0].text.startswith(STOPPED)


async def test_admins_invite_in_the_bot_and_others_may_not(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = chat_as(app, api, await add_staff(sessions, Role.ADMIN, ward=None))
    reply = (await admin.send("/invite ward_supervisor 27103"))[0].text
    assert "https://t.me/mimamori_intake_bot?start=" in reply
    code = reply.rsplit("コード: ", 1)[1].strip()
    registered = await stranger(app, api).send(f"/start {code}")
    assert "区の管理者・福島区" in registered[0].text
    assert (await admin.send("/invite chief 27102"))[0].text.startswith("使い方")
    assert "unknown ward code 99999" in (await admin.send("/invite worker 99999"))[0].text
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/invite worker 27102"))[0].text == "この操作は権限のある方のみ行えます。"
    async with session_scope(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(Invite).where(col(Invite.used_at).is_(None))) == 0


async def test_a_button_pressed_in_a_group_is_refused_and_the_bot_leaves(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = await add_staff(sessions)
    group = ChatSession(app, api, member.telegram_user_id, chat_type="group")
    message = await app.bot.send_message(group.chat_id, "（テスト用のメッセージ）")
    await group.press_data("log:kind:outreach", api.message(group.chat_id, message.message_id))
    assert group.answers[-1] == "申し訳ありません。このボットは個別のチャットでのみ利用できます。"
    assert api.calls_to("leaveChat")[-1].parameters["chat_id"] == group.chat_id
