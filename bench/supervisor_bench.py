"""Every request a supervisor can make, through the real bot, on 100,000 events and on 1,000,000 (and 3,000,000).

The house rule: a supervisor's request costs the same however much history exists. For each dataset size, a copy
of the cached SQLite file (`bench.dataset`) gets the state a production database has on the dataset's "today"
(2026-11-27, the clock frozen at 08:00 in Asia/Tokyo): every locked month closed with its snapshot up to September
2026, October left without one (as in the days before it locks: the "open" month, whose sheet and totals are
computed live), and one worker of the ward who has logged nothing (so /missing has someone to list and nudge). The
real bot (`bot.app.build_application` on the in-process Bot API double, started as under run_polling) then takes
the updates of the dataset's city supervisor and one ward supervisor: /help (the baseline: the framework and our
guard), /totals and each of its buttons (◀ 前年度, 翌年度 ▶, ◀ 前月末, 今日, 区を選ぶ and a ward, 区別 and the ranking),
/sheet (city and ward; the open month and a closed one), /chart (city and ward), /missing (this month and last) and
its nudge, /reopen, and /note down to a section's bullets.

Timed: each request end to end, from the update to the last of the bot's replies (the workbook and the chart are
built in the render pool's worker process: until the document or photo has been sent). The buttons' lead-up (the
/totals message a button is pressed on) is not timed. The sizes take turns request by request, so that the
machine's changing load falls on them alike. Printed per request: the first run ("cold") and the median of the
others per size, the largest size's median ÷ the smallest's (target ≤ 1.5: cost independent of history), the
median at the --events size against an absolute bound (2 s; 5 s for a workbook or chart) and ÷ /help. The datasets
cover the same months (April 2024 to November 2026): a larger one has more events in every month, so a request that
reads a month's events grows with the size too, though it reads no more history than before.

The run fails (SupervisorBenchBrokeError) when a request gets no reply, the wrong kind of reply (a document for
/sheet, a photo for /chart, figures for /totals, ...), an error or refusal, or a handler raises: a timing of broken
work is worthless.
"""

from __future__ import annotations

import gc
import os
import re
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bench.dataset import CACHE_DIR, LAST_DAY, cached_sqlite_dataset
from bench.harness import TOKEN, bench_settings, copy_sqlite, quiet_logging, running
from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, Runtime
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from bot.offline.synthetic import GENERATOR_VERSION
from bot.texts import TEXTS, text
from models.catalog import INDICATORS, SECTION_LABELS_JA, SHEETS, Organisation, Role, SheetSection
from models.config import TOKYO
from models.db import engine_scope, session_factory, session_scope
from models.fiscal import fiscal_months, fiscal_year_of
from models.locks import is_month_locked
from models.snapshots import close_month
from models.tables import Staff, Ward
from models.totals import display_width

SEED = 7
SMALL_EVENTS = 100_000
LARGE_EVENTS = 3_000_000  # measured too when its cached file exists (building it takes minutes)
RUNS = 9  # per request and size: the first is reported apart as "cold", the median is of the others
RENDER_RUNS = 5  # for a workbook or a chart (each takes up to seconds)
NOW = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 8, 0, tzinfo=TOKYO)  # before the 09:30 daily run
OPEN_MONTH = (2026, 10)  # locked by "today", but left without its snapshot: computed live, as before it locks
CLOSED_MONTH = (2026, 9)
IDLE_WORKER_ID = 8_900_000  # the dataset's own staff use 9_000_000 + n
REOPEN_REASON = "ベンチマークの確認"
# The handlers are blocking, so a request's replies are all in when process_update returns; the chat does not wait
# for tasks started meanwhile besides (the started bot's persistence loop starts one a second: it would be timed).
# A reply still missing then (a handler made non-blocking) fails the run instead of timing half the work.
SETTLE_SECONDS = 0.0

TARGET_GROWTH = 1.5
TARGET_MS = 2_000.0
TARGET_RENDER_MS = 5_000.0
NOISE_MS = 5.0  # a difference this small (about one /help) is the machine's wobble, not growth
LJA = "ja"
FIRST_INDICATOR = INDICATORS[0].short_label
FIRST_SHEET = SHEETS[0].goal
FIRST_SECTION = SECTION_LABELS_JA[SheetSection.ACTIVITIES]


