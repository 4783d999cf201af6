"""A ward's month confirmed by the ward and accepted or returned by the city, through the bot (issue 22, part 4):
/confirm, /accept (buttons), /return, the ward's supervisors told, a late entry withdrawing it, the /totals line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO
from models.roles import Role
from tests.builders import add_staff, chat_as, supervisor

BEFORE_LOCK = datetime(2025, 11, 5, 12, 0, tzinfo=TOKYO)  # October is over; its lock is 11/8


@pytest.fixture
def before_lock() -> Iterator[None]:
    with time_machine.travel(BEFORE_LOCK):
        yield


pytestmark = pytest.mark.usefixtures("before_lock")


async def test_the_ward_confirms_and_the_city_accepts_or_returns(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ward = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    asked = (await ward.send("/confirm"))[-1]
    assert asked.text.startswith("都島区の2025年10月分の数値を確認しますか？\n現在: 未確認")
    done = (await ward.press("2025年10月分を確認する"))[-1].text
    assert done == "都島区の2025年10月分を確認しました。市の承認を待ちます。"
    again = (await ward.press_data("apv:c:27102:202510"))[-1].text  # a second press: one transition only
    assert again == "都島区の2025年10月分は今「区確認済み（市の承認待ち）」のため、この操作はできません。"
    assert "10月分の確認: 区確認済み（市の承認待ち）" in (await ward.send("/totals"))[-1].text
    view = (await city.send("/accept"))[-1]
    assert view.text.splitlines()[0] == "2025年10月分の確認状況（承認 0・確認済み 1・未確認 23・差戻し 0）"
    assert "・都島区: 区確認済み（市の承認待ち）" in view.text and view.button_texts() == ["都島区"]
    accepted = (await city.press("都島区"))[-1]
    assert accepted.text.startswith("都島区の2025年10月分を承認しました。") and accepted.button_texts() == []
    assert ward.last is not None and ward.last.text == "都島区の2025年10月分が市に承認されました。"
    totals = (await city.send("/totals"))[-1].text
    assert "10月分の確認（全24区）\n　承認 1・確認済み 0\n　未確認 23・差戻し 0" in totals
    returned = (await city.send("/return 27102 2025-10 アウトリーチの件数を再確認してください"))[-1].text
    assert returned.startswith("都島区の2025年10月分を差し戻しました（理由: アウトリーチの件数を再確認してください）")
    assert ward.last is not None and ward.last.text == (
        "都島区の2025年10月分が市から差し戻されました。\n理由: アウトリーチの件数を再確認してください\n"
        "見直したら /confirm 2025-10 で確認し直してください。"
    )
    assert "現在: 差戻し" in (await ward.send("/confirm 2025-10"))[-1].text


async def test_a_late_entry_withdraws_the_confirmation_and_tells_the_ward(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ward = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    worker = chat_as(app, api, await add_staff(sessions))
    await ward.send("/confirm 2025-10")
    await ward.press("2025年10月分を確認する")
    await worker.send("/outreach")
    await worker.send("10/31")
    await worker.send("2")
    assert "保存しました" in (await worker.press("✅ 保存する"))[-1].text
    assert ward.last is not None and ward.last.text == (
        "都島区の2025年10月分の確認を取り消しました（期限前に記録が追加されたため）。"
        "見直して /confirm 2025-10 で確認し直してください。"
    )
    await worker.send("/outreach")  # a November entry leaves October alone
    await worker.press("今日")
    await worker.send("1")
    await worker.press("✅ 保存する")
    assert ward.last is not None and ward.last.text.startswith("都島区の2025年10月分の確認を取り消しました")
    assert len([m for m in ward.transcript if "取り消しました" in m.text]) == 1


async def test_a_wrong_month_or_role_gets_a_short_answer(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ward = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await ward.send("/confirm 2025-11"))[
        -1
    ].text == "2025年11月はまだ終わっていないため、確認・承認できません。"
    assert (await ward.send("/confirm 十月"))[-1].text.startswith("使い方: /confirm 2025-10")
    assert (await worker.send("/confirm"))[-1].text == "月の確認は、その区の区の管理者が行います。"
    assert (await city.send("/confirm"))[-1].text == "月の確認は、その区の区の管理者が行います。"
    assert (await ward.send("/accept"))[-1].text == "承認・差戻しは市の管理者が行います。"
    assert (await ward.send("/return 27102 2025-10 理由"))[-1].text == "承認・差戻しは市の管理者が行います。"
    assert (await city.send("/return 27102 2025-10 理由"))[-1].text == (
        "都島区の2025年10月分は今「未確認」のため、この操作はできません。"
    )
    assert (await city.send("/return 99999 2025-10 理由"))[-1].text == "区コード 99999 が見つかりません。"
    assert (await city.send("/return"))[-1].text.startswith("使い方: /return 区コード 2025-10 理由")
    await city.press_data("apv:a:27102:202510")  # forged for a month nobody confirmed
    assert (
        city.last is not None and city.last.text == "都島区の2025年10月分は今「未確認」のため、この操作はできません。"
    )
    await ward.press_data("apv:c:27103:202510")  # another ward's month
    assert ward.last is not None and ward.last.text == "月の確認は、その区の区の管理者が行います。"
    await ward.press_data("apv:c:27102:202513")
    assert ward.answers[-1] == "その選択は使えません。もう一度選んでください。"  # a month 13: refused
