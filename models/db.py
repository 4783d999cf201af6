"""The database: one async engine per process, sessions handed out explicitly, migrations on start."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from models.config import Settings, get_settings

MIGRATIONS = "models:migrations"


IDLE_BEFORE_PING = 10.0  # seconds a pooled server connection may sit unused before its next checkout pings it


def make_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and a busy timeout, its folder created if missing.

    A server's pooled connection is pinged at checkout when it has been idle IDLE_BEFORE_PING seconds or more
    (`_ping_when_idle`), not at every checkout as `pool_pre_ping` does: with asyncpg that ping is three round trips
    (BEGIN, an empty statement, ROLLBACK), paid by every update the bot handles, where a connection that was in use
    a moment ago is as good as certain to be alive.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 15})
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    elif not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
        event.listen(engine.sync_engine.pool, "checkout", _ping_when_idle(engine.sync_engine))
    return engine


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_when_idle(sync_engine: Engine) -> Callable[[Any, ConnectionPoolEntry, PoolProxiedConnection], None]:
    """A checkout listener: ping a connection idle IDLE_BEFORE_PING seconds or more; a dead one makes the pool
    discard it and connect anew (SQLAlchemy's pessimistic disconnect handling, raising DisconnectionError)."""

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_BEFORE_PING:
            return  # just connected, or in use a moment ago
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error

    return checkout


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def bot_engine(settings: Settings) -> AsyncEngine:
    """The long-running bot's engine: PostgreSQL keeps DB_POOL_SIZE connections (+ DB_MAX_OVERFLOW at peaks)."""
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        return make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_recycle=1800,
        )
    return make_engine(settings.database_url)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def commit_without_waiting_for_disk(session: AsyncSession) -> None:
    """On PostgreSQL, the session's transaction will commit without waiting for its WAL to reach the disk
    (`SET LOCAL synchronous_commit = off`): for writes a server crash may lose the last fraction of a second of.
    Nothing to do on SQLite (WAL with synchronous=NORMAL does not sync at each commit)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))


@asynccontextmanager
async def session_scope(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on any error."""
    async with sessions() as session, session.begin():
        yield session


async def read_value(sessions: async_sessionmaker[AsyncSession], sql: str) -> Any:
    """The first column of the first row of a small read without parameters (None: no row), outside any transaction.

    For a read made on every update (the guard's staff version), in the fewest hand-offs the database allows. On a
    SQLite file: a plain `sqlite3` connection of the event loop's thread, kept for the engine, reads it in
    microseconds (WAL: a reader sees the last commit and never waits for a writer), where aiosqlite would hand
    the work to its thread and back, twice with the pool's reset. Elsewhere (PostgreSQL, or when that read
    fails): straight through the driver, in one round trip. The value comes back as the driver gives it (use it
    for numbers and text).
    """
    engine: AsyncEngine = sessions.kw["bind"]
    reader = _loop_reader(engine)
    if reader is not None:
        try:
            rows = reader.execute(sql).fetchall()  # all: the statement ends, no read snapshot stays open
        except sqlite3.Error:  # e.g. busy while the database recovers, or another thread: the driver's way
            pass
        else:
            return rows[0][0] if rows else None
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if engine.dialect.driver == "aiosqlite":
            rows = list(await driver.execute_fetchall(sql))
            return rows[0][0] if rows else None
        if engine.dialect.driver == "asyncpg":
            return await driver.fetchval(sql)
        return await connection.scalar(text(sql))


_LOOP_READERS: WeakKeyDictionary[Engine, sqlite3.Connection | None] = WeakKeyDictionary()
LOOP_READER_TIMEOUT = 0.05  # seconds; a read that would wait longer takes the driver's path


def _loop_reader(engine: AsyncEngine) -> sqlite3.Connection | None:
    """The engine's SQLite file opened for small reads in this thread (None: not a SQLite file); closed with the
    engine's pool (`dispose`)."""
    sync_engine = engine.sync_engine
    if sync_engine not in _LOOP_READERS:
        path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        if not path or path == ":memory:" or path.startswith("file:"):
            _LOOP_READERS[sync_engine] = None
        else:
            uri = f"{Path(path).absolute().as_uri()}?mode=rw"  # never creates the file
            try:
                reader = sqlite3.connect(uri, uri=True, timeout=LOOP_READER_TIMEOUT, isolation_level=None)
            except sqlite3.Error:  # no such file (yet): the driver's path this time
                return None
            _LOOP_READERS[sync_engine] = reader
            event.listen(sync_engine, "engine_disposed", lambda _engine: _close_loop_reader(sync_engine))
    return _LOOP_READERS[sync_engine]


def _close_loop_reader(sync_engine: Engine) -> None:
    reader = _LOOP_READERS.pop(sync_engine, None)
    if reader is not None:
        reader.close()


@asynccontextmanager
async def engine_scope(database_url: str, **kwargs: Any) -> AsyncIterator[AsyncEngine]:
    """An engine for one piece of work (a CLI command, a tool), disposed after it."""
    engine = make_engine(database_url, **kwargs)
    try:
        yield engine
    finally:
        await engine.dispose()


async def prepare_database(settings: Settings) -> list[str]:
    """Migrate to the latest schema and load reference data; returns what was done, for the operator."""
    from models.reference import ensure_wards, load_sample_areas_if_empty  # reference data needs the tables

    async with engine_scope(settings.database_url) as engine:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            done = [f"wards added: {await ensure_wards(session)}"]
            if settings.load_sample_areas:
                added = await load_sample_areas_if_empty(session)
                if added:
                    done.append(f"synthetic sample areas loaded: {added} (import the real master with import-areas)")
    return done


@asynccontextmanager
async def cli_session(settings: Settings | None = None, *, prepare: bool = True) -> AsyncIterator[AsyncSession]:
    """One committed session on a migrated database, for one operator command (settings: the environment's)."""
    settings = settings or get_settings()
    if prepare:
        await prepare_database(settings)
    async with engine_scope(settings.database_url) as engine, session_scope(session_factory(engine)) as session:
        yield session


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    """The Alembic revision this release's schema is at."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's Alembic revision; None when it has no schema yet."""
    async with engine.connect() as connection:
        return await connection.run_sync(revision_on)


def revision_on(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the app calls this on start)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Step the schema back to `revision` (operators undoing a release; tests of the migrations)."""
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    with _foreign_keys_deferred(connection):
        command.upgrade(_config_on(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    with _foreign_keys_deferred(connection):
        command.downgrade(_config_on(connection), revision)


@contextmanager
def _foreign_keys_deferred(connection: Connection) -> Iterator[None]:
    """SQLite alters a table by copying it and dropping the old one; with rows pointing at it, that drop
    fails while foreign keys are enforced. Alembic's batch mode expects them off (checked again after)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # before any write: no transaction has begun yet
    try:
        yield
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _config_on(connection: Connection) -> Config:
    config = alembic_config()
    config.attributes["connection"] = connection
    return config
