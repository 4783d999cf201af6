"""Logging every event kind through the bot, end to end: updates in, real messages and keyboards out, rows checked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.context import DRAFT
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.catalog import EVENT_KINDS, INDICATOR_BY_KIND, KINDS_BY_CODE, EventKind, Requirement
from models.db import session_scope
from models.roles import Organisation
from models.tables import Area, Event
from tests.builders import add_staff, chat_as

pytestmark = pytest.mark.usefixtures("at_noon")


async def events(sessions: async_sessionmaker[AsyncSession]) -> list[Event]:
    async with session_scope(sessions) as session:
        return list((await session.scalars(select(Event).order_by(col(Event.id)))).all())


async def answer_until_card(chat: ChatSession, kind: EventKind) -> None:
    """Walk the flow for a kind with the simplest valid answers, as a worker would tap them."""
    await chat.send("/log")
    await chat.press(kind.label_ja)
    if kind.area is Requirement.REQUIRED:
        assert chat.last is not None and "地域を選んでください（1/2）" in chat.last.text
        await chat.press("都島区第1地域")
    if kind.household is Requirement.REQUIRED:
        await chat.send("27102-h0042")
    await chat.press("今日")
    if kind.takes_count:
        await chat.press("3")
    if kind.takes_answer:
        await chat.press("効果あり")


@pytest.mark.parametrize("kind", EVENT_KINDS, ids=lambda k: k.code)
async def test_every_kind_is_logged_end_to_end(
    kind: EventKind, worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await answer_until_card(worker, kind)
    card = worker.last
    assert card is not None
    assert card.text.startswith("この内容で保存しますか？")
    assert f"種類: {kind.label_ja}" in card.text
    assert "日付: 2025-11-27" in card.text
    saved = await worker.press("✅ 保存する")
    indicator = INDICATOR_BY_KIND[kind.code]
    assert saved[-1].text.startswith("保存しました（No.")
    assert indicator.short_label in saved[-1].text
    assert "（都島区）" in saved[-1].text
    [event] = await events(sessions)
    assert (event.kind, event.occurred_on, event.ward_code) == (kind.code, date(2025, 11, 27), "27102")
    assert event.count == (3 if kind.takes_count else 1)
    assert event.household_ref == ("27102-H0042" if kind.household is Requirement.REQUIRED else None)
    assert event.answer == (True if kind.takes_answer else None)
    assert (event.area_id is not None) == (kind.area is Requirement.REQUIRED)
    assert event.idempotency_key.startswith(f"tg:{worker.user['id']}:")
    assert worker.unanswered_callbacks() == []


async def test_outreach_takes_four_taps_and_names_what_it_counted(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/outreach")  # 1
    await worker.press("今日")  # 2
    await worker.press("1")  # 3
    saved = await worker.press("✅ 保存する")  # 4
    assert saved[-1].text.endswith("基本目標1 ⑤アウトリーチ件数 +1 → 今年度 1件（都島区）")
    await worker.send("🔁 前回と同じ")  # repeat: straight to the card, dated today
    again = await worker.press("✅ 保存する")
    assert again[-1].text.endswith("+1 → 今年度 2件（都島区）")
    assert len(await events(sessions)) == 2


async def test_an_area_counted_already_says_the_number_did_not_change(worker: ChatSession) -> None:
    for expected in ("+1 → 今年度 1 ／ 全13地域", "今年度 1 ／ 全13地域（都島区）。この記録で数は変わりません。"):
        await answer_until_card(worker, next(k for k in EVENT_KINDS if k.code == "area_meeting"))
        saved = await worker.press("✅ 保存する")
        assert expected in saved[-1].text


async def test_areas_are_paged_and_can_be_found_by_typing(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/log")
    first_page = (await worker.press("地域からの気になる方の情報"))[-1]
    assert len([b for row in first_page.buttons for b in row if (b.callback_data or "").startswith("log:area:")]) == 8
    second_page = (await worker.press("次へ ▶"))[-1]
    assert "（2/2）" in second_page.text
    assert "都島区第13地域" in second_page.button_texts()
    several = await worker.send("第1")  # 第1, 第10 … 第13
    assert "「第1」に当てはまる地域です。" in several[-1].text
    assert len(several[-1].button_texts()) == 5 + 1
    nothing = await worker.send("梅田")
    assert nothing[-1].text.startswith("「梅田」に当てはまる地域がありません")
    one = await worker.send("第12地域")
    assert one[-1].text.startswith("いつのことですか？")
    async with session_scope(sessions) as session:
        area = (await session.scalars(select(Area).where(col(Area.code) == "27102-12"))).one()
    await worker.press("今日")
    await worker.press("✅ 保存する")
    assert (await events(sessions))[0].area_id == area.id


async def test_participation_issues_a_code_and_warns_about_households_counted_already(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/participation")
    issued = (await worker.press("新しいコードを発行"))[-1].text
    code = issued.split("新しい参照コード: ", 1)[1].split("\n", 1)[0]
    assert code.startswith("27102-") and len(code) == 12
    await worker.press("今日")
    first = await worker.press("✅ 保存する")
    assert "参加支援につながった世帯数 +1 → 今年度 1世帯" in first[-1].text
    await worker.send("/participation")
    warned = await worker.send(code.lower())
    assert warned[-1].text.startswith("この世帯は今年度すでに計上済みです（2025-11-27）")
    await worker.press("今日")
    second = await worker.press("✅ 保存する")
    assert "この記録で数は変わりません" in second[-1].text
    assert [e.household_ref for e in await events(sessions)] == [code, code]


async def test_typed_dates_in_every_office_form(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    typed_and_saved = [
        ("11/3", "2025-11-03"),
        ("2025-11-04", "2025-11-04"),
        ("R7.11.5", "2025-11-05"),
        ("令和7年11月6日", "2025-11-06"),
        ("１１／７", "2025-11-07"),
        ("11-10", "2025-11-10"),
        ("11/20(木)", "2025-11-20"),
        ("11月21日（金）", "2025-11-21"),
        ("2025/11/19(水)", "2025-11-19"),
        ("１１／１８【火】", "2025-11-18"),
        ("一昨日", "2025-11-25"),
        ("おととい", "2025-11-25"),
    ]
    for typed, expected in typed_and_saved:
        await worker.send("/consult")
        await worker.send(typed)
        await worker.press("1")
        card = worker.last
        assert card is not None and f"日付: {expected}" in card.text, typed
        await worker.press("✅ 保存する")
    assert [e.occurred_on.isoformat() for e in await events(sessions)] == [saved for _, saved in typed_and_saved]


async def test_the_card_changes_count_date_note_and_household(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("件数を変更")
    await worker.send("１２")
    await worker.press("日付を変更")
    await worker.press("昨日")
    await worker.press("メモを追加")
    await worker.send("定例訪問。変化なし")
    await worker.press("世帯コード")
    card = (await worker.send("27102-H0001"))[-1]
    assert "件数: 12" in card.text and "日付: 2025-11-26" in card.text and "メモ: 定例訪問。変化なし" in card.text
    await worker.press("✅ 保存する")
    [event] = await events(sessions)
    assert (event.count, event.occurred_on, event.note, event.household_ref) == (
        12,
        date(2025, 11, 26),
        "定例訪問。変化なし",
        "27102-H0001",
    )


async def test_english_users_get_english(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions), language_code="en")
    assert (await worker.send("/log"))[-1].text == "What would you like to log?"
    await worker.press("Outreach visit")
    assert (await worker.press("Today"))[-1].text.startswith("Choose or type the number")


async def test_a_health_centre_member_sees_their_kinds_first(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = chat_as(app, api, await add_staff(sessions, organisation=Organisation.HEALTH_CENTRE))
    menu = (await member.send("/log"))[-1]
    assert menu.button_texts()[:2] == ["複合的な課題の相談受付", "つながる場の開催"]
    assert len(menu.button_texts()) == len(EVENT_KINDS) + 1  # every kind, and 中止


async def test_a_draft_persisted_under_the_old_field_names_is_still_saved(
    worker: ChatSession, app: IntakeApplication, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Drafts kept before the draft took the table's field names (date, ward, household) finish as they were."""
    await answer_until_card(worker, KINDS_BY_CODE["participation_link"])
    user_data = app.user_data[worker.user["id"]]
    draft = user_data[DRAFT]
    legacy_names = {"occurred_on": "date", "ward_code": "ward", "household_ref": "household"}
    user_data[DRAFT] = {legacy_names.get(key, key): value for key, value in draft.items()}  # as the old release kept it
    saved = await worker.press("✅ 保存する")
    assert saved[-1].text.startswith("保存しました（No.")
    [event] = await events(sessions)
    assert (event.kind, event.occurred_on, event.ward_code, event.household_ref, event.count) == (
        "participation_link",
        date(2025, 11, 27),
        "27102",
        "27102-H0042",
        1,
    )
