"""What the benchmarks that drive the real bot share: a copy of a cached dataset, the bot's settings, its start."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.offline.fake_api import AnyApplication
from models.config import Settings

TOKEN = "123456:BENCH-TOKEN"


def bench_settings() -> Settings:
    return Settings(_env_file=None)  # defaults only: a developer's .env never leaks in


def copy_sqlite(source_url: str, target: Path) -> None:
    """A consistent copy (WAL included) through SQLite's backup API; the cached file is only read from."""
    source_path = make_url(source_url).database
    assert source_path is not None
    source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


@asynccontextmanager
async def running(app: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Initialised and started (persistence loop, job queue), as under run_polling; stopped and shut down after."""
    async with app:
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


@contextmanager
def quiet_logging() -> Iterator[None]:
    """WARNING and above only while timing: the bot logs every saved event at INFO."""
    loggers = [
        logging.getLogger(name)
        for name in ("", "telegram", "bot", "models", "sqlalchemy", "aiosqlite", "alembic", "apscheduler", "httpx")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@dataclass(frozen=True)
class Verdict:
    """One judged figure of a run: what, its value as printed, the goal, met or not."""

    target: str
    value: str
    goal: str
    ok: bool

    @property
    def result(self) -> str:
        return "PASS" if self.ok else "MISS"


def side_by_side(judged: dict[str, dict[str, list[Verdict]]], databases: list[str]) -> list[str]:
    """The table of `--db both`: per benchmark and target, each database's value and verdict, and the goal."""
    width = 52
    header = "".join(f"{name:>14}{'':>6}" for name in databases)
    lines = [f"{' and '.join(databases)} side by side", f"  {'target':<{width}}{header}  goal"]
    for bench, by_database in judged.items():
        lines.append(f"  {bench}")
        first = by_database.get(databases[0]) or next(iter(by_database.values()))
        for n, verdict in enumerate(first):
            cells = ""
            for database in databases:
                rows = by_database.get(database, [])
                mine = rows[n] if n < len(rows) and rows[n].target == verdict.target else None
                cells += f"{mine.value:>14}  {mine.result:<4}" if mine else f"{'—':>14}{'':>6}"
            lines.append(f"    {verdict.target:<{width - 2}}{cells}  {verdict.goal}")
    return lines
