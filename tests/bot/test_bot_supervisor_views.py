"""Issue 12 through the bot: last year's figures, the wards ranked, last month's missing reports, /note for last
year, the menus per role — for a ward supervisor, a city supervisor and a worker."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO
from models.db import session_scope
from models.roles import Role
from models.sheet.measure import display_width
from models.snapshots import close_month
from models.tables import SheetBullet
from tests.builders import add_event, add_staff, chat_as, supervisor

pytestmark = pytest.mark.usefixtures("at_noon")
REFUSED = "その選択は使えません。もう一度選んでください。"


@pytest.fixture
async def two_years(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Outreach: 都島区 10 last November, 5 this year; 福島区 7 and 7; 此花区 3 last year only."""
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2024, 11, 6), count=10)
        await add_event(session, "outreach", date(2024, 12, 6), count=50)  # after the same point: not compared
        await add_event(session, "outreach", date(2025, 11, 6), count=5)
        await add_event(session, "outreach", date(2024, 10, 6), "27103", count=7)
        await add_event(session, "outreach", date(2025, 10, 6), "27103", count=7)
        await add_event(session, "outreach", date(2024, 6, 6), "27104", count=3)


@pytest.mark.usefixtures("two_years")
async def test_totals_show_the_same_point_last_year_and_the_previous_year_keeps_the_month(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    lines = (await chief.send("/totals"))[-1].text.splitlines()
    assert lines[:2] == ["2025（令和7）年度　令和7年11月27日時点　都島区", "前年同期: 令和6年11月27日時点"]
    at = lines.index("⑤アウトリーチ件数")
    assert lines[at + 1 : at + 3] == ["　5件（前月末比 +5）", "　前年同期 10件（前年同期比 -5）"]
    last_year = (await chief.press("◀ 前年度"))[-1]
    assert last_year.text.splitlines()[:2] == [
        "2024（令和6）年度　令和6年11月末時点　都島区",
        "前年同期: 令和5年11月末時点",
    ]
    assert "⑤アウトリーチ件数\n　10件（前月末比 +10）\n　前年同期 —\n" in last_year.text  # 2023: no data, not 0
    footnote, approval = last_year.text.rsplit("\n\n", 1)  # the last line: the month's confirmation (issue 22)
    assert footnote.endswith("集計開始前の数値の登録は、システム管理者（市の担当）にご相談ください。")
    assert approval == "11月分の確認: 未確認"
    back = (await chief.press("翌年度 ▶"))[-1]
    assert back.text.splitlines()[0] == "2025（令和7）年度　令和7年11月27日時点　都島区"
    assert "区別（前年同期比）" not in back.button_texts()
    await chief.press_data("totk:2025:now")
    assert chief.answers[-1] == REFUSED
    await chief.press_data("totr:2025:now:1-5")
    assert chief.answers[-1] == REFUSED


@pytest.mark.usefixtures("two_years")
async def test_before_the_fifth_business_day_totals_show_last_month_with_a_button_for_today(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    with time_machine.travel(datetime(2025, 12, 4, 9, 0, tzinfo=TOKYO)):  # Thursday, 4th business day
        settled = (await chief.send("/totals"))[-1]
        assert settled.text.splitlines()[0] == "2025（令和7）年度　令和7年11月末時点　都島区"
        assert "⑤アウトリーチ件数\n　5件（前月末比 +5）" in settled.text  # November's change, not "+0" since yesterday
        today = (await chief.press("今日"))[-1]
        assert today.text.splitlines()[0] == "2025（令和7）年度　令和7年12月4日時点　都島区"
        assert "今日" not in today.button_texts()
    with time_machine.travel(datetime(2025, 12, 5, 9, 0, tzinfo=TOKYO)):  # the 5th business day
        assert (await chief.send("/totals"))[-1].text.splitlines()[0].endswith("令和7年12月5日時点　都島区")


@pytest.mark.usefixtures("two_years")
async def test_a_city_supervisor_ranks_the_wards_against_last_year_laggards_first(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    await city.send("/totals")
    choose = (await city.press("区別（前年同期比）"))[-1]
    assert choose.text == "どの指標で区を比べますか？（前年同期比）"
    ranking = (await city.press("目標1 ⑤アウトリーチ件数"))[-1]
    lines = ranking.text.splitlines()
    assert lines[:4] == [
        "目標1 ⑤アウトリーチ件数　区別・前年同期比",
        "今年 令和7年11月27日時点",
        "前年 令和6年11月27日時点",
        "前年に比べ進んでいない区から:",
    ]
    assert lines[4:7] == [
        "1. 此花区 0件 ／ 前年 3件（前年の0％）",
        "2. 都島区 5件 ／ 前年 10件（前年の50％）",
        "3. 福島区 7件 ／ 前年 7件（前年の100％）",
    ]
    assert len(lines) == 4 + 24 and lines[7].endswith("0件 ／ 前年 0件")  # nothing to compare with: last
    assert city.unanswered_callbacks() == []
    worker = chat_as(app, api, await add_staff(sessions))
    await worker.press_data("totr:2025:now:1-5", (await worker.send("/help"))[-1])
    assert worker.answers[-1] == REFUSED


async def test_the_survey_ranking_shows_points_marks_few_answers_and_sets_unanswered_wards_apart(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Issue 19: not 「1. 鶴見区 100.0％（1 ／ 1）／ 前年 50.0％（200％）」 first among 20 wards without answers."""
    answers = {  # ward: (last year's yes, no), (this year's yes, no)
        "27124": ((1, 1), (1, 0)),  # 鶴見区 50.0 → 100.0: ahead, with few answers
        "27102": ((6, 2), (3, 3)),  # 都島区 75.0 → 50.0: furthest behind
        "27103": ((4, 4), (7, 3)),  # 福島区 50.0 → 70.0
        "27104": ((0, 0), (2, 3)),  # 此花区: no answers last year
    }
    async with session_scope(sessions) as session:
        for ward, years in answers.items():
            for fiscal_year, (yes, no) in zip((2024, 2025), years, strict=True):
                for answer, times in ((True, yes), (False, no)):
                    for _ in range(times):
                        await add_event(session, "agency_survey", date(fiscal_year, 6, 2), ward, answer=answer)
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    await city.send("/totals")
    await city.press("区別（前年同期比）")
    ranking = (await city.press("目標2 効果があったと感じる相談機関等の割合"))[-1]
    assert ranking.text.splitlines()[3:] == [
        "前年に比べ進んでいない区から:",
        "1. 都島区 50.0％（前年同期比 -25.0pt）",
        "　回答6 ／ 前年 75.0％（回答8）",
        "2. 福島区 70.0％（前年同期比 +20.0pt）",
        "　回答10 ／ 前年 50.0％（回答8）",
        "3. 鶴見区 100.0％（前年同期比 +50.0pt）",
        "　回答1 ／ 前年 50.0％（回答2） ※回答が少ない",
        "4. 此花区 40.0％",
        "　回答5 ／ 前年 回答なし",
        "回答なし: 20区（北区、中央区、西区、港区、大正区、天王寺区、浪速区、西淀川区、淀川区、東淀川区、東成区、"
        "生野区、旭区、城東区、阿倍野区、住之江区、住吉区、東住吉区、平野区、西成区）",
        "",
        "※回答が少ない: 今年か前年の回答が5件未満で、1件で割合が大きく動きます。",
    ]
    english = chat_as(app, api, await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None), language_code="en")
    in_english = (await english.press_data("totr:2025:now:2-Q", (await english.send("/help"))[-1]))[-1]
    assert "1. Miyakojima 50.0% (-25.0 pt vs last year)\n  6 answers / last year 75.0% (8 answers)" in in_english.text


@pytest.mark.usefixtures("two_years")
async def test_a_city_supervisor_gets_one_wards_sheet_and_chart(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    sheet = (await city.send("/sheet 27103 2025-10"))[-1]
    assert sheet.document is not None and sheet.caption is not None
    assert sheet.caption.startswith("推進状況確認シート　令和7年10月末時点　福島区")
    last_month = (await city.send("/sheet 27103"))[-1]  # without a month: the last complete month end
    assert last_month.caption == sheet.caption
    assert (await city.send("/sheet 99999 2025-10"))[-1].text.startswith("使い方: /sheet")
    assert (await city.send("/sheet 27103 2025-10 extra"))[-1].text.startswith("使い方: /sheet")
    await city.send("/chart")
    wards = (await city.press("目標1 ⑤アウトリーチ件数"))[-1]
    assert wards.text == "どの区のグラフですか？" and "大阪市全体" in wards.button_texts()
    picture = (await city.press("福島区"))[-1]
    assert picture.photo is not None and picture.caption == "目標1 ⑤アウトリーチ件数　福島区"
    await city.press_data("chart:1-5:99999", wards)
    assert city.answers[-1] == REFUSED


@pytest.mark.usefixtures("two_years")
async def test_a_ward_supervisor_keeps_to_the_ward_in_sheet_and_chart(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    own = (await chief.send("/sheet 27102 2025-10"))[-1]
    assert own.caption is not None and own.caption.startswith("推進状況確認シート　令和7年10月末時点　都島区")
    assert (await chief.send("/sheet 27103 2025-10"))[-1].text.startswith("使い方: /sheet")  # not their ward
    menu = (await chief.send("/chart"))[-1]
    picture = (await chief.press("目標1 ⑤アウトリーチ件数"))[-1]
    assert picture.caption == "目標1 ⑤アウトリーチ件数　都島区"  # no ward choice: straight to the ward's chart
    await chief.press_data("chart:1-5:27103", menu)
    assert chief.answers[-1] == REFUSED
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/sheet 27102"))[-1].text.startswith("集計は区・市の管理者の方が見られます")


async def test_missing_covers_last_month_with_ward_names_and_last_entry_days(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    steady = chat_as(app, api, await add_staff(sessions, name="記録 済子"))
    quiet = await add_staff(sessions, name="未記録 太郎")
    await add_staff(sessions, ward="27103", name="福島 次郎")
    with time_machine.travel(datetime(2025, 10, 20, 10, 0, tzinfo=TOKYO)):
        await steady.send("/outreach")
        await steady.press("今日")
        await steady.press("1")
        await steady.press("✅ 保存する")
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    november = (await chief.send("/missing"))[-1]
    assert november.text.splitlines() == [
        "11月に記録がなく「今月は0件」の報告もない方（休暇中を除く）: 2人",
        "・記録 済子（都島区・最終記録 2025-10-20）",
        "・未記録 太郎（都島区・記録なし）",
    ]
    assert november.button_texts() == ["今すぐ催促する"]
    october = (await chief.send("/missing 2025-10"))[-1]
    assert october.text.splitlines() == [
        "10月に記録がなく「今月は0件」の報告もない方（休暇中を除く）: 1人",
        "・未記録 太郎（都島区・記録なし）",
    ]
    assert october.button_texts() == []  # a past month: nobody is nudged for it
    assert (await chief.send("/missing 2025-12"))[-1].text.startswith("使い方: /missing")
    assert (await chief.send("/missing 10月"))[-1].text.startswith("使い方: /missing")
    with time_machine.travel(datetime(2025, 12, 1, 9, 0, tzinfo=TOKYO)):  # the 1st: November, not "everyone"
        assert (await chief.send("/missing"))[-1].text.startswith("11月に記録がなく")
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    assert "・福島 次郎（福島区・記録なし）" in (await city.send("/missing 2025-10"))[-1].text
    assert quiet.id is not None
    worker = chat_as(app, api, quiet)
    assert (await worker.send("/missing 2025-10"))[-1].text == "この操作は権限のある方のみ行えます。"


async def test_until_june_the_previous_years_sheet_text_can_be_written(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=TOKYO)):
        years = (await chief.send("/note"))[-1]
        assert years.text == "どの年度のシートの文章を編集しますか？（前年度分は6月末まで）"
        assert years.button_texts() == ["2025（令和7）年度", "2026（令和8）年度"]
        sheets = (await chief.press("2025（令和7）年度"))[-1]
        assert sheets.text == "2025（令和7）年度：どのシートの文章を編集しますか？"
        await chief.press("基本目標1")
        await chief.press("課題と今後の方向性")
        asked = (await chief.press("＋ 追加"))[-1]
        assert asked.button_texts() == ["中止"]
        listing = (await chief.send("担い手の高齢化"))[-1]
        assert listing.text == "基本目標1　課題と今後の方向性（2025（令和7）年度・都島区）\n1. 担い手の高齢化"
        await city.send("/note")
        await city.press("2025（令和7）年度")
        await city.press("参加支援")
        await city.press("取組内容")
        await city.press("＋ 追加")
        stopped = (await city.press("中止"))[-1]
        assert stopped.text == "入力を中止しました。"
    async with session_scope(sessions) as session:
        bullets = (await session.scalars(select(SheetBullet))).all()
    assert [(b.fiscal_year, b.ward_code, b.text) for b in bullets] == [(2025, "27102", "担い手の高齢化")]
    with time_machine.travel(datetime(2026, 7, 1, 10, 0, tzinfo=TOKYO)):
        assert (await chief.send("/note"))[-1].text == "2026（令和8）年度：どのシートの文章を編集しますか？"
        await chief.press_data("note:sec:1:issues:2025")  # last year's list: closed since the end of June
        assert chief.answers[-1] == REFUSED
        await chief.press_data(f"note:del:{bullets[0].id}")
        assert chief.answers[-1] == REFUSED
    worker = chat_as(app, api, await add_staff(sessions))
    assert (await worker.send("/note"))[-1].text == "この操作は権限のある方のみ行えます。"


@pytest.mark.usefixtures("two_years")
async def test_help_and_the_menu_follow_the_role(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = chat_as(app, api, await add_staff(sessions))
    worker_help = (await worker.send("/help"))[-1].text
    assert "/undo" in worker_help and "集計" not in worker_help
    assert api.current_keyboard(worker.chat_id) == [
        ["📝 記録する", "🔁 前回と同じ"],
        ["📋 自分の記録", "📅 予定", "❓ ヘルプ"],
    ]
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    chief_help = (await chief.send("/help"))[-1].text
    assert "【管理者】\n📊 集計 … /totals" in chief_help and "👀 未報告 … /missing" in chief_help
    assert "/reopen" not in chief_help
    assert api.current_keyboard(chief.chat_id) == [
        ["📝 記録する", "🔁 前回と同じ"],
        ["📋 自分の記録", "📅 予定", "❓ ヘルプ"],
        ["📊 集計", "📄 シート", "📈 グラフ", "👀 未報告"],
        ["📊 ダッシュボード"],
    ]
    assert (await chief.tap_keyboard("📊 集計"))[-1].text.startswith("2025（令和7）年度　令和7年11月27日時点　都島区")
    assert (await chief.tap_keyboard("📄 シート"))[-1].document is not None
    assert (await chief.tap_keyboard("📈 グラフ"))[-1].text == "どの指標のグラフを見ますか？（今年度と前年度）"
    assert (await chief.tap_keyboard("👀 未報告"))[-1].text.startswith("11月に記録がなく")
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    city_help = (await city.send("/start"))[-1]
    assert (api.current_keyboard(city.chat_id) or [])[-2:] == [
        ["📊 集計", "📄 シート", "📈 グラフ", "👀 未報告"],
        ["📊 ダッシュボード"],
    ]
    assert city_help.text.startswith("管理 一郎さん、こんにちは")
    assert "【市の管理者】" in (await city.send("/help"))[-1].text
    assert (await worker.send("📊 集計"))[-1].text.startswith("集計は区・市の管理者の方が見られます")


async def test_wording_an_older_steps_button_and_cancel_at_the_reason_step(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], worker: ChatSession
) -> None:
    asked = (await worker.send("/outreach"))[-1]
    await worker.press("今日")
    await worker.press("今日", asked)  # the date step's button again: the entry is open, not expired
    assert worker.answers[-1] == (
        "入力はまだ続いています。このボタンは前の段階のものです。いちばん新しいメッセージのボタンを使ってください。"
    )
    await worker.press("1")
    await worker.press("✅ 保存する")
    await worker.send("/mine")
    await worker.press("取消")
    assert (await worker.send("/cancel"))[-1].text == "入力を中止しました。"  # it did cancel the void
    assert (await worker.send("/cancel"))[-1].text == "中止する入力はありません。"
    await worker.press_data("log:date:today", asked)  # nothing open now: that menu has expired
    assert worker.answers[-1] == "このメニューは期限切れです。もう一度はじめからどうぞ。"
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    await chief.send("/void 1")
    assert (await chief.send("/cancel"))[-1].text == "入力を中止しました。"


async def test_ward_pickers_follow_the_citys_usual_order(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    await city.send("/totals")
    wards = (await city.press("区を選ぶ"))[-1]
    assert wards.button_texts()[:6] == ["大阪市全体", "北区", "都島区", "福島区", "此花区", "中央区"]
    assert wards.button_texts()[-4:] == ["東住吉区", "平野区", "西成区", "◀ 戻る"]
    await city.send("/chart")
    chart_wards = (await city.press("目標1 ⑤アウトリーチ件数"))[-1]
    assert chart_wards.button_texts() == wards.button_texts()


@pytest.mark.usefixtures("two_years")
async def test_pickers_name_each_indicators_goal_and_every_sub_view_has_a_way_back(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Issue 19: two ① … told apart by their 基本目標; 区別, 区を選ぶ, the chart's wards and /note lead back."""
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    charts = (await city.send("/chart"))[-1]
    assert charts.button_texts() == [
        "目標1 ①見守り情報共有をしている地域数",
        "目標1 ②気になる方の情報が寄せられた地域数",
        "目標1 ③名簿提供した要援護者数",
        "目標1 ④相談対応件数",
        "目標1 ⑤アウトリーチ件数",
        "目標1 ⑥行方不明時メール事前登録件数",
        "目標2 ①相談受付件数",
        "目標2 ②つながる場の開催件数",
        "目標2 ③SV派遣件数",
        "目標2 ④研修会の開催件数",
        "目標2 ⑤見守り相談室との連携件数",
        "目標2 効果があったと感じる相談機関等の割合",
        "参加支援につながった世帯数",
    ]
    wards = (await city.press("目標2 ①相談受付件数"))[-1]
    assert wards.button_texts()[-1] == "◀ 戻る"
    assert (await city.press("◀ 戻る"))[-1].button_texts() == charts.button_texts()
    fukushima = (await city.press("目標1 ⑤アウトリーチ件数"))[-1]
    await city.press("福島区", fukushima)
    totals = (await city.send("/totals"))[-1]
    await city.press("区を選ぶ")
    await city.press("福島区")
    ward_pick = (await city.press("区を選ぶ"))[-1]
    assert ward_pick.button_texts()[-1] == "◀ 戻る"
    back = (await city.press("◀ 戻る"))[-1]
    assert back.text.splitlines()[0] == "2025（令和7）年度　令和7年11月27日時点　福島区"  # where it came from
    ranking_pick = (await city.press("区別（前年同期比）", totals))[-1]
    assert ranking_pick.button_texts()[:-1] == charts.button_texts()
    assert ranking_pick.button_texts()[-1] == "◀ 戻る"
    ranking = (await city.press("目標1 ⑤アウトリーチ件数"))[-1]
    assert ranking.text.startswith("目標1 ⑤アウトリーチ件数　区別・前年同期比")
    await city.press("区別（前年同期比）")
    assert (await city.press("◀ 戻る"))[-1].text.splitlines()[0] == "2025（令和7）年度　令和7年11月27日時点　大阪市"
    await city.press_data("totw:2025:now:99999", ranking)
    assert city.answers[-1] == REFUSED
    chief = await supervisor(app, api, sessions, Role.WARD_SUPERVISOR)
    await chief.send("/note")
    sections = (await chief.press("基本目標2"))[-1]
    assert sections.button_texts()[-1] == "◀ 戻る"
    listing = (await chief.press("取組内容"))[-1]
    assert listing.text == "基本目標2　取組内容（2025（令和7）年度・都島区）\n（まだありません）"
    assert listing.button_texts() == ["＋ 追加", "◀ 戻る"]
    assert (await chief.press("◀ 戻る"))[-1].text == "基本目標2：どの欄ですか？"
    assert (await chief.press("◀ 戻る"))[-1].text == "2025（令和7）年度：どのシートの文章を編集しますか？"
    assert city.unanswered_callbacks() == [] and chief.unanswered_callbacks() == []


async def test_totals_fit_a_phone_with_every_difference_labelled(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Issue 19: lines of at most 48 cells (24 full-width characters), not 77; no bare 「（-11）」."""
    async with session_scope(sessions) as session:
        for fiscal_year, times in ((2024, 12), (2025, 10)):  # five-digit figures: 11,988 and 9,990
            for _ in range(times):
                await add_event(session, "roster_provision", date(fiscal_year, 10, 6), area="27102-01", count=999)
                for kind in ("watch_consultation", "outreach", "missing_alert_registration"):
                    await add_event(session, kind, date(fiscal_year, 10, 6), "27113", count=999)
                for kind in ("complex_intake", "tsunagaru_meeting", "sv_dispatch", "watch_office_link"):
                    await add_event(session, kind, date(fiscal_year, 11, 6), "27113", count=999)
            for kind in ("area_meeting", "concern_report"):
                await add_event(session, kind, date(fiscal_year, 10, 6), "27102", area="27102-01")
            for answer in (True, True, False):
                await add_event(session, "agency_survey", date(fiscal_year, 11, 6 + fiscal_year % 2), answer=answer)
            await add_event(session, "participation_link", date(fiscal_year, 10, 6), household="A-1")
        await close_month(session, 2025, 10)
    city = await supervisor(app, api, sessions, Role.CITY_SUPERVISOR, ward=None)
    shown = [(await city.send("/totals"))[-1].text]
    for when, ward in (("now", "27113"), ("now", "27102"), ("202510", "27113")):  # 西淀川区: the longest header
        shown.append((await city.press_data(f"tot:2025:{when}:{ward}"))[-1].text)
    assert shown[-1].splitlines()[:2] == ["2025（令和7）年度　令和7年10月末時点　西淀川区", "（確定値）"]
    for body in shown:
        figures = body.split("\n\n※")[0].splitlines()  # the footnote is prose, wrapped by the phone
        assert max(display_width(line) for line in figures) <= 48, max(figures, key=display_width)
        assert not any("（+" in line or "（-" in line for line in figures)  # every difference says what it is
    lines = shown[2].splitlines()  # 都島区 today
    at = lines.index("効果があったと感じる相談機関等の割合")
    assert lines[at + 1 : at + 4] == [
        "　66.7％（効果あり2 ／ 回答3）",  # no answers before November: no change to show
        "　前年同期 66.7％（効果あり2 ／ 回答3）",
        "　前年同期比 +0.0pt",  # on a line of its own: it would not fit
    ]
