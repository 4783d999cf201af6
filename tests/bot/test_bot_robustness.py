"""Bad input at every step, stale and forged buttons, restarts mid-flow, double taps and handler errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import func, select

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from models.config import TOKYO
from models.db import session_scope
from models.tables import Event
from tests.builders import TOKEN, add_staff, chat_as, make_settings

pytestmark = pytest.mark.usefixtures("at_noon")


async def saved_events(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with session_scope(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


def replies_text(replies: list[BotMessage]) -> str:
    return "\n".join(reply.text for reply in replies)


async def test_wrong_text_where_a_button_is_expected(worker: ChatSession) -> None:
    await worker.send("/log")
    assert replies_text(await worker.send("アウトリーチ")) == "ボタンから選んでください。"
    assert "地域を選んでください" in replies_text(await worker.press("地域の見守り情報共有の集まり"))


async def test_bad_dates_are_answered_and_the_step_kept(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/outreach")
    assert replies_text(await worker.send("11/28")) == "未来の日付は記録できません。"
    assert replies_text(await worker.send("あした")) == (
        "日付を読み取れませんでした。例: 11/27、11月27日（木）、2025-11-27、R7.11.27、令和7年11月27日"
    )
    assert replies_text(await worker.send("2/30")).startswith("日付を読み取れませんでした")
    locked = replies_text(await worker.send("10/31"))
    assert locked.startswith("2025年10月は締め切られています（月末から5営業日で締切）")
    assert replies_text(await worker.send("x" * 4000)) == "長すぎます（30文字まで）。"
    assert replies_text(await worker.send("11/1")).startswith("件数を選ぶか入力してください")
    assert await saved_events(sessions) == 0


async def test_a_weekday_that_is_not_the_dates_is_answered_and_the_step_kept(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    asked = await worker.send("/outreach")
    assert asked[-1].text == "いつのことですか？ 日付を選ぶか入力してください（例: 11/27、11/27(木)、R7.11.27）。"
    for typed in ("11/26(木)", "11月26日（木曜日）", "2025/11/26【木】"):  # 2025-11-26 is a Wednesday
        wrong = await worker.send(typed)
        assert [reply.text for reply in wrong] == ["11/26 は水曜日です。日付か曜日を直して、もう一度入力してください。"]
    assert await saved_events(sessions) == 0
    still_the_date_step = await worker.send("11/26(水)")
    assert replies_text(still_the_date_step).startswith("件数を選ぶか入力してください")
    card = await worker.press("2")
    assert "日付: 2025-11-26" in card[-1].text
    await worker.press("✅ 保存する")
    async with session_scope(sessions) as session:
        event = (await session.scalars(select(Event))).one()
    assert (event.occurred_on, event.count) == (date(2025, 11, 26), 2)


async def test_a_weekday_never_picks_the_year(
    worker: ChatSession, at_noon: time_machine.Traveller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """In January, 12/3 is last December's (a Wednesday): (火), right for the December before, is answered."""
    at_noon.move_to(datetime(2026, 1, 6, 12, 0, tzinfo=TOKYO))  # December 2025 still open (closes on 1/10)
    await worker.send("/outreach")
    wrong = await worker.send("12/3(火)")
    assert replies_text(wrong) == "2025/12/3 は水曜日です。日付か曜日を直して、もう一度入力してください。"
    await worker.send("12/3(水)")
    await worker.press("1")
    await worker.press("✅ 保存する")
    async with session_scope(sessions) as session:
        assert (await session.scalars(select(Event))).one().occurred_on == date(2025, 12, 3)


async def test_english_users_are_told_the_weekday_in_english(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions), language_code="en")
    asked = await worker.send("/outreach")
    assert asked[-1].text == "When did it happen? Choose or type a date (e.g. 11/27, 2025-11-27, 11/27 (Thu))."
    wrong = await worker.send("11/26 (Thu)")
    assert replies_text(wrong) == "2025-11-26 is a Wednesday. Please correct the date or the weekday and type it again."
    assert replies_text(await worker.send("11/26 (Wed)")).startswith("Choose or type the number")


