"""The bot's persistence: python-telegram-bot's user_data, chat_data and conversation states in our own database.

One `bot_state` row per (kind, key), holding JSON (never pickle), on the project's async engine, so the bot survives a
restart on SQLite and on PostgreSQL alike. Every write is one short committed transaction (an upsert or a delete).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, delete, select
from telegram.ext import BasePersistence, PersistenceInput

from models.db import commit_without_waiting_for_disk, session_scope
from models.tables import BotState, utcnow

_LOGGER = logging.getLogger(__name__)
ASYNC_COMMIT = True  # PostgreSQL: the state's writes commit without waiting for the disk (`_write`)

USER_DATA: Final = "user_data"
CHAT_DATA: Final = "chat_data"
CONVERSATION: Final = "conversation"
KEY_MAX_LENGTH: Final = 200  # BotState.key

ConversationKey = tuple[int | str, ...]  # as python-telegram-bot builds it: (chat id, user id[, message id])
StateData = dict[str, Any]
CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]  # PTB's CDCData (not stored here)


class DatabasePersistence(BasePersistence[StateData, StateData, StateData]):
    """Stores `user_data` and persistent conversations' states in the `bot_state` table (chat_data can be, but is off).

    Data must survive a JSON round trip unchanged: dicts with **string keys**, lists, strings, numbers (no NaN),
    booleans and None. Tuples, sets, dates, int dict keys or Telegram objects are refused with a `TypeError` when
    written (python-telegram-bot hands that error to the application's error handlers) instead of coming back
    altered after a restart. Conversation states must be ints or strings (`ConversationHandler.END` ends the
    conversation and deletes its row).

    bot_data and callback_data are not stored (`store_data` says so, and their methods do nothing).

    The application calls `update_*`, `drop_*` and `update_conversation` only from `Application.update_persistence`:
    every `update_interval` seconds while it runs, and at shutdown — not after each update — so a crash loses at
    most that window. The writes of one such pass are gathered into one transaction; `flush` has nothing left to
    do. Empty user_data / chat_data
    keeps no row (PTB writes one for every user and chat it meets; a missing entry reads back as the same {}).

    Data may hold drafts of case records: only the kind and key are ever logged (at DEBUG).
    """

    __slots__ = ("_pending", "_sessions", "_write_lock")

    def __init__(self, sessions: async_sessionmaker[AsyncSession], update_interval: float = 1.0) -> None:
        super().__init__(
            # chat_data stays off: nothing uses it, and PTB would write it for every chat on every flush.
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._sessions = sessions
        self._pending: dict[tuple[str, str], StateData | None] = {}  # None: delete the row
        self._write_lock = asyncio.Lock()

    # user_data

    async def get_user_data(self) -> dict[int, StateData]:
        return {int(key): data for key, data in await self._rows(USER_DATA)}

    async def update_user_data(self, user_id: int, data: StateData) -> None:
        await self._put(USER_DATA, str(user_id), data)

    async def refresh_user_data(self, user_id: int, user_data: StateData) -> None:
        """Nothing to do: this process is the only writer, so its in-memory copy is the newest."""

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop(USER_DATA, str(user_id))

    # chat_data

    async def get_chat_data(self) -> dict[int, StateData]:
        return {int(key): data for key, data in await self._rows(CHAT_DATA)}

    async def update_chat_data(self, chat_id: int, data: StateData) -> None:
        await self._put(CHAT_DATA, str(chat_id), data)

    async def refresh_chat_data(self, chat_id: int, chat_data: StateData) -> None:
        """Nothing to do: this process is the only writer, so its in-memory copy is the newest."""

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop(CHAT_DATA, str(chat_id))

    # conversations

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        prefix = _conversation_prefix(name)
        async with self._sessions() as session:
            rows = await session.execute(
                select(col(BotState.key), col(BotState.data)).where(
                    col(BotState.kind) == CONVERSATION,
                    col(BotState.key).startswith(prefix, autoescape=True),
                )
            )
            found = rows.all()
        conversations: dict[ConversationKey, object] = {}
        for stored_key, data in found:
            decoded = json.loads(stored_key)
            if decoded[0] == name:  # SQLite's LIKE ignores ASCII case: "Flow" must not load "flow"
                conversations[tuple(decoded[1:])] = data["state"]
        return conversations

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        """Store the conversation's new state; None (the conversation ended) deletes it."""
        stored_key = _conversation_key(name, key)
        if new_state is None:
            await self._drop(CONVERSATION, stored_key)
        else:
            await self._put(CONVERSATION, stored_key, {"state": new_state})

    # not stored

    async def get_bot_data(self) -> StateData:
        return {}

    async def update_bot_data(self, data: StateData) -> None:
        pass

    async def refresh_bot_data(self, bot_data: StateData) -> None:
        pass

    async def get_callback_data(self) -> CallbackData | None:
        return None

    async def update_callback_data(self, data: CallbackData) -> None:
        pass

    async def flush(self) -> None:
        """Nothing to do: every write was committed when it was made."""

    # storage

    async def _rows(self, kind: str) -> list[tuple[str, StateData]]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(col(BotState.key), col(BotState.data)).where(col(BotState.kind) == kind)
            )
            return [(key, data) for key, data in rows.all()]

    async def _put(self, kind: str, key: str, data: Mapping[str, Any]) -> None:
        """Insert or replace the row (kind, key); empty data deletes it instead."""
        # PTB hands over {} for every user it met; an absent row reads back the same.
        await self._enqueue(kind, key, _checked_json(kind, key, data) if data else None)

    async def _drop(self, kind: str, key: str) -> None:
        await self._enqueue(kind, key, None)

    async def _enqueue(self, kind: str, key: str, data: StateData | None) -> None:
        """Coalesce the writes PTB fires together (one flush gathers them all) into one transaction.

        Separate transactions would fight for SQLite's single writer and stall the update being handled.
        """
        self._pending[(kind, key)] = data
        await asyncio.sleep(0)  # let the other writes of the same flush queue up first
        async with self._write_lock:
            if not self._pending:
                return  # an earlier caller wrote this one with its batch
            batch, self._pending = self._pending, {}
            try:
                await self._write(batch)
            except BaseException:
                self._pending = batch | self._pending  # not lost: the next flush tries again
                raise

    async def _write(self, batch: dict[tuple[str, str], StateData | None]) -> None:
        now = utcnow()
        upserts = [
            {"kind": kind, "key": key, "data": data, "updated_at": now}
            for (kind, key), data in batch.items()
            if data is not None
        ]
        deletions = [(kind, key) for (kind, key), data in batch.items() if data is None]
        async with session_scope(self._sessions) as session:
            if ASYNC_COMMIT:
                # No wait for the disk: these rows are written once a second at most, so a crash loses up to that
                # second anyway (see above); a server crash may lose a fraction of a second more, never a saved
                # entry. The fsync it saves is one that every save's commit would queue behind.
                await commit_without_waiting_for_disk(session)
            if upserts:
                await session.execute(_upsert(session.get_bind().dialect.name), upserts)  # executemany
            for kind in {kind for kind, _key in deletions}:
                keys = [key for k, key in deletions if k == kind]
                await session.execute(delete(BotState).where(col(BotState.kind) == kind, col(BotState.key).in_(keys)))
        _LOGGER.debug("bot state written: %d saved, %d deleted", len(upserts), len(deletions))


