"""Setting up: `intake migrate`, `init-db`, `import-areas` (starting the bot: `bot/cli/run.py`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func
from sqlmodel import select

from models.config import Settings, get_settings
from models.db import cli_session, current_revision, engine_scope, prepare_database, session_factory, session_scope
from models.ops.backup import describe
from models.reference import AreaImportError, AreaImportResult, import_areas_file
from models.tables import Area

app = typer.Typer()


@app.command("migrate")
def migrate_command(
    sample_areas: Annotated[
        bool,
        typer.Option(
            "--sample-areas", help="also load the synthetic 334-area sample when no area exists (demos, trials)"
        ),
    ] = False,
) -> None:
    """Create or upgrade the database schema and load the 24 wards (never the sample areas unless asked)."""
    settings = get_settings()
    if sample_areas:
        settings = settings.model_copy(update={"load_sample_areas": True})
    for line in asyncio.run(prepare_database(settings)):
        typer.echo(line)
    typer.echo("database is up to date")


@app.command("init-db")
def init_db_command() -> None:
    """Create the schema on an empty database and load the 24 wards (no sample areas); says what it did."""
    for line in asyncio.run(_init_db(get_settings())):
        typer.echo(line)


async def _init_db(settings: Settings) -> list[str]:
    async with engine_scope(settings.database_url) as engine:
        before = await current_revision(engine)
        done = await prepare_database(settings.model_copy(update={"load_sample_areas": False}))
        after = await current_revision(engine)
        async with session_scope(session_factory(engine)) as session:
            areas = await session.scalar(select(func.count()).select_from(Area)) or 0
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


@app.command("import-areas")
def import_areas_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: area_code,ward_code,name_ja,roster_provided")
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="the file is the whole master: retire (never delete) active areas missing from it",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print what would be added, updated and retired; change nothing")
    ] = False,
) -> None:
    """Add or update the area master from a CSV file (all rows or none); --replace retires areas not in it."""
    try:
        result = asyncio.run(_import_areas(file.read_bytes(), replace=replace, dry_run=dry_run))
    except AreaImportError as error:
        typer.echo("nothing was imported:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    for label, codes in (("add", result.added), ("update", result.updated), ("retire", result.retired)):
        if dry_run or label == "retire":
            for code in codes:
                typer.echo(f"  {'would ' if dry_run else ''}{label}: {code}")
    summary = result.summary()
    typer.echo(f"dry run, nothing changed / 確認のみ（変更なし）: {summary}" if dry_run else summary)


async def _import_areas(raw: bytes, *, replace: bool, dry_run: bool) -> AreaImportResult:
    settings = get_settings().model_copy(update={"load_sample_areas": False})
    if not dry_run:
        async with cli_session(settings) as session:
            return await import_areas_file(session, raw, replace=replace)  # UTF-8 or Shift_JIS
    await prepare_database(settings)
    async with engine_scope(settings.database_url) as engine, session_factory(engine)() as session:
        try:
            return await import_areas_file(session, raw, replace=replace)
        finally:
            await session.rollback()  # a dry run: what it would do, nothing written
