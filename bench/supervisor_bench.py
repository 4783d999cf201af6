"""Every request a supervisor can make, through the real bot, on 1,000,000 events and on ten years of history.

The house rule: a supervisor's request costs the same however much history exists. Judged: the --events dataset
(1,000,000 events over fiscal years 2024–2026, to 2026-11-27) against one as busy day by day with HISTORY_YEARS
fiscal years more before it (FY2017–2026, about 3.3 million events; `bench.dataset`): the datasets differ in history
only. Printed besides, not judged: 100,000 and 3,000,000 events over the same three years (the per-month volume
grows with them, so a request that by specification reads a month's events, or lists a ward's year of them, grows
too, though it reads no more history). For each dataset, a copy of the cached SQLite file gets the state a
production database has on the dataset's "today" (2026-11-27, the clock frozen at 08:00 in Asia/Tokyo): every locked
month since the dataset's first closed with its snapshot up to September 2026, October left without one (as in the
days before it locks: the "open" month, whose sheet and totals are computed live), one worker of the ward who has
logged nothing and one who has logged for years but nothing since October (so /missing has people to list, one
with the day of their last entry, and to nudge). The real bot (`bot.app.build_application` on the in-process Bot
API double, started as under run_polling) then takes the updates of the dataset's city supervisor and
one ward supervisor: /help (the baseline: the framework and our guard), /totals and each of its buttons (◀ 前年度,
翌年度 ▶, ◀ 前月末, 今日, 区を選ぶ and a ward, 区別 and the ranking, 地域別), /areas and its switch to 1-2,
/sheet (city and ward; the open month and a closed one), /chart (city and ward), /missing (this month and last) and
its nudge, /reopen, /flagged (the review list), /confirm (a ward) and /accept (the city) of a closed month, and /note
down to a section's bullets.

Timed: each request end to end, from the update to the last of the bot's replies (the workbook and the chart are
built in the render pool's worker process: until the document or photo has been sent). The buttons' lead-up (the
/totals message a button is pressed on) is not timed. The datasets take turns request by request, so that the
machine's changing load falls on them alike. Printed per request: the first run ("cold") and the median of the
others per dataset; the history growth, the ten-year dataset's median ÷ the --events dataset's (target ≤ 1.5: cost
independent of history); the volume growth, 3M's (or 1M's) median ÷ 100k's (information only); the median at the
--events dataset against an absolute bound (2 s; 5 s for a workbook or chart) and ÷ /help.

The run fails (SupervisorBenchBrokeError) when a request gets no reply, the wrong kind of reply (a document for
/sheet, a photo for /chart, figures for /totals, ...), an error or refusal, or a handler raises: a timing of broken
work is worthless.
"""

from __future__ import annotations

import gc
import os
import re
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import time_machine
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bench.dataset import (
    CITY_WORKERS_PER_WARD,
    FIRST_DAY,
    LAST_DAY,
    WORKERS_PER_WARD,
    cache_path,
    total_events,
)
from bench.harness import TOKEN, Verdict, bench_settings, quiet_logging, running
from bench.store import SQLITE, Store
from bot.app import IntakeApplication, build_application
from bot.context import RENDER_POOL, Runtime
from bot.keyboards import indicator_label
from bot.long_answer import TEXT_LIMIT, telegram_length
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from bot.texts import TEXTS, text
from models.catalog import INDICATORS, SECTION_LABELS_JA, SHEETS, SheetSection
from models.config import TOKYO
from models.db import engine_scope, session_factory, session_scope
from models.fiscal import fiscal_months, fiscal_year_of
from models.locks import is_month_locked
from models.roles import Organisation, Role
from models.sheet.measure import display_width
from models.snapshots import close_month
from models.tables import Event, Staff, Ward

