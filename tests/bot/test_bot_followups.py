"""Follow-ups through the bot: planned in one tap after a save, reminded on the day by the daily run (once), logged
from the reminder (which closes the plan and says so), postponed, done, listed, counted for supervisors, handed over.

The day starts at NOW (Thursday 2025-11-27, noon); the clock travels to the planned days.
"""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication
from bot.context import RENDER_POOL
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from models.staff import deactivate_staff, set_leave
from models.tables import AuditEntry, Followup, Staff
from reminders.delivery import Outcome
from reminders.jobs import ReminderRuntime, run_day
from tests.bot.test_bot_sheet import CountingPool
from tests.builders import add_staff, chat_as, make_settings, supervisor

HOUSEHOLD = "27102-H0042"


def runtime_for(sessions: async_sessionmaker[AsyncSession]) -> ReminderRuntime:
    settings = make_settings()
    return ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, RenderPool()))


async def plans(sessions: async_sessionmaker[AsyncSession]) -> list[Followup]:
    async with session_scope(sessions) as session:
        return list((await session.scalars(select(Followup).order_by(col(Followup.id)))).all())


async def log_participation(chat: ChatSession, household: str = HOUSEHOLD) -> str:
    """/participation for a household, dated today; the saved message's text."""
    await chat.send("/participation")
    await chat.send(household)
    await chat.press("今日")
    return (await chat.press("✅ 保存する"))[-1].text


