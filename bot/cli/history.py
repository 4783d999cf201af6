"""`intake import-events`: the sheet's event-level history from before the bot (figures only: `bot/cli/baseline.py`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from models.config import get_settings
from models.db import cli_session
from models.fiscal import today as japan_today
from models.ops.history import (
    EVENT_CSV_COLUMNS,
    KIND_CODES,
    EventImportError,
    ImportResult,
    frozen_months,
    import_events,
)

FROZEN_WARNING = (
    "note: the month-end totals of {months} were frozen before (closed months); their stored sheets keep the "
    "old figures, the live totals and later month ends include this"
)


app = typer.Typer()


@app.command(
    "import-events",
    help="Import event-level history from a CSV file: all rows or none; importing the same file again adds "
    f"nothing.\n\nkind is one of: {KIND_CODES}",
)
def import_events_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help=f"CSV (UTF-8 or cp932): {','.join(EVENT_CSV_COLUMNS)}")
    ],
) -> None:
    async def _import() -> tuple[ImportResult, list[str]]:
        async with cli_session() as session:
            result = await import_events(
                session, file.read_bytes(), today=japan_today(), lock_business_days=get_settings().lock_business_days
            )
            return result, await frozen_months(session, result.months) if result.added else []

    try:
        result, frozen = asyncio.run(_import())
    except EventImportError as error:
        typer.echo("何も取り込んでいません（nothing was imported）:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        if error.unknown_kind:
            typer.echo(f"使える種別（valid kinds）: {KIND_CODES}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"events added: {result.added}, skipped (imported before): {result.skipped}")
    if frozen:
        typer.echo(FROZEN_WARNING.format(months=", ".join(frozen)), err=True)
