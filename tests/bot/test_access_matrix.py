"""Who may do what: every command and scoped button × every kind of person, through the real Application.

`MATRIX` below is the rule, written once; docs/privacy.md mirrors it. Each column (a kind of person) is one
test: its chat is set up once, then every row is performed in order and its answer classified into an
outcome key. A cell that differs fails the test, listing every differing cell with the answer it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication
from bot.offline.chat import ChatSession
from bot.offline.fake_api import BotMessage, InProcessBotApi
from bot.texts import text
from models.catalog import SheetSection
from models.db import session_scope
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.roles import Organisation, Role
from models.sheet.bullets import add_bullet
from models.staff import create_invite, deactivate_staff
from models.tables import Event, Staff
from tests.builders import NOW, add_staff, chat_as, stranger

WARD_A, WARD_B = "27102", "27103"  # 都島区, 福島区
DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"  # mirrors MATRIX (checked below)

# Outcomes:
#   ✓        the command's normal answer          ✓A / ✓B / ✓city  the normal answer, for 都島区 / 福島区 / the city
#   ✗role    「この操作は権限のある方のみ行えます。」
#   ✗sup     「集計は区・市の管理者の方が見られます…」
#   ✗scope   「No.N はあなたの担当範囲の記録ではありません。」
#   ✗choice  「その選択は使えません…」 (a button outside the presser's role or scope: forged callback data)
#   ✗ward    「区が設定されていないため記録できません…」 (city roles have no ward to log in)
#   ✗unreg   「申し訳ありません。このボットは登録された職員の方専用です…」 (never registered)
#   ✗off     「利用が停止されています…」 (deactivated)
#   ✗known   「このアカウントは登録済みです。」 (a deactivated account cannot register again)
#   ✗group   「…個別のチャットでのみ利用できます。」, and the bot leaves the group
#
# People: stranger (never registered); worker_A / worker_B (workers of 都島区 / 福島区); ward_sup_A (ward supervisor
# of 都島区); city_sup (city supervisor, no ward); admin (no ward); deactivated (a 都島区 worker after /deactivate);
# group (worker_A writing in a group chat). "own" is an entry the person logged; "colleague" one logged by another
# worker of the person's ward (都島区 for the city roles); "other ward" one of the other ward (福島区, or 都島区
# for worker_B).
MATRIX = """
| action                   | stranger | worker_A | worker_B | ward_sup_A | city_sup | admin   | deactivated | group  |
|--------------------------|----------|----------|----------|------------|----------|---------|-------------|--------|
| /start                   | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /help                    | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /cancel                  | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /log                     | ✗unreg   | ✓        | ✓        | ✓          | ✗ward    | ✗ward   | ✗off        | ✗group |
| /outreach                | ✗unreg   | ✓        | ✓        | ✓          | ✗ward    | ✗ward   | ✗off        | ✗group |
| /consult                 | ✗unreg   | ✓        | ✓        | ✓          | ✗ward    | ✗ward   | ✗off        | ✗group |
| /participation           | ✗unreg   | ✓        | ✓        | ✓          | ✗ward    | ✗ward   | ✗off        | ✗group |
| /mine                    | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /undo                    | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /reminders               | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| rem:pause (own)          | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /void own                | ✗unreg   | ✓        | ✓        | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /void colleague          | ✗unreg   | ✗scope   | ✗scope   | ✓          | ✓        | ✓       | ✗off        | ✗group |
| /void other ward         | ✗unreg   | ✗scope   | ✗scope   | ✗scope     | ✓        | ✓       | ✗off        | ✗group |
| /totals                  | ✗unreg   | ✗sup     | ✗sup     | ✓A         | ✓city    | ✓city   | ✗off        | ✗group |
| tot: 都島区              | ✗unreg   | ✗choice  | ✗choice  | ✓A         | ✓A       | ✓A      | ✗off        | ✗group |
| tot: 福島区 (forged)     | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓B       | ✓B      | ✗off        | ✗group |
| tot: city (forged)       | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓city    | ✓city   | ✗off        | ✗group |
| totw: wards (forged)     | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓        | ✓       | ✗off        | ✗group |
| totr: ranking (forged)   | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓        | ✓       | ✗off        | ✗group |
| /sheet                   | ✗unreg   | ✗sup     | ✗sup     | ✓A         | ✓city    | ✓city   | ✗off        | ✗group |
| /chart                   | ✗unreg   | ✗sup     | ✗sup     | ✓          | ✓        | ✓       | ✗off        | ✗group |
| chart:1-5 都島区 (forged) | ✗unreg   | ✗choice  | ✗choice  | ✓A         | ✓A       | ✓A      | ✗off        | ✗group |
| chart:1-5 福島区 (forged) | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓B       | ✓B      | ✗off        | ✗group |
| /missing                 | ✗unreg   | ✗role    | ✗role    | ✓          | ✓        | ✓       | ✗off        | ✗group |
| nudge: 福島区 (forged)   | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✓        | ✓       | ✗off        | ✗group |
| /note                    | ✗unreg   | ✗role    | ✗role    | ✓          | ✓        | ✓       | ✗off        | ✗group |
| note:del 福島区 (forged) | ✗unreg   | ✗choice  | ✗choice  | ✗choice    | ✗choice  | ✗choice | ✗off        | ✗group |
| /reopen                  | ✗unreg   | ✗role    | ✗role    | ✗role      | ✓        | ✓       | ✗off        | ✗group |
| /invite                  | ✗unreg   | ✗role    | ✗role    | ✗role      | ✗role    | ✓       | ✗off        | ✗group |
| /staff                   | ✗unreg   | ✗role    | ✗role    | ✗role      | ✗role    | ✓       | ✗off        | ✗group |
| /leave                   | ✗unreg   | ✗role    | ✗role    | ✗role      | ✗role    | ✓       | ✗off        | ✗group |
| /deactivate              | ✗unreg   | ✗role    | ✗role    | ✗role      | ✗role    | ✓       | ✗off        | ✗group |
| /health                  | ✗unreg   | ✗role    | ✗role    | ✗role      | ✗role    | ✓       | ✗off        | ✗group |
| /start CODE (invite)     | ✓        | ✓        | ✓        | ✓          | ✓        | ✓       | ✗known      | ✗group |
"""

pytestmark = pytest.mark.usefixtures("at_noon")


def parse_matrix(table: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The people (columns) and, per action (row), each person's expected outcome."""
    lines = [line.strip().strip("|") for line in table.strip().splitlines()]
    header, *rows = [[cell.strip() for cell in line.split("|")] for line in lines if not line.startswith("-")]
    people = header[1:]
    return people, {row[0]: dict(zip(people, row[1:], strict=True)) for row in rows}