SEED = 7
HISTORY_YEARS = 7  # the history dataset: FY2017–2026, ten fiscal years at the --events dataset's volume a day
SMALL_EVENTS = 100_000  # the volume datasets (information): the same three fiscal years, fewer or more events a day
LARGE_EVENTS = 3_000_000  # measured too when its cached file exists (building it takes minutes)
RUNS = 9  # per request and size: the first is reported apart as "cold", the median is of the others
RENDER_RUNS = 5  # for a workbook or a chart (each takes up to seconds)
NOW = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 8, 0, tzinfo=TOKYO)  # before the 09:30 daily run
OPEN_MONTH = (2026, 10)  # locked by "today", but left without its snapshot: computed live, as before it locks
CLOSED_MONTH = (2026, 9)
IDLE_WORKER_ID = 8_900_000  # the dataset's own staff use 9_000_000 + n
LAPSED_SINCE = datetime(OPEN_MONTH[0], OPEN_MONTH[1], 1, tzinfo=TOKYO)  # a worker of years logged nothing since
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
FIRST_INDICATOR = indicator_label(INDICATORS[0], LJA)  # as the pickers name it (目標1 ①…)
SECOND_AREA_INDICATOR = INDICATORS[1].short_label  # /areas opens on 1-1; its button switches to 1-2
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
    """Totals: each indicator, its figure on the next line (a share without answers: 「—（効果あり0 ／ 回答0）」)."""
    body = replies[-1].text if replies else ""
    shown = [i.short_label for i in INDICATORS if re.search(rf"^{re.escape(i.short_label)}\n.*\d", body, re.M)]
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


def paged(title_key: str) -> Check:
    """A page of a long list (bot/long_answer.py): its title and page number, within Telegram's limit."""

    def check(replies: list[BotMessage]) -> str | None:
        body = replies[-1].text if replies else ""
        if _fragment(title_key) not in body or not re.search(r"[（(]\d+/\d+[）)]", body.splitlines()[0]):
            return f"expected a page of {title_key}"
        return None if telegram_length(body) <= TEXT_LIMIT else f"a page of {telegram_length(body)} characters"

    return check


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
    who: str  # "city", "ward" or "admin"
    action: str
    check: Check
    lead_up: tuple[str, ...] = ()
    renders: bool = False  # a workbook or a chart: built in the render pool, a looser absolute bound
    city_staff_only: bool = False  # needs the city-sized staff (a list long enough to page)

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
        "/missing 次へ ▶ (city)",
        "city",
        _button("button_page_next"),
        paged("missing_title"),
        ("/missing",),
        city_staff_only=True,
    ),
    Request("/staff (admin)", "admin", "/staff", says("staff_header")),
    Request("/staff 次へ ▶ (admin)", "admin", _button("button_page_next"), paged("staff_title"), ("/staff",)),
    Request(
        f"/reopen 区コード {CLOSED} 理由 (city)",
        "city",
        f"/reopen {WARD_CODE} {CLOSED} {REOPEN_REASON}",
        says("reopened"),
    ),
    *_both("/areas", "/areas", says("coverage_header")),
    *_both("/areas → ② (1-2)", SECOND_AREA_INDICATOR, says("coverage_header"), ("/areas",)),
    *_both("/totals 地域別", _button("button_coverage"), says("coverage_header"), ("/totals",)),
    *_both("/flagged", "/flagged", says("flagged_header", "flagged_none")),
    Request(f"/confirm {CLOSED} (ward)", "ward", f"/confirm {CLOSED}", says("approval_confirm_ask")),
    Request(f"/accept {CLOSED} (city)", "city", f"/accept {CLOSED}", says("approval_city_header")),
    *_both("/note", "/note", buttons("notes_choose_sheet", len(SHEETS))),
    *_both("/note → a section's bullets", FIRST_SECTION, bullets, ("/note", FIRST_SHEET)),
)
BASELINE = "/help (city)"


