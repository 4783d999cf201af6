"""`read_value`: the small read the guard makes on every update, on both databases and on its fallback path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import db
from models.db import engine_scope, make_engine, migrate, read_value, session_factory, session_scope
from models.staff import STAFF_VERSION_SQL, staff_version
from models.tables import Staff
from tests.builders import postgres_server

VERSION = "SELECT version FROM staff_version WHERE id = 1"


async def add_staff(sessions: async_sessionmaker[AsyncSession], telegram_user_id: int) -> None:
    async with session_scope(sessions) as session:
        session.add(Staff(telegram_user_id=telegram_user_id, display_name="読取", role="worker", organisation="watch"))


async def test_it_reads_what_the_last_commit_left(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await read_value(sessions, VERSION) is None  # no row yet
    await add_staff(sessions, 7_000_001)
    async with sessions() as session:
        version = await staff_version(session)
    assert await read_value(sessions, STAFF_VERSION_SQL) == version == 1
    await add_staff(sessions, 7_000_002)
    assert await read_value(sessions, STAFF_VERSION_SQL) == 2
    assert await read_value(sessions, "SELECT 'text'") == "text"


async def test_a_commit_by_another_engine_is_seen_at_once(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the loop's reader is SQLite's")
    await add_staff(sessions, 7_000_003)
    assert await read_value(sessions, VERSION) == 1
    async with engine_scope(engine.url.render_as_string(hide_password=False)) as other:
        await add_staff(session_factory(other), 7_000_004)
    assert await read_value(sessions, VERSION) == 2


async def test_a_failing_loop_reader_falls_back_to_the_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fallback.db'}")
    await migrate(engine)
    sessions = session_factory(engine)
    await add_staff(sessions, 7_000_005)
    broken = sqlite3.connect(":memory:")
    broken.close()  # any use raises sqlite3.ProgrammingError, as a connection of another thread would
    monkeypatch.setattr(db, "_loop_reader", lambda _engine: broken)
    assert await read_value(sessions, VERSION) == 1
    await engine.dispose()


async def test_memory_databases_are_read_through_the_driver(tmp_path: Path) -> None:
    engine = make_engine("sqlite+aiosqlite://")
    assert db._loop_reader(engine) is None
    async with engine.connect() as connection:
        await connection.execute(sa.text("CREATE TABLE t (v INTEGER)"))
        await connection.execute(sa.text("INSERT INTO t VALUES (42)"))
        await connection.commit()
    # a memory database lives in one connection: the pool's, which the driver's path uses
    assert await read_value(session_factory(engine), "SELECT v FROM t") == 42
    await engine.dispose()


async def test_the_loop_reader_closes_with_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "closing.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    reader = db._loop_reader(engine)
    assert reader is not None
    assert await read_value(session_factory(engine), VERSION) is None
    await engine.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        reader.execute("SELECT 1")
    assert await read_value(session_factory(engine), VERSION) is None  # opened again when used again
    await engine.dispose()


def test_the_loop_reader_never_creates_a_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}")
    assert db._loop_reader(engine) is None
    assert not (tmp_path / "missing.db").exists()


async def test_the_loop_reader_leaves_no_snapshot_that_would_hold_back_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    sessions = session_factory(engine)
    await add_staff(sessions, 7_000_006)
    assert await read_value(sessions, VERSION) == 1
    await add_staff(sessions, 7_000_007)
    other = sqlite3.connect(path)
    try:
        busy, _frames, _done = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        other.close()
    assert busy == 0
    assert await read_value(sessions, VERSION) == 2
    await engine.dispose()


@pytest.mark.pg
async def test_a_server_connection_idle_long_enough_is_pinged_and_a_dead_one_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = postgres_server()
    engine = make_engine(server, pool_size=1, max_overflow=0)
    pid = sa.text("SELECT pg_backend_pid()")
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(pid)
        async with engine.connect() as connection:  # in use a moment ago: no ping, the same connection
            assert await connection.scalar(pid) == first
        async with engine_scope(server) as admin, admin.connect() as connection:
            await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)  # as if it had sat idle: pinged, found dead, replaced
        async with engine.connect() as connection:
            assert await connection.scalar(pid) not in (None, first)
    finally:
        await engine.dispose()
