"""The operations commands (init-db, staff leave, export events, backup, restore), run as an operator would."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import get_settings
from models.db import head_revision, make_engine, session_factory, session_scope
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.roles import Role
from models.sheet.export import EXPORT_COLUMNS
from models.staff import create_invite, redeem_invite
from tests.builders import add_event

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "ops.db"
    _use(monkeypatch, path)
    yield path
    get_settings.cache_clear()


def _use(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()


def _count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _fill(path: Path) -> None:
    """A worker, three events of FY2025 (one with a note, one voided) and one area import, via the models."""

    async def fill() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            async with session_scope(session_factory(engine)) as session:
                invite = await create_invite(session, Role.WORKER, "27102")
                await redeem_invite(session, invite.code, 7_000_000_001, "職員C", "ja")
                draft = EventDraft(
                    kind="outreach", occurred_on=date(2025, 6, 1), ward_code="27102", count=2, note="見守りで訪問した"
                )
                await record_event(session, draft, idempotency_key="cli-1", today=draft.occurred_on)
                await add_event(session, "outreach", date(2025, 6, 2), count=3, voided=True)
                await add_event(session, "complex_intake", date(2025, 7, 1), "27103", count=4)
        finally:
            await engine.dispose()

    asyncio.run(fill())


def _ready(path: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init-db"]).exit_code == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("area_code,ward_code,name_ja,roster_provided\n27102-01,27102,都島区第1地域,1\n", encoding="utf-8")
    assert runner.invoke(app, ["import-areas", str(areas)]).exit_code == 0
    _fill(path)


def test_every_command_has_help() -> None:
    for command in (["init-db"], ["staff", "leave"], ["export", "events"], ["backup"], ["restore"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_init_db_creates_the_schema_and_the_wards_without_sample_areas(database: Path) -> None:
    result = runner.invoke(app, ["init-db"])
    assert result.exit_code == 0, result.output
    assert f"schema created at revision {head_revision()}" in result.output
    assert "wards added: 24" in result.output
    assert "areas: none yet; import the area master with `intake import-areas FILE.csv`" in result.output
    assert (_count(database, "ward"), _count(database, "area")) == (24, 0)
    again = runner.invoke(app, ["init-db"])
    assert f"schema already at revision {head_revision()}" in again.output
    assert "wards added: 0" in again.output


def test_staff_leave_sets_and_clears_and_is_audited(database: Path, tmp_path: Path) -> None:
    _ready(database, tmp_path)
    result = runner.invoke(app, ["staff", "leave", "1", "--until", "2099-12-31"])
    assert result.exit_code == 0, result.output
    assert "1 職員C: on leave until 2099-12-31" in result.output
    cleared = runner.invoke(app, ["staff", "leave", "1", "--clear"])
    assert "1 職員C: not on leave" in cleared.output
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT on_leave_until FROM staff WHERE id = 1").fetchone() == (None,)
        audit = connection.execute("SELECT actor, entity_id, detail FROM audit_log WHERE action = 'leave' ORDER BY id")
        assert [(actor, entity, json.loads(detail)) for actor, entity, detail in audit] == [
            ("cli", "1", {"until": "2099-12-31", "was": None}),
            ("cli", "1", {"until": None, "was": "2099-12-31"}),
        ]


def test_staff_leave_refuses_bad_input(database: Path, tmp_path: Path) -> None:
    _ready(database, tmp_path)
    neither = runner.invoke(app, ["staff", "leave", "1"])
    assert neither.exit_code == 2
    assert "give either --until YYYY-MM-DD or --clear" in neither.output
    assert runner.invoke(app, ["staff", "leave", "1", "--until", "2099-01-01", "--clear"]).exit_code == 2
    past = runner.invoke(app, ["staff", "leave", "1", "--until", "2020-01-01"])
    assert (past.exit_code, "the leave must end today" in past.output) == (2, True)
    assert "no staff member with id 9" in runner.invoke(app, ["staff", "leave", "9", "--clear"]).output
    badly_written = runner.invoke(app, ["staff", "leave", "1", "--until", "31/12/2099"])
    assert "--until must be a date like 2025-11-30, not '31/12/2099'" in badly_written.output
    assert _count(database, "audit_log WHERE action = 'leave'") == 0


def test_export_events_csv_and_xlsx(database: Path, tmp_path: Path) -> None:
    _ready(database, tmp_path)
    out = tmp_path / "events.csv"
    result = runner.invoke(app, ["export", "events", "--fy", "2025", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{out}: 3 events (2 counted, 1 voided)" in result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "見守りで訪問した" not in data.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(row["ward_code"], row["kind"], row["count"], row["voided"]) for row in table] == [
        ("27102", "outreach", "2", "no"),
        ("27102", "outreach", "3", "yes"),
        ("27103", "complex_intake", "4", "no"),
    ]
    xlsx = tmp_path / "events.xlsx"
    ward = runner.invoke(
        app, ["export", "events", "--fy", "2025", "--ward", "27103", "--format", "xlsx", "--out", str(xlsx)]
    )
    assert ward.exit_code == 0, ward.output
    rows = list(load_workbook(xlsx)["events"].iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    assert [row[5] for row in rows[1:]] == ["complex_intake"]
    unknown = runner.invoke(
        app, ["export", "events", "--fy", "2025", "--ward", "99999", "--out", str(tmp_path / "no.csv")]
    )
    assert (unknown.exit_code, "unknown ward code 99999" in unknown.output) == (2, True)


def test_backup_and_restore_through_the_command_line(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(database, tmp_path)
    archive, copy = tmp_path / "backup.jsonl.gz", tmp_path / "backup.db"
    result = runner.invoke(app, ["backup", "--format", "json", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert f"backup written: {archive} (schema revision {head_revision()}, " in result.output
    with gzip.open(archive, "rt", encoding="utf-8") as stream:
        assert json.loads(stream.readline())["revision"] == head_revision()
    native = runner.invoke(app, ["backup", "--out", str(copy)])
    assert native.exit_code == 0, native.output
    again = runner.invoke(app, ["backup", "--out", str(copy)])
    assert (again.exit_code, "exists already" in again.output) == (2, True)

    restored = tmp_path / "restored.db"
    _use(monkeypatch, restored)
    result = runner.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "  event: 3" in result.output
    assert _count(restored, "event") == 3
    before = _count(restored, "audit_log")
    refused = runner.invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 1
    assert "the database is not empty" in refused.output
    assert _count(restored, "audit_log") == before
    totals = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2026-03-31", "--json"])
    indicators = json.loads(totals.output)["indicators"]
    assert (indicators["1-5"]["value"], indicators["2-1"]["value"]) == (2, 4)

    from_copy = tmp_path / "from-copy.db"
    _use(monkeypatch, from_copy)
    result = runner.invoke(app, ["restore", str(copy)])
    assert result.exit_code == 0, result.output
    assert (_count(from_copy, "event"), _count(from_copy, "staff")) == (3, 1)
    assert runner.invoke(app, ["restore", str(copy)]).exit_code == 1  # the file is not empty any more


def test_restore_refuses_a_file_that_is_no_backup(database: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = runner.invoke(app, ["restore", str(other)])
    assert result.exit_code == 1
    assert "is neither a SQLite backup file nor a backup archive" in result.output
    assert not database.exists()


def test_backup_on_postgresql_prints_the_pg_dump_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://intake:s3cret@db.internal:5433/intake_prod")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["backup"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert "pg_dump --format=custom --no-owner --host=db.internal --port=5433 --username=intake" in result.output
    assert " intake_prod" in result.output
    assert "pg_restore --no-owner --exit-on-error --single-transaction" in result.output
