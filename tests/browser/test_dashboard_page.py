"""The dashboard in headless Chromium, as members open it from Telegram: the real routes on uvicorn, init data
signed for the test token, and what is on the screen checked against the totals engine. Each view is saved as a
screenshot (DASHBOARD_SCREENSHOTS, or the run's temporary directory; the paths are listed at the end of the run).

Python's clock is frozen at NOW; Chromium keeps its own, so the page takes every date it shows from the server."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.texts.dashboard_page import PAGE_TEXTS
from models.catalog import INDICATORS_BY_CODE
from models.db import session_scope
from models.entries.unusual import Usual, flag_entry
from models.followups import plan_after_entry, set_purpose
from models.roles import Role
from models.staff import deactivate_staff
from models.tables import Area, Event, Staff
from models.totals import indicator_totals, sheet_notation
from tests.browser.page import DARK_THEME, NOW, Dashboard, Phone
from tests.builders import add_event, add_staff, init_data_for

FY = 2025
WARD, OTHER_WARD = "27102", "27103"  # 都島区, 福島区


async def areas_of(session: AsyncSession, ward: str) -> list[Area]:
    return list(await session.scalars(select(Area).where(col(Area.ward_code) == ward).order_by(col(Area.code))))


async def a_year_of_entries(sessions: async_sessionmaker[AsyncSession], worker: Staff) -> list[Event]:
    """Entries of two wards this year and last (so every comparison has something); returns the worker's own
    entries of this month (the worker also has one last month)."""
    own: list[Event] = []
    async with session_scope(sessions) as session:
        near, other = await areas_of(session, WARD), await areas_of(session, OTHER_WARD)
        for year, scale in ((2024, 1), (2025, 2)):
            for month, day in ((5, 12), (8, 20), (11, 10)):
                on = date(year, month, day)
                await add_event(session, "outreach", on, WARD, count=3 * scale)
                await add_event(session, "watch_consultation", on, OTHER_WARD, count=5)
                await add_event(session, "area_meeting", on, WARD, area=near[month % 3].code)
                await add_event(session, "concern_report", on, OTHER_WARD, area=other[month % 2].code)
                await add_event(session, "roster_provision", on, WARD, area=near[0].code, count=12 * scale)
                await add_event(session, "participation_link", on, OTHER_WARD, household=f"P-{year}-{month}")
                await add_event(session, "agency_survey", on, WARD, answer=month != 8)
                await add_event(session, "sv_dispatch", on, OTHER_WARD, count=4 if year == 2024 else 3)  # < 90%
                await add_event(session, "training_session", on, WARD, count=20 if year == 2024 else 19)  # ≥ 90%
        await add_event(session, "outreach", date(2025, 11, 20), WARD, voided=True)
        for day in (3, 17, 25):
            own.append(
                await add_event(
                    session, "outreach", date(2025, 11, day), WARD, household=f"H-{day:03d}", logged_by=worker.id
                )
            )
        await add_event(session, "outreach", date(2025, 10, 30), WARD, household="H-OLD", logged_by=worker.id)
    return own


async def city_supervisor(sessions: async_sessionmaker[AsyncSession]) -> Staff:
    await a_year_of_entries(sessions, await add_staff(sessions))
    return await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 一郎")


async def expected_figures(sessions: async_sessionmaker[AsyncSession], screen: Phone, ward: str | None) -> list[str]:
    """The 13 figures as the sheet writes them, from the totals engine, as of the day the page shows."""
    as_of = date.fromisoformat(await screen.page.locator("#as-of").input_value())
    async with session_scope(sessions) as session:
        totals = await indicator_totals(session, FY, as_of, ward)
    return [sheet_notation(INDICATORS_BY_CODE[code], totals.indicators[code]) for code in INDICATORS_BY_CODE]


def words(key: str) -> str:
    return PAGE_TEXTS[key]["ja"]


async def test_a_city_supervisor_sees_the_city_and_opens_a_ward(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    boss = await city_supervisor(sessions)
    async with session_scope(sessions) as session:  # one entry far above what is usual, waiting for a check
        unusual = await add_event(session, "watch_consultation", date(2025, 11, 21), OTHER_WARD, count=40)
        await flag_entry(session, unusual, Usual(low=1, high=3, limit=6, entries=20))
    async with dashboard.opened_by(boss) as screen:
        await screen.ready("overview")
        print(f"first complete render: {await screen.first_render_ms():.0f} ms")
        assert await screen.text("#scope-name") == words("dash_city")
        assert re.fullmatch(r"\d\d:\d\d に集計", await screen.text("#computed-at"))
        assert await screen.texts("#indicators .code") == list(INDICATORS_BY_CODE)
        assert await screen.texts("#indicators .now") == await expected_figures(sessions, screen, None)
        assert await screen.overflow() == 0
        await screen.screenshot("1-city-overview")

        await screen.tap_tab("wards")
        assert await screen.count("#wards-table tbody tr") == 24
        assert await screen.count("#legend li") == 4
        levels = {
            (ward, code): await screen.page.get_attribute(
                f'tr[data-ward="{ward}"] td[data-code="{code}"]', "data-level"
            )
            for ward, code in [(WARD, "1-5"), (WARD, "2-4"), (OTHER_WARD, "2-3"), ("27127", "1-5")]
        }
        assert levels == {
            (WARD, "1-5"): "good",
            (WARD, "2-4"): "near",
            (OTHER_WARD, "2-3"): "low",
            ("27127", "1-5"): "none",
        }
        assert await screen.overflow() == 0
        await screen.screenshot("2-city-wards")
        await screen.page.locator('td[data-code="2-4"]').first.scroll_into_view_if_needed()  # the table scrolls
        assert await screen.page.locator("#wards-table .ward-link").first.is_visible()  # its ward column stays
        assert await screen.overflow() == 0
        await screen.screenshot("2-city-wards-scrolled")

        await screen.page.click(f'#wards-table tr[data-ward="{OTHER_WARD}"] td[data-code="1-4"] button')
        await screen.ready("overview")
        assert await screen.text("#scope-name") == "福島区"
        assert await screen.texts("#indicators .now") == await expected_figures(sessions, screen, OTHER_WARD)
        await screen.screenshot("3-ward-drill-down")
        await screen.page.click("#back")
        await screen.ready("wards")
        assert await screen.text("#scope-name") == words("dash_city")

        await screen.tap_tab("review")
        assert await screen.count("#ward-states li") == 24
        assert await screen.texts("#flagged-list .count") == [
            words("dash_flagged_count").format(count=40, low=1, high=3)
        ]
        await screen.screenshot("3b-city-review")


async def test_the_chart_draws_this_year_against_last_year(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with dashboard.opened_by(await city_supervisor(sessions)) as screen:
        await screen.tap_tab("chart")
        await screen.page.select_option("#indicator", "1-5")
        await screen.ready("chart")
        assert await screen.count("#chart-svg .series") == 2
        assert await screen.count("#chart-svg .series.this-year .point") == 8  # April … November
        assert await screen.count("#chart-svg .point.unfinished") == 1  # November is not over
        assert await screen.overflow() == 0
        await screen.screenshot("4-chart")


async def test_coverage_lists_the_areas_counted_and_not_yet_and_searches_them(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessions) as session:
        areas = await areas_of(session, WARD)
        met, quiet = areas[0], areas[1]
        await add_event(session, "area_meeting", date(2025, 6, 3), WARD, area=met.code)
    boss = await add_staff(sessions, Role.WARD_SUPERVISOR, ward=WARD, name="管理 一郎")
    async with dashboard.opened_by(boss) as screen:
        await screen.tap_tab("areas")
        assert await screen.count("#area-list li") == len(areas)
        assert await screen.texts(f'#area-list li[data-area="{met.code}"] .chip') == ["1-1 6月〜", "1-2 まだ"]
        assert await screen.texts(f'#area-list li[data-area="{quiet.code}"] .chip') == ["1-1 まだ", "1-2 まだ"]
        assert await screen.texts('#coverage-wards td[data-code="1-1"]') == [f"1/{len(areas)}"]
        await screen.screenshot("5-areas")

        await screen.page.fill("#area-search", met.name_ja)
        assert await screen.page.locator("#area-list li:visible").evaluate_all(
            "items => items.map(item => item.dataset.area)"
        ) == [met.code]
        await screen.page.click('.segment[data-filter="counted"]')  # counted for both 1-1 and 1-2: not yet
        assert await screen.count("#area-list li:visible") == 0
        assert await screen.page.locator("#areas-empty").is_visible()
        await screen.page.click('.segment[data-filter="missing"]')
        assert await screen.count("#area-list li:visible") == 1


async def test_a_ward_supervisor_sees_only_the_ward(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await a_year_of_entries(sessions, await add_staff(sessions))
    boss = await add_staff(sessions, Role.WARD_SUPERVISOR, ward=OTHER_WARD, name="管理 一郎")
    async with dashboard.opened_by(boss) as screen:
        await screen.ready("overview")
        assert await screen.text("#scope-name") == "福島区"
        tabs = ["dash_tab_overview", "dash_tab_chart", "dash_tab_areas", "dash_tab_review"]
        assert await screen.texts(".tab") == [words(key) for key in tabs]
        assert await screen.texts("#indicators .now") == await expected_figures(sessions, screen, OTHER_WARD)
        await screen.tap_tab("review")
        assert await screen.count("#ward-states li") == 1
        await screen.screenshot("6-ward-review")
        # The same init data, the request edited for another ward: refused whole.
        status = await screen.page.evaluate(
            "async ([data, ward]) => (await fetch(`api/overview?ward=${ward}`,"
            " {headers: {Authorization: `tma ${data}`}})).status",
            [init_data_for(boss), WARD],
        )
        assert status == 403


async def test_a_worker_sees_only_their_own_entries_this_month_in_the_dark_theme(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = await add_staff(sessions)
    own = await a_year_of_entries(sessions, worker)
    async with session_scope(sessions) as session:
        assert own[0].id is not None and worker.id is not None
        plan, _entry = await plan_after_entry(session, own[0].id, worker.id, date(2025, 11, 20), date(2025, 11, 3))
        assert plan.id is not None
        await set_purpose(session, plan.id, worker.id, "visit")
        earlier = await add_event(session, "outreach", date(2025, 10, 20), WARD, household="H-Q", logged_by=worker.id)
        assert earlier.id is not None
        await plan_after_entry(session, earlier.id, worker.id, date(2025, 12, 1), date(2025, 10, 20))
    async with dashboard.opened_by(worker, theme=DARK_THEME) as screen:
        await screen.ready("mine")
        assert await screen.texts(".tab") == [words("dash_tab_mine"), words("dash_tab_followups")]
        shown = await screen.page.locator("#entries li").evaluate_all("items => items.map(item => item.dataset.id)")
        assert sorted(map(int, shown)) == sorted(event.id for event in own if event.id is not None)
        assert "H-003" in await screen.text("#entries")
        background = await screen.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(35, 46, 60)"  # the theme's secondary_bg_color
        assert await screen.overflow() == 0
        await screen.screenshot("7-worker-entries-dark")
        await screen.tap_tab("followups")
        assert await screen.texts("#followups .overdue .due") == ["11月20日まで"]
        assert await screen.texts("#followups .purpose") == [words("dash_purpose_visit")]
        assert await screen.texts("#followups .quiet") == [words("dash_quiet").format(days=38)]  # since 10/20
        await screen.screenshot("8-worker-followups-dark")
        assert await screen.count("#indicators, #wards-table") == 0


def tampered(init_data: str) -> str:
    fields = dict(parse_qsl(init_data))
    fields["hash"] = ("1" if fields["hash"].startswith("0") else "0") + fields["hash"][1:]
    return urlencode(fields)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("tampered", "dash_error_unauthorized"),
        ("expired", "dash_error_expired"),
        ("deactivated", "dash_error_not_member"),
        ("stranger", "dash_error_not_member"),
    ],
)
async def test_each_refusal_replaces_the_page_with_its_message(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession], case: str, message: str
) -> None:
    boss = await city_supervisor(sessions)
    init_data = init_data_for(boss)
    if case == "tampered":
        init_data = tampered(init_data)
    elif case == "expired":
        init_data = init_data_for(boss, auth_date=int(NOW.timestamp()) - 2 * 86400)
    elif case == "deactivated":
        async with session_scope(sessions) as session:
            assert boss.id is not None
            await deactivate_staff(session, boss.id, by_staff_id=None)
    else:
        boss.telegram_user_id += 10_000  # a Telegram user the bot does not know
        init_data = init_data_for(boss)
    async with dashboard.opened_by(boss, init_data=init_data) as screen:
        await screen.page.wait_for_selector("body[data-state=refused]")
        assert await screen.text("#refusal") == words(message)
        assert await screen.count(".indicator, .tab, #wards-table, #entries") == 0
        await screen.screenshot(f"9-refused-{case}")


async def test_the_sheet_button_sends_the_sheet_of_the_ward_on_screen(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    boss = await city_supervisor(sessions)
    async with dashboard.opened_by(boss) as screen:
        await screen.tap_tab("wards")
        await screen.page.click(f'#wards-table tr[data-ward="{OTHER_WARD}"] .ward-link')
        await screen.ready("overview")
        await screen.page.click("#send-sheet")
        await screen.page.wait_for_selector("#sheet-status.sent, #sheet-status.failed")
        [sent] = [message for message in dashboard.api.messages(boss.telegram_user_id) if message.document]
        assert sent.document is not None
        name, _content = sent.document
        assert await screen.text("#sheet-status") == words("dash_sheet_sent").format(file=name)
        await screen.screenshot("10-sheet-sent")


async def test_the_page_tells_the_client_it_is_ready_and_follows_its_theme(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = await add_staff(sessions)
    # A mobile client's proxy, recording what the page posts (as Telegram's own script would post it).
    proxy = "window.TelegramWebviewProxy = {posted: [], postEvent(type, data) { this.posted.push([type, data]); }};"
    dashboard.browser_script(proxy)
    async with dashboard.opened_by(worker) as screen:
        await screen.ready("mine")
        posted = await screen.page.evaluate("window.TelegramWebviewProxy.posted.map(([type]) => type)")
        assert {"web_app_ready", "web_app_expand"} <= set(posted)
        light = await screen.page.evaluate("getComputedStyle(document.body).backgroundColor")
        await screen.page.evaluate(
            "theme => window.Telegram.WebView.receiveEvent('theme_changed', {theme_params: theme})", DARK_THEME
        )
        assert light != "rgb(35, 46, 60)"
        assert await screen.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(35, 46, 60)"
        assert await screen.page.evaluate("document.documentElement.dataset.scheme") == "dark"


async def test_a_member_whose_telegram_is_in_english_gets_the_english_words(
    dashboard: Dashboard, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = await add_staff(sessions)
    async with dashboard.opened_by(worker, init_data=init_data_for(worker, language_code="en")) as screen:
        await screen.ready("mine")
        assert await screen.texts(".tab") == [PAGE_TEXTS[key]["en"] for key in ("dash_tab_mine", "dash_tab_followups")]
        assert PAGE_TEXTS["dash_mine_none"]["en"] in await screen.text("#view")
        assert await screen.page.evaluate("document.documentElement.lang") == "en"
