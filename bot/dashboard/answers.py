"""The dashboard's figures (the supervisors' views, and a member's own month), computed off the bot's event loop;
the supervisors' kept for a short while.

The figures (`bot.dashboard.figures`) take the totals engine's arithmetic over a year of rollups: tens of
milliseconds of Python that would stall every field worker's reply if it ran on the bot's loop. So each is computed
in a worker process of its own (a `RenderPool` of one process, apart from the workbooks', so a workbook being built
never holds a dashboard up), on a loop and engine that live as long as that process; the answer comes back as the
JSON bytes the page gets.

An answer is kept for WEBAPP_CACHE_SECONDS (30 by default) under everything it depends on — the view, its
parameters as given, the asker's role and own scope, their language and today's date — so a dashboard opened by many
supervisors, or refreshed, costs one computation; two identical requests while it runs share it. A figure on the
page is thus at most that old (the answer says when it was computed). Who may ask is checked on every request before
the cache is looked at (`bot.dashboard.access.identify`), and the scope is part of the key, so an answer is never
given to someone who could not have asked for it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import Runtime
from bot.dashboard import figures, own
from bot.dashboard.access import Asker, Params, RefusedError
from bot.render_pool import RenderPool
from bot.scope import default_scope
from models.config import TOKYO, Settings
from models.db import make_engine, session_factory
from models.fiscal import asked_on
from models.sheet.build import DatabaseTarget
from models.tables import Staff

VIEWS: Final = {
    "overview": figures.overview,
    "wards": figures.wards,
    "chart": figures.chart,
    "coverage": figures.coverage,
    "review": figures.review,
    "mine": own.mine,
}
NEVER_KEPT: Final = frozenset({"mine"})  # a worker who has just logged must see it
FOR_EVERY_MEMBER: Final = frozenset({"mine"})  # the others are supervisors' views
MAX_KEPT: Final = 2_000  # answers kept at most (a city's supervisors asking every view of every ward: far fewer)
STAFF_FIELDS: Final = ("id", "telegram_user_id", "display_name", "role", "organisation", "ward_code", "language")


@dataclass(frozen=True)
class Question:
    """One view asked for, in plain values a worker process can receive."""

    view: str
    params: tuple[tuple[str, str], ...]
    staff: tuple[Any, ...]  # STAFF_FIELDS of the asker
    lang: str
    today: date  # the bot's day: the figures process never reads its own clock for the figures
    asked_at: datetime


GZIP_FROM: Final = 500  # bytes: a shorter answer is sent as it is


@dataclass(frozen=True)
class Answer:
    """The HTTP status and the JSON body, and the body gzipped (made in the figures process, once per computation,
    so no answer is compressed on the bot's loop; empty when too short to be worth it)."""

    status: int
    body: bytes
    gzipped: bytes = b""


# --- in the worker process ------------------------------------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None
_sessions: dict[DatabaseTarget, async_sessionmaker[AsyncSession]] = {}


def answer_in_worker(database: DatabaseTarget, settings: Settings, question: Question) -> Answer:
    """Runs in the figures process: the view's answer, or its refusal, as JSON bytes."""
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()  # kept: the engine's connections belong to this loop
    with asked_on(question.today):  # every figure as of the bot's day (models.fiscal.today), not this clock's
        return _loop.run_until_complete(_answer(database, settings, question))


async def _answer(database: DatabaseTarget, settings: Settings, question: Question) -> Answer:
    sessions = _sessions.get(database)
    if sessions is None:
        engine = make_engine(database.url, pool_size=2, **database.connect_kwargs())  # kept with the process
        sessions = _sessions[database] = session_factory(engine)
    staff = Staff(**dict(zip(STAFF_FIELDS, question.staff, strict=True)))
    asker = Asker(staff, question.lang, Runtime(settings, sessions), today=question.today)
    try:
        body = await VIEWS[question.view](dict(question.params), asker)
    except RefusedError as refused:
        return Answer(refused.status, _json({"error": refused.error}))
    body["computed_at"] = question.asked_at.isoformat(timespec="seconds")
    content = _json(body)
    return Answer(200, content, gzip.compress(content, 6) if len(content) >= GZIP_FROM else b"")


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


# --- in the bot's process -------------------------------------------------------------------------------------


@dataclass
class _Kept:
    until: float
    answer: asyncio.Future[Answer]


@dataclass
class FiguresService:
    """The figures process and the answers kept from it."""

    database: DatabaseTarget
    settings: Settings
    pool: RenderPool = field(default_factory=lambda: RenderPool(1))
    kept: dict[tuple[Any, ...], _Kept] = field(default_factory=dict)

    async def answer(self, asker: Asker, view: str, params: Params) -> Answer:
        """The view's answer for this asker: kept, being computed, or computed now in the figures process."""
        scope = (asker.staff.role, default_scope(asker.staff))
        key = (view, tuple(sorted(params.items())), *scope, asker.lang, asker.today)
        now = time.monotonic()
        kept = self.kept.get(key)
        if view in NEVER_KEPT:
            return await self._compute(asker, view, params)
        if kept is None or kept.until <= now:
            computing = asyncio.ensure_future(self._compute(asker, view, params))
            kept = _Kept(now + self.settings.webapp_cache_seconds, computing)
            self._keep(key, kept, now)
        return await asyncio.shield(kept.answer)  # one asker leaving does not cancel the others' answer

    async def _compute(self, asker: Asker, view: str, params: Params) -> Answer:
        staff = tuple(getattr(asker.staff, name) for name in STAFF_FIELDS)
        asked_at = datetime.now(TOKYO)
        question = Question(view, tuple(sorted(params.items())), staff, asker.lang, asker.today, asked_at)
        return await self.pool.run(answer_in_worker, self.database, self.settings, question)

    def _keep(self, key: tuple[Any, ...], kept: _Kept, now: float) -> None:
        if len(self.kept) >= MAX_KEPT:
            for stale in [k for k, v in self.kept.items() if v.until <= now] or list(self.kept)[: MAX_KEPT // 2]:
                del self.kept[stale]
        self.kept[key] = kept
        kept.answer.add_done_callback(lambda done: self._forget_failure(key, done))

    def _forget_failure(self, key: tuple[Any, ...], done: asyncio.Future[Answer]) -> None:
        """A computation that raised is not kept: the next request tries again."""
        if (done.cancelled() or done.exception() is not None) and key in self.kept:
            del self.kept[key]
