"""Where a benchmark's databases live (`python -m bench --db`): SQLite files, or databases on a PostgreSQL server.

A benchmark asks its store for a cached dataset (only read from), a writable copy of one, or a new empty database,
and gets URLs: the same code then runs on either. SQLite: the cached file, a copy in a temporary folder (the backup
API), a new file there. PostgreSQL (`bench.postgres`): the dataset's database (loaded once from the cached SQLite
file), a template copy of it, a new database; copies and new databases are dropped after.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import postgres
from bench.dataset import WORKERS_PER_WARD, cache_path, cached_sqlite_dataset
from bench.harness import copy_sqlite

DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Store:
    db: str  # "sqlite" or "postgresql"

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.postgresql else "SQLite"

    @property
    def postgresql(self) -> bool:
        return self.db == "postgresql"

    async def dataset(
        self, events: int, seed: int, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD
    ) -> str:
        """The URL of the cached dataset, built or loaded when missing: read from, never written to."""
        if self.postgresql:
            return await postgres.cached_postgres_dataset(events, seed, history_years, workers_per_ward)
        return await cached_sqlite_dataset(events, seed, history_years, workers_per_ward)

    @asynccontextmanager
    async def copy(
        self, events: int, seed: int, history_years: int = 0, workers_per_ward: int = WORKERS_PER_WARD
    ) -> AsyncIterator[str]:
        """A writable copy of the cached dataset, its URL; removed after."""
        source = await self.dataset(events, seed, history_years, workers_per_ward)
        name = cache_path(events, seed, history_years, workers_per_ward).stem
        if self.postgresql:
            base = postgres.base_url()
            database = make_url(source).database
            assert database is not None
            copy = f"{base.database}__copy{os.getpid()}_{_identifier(name)}"  # runs at once on one server never meet
            async with postgres.database_copy(database, copy, base) as url:
                yield url
            return
        with tempfile.TemporaryDirectory(prefix="bench-copy-") as folder:
            path = Path(folder) / f"{name}.db"
            copy_sqlite(source, path)
            yield f"sqlite+aiosqlite:///{path}"

    @asynccontextmanager
    async def empty(self, name: str) -> AsyncIterator[str]:
        """A new empty database (no schema), its URL; removed after."""
        if self.postgresql:
            base = postgres.base_url()
            await postgres.ensure_base(base)
            async with postgres.empty_database(f"{base.database}__new{os.getpid()}_{_identifier(name)}", base) as url:
                yield url
            return
        with tempfile.TemporaryDirectory(prefix="bench-new-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / name}.db"


def _identifier(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower())


SQLITE = Store("sqlite")
POSTGRESQL = Store("postgresql")
