"""Backup → restore gives the same database: the same rows, the same totals, and new rows still insert.

Runs on SQLite and PostgreSQL: the restore goes into a second database (another SQLite file, or another
PostgreSQL schema made like tests/conftest.py makes its own).
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

import models.ops.backup
from models.catalog import SheetSection
from models.db import current_revision, downgrade, head_revision, make_engine, migrate, session_factory, session_scope
from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event
from models.ops.backup import (
    BackupError,
    backup_json,
    backup_sqlite_file,
    read_header,
    restore_json,
    restore_sqlite_file,
)
from models.reference import ensure_wards
from models.roles import Role
from models.sheet.bullets import add_bullet
from models.snapshots import close_month
from models.staff import create_invite, redeem_invite, set_leave
from models.tables import AuditEntry, BotState, Delivery, MonthReopen, utcnow
from models.totals import indicator_totals
from models.who_reported import record_zero_report
from tests.builders import FAR_FUTURE, add_event, postgres_url

NewDatabase = Callable[[], Awaitable[AsyncEngine]]
FILLED = {
    "ward",
    "area",
    "staff",
    "invite",
    "event",
    "audit_log",
    "sheet_bullet",
    "bot_state",
    "month_reopen",
    "totals_snapshot",
    "evidence_snapshot",
    "zero_report",
    "delivery",
}


@pytest.fixture
async def new_database(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[NewDatabase]:
    """Makes empty databases (no schema) of the same kind as `engine`; removed afterwards."""
    made: list[tuple[AsyncEngine, str | None]] = []

    async def make() -> AsyncEngine:
        if engine.dialect.name == "sqlite":
            made.append((make_engine(f"sqlite+aiosqlite:///{tmp_path / f'restored-{len(made)}.db'}"), None))
        else:
            schema = f"intake_restore_{uuid.uuid4().hex[:12]}"
            admin = make_engine(postgres_url()[0])
            async with admin.begin() as connection:
                await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
            target = make_engine(postgres_url()[0], connect_args={"server_settings": {"search_path": schema}})
            made.append((target, schema))
        return made[-1][0]

    yield make
    for target, schema in made:
        await target.dispose()
        if schema:
            admin = make_engine(postgres_url()[0])
            async with admin.begin() as connection:
                await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


async def _fill(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A bit of everything: staff and invites, events (a voided one, a correction), audit, bullets, snapshots."""
    async with session_scope(sessions) as session:
        invite = await create_invite(session, Role.WORKER, "27102")
        worker = await redeem_invite(session, invite.code, 5_000_000_001, "職員A", "ja")
        supervisor_invite = await create_invite(session, Role.WARD_SUPERVISOR, "27102", created_by_staff_id=worker.id)
        supervisor = await redeem_invite(session, supervisor_invite.code, 5_000_000_002, "管理者B", "en")
        await create_invite(session, Role.WORKER, "27103")  # never used
        assert worker.id is not None and supervisor.id is not None
        for day, area in ((date(2025, 4, 10), "27102-01"), (date(2025, 5, 12), "27102-02")):
            await add_event(session, "area_meeting", day, area=area)
        await add_event(session, "concern_report", date(2025, 6, 1), area="27102-01")
        await add_event(session, "roster_provision", date(2025, 6, 2), area="27102-03", count=12)
        await add_event(session, "outreach", date(2025, 6, 3), count=5, household="27102-H0001")
        await add_event(session, "outreach", date(2025, 6, 4), count=7, voided=True)
        await add_event(session, "participation_link", date(2025, 7, 1), household="27102-H0002")
        await add_event(session, "participation_link", date(2025, 7, 2), "27103", household="27103-H0001")
        await add_event(session, "agency_survey", date(2025, 8, 1), answer=True)
        await add_event(session, "agency_survey", date(2025, 8, 2), "27103", answer=False)
        draft = EventDraft(
            kind="watch_consultation", occurred_on=date(2025, 9, 1), ward_code="27102", count=3, note="電話で相談"
        )
        wrong, _ = await record_event(
            session, draft, idempotency_key="b-1", today=draft.occurred_on, logged_by_staff_id=worker.id
        )
        assert wrong.id is not None
        await correct_event(
            session,
            wrong.id,
            EventDraft.of(wrong).model_copy(update={"count": 4}),
            by_staff_id=supervisor.id,
            reason="件数の誤り",
            idempotency_key="b-2",
            today=wrong.occurred_on,
        )
        await add_event(session, "tsunagaru_meeting", date(2024, 11, 5), "27103", count=2)  # the year before
        await add_bullet(session, 1, 2025, "27102", SheetSection.ACTIVITIES, "見守り活動の研修", supervisor.id)
        await close_month(session, 2025, 5, actor="test")
        await record_zero_report(session, worker.id, 2025, 10)
        await set_leave(session, worker.id, date(2100, 1, 1), today=FAR_FUTURE.replace(year=2099))
        session.add(BotState(kind="user_data", key="5000000001", data={"draft": {"kind": "outreach", "n": [1, "二"]}}))
        session.add(MonthReopen(ward_code="27102", year=2025, month=5, reason="修正", closes_on=date(2025, 6, 10)))
        session.add(Delivery(kind="reminder", period="2025-10-28", staff_id=worker.id, status="sent", sent_at=utcnow()))


