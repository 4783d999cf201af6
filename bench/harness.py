"""What the benchmarks that drive the real bot share: a copy of a cached dataset, the bot's settings, its start."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
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
