"""The logging mix the intake benchmarks drive: simulated workers of the 24 wards sending a realistic mix of full
logging flows through the real bot (`Users`, `IntakeDriver`), and what one pass measured (`Pass`). Shared by
`intake_bench` (the bot alone) and `push_bench` (the bot while the monthly push goes out)."""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from random import Random
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select
from telegram import Update

from bot.offline.chat import ChatSession
from bot.offline.fake_api import AnyApplication, BotMessage, InProcessBotApi, JSONDict
from bot.texts import text
from models.catalog import KINDS_BY_CODE
from models.db import session_scope
from models.roles import Organisation, Role
from models.tables import Staff, Ward

SEED = 7
STAFF = 200
FIRST_TELEGRAM_ID = 8_100_000  # the cached dataset's own staff use 9_000_000 + n
HOUSEHOLDS_PER_WARD = 400  # typed household codes repeat, so some entries hit "already counted this year"
SLOW_SECONDS = 0.1
LJA = "ja"
SAVE = text("button_save", LJA)
TODAY = text("button_today", LJA)
NEW_HOUSEHOLD = text("button_new_household", LJA)
ANY_AREA = "<any area on the first page>"  # placeholders resolved while the flow runs
TYPED_HOUSEHOLD = "<a household code of the member's ward>"


class BenchmarkBrokeError(RuntimeError):
    """The bot did not do the work the benchmark drives: the timings would describe something else."""


# --- the flows ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str  # "send" (typed text) or "press" (an inline button by label)
    value: str
    name: str  # for the per-step breakdown


@dataclass(frozen=True)
class Flow:
    name: str
    share: float
    steps: tuple[Step, ...]


def _send(value: str, name: str) -> Step:
    return Step("send", value, name)


def _press(value: str, name: str) -> Step:
    return Step("press", value, name)


def _area_flow(kind: str, share: float) -> Flow:
    label = KINDS_BY_CODE[kind].label_ja
    return Flow(
        kind,
        share,
        (
            _send("/log", "/log"),
            _press(label, "kind (area kinds)"),
            _press(ANY_AREA, "area"),
            _press(TODAY, "date"),
            _press(SAVE, f"save {kind}"),
        ),
    )


# What workers log most (see bot.offline.synthetic.KIND_MIX): outreach and consultations, by their 4-tap shortcuts.
FLOWS: tuple[Flow, ...] = (
    Flow(
        "outreach",
        0.35,
        (_send("/outreach", "/outreach"), _press(TODAY, "date"), _press("1", "count"), _press(SAVE, "save outreach")),
    ),
    Flow(
        "watch_consultation",
        0.35,
        (
            _send("/consult", "/consult"),
            _press(TODAY, "date"),
            _press("1", "count"),
            _press(SAVE, "save watch_consultation"),
        ),
    ),
    _area_flow("area_meeting", 0.08),
    _area_flow("concern_report", 0.07),
    Flow(
        "participation_link",
        0.10,
        (
            _send("/participation", "/participation"),
            _send(TYPED_HOUSEHOLD, "household (typed)"),
            _press(TODAY, "date"),
            _press(SAVE, "save participation_link"),
        ),
    ),
    Flow(
        "participation_link (new code)",
        0.05,
        (
            _send("/participation", "/participation"),
            _press(NEW_HOUSEHOLD, "household (new code)"),
            _press(TODAY, "date"),
            _press(SAVE, "save participation_link"),
        ),
    ),
)
FLOW_CUM_WEIGHTS = [sum(flow.share for flow in FLOWS[: n + 1]) for n in range(len(FLOWS))]


@dataclass(frozen=True)
class Sent:
    """One update as the users sent it, replayed to the baselines: who, a text or a button's callback data."""

    user: int
    action: str
    payload: str


@dataclass
class Pass:
    """One timed pass: seconds per process_update, each update's step name, and the pass's wall time."""

    label: str
    times: list[float] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    wall: float = 0.0
    flows_completed: int = 0

    @property
    def updates(self) -> int:
        return len(self.times)

    @property
    def per_second(self) -> float:
        return self.updates / self.wall

    @property
    def wall_ms_per_update(self) -> float:
        return 1000 * self.wall / self.updates

    @property
    def p50_ms(self) -> float:
        return 1000 * percentile(self.times, 0.50)

    @property
    def p99_ms(self) -> float:
        return 1000 * percentile(self.times, 0.99)

    @property
    def max_ms(self) -> float:
        return 1000 * max(self.times)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.times)

    @property
    def in_process_update(self) -> float:
        """Share of the wall time spent inside process_update (the rest: driver, persistence flushes)."""
        return sum(self.times) / self.wall

    def by_step(self) -> dict[str, list[float]]:
        grouped: dict[str, list[float]] = defaultdict(list)
        for name, seconds in zip(self.steps, self.times, strict=True):
            grouped[name].append(seconds)
        return dict(grouped)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- driving the bots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    telegram_user_id: int
    name: str
    ward: str


