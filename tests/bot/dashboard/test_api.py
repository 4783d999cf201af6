"""The dashboard's API (docs/dashboard.md) against the real Application, Telegram replaced only at the transport:
the figures equal the totals engine's, each view answers for the member's scope, the sheet really reaches the
member's chat, and every refusal of the matrix is whole (the exact status and `{"error": …}`, nothing else)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.offline.fake_api import InProcessBotApi
from models.approval import Action, MonthKey, transition
from models.catalog import INDICATORS
from models.db import session_scope
from models.entries.unusual import Usual, flag_entry
from models.followups import plan_after_entry
from models.reference import wards_in_order
from models.roles import Role
from models.staff import deactivate_staff
from models.tables import Staff
from models.totals import flag_no_data, indicator_totals
from tests.builders import add_event, add_staff, as_member, dashboard_client

pytestmark = pytest.mark.usefixtures("at_noon")  # 2025-11-27 12:00 JST: fiscal year 2025, November open


@pytest.fixture
async def client(app: IntakeApplication) -> AsyncIterator[httpx.AsyncClient]:
    async with dashboard_client(app) as client:
        yield client


@pytest.fixture
async def events(sessions: async_sessionmaker[AsyncSession]) -> None:
    """都島区 (27102) and 北区 (27127), this year and last: meetings in areas, outreach, survey answers."""
    async with session_scope(sessions) as session:
        await add_event(session, "area_meeting", date(2025, 6, 3), area="27102-01")
        await add_event(session, "area_meeting", date(2025, 10, 3), area="27102-03")
        await add_event(session, "concern_report", date(2025, 5, 10), area="27102-02")
        await add_event(session, "outreach", date(2025, 4, 8), count=3)
        await add_event(session, "outreach", date(2025, 11, 20), count=2)
        await add_event(session, "outreach", date(2025, 9, 1), "27127", count=4)
        await add_event(session, "outreach", date(2024, 11, 1), count=4)
        await add_event(session, "outreach", date(2024, 12, 1), count=6)
        await add_event(session, "agency_survey", date(2025, 7, 1), answer=True)
        await add_event(session, "agency_survey", date(2025, 7, 2), answer=False)
        await add_event(session, "area_meeting", date(2025, 7, 1), "27127", area="27127-01")


async def get(client: httpx.AsyncClient, path: str, staff: Staff | int, **params: str) -> httpx.Response:
    return await client.get(f"/app/api/{path}", params=params, headers=as_member(staff))


async def member(sessions: async_sessionmaker[AsyncSession], role: Role, ward: str | None = "27102") -> Staff:
    return await add_staff(sessions, role, ward=ward, name="管理 一郎" if role != Role.WORKER else "見守り花子")


# --- what each view answers ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("events")
@pytest.mark.parametrize(
    ("role", "ward", "asked", "scope"),
    [
        (Role.CITY_SUPERVISOR, None, {}, None),
        (Role.CITY_SUPERVISOR, None, {"ward": "27127"}, "27127"),
        (Role.WARD_SUPERVISOR, "27102", {}, "27102"),
        (Role.ADMIN, None, {"ward": "city", "fy": "2025", "as_of": "2025-10-31"}, None),
    ],
)
async def test_the_overview_figures_are_the_totals_engines_for_the_scope(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    ward: str | None,
    asked: dict[str, str],
    scope: str | None,
) -> None:
    staff = await member(sessions, role, ward)
    answer = await get(client, "overview", staff, **asked)
    assert answer.status_code == 200
    body = answer.json()
    as_of = date.fromisoformat(asked.get("as_of", "2025-11-27"))
    async with session_scope(sessions) as session:
        now = await indicator_totals(session, 2025, as_of, scope)
        last_year = await flag_no_data(session, await indicator_totals(session, 2024, as_of.replace(year=2024), scope))
    assert (body["fy"], body["as_of"], body["scope"]["code"]) == (2025, as_of.isoformat(), scope or "city")
    assert [row["code"] for row in body["indicators"]] == [i.code for i in INDICATORS]
    assert {row["code"]: row["now"] for row in body["indicators"]} == {
        code: value.as_json() for code, value in now.indicators.items()
    }
    assert {row["code"]: row["last_year"] for row in body["indicators"]} == {
        code: None if last_year.no_data else value.as_json() for code, value in last_year.indicators.items()
    }
    assert last_year.no_data == (scope == "27127")  # 北区 had nothing last year: 「—」, not zeros
    outreach = next(row for row in body["indicators"] if row["code"] == "1-5")
    if not last_year.no_data:
        assert outreach["change_last_year"] == now.indicators["1-5"].value - last_year.indicators["1-5"].value
    assert set(body["approval"]["states"]) == ({scope} if scope else {w for w in body["approval"]["states"]})
    assert len(body["approval"]["states"]) == (1 if scope else 24)


@pytest.mark.usefixtures("events")
async def test_the_ward_supervisors_overview_in_detail(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await member(sessions, Role.WARD_SUPERVISOR)
    await add_staff(sessions)  # a worker of 都島区 expected to report
    body = (await get(client, "overview", chief)).json()
    rows = {row["code"]: row for row in body["indicators"]}
    assert body["scope"] == {"code": "27102", "name": "都島区"}
    assert (body["as_of_label"], body["final"], body["no_data"]) == ("令和7年11月27日時点", False, False)
    assert rows["1-5"]["notation"] == "5件" and rows["1-5"]["last_year_notation"] == "4件"
    assert (rows["1-5"]["change"], rows["1-5"]["change_last_year"]) == (2, 1)  # since October's end; a year ago
    assert rows["2-Q"]["share"] is True and rows["2-Q"]["now"]["percent"] == 50.0
    assert rows["2-Q"]["change_last_year"] is None  # no answers last year: no change in points
    assert body["completeness"] == {"month": "2025-11", "expected": 1, "reported": 0, "on_time": 0}
    assert body["approval"] == {"month": "2025-10", "states": {"27102": "open"}}
    assert body["flagged_waiting"] == 0


@pytest.mark.usefixtures("events")
async def test_the_city_wards_table_in_the_citys_order(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city, chief = await member(sessions, Role.CITY_SUPERVISOR, None), await member(sessions, Role.WARD_SUPERVISOR)
    async with session_scope(sessions) as session:
        order = [ward.code for ward in await wards_in_order(session)]
        now = await indicator_totals(session, 2025, date(2025, 11, 27), None)
        await transition(session, Action.CONFIRM, MonthKey("27102", 2025, 10), by=chief, today=date(2025, 11, 27))
    body = (await get(client, "wards", city)).json()
    assert [ward["code"] for ward in body["wards"]] == order and len(order) == 24
    assert [i["code"] for i in body["indicators"]] == [i.code for i in INDICATORS]
    miyakojima = body["wards"][order.index("27102")]
    assert miyakojima["name"] == "都島区" and miyakojima["approval"] == "confirmed"
    for ward in body["wards"]:
        assert {code: cell["now"] for code, cell in ward["cells"].items()} == {
            code: value.as_json() for code, value in now.by_ward[ward["code"]].items()
        }
    outreach = miyakojima["cells"]["1-5"]
    assert (outreach["last_year"]["value"], outreach["ratio"], outreach["points"]) == (4, 1.25, None)
    assert miyakojima["cells"]["2-Q"]["ratio"] is None  # a share compares in points, and last year had no answers


@pytest.mark.usefixtures("events")
async def test_the_chart_series(client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]) -> None:
    chief = await member(sessions, Role.WARD_SUPERVISOR)
    body = (await get(client, "chart", chief, indicator="1-5")).json()
    assert body["indicator"] == {"code": "1-5", "label": INDICATORS[4].label, "unit": "件", "share": False}
    assert body["months"] == [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
    assert body["this_year"] == [3, 3, 3, 3, 3, 3, 3, 5, None, None, None, None]  # cumulative, up to November
    assert body["last_year"] == [0, 0, 0, 0, 0, 0, 0, 4, 10, 10, 10, 10]
    assert (body["last_year_same_day"], body["partial_month"]) == (4, "2025-11")
    share = (await get(client, "chart", chief, indicator="2-Q", as_of="2025-10-31")).json()
    assert share["this_year"][3:7] == [50.0, 50.0, 50.0, 50.0] and share["this_year"][7] is None
    assert share["partial_month"] is None and share["last_year"] == [None] * 12  # no data last year


@pytest.mark.usefixtures("events")
async def test_the_coverage_lists(client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]) -> None:
    chief = await member(sessions, Role.WARD_SUPERVISOR)
    body = (await get(client, "coverage", chief)).json()
    assert body["indicators"] == ["1-1", "1-2"]
    assert body["wards"] == [{"code": "27102", "name": "都島区", "areas": 13, "counted": {"1-1": 2, "1-2": 1}}]
    assert [area["code"] for area in body["areas"]] == [f"27102-{n:02d}" for n in range(1, 14)]
    assert body["areas"][0] == {
        "code": "27102-01",
        "name": "都島区第1地域",
        "ward": "27102",
        "counted": {"1-1": "2025-06", "1-2": None},
    }
    assert body["areas"][1]["counted"] == {"1-1": None, "1-2": "2025-05"}
    city = (await get(client, "coverage", await member(sessions, Role.CITY_SUPERVISOR, None))).json()
    assert len(city["wards"]) == 24 and sum(ward["counted"]["1-1"] for ward in city["wards"]) == 3


async def test_the_review_list(client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]) -> None:
    worker, chief = await add_staff(sessions), await member(sessions, Role.WARD_SUPERVISOR)
    async with session_scope(sessions) as session:
        for ward in ("27102", "27127"):
            event = await add_event(session, "outreach", date(2025, 11, 3), ward, count=90, logged_by=worker.id)
            await flag_entry(session, event, Usual(1, 3, 10, 12))
        await transition(session, Action.CONFIRM, MonthKey("27102", 2025, 10), by=chief, today=date(2025, 11, 27))
    body = (await get(client, "review", chief)).json()
    assert body["month"] == "2025-10"
    assert body["wards"] == [{"code": "27102", "name": "都島区", "state": "confirmed"}]
    assert body["flagged_total"] == 1
    [flagged] = body["flagged"]
    assert {key: flagged[key] for key in ("ward", "kind", "day", "count", "usual", "logged_by")} == {
        "ward": "27102",
        "kind": "outreach",
        "day": "2025-11-03",
        "count": 90,
        "usual": {"low": 1, "high": 3},
        "logged_by": "見守り花子",
    }
    city = (await get(client, "review", await member(sessions, Role.CITY_SUPERVISOR, None), month="2025-09")).json()
    assert city["month"] == "2025-09" and len(city["wards"]) == 24 and city["flagged_total"] == 2
    assert {ward["state"] for ward in city["wards"]} == {"open"}


async def test_me_says_who_asks_and_what_they_may_choose(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = (await get(client, "me", await member(sessions, Role.WARD_SUPERVISOR))).json()
    assert chief == {
        "role": "ward_supervisor",
        "name": "管理 一郎",
        "lang": "ja",
        "supervisor": True,
        "city": False,
        "ward": {"code": "27102", "name": "都島区"},
        "wards": [{"code": "27102", "name": "都島区"}],
        "fiscal_years": [2024, 2025],
        "default": {"fy": 2025, "as_of": "2025-11-27"},
        "today": "2025-11-27",
    }
    city = (await get(client, "me", await member(sessions, Role.CITY_SUPERVISOR, None))).json()
    assert (city["city"], city["ward"], len(city["wards"])) == (True, None, 24)
    worker = (await get(client, "me", await add_staff(sessions))).json()
    assert (worker["supervisor"], worker["wards"]) == (False, [])


async def test_mine_shows_only_the_members_own_entries_and_plans(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    hanako, other = await add_staff(sessions), await add_staff(sessions, name="見守り次郎")
    today = date(2025, 11, 27)
    async with session_scope(sessions) as session:
        own = await add_event(session, "outreach", date(2025, 11, 4), household="H-AAAA", logged_by=hanako.id)
        await add_event(session, "outreach", date(2025, 11, 5), count=2, logged_by=hanako.id, voided=True)
        await add_event(session, "outreach", date(2025, 10, 30), household="H-OLD", logged_by=hanako.id)
        theirs = await add_event(session, "outreach", date(2025, 11, 6), household="H-ZZZZ", logged_by=other.id)
        assert own.id and theirs.id and hanako.id and other.id
        await plan_after_entry(session, own.id, hanako.id, date(2025, 11, 20), today)
        await plan_after_entry(session, theirs.id, other.id, date(2025, 11, 28), today)
    body = (await get(client, "mine", hanako)).json()
    assert body["month"] == "2025-11"
    assert [(e["day"], e["household"], e["count"], e["voided"]) for e in body["entries"]] == [
        ("2025-11-05", None, 2, True),
        ("2025-11-04", "H-AAAA", 1, False),
    ]
    assert [(f["household"], f["due_on"], f["overdue"], f["quiet"]) for f in body["followups"]] == [
        ("H-AAAA", "2025-11-20", True, None)
    ]
    assert "H-ZZZZ" not in json.dumps(body)
    supervisors_view = (await get(client, "overview", await member(sessions, Role.CITY_SUPERVISOR, None))).text
    assert "H-AAAA" not in supervisors_view and "H-ZZZZ" not in supervisors_view


async def test_the_sheet_is_built_and_sent_to_the_members_chat(
    client: httpx.AsyncClient, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await member(sessions, Role.WARD_SUPERVISOR)
    answer = await client.post(
        "/app/api/sheet", json={"fy": 2025, "as_of": "2025-10-31", "ward": "27102"}, headers=as_member(chief)
    )
    assert answer.status_code == 200
    [sent] = api.calls_to("sendDocument")
    assert sent.chat_id == chief.telegram_user_id
    [(file_name, content)] = sent.files.values()
    assert answer.json() == {"sent": True, "file_name": file_name}
    assert file_name.endswith(".xlsx") and content[:2] == b"PK"  # a zip: the workbook
    assert sent.parameters["caption"].startswith("推進状況確認シート　令和7年10月末時点　都島区")
    api.inject("sendDocument", 403, "Forbidden: bot was blocked by the user")
    blocked = await client.post("/app/api/sheet", json={"as_of": "2025-10-31"}, headers=as_member(chief))
    assert await refused(blocked) == (502, "not_sent")


async def test_texts_give_the_pages_words_in_either_language(client: httpx.AsyncClient) -> None:
    ja = (await client.get("/app/api/texts", params={"lang": "ja"})).json()
    en = (await client.get("/app/api/texts", params={"lang": "en"})).json()
    assert ja["lang"] == "ja" and ja["texts"]["dash_title"] == "ダッシュボード"
    assert en["lang"] == "en" and en["texts"]["dash_title"] == "Dashboard"
    assert set(ja["texts"]) == set(en["texts"]) and all(key.startswith("dash_") for key in ja["texts"])


# --- the refusal matrix --------------------------------------------------------------------------------------------


async def refused(answer: httpx.Response) -> tuple[int, str]:
    assert answer.json() == {"error": answer.json().get("error")}, answer.text  # the refusal and nothing else
    assert answer.headers["cache-control"] == "no-store"
    return answer.status_code, answer.json()["error"]


async def test_identity_refusals(
    client: httpx.AsyncClient, app: IntakeApplication, sessions: async_sessionmaker[AsyncSession]
) -> None:
    city = await member(sessions, Role.CITY_SUPERVISOR, None)
    now = int(time.time())
    header = as_member(city)["Authorization"]
    tampered = header.replace("%22id%22%3A", "%22id%22%3A1")  # another user id under the same hash
    assert tampered != header
    cases = {
        "no init data": ({}, (401, "unauthorized")),
        "another scheme": ({"Authorization": header.replace("tma ", "Bearer ")}, (401, "unauthorized")),
        "tampered field": ({"Authorization": tampered}, (401, "unauthorized")),
        "tampered hash": ({"Authorization": header[:-1] + ("0" if header[-1] != "0" else "1")}, (401, "unauthorized")),
        "another bot": (as_member(city, token="42:OTHER"), (401, "unauthorized")),
        "old": (as_member(city, auth_date=now - 3601), (401, "expired")),
        "future": (as_member(city, auth_date=now + 120), (401, "expired")),
        "stranger": (as_member(987_654_321), (403, "not_member")),
    }
    for name, (headers, expected) in cases.items():
        for path in ("me", "overview", "mine"):
            assert await refused(await client.get(f"/app/api/{path}", headers=headers)) == expected, (name, path)
    async with session_scope(sessions) as session:
        assert city.id is not None
        await deactivate_staff(session, city.id, by_staff_id=None)
    assert await refused(await get(client, "overview", city)) == (403, "not_member")


@pytest.mark.parametrize(
    ("role", "path", "params", "expected"),
    [
        *((Role.WORKER, path, {}, (403, "forbidden")) for path in ("overview", "wards", "chart", "coverage", "review")),
        (Role.WARD_SUPERVISOR, "wards", {}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, "overview", {"ward": "27127"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, "overview", {"ward": "city"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, "chart", {"ward": "27127", "indicator": "1-5"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, "coverage", {"ward": "27127"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, "review", {"ward": "city"}, (403, "forbidden")),
        (Role.CITY_SUPERVISOR, "overview", {"fy": "abc"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "overview", {"fy": "2019"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "overview", {"fy": "2026"}, (400, "bad_request")),  # a year still to come
        (Role.CITY_SUPERVISOR, "overview", {"as_of": "2025-13-01"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "overview", {"as_of": "20251031"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "overview", {"as_of": "2025-12-01"}, (400, "bad_request")),  # the future
        (Role.CITY_SUPERVISOR, "overview", {"fy": "2024", "as_of": "2025-10-31"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "overview", {"ward": "99999"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "chart", {"indicator": "9-9"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "chart", {}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "review", {"month": "2025-1"}, (400, "bad_request")),
        (Role.CITY_SUPERVISOR, "review", {"month": "2026-01"}, (400, "bad_request")),
    ],
)
async def test_scope_and_parameter_refusals(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    path: str,
    params: dict[str, str],
    expected: tuple[int, str],
) -> None:
    staff = await member(sessions, role, None if role == Role.CITY_SUPERVISOR else "27102")
    assert await refused(await get(client, path, staff, **params)) == expected


async def test_a_parameter_given_twice_is_refused(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await member(sessions, Role.WARD_SUPERVISOR)
    answer = await client.get("/app/api/overview?ward=27102&ward=27127", headers=as_member(chief))
    assert await refused(answer) == (400, "bad_request")


@pytest.mark.parametrize(
    ("role", "body", "expected"),
    [
        (Role.WORKER, {"fy": 2025}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, {"fy": 2025, "as_of": "2025-10-31", "ward": "27127"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, {"ward": "city"}, (403, "forbidden")),
        (Role.WARD_SUPERVISOR, {"fy": "twenty"}, (400, "bad_request")),
        (Role.WARD_SUPERVISOR, {"fy": True}, (400, "bad_request")),
        (Role.WARD_SUPERVISOR, ["not", "an", "object"], (400, "bad_request")),
    ],
)
async def test_the_sheet_is_refused_out_of_scope_and_nothing_is_sent(
    client: httpx.AsyncClient,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    body: object,
    expected: tuple[int, str],
) -> None:
    staff = await member(sessions, role)
    answer = await client.post("/app/api/sheet", json=body, headers=as_member(staff))
    assert await refused(answer) == expected
    not_json = await client.post("/app/api/sheet", content=b"{", headers=as_member(staff))
    assert await refused(not_json) == ((403, "forbidden") if role == Role.WORKER else (400, "bad_request"))
    assert api.calls_to("sendDocument") == []