# --- one dataset, prepared and served by its own bot -------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Dataset:
    """A cached dataset: `events` over FY2024–2026 (its volume a day), and `history_years` fiscal years before;
    `workers_per_ward` workers a ward (the city-sized dataset: 18, about 450 staff)."""

    events: int
    history_years: int = 0
    workers_per_ward: int = WORKERS_PER_WARD

    @property
    def label(self) -> str:
        """`1M`; `1M/10y` for the same volume over ten fiscal years; `1M/city` with a city's staff."""
        if self.events % 1_000_000 == 0:
            volume = f"{self.events // 1_000_000}M"
        else:
            volume = f"{self.events // 1_000}k" if self.events % 1_000 == 0 else f"{self.events:,}"
        if self.city_staff:
            return f"{volume}/city"
        return f"{volume}/{self.fiscal_years}y" if self.history_years else volume

    @property
    def city_staff(self) -> bool:
        return self.workers_per_ward != WORKERS_PER_WARD

    def measures(self, request: Request) -> bool:
        return self.city_staff or not request.city_staff_only

    @property
    def first_fiscal_year(self) -> int:
        return FIRST_DAY.year - self.history_years

    @property
    def fiscal_years(self) -> int:
        return fiscal_year_of(LAST_DAY) - self.first_fiscal_year + 1

    @property
    def total_events(self) -> int:
        return total_events(self.events, self.history_years)


@dataclass
class Served:
    """One dataset: its bot, the two supervisors' chats, what went wrong, and the seconds per request."""

    dataset: Dataset
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
            raise SupervisorBenchBrokeError(f"{self.dataset.label}: {action!r}: {error}") from None

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
        where = f"{self.dataset.label}, {request.name}{' ' + step if step else ''}"
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


async def prepare(
    sessions: async_sessionmaker[AsyncSession], today: date, first_fiscal_year: int, city_staff: bool = False
) -> tuple[dict[str, int], str, str]:
    """The copy as production has it today (every locked month since `first_fiscal_year` closed, but the open one);
    the Telegram ids of the city supervisor, a ward supervisor and the admin, that ward's code and name. With a
    city's staff, most workers have logged nothing since LAPSED_SINCE (`_lapse_city`)."""
    async with session_scope(sessions) as session:
        for year, month in [m for fy in range(first_fiscal_year, fiscal_year_of(today) + 1) for m in fiscal_months(fy)]:
            if (year, month) != OPEN_MONTH and is_month_locked(year, month, today):
                await close_month(session, year, month)
        city = await _first(session, Role.CITY_SUPERVISOR)
        ward = await _first(session, Role.WARD_SUPERVISOR)
        admin = await _first(session, Role.ADMIN)
        assert ward.ward_code is not None
        ward_row = await session.get(Ward, ward.ward_code)
        assert ward_row is not None
        await _lapse(session, ward.ward_code)
        if city_staff:
            await _lapse_city(session)
        if await session.scalar(select(Staff).where(col(Staff.telegram_user_id) == IDLE_WORKER_ID)) is None:
            session.add(
                Staff(
                    telegram_user_id=IDLE_WORKER_ID,
                    display_name="未記録 職員",
                    role=Role.WORKER,
                    organisation=Organisation.WATCH_OFFICE,
                    ward_code=ward.ward_code,
                )
            )
    ids = {"city": city.telegram_user_id, "ward": ward.telegram_user_id, "admin": admin.telegram_user_id}
    return ids, ward_row.code, ward_row.name_ja


async def _lapse(session: AsyncSession, ward_code: str) -> None:
    """The ward's first worker has logged for years but nothing since LAPSED_SINCE (what they logged since is the
    next worker's): /missing lists them with the day of their last entry, found among all they ever logged."""
    workers = list(
        await session.scalars(
            select(col(Staff.id))
            .where(col(Staff.role) == Role.WORKER, col(Staff.ward_code) == ward_code, col(Staff.active))
            .where(col(Staff.telegram_user_id) != IDLE_WORKER_ID)
            .order_by(col(Staff.id))
            .limit(2)
        )
    )
    if len(workers) < 2:
        raise SupervisorBenchBrokeError(f"the dataset has fewer than two workers in {ward_code}")
    lapsed, colleague = workers
    await session.execute(
        update(Event)
        .where(col(Event.logged_by_staff_id) == lapsed, col(Event.logged_at) >= LAPSED_SINCE)
        .values(logged_by_staff_id=colleague)
    )