PEOPLE, EXPECTED = parse_matrix(MATRIX)
OUTCOMES = {
    "✓",
    "✓A",
    "✓B",
    "✓city",
    "✗role",
    "✗sup",
    "✗scope",
    "✗choice",
    "✗ward",
    "✗unreg",
    "✗off",
    "✗known",
    "✗group",
}


@dataclass(frozen=True)
class Action:
    """A row: what the person sends (a message or forged callback data) and what its normal answer contains.

    `{own}`, `{colleague}`, `{other}`, `{leaver}`, `{bullet}` and `{invite}` are filled from the scene.
    """

    send: str = ""
    press: str = ""
    granted: tuple[str, ...] = ()
    scoped: bool = False  # the answer names its scope (都島区 / 福島区 / 大阪市)


ACTIONS: dict[str, Action] = {
    "/start": Action(send="/start", granted=("さん、こんにちは。",)),
    "/help": Action(send="/help", granted=("/outreach … アウトリーチを記録",)),
    "/cancel": Action(send="/cancel", granted=("中止する入力はありません。",)),
    "/log": Action(send="/log", granted=("何を記録しますか？",)),
    "/outreach": Action(send="/outreach", granted=("いつのことですか？",)),
    "/consult": Action(send="/consult", granted=("いつのことですか？",)),
    "/participation": Action(send="/participation", granted=("世帯の参照コードを入力してください",)),
    "/mine": Action(send="/mine", granted=("最近の記録（新しい順）:",)),
    "/undo": Action(send="/undo", granted=("10分以内に取り消せる記録はありません",)),
    "/reminders": Action(send="/reminders", granted=("次のリマインダー:",)),
    "rem:pause (own)": Action(press="rem:pause", granted=("次のリマインダー:",)),
    "/void own": Action(send="/void {own}", granted=("No.{own} を取り消す理由",)),
    "/void colleague": Action(send="/void {colleague}", granted=("No.{colleague} を取り消す理由",)),
    "/void other ward": Action(send="/void {other}", granted=("No.{other} を取り消す理由",)),
    "/totals": Action(send="/totals", granted=("2025（令和7）年度　令和7年11月27日時点",), scoped=True),
    "tot: 都島区": Action(
        press=f"tot:2025:now:{WARD_A}", granted=("2025（令和7）年度　令和7年11月27日時点",), scoped=True
    ),
    "tot: 福島区 (forged)": Action(
        press=f"tot:2025:now:{WARD_B}", granted=("2025（令和7）年度　令和7年11月27日時点",), scoped=True
    ),
    "tot: city (forged)": Action(
        press="tot:2025:now:city", granted=("2025（令和7）年度　令和7年11月27日時点",), scoped=True
    ),
    "totw: wards (forged)": Action(press="totw:2025:202511", granted=("どの区の集計を見ますか？",)),
    "totr: ranking (forged)": Action(press="totr:2025:now:1-5", granted=("⑤アウトリーチ件数　区別・前年同期比",)),
    "/sheet": Action(send="/sheet", granted=("推進状況確認シート　令和7年10月末時点",), scoped=True),
    "/chart": Action(send="/chart", granted=("どの指標のグラフを見ますか？",)),
    "chart:1-5 都島区 (forged)": Action(press=f"chart:1-5:{WARD_A}", granted=("⑤アウトリーチ件数　",), scoped=True),
    "chart:1-5 福島区 (forged)": Action(press=f"chart:1-5:{WARD_B}", granted=("⑤アウトリーチ件数　",), scoped=True),
    "/missing": Action(send="/missing", granted=("11月に記録がなく", "11月は全員が記録")),
    "nudge: 福島区 (forged)": Action(press=f"nudge:202511:{WARD_B}", granted=("人に催促を送りました。",)),
    "/note": Action(send="/note", granted=("どのシートの文章を編集しますか？",)),
    "note:del 福島区 (forged)": Action(press="note:del:{bullet}", granted=("基本目標1　取組内容",)),
    "/reopen": Action(send=f"/reopen {WARD_A} 2025-10 入力漏れの追加", granted=("都島区の2025年10月を再開しました",)),
    "/invite": Action(send=f"/invite worker {WARD_A}", granted=("招待リンクを作成しました",)),
    "/staff": Action(send="/staff", granted=("No.",)),
    "/leave": Action(
        send="/leave {leaver} 2025-12-31", granted=("退職 予定さん（No.{leaver}）: 休暇中（2025-12-31まで）",)
    ),
    "/deactivate": Action(send="/deactivate {leaver}", granted=("退職 予定さん（No.{leaver}）を利用停止にしました。",)),
    "/health": Action(send="/health", granted=("稼働状況\nデータベース: OK",)),
    "/start CODE (invite)": Action(
        send="/start {invite}", granted=("登録しました（職員・都島区）", "さん、こんにちは。")
    ),
}

