"""`intake purge-notes`: clear event notes older than NOTE_RETENTION_MONTHS (counts stay; see docs/privacy.md)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from models.config import Settings, get_settings
from models.db import cli_session
from models.fiscal import today as japan_today
from models.ops.retention import count_purgeable_notes, note_cutoff, purge_notes

app = typer.Typer()


@app.command("purge-notes")
def purge_notes_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only say how many notes would be cleared")] = False,
) -> None:
    """Clear the notes of events older than NOTE_RETENTION_MONTHS (0 keeps them); counts and totals stay."""
    settings = get_settings()
    months = settings.note_retention_months
    cutoff = note_cutoff(japan_today(), months)
    if cutoff is None:
        typer.echo("NOTE_RETENTION_MONTHS=0: notes are kept; nothing to purge")
        return
    cleared = asyncio.run(_purge(settings, dry_run))
    if dry_run:
        typer.echo(f"would clear {cleared} notes of events before {cutoff.isoformat()} (dry run: nothing changed)")
    else:
        typer.echo(f"cleared {cleared} notes of events before {cutoff.isoformat()} (counts are kept)")


async def _purge(settings: Settings, dry_run: bool) -> int:
    async with cli_session(settings) as session:
        today, months = japan_today(), settings.note_retention_months
        if dry_run:
            return await count_purgeable_notes(session, today, months)
        return await purge_notes(session, today, months, actor="cli")
