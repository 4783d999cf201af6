"""Issue 20 through the bot, with a city's real staff (24 wards × 19 workers = 456): a city supervisor's /missing,
an admin's /staff and the monthly push stay within Telegram's limits, summarised per ward and paged, and every
person is on some page."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, IntakeContext, Runtime, show
from bot.long_answer import TEXT_LIMIT, telegram_length
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from bot.reminder_messages import BotMessenger
from bot.texts import text
from models.config import TOKYO
from models.db import session_scope
from models.reference import ward_names, wards_in_order
from models.roles import Organisation, Role
from models.tables import Staff
from reminders.delivery import Outcome
from reminders.jobs import ReminderRuntime, run_day
from tests.bot.test_bot_sheet import CountingPool
from tests.builders import TOKEN, add_staff, chat_as, make_settings, supervisor

PER_WARD = 19
REFUSED = "その選択は使えません。もう一度選んでください。"
_ids = itertools.count(7_000_001)


@pytest.fixture
async def city_staff(sessions: async_sessionmaker[AsyncSession]) -> list[Staff]:
    """19 workers in each of the 24 wards, none of whom has logged anything yet (the first days of a month)."""
    async with session_scope(sessions) as session:
        wards = sorted(await wards_in_order(session), key=lambda ward: ward.code)  # ids in code order
        staff = [worker(ward.code, f"{ward.name_ja[:2]} 職員{n:02d}") for ward in wards for n in range(1, PER_WARD + 1)]
        session.add_all(staff)
        await session.flush()
    assert len(staff) == 456
    return staff


def worker(ward: str, name: str) -> Staff:
    return Staff(
        telegram_user_id=next(_ids),
        display_name=name,
        role=Role.WORKER,
        organisation=Organisation.WATCH_OFFICE,
        ward_code=ward,
    )


@pytest.fixture
async def ward_name(sessions: async_sessionmaker[AsyncSession]) -> dict[str | None, str]:
    async with session_scope(sessions) as session:
        return {code: names[0] for code, names in (await ward_names(session)).items()}


def within_limits(messages: list[BotMessage]) -> None:
    for message in messages:
        assert telegram_length(message.text) <= TEXT_LIMIT
        assert all(len((b.callback_data or "").encode()) <= 64 for row in message.buttons for b in row)


async def every_page(chat: ChatSession, first: BotMessage) -> list[str]:
    """The first screen, then 「次へ ▶」 until there is none: the text of every screen."""
    screens, message = [first.text], first
    while "次へ ▶" in message.button_texts():
        replies = await chat.press("次へ ▶", message)
        within_limits(replies)
        assert len(replies) == 1 and replies[0].message_id == first.message_id  # turned in place
        message = replies[0]
        screens.append(message.text)
    return screens


def people_on(screens: list[str]) -> list[str]:
    return [line for screen in screens for line in re.findall(r"^・\S+ 職員\d\d（.*）$", screen, re.M)]


@pytest.mark.usefixtures("at_noon")
async def test_a_city_supervisors_missing_is_a_ward_summary_then_pages_with_everyone(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    city_staff: list[Staff],
    ward_name: dict[str | None, str],
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    replies = await city.send("/missing")
    within_limits(replies)
    [summary] = replies
    lines = summary.text.splitlines()
    assert lines[0] == "11月に記録がなく「今月は0件」の報告もない方（休暇中を除く）: 456人"
    assert lines[1:4] == ["・都島区 19人", "・福島区 19人", "・此花区 19人"]
    assert len([line for line in lines if re.fullmatch(r"・\S+区 19人", line)]) == 24
    assert lines[-1] == "一覧は「次へ ▶」で見られます（2〜13ページ）。"
    assert summary.button_texts() == ["次へ ▶", "今すぐ催促する"]
    screens = await every_page(city, summary)
    assert len(screens) == 13
    assert screens[1].startswith("11月の未報告（2/13）\n【都島区】\n・都島 職員01（都島区・記録なし）")
    expected = [f"・{s.display_name}（{ward_name[s.ward_code]}・記録なし）" for s in city_staff]
    assert people_on(screens) == expected  # every one of the 456, once, in ward order
    back = (await city.press("◀ 前へ"))[-1]
    assert back.text == screens[-2]
    assert (await city.press("⏮ 最初"))[-1].text == summary.text


@pytest.mark.usefixtures("at_noon", "city_staff")
async def test_missing_pages_survive_a_restart_and_refuse_forged_or_stale_pages(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    summary = (await city.send("/missing"))[-1]
    page_two = summary.button("次へ ▶").callback_data
    assert page_two == "misp:2025-11:city:2"
    restarted = build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False)
    async with restarted:  # a new process: nothing in memory, the button's data is all it has
        again = ChatSession(restarted, api, city.chat_id, first_name="管理 一郎")
        page = (await again.press("次へ ▶", summary))[-1]
        assert page.text.startswith("11月の未報告（2/13）\n【都島区】")
    gone = (await city.press_data("misp:2025-11:city:40", summary))[-1]  # the list has shrunk since
    assert gone.text.startswith("11月の未報告（13/13）")
    assert city.answers[-1] == "一覧が変わり、13ページまでになりました。最後のページです。"
    for forged in (
        "misp:2025-11:city:0",
        "misp:2025-11:city:x",
        "misp:2025-12:city:2",
        "misp:2025-11:city",
        "misp:11:city:2",
        "misp:2025-11:city:2:3",
        "misl:2026-01:city",
    ):
        await city.press_data(forged, summary)
        assert city.answers[-1] == REFUSED, forged
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR, ward="27102")
    own = (await chief.send("/missing"))[-1]  # 19 people: one message, as before
    assert own.text.count("（都島区・記録なし）") == 19 and "次へ ▶" not in own.button_texts()
    await chief.press_data("misp:2025-11:city:2", own)  # another scope: forged
    assert chief.answers[-1] == REFUSED
    await chief.press_data("misp:2025-11:27103:1", own)
    assert chief.answers[-1] == REFUSED
    worker = chat_as(app, api, await add_staff(sessions))
    await worker.press_data("misp:2025-11:27102:1", own)
    assert worker.answers[-1] == REFUSED


@pytest.mark.usefixtures("at_noon", "city_staff")
async def test_an_admin_sees_their_own_ward_first(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = await supervisor(app, api, sessions, Role.ADMIN, ward="27128")  # 中央区, the last in ward order
    summary = (await admin.send("/missing"))[-1]
    assert summary.text.splitlines()[1:3] == ["・中央区 19人", "・都島区 19人"]
    first_page = (await admin.press("次へ ▶"))[-1]
    assert first_page.text.splitlines()[1:3] == ["【中央区】", "・中央 職員01（中央区・記録なし）"]


@pytest.mark.usefixtures("at_noon")
async def test_an_admins_staff_is_a_ward_summary_then_pages_with_everyone(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], city_staff: list[Staff]
) -> None:
    member = await add_staff(sessions, Role.ADMIN, ward=None, name="管理 一郎")
    admin = chat_as(app, api, member)
    async with session_scope(sessions) as session:
        gone = await session.get(Staff, city_staff[3].id)
        assert gone is not None
        gone.active = False
    summary = (await admin.send("/staff"))[-1]
    within_limits([summary])
    lines = summary.text.splitlines()
    assert lines[:3] == ["職員 457人（うち停止中 1人）", "・大阪市 1人", "・都島区 19人"]  # the admin's scope first
    screens = await every_page(admin, summary)
    listed = [int(n) for screen in screens for n in re.findall(r"^No\.(\d+) ", screen, re.M)]
    assert sorted(listed) == sorted(s.id or 0 for s in [member, *city_staff])  # every one, once
    assert f"No.{city_staff[3].id} 都島 職員04・職員・27102（停止中）" in "\n".join(screens)
    ward = (await admin.send("/staff 27103"))[-1]  # one ward: one message
    assert ward.text.startswith("職員 19人（うち停止中 0人）\nNo.") and not ward.buttons
    assert (await admin.send("/staff 福島区"))[-1].text.startswith("使い方: /staff")
    worker = chat_as(app, api, await add_staff(sessions))
    await worker.press_data("stfp:all:2", summary)
    assert worker.answers[-1] == REFUSED
    await admin.press_data("stfp:all:-1", summary)
    assert admin.answers[-1] == REFUSED


async def test_the_monthly_push_counts_a_citys_missing_per_ward_and_pages_the_names(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], city_staff: list[Staff]
) -> None:
    pool = CountingPool()
    app.bot_data[RENDER_POOL] = pool  # stopped with the app
    settings = make_settings()
    runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, pool))
    city = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 一")
    chief = await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27103", name="福島 一")
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        report = await run_day(app.bot, runtime, date(2025, 12, 1))
        assert report.push is not None and report.push.counts[Outcome.SENT] == 2
        push, sheet = api.messages(city.telegram_user_id)
        within_limits([push])
        assert sheet.document is not None
        lines = push.text.splitlines()
        at = lines.index("11月に未報告だった方: 456人（名前は「未報告の一覧」から）")
        assert lines[at + 1 : at + 3] == ["・都島区 19人", "・福島区 19人"] and len(lines) == at + 25
        assert push.button_texts() == ["未報告の一覧"]
        ward_push = api.messages(chief.telegram_user_id)[0]  # a ward's 19: the names themselves, as before
        assert "11月に未報告だった方: 福島 職員01、福島 職員02、" in ward_push.text and not ward_push.buttons
        reader = chat_as(app, api, city)
        [listing] = await reader.press("未報告の一覧", push)
        assert listing.message_id != push.message_id and push.edit_count == 0  # the push stays as it was
        assert listing.text.startswith("11月に記録がなく「今月は0件」の報告もない方（休暇中を除く）: 456人")
        screens = await every_page(reader, listing)
    assert len(people_on(screens)) == 456
    assert "今すぐ催促する" not in listing.button_texts()  # last month's: nobody to nudge any more


@pytest.mark.over_limit  # on purpose: this test shows that such a reply is caught even though the bot swallows it
async def test_an_over_limit_reply_is_counted_though_the_error_handler_swallows_it(
    app: IntakeApplication, api: InProcessBotApi, worker: ChatSession
) -> None:
    async def on_huge(update: Update, context: IntakeContext) -> None:
        await show(update, "あ" * (TEXT_LIMIT + 1))

    app.handlers[0].insert(0, CommandHandler("huge", on_huge))  # the first feature, after the guard
    replies = await worker.send("/huge")
    assert [m.text for m in replies] == [text("error", "ja")]  # Telegram's refusal became the usual apology
    assert [call.method for call in api.limit_violations] == ["sendMessage"]  # without the mark: the test fails


async def test_a_long_list_of_unreachable_staff_reaches_the_admin_in_parts(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], city_staff: list[Staff]
) -> None:
    admin = await add_staff(sessions, Role.ADMIN, ward=None)
    messenger = BotMessenger(sessions, make_settings(), app.bot_data[RENDER_POOL])
    await messenger.report_unreachable(app.bot, admin, city_staff)
    parts = api.messages(admin.telegram_user_id)
    within_limits(parts)
    assert len(parts) > 1 and parts[0].text.startswith("次の方にボットから連絡できません")
    listed = [int(n) for part in parts for n in re.findall(r"^・No\.(\d+) ", part.text, re.M)]
    assert listed == [s.id for s in city_staff]