REFUSALS = {
    "✗unreg": text("refuse_stranger", "ja"),
    "✗off": text("refuse_deactivated", "ja"),
    "✗group": text("refuse_group", "ja"),
    "✗role": text("not_allowed", "ja"),
    "✗sup": text("totals_workers", "ja"),
    "✗choice": text("invalid_choice", "ja"),
    "✗ward": text("no_ward", "ja"),
    "✗known": text("invite_already_registered", "ja"),
    "✗scope": text("event_not_yours", "ja", id="{id}").split("{id}")[1],
}
SCOPES = {"都島区": "✓A", "福島区": "✓B", "大阪市": "✓city"}


@dataclass
class Scene:
    """One person's chat and what their rows refer to (entry and staff numbers, a bullet, an invite code)."""

    chat: ChatSession
    refs: dict[str, int | str] = field(default_factory=dict)


async def entry(sessions: async_sessionmaker[AsyncSession], ward: str, by: Staff | None) -> int:
    """An outreach entry in November (open), logged a day ago (so /undo finds nothing to take back)."""
    async with session_scope(sessions) as session:
        draft = EventDraft(kind="outreach", occurred_on=date(2025, 11, 20), ward_code=ward)
        key = f"matrix-{ward}-{by and by.id}"
        event, _created = await record_event(
            session, draft, idempotency_key=key, today=draft.occurred_on, logged_by_staff_id=by.id if by else None
        )
        stored = await session.get(Event, event.id)
        assert stored is not None and stored.id is not None
        stored.logged_at = NOW - timedelta(days=1)
        return stored.id


