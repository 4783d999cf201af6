"""Issue 22, part 1 through the bot: /areas and 地域別 under /totals show the areas counted for 1-1 and 1-2 and the
ones not yet — a ward's list, the city by ward then paged — and refuse workers and forged buttons."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.offline.fake_api import InProcessBotApi
from models.db import session_scope
from models.roles import Role
from tests.builders import add_event, add_staff, chat_as, supervisor

pytestmark = pytest.mark.usefixtures("at_noon")
REFUSED = "その選択は使えません。もう一度選んでください。"


@pytest.fixture
async def reached(sessions: async_sessionmaker[AsyncSession]) -> None:
    """都島区: meetings in areas 01 (June) and 03 (October), a concern report in 02 (May); 北区: a meeting in 01."""
    async with session_scope(sessions) as session:
        await add_event(session, "area_meeting", date(2025, 6, 3), area="27102-01")
        await add_event(session, "area_meeting", date(2025, 10, 3), area="27102-03")
        await add_event(session, "concern_report", date(2025, 5, 10), area="27102-02")
        await add_event(session, "area_meeting", date(2025, 7, 1), "27127", area="27127-01")


@pytest.mark.usefixtures("reached")
async def test_a_ward_supervisor_sees_the_areas_not_yet_counted_and_switches_to_1_2(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)

    shown = (await chief.send("/areas"))[-1]

    assert shown.text.splitlines() == [
        "①見守り情報共有をしている地域数",
        "令和7年11月27日時点　都島区",
        "数えた地域 2 ／ 全13地域（まだ 11地域）",
        "まだ数えていない地域:",
        "・27102-02 都島区第2地域",
        *(f"・27102-{n:02d} 都島区第{n}地域" for n in range(4, 14)),
    ]
    assert shown.button_texts() == ["②気になる方の情報が寄せられた地域数"]
    concern = (await chief.press("②気になる方の情報が寄せられた地域数"))[-1]
    assert concern.message_id == shown.message_id  # in place
    assert concern.text.splitlines()[2:5] == [
        "数えた地域 1 ／ 全13地域（まだ 12地域）",
        "まだ数えていない地域:",
        "・27102-01 都島区第1地域",
    ]
    assert chief.unanswered_callbacks() == []
    await chief.press_data("covp:2025:now:city:1-1:1")  # another scope: forged
    assert chief.answers[-1] == REFUSED
    await chief.press_data("cov:2025:now:27102:3-1")  # not an area indicator
    assert chief.answers[-1] == REFUSED
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/areas"))[-1].text == "この操作は権限のある方のみ行えます。"


@pytest.mark.usefixtures("reached")
async def test_under_totals_the_areas_come_as_a_new_message_for_the_totals_month(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    figures = (await chief.send("/totals"))[-1]
    await chief.press("◀ 前月末")

    areas = (await chief.press("地域別（1-1・1-2）"))[-1]

    assert areas.message_id != figures.message_id
    assert areas.text.splitlines()[1:3] == ["令和7年10月末時点　都島区", "数えた地域 2 ／ 全13地域（まだ 11地域）"]
    september = await chief.press_data("cov:2025:202509:27102:1-1", figures)
    assert september[-1].text.splitlines()[1:3] == [
        "令和7年9月末時点　都島区",
        "数えた地域 1 ／ 全13地域（まだ 12地域）",
    ]


@pytest.mark.usefixtures("reached")
async def test_the_city_by_ward_then_the_areas_not_yet_in_pages_within_telegrams_limits(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)

    summary = (await city.send("/areas"))[-1]

    lines = summary.text.splitlines()
    assert lines[:5] == [
        "①見守り情報共有をしている地域数",
        "令和7年11月27日時点　大阪市",
        "数えた地域 3 ／ 全334地域（まだ 331地域）",
        "・北区 1／16（まだ 15）",
        "・都島区 2／13（まだ 11）",
    ]
    assert len([line for line in lines if line.startswith("・") and "／" in line]) == 24
    assert "・北区 まだ 15地域" in lines
    assert lines[-1].startswith("一覧は「次へ ▶」で見られます")
    page = (await city.press("次へ ▶"))[-1]
    assert page.text.splitlines()[:3] == [
        "①見守り情報共有をしている地域数 まだの地域（2/10）",
        "【北区】",
        "・27127-02 北区第2地域（北区）",
    ]
    for message in api.calls:
        assert len(message.parameters.get("text", "")) <= 4096
    assert city.unanswered_callbacks() == []
