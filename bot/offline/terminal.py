"""`intake demo`: the real bot Application on the in-process Bot API double, as a chat in the terminal.

Nothing goes over the network. Typed lines become real Telegram updates (`ChatSession`) and run through the same
guard, handlers, persistence and database as in production; the bot's answers are printed instead of sent to a phone.
The database is the configured one, so `intake totals` sees what was logged here.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import itertools
import re
import sys
import threading
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random

from sqlalchemy import func, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.chat import ChatSession
from bot.offline.fake_api import ApiCall, BotMessage, Button, InProcessBotApi
from bot.texts import role_label
from models.catalog import EVENT_KINDS, KINDS_BY_CODE, EventKind, Organisation, Requirement, Role
from models.config import TOKYO, Settings
from models.db import make_engine, prepare_database, session_factory, session_scope
from models.entries import HOUSEHOLD_ALPHABET
from models.events import EventDraft, draft_problems
from models.fiscal import fiscal_year_of, fiscal_year_start, is_business_day
from models.fiscal import today as japan_today
from models.staff import staff_by_telegram_id
from models.tables import Area, AuditEntry, Event, Staff, Ward, utcnow

InputFn = Callable[[str], str]
OutputFn = Callable[[str], None]

DEMO_TOKEN = "7000000001:DEMO-OFFLINE"  # never leaves the process: the double answers every request
DEMO_EVENTS = 2400  # about 100 per ward over two fiscal years: enough for plausible totals, seeded in a second
DEMO_SEED = 2025
# Above Telegram's id range (< 2**52), so a demo person can never be a real account, whatever database is used.
DEMO_USER_IDS = (9_000_000_000_000_001, 9_000_000_000_000_002, 9_000_000_000_000_003)
FILES_DIR = Path("data/demo-files")


# ---- who the terminal user can be ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    """One of the demo's staff members; `key` is what `:as` and `--as` take."""

    key: str
    telegram_user_id: int
    display_name: str
    role: Role
    organisation: Organisation
    ward_code: str | None


DEMO_CAST: tuple[DemoPerson, ...] = (
    DemoPerson("worker", DEMO_USER_IDS[0], "デモ 花子", Role.WORKER, Organisation.WATCH_OFFICE, "27102"),
    DemoPerson("ward", DEMO_USER_IDS[1], "デモ 太郎", Role.WARD_SUPERVISOR, Organisation.WARD_COUNCIL, "27102"),
    DemoPerson("city", DEMO_USER_IDS[2], "デモ 一郎", Role.CITY_SUPERVISOR, Organisation.CITY, None),
)
PERSON_KEYS = tuple(person.key for person in DEMO_CAST)


@dataclass(frozen=True)
class DemoPeople:
    """The demo's staff rows, and how many demo events this start added (0 when there were events already)."""

    worker: Staff
    ward_supervisor: Staff
    city_supervisor: Staff
    events_added: int = 0

    def by_key(self, key: str) -> Staff:
        return {"worker": self.worker, "ward": self.ward_supervisor, "city": self.city_supervisor}[key]


# ---- seeding --------------------------------------------------------------------------------------------------

# Share of each kind in what the city logs: casework dominates, meetings and surveys are rare.
KIND_WEIGHTS: dict[str, int] = {
    "outreach": 30,
    "watch_consultation": 28,
    "concern_report": 8,
    "complex_intake": 6,
    "participation_link": 6,
    "watch_office_link": 5,
    "area_meeting": 5,
    "roster_provision": 3,
    "missing_alert_registration": 3,
    "agency_survey": 2,
    "tsunagaru_meeting": 2,
    "sv_dispatch": 1,
    "training_session": 1,
}
NON_BUSINESS_DAY_WEIGHT = 0.1  # a little outreach still happens at weekends
OPTIONAL_HOUSEHOLD_SHARE = 0.3
HOUSEHOLD_REUSE_SHARE = 0.35  # a household visited again, or connected to a second place
SURVEY_YES_SHARE = 0.8
NOTE_SHARE = 0.04
NOTES = ("定例会にて共有", "電話で対応", "訪問時に不在", "関係機関と調整中", "次回訪問予定")


@dataclass(frozen=True)
class _World:
    """What demo events are drawn from: wards by population, their areas, and the days up to today."""

    wards: list[str]
    ward_cum_weights: list[float]
    areas: dict[str, list[int]]
    days: list[date]
    day_cum_weights: list[float]