class SupervisorBenchBrokeError(RuntimeError):
    """A supervisor's request was not answered as it should be: the timings would describe something else."""


# --- what a reply must be -------------------------------------------------------------------------------------

Check = Callable[[list[BotMessage]], str | None]  # the problem with the replies, or None


def _fragment(key: str) -> str:
    """The longest literal part of a Japanese text (between its placeholders): what every reply with it contains."""
    return max(re.split(r"\{[^}]*\}", TEXTS[key][LJA]), key=len)


def says(*keys: str) -> Check:
    """The last reply is one of these texts."""

    def check(replies: list[BotMessage]) -> str | None:
        body = replies[-1].text if replies else ""
        return None if any(_fragment(key) in body for key in keys) else f"expected {' or '.join(keys)}"

    return check


def figures(replies: list[BotMessage]) -> str | None:
    """Totals: every indicator with its figure (a share without answers yet shows 「—（0 ／ 0）」)."""
    body = replies[-1].text if replies else ""
    shown = [i.short_label for i in INDICATORS if re.search(rf"^{re.escape(i.short_label)}: .*\d", body, re.M)]
    return None if len(shown) == len(INDICATORS) else f"figures for {len(shown)} of {len(INDICATORS)} indicators"


def ranking(replies: list[BotMessage]) -> str | None:
    """The wards ranked: the header and numbered lines with figures."""
    body = replies[-1].text if replies else ""
    if _fragment("ranking_header") not in body or not re.search(r"^1\. .*\d", body, re.M):
        return "expected the wards ranked"
    return None


def buttons(key: str, at_least: int) -> Check:
    """A menu: its text and at least so many buttons."""

    def check(replies: list[BotMessage]) -> str | None:
        last = replies[-1] if replies else None
        if last is None or _fragment(key) not in last.text or len(last.button_texts()) < at_least:
            return f"expected the {key} menu with {at_least}+ buttons"
        return None

    return check


def bullets(replies: list[BotMessage]) -> str | None:
    """A section's bullets: the section named, and the button to add one."""
    last = replies[-1] if replies else None
    if last is None or FIRST_SECTION not in last.text or text("button_add_bullet", LJA) not in last.button_texts():
        return "expected the section's bullets"
    return None


def document(replies: list[BotMessage]) -> str | None:
    sent = [m.document for m in replies if m.document is not None]
    if not sent or not sent[-1][0].endswith(".xlsx") or not sent[-1][1].startswith(b"PK"):
        return "expected an .xlsx document"
    return None


def photo(replies: list[BotMessage]) -> str | None:
    pictures = [m.photo for m in replies if m.photo is not None]
    return None if pictures and pictures[-1].startswith(b"\x89PNG") else "expected a PNG photo"


# --- the requests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One supervisor request: who, the untimed lead-up, the timed update ("/…" typed, else a button's label)."""

    name: str
    who: str  # "city" or "ward"
    action: str
    check: Check
    lead_up: tuple[str, ...] = ()
    renders: bool = False  # a workbook or a chart: built in the render pool, a looser absolute bound

    @property
    def bound_ms(self) -> float:
        return TARGET_RENDER_MS if self.renders else TARGET_MS

    @property
    def runs(self) -> int:
        return RENDER_RUNS if self.renders else RUNS


WARD_NAME = "<the ward supervisor's ward>"  # placeholders resolved per dataset
WARD_CODE = "<its code>"
OPEN, CLOSED = (f"{y}-{m:02d}" for y, m in (OPEN_MONTH, CLOSED_MONTH))


def _button(key: str) -> str:
    return text(key, LJA)


def _both(name: str, action: str, check: Check, lead_up: tuple[str, ...] = (), renders: bool = False) -> list[Request]:
    return [Request(f"{name} ({who})", who, action, check, lead_up, renders) for who in ("city", "ward")]