async def test_bad_counts_and_notes(worker: ChatSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await worker.send("/consult")
    await worker.press("今日")
    for wrong in ("0", "1000", "三", "-1", "1.5"):
        assert replies_text(await worker.send(wrong)) == "1〜999の数字で入力してください。", wrong
    await worker.send("999")
    await worker.press("メモを追加")
    personal = await worker.send("山田様、090-1234-5678")
    assert replies_text(personal).startswith("個人が分かる情報（氏名・電話番号）が含まれているようです")
    assert replies_text(await worker.send("あ" * 201)) == "メモは200文字までです（今は201文字）。"
    card = await worker.send("電話で近況確認")
    assert "メモ: 電話で近況確認" in card[-1].text
    await worker.press("✅ 保存する")
    async with session_scope(sessions) as session:
        event = (await session.scalars(select(Event))).one()
    assert (event.count, event.note) == (999, "電話で近況確認")


async def test_bad_household_codes_and_photos(worker: ChatSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await worker.send("/participation")
    assert replies_text(await worker.send("山田太郎")).startswith("参照コードは半角英数字とハイフンのみです")
    assert replies_text(await worker.send_photo()).startswith("文字かボタンで答えてください")
    assert replies_text(await worker.send("27102-H0007")).startswith("いつのことですか")
    assert await saved_events(sessions) == 0


async def test_forged_and_stale_buttons_are_answered(
    worker: ChatSession, app: IntakeApplication, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/log")
    await worker.press_data("log:kind:free_lunch")
    assert worker.answers[-1] == "その選択は使えません。もう一度選んでください。"
    await worker.press("地域からの気になる方の情報")
    await worker.press_data("log:area:99999")  # no such area
    await worker.press_data("log:area:300")  # an area of another ward
    assert worker.answers[-2:] == ["その選択は使えません。もう一度選んでください。"] * 2
    await worker.press_data("🤖" * 10)  # nobody's button
    assert worker.answers[-1] == "このメニューは期限切れです。もう一度はじめからどうぞ。"
    assert worker.unanswered_callbacks() == []
    assert await saved_events(sessions) == 0


async def test_double_tap_on_save_saves_once(worker: ChatSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    card = (await worker.press("1"))[-1]
    await worker.press("✅ 保存する", card)
    await worker.press("✅ 保存する", card)
    assert worker.answers[-1] is not None and worker.answers[-1].startswith("この記録は保存済みです（No.")
    assert await saved_events(sessions) == 1


async def test_a_retried_update_saves_once(worker: ChatSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    card = worker.last
    assert card is not None
    button = card.button("✅ 保存する")
    query = {
        "id": "retry-1",
        "from": worker.user,
        "chat_instance": "ci",
        "data": button.callback_data,
        "message": card.raw,
    }
    await worker.send_raw({"update_id": 777001, "callback_query": query})
    await worker.send_raw({"update_id": 777001, "callback_query": query | {"id": "retry-2"}})  # Telegram re-sent it
    assert await saved_events(sessions) == 1


async def restarted(sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi) -> IntakeApplication:
    return build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False)


async def test_a_restart_mid_flow_resumes_where_the_person_was(
    sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi
) -> None:
    member = await add_staff(sessions)
    first = await restarted(sessions, api)
    async with first:
        before = chat_as(first, api, member)
        await before.send("/log")
        await before.press("地域の見守り情報共有の集まり")
        date_prompt = (await before.press("都島区第2地域"))[-1]
    second = await restarted(sessions, api)  # a new process: states and drafts come from the database
    async with second:
        after = chat_as(second, api, member)
        card = await after.press("今日", date_prompt)
        assert "地域: 都島区第2地域" in card[-1].text
        saved = await after.press("✅ 保存する")
        assert saved[-1].text.startswith("保存しました")
    assert await saved_events(sessions) == 1


async def test_a_button_from_before_a_restart_without_state_is_answered_expired(
    sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi
) -> None:
    member = await add_staff(sessions)
    application = await restarted(sessions, api)
    async with application:
        person = chat_as(application, api, member)
        old_message = (await person.send("/help"))[-1]  # stands in for a date prompt sent before the restart
        await person.press_data("log:date:today", old_message)
        assert person.answers[-1] == "このメニューは期限切れです。もう一度はじめからどうぞ。"


async def test_a_command_mid_flow_keeps_the_draft(worker: ChatSession) -> None:
    await worker.send("/outreach")
    date_prompt = worker.last
    assert "記録はまだありません" in replies_text(await worker.send("/mine"))
    offer = await worker.send("/log")
    assert offer[-1].text == "入力途中の記録があります（アウトリーチ（訪問等））。続けますか？"
    assert (await worker.press("続ける"))[-1].text.startswith("いつのことですか")
    assert (await worker.press("今日", date_prompt))[-1].text.startswith("件数を選ぶか")


async def test_cancel_ends_the_flow_and_drops_the_draft(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    card = (await worker.press("1"))[-1]
    assert replies_text(await worker.send("/cancel")) == "入力を中止しました。"
    await worker.press("✅ 保存する", card)
    assert worker.answers[-1] == "このメニューは期限切れです。もう一度はじめからどうぞ。"
    assert (await worker.send("/log"))[-1].text == "何を記録しますか？"
    assert replies_text(await worker.send("/cancel")) == "入力を中止しました。"
    assert replies_text(await worker.send("/cancel")) == "中止する入力はありません。"
    assert await saved_events(sessions) == 0


async def test_a_failing_handler_apologises_without_internals(worker: ChatSession, api: InProcessBotApi) -> None:
    api.inject("sendMessage", 400, "Bad Request: chat not found in the internal shard 7")
    replies = await worker.send("/log")
    assert [r.text for r in replies] == [
        "申し訳ありません。処理中に問題が起きました。少し待ってからもう一度お試しください。"
    ]
