"""DatabasePersistence: PTB's user_data, chat_data and conversation states survive a restart, on both databases."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select
from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bot.persistence import DatabasePersistence
from models.tables import BotState

Sessions = async_sessionmaker[AsyncSession]


async def _rows(sessions: Sessions, kind: str | None = None) -> list[tuple[str, str]]:
    async with sessions() as session:
        query = select(col(BotState.kind), col(BotState.key)).order_by(col(BotState.id))
        if kind is not None:
            query = query.where(col(BotState.kind) == kind)
        return [(kind, key) for kind, key in (await session.execute(query)).all()]


async def test_stores_user_data_and_conversations_only(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)

    assert persistence.store_data == PersistenceInput(
        bot_data=False, chat_data=False, user_data=True, callback_data=False
    )
    assert persistence.update_interval == 1.0
    assert DatabasePersistence(sessions, update_interval=5).update_interval == 5


async def test_user_data_round_trip_and_overwrite(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    draft = {"draft": {"kind": "home_visit", "ward": "27102", "note": "見守り訪問", "count": 2, "done": False}}

    await persistence.update_user_data(1001, draft)
    await persistence.update_user_data(1002, {"language": "en"})
    await persistence.update_user_data(1001, {"language": "ja"})  # an upsert, not a second row

    assert await persistence.get_user_data() == {1001: {"language": "ja"}, 1002: {"language": "en"}}
    assert await _rows(sessions) == [("user_data", "1001"), ("user_data", "1002")]


async def test_chat_data_round_trip_including_group_ids(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)

    await persistence.update_chat_data(-1001234567890, {"members": [1, 2, 3], "title": None})
    await persistence.update_chat_data(1001, {"menu": "main"})

    assert await persistence.get_chat_data() == {
        -1001234567890: {"members": [1, 2, 3], "title": None},
        1001: {"menu": "main"},
    }
    assert await persistence.get_user_data() == {}  # kinds do not mix


async def test_conversations_round_trip_int_and_str_states(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)

    await persistence.update_conversation("log_event", (1001, 1001), 1)
    await persistence.update_conversation("log_event", (-100555, 1002), "confirm")
    await persistence.update_conversation("register", (1001, 1001), 0)
    await persistence.update_conversation("log_event", (1001, 1001), 2)  # moved on: replaces the state

    assert await persistence.get_conversations("log_event") == {(1001, 1001): 2, (-100555, 1002): "confirm"}
    assert await persistence.get_conversations("register") == {(1001, 1001): 0}
    assert await persistence.get_conversations("unknown") == {}


async def test_ending_a_conversation_deletes_its_row(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    await persistence.update_conversation("log_event", (1001, 1001), 1)
    await persistence.update_conversation("log_event", (1002, 1002), 1)

    await persistence.update_conversation("log_event", (1001, 1001), None)
    await persistence.update_conversation("log_event", (9999, 9999), None)  # never started: nothing to delete

    assert await persistence.get_conversations("log_event") == {(1002, 1002): 1}
    assert await _rows(sessions, "conversation") == [("conversation", '["log_event",1002,1002]')]


async def test_conversation_names_never_mix(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    names = ["flow", "Flow", "flow_2", "f%ow", 'fl"ow', "flow,1", "見守り"]
    for number, name in enumerate(names):
        await persistence.update_conversation(name, (1001, number), number)
    # per_message conversations on inline messages have a str in the key
    await persistence.update_conversation("flow", (1001, 1001, "AAQB-inline"), "menu")

    for number, name in enumerate(names):
        expected: dict[tuple[int | str, ...], object] = {(1001, number): number}
        if name == "flow":
            expected[(1001, 1001, "AAQB-inline")] = "menu"
        assert await persistence.get_conversations(name) == expected, name


async def test_conversation_key_too_long_is_refused(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    with pytest.raises(ValueError, match="shorten the name"):
        await persistence.update_conversation("x" * 190, (1001, 1001), 1)


async def test_empty_data_keeps_no_row(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    await persistence.update_user_data(1001, {"draft": {"step": 1}})
    await persistence.update_chat_data(1001, {})

    await persistence.update_user_data(1001, {})  # the handler cleared the draft

    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    assert await _rows(sessions) == []


async def test_drop_user_and_chat_data(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    await persistence.update_user_data(1001, {"a": 1})
    await persistence.update_user_data(1002, {"b": 2})
    await persistence.update_chat_data(1001, {"c": 3})

    await persistence.drop_user_data(1001)
    await persistence.drop_chat_data(1001)
    await persistence.drop_user_data(4242)  # unknown: harmless

    assert await persistence.get_user_data() == {1002: {"b": 2}}
    assert await persistence.get_chat_data() == {}


async def test_a_new_instance_sees_what_the_first_wrote(sessions: Sessions) -> None:
    before = DatabasePersistence(sessions)
    await before.update_user_data(1001, {"draft": {"step": 2}})
    await before.update_chat_data(1001, {"menu": "main"})
    await before.update_conversation("log_event", (1001, 1001), "confirm")
    await before.flush()

    after = DatabasePersistence(sessions)  # the restart

    assert await after.get_user_data() == {1001: {"draft": {"step": 2}}}
    assert await after.get_chat_data() == {1001: {"menu": "main"}}
    assert await after.get_conversations("log_event") == {(1001, 1001): "confirm"}


async def test_refresh_and_unused_methods_are_harmless(sessions: Sessions) -> None:
    persistence = DatabasePersistence(sessions)
    await persistence.update_user_data(1001, {"stored": True})
    in_memory: dict[str, Any] = {"stored": False, "newer": 1}

    await persistence.refresh_user_data(1001, in_memory)
    await persistence.refresh_chat_data(1001, in_memory)
    await persistence.refresh_bot_data(in_memory)
    await persistence.update_bot_data({"x": 1})
    await persistence.update_callback_data(([], {}))
    await persistence.flush()

    assert in_memory == {"stored": False, "newer": 1}
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_callback_data() is None
    assert await _rows(sessions) == [("user_data", "1001")]


@pytest.mark.parametrize(
    "data",
    [
        {"on": date(2026, 4, 1)},  # not JSON at all
        {"pair": (1, 2)},  # would come back as a list
        {"by_area": {27102: 3}},  # would come back with str keys
        {"ratio": float("nan")},  # not valid JSON
    ],
    ids=["date", "tuple", "int-key", "nan"],
)
async def test_data_that_json_would_alter_is_refused(sessions: Sessions, data: dict[str, Any]) -> None:
    persistence = DatabasePersistence(sessions)
    with pytest.raises(TypeError, match="bot state user_data 1001") as raised:
        await persistence.update_user_data(1001, data)
    assert "27102" not in str(raised.value) and "2026" not in str(raised.value)  # values are never echoed
    assert await _rows(sessions) == []


async def test_only_kind_and_key_are_logged(sessions: Sessions, caplog: pytest.LogCaptureFixture) -> None:
    persistence = DatabasePersistence(sessions)
    secret = "SECRET-家族の相談内容"
    with caplog.at_level(logging.DEBUG, logger="bot.persistence"):
        await persistence.update_user_data(1001, {"draft": {"note": secret}})
        await persistence.update_conversation("log_event", (1001, 1001), secret)
        await persistence.drop_user_data(1001)

    messages = [record.getMessage() for record in caplog.records if record.name == "bot.persistence"]
    assert messages == [
        "bot state written: 1 saved, 0 deleted",
        "bot state written: 1 saved, 0 deleted",
        "bot state written: 0 saved, 1 deleted",
    ]
    assert not any(secret in message for message in messages)


async def test_concurrent_writes_as_the_application_makes_them(sessions: Sessions) -> None:
    # Application.update_persistence gathers all its writes at once: each is its own transaction.
    persistence = DatabasePersistence(sessions)
    await asyncio.gather(
        *(persistence.update_user_data(user, {"n": user}) for user in range(20)),
        *(persistence.update_chat_data(chat, {"n": chat}) for chat in range(20)),
        *(persistence.update_conversation("flow", (user, user), "step") for user in range(20)),
        *(persistence.update_user_data(user, {"n": -user}) for user in range(20, 25)),
    )

    assert await persistence.get_user_data() == {user: {"n": user if user < 20 else -user} for user in range(25)}
    assert len(await persistence.get_chat_data()) == 20
    assert len(await persistence.get_conversations("flow")) == 20


# End to end: a real Application, a two-step persistent conversation, a restart between the steps.

BOT_USER = {"id": 123, "is_bot": True, "first_name": "Intake Test", "username": "intake_test_bot"}
USER_ID = 1001
FIRST, SECOND = 1, "second"  # one int state and one str state


class FakeTelegram(BaseRequest):
    """A Bot API double: answers getMe and sendMessage like Telegram does, and remembers what was sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._message_ids = itertools.count(500)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.parameters if request_data else {}
        result: object
        if endpoint == "getMe":
            result = {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        elif endpoint == "sendMessage":
            text = str(parameters["text"])
            self.sent.append(text)
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": parameters["chat_id"], "type": "private", "first_name": "Tester"},
                "from": BOT_USER,
                "text": text,
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Start a draft and ask for the area."""
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["draft"] = {"kind": "home_visit"}
    await update.effective_message.reply_text("Which area?")
    return FIRST


async def area(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Store the area in the draft and ask for confirmation."""
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["draft"]["area"] = update.effective_message.text
    await update.effective_message.reply_text(f"Confirm {context.user_data['draft']['kind']}?")
    return SECOND


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Report the whole draft, clear it and end."""
    assert update.effective_message is not None and context.user_data is not None
    draft = context.user_data.pop("draft")
    await update.effective_message.reply_text(f"Saved {draft['kind']} in {draft['area']}")
    return ConversationHandler.END


def build_app(persistence: DatabasePersistence, transport: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        Application.builder()
        .token("123:TEST")
        .request(transport)
        .get_updates_request(transport)
        .updater(None)
        .persistence(persistence)
        .build()
    )
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={FIRST: [MessageHandler(text, area)], SECOND: [MessageHandler(text, confirm)]},
            fallbacks=[],
            persistent=True,
            name="test_flow",
        )
    )
    return app


def message(update_id: int, text: str) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text.startswith("/") else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": USER_ID, "type": "private", "first_name": "Tester"},
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Tester", "language_code": "ja"},
            "text": text,
            "entities": entities,
        },
    }


async def send(app: Application[Any, Any, Any, Any, Any, Any], data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(data, app.bot))


async def test_conversation_and_user_data_survive_restarts(sessions: Sessions) -> None:
    first_run = FakeTelegram()
    app = build_app(DatabasePersistence(sessions), first_run)
    async with app:
        await send(app, message(1, "/start"))
        # PTB only marks data as changed here; it writes on its update_interval tick and at shutdown.
        assert await _rows(sessions) == []
    assert first_run.sent == ["Which area?"]
    # chat_data is {} for this chat, so it has no row
    assert sorted(await _rows(sessions)) == [("conversation", '["test_flow",1001,1001]'), ("user_data", "1001")]

    second_run = FakeTelegram()
    app = build_app(DatabasePersistence(sessions), second_run)
    async with app:
        await send(app, message(2, "北区"))
    assert second_run.sent == ["Confirm home_visit?"]  # state FIRST's handler ran, and the draft was still there
    assert await DatabasePersistence(sessions).get_conversations("test_flow") == {(USER_ID, USER_ID): SECOND}

    third_run = FakeTelegram()
    app = build_app(DatabasePersistence(sessions), third_run)
    async with app:
        await send(app, message(3, "yes"))
    assert third_run.sent == ["Saved home_visit in 北区"]
    assert await _rows(sessions, "conversation") == []  # ended: the row is gone
    assert await _rows(sessions) == []  # the draft was cleared, so user_data is empty and has no row either


async def test_the_writes_of_one_flush_share_one_transaction(sessions: Sessions, engine: AsyncEngine) -> None:
    """PTB gathers a flush's writes; one transaction keeps them from fighting for SQLite's writer."""
    persistence = DatabasePersistence(sessions)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    sa_event.listen(engine.sync_engine, "commit", count)
    try:
        await asyncio.gather(
            *(persistence.update_user_data(user, {"draft": {"n": user}}) for user in range(1, 31)),
            persistence.update_conversation("log_event", (1, 1), "date"),
            persistence.drop_user_data(999),
        )
    finally:
        sa_event.remove(engine.sync_engine, "commit", count)
    assert len(commits) == 1
    assert len(await persistence.get_user_data()) == 30