async def seed_demo(sessions: async_sessionmaker[AsyncSession], today: date, events: int = DEMO_EVENTS) -> DemoPeople:
    """Make sure the demo people exist; fill an empty events table with `events` demo events. Safe to rerun."""
    async with session_scope(sessions) as session:
        worker, ward_supervisor, city_supervisor = [await _ensure_person(session, person) for person in DEMO_CAST]
        added = 0
        if events > 0 and not await session.scalar(select(func.count()).select_from(Event)):
            world = await _load_world(session, today)
            added = await _insert_events(session, demo_drafts(world, events, Random(DEMO_SEED)), world, today)
    return DemoPeople(worker, ward_supervisor, city_supervisor, events_added=added)


async def _ensure_person(session: AsyncSession, person: DemoPerson) -> Staff:
    """The demo person's staff row, created or put back as the demo expects (a previous run may have changed it)."""
    staff = await staff_by_telegram_id(session, person.telegram_user_id, active_only=False)
    if staff is None:
        staff = Staff(telegram_user_id=person.telegram_user_id, display_name=person.display_name, role=person.role,
                      organisation=person.organisation, ward_code=person.ward_code)  # fmt: skip
        session.add(staff)
        await session.flush()
        detail = {"role": person.role.value, "ward": person.ward_code}
        session.add(AuditEntry(actor_staff_id=staff.id, actor="demo", action="register", entity="staff",
                               entity_id=str(staff.id), detail=detail))  # fmt: skip
        return staff
    staff.display_name, staff.role, staff.organisation = person.display_name, person.role, person.organisation
    staff.ward_code, staff.active, staff.deactivated_at = person.ward_code, True, None
    await session.flush()  # SQLAlchemy writes only the columns that really changed
    return staff


async def _load_world(session: AsyncSession, today: date) -> _World:
    wards = list((await session.scalars(select(Ward).order_by(col(Ward.code)))).all())
    areas: dict[str, list[int]] = {}
    for area in (await session.scalars(select(Area).where(col(Area.active)).order_by(col(Area.code)))).all():
        assert area.id is not None
        areas.setdefault(area.ward_code, []).append(area.id)
    first = fiscal_year_start(fiscal_year_of(today) - 1)  # the previous fiscal year and this one, up to today
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    day_weights = [1.0 if is_business_day(day) else NON_BUSINESS_DAY_WEIGHT for day in days]
    return _World(
        wards=[ward.code for ward in wards],
        ward_cum_weights=list(accumulate(float(ward.population_2020 or 1) for ward in wards)),
        areas=areas,
        days=days,
        day_cum_weights=list(accumulate(day_weights)),
    )


def demo_drafts(world: _World, count: int, rng: Random) -> list[EventDraft]:
    """`count` deterministic drafts; the first ones go through every kind, so each kind appears at least once."""
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    households: dict[str, list[str]] = {}
    drafts: list[EventDraft] = []
    for number in range(count):
        kind = EVENT_KINDS[number].code if number < len(EVENT_KINDS) else rng.choices(kinds, weights)[0]
        ward = rng.choices(world.wards, cum_weights=world.ward_cum_weights)[0]
        drafts.append(_draft(rng, world, KINDS_BY_CODE[kind], ward, households))
    return drafts


def _draft(rng: Random, world: _World, kind: EventKind, ward: str, households: dict[str, list[str]]) -> EventDraft:
    areas = world.areas.get(ward, [])
    if kind.area is Requirement.REQUIRED and not areas:  # no area master for this ward: log casework instead
        kind = KINDS_BY_CODE["outreach"]
    return EventDraft(
        kind=kind.code,
        occurred_on=_pick(rng, world.days, world.day_cum_weights),
        ward_code=ward,
        area_id=rng.choice(areas) if kind.area is Requirement.REQUIRED else None,
        household_ref=_household(rng, kind, ward, households),
        count=_count(rng, kind),
        answer=rng.random() < SURVEY_YES_SHARE if kind.takes_answer else None,
        note=rng.choice(NOTES) if rng.random() < NOTE_SHARE else None,
    )


def _pick(rng: Random, items: Sequence[date], cum_weights: Sequence[float]) -> date:
    return items[min(bisect_right(cum_weights, rng.random() * cum_weights[-1]), len(items) - 1)]


