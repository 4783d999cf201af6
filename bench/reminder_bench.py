"""A month-end reminder to 1,000 staff through python-telegram-bot's AIORateLimiter, with Telegram saying
"429, retry after 1 s" on every 100th send.

The floor is what the rate limit allows: 1,000 messages at 30/s plus every injected pause (1,000 / 30 s
+ Σ retry_after). The ratio of our total time to that floor shows what the
exactly-once bookkeeping (a row recorded before each send and marked after) costs on top. Counts must be
1,000 sent, 0 failed, 0 duplicated.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from telegram.request import RequestData

from bot.app import build_application
from bot.context import Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.reminder_messages import BotMessenger
from bot.render_pool import RenderPool
from models.config import Settings
from models.db import make_engine, migrate, session_factory, session_scope
from models.reference import ensure_wards
from models.roles import Organisation, Role
from models.tables import Staff
from reminders.delivery import Outcome
from reminders.jobs import ReminderRuntime, run_day

REMINDER_DAY = date(2025, 11, 25)
RATE_PER_SECOND = 30  # AIORateLimiter's overall limit
RETRY_AFTER = 1  # seconds, as Telegram would say in the 429
EVERY = 100  # one 429 per this many sends


class ThrottledBotApi(InProcessBotApi):
    """The in-process Bot API, answering every `EVERY`-th sendMessage with 429 (retry_after = 1 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.sends = 0
        self.throttled = 0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            self.sends += 1
            if self.sends % EVERY == 0:
                self.throttled += 1
                self.inject("sendMessage", 429, f"Too Many Requests: retry after {RETRY_AFTER}", RETRY_AFTER)
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def _staff(sessions: Any, count: int) -> None:
    async with session_scope(sessions) as session:
        await ensure_wards(session)
        for n in range(count):
            session.add(
                Staff(
                    telegram_user_id=8_000_000 + n,
                    display_name=f"職員{n}",
                    role=Role.WORKER,
                    organisation=Organisation.WATCH_OFFICE,
                    ward_code="27102",
                )
            )


async def run(staff: int = 1_000) -> dict[str, float]:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'reminders.db'}")
        await migrate(engine)
        sessions = session_factory(engine)
        await _staff(sessions, staff)
        settings = Settings(_env_file=None)
        api = ThrottledBotApi()
        application = build_application(Runtime(settings, sessions), "123:BENCH", request=api, rate_limited=True)
        runtime = ReminderRuntime(sessions, settings, BotMessenger(sessions, settings, RenderPool()))
        async with application:
            started = time.perf_counter()
            report = await run_day(application.bot, runtime, REMINDER_DAY)
            elapsed = time.perf_counter() - started
        await engine.dispose()
    assert report.reminders is not None
    delivered = Counter(
        call.parameters.get("chat_id") for call in api.calls_to("sendMessage") if call.error_code is None
    )
    duplicated = sum(n - 1 for n in delivered.values() if n > 1)
    floor = staff / RATE_PER_SECOND + api.throttled * RETRY_AFTER
    # What aiolimiter really allows: a burst of 30 at the start and after each pause (its bucket drains meanwhile),
    # the rest at 30/s, and each pause lasting retry_after + 0.1 s.
    bursts = RATE_PER_SECOND * (api.throttled + 1)
    tight_floor = max(staff - bursts, 0) / RATE_PER_SECOND + api.throttled * (RETRY_AFTER + 0.1)
    figures = {
        "seconds": elapsed,
        "floor": floor,
        "ratio": elapsed / floor,
        "tight_floor": tight_floor,
        "tight_ratio": elapsed / tight_floor,
        "sent": report.reminders.counts[Outcome.SENT],
        "failed": report.reminders.counts[Outcome.FAILED] + report.reminders.counts[Outcome.UNREACHABLE],
        "duplicated": duplicated,
        "throttled": api.throttled,
    }
    _print(figures, staff)
    return figures


def _print(f: dict[str, float], staff: int) -> None:
    ok = f["ratio"] <= 1.15 and (f["sent"], f["failed"], f["duplicated"]) == (staff, 0, 0)
    print(
        f"reminders: {staff:,} staff through AIORateLimiter (30/s), a 429 (retry after {RETRY_AFTER} s) on every "
        f"{EVERY}th send, SQLite, exactly-once bookkeeping per send"
    )
    throttled = int(f["throttled"])
    print(
        f"  floor  = {staff:,} / {RATE_PER_SECOND}/s + {throttled} × {RETRY_AFTER} s = {f['floor']:.1f} s"
        "   (bursts of 30 pass at the start and after each pause: < 1 is possible)"
    )
    print(f"  tight floor (bursts of 30 after each pause, pauses of retry_after + 0.1 s) = {f['tight_floor']:.1f} s")
    print(f"  ours   = {f['seconds']:.1f} s")
    print(f"  ratio  = {f['ratio']:.3f}   (target <= 1.15);   against the tight floor: {f['tight_ratio']:.3f}")
    print(
        f"  sent / failed / duplicated = {int(f['sent']):,} / {int(f['failed'])} / {int(f['duplicated'])}"
        f"   (target {staff:,} / 0 / 0)   {'PASS' if ok else 'MISS'}"
    )