async def test_a_workers_day_plan_reminder_log_closed(
    worker: ChatSession,
    app: IntakeApplication,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    saved = await log_participation(worker)
    assert saved.startswith("保存しました（No.1）。")
    assert saved.endswith("次の連絡を予定しますか？（27102-H0042）")
    assert worker.last is not None
    assert worker.last.button_texts() == ["1週間後", "2週間後", "1か月後", "日付を入力", "なし"]
    planned = (await worker.press("1週間後"))[-1]
    assert planned.text.startswith("保存しました（No.1）。")  # the saved part stays on screen
    assert "次の連絡: 12/4(木)（27102-H0042）" in planned.text
    assert (await worker.press("訪問"))[-1].text.endswith("目的: 訪問")
    [plan] = await plans(sessions)
    assert (plan.due_on, plan.purpose, plan.kind, plan.closed_at) == (
        date(2025, 12, 4),
        "visit",
        "participation_link",
        None,
    )

    at_noon.move_to(datetime(2025, 12, 3, 9, 30, tzinfo=TOKYO))
    before = await run_day(app.bot, runtime_for(sessions), date(2025, 12, 3))
    assert before.followups is not None and before.followups.reminders is not None
    assert before.followups.reminders.counts[Outcome.SENT] == 0  # not due yet
    at_noon.move_to(datetime(2025, 12, 4, 9, 30, tzinfo=TOKYO))
    report = await run_day(app.bot, runtime_for(sessions), date(2025, 12, 4))
    again = await run_day(app.bot, runtime_for(sessions), date(2025, 12, 4))  # a restart, a retry: nothing twice
    assert report.followups is not None and report.followups.reminders is not None
    assert report.followups.reminders.counts[Outcome.SENT] == 1
    assert again.followups is not None and again.followups.reminders is not None
    assert again.followups.reminders.counts[Outcome.ALREADY_SENT] == 1
    reminder = worker.last
    assert reminder is not None
    assert reminder.text == "今日までの連絡予定（1件）:\n・27102-H0042 12/4(木) 参加支援につながった世帯・訪問"
    assert reminder.button_texts() == ["📝 27102-H0042", "延期", "完了・不要"]

    card = (await worker.press("📝 27102-H0042"))[-1]
    assert card.text.startswith("いつのことですか？")  # kind and household filled
    card = (await worker.press("今日"))[-1]
    assert "種類: 参加支援につながった世帯" in card.text and "世帯: 27102-H0042" in card.text
    closed = (await worker.press("✅ 保存する"))[-1].text
    assert "27102-H0042 の連絡予定（12/4(木)）を完了にしました。" in closed
    assert closed.endswith("次の連絡を予定しますか？（27102-H0042）")  # and the next one in one tap
    [plan] = await plans(sessions)
    assert plan.closed_reason == "logged" and plan.closed_by_event_id == 2
    assert worker.unanswered_callbacks() == []


async def test_the_four_tap_outreach_is_not_asked_and_none_plans_nothing(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    saved = (await worker.press("✅ 保存する"))[-1]
    assert saved.buttons == [] and "次の連絡" not in saved.text
    await log_participation(worker)
    assert (await worker.press("なし"))[-1].text.endswith("次の連絡は予定しませんでした。")
    assert await plans(sessions) == []
    await worker.send("/outreach")  # the offer never holds the next entry
    assert worker.last is not None and worker.last.text.startswith("いつのことですか？")


async def test_a_typed_day_moves_to_the_next_business_day_and_a_typed_purpose_is_guarded(
    worker: ChatSession, sessions: async_sessionmaker[AsyncSession], at_noon: time_machine.Traveller
) -> None:
    await log_participation(worker)
    asked = (await worker.press("日付を入力"))[-1]
    assert asked.text.startswith("次の連絡の日付を入力してください")
    assert (await worker.send("あさって"))[-1].text.startswith("日付を読み取れませんでした")  # stays in the step
    assert (await worker.send("2025-11-01"))[-1].text == "過ぎた日付です。今日以降の日付を入力してください。"
    planned = (await worker.send("1/2"))[-1].text  # the year-end closure: 2026-01-05 (Mon)
    assert "次の連絡: 2026/1/5(月)（27102-H0042）（2026/1/2(金)は休日のため翌営業日）" in planned
    await worker.press("目的を入力")
    refused = (await worker.send("山田太郎さんに電話 090-1234-5678"))[-1].text
    assert refused.startswith("個人が分かる情報（")
    assert (await worker.send("通院後の様子"))[-1].text.endswith("目的: 通院後の様子")
    [plan] = await plans(sessions)
    assert (plan.due_on, plan.purpose) == (date(2026, 1, 5), "通院後の様子")


async def test_postpone_and_done_from_the_reminder_and_my_plans(
    worker: ChatSession,
    app: IntakeApplication,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    await log_participation(worker)
    await worker.press("1週間後")
    await log_participation(worker, "27102-H0043")
    await worker.press("1週間後")
    listed = (await worker.send("📅 予定"))[-1].text
    assert listed == (
        "連絡予定 2件（日付順）\n12/4(木) 27102-H0042 参加支援につながった世帯\n"
        "12/4(木) 27102-H0043 参加支援につながった世帯"
    )
    at_noon.move_to(datetime(2025, 12, 5, 9, 30, tzinfo=TOKYO))  # a day late
    await run_day(app.bot, runtime_for(sessions), date(2025, 12, 5))
    reminder = worker.last
    assert reminder is not None and "・27102-H0042 12/4(木) 参加支援につながった世帯（1日超過）" in reminder.text
    asked = (await worker.press("延期", reminder))[-1]
    assert asked.text == "27102-H0042 の次の連絡をいつにしますか？"
    moved = (await worker.press("1週間後"))[-1]
    assert moved.text.startswith("27102-H0042 の連絡を12/12(金)に延期しました。")
    assert "今日までの連絡予定（1件）" in moved.text
    done = (await worker.press("完了・不要"))[-1]
    assert done.text == "27102-H0043 の連絡予定を完了にしました。\n\n今日までの連絡予定はもうありません。"
    assert (await worker.press_data("fud:2", done))[-1:] == [] or worker.answers[-1] == (
        "この連絡予定は完了済みか、見つかりません。"
    )
    [first, second] = await plans(sessions)
    assert (first.due_on, first.closed_at, second.closed_reason) == (date(2025, 12, 12), None, "done")


async def test_forged_buttons_and_other_peoples_plans_are_refused(
    worker: ChatSession,
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    await log_participation(worker)
    await worker.press("1週間後")
    other = chat_as(app, api, await add_staff(sessions, name="別の職員"))
    await other.send("/help")
    for data in ("fu:1:1w", "fud:1", "fupo:1:1w", "fupp:1:visit", "fu:x:1w", "fu:1:9y"):
        await other.press_data(data)
    assert all(answer is not None for answer in other.answers)
    [plan] = await plans(sessions)
    assert (plan.due_on, plan.closed_at, plan.purpose) == (date(2025, 12, 4), None, None)
    assert other.unanswered_callbacks() == []


async def test_a_plan_can_be_made_from_my_entries(
    worker: ChatSession,
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    """📋 自分の記録 offers 予定 under one's own live entries that name a household, and only those."""
    await log_participation(worker)
    await worker.press("なし")
    await worker.send("/outreach")
    await worker.press("今日")
    await worker.press("1")
    await worker.press("✅ 保存する")
    mine = (await worker.send("/mine"))[-1]
    assert "予定 No.1" in mine.button_texts() and "予定 No.2" not in mine.button_texts()
    offer = (await worker.press("予定 No.1"))[-1]
    assert offer.text == "次の連絡を予定しますか？（27102-H0042）"
    await worker.press("2週間後")
    [plan] = await plans(sessions)
    assert (plan.household_ref, plan.due_on, plan.source_event_id) == (HOUSEHOLD, date(2025, 12, 11), 1)
    other = chat_as(app, api, await add_staff(sessions, name="別の職員"))
    await other.send("/help")
    for data in ("fue:1", "fue:2", "fue:x"):  # another person's entry, an entry without a household, a forgery
        await other.press_data(data)
    assert all(answer is not None for answer in other.answers)
    assert len(await plans(sessions)) == 1


async def test_supervisors_see_counts_never_codes_and_hand_over(
    worker: ChatSession,
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    await log_participation(worker)
    await worker.press("1週間後")
    await log_participation(worker, "27102-H0043")
    await worker.press("日付を入力")
    await worker.send("11/28")  # tomorrow: due this week
    successor = await add_staff(sessions, name="後任")
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    at_noon.move_to(datetime(2025, 12, 5, 10, 0, tzinfo=TOKYO))
    counts = (await chief.send("📅 予定"))[-1].text
    assert (
        counts
        == "連絡予定の状況（都島区・12/5(金)時点）: 今週の予定 0件・期限切れ 2件\n・見守り花子: 今週 0件・期限切れ 2件"
    )
    assert "H0042" not in counts

    gone = await add_staff(sessions, name="停止済み")
    async with session_scope(sessions) as session:
        holder = (await session.scalars(select(Staff).where(col(Staff.display_name) == "見守り花子"))).one()
        staff_id = holder.id or 0
        await deactivate_staff(session, staff_id, by_staff_id=None)
        await deactivate_staff(session, gone.id or 0, by_staff_id=None)
    await run_day(app.bot, runtime_for(sessions), date(2025, 12, 5))
    asked = chief.last
    assert asked is not None and asked.text.startswith(
        f"見守り花子さん（No.{staff_id}）は利用停止で、連絡予定が2件あります。"
    )
    await run_day(app.bot, runtime_for(sessions), date(2025, 12, 8))  # asked once
    assert chief.transcript[-1].message_id == asked.message_id

    assert (await chief.send(f"/handover {staff_id} {gone.id}"))[-1].text.startswith("新しい担当は")
    done = (await chief.send(f"/handover {staff_id} {successor.id}"))[-1].text
    assert done == f"No.{staff_id} 見守り花子さんの連絡予定2件を No.{successor.id} 後任さんに引き継ぎました。"
    told = api.messages(successor.telegram_user_id)
    assert [m.text for m in told] == ["見守り花子さんの連絡予定2件を引き継ぎました。「📅 予定」で確認できます。"]
    await run_day(app.bot, runtime_for(sessions), date(2025, 12, 9))  # told once, though the run looks back a week
    assert len([m for m in api.messages(successor.telegram_user_id) if "引き継ぎました" in m.text]) == 1
    assert (await chief.send(f"/handover {staff_id} {successor.id}"))[-1].text == "引き継ぐ連絡予定はありません。"
    assert {plan.staff_id for plan in await plans(sessions)} == {successor.id}
    async with session_scope(sessions) as session:
        audit = (await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "handover"))).one()
    assert audit.detail == {"to": successor.id, "moved": 2, "merged": 0}


async def test_a_handover_to_someone_already_planning_the_household_merges_it(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    at_noon: time_machine.Traveller,
) -> None:
    leaving, staying = await add_staff(sessions, name="退職"), await add_staff(sessions, name="継続")
    for member, button in ((leaving, "1週間後"), (staying, "1か月後")):
        chat = chat_as(app, api, member)
        await log_participation(chat)
        await chat.press(button)
    async with session_scope(sessions) as session:
        await set_leave(session, leaving.id or 0, date(2026, 3, 31), today=date(2025, 11, 27))
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    await run_day(app.bot, runtime_for(sessions), date(2025, 11, 28))
    assert chief.last is not None and "は2026/3/31(火)まで休暇で、連絡予定が1件あります。" in chief.last.text
    done = (await chief.send(f"/handover {leaving.id} {staying.id}"))[-1].text
    assert done.endswith("うち1件は同じ世帯の予定があったため1件にまとめました（早い日付）。")
    open_plans = [plan for plan in await plans(sessions) if plan.closed_at is None]
    assert [(plan.staff_id, plan.due_on) for plan in open_plans] == [(staying.id, date(2025, 12, 4))]


async def test_the_monthly_push_carries_the_counts_of_the_scope(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pool = CountingPool()
    app.bot_data[RENDER_POOL] = pool
    settings = make_settings()
    runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, pool))
    holder = await add_staff(sessions)
    ward_chief = await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 一")
    city_chief = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 一")
    async with session_scope(sessions) as session:
        for household, due in (("27102-H0001", date(2025, 11, 20)), ("27102-H0002", date(2025, 12, 3))):
            session.add(
                Followup(
                    staff_id=holder.id or 0,
                    ward_code="27102",
                    household_ref=household,
                    kind="participation_link",
                    due_on=due,
                    planned_on=date(2025, 11, 1),
                )
            )
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        await run_day(app.bot, runtime, date(2025, 12, 1))
    ward_text = api.messages(ward_chief.telegram_user_id)[0].text
    city_text = api.messages(city_chief.telegram_user_id)[0].text
    assert "連絡予定（今週の予定・期限切れ）:\n・見守り花子: 今週 1件・期限切れ 1件" in ward_text
    assert "連絡予定（今週の予定・期限切れ）:\n・都島区: 今週 1件・期限切れ 1件" in city_text
    assert "H0001" not in ward_text + city_text
