"""Shared fixtures. Every database test runs on SQLite and, when reachable, on PostgreSQL.

PostgreSQL: `TEST_DATABASE_URL` (CI sets it and then requires the server); otherwise the local server on
127.0.0.1:5432 is used when it answers and skipped when it does not. Each test session works in a schema
of its own, dropped at the end, so parallel runs on one server do not collide.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from bot.offline.fake_api import InProcessBotApi
from models.config import get_settings
from models.db import make_engine, migrate, session_factory, session_scope
from models.reference import ensure_wards, load_sample_areas_if_empty
from tests.builders import SCREENSHOT, postgres_url, reachable

OVER_LIMIT_MARK = "over_limit"  # a test that sends over-limit requests on purpose (the Bot API double's own tests)
REFERENCE_TABLES = {"ward"}


async def _postgres_engine(schema: str) -> AsyncEngine:
    url, required = postgres_url()
    if not reachable(url):
        if required:
            pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL does not answer at {url}")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    admin = make_engine(url)
    async with admin.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return make_engine(url, connect_args={"server_settings": {"search_path": schema}})


async def _drop_postgres_schema(schema: str) -> None:
    admin = make_engine(postgres_url()[0])
    async with admin.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """A migrated database holding the 24 wards."""
    schema = f"intake_test_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.db"
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
    else:
        engine = await _postgres_engine(schema)
    await migrate(engine)
    yield engine
    await engine.dispose()
    if request.param == "postgresql":
        await _drop_postgres_schema(schema)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on a database holding the wards and the 334 sample areas, and nothing else."""
    await _reset(engine)
    factory = session_factory(engine)
    async with session_scope(factory) as session:
        await ensure_wards(session)
        await load_sample_areas_if_empty(session)
    return factory


async def _reset(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session for a test that works directly with the models (committed on success)."""
    async with session_scope(sessions) as session:
        yield session


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite file as DATABASE_URL, for commands run as an operator would (CLI tests), with the sample
    areas the CLI tests count on (LOAD_SAMPLE_AREAS=true; production's default, false: tests/cli/test_deployment.py).
    """
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("LOAD_SAMPLE_AREAS", "true")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def telegram_limits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails the test (at teardown) when the bot sent anything over Telegram's limits to any Bot API double made
    during it: text over 4,096 characters, a caption over 1,024, callback data over 64 bytes, a callback answer
    over 200. Counted at the transport, so a refusal that a handler or the error handler caught still fails."""
    made: list[InProcessBotApi] = []
    original = InProcessBotApi.__init__

    def recording_init(api: InProcessBotApi, *args: object, **kwargs: object) -> None:
        original(api, *args, **kwargs)  # type: ignore[arg-type]
        made.append(api)

    monkeypatch.setattr(InProcessBotApi, "__init__", recording_init)
    yield
    violations = [call for api in made for call in api.limit_violations]
    if violations and request.node.get_closest_marker(OVER_LIMIT_MARK) is None:
        sizes = ", ".join(f"{call.method} ({_sizes(call.parameters)})" for call in violations)
        pytest.fail(f"the bot sent {len(violations)} request(s) over Telegram's limits: {sizes}")


def _sizes(parameters: dict[str, object]) -> str:
    """How big the request's parts were (never their text: it may hold names)."""
    return ", ".join(f"{key} {len(str(parameters[key]))}" for key in ("text", "caption") if key in parameters) or "-"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Lists the screenshots the browser tests saved (their reports carry the paths, also from xdist's workers)."""
    saved = [
        str(value)
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.when == "call"
        for name, value in report.user_properties
        if name == SCREENSHOT
    ]
    if saved:
        terminalreporter.section("dashboard screenshots")
        for path in sorted(saved):
            terminalreporter.write_line(path)