async def _lapse_city(session: AsyncSession) -> None:
    """In every ward, all workers but the last have logged nothing since LAPSED_SINCE (the last has logged what they
    did): as in the first days of a month, before anyone has reported, the city's /missing lists about 400 people."""
    workers = await session.execute(
        select(col(Staff.ward_code), col(Staff.id))
        .where(col(Staff.role) == Role.WORKER, col(Staff.active), col(Staff.telegram_user_id) != IDLE_WORKER_ID)
        .order_by(col(Staff.ward_code), col(Staff.id))
    )
    by_ward: dict[str | None, list[int]] = {}
    for ward_code, staff_id in workers.all():
        if staff_id is not None:
            by_ward.setdefault(ward_code, []).append(staff_id)
    for *lapsed, colleague in by_ward.values():
        await session.execute(
            update(Event)
            .where(col(Event.logged_by_staff_id).in_(lapsed), col(Event.logged_at) >= LAPSED_SINCE)
            .values(logged_by_staff_id=colleague)
        )


async def _first(session: AsyncSession, role: Role) -> Staff:
    """The dataset's first active member in this role (the dataset gives each a Telegram id)."""
    staff = await session.scalar(
        select(Staff).where(col(Staff.role) == role, col(Staff.active)).order_by(col(Staff.id)).limit(1)
    )
    if staff is None:
        raise SupervisorBenchBrokeError(f"the dataset has no active {role}")
    return staff


@asynccontextmanager
async def serve(url: str, dataset: Dataset) -> AsyncIterator[Served]:
    """The prepared dataset at `url` (a copy: it is written to) served by a started bot, its render pool warm."""
    async with engine_scope(url) as engine:
        sessions = session_factory(engine)
        ids, ward_code, ward_name = await prepare(sessions, NOW.date(), dataset.first_fiscal_year, dataset.city_staff)
        api = InProcessBotApi()
        app = build_application(Runtime(bench_settings(), sessions), TOKEN, request=api, rate_limited=False)
        async with running(app):
            chats = {
                who: ChatSession(app, api, user_id, first_name=who, settle_timeout=SETTLE_SECONDS)
                for who, user_id in ids.items()
            }
            served = Served(dataset, app, api, chats, ward_code, ward_name)
            app.add_error_handler(served.record_error)
            await app.bot_data[RENDER_POOL].run(os.getpid)  # the worker process started: not any request's cost
            yield served


async def measure(urls: dict[Dataset, str], runs: int | None = None) -> list[Served]:
    """Every request `runs` times (by default its own number) on each prepared copy (dataset → URL), the datasets
    taking turns."""
    with time_machine.travel(NOW):
        async with AsyncExitStack() as stack:
            served = [await stack.enter_async_context(serve(url, dataset)) for dataset, url in sorted(urls.items())]
            for request in REQUESTS:
                for run in range(runs or request.runs):
                    for one in served[run % len(served) :] + served[: run % len(served)]:
                        if one.dataset.measures(request):
                            await one.request(request)
    return served


# --- the benchmark --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What is measured: the judged pair (the --events dataset, and the same volume with more history), the
    city-sized one (the --events dataset's volume with a city's ~450 staff: judged against the absolute bounds) and
    the volume datasets (the same fiscal years, fewer or more events a day: printed, not judged)."""

    main: Dataset
    history: Dataset
    volume: list[Dataset]
    city: Dataset

    @property
    def datasets(self) -> list[Dataset]:
        return sorted({self.main, self.history, *self.volume, self.city})


def plan(events: int) -> Plan:
    """--events against HISTORY_YEARS more of it; 100,000, --events and 3,000,000 (when its file is cached)."""
    volume = {Dataset(SMALL_EVENTS), Dataset(events)}
    if cache_path(LARGE_EVENTS, SEED).exists():
        volume.add(Dataset(LARGE_EVENTS))
    city = Dataset(events, workers_per_ward=CITY_WORKERS_PER_WARD)
    return Plan(Dataset(events), Dataset(events, HISTORY_YEARS), sorted(volume), city)


async def run(events: int, store: Store = SQLITE) -> dict[str, dict[str, float]]:
    """The medians (ms) per request and dataset label, printed as a table with the targets."""
    started = time.perf_counter()
    chosen = plan(events)
    with quiet_logging():
        async with AsyncExitStack() as copies:
            urls: dict[Dataset, str] = {}
            for dataset in chosen.datasets:  # copies: the cached dataset is never written to
                shape = (dataset.events, SEED, dataset.history_years, dataset.workers_per_ward)
                urls[dataset] = await copies.enter_async_context(store.copy(*shape))
            served = await measure(urls)
    medians = {r.name: {s.dataset: _median_ms(s.times[r.name]) for s in served if r.name in s.times} for r in REQUESTS}
    _print(served, chosen, medians, time.perf_counter() - started, store)
    return {name: {dataset.label: ms for dataset, ms in row.items()} for name, row in medians.items()}


def _median_ms(seconds: list[float]) -> float:
    """The median of the runs after the first (all of them when there is only one)."""
    return 1000 * statistics.median(seconds[1:] or seconds)


def _growth_verdict(before_ms: float, after_ms: float) -> str:
    if after_ms / before_ms <= TARGET_GROWTH:
        return "PASS"
    return "PASS~" if after_ms - before_ms < NOISE_MS else "MISS"


def _pad(name: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (full-width characters take two)."""
    return name + " " * max(0, width - display_width(name))


