"""Issue 22, part 5: the monthly push opens with a few plain lines made from the figures — the biggest moves against
the same point last year, the wards furthest behind, completeness — and, through `ReviewState`, the flagged entries
waiting and the wards not confirmed once parts 3 and 4 fill it. Deterministic: checked against whole texts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.context import RENDER_POOL
from bot.offline.fake_api import InProcessBotApi
from bot.push_summary import summary_lines
from bot.reminder_messages import BotMessenger
from models.config import TOKYO
from models.db import session_scope
from models.push_summary import ReviewState, Summary
from models.roles import Role
from models.tables import Staff
from models.who_reported import Completeness
from reminders.jobs import ReminderRuntime, run_day
from tests.builders import add_event, add_staff, make_settings

PUSH_DAY = date(2025, 12, 1)


async def _push(app: IntakeApplication, sessions: async_sessionmaker[AsyncSession]) -> None:
    settings = make_settings()
    runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, app.bot_data[RENDER_POOL]))
    with time_machine.travel(datetime(2025, 12, 1, 9, 30, tzinfo=TOKYO)):
        await run_day(app.bot, runtime, PUSH_DAY)


def _summary(api: InProcessBotApi, staff: Staff) -> list[str]:
    lines = api.messages(staff.telegram_user_id)[0].text.splitlines()
    return lines[1 : lines.index("", 1)]


@pytest.fixture
async def a_year_apart(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Outreach: 都島区 10 → 5, 福島区 7 → 14; 此花区's one area meeting last year, none this year. Workers: 都島区
    two (one reported November), 福島区 one (nothing)."""
    tsushima = await add_staff(sessions, name="都島 一子")
    await add_staff(sessions, name="都島 二郎")
    await add_staff(sessions, ward="27103", name="福島 三太")
    with time_machine.travel(datetime(2025, 11, 20, 12, 0, tzinfo=TOKYO)):
        async with session_scope(sessions) as session:
            await add_event(session, "outreach", date(2024, 11, 6), count=10)
            await add_event(session, "outreach", date(2025, 11, 6), count=5, logged_by=tsushima.id)
            await add_event(session, "outreach", date(2024, 10, 6), "27103", count=7)
            await add_event(session, "outreach", date(2025, 10, 6), "27103", count=14)
            await add_event(session, "area_meeting", date(2024, 6, 3), "27104", area="27104-01")


@pytest.mark.usefixtures("a_year_apart")
async def test_the_city_and_a_ward_read_their_summary_first(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="市 管理")
    chief = await add_staff(sessions, Role.WARD_SUPERVISOR, name="区 管理")

    await _push(app, sessions)

    assert _summary(api, city) == [
        "【まとめ】",
        "・前年同期より最も伸びた指標: ⑤アウトリーチ件数 17件 → 19件",
        "・前年同期より最も減った指標: ①見守り情報共有をしている地域数 1 ／ 全334地域 → 0 ／ 全334地域",
        "・前年同期に比べ遅れている区（指標の前年比の中央値）: 此花区 0％、都島区 50％",
        "・11月分の報告: 1／3人（うち締切前 1人）",
        "・報告が少ない区: 福島区 0／1人、都島区 1／2人",
        "・11月分を確認した区はまだありません。",  # the push comes as the month ends: no ward has confirmed yet
    ]
    assert _summary(api, chief) == [
        "【まとめ】",
        "・前年同期より最も減った指標: ⑤アウトリーチ件数 10件 → 5件",
        "・11月分の報告: 1／2人（うち締切前 1人）",
    ]


def test_the_review_hook_adds_flagged_entries_and_wards_not_confirmed_when_known() -> None:
    unknown = Summary(None, None, [], Completeness(0, 0, 0), [], ReviewState())
    assert summary_lines(unknown, {}, "11月", "ja") == ["【まとめ】", "・前年同期と比べられる数値はまだありません。"]
    known = Summary(None, None, [], Completeness(0, 0, 0), [], ReviewState(2, ("27103", "27127")))
    names = {"27103": "福島区", "27127": "北区"}
    assert summary_lines(known, names, "11月", "ja")[2:] == [
        "・確認待ちの記録: 2件",
        "・11月分を確認していない区: 北区、福島区",  # the city's order
    ]
    confirmed = Summary(None, None, [], Completeness(0, 0, 0), [], ReviewState(0, ()))
    assert summary_lines(confirmed, {}, "November", "en")[2:] == ["・Every ward has confirmed November."]  # 0: no line