class Users:
    """The staff as Telegram users of one bot: a chat each, and the update JSON their actions produce."""

    def __init__(self, app: AnyApplication, api: InProcessBotApi, members: list[Member]) -> None:
        self.app, self.api, self.members = app, api, members
        self.chats = [ChatSession(app, api, m.telegram_user_id, first_name=m.name) for m in members]
        self.query_ids: list[str] = []
        self.errors: list[BaseException] = []
        app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    def message(self, user: int, typed: str) -> JSONDict:
        return {"update_id": self.api.next_update_id(), "message": self.chats[user].build_message(typed)}

    def press(self, user: int, data: str, target: BotMessage) -> JSONDict:
        """A button press on `target` as Telegram delivers it (as ChatSession.press_data builds it)."""
        chat = self.chats[user]
        query_id = self.api.next_callback_query_id()
        self.api.register_callback_query(query_id, chat.chat_id)
        self.query_ids.append(query_id)
        query = {
            "id": query_id,
            "from": dict(chat.user),
            "chat_instance": f"{abs(chat.chat_id) * 31 + 7}",
            "data": data,
            "message": target.raw,
        }
        return {"update_id": self.api.next_update_id(), "callback_query": query}

    def last(self, user: int) -> BotMessage:
        message = self.chats[user].last
        if message is None:
            raise BenchmarkBrokeError(f"user {user}: the bot has sent nothing to press a button on")
        return message

    async def process(self, update_json: JSONDict) -> float:
        """Seconds spent in process_update (parsing the JSON is the transport's work, done before)."""
        update = Update.de_json(update_json, self.app.bot)
        started = time.perf_counter()
        await self.app.process_update(update)
        return time.perf_counter() - started

    def check(self) -> None:
        if self.errors:
            raise BenchmarkBrokeError(f"{len(self.errors)} handler errors, the first: {self.errors[0]!r}")
        unanswered = [query_id for query_id in self.query_ids if not self.api.is_answered(query_id)]
        if unanswered:
            raise BenchmarkBrokeError(f"{len(unanswered)} button presses were never answered")


class IntakeDriver:
    """Runs full logging flows of random users through our bot, recording what was sent for the baselines.

    State carries over between `run` calls, so a warm-up can leave conversations in flight for the measured pass.
    """

    def __init__(self, users: Users, rng: Random, trace: list[Sent] | None = None) -> None:
        self.users, self.rng, self.trace = users, rng, trace
        self.pending: list[deque[Step]] = [deque() for _ in users.members]

    async def run(self, label: str, updates: int) -> Pass:
        measured = Pass(label)
        started = time.perf_counter()
        for _ in range(updates):
            await self.step(measured)
        await self.users.app.update_persistence()  # what the pass left for the next flush is part of its cost
        measured.wall = time.perf_counter() - started
        return measured

    async def step(self, measured: Pass) -> None:
        """One update of a random user's flow, timed into `measured`."""
        user = self.rng.randrange(len(self.pending))
        if not self.pending[user]:
            flow = self.rng.choices(FLOWS, cum_weights=FLOW_CUM_WEIGHTS)[0]
            self.pending[user].extend(flow.steps)
        step = self.pending[user].popleft()
        update_json = self._update_for(user, step)
        measured.times.append(await self.users.process(update_json))
        measured.steps.append(step.name)
        if step.name.startswith("save"):
            self._check_saved(user)
            measured.flows_completed += 1

    def _update_for(self, user: int, step: Step) -> JSONDict:
        if step.action == "send":
            typed = step.value
            if typed == TYPED_HOUSEHOLD:
                typed = f"{self.users.members[user].ward}-H{self.rng.randint(1, HOUSEHOLDS_PER_WARD):05d}"
            self._record(user, "send", typed)
            return self.users.message(user, typed)
        target = self.users.last(user)
        try:
            if step.value == ANY_AREA:
                areas = [b for row in target.buttons for b in row if (b.callback_data or "").startswith("log:area:")]
                data = self.rng.choice(areas).callback_data if areas else None
            else:
                data = target.button(step.value).callback_data
        except AssertionError as error:
            raise BenchmarkBrokeError(f"user {user} at step {step.name!r}: {error}") from None
        if data is None:
            raise BenchmarkBrokeError(f"user {user} at step {step.name!r}: no button on {target.text[:60]!r}")
        self._record(user, "press", data)
        return self.users.press(user, data, target)

    def _record(self, user: int, action: str, payload: str) -> None:
        if self.trace is not None:
            self.trace.append(Sent(user, action, payload))

    def _check_saved(self, user: int) -> None:
        reply = self.users.last(user).text
        if not reply.startswith("保存しました"):
            raise BenchmarkBrokeError(f"user {user}: save answered {reply[:80]!r}")


async def replay(users: Users, label: str, sent: list[Sent]) -> Pass:
    """The same updates (texts and presses, same users, same order) to a baseline bot."""
    measured = Pass(label)
    started = time.perf_counter()
    for item in sent:
        if item.action == "send":
            update_json = users.message(item.user, item.payload)
        else:
            update_json = users.press(item.user, item.payload, users.last(item.user))
        measured.times.append(await users.process(update_json))
        measured.steps.append(item.action)
    await users.app.update_persistence()
    measured.wall = time.perf_counter() - started
    return measured


# --- our bot --------------------------------------------------------------------------------------------------


async def add_members(sessions: async_sessionmaker[AsyncSession]) -> list[Member]:
    """~200 registered workers over the 24 wards, mostly of the watch offices (who log outreach and consultations)."""
    organisations = (
        Organisation.WATCH_OFFICE,
        Organisation.WATCH_OFFICE,
        Organisation.WATCH_OFFICE,
        Organisation.WARD_COUNCIL,
        Organisation.HEALTH_CENTRE,
    )
    async with session_scope(sessions) as session:
        wards = list((await session.scalars(select(col(Ward.code)).order_by(col(Ward.code)))).all())
        members = [Member(FIRST_TELEGRAM_ID + n, f"ベンチ職員{n:03d}", wards[n % len(wards)]) for n in range(STAFF)]
        session.add_all(
            Staff(
                telegram_user_id=m.telegram_user_id,
                display_name=m.name,
                role=Role.WORKER,
                organisation=organisations[n % len(organisations)],
                ward_code=m.ward,
            )
            for n, m in enumerate(members)
        )
    return members
