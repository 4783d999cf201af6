"""`intake rollups rebuild|check`: the totals' write-time rollups, recomputed from the events or compared with them."""

from __future__ import annotations

import asyncio
import time

import typer

from models.db import cli_session
from models.rollups import Difference, check_rollups, rebuild_rollups

app = typer.Typer(help="The totals' rollups: rebuild from the events, or check against them.", no_args_is_help=True)
SHOWN_DIFFERENCES = 30


@app.command("rebuild")
def rebuild_command() -> None:
    """Recompute the rollups from the events (after a bulk load, or when `check` finds a difference)."""
    started = time.perf_counter()
    months, first_days = asyncio.run(_rebuild())
    typer.echo(
        f"rollups rebuilt from the events: {months} month rows, {first_days} first-day rows "
        f"in {time.perf_counter() - started:.1f} s"
    )


@app.command("check")
def check_command() -> None:
    """Compare the rollups with the raw aggregates of the events; exit 1 and list the rows that differ."""
    differences = asyncio.run(_check())
    if not differences:
        typer.echo("rollups agree with the events")
        return
    typer.echo(f"rollups differ from the events in {len(differences)} rows:", err=True)
    for difference in differences[:SHOWN_DIFFERENCES]:
        typer.echo(f"  {difference.describe()}", err=True)
    if len(differences) > SHOWN_DIFFERENCES:
        typer.echo(f"  … and {len(differences) - SHOWN_DIFFERENCES} more", err=True)
    typer.echo("repair with: intake rollups rebuild", err=True)
    raise typer.Exit(1)


async def _rebuild() -> tuple[int, int]:
    async with cli_session() as session:
        rebuilt = await rebuild_rollups(session)
    return len(rebuilt.months), len(rebuilt.first_days)


async def _check() -> list[Difference]:
    async with cli_session() as session:
        return await check_rollups(session)