def _household(rng: Random, kind: EventKind, ward: str, households: dict[str, list[str]]) -> str | None:
    """A reference code as the bot issues them; households come back sometimes, across kinds too."""
    if kind.household is Requirement.NONE:
        return None
    if kind.household is Requirement.OPTIONAL and rng.random() >= OPTIONAL_HOUSEHOLD_SHARE:
        return None
    known = households.setdefault(f"{ward}:{kind.household}", [])  # connected households come back as connected
    if known and rng.random() < HOUSEHOLD_REUSE_SHARE:
        return rng.choice(known)
    code = f"{ward}-" + "".join(rng.choice(HOUSEHOLD_ALPHABET) for _ in range(6))
    known.append(code)
    return code


def _count(rng: Random, kind: EventKind) -> int:
    if not kind.takes_count:
        return 1
    if kind.code == "roster_provision":
        return rng.randint(5, 40)  # people on the roster handed to an area
    return rng.choices((1, 2, 3, 5), weights=(70, 18, 8, 4))[0]


async def _insert_events(session: AsyncSession, drafts: list[EventDraft], world: _World, today: date) -> int:
    """One bulk insert (record_event per row would take seconds), checked by the same rules as record_event."""
    ward_of_area = {area_id: ward for ward, ids in world.areas.items() for area_id in ids}
    rows = []
    for number, draft in enumerate(drafts, start=1):
        problems = [str(problem) for problem in draft_problems(draft, today)]
        if draft.area_id is not None and ward_of_area.get(draft.area_id) != draft.ward_code:
            problems.append("area_not_in_ward")
        if problems:
            raise ValueError(f"demo event {number} breaks the rules: {problems}")
        logged_at = min(datetime.combine(draft.occurred_on, time(17, 30), tzinfo=TOKYO), utcnow())
        rows.append({**draft.__dict__, "source": "demo", "idempotency_key": f"demo-{number}", "logged_at": logged_at})
    if rows:
        await session.execute(insert(Event), rows)
        session.add(AuditEntry(actor="demo", action="seed", entity="event", detail={"events": len(rows)}))
    return len(rows)


# ---- the terminal -----------------------------------------------------------------------------------------------

BANNER = (
    "見守り記録ボット オフラインデモ（Telegram 不要）",
    "Offline demo of the intake bot (no Telegram needed)",
    "",
    "文字を入力 → ボットに送信",
    "  type text to send it",
    "数字 N → 最新メッセージの [N] ボタン",
    "  （ボタンがなければメニューの N 番）",
    "  a number presses button [N] of the latest",
    "  message (or menu button N if it has none)",
    "a〜d → メニュー (a)〜(d) を押す",
    "  a letter presses that menu button",
    "'12 → 「12」を文字として送信",
    "  a leading ' sends the rest as typed",
    ":as worker|ward|city → 人を切り替え",
    "  switch the person you are",
    ":help → この説明 / this help",
    "/quit または Ctrl-D → 終了 / leave",
)
QUIT_COMMANDS = frozenset({"/quit", ":quit", ":q", "/exit", ":exit"})
BOT_MARK = "bot› "
EDITED_MARK = "(edited) "
MENU_LETTERS = "abcdefghijklmnopqrstuvwxyz"
ALERT_MARK = "(!) "
NO_ANSWER = "（応答なし / no answer）"
NUMBER = re.compile(r"[0-9０-９]{1,3}")