REQUESTS: tuple[Request, ...] = (
    *_both("/help", "/help", says("help_supervisor")),
    *_both("/totals", "/totals", figures),
    *_both("/totals ◀ 前年度", _button("button_prev_year"), figures, ("/totals",)),
    *_both("/totals ◀ 前月末", _button("button_prev_month"), figures, ("/totals",)),
    Request(
        "/totals 翌年度 ▶ (city)",
        "city",
        _button("button_next_year"),
        figures,
        ("/totals", _button("button_prev_year")),
    ),
    Request("/totals 今日 (city)", "city", _button("button_today"), figures, ("/totals", _button("button_prev_year"))),
    Request("/totals 区を選ぶ (city)", "city", _button("button_wards"), buttons("choose_ward", 25), ("/totals",)),
    Request("/totals 区を選ぶ → a ward (city)", "city", WARD_NAME, figures, ("/totals", _button("button_wards"))),
    Request(
        "/totals 区別 (city)",
        "city",
        _button("button_ranking"),
        buttons("ranking_choose", len(INDICATORS)),
        ("/totals",),
    ),
    Request("/totals 区別 → ranking (city)", "city", FIRST_INDICATOR, ranking, ("/totals", _button("button_ranking"))),
    *_both(f"/sheet (open month {OPEN})", "/sheet", document, renders=True),
    *_both(f"/sheet {CLOSED} (closed month)", f"/sheet {CLOSED}", document, renders=True),
    Request("/chart (ward)", "ward", "/chart", buttons("chart_choose", len(INDICATORS))),
    Request("/chart → indicator (city)", "city", FIRST_INDICATOR, buttons("chart_choose_ward", 25), ("/chart",)),
    Request(
        "/chart → indicator → city (city)",
        "city",
        _button("button_city"),
        photo,
        ("/chart", FIRST_INDICATOR),
        renders=True,
    ),
    Request("/chart → indicator (ward)", "ward", FIRST_INDICATOR, photo, ("/chart",), renders=True),
    *_both("/missing", "/missing", says("missing_header")),
    *_both(f"/missing {OPEN}", f"/missing {OPEN}", says("missing_header", "missing_none")),
    *_both("/missing 今すぐ催促する", _button("button_nudge"), says("nudged"), ("/missing",)),
    Request(
        f"/reopen 区コード {CLOSED} 理由 (city)",
        "city",
        f"/reopen {WARD_CODE} {CLOSED} {REOPEN_REASON}",
        says("reopened"),
    ),
    *_both("/note", "/note", buttons("notes_choose_sheet", len(SHEETS))),
    *_both("/note → a section's bullets", FIRST_SECTION, bullets, ("/note", FIRST_SHEET)),
)
BASELINE = "/help (city)"


# --- one dataset, prepared and served by its own bot -------------------------------------------------------------


@dataclass
class Served:
    """One dataset size: its bot, the two supervisors' chats, what went wrong, and the seconds per request."""

    events: int
    app: IntakeApplication
    api: InProcessBotApi
    chats: dict[str, ChatSession]
    ward_code: str
    ward_name: str
    errors: list[BaseException] = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=dict)

    async def record_error(self, update: object, context: object) -> None:
        error = getattr(context, "error", None)
        self.errors.append(error if isinstance(error, BaseException) else RuntimeError(repr(error)))

    def resolve(self, action: str) -> str:
        return action.replace(WARD_NAME, self.ward_name).replace(WARD_CODE, self.ward_code)

    async def act(self, chat: ChatSession, action: str) -> list[BotMessage]:
        """Type a command or press the button so labelled on the latest menu; the replies once all are in."""
        action = self.resolve(action)
        try:
            if action.startswith("/"):
                return await chat.send(action)
            return await chat.press(action)
        except AssertionError as error:  # no such button: the menu before was not what it should be
            raise SupervisorBenchBrokeError(f"{self.events:,} events: {action!r}: {error}") from None

    async def request(self, request: Request) -> float:
        """The lead-up, then the request timed; checked before its time counts."""
        chat = self.chats[request.who]
        for step in request.lead_up:
            self._check(request, f"lead-up {step!r}", await self.act(chat, step), None)
        gc.collect()
        started = time.perf_counter()
        replies = await self.act(chat, request.action)
        seconds = time.perf_counter() - started
        self._check(request, "", replies, request.check)
        self.times.setdefault(request.name, []).append(seconds)
        return seconds

    def _check(self, request: Request, step: str, replies: list[BotMessage], check: Check | None) -> None:
        where = f"{self.events:,} events, {request.name}{' ' + step if step else ''}"
        if self.errors:
            raise SupervisorBenchBrokeError(f"{where}: a handler raised {self.errors[0]!r}")
        chat = self.chats[request.who]
        if chat.unanswered_callbacks():
            raise SupervisorBenchBrokeError(f"{where}: a button press was never answered")
        if any(answer is not None for answer in chat.answers):  # refusals and errors come as alerts
            raise SupervisorBenchBrokeError(f"{where}: a button press was answered {chat.answers!r}")
        if not replies:
            raise SupervisorBenchBrokeError(f"{where}: no reply")
        if any(_fragment(key) in m.text for m in replies for key in ("error", "not_allowed", "sheet_usage")):
            raise SupervisorBenchBrokeError(f"{where}: answered {replies[-1].text[:80]!r}")
        problem = check(replies) if check is not None else None
        if problem is not None:
            raise SupervisorBenchBrokeError(f"{where}: {problem}; got {replies[-1].text[:120]!r}")