async def person(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], who: str
) -> tuple[ChatSession, Staff | None, str]:
    """The person of a column, their chat, and their home ward."""
    if who == "stranger":
        return stranger(app, api), None, WARD_A
    role, ward, organisation = {
        "worker_A": (Role.WORKER, WARD_A, Organisation.WATCH_OFFICE),
        "worker_B": (Role.WORKER, WARD_B, Organisation.WATCH_OFFICE),
        "ward_sup_A": (Role.WARD_SUPERVISOR, WARD_A, Organisation.WATCH_OFFICE),
        "city_sup": (Role.CITY_SUPERVISOR, None, Organisation.CITY),
        "admin": (Role.ADMIN, None, Organisation.CITY),
        "deactivated": (Role.WORKER, WARD_A, Organisation.WATCH_OFFICE),
        "group": (Role.WORKER, WARD_A, Organisation.WATCH_OFFICE),
    }[who]
    member = await add_staff(sessions, role, ward, organisation, name=f"{who} 本人")
    chat = (
        ChatSession(app, api, member.telegram_user_id, chat_type="group")
        if who == "group"
        else chat_as(app, api, member)
    )
    return chat, member, ward or WARD_A


async def scene(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], who: str
) -> Scene:
    colleagues = {ward: await add_staff(sessions, ward=ward, name=f"同僚 {ward}") for ward in (WARD_A, WARD_B)}
    leaver = await add_staff(sessions, ward=WARD_A, name="退職 予定")
    chat, member, home = await person(app, api, sessions, who)
    other = WARD_B if home == WARD_A else WARD_A
    refs: dict[str, int | str] = {
        "colleague": await entry(sessions, home, colleagues[home]),
        "other": await entry(sessions, other, colleagues[other]),
        "leaver": leaver.id or 0,
    }
    refs["own"] = await entry(sessions, home, member) if member else refs["colleague"]
    async with session_scope(sessions) as session:
        bullet = await add_bullet(session, 1, 2025, WARD_B, SheetSection.ACTIVITIES, "見守り訪問の強化", None)
        refs["bullet"] = bullet.id or 0
        refs["invite"] = (await create_invite(session, Role.WORKER, WARD_A)).code
        if who == "deactivated" and member and member.id:
            await deactivate_staff(session, member.id, by_staff_id=None)
    return Scene(chat, refs)


def observed(replies: list[BotMessage], answers: list[str | None]) -> list[str]:
    """Everything the person saw: new or edited messages (text or caption) and alerts on their button."""
    return [m.caption or m.text for m in replies] + [a for a in answers if a]


def classify(action: Action, seen: list[str], refs: dict[str, int | str]) -> str:
    for outcome, refusal in REFUSALS.items():
        if any(refusal in answer for answer in seen):
            return outcome if len(seen) == 1 else f"{outcome} and more: {seen}"  # a refusal shows nothing else
    granted = [phrase.format(**refs) for phrase in action.granted]
    for answer in seen:
        if any(phrase in answer for phrase in granted):
            if not action.scoped:
                return "✓"
            head = answer.splitlines()[0]
            return next((key for name, key in SCOPES.items() if name in head), "✓?")
    return f"? {seen[:2]}"


async def perform(s: Scene, action: Action) -> str:
    """Do one row from a quiet state (no flow open) and classify what came back."""
    await s.chat.send("/cancel")  # leaves any flow the previous row opened
    target = s.chat.last
    before = len(s.chat.answers)
    if action.send:
        replies = await s.chat.send(action.send.format(**s.refs))
    else:
        replies = await s.chat.press_data(action.press.format(**s.refs), target)
    return classify(action, observed(replies, s.chat.answers[before:]), s.refs)


def test_docs_privacy_mirrors_the_matrix() -> None:
    doc = DOC.read_text(encoding="utf-8")
    table = doc.split("<!-- access-matrix:start -->", 1)[1].split("<!-- access-matrix:end -->", 1)[0]
    assert parse_matrix(table) == (PEOPLE, EXPECTED)


def test_the_matrix_is_complete_and_uses_known_outcomes() -> None:
    assert set(EXPECTED) == set(ACTIONS)
    assert PEOPLE == ["stranger", "worker_A", "worker_B", "ward_sup_A", "city_sup", "admin", "deactivated", "group"]
    assert {cell for row in EXPECTED.values() for cell in row.values()} <= OUTCOMES


@pytest.mark.parametrize("who", PEOPLE)
async def test_each_person_gets_exactly_the_matrix(
    who: str, app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    s = await scene(app, api, sessions, who)
    actual = {label: await perform(s, action) for label, action in ACTIONS.items()}
    expected = {label: EXPECTED[label][who] for label in ACTIONS}
    wrong = {label: (expected[label], got) for label, got in actual.items() if got != expected[label]}
    assert not wrong, f"{who}: " + "; ".join(f"{label}: expected {e}, got {g}" for label, (e, g) in wrong.items())
    assert s.chat.unanswered_callbacks() == []
    if who == "group":
        assert {call.chat_id for call in api.calls_to("leaveChat")} == {s.chat.chat_id}
