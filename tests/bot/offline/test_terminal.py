"""`intake demo`: the real bot in a terminal chat, driven here by scripted lines on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, func, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.offline.demo_data import DEMO_EVENTS, DEMO_USER_IDS, DemoPeople, seed_demo
from bot.offline.fake_api import ApiCall, BotMessage, Button
from bot.offline.terminal import BANNER, alerts, collapse, render, run_demo, save_document
from models.catalog import EVENT_KINDS, Requirement
from models.config import Settings
from models.db import make_engine, prepare_database, session_factory, session_scope
from models.fiscal import fiscal_year_of, fiscal_year_start
from models.fiscal import today as japan_today
from models.rollups import check_rollups
from models.tables import Area, Event, Staff
from models.totals import indicator_totals

SEED_EVENTS = 60  # every kind, a few households reused, and still fast


class Script:
    """`input()` for a test: the given lines, then Ctrl-D."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = iter(lines)

    def __call__(self, prompt: str) -> str:
        try:
            return next(self.lines)
        except StopIteration:
            raise EOFError from None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """As `Settings.for_demo()` makes them: the demo's database holds the sample areas."""
    return Settings(_env_file=None).model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/demo.db", "load_sample_areas": True}
    )


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The demo's database, migrated, for looking at what the demo left behind."""
    await prepare_database(settings)
    engine = make_engine(settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def chat(settings: Settings, tmp_path: Path, *lines: str, as_user: str = "worker") -> str:
    """Run the demo over `lines` and return everything it printed."""
    printed: list[str] = []
    await run_demo(
        settings, Script(lines), printed.append, as_user, seed_events=SEED_EVENTS, files_dir=tmp_path / "files"
    )
    return "\n".join(printed)


async def test_the_banner_explains_itself_and_log_shows_numbered_buttons(settings: Settings, tmp_path: Path) -> None:
    printed = await chat(settings, tmp_path, "/log")
    assert all(line in printed for line in BANNER)
    assert "Ctrl-D" in printed and ":as worker|ward|city" in printed
    assert "demo events added: 60" in printed
    assert "menu: (a) 📝 記録する  (b) 🔁 前回と同じ" in printed  # /start on arrival brings the main menu
    assert "worker> /log" in printed  # scripted lines are echoed after the prompt
    assert "bot› 何を記録しますか？\n[1] 地域の見守り情報共有の集まり  [2] 地域からの気になる方の情報" in printed
    assert f"[{len(EVENT_KINDS) + 1}] 中止" in printed
    assert printed.endswith("終了します / bye")


async def test_an_outreach_by_numbers_is_saved_for_the_demo_worker_and_counted(
    settings: Settings, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    today = japan_today()
    people = await seed_demo(sessions, today, SEED_EVENTS)
    before = await outreach_total(sessions)
    printed = await chat(settings, tmp_path, "/outreach", "1", "1", "1")  # 今日, a count of 1, ✅ 保存する
    assert "[1] 今日  [2] 昨日" in printed
    assert "worker> 1\n\nbot› この内容で保存しますか？" in printed  # the count was typed, so the card is new
    assert "bot› (edited) 保存しました（No." in printed
    async with session_scope(sessions) as session:
        [event] = (await session.scalars(select(Event).where(col(Event.source) == "bot"))).all()
    assert (event.kind, event.occurred_on, event.ward_code, event.count) == ("outreach", today, "27102", 1)
    assert event.logged_by_staff_id == people.worker.id
    assert await outreach_total(sessions) == before + 1  # what `intake totals` reads


async def saved_counts(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with session_scope(sessions) as session:
        return list((await session.scalars(select(col(Event.count)).where(col(Event.source) == "bot"))).all())


async def test_a_typed_number_is_the_count_where_the_bot_asks_for_one(
    settings: Settings, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    printed = await chat(settings, tmp_path, "/outreach", "1", "4", "1")
    assert "件数を選ぶか入力してください（1〜999）。\n[1] 1  [2] 2  [3] 3  [4] 5  [5] 10" in printed
    assert "worker> 4\n\nbot› この内容で保存しますか？" in printed and "件数: 4" in printed  # not [4], which is 5
    assert "worker> 1\n\nbot› (edited) 保存しました（No." in printed  # on the card, 1 is a button again
    assert await saved_counts(sessions) == [4]


async def test_a_wrong_count_keeps_numbers_typed_and_brackets_press_buttons(
    settings: Settings, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    printed = await chat(settings, tmp_path, "/outreach", "1", "０", "[4]", "[1]")
    assert "worker> ０\n\nbot› 1〜999の数字で入力してください。" in printed  # typed, answered, the step kept
    assert "件数: 5" in printed  # [4] is the button labelled 5
    assert await saved_counts(sessions) == [5]


async def outreach_total(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with session_scope(sessions) as session:
        totals = await indicator_totals(session, fiscal_year_of(japan_today()), None, "27102", 1, only={"1-5"})
    return int(totals.indicators["1-5"].value)


async def test_numbers_fall_back_to_the_menu_and_letters_press_it(settings: Settings, tmp_path: Path) -> None:
    printed = await chat(settings, tmp_path, "1", "99", "/cancel", "e")  # (d) is 📅 予定, (e) ❓ ヘルプ
    assert "worker> 1\n\nbot› 何を記録しますか？" in printed  # the greeting has no buttons: 1 is 📝 記録する
    assert "no button [99]" in printed
    assert "worker> e\n\nbot› /outreach … アウトリーチを記録" in printed


async def test_a_draft_survives_leaving_the_demo(settings: Settings, tmp_path: Path) -> None:
    await chat(settings, tmp_path, "/outreach", "1")  # Ctrl-D in the middle of an entry
    printed = await chat(settings, tmp_path, "/outreach")
    assert "入力途中の記録があります（アウトリーチ（訪問等））" in printed


async def test_as_city_switches_the_person(settings: Settings, tmp_path: Path) -> None:
    printed = await chat(settings, tmp_path, ":as city", "/log", ":as boss")
    assert "→ デモ 一郎（市の管理者・市）/ city supervisor" in printed
    assert "bot› デモ 一郎さん、こんにちは。" in printed
    assert "city> /log\n\nbot› 区が設定されていないため記録できません。" in printed
    assert "usage: :as worker|ward|city" in printed


async def test_starting_as_the_ward_supervisor(settings: Settings, tmp_path: Path) -> None:
    printed = await chat(settings, tmp_path, as_user="ward")
    assert "あなた / you: デモ 太郎（区の管理者・27102）/ ward supervisor" in printed
    assert "bot› デモ 太郎さん、こんにちは。" in printed


async def test_seeding_twice_adds_no_people_and_no_events(sessions: async_sessionmaker[AsyncSession]) -> None:
    today = japan_today()
    first = await seed_demo(sessions, today, SEED_EVENTS)
    second = await seed_demo(sessions, today, SEED_EVENTS)
    assert (first.events_added, second.events_added) == (SEED_EVENTS, 0)
    assert [first.by_key(key).id for key in ("worker", "ward", "city")] == [
        second.by_key(key).id for key in ("worker", "ward", "city")
    ]
    async with session_scope(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(Staff)) == 3
        assert await session.scalar(select(func.count()).select_from(Event)) == SEED_EVENTS


async def test_the_demo_people(sessions: async_sessionmaker[AsyncSession]) -> None:
    people: DemoPeople = await seed_demo(sessions, japan_today(), 0)
    worker, ward, city = people.worker, people.ward_supervisor, people.city_supervisor
    assert (worker.telegram_user_id, worker.display_name, worker.role, worker.organisation, worker.ward_code) == (
        DEMO_USER_IDS[0],
        "デモ 花子",
        "worker",
        "watch_office",
        "27102",
    )
    assert (ward.telegram_user_id, ward.role, ward.ward_code) == (DEMO_USER_IDS[1], "ward_supervisor", "27102")
    assert (city.telegram_user_id, city.role, city.organisation, city.ward_code) == (
        DEMO_USER_IDS[2],
        "city_supervisor",
        "city",
        None,
    )


async def test_demo_events_follow_the_counting_rules(sessions: async_sessionmaker[AsyncSession]) -> None:
    today = japan_today()
    await seed_demo(sessions, today)  # the full demo size
    async with session_scope(sessions) as session:
        events = list((await session.scalars(select(Event).order_by(col(Event.id)))).all())
        area_wards = {area.id: area.ward_code for area in (await session.scalars(select(Area))).all()}
        assert await check_rollups(session) == []  # the bulk insert is followed by the totals' rollups
    assert {event.kind for event in events} == {kind.code for kind in EVENT_KINDS}
    assert len(events) == DEMO_EVENTS and {event.source for event in events} == {"demo"}
    assert events[0].idempotency_key == "demo-1"
    assert all(fiscal_year_start(fiscal_year_of(today) - 1) <= event.occurred_on <= today for event in events)
    assert len({event.ward_code for event in events}) == 24
    area_kinds = {kind.code for kind in EVENT_KINDS if kind.area is Requirement.REQUIRED}
    assert all(area_wards[e.area_id] == e.ward_code for e in events if e.kind in area_kinds and e.area_id)
    assert all(e.answer is not None for e in events if e.kind == "agency_survey")
    links = [e.household_ref for e in events if e.kind == "participation_link"]
    assert all(links) and len(set(links)) < len(links)  # some households are connected more than once


async def test_a_second_start_is_the_same_seed(tmp_path: Path) -> None:
    """Deterministic: the same database contents and day give the same demo events."""
    rows = []
    for name in ("a", "b"):
        url = f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
        demo = Settings(_env_file=None).model_copy(update={"database_url": url, "load_sample_areas": True})
        await prepare_database(demo)
        engine = make_engine(url)
        await seed_demo(session_factory(engine), japan_today(), 30)
        async with session_scope(session_factory(engine)) as session:
            found = (
                await session.execute(
                    select(col(Event.kind), col(Event.occurred_on), col(Event.ward_code), col(Event.count))
                )
            ).all()
        rows.append([tuple(row) for row in found])
        await engine.dispose()
    assert rows[0] == rows[1]


def test_messages_are_shown_once_with_edits_marked_and_files_kept(tmp_path: Path) -> None:
    sent = BotMessage(chat_id=1, message_id=5, text="古い")
    edited = BotMessage(
        chat_id=1,
        message_id=5,
        text="新しい",
        buttons=[[Button("a", "x"), Button("b", "y")], [Button("c", "z")]],
        edited=True,
        edit_count=1,
    )
    earlier = BotMessage(chat_id=1, message_id=3, text="前", edited=True, edit_count=2)
    assert collapse([sent, earlier, edited]) == [(edited, False), (earlier, True)]
    assert render(edited, False) == ["bot› 新しい", "[1] a  [2] b", "[3] c"]
    assert render(earlier, True) == ["bot› (edited) 前"]
    document = BotMessage(chat_id=1, message_id=6, document=("../report.csv", b"a,b\n"), caption="集計")
    saved = save_document(document, tmp_path / "files")
    assert saved == tmp_path / "files" / "report.csv" and saved.read_bytes() == b"a,b\n"
    assert render(document, False, saved) == ["bot› 集計", f"📎 ../report.csv（4 bytes） → {saved}"]


def test_the_command_refuses_an_unknown_person() -> None:
    result = CliRunner().invoke(cli, ["demo", "--as", "boss"])
    assert result.exit_code == 2
    assert "worker, ward, city" in result.output


def test_popup_answers_are_shown_and_silent_ones_are_not() -> None:
    calls = [
        ApiCall("answerCallbackQuery", {"callback_query_id": "1", "text": "このメニューは期限切れです。"}),
        ApiCall("answerCallbackQuery", {"callback_query_id": "2"}),
        ApiCall("answerCallbackQuery", {"callback_query_id": "3", "text": "二度目"}, error_code=400),
        ApiCall("sendMessage", {"chat_id": 1, "text": "本文"}),
    ]
    assert alerts(calls) == ["(!) このメニューは期限切れです。"]
