"""Backups: a consistent copy of the database, and restoring one into an empty database.

Two kinds of copy:

- SQLite's own file copy (`backup_sqlite_file`), made with SQLite's online backup API: consistent even while
  the bot writes. Restored by copying it to a database path that does not exist yet or is an empty file.
- A portable archive for any database (`backup_json`): gzip JSON lines. The first line is a header (format,
  Alembic revision, the tables in foreign-key order with their row counts); then one line per row,
  `{"table": …, "row": {column: value}}`, tables in foreign-key order and rows by primary key, dates and
  datetimes as ISO strings (datetimes in UTC). Everything is read in one snapshot (REPEATABLE READ on
  PostgreSQL, one read transaction on SQLite), so the archive is consistent. `restore_json` loads it into an
  empty database at the same revision, in one transaction, and moves PostgreSQL's id sequences past the
  restored ids.

PostgreSQL's own tools (pg_dump / pg_restore) remain the usual backup there: `pg_dump_instructions`.
"""

from __future__ import annotations

import gzip
import json
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers every table on the metadata)
from models.config import TOKYO
from models.db import alembic_config, current_revision, head_revision, migrate, revision_on
from models.rollups import rebuild_rollups_sync

ARCHIVE_FORMAT = "mimamori-intake-backup"
ARCHIVE_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
REFERENCE_TABLES = frozenset({"ward"})  # shipped reference data: may be present in the target, replaced
BATCH_ROWS = 1000


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)  # per table; empty for a SQLite file copy

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- revisions and tables ------------------------------------------------------------------------------


def known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def backup_tables() -> list[sa.Table]:
    """Every table of the schema, parents before children (the order rows are written and restored in)."""
    return list(SQLModel.metadata.sorted_tables)


def _self_references(table: sa.Table) -> list[str]:
    """Columns pointing at the same table (event.replaced_by_event_id …): restored in a second pass."""
    return sorted({fk.parent.name for fk in table.foreign_keys if fk.column.table is table})


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def describe(database_url: str) -> str:
    """The database for messages: the URL without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def default_backup_name(kind: str, now: datetime | None = None) -> str:
    """`intake-backup-20251127-093000.db` (kind "db") or `….jsonl.gz` (kind "jsonl.gz"), Japan time."""
    moment = (now or datetime.now(UTC)).astimezone(TOKYO)
    return f"intake-backup-{moment:%Y%m%d-%H%M%S}.{kind}"


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise BackupError(f"{out} exists already: choose another --out (a backup never overwrites a file)")


def _partial(out: Path) -> Path:
    """Where a backup is written before it is complete (then renamed, so a half file never has the name)."""
    return out.with_name(out.name + ".partial")


# --- SQLite file copy ----------------------------------------------------------------------------------


def backup_sqlite_file(database_url: str, out: Path) -> BackupSummary:
    """A consistent copy of a SQLite database with the online backup API (safe while the bot runs)."""
    source = sqlite_path(database_url)
    if source is None:
        raise BackupError(f"not a SQLite database file: {describe(database_url)}")
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    _refuse_existing(out)
    partial = _partial(out)
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=15)) as reader, closing(sqlite3.connect(partial)) as writer:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            revision = _check_sqlite_copy(writer, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(out, revision)


def _check_sqlite_copy(connection: sqlite3.Connection, path: Path) -> str | None:
    """The copy's integrity, and its Alembic revision (None when the database has no schema)."""
    try:
        (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error})") from None
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {verdict}")
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


def restore_sqlite_file(backup: Path, database_url: str) -> str | None:
    """Copy a SQLite backup file to the database path, which must not exist yet or be an empty file.

    Returns the copy's revision; `intake migrate` (or the bot's start) upgrades it if this release is newer.
    """
    target = sqlite_path(database_url)
    if target is None:
        raise BackupError(
            f"a SQLite backup file restores only into a SQLite database, not {describe(database_url)}: "
            "make a portable archive with `intake backup --format json` instead"
        )
    if target.exists() and target.stat().st_size > 0:
        raise BackupError(
            f"{target} exists and is not empty: restore only into a new database "
            "(set DATABASE_URL to a path that does not exist yet, or move the old file away first)"
        )
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = target.with_name(target.name + suffix)
        if leftover.exists():
            raise BackupError(f"{leftover} is left from an earlier database: move it away first")
    with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source:
        revision = _check_sqlite_copy(source, backup)
        if revision is not None and not known_revision(revision):
            raise BackupError(f"{backup} is at schema revision {revision}, unknown to this release: use a newer one")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial(target)
        partial.unlink(missing_ok=True)
        try:
            with closing(sqlite3.connect(partial)) as writer:
                source.backup(writer)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return revision


# --- portable archive: writing -------------------------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a backup")


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False, separators=(",", ":")) + "\n"


