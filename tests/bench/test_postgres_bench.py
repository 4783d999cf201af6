"""`python -m bench --db postgresql` works end to end on a tiny dataset, and a loaded dataset is not loaded again.

On the test server, under a base database of the test's own (BENCH_DATABASE_URL), every database it made dropped
after; the SQLite cache in a temporary folder (no timings are asserted)."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import dataset, postgres
from bench.__main__ import main
from bench.store import POSTGRESQL
from bot.offline.synthetic import GENERATOR_VERSION
from models.db import engine_scope
from tests.builders import postgres_admin, postgres_server, postgres_url

EVENTS = 2_000


@pytest.fixture
def bench_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """BENCH_DATABASE_URL of a base database of the test's own; the SQLite datasets cached under tmp_path."""
    server = postgres_server()
    base = f"bench_test_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("BENCH_DATABASE_URL", make_url(server).set(database=base).render_as_string(False))
    monkeypatch.setattr(dataset, "CACHE_DIR", tmp_path / "data" / "bench")
    yield base
    for name in asyncio.run(_databases(server, base)):
        postgres_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _databases(server: str, prefix: str) -> list[str]:
    connection = await asyncpg.connect(postgres._dsn(server))
    try:
        rows = await connection.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{prefix}%")
        return [str(row["datname"]) for row in rows]
    finally:
        await connection.close()


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in _TABLES}
    finally:
        connection.close()


_TABLES = ("ward", "area", "staff", "event", "rollup_month", "rollup_first_day")


async def _postgres_counts(url: str) -> dict[str, int]:
    async with engine_scope(url) as engine, engine.connect() as connection:
        return {table: int(await connection.scalar(sa.text(f"SELECT COUNT(*) FROM {table}")) or 0) for table in _TABLES}


async def _loaded_at(url: str) -> object:
    async with engine_scope(url) as engine, engine.connect() as connection:
        return await connection.scalar(sa.text(f"SELECT loaded_at FROM {postgres.FINGERPRINT_TABLE}"))


@pytest.mark.pg
async def test_a_dataset_is_loaded_once_and_reloaded_when_its_shape_changes(
    bench_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await postgres.cached_postgres_dataset(EVENTS, 7)
    assert make_url(url).database == f"{bench_server}__events_{EVENTS}_7_g{GENERATOR_VERSION}"
    assert "loaded" in capsys.readouterr().out
    assert await _postgres_counts(url) == _sqlite_counts(dataset.cache_path(EVENTS, 7))
    first = await _loaded_at(url)

    assert await postgres.cached_postgres_dataset(EVENTS, 7) == url  # the fingerprint matches: nothing loaded
    assert "reusing PostgreSQL database" in capsys.readouterr().out
    assert await _loaded_at(url) == first

    monkeypatch.setattr(postgres, "LOADER_VERSION", postgres.LOADER_VERSION + 1)  # another shape: loaded again
    assert await postgres.cached_postgres_dataset(EVENTS, 7) == url
    assert "loaded" in capsys.readouterr().out
    assert await _loaded_at(url) != first


@pytest.mark.pg
async def test_a_copy_is_written_to_and_dropped_and_the_dataset_stays_as_loaded(bench_server: str) -> None:
    source = await POSTGRESQL.dataset(EVENTS, 7)
    async with POSTGRESQL.copy(EVENTS, 7) as copy:
        assert copy != source
        assert (await _postgres_counts(copy)) == await _postgres_counts(source)
        async with engine_scope(copy) as engine, engine.begin() as connection:
            await connection.execute(sa.text("DELETE FROM rollup_month"))
        assert (await _postgres_counts(copy))["rollup_month"] == 0
    assert (await _postgres_counts(source))["rollup_month"] > 0
    assert make_url(copy).database not in await _databases(postgres_url()[0], bench_server)


@pytest.mark.pg
def test_python_m_bench_runs_the_totals_on_postgresql(bench_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", "postgresql", "--only", "totals", "--events", str(EVENTS)]) == 0  # the three ways agree
    out = capsys.readouterr().out
    assert "totals: PostgreSQL" in out
    assert "(d) = (b) = (c)" in out
    assert out.count("loaded") >= 3  # 2,000 events, a tenth and three times
    assert main(["--db", "postgresql", "--only", "totals", "--events", str(EVENTS)]) == 0
    again = capsys.readouterr().out
    assert again.count("reusing PostgreSQL database") == 3
    assert "loaded" not in again


def test_benchmarks_that_run_on_sqlite_only_refuse_postgresql_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", "postgresql", "--only", "reminders"])
    assert exit_.value.code == 2
    assert "--only reminders runs on SQLite only" in capsys.readouterr().err


def test_an_unreachable_server_ends_the_run_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/bench")
    with pytest.raises(SystemExit) as exit_:
        main(["--db", "postgresql", "--only", "totals", "--events", "10"])
    assert str(exit_.value.code).startswith("error: PostgreSQL at 127.0.0.1:1 for the benchmarks: ")
    assert "\n" not in str(exit_.value.code)