@dataclass
class _Terminal:
    """The person at the keyboard: who they are, their chats with the bot, and how the bot's answers are shown."""

    app: IntakeApplication
    api: InProcessBotApi
    people: DemoPeople
    output: OutputFn
    files_dir: Path = FILES_DIR
    current: str = "worker"
    chats: dict[str, ChatSession] = field(default_factory=dict)

    @property
    def chat(self) -> ChatSession:
        if self.current not in self.chats:
            staff = self.people.by_key(self.current)
            self.chats[self.current] = ChatSession(self.app, self.api, staff.telegram_user_id,
                                                   first_name=staff.display_name, language_code="ja")  # fmt: skip
        return self.chats[self.current]

    @property
    def prompt(self) -> str:
        return f"{self.current}> "

    def say(self, *lines: str) -> None:
        for line in lines:
            self.output(line)

    async def handle(self, line: str) -> bool:
        """One typed line; False when the person wants to leave."""
        line = line.strip()
        if line in QUIT_COMMANDS:
            return False
        if not line:
            return True
        if line.split(maxsplit=1)[0] == ":as":
            await self.switch(line.removeprefix(":as").strip())
        elif line == ":help":
            self.say(*BANNER)
        elif line.startswith("'"):
            await self.act(self.chat.send(line[1:]))
        elif NUMBER.fullmatch(line):
            await self.press_number(int(line))
        elif len(line) == 1 and line in MENU_LETTERS and self.menu_label(MENU_LETTERS.index(line) + 1):
            await self.press_menu(MENU_LETTERS.index(line) + 1)
        else:
            await self.act(self.chat.send(line))
        return True

    async def switch(self, key: str) -> None:
        if key not in PERSON_KEYS:
            self.say(f"使い方 / usage: :as {'|'.join(PERSON_KEYS)}")
            return
        self.current = key
        self.say(f"→ {describe(self.people.by_key(key))}")
        await self.act(self.chat.send("/start"))  # the greeting shows who answers, and brings the menu

    async def press_number(self, number: int) -> None:
        target = latest_with_buttons(self.chat.transcript)
        if target is None:
            await self.press_menu(number)
            return
        buttons = [button for row in target.buttons for button in row]
        if not 1 <= number <= len(buttons):
            self.say(f"ボタン [{number}] はありません / no button [{number}] ('{number} sends it as text)")
            return
        button = buttons[number - 1]
        if button.callback_data is None:
            self.say(f"リンク / link: {button.url}")
            return
        await self.act(self.chat.press_data(button.callback_data, target))

    def menu_label(self, number: int) -> str | None:
        labels = [label for row in self.api.current_keyboard(self.chat.chat_id) or [] for label in row]
        return labels[number - 1] if 1 <= number <= len(labels) else None

    async def press_menu(self, number: int) -> None:
        label = self.menu_label(number)
        if label is None:
            self.say(f"メニューに {number} 番はありません / the menu has no button {number}")
            return
        await self.act(self.chat.send(label))

    async def act(self, step: Awaitable[list[BotMessage]]) -> None:
        """Run one step, save the bot's state (as the running bot would), then show everything the bot did."""
        calls_before = len(self.api.calls)  # the step has not started yet: a coroutine runs only when awaited
        messages = await step
        await self.app.update_persistence()
        popups, shown = alerts(self.api.calls[calls_before:]), collapse(messages)
        if popups:
            self.say("", *popups)
        if not popups and not shown:
            self.say("", f"{BOT_MARK}{NO_ANSWER}")
        for message, edited in shown:
            stored = self.api.message(message.chat_id, message.message_id)
            if stored is not None and stored.deleted:
                self.say("", f"{BOT_MARK}(deleted)")
                continue
            saved = save_document(message, self.files_dir) if message.document or message.photo else None
            self.say("", *render(message, edited, saved))


def describe(staff: Staff) -> str:
    """`デモ 花子（職員・27102）/ worker` for the terminal."""
    where = staff.ward_code or "市"
    return f"{staff.display_name}（{role_label(staff.role, 'ja')}・{where}）/ {role_label(staff.role, 'en')}"


def latest_with_buttons(transcript: Sequence[BotMessage]) -> BotMessage | None:
    """The latest message with inline buttons, unless a newer message brought the menu (then numbers mean the menu)."""
    for message in reversed(transcript):
        if message.buttons:
            return message
        if message.keyboard:
            return None
    return None


def collapse(snapshots: Sequence[BotMessage]) -> list[tuple[BotMessage, bool]]:
    """Each message once, as it stands after the step, and whether it was only edited (sent in an earlier step)."""
    latest: dict[int, BotMessage] = {}
    sent_now: set[int] = set()
    for snapshot in snapshots:
        latest[snapshot.message_id] = snapshot  # a dict keeps the first position, so the order is sending order
        if snapshot.edit_count == 0:
            sent_now.add(snapshot.message_id)
    return [(message, message.message_id not in sent_now) for message in latest.values()]


def alerts(calls: Sequence[ApiCall]) -> list[str]:
    """Pop-up answers to button presses (a refused choice, an expired menu): on a phone they show over the chat."""
    return [
        f"{ALERT_MARK}{call.parameters['text']}"
        for call in calls
        if call.method == "answerCallbackQuery" and call.error_code is None and call.parameters.get("text")
    ]


def render(message: BotMessage, edited: bool, saved: Path | None = None) -> list[str]:
    """A bot message for a narrow terminal: text, then one line per row of numbered buttons, then the menu."""
    head = BOT_MARK + (EDITED_MARK if edited else "")
    body = message.text or message.caption or ""
    lines = (head + body).rstrip().splitlines()
    if message.document is not None:
        name, content = message.document
        lines.append(f"📎 {name}（{len(content):,} bytes）" + (f" → {saved}" if saved else ""))
    if message.photo is not None:
        lines.append(f"🖼 photo（{len(message.photo):,} bytes）" + (f" → {saved}" if saved else ""))
    lines += button_lines(message.buttons)
    lines += menu_lines(message.keyboard)
    return lines


