"""The guard's staff cache: no staff query per update, and any staff change takes effect from the next update."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.app import IntakeApplication
from bot.cli.main import app as cli
from bot.offline.fake_api import InProcessBotApi
from models.config import get_settings
from models.db import make_engine, session_factory, session_scope
from models.roles import Role
from models.staff import deactivate_staff, staff_version
from models.tables import Staff
from tests.builders import add_staff, chat_as

STOPPED = "利用が停止されています"  # a deactivated member's refusal


@contextmanager
def staff_queries(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements that read the staff table while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"FROM staff\b(?!_)", statement):  # the staff table, not staff_version
            seen.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


async def other_process_sessions(engine: AsyncEngine) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """A second engine on the same database, as the `intake` command in another process would open it."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        other = make_engine(url)
    else:
        async with engine.connect() as connection:
            schema = await connection.scalar(sa.text("SELECT current_schema()"))
        other = make_engine(url, connect_args={"server_settings": {"search_path": schema}})
    return other, session_factory(other)


async def test_a_known_member_costs_no_staff_query_until_staff_change(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    person = chat_as(app, api, await add_staff(sessions))
    assert "何を記録しますか" in (await person.send("/log"))[0].text
    with staff_queries(engine) as seen:
        await person.send("/cancel")
        assert "何を記録しますか" in (await person.send("/log"))[0].text
    assert seen == []
    await add_staff(sessions, name="新人")  # any staff write empties the cache
    with staff_queries(engine) as seen:
        await person.send("/cancel")
    assert len(seen) == 1


async def test_a_deactivation_from_another_process_between_two_updates_takes_effect_at_once(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    member = await add_staff(sessions)
    person = chat_as(app, api, member)
    assert "何を記録しますか" in (await person.send("/log"))[0].text
    other, other_sessions = await other_process_sessions(engine)
    try:
        async with session_scope(other_sessions) as session:
            assert member.id is not None
            await deactivate_staff(session, member.id, by_staff_id=None)
    finally:
        await other.dispose()
    assert await person.press("アウトリーチ（訪問等）") == []
    assert (person.answers[-1] or "").startswith(STOPPED)


async def test_a_role_change_from_another_process_takes_effect_at_once(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    member = await add_staff(sessions)
    person = chat_as(app, api, member)
    assert (await person.send("/invite worker 27102"))[0].text == "この操作は権限のある方のみ行えます。"
    other, other_sessions = await other_process_sessions(engine)
    try:
        async with session_scope(other_sessions) as session:
            version = await staff_version(session)
            stored = await session.get(Staff, member.id)
            assert stored is not None
            stored.role, stored.ward_code = Role.ADMIN, None
        async with session_scope(other_sessions) as session:
            assert await staff_version(session) == version + 1
    finally:
        await other.dispose()
    assert "start=" in (await person.send("/invite worker 27102"))[0].text


async def test_the_cli_deactivation_between_two_updates(
    app: IntakeApplication,
    api: InProcessBotApi,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI reads DATABASE_URL, which cannot name the test's PostgreSQL schema (see the test above)")
    member = await add_staff(sessions)
    person = chat_as(app, api, member)
    assert "何を記録しますか" in (await person.send("/log"))[0].text
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["staff", "deactivate", str(member.id)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert await person.press("アウトリーチ（訪問等）") == []
    assert (await person.send("/log"))[0].text.startswith(STOPPED)
