"""The tests' shared helpers, imported explicitly (python-telegram-bot's tests/auxil style; conftest files hold
fixtures only): events through the real `record_event` path, staff members and their chats with the bot, the
settings and the PostgreSQL server the suite runs against."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.app import IntakeApplication
from bot.dashboard.init_data import sign_init_data
from bot.dashboard.routes import dashboard_routes
from bot.offline.chat import ChatSession
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO, Settings
from models.db import make_engine, session_factory, session_scope
from models.entries.draft import EventDraft
from models.entries.write import record_event, void_event
from models.roles import Organisation, Role
from models.tables import Area, Event, Staff

FAR_FUTURE = date(2100, 1, 1)  # "today" for fixtures, so no fixture date is refused as future
_keys = itertools.count()
LOCAL_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "123456:TEST-TOKEN"
# The conversation tests' day: a Thursday; November 2025 is open, October locked since 11/8.
NOW = datetime(2025, 11, 27, 12, 0, tzinfo=TOKYO)
_user_ids = itertools.count(5001)
SCREENSHOT = "screenshot"  # the user property of a test's report, one per screenshot saved (listed after the run)


def make_settings(**changes: object) -> Settings:
    """Defaults only: a developer's .env never leaks into tests."""
    return Settings(_env_file=None).model_copy(update=changes)


async def area_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(select(col(Area.id)).where(col(Area.code) == code))
    assert found is not None, code
    return found


async def add_event(
    session: AsyncSession,
    kind: str,
    on: date,
    ward: str = "27102",
    *,
    area: str | None = None,
    household: str | None = None,
    count: int = 1,
    answer: bool | None = None,
    voided: bool = False,
    logged_by: int | None = None,
) -> Event:
    draft = EventDraft(
        kind=kind,
        occurred_on=on,
        ward_code=ward,
        area_id=await area_id(session, area) if area else None,
        household_ref=household,
        count=count,
        answer=answer,
    )
    key = f"test-{next(_keys)}"
    event, _created = await record_event(session, draft, idempotency_key=key, today=on, logged_by_staff_id=logged_by)
    if voided:
        assert event.id is not None
        await void_event(session, event.id, by_staff_id=None, reason="テストの取消", today=on)
    return event


async def add_staff(
    sessions: async_sessionmaker[AsyncSession],
    role: Role = Role.WORKER,
    ward: str | None = "27102",
    organisation: Organisation = Organisation.WATCH_OFFICE,
    name: str = "見守り花子",
) -> Staff:
    async with session_scope(sessions) as session:
        staff = Staff(
            telegram_user_id=next(_user_ids), display_name=name, role=role, organisation=organisation, ward_code=ward
        )
        session.add(staff)
        await session.flush()
    return staff


def chat_as(app: IntakeApplication, api: InProcessBotApi, staff: Staff, language_code: str = "ja") -> ChatSession:
    return ChatSession(app, api, staff.telegram_user_id, first_name=staff.display_name, language_code=language_code)


async def supervisor(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    ward: str | None = "27102",
) -> ChatSession:
    """A supervisor (or admin) in a private chat with the bot."""
    return chat_as(app, api, await add_staff(sessions, role, ward=ward, name="管理 一郎"))


def stranger(app: IntakeApplication, api: InProcessBotApi, **kwargs: object) -> ChatSession:
    return ChatSession(app, api, next(_user_ids), **kwargs)  # type: ignore[arg-type]


def dashboard_client(app: IntakeApplication) -> httpx.AsyncClient:
    """An HTTP client of the dashboard's routes (bot/dashboard/) for this application, in process (no socket)."""
    web = Starlette(routes=dashboard_routes(app))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="https://bot.example.jp")


def init_data_for(
    staff: Staff | int, auth_date: int | None = None, token: str = TOKEN, language_code: str = "ja"
) -> str:
    """The init data Telegram would give the page for a member (or a Telegram user id), signed now by default."""
    user_id = staff if isinstance(staff, int) else staff.telegram_user_id
    user = {"id": user_id, "first_name": "テスト", "language_code": language_code}
    return sign_init_data(token, user, int(time.time()) if auth_date is None else auth_date, query_id="AAHdF6IQ")


def as_member(staff: Staff | int, **kwargs: Any) -> dict[str, str]:
    """The Authorization header of a dashboard request made by `staff`'s page."""
    return {"Authorization": f"tma {init_data_for(staff, **kwargs)}"}


def postgres_url() -> tuple[str, bool]:
    """The PostgreSQL URL to test against, and whether its absence is a failure."""
    configured = os.environ.get("TEST_DATABASE_URL")
    return (configured, True) if configured else (LOCAL_POSTGRES_URL, False)


def postgres_admin(server: str, statement: str) -> None:
    """One statement outside a transaction on the PostgreSQL server (CREATE / DROP DATABASE), from sync code."""

    async def run() -> None:
        admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        async with admin.connect() as connection:
            await connection.execute(sa.text(statement))
        await admin.dispose()

    asyncio.run(run())


def postgres_server() -> str:
    """The test server's URL; skips the test when it does not answer (fails it when TEST_DATABASE_URL is set)."""
    server, required = postgres_url()
    if not reachable(server):
        if required:
            pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL does not answer at {server}")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return server


def reachable(url: str) -> bool:
    parsed = sa.engine.make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


async def run_state_machine_on(
    engine: AsyncEngine,
    machine: Callable[[asyncio.AbstractEventLoop, async_sessionmaker[AsyncSession]], Any],
    steps: int,
) -> None:
    """Run a hypothesis state machine (built from a loop and a session factory) on the test's database, in a thread
    with its own event loop and engine (hypothesis drives it synchronously); PostgreSQL keeps the test's schema."""
    connect_args: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            schema = await connection.scalar(sa.text("SELECT current_schema()"))
        connect_args = {"server_settings": {"search_path": schema}}
    url = engine.url.render_as_string(hide_password=False)
    await asyncio.to_thread(_run_machine, url, connect_args, machine, steps)


def _run_machine(
    url: str,
    connect_args: dict[str, Any],
    machine: Callable[[asyncio.AbstractEventLoop, async_sessionmaker[AsyncSession]], Any],
    steps: int,
) -> None:
    loop = asyncio.new_event_loop()
    engine = make_engine(url, connect_args=connect_args) if connect_args else make_engine(url)
    try:
        sessions = session_factory(engine)
        limits = settings(
            max_examples=steps, stateful_step_count=steps, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        )
        # hypothesis takes any factory of machines; its stub names the class only
        run_state_machine_as_test(lambda: machine(loop, sessions), settings=limits)  # type: ignore[arg-type]
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