async def prepare(sessions: async_sessionmaker[AsyncSession], today: date) -> tuple[int, int, str, str]:
    """The copy as production has it today; the city supervisor's and a ward supervisor's ids, that ward's code and
    name."""
    async with session_scope(sessions) as session:
        for year, month in [m for fy in range(2024, fiscal_year_of(today) + 1) for m in fiscal_months(fy)]:
            if (year, month) != OPEN_MONTH and is_month_locked(year, month, today):
                await close_month(session, year, month)
        city = await _first(session, Role.CITY_SUPERVISOR)
        ward = await _first(session, Role.WARD_SUPERVISOR)
        assert ward.ward_code is not None
        ward_row = await session.get(Ward, ward.ward_code)
        assert ward_row is not None
        if await session.scalar(select(Staff).where(col(Staff.telegram_user_id) == IDLE_WORKER_ID)) is None:
            session.add(Staff(telegram_user_id=IDLE_WORKER_ID, display_name="未記録 職員", role=Role.WORKER,
                              organisation=Organisation.WATCH_OFFICE, ward_code=ward.ward_code))  # fmt: skip
    return city.telegram_user_id, ward.telegram_user_id, ward_row.code, ward_row.name_ja


async def _first(session: AsyncSession, role: Role) -> Staff:
    """The dataset's first active member in this role (the dataset gives each a Telegram id)."""
    staff = await session.scalar(
        select(Staff).where(col(Staff.role) == role, col(Staff.active)).order_by(col(Staff.id)).limit(1)
    )
    if staff is None:
        raise SupervisorBenchBrokeError(f"the dataset has no active {role}")
    return staff


@asynccontextmanager
async def serve(url: str, events: int) -> AsyncIterator[Served]:
    """The prepared dataset at `url` (a copy: it is written to) served by a started bot, its render pool warm."""
    async with engine_scope(url) as engine:
        sessions = session_factory(engine)
        city, ward, ward_code, ward_name = await prepare(sessions, NOW.date())
        api = InProcessBotApi()
        app = build_application(Runtime(bench_settings(), sessions), TOKEN, request=api, rate_limited=False)
        async with running(app):
            chats = {
                who: ChatSession(app, api, user_id, first_name=who, settle_timeout=SETTLE_SECONDS)
                for who, user_id in (("city", city), ("ward", ward))
            }
            served = Served(events, app, api, chats, ward_code, ward_name)
            app.add_error_handler(served.record_error)
            await app.bot_data[RENDER_POOL].run(os.getpid)  # the worker process started: not any request's cost
            yield served


async def measure(urls: dict[int, str], runs: int | None = None) -> list[Served]:
    """Every request `runs` times (by default its own number) on each prepared copy (events → URL), the sizes
    taking turns."""
    with time_machine.travel(NOW):
        async with AsyncExitStack() as stack:
            served = [await stack.enter_async_context(serve(url, events)) for events, url in sorted(urls.items())]
            for request in REQUESTS:
                for run in range(runs or request.runs):
                    for one in served[run % len(served) :] + served[: run % len(served)]:
                        await one.request(request)
    return served


# --- the benchmark --------------------------------------------------------------------------------------------


def sizes(events: int) -> list[int]:
    """100,000, the --events size, and 3,000,000 when its cached file exists."""
    chosen = {SMALL_EVENTS, events}
    if (CACHE_DIR / f"events-{LARGE_EVENTS}-{SEED}-g{GENERATOR_VERSION}.db").exists():
        chosen.add(LARGE_EVENTS)
    return sorted(chosen)


