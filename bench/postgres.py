"""The benchmarks' datasets on PostgreSQL: each cached SQLite dataset loaded once into a database of its own.

`python -m bench --db postgresql` runs on the server at `BENCH_DATABASE_URL` (default: the local server's `bench`
database, created when missing). A dataset lives in a database named after the base one and the dataset's cache
file (`bench__events_1000000_7_g3`): built from the cached SQLite file (`bench.dataset.cached_sqlite_dataset`) by
migrating an empty database to the code's head, then one COPY per table (asyncpg's `copy_records_to_table`, foreign
key triggers off while loading: the source's keys are already checked), the sequences moved past the loaded ids,
and `VACUUM ANALYZE` (statistics for the planner, and the visibility map without which an index-only scan still
visits the heap). A table `bench_fingerprint` records what was loaded (the dataset's shape, the generator's version,
the schema's revision and this loader's): the next run finds it and loads nothing. A dataset is only read from; a
benchmark that writes works on a copy (`CREATE DATABASE … TEMPLATE`, a file copy on the server), dropped after.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from bench.dataset import WORKERS_PER_WARD, cache_path, cached_sqlite_dataset, total_events
from bot.offline.synthetic import GENERATOR_VERSION
from models import tables  # noqa: F401  # the metadata's tables
from models.db import engine_scope, head_revision, migrate
from models.tables import UTCDateTime

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
LOADER_VERSION = 2  # bump when the loading changes what a loaded database holds
FINGERPRINT_TABLE = "bench_fingerprint"
CHUNK = 20_000  # rows read from SQLite at a time while a COPY streams them


def base_url() -> URL:
    url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    if url.get_backend_name() != "postgresql" or url.get_driver_name() != "asyncpg":
        raise SystemExit(f"BENCH_DATABASE_URL must be a postgresql+asyncpg:// URL, not {url.drivername}://")
    return url


def url_of(database: str, base: URL | None = None) -> str:
    return (base or base_url()).set(database=database).render_as_string(hide_password=False)


def dataset_database(
    events: int, seed: int, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD, base: URL | None = None
) -> str:
    """`{base}__events_1000000_7_g3` (with `_h7`, `_w18` as the cache file has them)."""
    stem = cache_path(events, seed, history_years, workers_per_ward).stem
    return f"{(base or base_url()).database}__{re.sub(r'[^a-z0-9]+', '_', stem.lower())}"


def fingerprint(events: int, seed: int, history_years: int, workers_per_ward: int) -> str:
    shape = {
        "events": events,
        "seed": seed,
        "history_years": history_years,
        "workers_per_ward": workers_per_ward,
        "generator": GENERATOR_VERSION,
        "schema": head_revision(),
        "loader": LOADER_VERSION,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


# --- the server -----------------------------------------------------------------------------------------------


async def _admin(statement: str, base: URL | None = None) -> None:
    """One statement outside a transaction, on the server's maintenance database."""
    connection = await asyncpg.connect(_dsn(url_of("postgres", base)))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def database_exists(name: str, base: URL | None = None) -> bool:
    connection = await asyncpg.connect(_dsn(url_of("postgres", base)))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


async def ensure_base(base: URL | None = None) -> None:
    """The base database of BENCH_DATABASE_URL, created when missing (the datasets are databases beside it).

    An unreachable server ends the run in one line (SystemExit), not a traceback."""
    base = base or base_url()
    assert base.database is not None
    try:
        if not await database_exists(base.database, base):
            await _admin(f'CREATE DATABASE "{base.database}"', base)
    except (OSError, asyncpg.PostgresError) as error:
        raise SystemExit(f"error: PostgreSQL at {base.host}:{base.port or 5432} for the benchmarks: {error}") from None


async def drop_database(name: str, base: URL | None = None) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}"', base)


@asynccontextmanager
async def database_copy(source: str, name: str, base: URL | None = None) -> AsyncIterator[str]:
    """A copy of the database `source` (a template copy: files, not rows), its URL; dropped after."""
    await drop_database(name, base)  # left over by an interrupted run
    started = time.perf_counter()
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"', base)
    print(f"dataset: copied {source} to {name} in {time.perf_counter() - started:.1f} s")
    try:
        yield url_of(name, base)
    finally:
        await drop_database(name, base)


@asynccontextmanager
async def empty_database(name: str, base: URL | None = None) -> AsyncIterator[str]:
    """A new empty database, its URL; dropped after."""
    await drop_database(name, base)
    await _admin(f'CREATE DATABASE "{name}"', base)
    try:
        yield url_of(name, base)
    finally:
        await drop_database(name, base)


# --- loading a dataset ----------------------------------------------------------------------------------------