def _print(
    served: list[Served], chosen: Plan, medians: dict[str, dict[Dataset, float]], seconds: float, store: Store
) -> None:
    shown = [s.dataset for s in served]
    main, history, city = chosen.main, chosen.history, chosen.city
    small, large = chosen.volume[0], chosen.volume[-1]
    compare_volume = small != large
    width = 2 + max(len(f"{d.label} cold") for d in shown)
    per_dataset = "".join(f"{d.label + ' cold':>{width}}{d.label + ' med':>{width}}" for d in shown)
    history_ratio, volume_ratio = f"{history.label}÷{main.label}", f"{large.label}÷{small.label}"
    staff_ratio = f"{city.label}÷{main.label}"
    last_year = fiscal_year_of(LAST_DAY)
    lines = [
        f"supervisors: every request a supervisor can make, end to end through the bot (in-process Bot API, "
        f"{store.label} copies of the cached datasets, clock at {NOW:%Y-%m-%d %H:%M} JST); per request and dataset the "
        f"first run (cold) and the median of the next {RUNS - 1} ({RENDER_RUNS - 1} for workbooks and charts), in ms",
        *(
            f"  {d.label:>8}: {d.total_events:>9,} events over FY{d.first_fiscal_year}–{last_year}{_about(d, main)}"
            for d in shown
        ),
        f"  {_pad('request', 40)}{per_dataset}{history_ratio:>{len(history_ratio) + 2}}  history"
        + (f"{volume_ratio:>{len(volume_ratio) + 2}} volume" if compare_volume else "")
        + f"{f'{main.label} bound':>12}  abs {'÷/help':>7}{staff_ratio:>{len(staff_ratio) + 2}}"
        + f"{f'{city.label} bound':>{len(city.label) + 8}}",
    ]
    baseline = medians[BASELINE][main]
    for request in REQUESTS:
        row = medians[request.name]
        colds = {s.dataset: 1000 * s.times[request.name][0] for s in served if request.name in s.times}
        cells = "".join(_cell(colds.get(d), width) + _cell(row.get(d), width) for d in shown)
        volume_cell = _cell(_ratio(row, small, large), len(volume_ratio) + 2, ".2f") + " " * 7 if compare_volume else ""
        judged = main if main in row else city
        lines.append(
            f"  {_pad(request.name, 40)}{cells}{_cell(_ratio(row, main, history), len(history_ratio) + 2, '.2f')}  "
            f"{_growth_verdict(row[main], row[history]) if main in row else '':<7}{volume_cell}"
            f"{f'< {request.bound_ms / 1000:.0f} s':>12}  {_bound_verdict(row, judged, request):<4}"
            f"{row[judged] / baseline:>8.1f}{_cell(_ratio(row, main, city), len(staff_ratio) + 2, '.2f')}"
            f"{_bound_verdict(row, city, request):>{len(city.label) + 8}}"
        )
    grown = [
        r.name
        for r in REQUESTS
        if main in medians[r.name] and _growth_verdict(medians[r.name][main], medians[r.name][history]) == "MISS"
    ]
    slow = [r.name for r in REQUESTS if medians[r.name].get(main, 0.0) >= r.bound_ms]
    slow_city = [r.name for r in REQUESTS if medians[r.name][city] >= r.bound_ms]
    lines += [
        f"  history growth ({history.label} median ÷ {main.label} median: {history.fiscal_years} fiscal years against "
        f"{main.fiscal_years}, as many events a day) <= {TARGET_GROWTH} for every request: "
        f"{'MISS: ' + ', '.join(grown) if grown else 'PASS'}",
        f"    (PASS~: over {TARGET_GROWTH} but less than {NOISE_MS:.0f} ms apart, about one /help: the machine's "
        "wobble, not growth)",
    ]
    if compare_volume:
        volume_grown = [
            f"{r.name} {medians[r.name][large] / medians[r.name][small]:.2f}×"
            for r in REQUESTS
            if large in medians[r.name] and _growth_verdict(medians[r.name][small], medians[r.name][large]) == "MISS"
        ]
        lines.append(
            f"  volume growth ({volume_ratio}: the same {main.fiscal_years} fiscal years, "
            f"{large.events / small.events:.0f}× the events a day; per-month volume, not judged) over {TARGET_GROWTH} "
            f"and {NOISE_MS:.0f} ms apart: {', '.join(volume_grown) if volume_grown else 'none'}"
        )
    lines += [
        f"  at {main.label}: < {TARGET_MS / 1000:.0f} s, workbooks and charts < {TARGET_RENDER_MS / 1000:.0f} s: "
        f"{'MISS: ' + ', '.join(slow) if slow else 'PASS'}",
        f"  at {city.label} (a city's staff, most not reported yet; {staff_ratio} printed, not judged): "
        f"< {TARGET_MS / 1000:.0f} s, workbooks and charts < {TARGET_RENDER_MS / 1000:.0f} s: "
        f"{'MISS: ' + ', '.join(slow_city) if slow_city else 'PASS'}",
        f"  baseline /help (city) at {main.label}: {baseline:.1f} ms (the framework and our guard); every reply "
        "checked (figures, documents, photos, menus, pages within Telegram's limits; no error, refusal or handler "
        f"exception); whole run {seconds:.0f} s",
    ]
    print("\n".join(lines))