async def run(events: int) -> dict[str, dict[int, float]]:
    """The medians (ms) per request and size, printed as a table with the targets."""
    started = time.perf_counter()
    with quiet_logging(), tempfile.TemporaryDirectory(prefix="supervisor-bench-") as folder:
        urls: dict[int, str] = {}
        for size in sizes(events):
            copy = Path(folder) / f"events-{size}.db"
            copy_sqlite(await cached_sqlite_dataset(size, SEED), copy)  # the cached file is never written to
            urls[size] = f"sqlite+aiosqlite:///{copy}"
        served = await measure(urls)
    medians = {r.name: {s.events: _median_ms(s.times[r.name]) for s in served} for r in REQUESTS}
    _print(served, events, medians, time.perf_counter() - started)
    return medians


def _median_ms(seconds: list[float]) -> float:
    """The median of the runs after the first (all of them when there is only one)."""
    return 1000 * statistics.median(seconds[1:] or seconds)


def _label(events: int) -> str:
    return f"{events // 1_000_000}M" if events % 1_000_000 == 0 else f"{events // 1_000}k"


def _growth_verdict(smallest_ms: float, largest_ms: float) -> str:
    if largest_ms / smallest_ms <= TARGET_GROWTH:
        return "PASS"
    return "PASS~" if largest_ms - smallest_ms < NOISE_MS else "MISS"


def _pad(name: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (full-width characters take two)."""
    return name + " " * max(0, width - display_width(name))


def _print(served: list[Served], events: int, medians: dict[str, dict[int, float]], seconds: float) -> None:
    counts = [s.events for s in served]
    smallest, largest = counts[0], counts[-1]
    main = events if events in counts else largest
    per_size = "".join(f"{_label(n) + ' cold':>10}{_label(n) + ' med':>10}" for n in counts)
    lines = [
        f"supervisors: every request a supervisor can make, end to end through the bot (in-process Bot API, SQLite "
        f"copies of the cached datasets, clock at {NOW:%Y-%m-%d %H:%M} JST); per request and size the first run "
        f"(cold) and the median of the next {RUNS - 1} ({RENDER_RUNS - 1} for workbooks and charts), in ms",
        f"  {_pad('request', 40)}{per_size}{f'{_label(largest)}÷{_label(smallest)}':>9}  growth"
        f"{f'{_label(main)} bound':>10}  abs {'÷/help':>7}",
    ]
    baseline = medians[BASELINE][main]
    for request in REQUESTS:
        row = medians[request.name]
        colds = {s.events: 1000 * s.times[request.name][0] for s in served}
        cells = "".join(f"{colds[n]:>10.1f}{row[n]:>10.1f}" for n in counts)
        lines.append(
            f"  {_pad(request.name, 40)}{cells}{row[largest] / row[smallest]:>9.2f}  "
            f"{_growth_verdict(row[smallest], row[largest]):<6}{f'< {request.bound_ms / 1000:.0f} s':>10}  "
            f"{'PASS' if row[main] < request.bound_ms else 'MISS':<4}{row[main] / baseline:>8.1f}"
        )
    grown = [r.name for r in REQUESTS if _growth_verdict(medians[r.name][smallest], medians[r.name][largest]) == "MISS"]
    slow = [r.name for r in REQUESTS if medians[r.name][main] >= r.bound_ms]
    lines += [
        f"  growth ({_label(largest)} median ÷ {_label(smallest)} median) <= {TARGET_GROWTH} for every request: "
        f"{'MISS: ' + ', '.join(grown) if grown else 'PASS'}",
        f"    (PASS~: over {TARGET_GROWTH} but less than {NOISE_MS:.0f} ms apart, about one /help: the machine's "
        "wobble, not growth; the datasets cover the same months, so a larger one has more events in every month)",
        f"  at {_label(main)}: < {TARGET_MS / 1000:.0f} s, workbooks and charts < {TARGET_RENDER_MS / 1000:.0f} s: "
        f"{'MISS: ' + ', '.join(slow) if slow else 'PASS'}",
        f"  baseline /help (city) at {_label(main)}: {baseline:.1f} ms (the framework and our guard); every reply "
        "checked (figures, documents, photos, menus; no error, refusal or handler exception); "
        f"whole run {seconds:.0f} s",
    ]
    print("\n".join(lines))