def _numbered(rows: Sequence[Sequence[str]], mark: Callable[[int], str]) -> list[str]:
    """One line per row, each label behind its mark, counted in reading order across rows."""
    counter = itertools.count()
    return ["  ".join(f"{mark(next(counter))} {label}" for label in row) for row in rows]


def button_lines(rows: Sequence[Sequence[Button]]) -> list[str]:
    """`[1] label  [2] label`, numbered in reading order across rows."""
    return _numbered([[button.text for button in row] for row in rows], lambda index: f"[{index + 1}]")


def menu_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """`menu: (a) 📝 記録する  (b) …`, one line per keyboard row."""
    lines = _numbered(rows, lambda index: f"({MENU_LETTERS[index % len(MENU_LETTERS)]})")
    return [("menu: " if number == 0 else "      ") + line for number, line in enumerate(lines)]


def save_document(message: BotMessage, folder: Path) -> Path:
    """Keep a file or picture the bot sent where the person can open it (the name is reduced to its last part)."""
    if message.document is not None:
        name, content = message.document
    else:
        assert message.photo is not None
        name, content = f"chart-{message.message_id}.png", message.photo
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (Path(name).name or f"document-{message.message_id}")
    path.write_bytes(content)
    return path


# ---- the loop ---------------------------------------------------------------------------------------------------


async def read_line(input_fn: InputFn, prompt: str) -> str:
    """`input_fn(prompt)` in a daemon thread, so the bot's event loop keeps running while the person types.

    Not `asyncio.to_thread`: its worker thread is joined when `asyncio.run` ends, so after Ctrl-C the process would
    hang until Enter was pressed. A daemon thread still blocked in `input()` is simply left behind at exit.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if answer.done():  # the reader gave up (Ctrl-C) before the line came
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(line or "")

    def read() -> None:
        try:
            line, error = input_fn(prompt), None
        except BaseException as raised:  # EOFError and KeyboardInterrupt belong to the awaiting side
            line, error = None, raised
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody is waiting any more
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return await answer


async def run_demo(
    settings: Settings,
    input_fn: InputFn,
    output_fn: OutputFn,
    as_user: str = "worker",
    *,
    seed_events: int = DEMO_EVENTS,
    echo: bool | None = None,
    files_dir: Path = FILES_DIR,
) -> None:
    """Migrate, seed, and chat with the real bot in this terminal until /quit, Ctrl-D or Ctrl-C.

    `echo` prints each line read after the prompt (for piped input and scripts, where nothing else shows it);
    by default it is on unless the person types at a terminal.
    """
    if as_user not in PERSON_KEYS:
        raise ValueError(f"as_user must be one of {', '.join(PERSON_KEYS)}")
    if echo is None:
        echo = not (input_fn is builtins.input and sys.stdin.isatty())
    await prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        people = await seed_demo(sessions, japan_today(), seed_events)
        api = InProcessBotApi()
        app = build_application(Runtime(settings, sessions), DEMO_TOKEN, request=api, rate_limited=False)
        async with app:  # leaving it shuts the bot down, which writes conversation states and drafts
            terminal = _Terminal(app, api, people, output_fn, files_dir, as_user)
            terminal.say(*BANNER, "", *_status(settings, people, as_user))
            await terminal.act(terminal.chat.send("/start"))  # the greeting brings the main menu
            try:
                await _converse(terminal, input_fn, echo)
            finally:  # also after Ctrl-C, which cancels this task
                terminal.say("", "終了します / bye")
    finally:
        await engine.dispose()


def _status(settings: Settings, people: DemoPeople, as_user: str) -> list[str]:
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    lines = [f"データベース / database: {database}", "集計 / totals: intake totals --demo --json"]
    if people.events_added:
        lines.append(f"デモ記録を追加 / demo events added: {people.events_added:,}")
    lines.append(f"あなた / you: {describe(people.by_key(as_user))}")
    return lines


async def _converse(terminal: _Terminal, input_fn: InputFn, echo: bool) -> None:
    while True:
        prompt = terminal.prompt
        try:
            line = await read_line(input_fn, "" if echo else prompt)
        except (EOFError, KeyboardInterrupt):
            return
        if echo:
            terminal.say(prompt + line)
        if not await terminal.handle(line):
            return