async def _begin_snapshot(connection: AsyncConnection) -> None:
    """One read-only snapshot for everything read on this connection until it rolls back."""
    if connection.dialect.name == "postgresql":
        await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        await connection.execute(sa.text("SELECT 1"))  # starts the transaction: the snapshot is taken here
    else:  # SQLite (WAL): a read transaction sees the database as of its first read
        await connection.exec_driver_sql("BEGIN")


async def backup_json(engine: AsyncEngine, out: Path, *, now: datetime | None = None) -> BackupSummary:
    """Write the portable archive of every table, read in one snapshot (see the module docstring)."""
    _refuse_existing(out)
    partial = _partial(out)
    try:
        async with engine.connect() as connection:
            await _begin_snapshot(connection)
            revision = await connection.run_sync(revision_on)
            if revision is None:
                raise BackupError(f"{describe(str(engine.url))} has no schema: nothing to back up")
            rows = {table.name: await _count(connection, table) for table in backup_tables()}
            with gzip.open(partial, "wt", encoding="utf-8") as stream:
                stream.write(_line(_header(revision, rows, now or datetime.now(UTC))))
                for table in backup_tables():
                    await _write_table(connection, table, stream)
            await connection.rollback()
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(out, revision, rows)


async def _count(connection: AsyncConnection, table: sa.Table) -> int:
    return int(await connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def _header(revision: str, rows: dict[str, int], created_at: datetime) -> dict[str, Any]:
    return {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "revision": revision,
        "created_at": created_at,
        "tables": [{"name": name, "rows": count} for name, count in rows.items()],
    }


async def _write_table(connection: AsyncConnection, table: sa.Table, stream: TextIO) -> None:
    result = await connection.stream(sa.select(table).order_by(*table.primary_key.columns))
    async for row in result.mappings():
        stream.write(_line({"table": table.name, "row": dict(row)}))


# --- portable archive: restoring -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveHeader:
    revision: str
    created_at: str
    rows: dict[str, int]


def read_header(archive: Path) -> ArchiveHeader:
    """The archive's first line, checked; BackupError for anything that is not an archive of ours."""
    try:
        with gzip.open(archive, "rt", encoding="utf-8") as stream:
            header = json.loads(stream.readline())
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive} is not a backup archive ({error})") from None
    if not isinstance(header, dict) or header.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"{archive} is not an intake backup archive")
    if header.get("version") != ARCHIVE_VERSION:
        raise BackupError(f"{archive} is archive version {header.get('version')}; this release reads {ARCHIVE_VERSION}")
    return ArchiveHeader(
        revision=str(header["revision"]),
        created_at=str(header.get("created_at", "")),
        rows={entry["name"]: int(entry["rows"]) for entry in header["tables"]},
    )


