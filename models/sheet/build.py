"""Sheets built in a worker process: plain-data requests in, a finished file (or PNG) out.

The bot never builds a workbook or draws a chart on its own event loop (the GIL of the process answering
field workers is not held by XlsxWriter or matplotlib). A worker gets everything as picklable values:
where the database is (`DatabaseTarget`), what to build (`SheetRequest`), where to put the file. It reads
the database itself, streaming the events, so nothing the size of the event list crosses processes.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool

from models.db import engine_scope, session_factory, session_scope
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS
from models.sheet.data import default_file_name
from models.sheet.workbook import write_sheet


@dataclass(frozen=True)
class DatabaseTarget:
    """How a worker process reaches the bot's database (its password included: it never leaves the host)."""

    url: str
    search_path: str | None = None  # PostgreSQL: the schemas the bot's own connections use

    def engine(self) -> AbstractAsyncContextManager[AsyncEngine]:
        """An engine for one job, disposed after it (no pool: a worker holds no connection between jobs)."""
        return engine_scope(self.url, poolclass=NullPool, **self.connect_kwargs())

    def connect_kwargs(self) -> dict[str, Any]:
        """What an engine needs besides the URL to see what the bot's connections see (PostgreSQL: its schemas)."""
        if self.search_path is None:
            return {}
        return {"connect_args": {"server_settings": {"search_path": self.search_path}}}


async def database_target(session: AsyncSession) -> DatabaseTarget:
    """Where the session's database is, for a worker to open it the same way."""
    bind = session.bind
    assert bind is not None, "the session factory must be bound to an engine"
    engine = bind if isinstance(bind, AsyncEngine) else bind.engine
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return DatabaseTarget(url)
    return DatabaseTarget(url, await session.scalar(sa.text("SHOW search_path")))


@dataclass(frozen=True)
class SheetRequest:
    """One workbook: the plan year, the as-of date, the scope (None: the city) and the 1-1 threshold."""

    fiscal_year: int
    as_of: date
    ward_code: str | None
    regular_meeting_threshold: int = 1
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS  # 区別内訳's completeness: reported before the lock


@dataclass(frozen=True)
class BuiltSheet:
    """A finished workbook on disk and what its caption needs."""

    path: Path
    file_name: str
    as_of: date
    scope_label: str
    from_snapshot: bool


def build_sheet_file(database: DatabaseTarget, request: SheetRequest, directory: str) -> BuiltSheet:
    """Runs in a worker process: the workbook written into `directory`. ValueError as `collect_sheet` raises it."""
    return asyncio.run(_build_sheet_file(database, request, Path(directory)))


async def _build_sheet_file(database: DatabaseTarget, request: SheetRequest, directory: Path) -> BuiltSheet:
    scratch = directory / f"{request.fiscal_year}-{request.as_of}-{request.ward_code or 'city'}.partial.xlsx"
    async with database.engine() as engine, session_scope(session_factory(engine)) as session:
        data = await write_sheet(
            session,
            scratch,
            request.fiscal_year,
            request.as_of,
            request.ward_code,
            request.regular_meeting_threshold,
            lock_business_days=request.lock_business_days,
        )
    path = scratch.replace(directory / default_file_name(data))
    return BuiltSheet(path, path.name, data.as_of, data.scope_label, data.from_snapshot)