@cache
def _upsert(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (kind, key) DO UPDATE: atomic on both databases, and no read-then-write race.

    Built once and run for all the rows of a flush at once (executemany): a multi-row VALUES statement would be
    compiled anew for every row count, some 20 ms of the event loop's time per flush.
    """
    insert: Any
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:
        raise NotImplementedError(f"bot state upsert is written for SQLite and PostgreSQL, not {dialect}")
    statement = insert(BotState)
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=["kind", "key"],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    )
    return upsert


def _conversation_key(name: str, key: ConversationKey) -> str:
    """`["name",chat,user]`: the name is a JSON string, so no name can be mistaken for the start of another."""
    stored = json.dumps([name, *key], ensure_ascii=False, separators=(",", ":"))
    if len(stored) > KEY_MAX_LENGTH:
        raise ValueError(f"conversation key longer than {KEY_MAX_LENGTH} characters: shorten the name {name!r}")
    return stored


def _conversation_prefix(name: str) -> str:
    return json.dumps([name], ensure_ascii=False, separators=(",", ":"))[:-1] + ","


def _checked_json(kind: str, key: str, data: Mapping[str, Any]) -> StateData:
    """The data as it will come back from the database; refuses what JSON would lose or alter (never shows it)."""
    try:
        restored: StateData = json.loads(json.dumps(data, allow_nan=False))
    except (TypeError, ValueError) as error:  # the messages name types, not values
        raise TypeError(f"bot state {kind} {key} is not JSON-serialisable: {error}") from None
    if restored != data:
        raise TypeError(f"bot state {kind} {key} would change in JSON (int dict keys? tuples?): use str keys and lists")
    return restored
