"""Keeping the data: `intake backup` and `restore`."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail
from models.config import Settings, get_settings
from models.db import engine_scope, head_revision
from models.ops.backup import (
    BackupError,
    BackupSummary,
    archive_kind,
    backup_json,
    backup_sqlite_file,
    default_backup_name,
    describe,
    pg_dump_instructions,
    restore_json,
    restore_sqlite_file,
    sqlite_path,
)

app = typer.Typer()


class BackupFormat(StrEnum):
    NATIVE = "native"  # SQLite: a copy of the database file; PostgreSQL: pg_dump (the commands are printed)
    JSON = "json"  # the portable archive (gzip JSON lines), any database


# --- backup and restore --------------------------------------------------------------------------------


@app.command("backup")
def backup_command(
    out: Annotated[
        Path | None, typer.Option(help="file to write (never overwritten); default intake-backup-<time>")
    ] = None,
    backup_format: Annotated[
        BackupFormat,
        typer.Option(
            "--format",
            help="native: SQLite file copy (PostgreSQL: prints the pg_dump commands); "
            "json: portable archive, any database",
        ),
    ] = BackupFormat.NATIVE,
) -> None:
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
        raise fail(str(error)) from None
    typer.echo(_summary_line("backup written", summary))


async def _backup_json(settings: Settings, out: Path) -> BackupSummary:
    async with engine_scope(settings.database_url) as engine:
        return await backup_json(engine, out)


def _summary_line(what: str, summary: BackupSummary) -> str:
    rows = f", {summary.total} rows" if summary.rows else ""
    return f"{what}: {summary.path} (schema revision {summary.revision or 'none'}{rows})"


@app.command("restore")
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
        raise fail(str(error), 1) from None
    typer.echo(
        f"restored {summary.total} rows from {file} into {describe(settings.database_url)} "
        f"(schema revision {summary.revision})"
    )
    for table, count in summary.rows.items():
        typer.echo(f"  {table}: {count}")


async def _restore_json(settings: Settings, file: Path) -> BackupSummary:
    async with engine_scope(settings.database_url) as engine:
        return await restore_json(engine, file)