async def _contents(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by primary key."""
    async with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in await connection.execute(sa.select(table).order_by(*table.primary_key))]
            for table in SQLModel.metadata.sorted_tables
        }


async def _totals(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with session_scope(session_factory(engine)) as session:
        return [
            (await indicator_totals(session, year, as_of, ward)).as_json()
            for year, as_of in ((2025, date(2026, 3, 31)), (2025, date(2025, 6, 30)), (2024, date(2025, 3, 31)))
            for ward in (None, "27102", "27103")
        ]


async def _add_event_after_restore(engine: AsyncEngine) -> int | None:
    async with session_scope(session_factory(engine)) as session:
        draft = EventDraft(kind="outreach", occurred_on=date(2025, 10, 1), ward_code="27102", count=1)
        event, _ = await record_event(session, draft, idempotency_key="after-restore", today=draft.occurred_on)
        session.add(AuditEntry(action="test", entity="event", entity_id=str(event.id)))
        await add_event(session, "area_meeting", date(2025, 10, 2), area="27102-04")
        return event.id


async def test_json_backup_restores_identically(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, new_database: NewDatabase, tmp_path: Path
) -> None:
    await _fill(sessions)
    source = await _contents(engine)
    assert {name for name, rows in source.items() if rows} >= FILLED
    archive = tmp_path / "backup.jsonl.gz"
    summary = await backup_json(engine, archive)
    assert summary.revision == head_revision()
    assert summary.rows == {name: len(rows) for name, rows in source.items()}
    target = await new_database()
    restored = await restore_json(target, archive)
    assert restored.rows == {name: len(rows) for name, rows in source.items() if rows}
    assert await current_revision(target) == head_revision()
    assert await _contents(target) == source
    totals = await _totals(target)
    assert totals == await _totals(engine)
    assert totals[0]["indicators"]["1-1"]["value"] == 2
    assert totals[0]["indicators"]["1-4"]["value"] == 4  # the correction, not the voided original
    new_id = await _add_event_after_restore(target)  # the id sequences continue after the restored ids
    id_position = [column.name for column in SQLModel.metadata.tables["event"].columns].index("id")
    assert new_id == max(row[id_position] for row in source["event"]) + 1


async def test_restore_into_a_database_holding_only_the_wards(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, new_database: NewDatabase, tmp_path: Path
) -> None:
    await _fill(sessions)
    archive = tmp_path / "backup.jsonl.gz"
    await backup_json(engine, archive)
    target = await new_database()
    await migrate(target)  # what `intake init-db` does
    async with session_scope(session_factory(target)) as session:
        assert await ensure_wards(session) == 24
    await restore_json(target, archive)
    assert await _contents(target) == await _contents(engine)


async def test_restore_refuses_a_database_with_data_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, new_database: NewDatabase, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.jsonl.gz"
    await backup_json(engine, archive)  # the sample areas and the wards
    await _fill(sessions)
    before = await _contents(engine)
    with pytest.raises(BackupError, match=r"the database is not empty \(.*area: 334, .*staff: 2, .*event: 13,"):
        await restore_json(engine, archive)
    assert await _contents(engine) == before


async def test_restore_refuses_another_schema_revision(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], new_database: NewDatabase, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.jsonl.gz"
    await backup_json(engine, archive)
    older = await new_database()
    await migrate(older)
    await downgrade(older, "-1")
    revision = await current_revision(older)
    assert revision is not None and revision != head_revision()
    with pytest.raises(BackupError, match=f"the database is at schema revision {revision}, the archive at"):
        await restore_json(older, archive)
    assert await current_revision(older) == revision
    async with older.connect() as connection:
        assert await connection.scalar(sa.text("SELECT count(*) FROM event")) == 0
        assert await connection.scalar(sa.text("SELECT count(*) FROM ward")) == 0

    old_archive = tmp_path / "old.jsonl.gz"
    _rewrite(archive, old_archive, lambda header: {**header, "revision": "0001"})
    fresh = await new_database()
    with pytest.raises(BackupError, match="the archive is at schema revision 0001, this release at"):
        await restore_json(fresh, old_archive)
    assert await current_revision(fresh) is None  # not even the schema was created


async def test_an_incomplete_archive_restores_nothing(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, new_database: NewDatabase, tmp_path: Path
) -> None:
    await _fill(sessions)
    archive = tmp_path / "backup.jsonl.gz"
    await backup_json(engine, archive)
    with gzip.open(archive, "rt", encoding="utf-8") as stream:
        lines = stream.readlines()
    cut = tmp_path / "cut.jsonl.gz"
    with gzip.open(cut, "wt", encoding="utf-8") as stream:
        stream.writelines(lines[:-1])  # the last row is missing
    target = await new_database()
    with pytest.raises(BackupError, match="the archive is incomplete"):
        await restore_json(target, cut)
    assert {name for name, rows in (await _contents(target)).items() if rows} == set()
    not_an_archive = tmp_path / "other.gz"
    with gzip.open(not_an_archive, "wt") as stream:
        stream.write('{"hello": 1}\n')
    with pytest.raises(BackupError, match="is not an intake backup archive"):
        read_header(not_an_archive)


async def test_the_archive_is_one_snapshot(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row committed while the archive is being written is not in it, and the header counts still match."""
    await _fill(sessions)
    before = await _contents(engine)
    write_table = models.ops.backup._write_table
    wrote: list[str] = []

    async def write_then_change(connection: Any, table: sa.Table, stream: Any) -> None:
        await write_table(connection, table, stream)
        if not wrote:  # after the first table: another connection commits an event and an audit entry
            async with session_scope(sessions) as session:
                await add_event(session, "outreach", date(2025, 11, 1))
        wrote.append(table.name)

    monkeypatch.setattr(models.ops.backup, "_write_table", write_then_change)
    archive = tmp_path / "backup.jsonl.gz"
    summary = await backup_json(engine, archive)
    assert summary.rows["event"] == len(before["event"])
    assert len((await _contents(engine))["event"]) == len(before["event"]) + 1
    with gzip.open(archive, "rt", encoding="utf-8") as stream:
        header, *rows = [json.loads(line) for line in stream]
    assert sum(1 for row in rows if row["table"] == "event") == len(before["event"])
    assert sum(1 for row in rows if row["table"] == "audit_log") == len(before["audit_log"])
    assert {entry["name"]: entry["rows"] for entry in header["tables"]} == {n: len(r) for n, r in before.items()}


async def test_a_backup_never_overwrites_a_file(engine: AsyncEngine, tmp_path: Path) -> None:
    existing = tmp_path / "existing.jsonl.gz"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists already"):
        await backup_json(engine, existing)
    assert existing.read_bytes() == b"keep me"


def _rewrite(archive: Path, out: Path, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    with gzip.open(archive, "rt", encoding="utf-8") as stream:
        header, *rest = stream.readlines()
    with gzip.open(out, "wt", encoding="utf-8") as stream:
        stream.write(json.dumps(change(json.loads(header))) + "\n")
        stream.writelines(rest)


# --- SQLite's own file copy ----------------------------------------------------------------------------


async def test_sqlite_file_backup_restores_identically(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own backup file")
    await _fill(sessions)
    copy = tmp_path / "backup.db"
    async with engine.connect() as busy:  # another connection mid-transaction: the copy is still consistent
        await busy.execute(sa.text("SELECT count(*) FROM event"))
        summary = backup_sqlite_file(engine.url.render_as_string(hide_password=False), copy)
    assert summary.revision == head_revision()
    assert copy.read_bytes().startswith(b"SQLite format 3\x00")
    target_path = tmp_path / "restored" / "intake.db"
    target_url = f"sqlite+aiosqlite:///{target_path}"
    assert restore_sqlite_file(copy, target_url) == head_revision()
    target = make_engine(target_url)
    try:
        assert await _contents(target) == await _contents(engine)
        assert await _totals(target) == await _totals(engine)
        new_id = await _add_event_after_restore(target)
        assert new_id is not None
        with pytest.raises(BackupError, match="exists and is not empty"):
            restore_sqlite_file(copy, target_url)
    finally:
        await target.dispose()
    with pytest.raises(BackupError, match="restores only into a SQLite database"):
        restore_sqlite_file(copy, "postgresql+asyncpg://user:secret@localhost/intake")
