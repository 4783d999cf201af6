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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.chat import ChatSession
from bot.offline.demo_data import DEMO_EVENTS, PERSON_KEYS, DemoPeople, seed_demo
from bot.offline.fake_api import ApiCall, BotMessage, Button, InProcessBotApi
from bot.texts import EN, JA, role_label, text
from models.config import Settings
from models.db import make_engine, prepare_database, session_factory
from models.fiscal import today as japan_today
from models.tables import Staff

InputFn = Callable[[str], str]
OutputFn = Callable[[str], None]

DEMO_TOKEN = "7000000001:DEMO-OFFLINE"  # never leaves the process: the double answers every request
FILES_DIR = Path("data/demo-files")


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
    "件数を聞かれたら、数字はそのまま送信",
    "  where the bot asks for a number,",
    "  a number is sent as typed",
    "[N] → いつでも [N] ボタン",
    "  [N] always presses button [N]",
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
BRACKETED_NUMBER = re.compile(r"[\[［]([0-9０-９]{1,3})[\]］]")
# The bot's prompts that ask for a number (the count step): there a typed number is the person's answer, as on a
# phone, not the demo's shorthand for a button (「4」 would press [4], which is 5). [N] still presses a button.
NUMBER_PROMPTS = ("ask_count", "ask_count_people")


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
            self.chats[self.current] = ChatSession(
                self.app, self.api, staff.telegram_user_id, first_name=staff.display_name, language_code="ja"
            )
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
        elif bracketed := BRACKETED_NUMBER.fullmatch(line):
            await self.press_number(int(bracketed[1]))
        elif NUMBER.fullmatch(line) and asks_for_a_number(latest_with_buttons(self.chat.transcript)):
            await self.act(self.chat.send(line))
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


def asks_for_a_number(message: BotMessage | None) -> bool:
    """Whether the message is one of the bot's prompts for a number (after a notice, if one came first)."""
    prompts = [text(key, language) for key in NUMBER_PROMPTS for language in (JA, EN)]
    return message is not None and message.text.endswith(tuple(prompts))


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