def _about(dataset: Dataset, main: Dataset) -> str:
    if dataset.city_staff:
        return f" ({CITY_WORKERS_PER_WARD + 1} staff a ward, {main.label}'s events: a city's size)"
    return f" (as many a day as {main.label}'s: more history)" if dataset.history_years else ""


def _ratio(row: dict[Dataset, float], before: Dataset, after: Dataset) -> float | None:
    return row[after] / row[before] if before in row and after in row else None


def _cell(value: float | None, width: int, format_spec: str = ".1f") -> str:
    """A figure right-aligned in `width`; a dash where the dataset did not measure the request."""
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{format_spec}}"


def _bound_verdict(row: dict[Dataset, float], dataset: Dataset, request: Request) -> str:
    return "PASS" if row[dataset] < request.bound_ms else "MISS"


def verdicts(medians: dict[str, dict[str, float]]) -> list[Verdict]:
    """Per request: the median at --events against its bound, and the history growth (ten years ÷ three)."""
    labels = {label for row in medians.values() for label in row}
    history = next(label for label in labels if label.endswith(f"/{HISTORY_YEARS + 3}y"))
    main = history.split("/")[0]
    rows = []
    for request in REQUESTS:
        row = medians[request.name]
        if main not in row:
            continue
        growth = row[history] / row[main]
        ok = row[main] < request.bound_ms and _growth_verdict(row[main], row[history]) != "MISS"
        goal = f"< {request.bound_ms / 1000:.0f} s, ×≤{TARGET_GROWTH}"
        rows.append(Verdict(request.name, f"{row[main]:.0f} ms ×{growth:.2f}", goal, ok))
    return rows
