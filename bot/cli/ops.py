"""Operator commands for running the service: init-db, staff leave, export events, backup, restore.

`register` adds them to the `intake` app (bot/cli/main.py). Helpers of bot/cli/main.py are imported inside the commands,
because bot/cli/main.py imports this module.
"""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func
from sqlmodel import select

from models.config import Settings, get_settings
from models.db import make_engine, session_factory, session_scope
from models.fiscal import fiscal_year_of, parse_day
from models.fiscal import today as japan_today
from models.ops.backup import (
    BackupError,
    BackupSummary,
    archive_kind,
    backup_json,
    backup_sqlite_file,
    current_revision,
    default_backup_name,
    describe,
    head_revision,
    pg_dump_instructions,
    restore_json,
    restore_sqlite_file,
    sqlite_path,
)
from models.sheet.export import ExportFormat, ExportRow, default_export_name, export_events, render_events
from models.staff import set_leave
from models.tables import Area, Staff


class BackupFormat(StrEnum):
    NATIVE = "native"  # SQLite: a copy of the database file; PostgreSQL: pg_dump (the commands are printed)
    JSON = "json"  # the portable archive (gzip JSON lines), any database


def register(app: typer.Typer, staff_app: typer.Typer) -> None:
    """Add the operations commands to `intake` and `intake staff`."""
    app.command("init-db")(init_db_command)
    staff_app.command("leave")(staff_leave_command)
    staff_app.info.help = "Staff members: list, deactivate, leave."
    export_app = typer.Typer(help="Exports without personal data (no notes, names or Telegram ids).",
                             no_args_is_help=True)  # fmt: skip
    export_app.command("events")(export_events_command)
    app.add_typer(export_app, name="export")
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option; ValueError naming the option otherwise."""
    if not value:
        return None
    day = parse_day(value)
    if day is None:
        raise ValueError(f"{option} must be a date like 2025-11-30, not {value!r}")
    return day


# --- init-db -------------------------------------------------------------------------------------------


def init_db_command() -> None:
    """Create the schema on an empty database and load the 24 wards (no sample areas); says what it did."""
    for line in asyncio.run(_init_db(get_settings())):
        typer.echo(line)


async def _init_db(settings: Settings) -> list[str]:
    from bot.cli.main import prepare_database

    engine = make_engine(settings.database_url)
    try:
        before = await current_revision(engine)
        done = await prepare_database(settings.model_copy(update={"load_sample_areas": False}))
        after = await current_revision(engine)
        async with session_scope(session_factory(engine)) as session:
            areas = await session.scalar(select(func.count()).select_from(Area)) or 0
    finally:
        await engine.dispose()
    if before is None:
        schema = f"schema created at revision {after} ({describe(settings.database_url)})"
    elif before != after:
        schema = f"schema upgraded from revision {before} to {after}"
    else:
        schema = f"schema already at revision {after}"
    area_line = (
        f"areas: {areas}" if areas else "areas: none yet; import the area master with `intake import-areas FILE.csv`"
    )
    return [schema, *done, area_line]


# --- staff leave ---------------------------------------------------------------------------------------


def staff_leave_command(
    staff_id: Annotated[int, typer.Argument(help="the number from `intake staff list`")],
    until: Annotated[str | None, typer.Option(help="last day of the leave, YYYY-MM-DD (Japan date)")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="end the leave now")] = False,
) -> None:
    """Put a staff member on leave until a date (left out of /missing and reminders), or --clear it; audited."""
    if (until is None) == (not clear):
        raise _fail("give either --until YYYY-MM-DD or --clear")
    try:
        last_day = _day(until, "--until")
        member = asyncio.run(_set_leave(staff_id, last_day))
    except ValueError as error:
        raise _fail(str(error)) from None
    if member.on_leave_until is None:
        typer.echo(f"{member.id} {member.display_name}: not on leave")
    else:
        typer.echo(f"{member.id} {member.display_name}: on leave until {member.on_leave_until}")


async def _set_leave(staff_id: int, until: date | None) -> Staff:
    from bot.cli.main import _database

    async with _database(get_settings()) as session:
        return await set_leave(session, staff_id, until, today=japan_today())


# --- export events -------------------------------------------------------------------------------------


def export_events_command(
    fy: Annotated[int | None, typer.Option(help="fiscal year, e.g. 2025 (令和7年度); default: current")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: events up to this day; default all")] = None,
    export_format: Annotated[ExportFormat, typer.Option("--format", help="csv (UTF-8 with BOM) or xlsx")] = (
        ExportFormat.CSV
    ),
    out: Annotated[Path | None, typer.Option(help="file to write; default events-<fy>-<scope>.<format>")] = None,
) -> None:
    """Every event of a fiscal year, counted and voided (flagged): coded fields only, no notes or names."""
    try:
        as_of_date = _day(as_of, "--as-of")
        fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date or japan_today())
        rows = asyncio.run(_export_rows(fiscal_year, ward, as_of_date))
    except ValueError as error:
        raise _fail(str(error)) from None
    path = out or Path(default_export_name(fiscal_year, ward, export_format))
    path.write_bytes(render_events(rows, export_format))
    voided = sum(row.voided for row in rows)
    typer.echo(f"{path}: {len(rows)} events ({len(rows) - voided} counted, {voided} voided)")


async def _export_rows(fiscal_year: int, ward: str | None, as_of: date | None) -> list[ExportRow]:
    from bot.cli.main import _database

    async with _database(get_settings()) as session:
        return await export_events(session, fiscal_year, ward, as_of)


# --- backup and restore --------------------------------------------------------------------------------


def backup_command(
    out: Annotated[Path | None, typer.Option(help="file to write (never overwritten); default intake-backup-<time>")]
    = None,
    backup_format: Annotated[
        BackupFormat,
        typer.Option("--format", help="native: SQLite file copy (PostgreSQL: prints the pg_dump commands); "
                                      "json: portable archive, any database"),
    ] = BackupFormat.NATIVE,
) -> None:  # fmt: skip
    """A consistent copy of the database, safe while the bot runs (restore it with `intake restore`)."""
    settings = get_settings()
    is_sqlite = sqlite_path(settings.database_url) is not None
    if backup_format is BackupFormat.NATIVE and not is_sqlite:
        typer.echo(pg_dump_instructions(settings.database_url))
        return
    try:
        if backup_format is BackupFormat.NATIVE:
            summary = backup_sqlite_file(settings.database_url, out or Path(default_backup_name("db")))
        else:
            summary = asyncio.run(_backup_json(settings, out or Path(default_backup_name("jsonl.gz"))))
    except BackupError as error:
        raise _fail(str(error)) from None
    typer.echo(_summary_line("backup written", summary))


async def _backup_json(settings: Settings, out: Path) -> BackupSummary:
    engine = make_engine(settings.database_url)
    try:
        return await backup_json(engine, out)
    finally:
        await engine.dispose()


def _summary_line(what: str, summary: BackupSummary) -> str:
    rows = f", {summary.total} rows" if summary.rows else ""
    return f"{what}: {summary.path} (schema revision {summary.revision or 'none'}{rows})"


def restore_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a file from `intake backup`")],
) -> None:
    """Restore a backup into an EMPTY database (DATABASE_URL): refused if it holds data or another schema.

    A SQLite file copy goes to a database path that does not exist yet (or is an empty file); an archive
    (.jsonl.gz) loads into any empty database at the same schema revision, in one transaction.
    """
    settings = get_settings()
    try:
        if archive_kind(file) == "sqlite":
            revision = restore_sqlite_file(file, settings.database_url)
            typer.echo(f"restored {file} to {describe(settings.database_url)} (schema revision {revision or 'none'})")
            if revision != head_revision():
                typer.echo("run `intake migrate` (or start the bot) to bring it to this release's schema")
            return
        summary = asyncio.run(_restore_json(settings, file))
    except BackupError as error:
        raise _fail(str(error), 1) from None
    typer.echo(f"restored {summary.total} rows from {file} into {describe(settings.database_url)} "
               f"(schema revision {summary.revision})")  # fmt: skip
    for table, count in summary.rows.items():
        typer.echo(f"  {table}: {count}")


async def _restore_json(settings: Settings, file: Path) -> BackupSummary:
    engine = make_engine(settings.database_url)
    try:
        return await restore_json(engine, file)
    finally:
        await engine.dispose()