def _archive_rows(archive: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with gzip.open(archive, "rt", encoding="utf-8") as stream:
        stream.readline()  # the header
        for number, line in enumerate(stream, start=2):
            try:
                entry = json.loads(line)
                yield entry["table"], entry["row"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise BackupError(f"{archive}: line {number} is damaged") from None


async def restore_json(engine: AsyncEngine, archive: Path) -> BackupSummary:
    """Load an archive into an empty database (one transaction); BackupError, and no change, when refused.

    A database without any schema is first migrated to the archive's revision, which must be this release's.
    The target may hold the wards (`intake init-db`): they are replaced by the archive's.
    """
    header = read_header(archive)
    _check_tables(header)
    head = head_revision()
    if header.revision != head:
        raise BackupError(
            f"the archive is at schema revision {header.revision}, this release at {head}: restore it with the "
            f"release whose latest migration is {header.revision}, then upgrade with `intake migrate`"
        )
    revision = await current_revision(engine)
    if revision is None:
        await migrate(engine, header.revision)
    elif revision != header.revision:
        raise BackupError(
            f"the database is at schema revision {revision}, the archive at {header.revision}: "
            "restore into a new, empty database (restore creates the schema)"
        )
    try:
        async with engine.begin() as connection:
            await _refuse_unless_empty(connection)
            await connection.execute(sa.delete(SQLModel.metadata.tables["ward"]))
            loaded = await _load(connection, archive)
            _check_counts(header, loaded)
            await connection.run_sync(rebuild_rollups_sync)  # whatever the archive held, they match its events
            if connection.dialect.name == "postgresql":
                await _reset_sequences(connection)
    except (OSError, EOFError) as error:
        raise BackupError(f"{archive} could not be read to the end ({error}): nothing was restored") from None
    return BackupSummary(archive, header.revision, loaded)


def _check_tables(header: ArchiveHeader) -> None:
    unknown = sorted(set(header.rows) - {table.name for table in backup_tables()})
    if unknown:
        raise BackupError(f"the archive has tables this release does not know: {', '.join(unknown)}")


async def _refuse_unless_empty(connection: AsyncConnection) -> None:
    filled = {}
    for table in backup_tables():
        if table.name not in REFERENCE_TABLES:
            count = await _count(connection, table)
            if count:
                filled[table.name] = count
    if filled:
        listing = ", ".join(f"{name}: {count}" for name, count in filled.items())
        raise BackupError(
            f"the database is not empty ({listing} rows): restore only into an empty database — a new one "
            "(restore creates the schema) or one made with `intake init-db` (which loads no sample areas)"
        )


async def _load(connection: AsyncConnection, archive: Path) -> dict[str, int]:
    """Insert the archive's rows in batches; self-referencing columns are set once all rows are in."""
    tables = SQLModel.metadata.tables
    loaded: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    current: sa.Table | None = None
    links: list[tuple[sa.Table, dict[str, Any]]] = []
    for name, raw in _archive_rows(archive):
        table = tables[name]
        if table is not current and current is not None:
            await _insert(connection, current, batch)
            batch = []
        current = table
        row, link = _decode(table, raw)
        batch.append(row)
        if link:
            links.append((table, link))
        loaded[name] = loaded.get(name, 0) + 1
        if len(batch) >= BATCH_ROWS:
            await _insert(connection, table, batch)
            batch = []
    if current is not None:
        await _insert(connection, current, batch)
    for table, link in links:
        await _link(connection, table, link)
    return loaded


async def _insert(connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        await connection.execute(table.insert(), rows)


async def _link(connection: AsyncConnection, table: sa.Table, link: dict[str, Any]) -> None:
    keys = [column.name for column in table.primary_key.columns]
    condition = sa.and_(*(table.c[key] == link.pop(key) for key in keys))
    await connection.execute(table.update().where(condition).values(**link))


def _decode(table: sa.Table, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row for INSERT (self-references left empty), and the self-references to set afterwards."""
    unknown = set(raw) - set(table.c.keys())
    if unknown:
        raise BackupError(f"the archive has columns this release does not know: {table.name}.{', '.join(unknown)}")
    row = {name: _value(table.c[name], value) for name, value in raw.items()}
    link = {name: row[name] for name in _self_references(table) if row.get(name) is not None}
    if link:
        link.update({column.name: row[column.name] for column in table.primary_key.columns})
        row.update(dict.fromkeys(_self_references(table)))
    return row, link


def _value(column: sa.Column[Any], value: Any) -> Any:
    """A JSON value back as the column's Python value (ISO strings to dates and aware datetimes)."""
    column_type = column.type
    if isinstance(column_type, sa.TypeDecorator):
        column_type = column_type.impl_instance
    if value is None:
        return None
    if isinstance(column_type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, sa.Date):
        return date.fromisoformat(value)
    return value


def _check_counts(header: ArchiveHeader, loaded: dict[str, int]) -> None:
    expected = {name: count for name, count in header.rows.items() if count}
    if loaded != expected:
        raise BackupError(f"the archive is incomplete (rows expected {expected}, found {loaded}): nothing was restored")


async def _reset_sequences(connection: AsyncConnection) -> None:
    """Move each id sequence past the restored ids, so the next insert gets max(id) + 1."""
    for table in backup_tables():
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
            key = keys[0]
            await connection.execute(
                sa.select(
                    sa.func.setval(
                        sa.func.pg_get_serial_sequence(table.name, key.name),
                        sa.func.coalesce(sa.func.max(key), 0) + 1,
                        False,
                    )
                ).select_from(table)
            )


# --- PostgreSQL's own tools ----------------------------------------------------------------------------


def pg_dump_instructions(database_url: str, now: datetime | None = None) -> str:
    """What to run for a PostgreSQL backup and restore (the password is never printed)."""
    url = make_url(database_url)
    connection = [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        connection.append(f"--username={url.username}")
    flags = " ".join(shlex.quote(part) for part in connection)
    dump = default_backup_name("dump", now)
    database = shlex.quote(url.database or "postgres")
    return "\n".join(
        [
            f"PostgreSQL ({describe(database_url)}): back it up with pg_dump, which reads one consistent snapshot",
            "while the bot keeps running:",
            "",
            f"  pg_dump --format=custom --no-owner {flags} --file={dump} {database}",
            "",
            "Restore into a new, empty database (then start the bot or run `intake migrate`):",
            "",
            f"  createdb {flags} intake_restored",
            f"  pg_restore --no-owner --exit-on-error --single-transaction {flags} --dbname=intake_restored {dump}",
            "",
            "The password is not shown: give it in PGPASSWORD or ~/.pgpass. Use pg_dump and pg_restore of the",
            "server's major version or newer.",
            "A portable archive instead (any database, restorable with `intake restore`):",
            "  intake backup --format json",
        ]
    )


def archive_kind(path: Path) -> str:
    """ "sqlite" for a SQLite backup file, "json" for an archive (gzip); BackupError for anything else."""
    with path.open("rb") as stream:
        start = stream.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(GZIP_MAGIC):
        return "json"
    raise BackupError(f"{path} is neither a SQLite backup file nor a backup archive (.jsonl.gz)")
