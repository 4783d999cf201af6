"""The bot's worker processes for heavy output: workbooks and charts are built there, never on the event loop.

One `RenderPool` per bot process (created with the Application, shut down with it). Its processes start on
first use from a fork server that has already imported the builders, so a worker is ready in milliseconds.
Two requests for the same workbook while one is being built share that build.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.db import session_scope
from models.sheet.build import BuiltSheet, DatabaseTarget, SheetRequest, build_sheet_file, database_target
from models.sheet.chart import render_chart
from models.totals import Totals

log = logging.getLogger(__name__)

T = TypeVar("T")
# Imported once by the fork server, inherited by every worker it forks.
PRELOADED = ["models.sheet.build", "models.sheet.chart", "bot.reminder_messages", "bot.dashboard.answers"]
WORKER_NICENESS = 10  # the bot's own process gets the CPU first: field workers' replies before workbooks


def _lower_priority() -> None:
    """Runs once in each worker process as it starts."""
    os.nice(WORKER_NICENESS)


@dataclass(frozen=True)
class SheetFile:
    """A finished workbook in memory (it is sent at once), with what its caption needs."""

    content: bytes
    file_name: str
    built: BuiltSheet


class RenderPool:
    """A ProcessPoolExecutor of `workers` processes, started lazily; `shutdown` stops them and cleans up."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._scratch: Path | None = None
        self._sheets: dict[tuple[DatabaseTarget, SheetRequest], asyncio.Future[SheetFile]] = {}

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker (a module-level function taking plain, picklable values).

        Submitted from a thread: the first submit starts the fork server (importing the builders) and the
        workers, which takes seconds the event loop must not wait for.
        """
        submitted = await asyncio.to_thread(self._submit, function, *args)
        return await asyncio.wrap_future(submitted)

    def _submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        with self._lock:  # two first submits at once must not build two executors
            return self._pool().submit(function, *args)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")  # never fork the bot's threads and sockets
            context.set_forkserver_preload(PRELOADED)
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_lower_priority)
        return self._executor

    def scratch_directory(self) -> Path:
        """A fresh directory for one build's files (under the pool's own, removed at shutdown)."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="intake-render-"))
        return Path(tempfile.mkdtemp(dir=self._scratch))

    async def sheet_file(self, database: DatabaseTarget, request: SheetRequest, directory: Path) -> BuiltSheet:
        """The workbook for `request`, built in a worker into `directory` (the caller removes it)."""
        return await self.run(build_sheet_file, database, request, str(directory))

    async def sheet(self, sessions: async_sessionmaker[AsyncSession], request: SheetRequest) -> SheetFile:
        """The workbook for `request`; a request equal to one being built waits for that build instead."""
        async with session_scope(sessions) as session:
            database = await database_target(session)
        key = (database, request)
        shared = self._sheets.get(key)
        if shared is None:
            shared = asyncio.ensure_future(self._sheet_once(database, request))
            self._sheets[key] = shared
            shared.add_done_callback(lambda _done: self._sheets.pop(key, None))
        return await asyncio.shield(shared)  # one requester giving up does not cancel the others' build

    async def _sheet_once(self, database: DatabaseTarget, request: SheetRequest) -> SheetFile:
        directory = self.scratch_directory()
        try:
            built = await self.sheet_file(database, request, directory)
            return SheetFile(await asyncio.to_thread(built.path.read_bytes), built.file_name, built)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    async def chart(
        self,
        codes: list[str],
        this_year: Totals,
        last_year: Totals | None,
        title_scope: str,
        same_day: Totals | None = None,
    ) -> bytes:
        """`render_chart` in a worker: matplotlib never runs in the bot's process."""
        return await self.run(render_chart, codes, this_year, last_year, title_scope, same_day)

    def processes(self) -> list[BaseProcess]:
        """The worker processes running now (none before first use or after shutdown)."""
        if self._executor is None:
            return []
        return list(self._executor._processes.values())  # the executor does not list them publicly

    def shutdown(self) -> None:
        """Stop the workers (waiting for running builds) and remove every scratch file."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
