"""The supervisors' figures off the bot's event loop (bot.dashboard.answers): computed in a process of their own, told
the bot's day, kept WEBAPP_CACHE_SECONDS, and a kept answer given only to someone who may ask for it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.context import FIGURES_POOL, Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.render_pool import RenderPool
from models.db import session_scope
from models.roles import Role
from models.staff import deactivate_staff
from tests.builders import TOKEN, add_event, add_staff, as_member, dashboard_client, make_settings

pytestmark = pytest.mark.usefixtures("at_noon")  # 2025-11-27 12:00 JST; the figures process keeps its own clock

Serving = Callable[[int], AbstractAsyncContextManager[tuple[IntakeApplication, httpx.AsyncClient]]]


@pytest.fixture
def serving(sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi) -> Serving:
    """The bot with answers kept `seconds`, and a client of its dashboard."""

    @asynccontextmanager
    async def serve(seconds: int) -> AsyncIterator[tuple[IntakeApplication, httpx.AsyncClient]]:
        settings = make_settings(webapp_cache_seconds=seconds)
        app = build_application(Runtime(settings, sessions), TOKEN, request=api, rate_limited=False)
        async with app, dashboard_client(app) as client:
            yield app, client

    return serve


async def outreach_this_year(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> int:
    answer = await client.get("/app/api/overview", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["fy"], body["as_of"]) == (2025, "2025-11-27")  # the bot's day, not the figures process's clock
    [outreach] = [row for row in body["indicators"] if row["code"] == "1-5"]  # ⑤アウトリーチ件数
    value: int = outreach["now"]["value"]
    return value


async def log_outreach(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    async with session_scope(sessions) as session:
        await add_event(session, "outreach", date(2025, 11, 20), count=count)


async def test_figures_are_computed_in_a_process_of_their_own_and_kept(
    serving: Serving, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 一郎")
    await log_outreach(sessions, 3)
    async with serving(3600) as (app, client):
        assert await outreach_this_year(client, as_member(chief)) == 3
        pool: RenderPool = app.bot_data[FIGURES_POOL]
        assert [process.pid for process in pool.processes()] != [] and os.getpid() not in {
            process.pid for process in pool.processes()
        }
        await log_outreach(sessions, 5)
        assert await outreach_this_year(client, as_member(chief)) == 3  # kept: at most WEBAPP_CACHE_SECONDS old
        assert await outreach_this_year(client, as_member(chief), fy="2025") == 8  # another question: computed


async def test_without_keeping_every_request_computes(
    serving: Serving, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 一郎")
    async with serving(0) as (_app, client):
        assert await outreach_this_year(client, as_member(chief)) == 0
        await log_outreach(sessions, 5)
        assert await outreach_this_year(client, as_member(chief)) == 5


async def test_a_kept_answer_reaches_only_those_who_may_ask(
    serving: Serving, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 一郎")
    deputy = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 二郎")
    other_ward = await add_staff(sessions, Role.WARD_SUPERVISOR, ward="27102", name="都島 主任")
    worker = await add_staff(sessions, Role.WORKER, ward="27127", name="北 花子")
    asked = {"ward": "27127"}
    async with serving(3600) as (_app, client):
        kept = await client.get("/app/api/overview", params=asked, headers=as_member(chief))
        assert kept.status_code == 200
        same = await client.get("/app/api/overview", params=asked, headers=as_member(deputy))
        assert same.content == kept.content  # the same question from the same scope: the kept answer
        for who, status, error in ((other_ward, 403, "forbidden"), (worker, 403, "forbidden")):
            refused = await client.get("/app/api/overview", params=asked, headers=as_member(who))
            assert (refused.status_code, refused.json()) == (status, {"error": error})
        async with session_scope(sessions) as session:
            await deactivate_staff(session, chief.id or 0, by_staff_id=None)
        gone = await client.get("/app/api/overview", params=asked, headers=as_member(chief))
        assert (gone.status_code, gone.json()) == (403, {"error": "not_member"})
        tampered = as_member(deputy)["Authorization"].replace("first_name", "first_nam3")
        forged = await client.get("/app/api/overview", params=asked, headers={"Authorization": tampered})
        assert (forged.status_code, forged.json()) == (401, {"error": "unauthorized"})


async def test_an_answer_is_gzipped_in_the_figures_process_when_asked(
    serving: Serving, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = await add_staff(sessions, Role.CITY_SUPERVISOR, ward=None, name="管理 一郎")
    async with serving(3600) as (_app, client):
        zipped = await client.get("/app/api/wards", headers=as_member(chief) | {"Accept-Encoding": "gzip"})
        plain = await client.get("/app/api/wards", headers=as_member(chief) | {"Accept-Encoding": "identity"})
    assert (zipped.headers["content-encoding"], zipped.headers["vary"]) == ("gzip", "Accept-Encoding")
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json() and len(plain.json()["wards"]) == 24
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3  # the 24 × 13 table compresses well
