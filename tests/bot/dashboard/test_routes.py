"""The dashboard's routes (bot/dashboard/routes.py): the page and its files, the security headers on every response
under /app/, no caching of API answers, gzip where asked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.dashboard.routes import STATIC
from models.roles import Role
from tests.builders import add_staff, as_member, dashboard_client

pytestmark = pytest.mark.usefixtures("at_noon")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)


@pytest.fixture
async def client(app: IntakeApplication) -> AsyncIterator[httpx.AsyncClient]:
    async with dashboard_client(app) as client:
        yield client


async def test_every_response_under_app_carries_the_security_headers(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = as_member(await add_staff(sessions, Role.WARD_SUPERVISOR))
    responses = {
        "page": await client.get("/app/"),
        "redirect": await client.get("/app"),
        "static": await client.get("/app/static/index.html"),
        "missing file": await client.get("/app/static/nothing.js"),
        "texts": await client.get("/app/api/texts"),
        "api": await client.get("/app/api/overview", headers=chief),
        "api refusal": await client.get("/app/api/overview"),
        "api bad request": await client.get("/app/api/overview", params={"fy": "x"}, headers=chief),
        "api post": await client.post("/app/api/sheet", json={"ward": "27127"}, headers=chief),
        "unknown api": await client.get("/app/api/nothing", headers=chief),
        "wrong method": await client.post("/app/api/overview", headers=chief),
    }
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "page": 200,
        "redirect": 308,
        "static": 200,
        "missing file": 404,
        "texts": 200,
        "api": 200,
        "api refusal": 401,
        "api bad request": 400,
        "api post": 403,
        "unknown api": 404,
        "wrong method": 405,
    }
    for name, response in responses.items():
        assert response.headers.get("content-security-policy") == CSP, name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "no-referrer", name
        api = name.startswith(("api", "texts", "unknown api", "wrong method"))
        assert (response.headers.get("cache-control") == "no-store") == api, name


async def test_the_page_is_served_and_its_files_compressed_when_asked(client: httpx.AsyncClient) -> None:
    page = await client.get("/app/", headers={"accept-encoding": "identity"})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.content == (STATIC / "index.html").read_bytes()
    assert (await client.get("/app")).headers["location"] == "/app/"
    packed = await client.get("/app/static/index.html", headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == (STATIC / "index.html").read_bytes()  # httpx unpacks it
    plain = await client.get("/app/static/index.html", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers


async def test_nothing_outside_the_static_folder_is_served(client: httpx.AsyncClient) -> None:
    for path in ("/app/static/../routes.py", "/app/static/%2e%2e/routes.py", "/app/static/..%2Finit_data.py"):
        answer = await client.get(path)
        assert answer.status_code == 404 and b"def " not in answer.content, path
