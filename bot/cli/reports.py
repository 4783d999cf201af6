"""Reports: `intake totals`, `sheet`, `close-months` and `export events`."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import day_option, fail, refuse_overwrite
from models.catalog import INDICATORS
from models.config import Settings, get_settings
from models.db import cli_session
from models.fiscal import as_of_label, fiscal_year_label, fiscal_year_of
from models.fiscal import today as japan_today
from models.reference import ward_exists
from models.sheet.event_rows import EventRow
from models.sheet.export import (
    ExportFormat,
    default_export_name,
    export_events,
    export_format_for,
    render_events,
)
from models.sheet.measure import display_width
from models.snapshots import totals_as_of
from models.totals import Totals, indicator_totals, sheet_notation

app = typer.Typer()
export_app = typer.Typer(help="Exports without personal data (no notes, names or Telegram ids).", no_args_is_help=True)
app.add_typer(export_app, name="export")

ForceOption = Annotated[bool, typer.Option("--force", help="replace the file if it exists (otherwise refused)")]
FROZEN_LINE = "month-end figures frozen when the month locked (--live recomputes them from today's entries)"


@app.command("totals")
def totals_command(
    fy: Annotated[int | None, typer.Option(help="fiscal year, e.g. 2025 (令和7年度); default: current")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="read the offline demo's database (make demo)")] = False,
    live: Annotated[bool, typer.Option("--live", help="recompute a closed month end instead of its snapshot")] = False,
) -> None:
    """Every indicator of the progress sheet for a fiscal year as of a date (a closed month end: its snapshot)."""
    settings = get_settings().for_demo() if demo else get_settings()
    try:
        as_of_date = day_option(as_of, "--as-of")
        fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date or japan_today())
        totals, frozen = asyncio.run(_totals(settings, fiscal_year, as_of_date, ward, live))
    except ValueError as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(totals.as_json() | {"frozen": frozen}, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_totals(totals) + (f"\n\n{FROZEN_LINE}" if frozen else ""))


async def _totals(
    settings: Settings, fiscal_year: int, as_of: date | None, ward: str | None, live: bool
) -> tuple[Totals, bool]:
    threshold = settings.regular_meeting_threshold
    async with cli_session(settings) as session:
        if ward and not await ward_exists(session, ward):
            raise ValueError(f"unknown ward code {ward}")
        if live:
            return await indicator_totals(session, fiscal_year, as_of, ward, threshold), False
        return await totals_as_of(session, fiscal_year, as_of, ward, threshold)  # as /totals shows it


def format_totals(totals: Totals) -> str:
    """A readable table for the terminal, values as the sheet writes them."""
    lines = [
        f"{fiscal_year_label(totals.fiscal_year)}  {as_of_label(totals.as_of)}  scope: {totals.scope}",
        "",
    ]
    width = max(display_width(indicator.short_label) for indicator in INDICATORS)
    for indicator in INDICATORS:
        label = indicator.short_label + " " * (width - display_width(indicator.short_label))
        lines.append(f"{indicator.code:>4}  {label}  {sheet_notation(indicator, totals.indicators[indicator.code])}")
    return "\n".join(lines)


@app.command("sheet")
def sheet_command(
    fy: Annotated[int | None, typer.Option(help="plan year, e.g. 2025 (令和7年度); default: current")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today, capped at year end")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    out: Annotated[
        Path | None, typer.Option(help="file to write (.xlsx); default sheet-<fy>-<as_of>-<scope>.xlsx")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write the progress sheet (推進状況確認シート) as an Excel workbook with its sources; prints the path.
    An existing file is not replaced without --force."""
    from models.sheet.data import default_file_name
    from models.sheet.workbook import write_sheet

    async def _write(fiscal_year: int, as_of_date: date) -> Path:
        """Streamed into a scratch file (bounded memory), renamed once complete."""
        settings = get_settings()
        scratch = (out or Path.cwd() / "sheet.xlsx").with_suffix(f".{os.getpid()}.partial.xlsx")
        try:
            async with cli_session(settings) as session:
                data = await write_sheet(
                    session, scratch, fiscal_year, as_of_date, ward, settings.regular_meeting_threshold
                )
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
        target = out or Path(default_file_name(data))
        if target.exists() and not force:  # the default name is known only now
            scratch.unlink(missing_ok=True)
            refuse_overwrite(target, force)
        return scratch.replace(target)

    if out is not None:
        if out.suffix.lower() != ".xlsx":
            raise fail(f"--out {out}: the sheet is an Excel workbook, name the file .xlsx")
        refuse_overwrite(out, force)
    try:
        as_of_date = day_option(as_of, "--as-of") or japan_today()
        fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date)
        path = asyncio.run(_write(fiscal_year, as_of_date))
    except ValueError as error:
        raise fail(str(error)) from None
    typer.echo(str(path))


@app.command("close-months")
def close_months_command() -> None:
    """Freeze the totals of every month that has locked and has no snapshot yet (the scheduler does this daily)."""
    from models.snapshots import close_due_months

    settings = get_settings()

    async def _close() -> list[tuple[int, int]]:
        async with cli_session(settings) as session:
            return await close_due_months(
                session, japan_today(), settings.lock_business_days, settings.regular_meeting_threshold, actor="cli"
            )

    closed = asyncio.run(_close())
    typer.echo("closed: " + (", ".join(f"{y}-{m:02d}" for y, m in closed) or "nothing new"))


@export_app.command("events")
def export_events_command(
    fy: Annotated[int | None, typer.Option(help="fiscal year, e.g. 2025 (令和7年度); default: current")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: events up to this day; default all")] = None,
    export_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="csv (UTF-8 with BOM) or xlsx; default: the --out file's suffix, else csv"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="file to write; default events-<fy>-<scope>.<format>")] = None,
    force: ForceOption = False,
) -> None:
    """Every event of a fiscal year, counted and voided (flagged): coded fields only, no notes or names.
    An existing file is not replaced without --force."""
    try:
        chosen = export_format_for(out, export_format)
    except ValueError as error:
        raise fail(str(error)) from None
    if out is not None:
        refuse_overwrite(out, force)
    try:
        as_of_date = day_option(as_of, "--as-of")
        fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date or japan_today())
        rows = asyncio.run(_export_rows(fiscal_year, ward, as_of_date))
    except ValueError as error:
        raise fail(str(error)) from None
    path = out or Path(default_export_name(fiscal_year, ward, chosen))
    refuse_overwrite(path, force)
    path.write_bytes(render_events(rows, chosen))
    voided = sum(row.voided for row in rows)
    typer.echo(f"{path}: {len(rows)} events ({len(rows) - voided} counted, {voided} voided)")


async def _export_rows(fiscal_year: int, ward: str | None, as_of: date | None) -> list[EventRow]:
    async with cli_session() as session:
        return await export_events(session, fiscal_year, ward, as_of)