async def cached_postgres_dataset(
    events: int,
    seed: int,
    history_years: int = 0,
    workers_per_ward: int = WORKERS_PER_WARD,
    base: URL | None = None,
) -> str:
    """The URL of the dataset's database, loaded from the cached SQLite file when missing or of another shape."""
    base = base or base_url()
    await ensure_base(base)
    name = dataset_database(events, seed, history_years, workers_per_ward, base)
    url = url_of(name, base)
    wanted = fingerprint(events, seed, history_years, workers_per_ward)
    if await _loaded_fingerprint(name, base) == wanted:
        print(f"dataset: reusing PostgreSQL database {name}")
        return url
    source = await cached_sqlite_dataset(events, seed, history_years, workers_per_ward)
    started = time.perf_counter()
    await drop_database(name, base)
    await _admin(f'CREATE DATABASE "{name}"', base)
    rows = await load_from_sqlite(source, url)
    expected = total_events(events, history_years)
    if rows.get("event") != expected:
        raise RuntimeError(f"{name}: loaded {rows.get('event')} events, expected {expected}")
    seconds = time.perf_counter() - started
    await _record_fingerprint(url, wanted, seconds)
    print(f"dataset: loaded {sum(rows.values()):,} rows into PostgreSQL database {name} in {seconds:.1f} s")
    return url


async def _loaded_fingerprint(name: str, base: URL) -> str | None:
    if not await database_exists(name, base):
        return None
    connection = await asyncpg.connect(_dsn(url_of(name, base)))
    try:
        if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", FINGERPRINT_TABLE):
            return None
        value = await connection.fetchval(f"SELECT fingerprint FROM {FINGERPRINT_TABLE}")
        return None if value is None else str(value)
    finally:
        await connection.close()


async def _record_fingerprint(url: str, value: str, seconds: float) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(
            f"CREATE TABLE {FINGERPRINT_TABLE} (fingerprint text NOT NULL, loaded_at timestamptz NOT NULL, "
            "load_seconds double precision NOT NULL)"
        )
        await connection.execute(
            f"INSERT INTO {FINGERPRINT_TABLE} VALUES ($1, $2, $3)", value, datetime.now(UTC), seconds
        )
    finally:
        await connection.close()


async def load_from_sqlite(sqlite_url: str, url: str) -> dict[str, int]:
    """Migrate the empty database at `url` to head, COPY every table of the SQLite file at `sqlite_url` into it,
    move the sequences past the loaded ids, VACUUM ANALYZE. Returns the rows loaded per table."""
    async with engine_scope(url) as engine:
        await migrate(engine)
    path = make_url(sqlite_url).database
    assert path is not None
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = await asyncpg.connect(_dsn(url))
    loaded: dict[str, int] = {}
    try:
        started = time.perf_counter()
        async with target.transaction():
            await target.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while loading
            await target.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Indexes built once after the rows are in (a sort each) rather than kept up row by row: 3× faster.
            indexes = await target.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
            for index in indexes:
                await target.execute(f'DROP INDEX "{index["indexname"]}"')
            for table in SQLModel.metadata.sorted_tables:
                columns = [column.name for column in table.columns]
                converters = [_converter(column.type) for column in table.columns]
                counted = [0]
                await target.copy_records_to_table(
                    table.name, records=_rows(source, table.name, columns, converters, counted), columns=columns
                )
                loaded[table.name] = counted[0]
                if "id" in table.columns and isinstance(table.columns["id"].type, sa.Integer):
                    await target.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                        f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
                    )
            for index in indexes:
                await target.execute(index["indexdef"])
        print(f"dataset: copied {sum(loaded.values()):,} rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        await target.execute("VACUUM (ANALYZE)")
        print(f"dataset: VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    finally:
        await target.close()
        source.close()
    return loaded


def _rows(
    source: sqlite3.Connection,
    table: str,
    columns: list[str],
    converters: list[Callable[[Any], Any] | None],
    counted: list[int],
) -> Iterator[tuple[Any, ...]]:
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")  # the metadata's names
    converting = [(n, f) for n, f in enumerate(converters) if f is not None]
    while batch := cursor.fetchmany(CHUNK):
        for row in batch:
            values = list(row)
            for n, convert in converting:
                if values[n] is not None:
                    values[n] = convert(values[n])
            yield tuple(values)
        counted[0] += len(batch)


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _converter(column_type: sa.types.TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """SQLite's stored value → what asyncpg's binary COPY takes for the column's PostgreSQL type."""
    if isinstance(column_type, UTCDateTime | sa.DateTime):
        return _utc
    if isinstance(column_type, sa.Date):
        return date.fromisoformat
    if isinstance(column_type, sa.Boolean):
        return bool
    if isinstance(column_type, sa.JSON):
        return lambda value: value if isinstance(value, str) else json.dumps(value)
    return None


async def server_settings(url: str) -> dict[str, str]:
    """The settings that shape a benchmark's figures, printed with them."""
    engine = create_async_engine(url, poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text(
                    "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', "
                    "'work_mem', 'jit', 'max_parallel_workers_per_gather', 'random_page_cost', 'synchronous_commit', "
                    "'effective_cache_size')"
                )
            )
            return {name: setting for name, setting in rows.all()}
    finally:
        await engine.dispose()
