"""`intake import-events` and `intake baseline …`: the sheet's history from before the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from models.baselines import BaselineError, BaselineKey, clear_baseline, list_baselines, parse_month, set_baseline
from models.config import get_settings
from models.db import cli_session
from models.fiscal import today as japan_today
from models.ops.history import EVENT_CSV_COLUMNS, EventImportError, ImportResult, frozen_months, import_events
from models.tables import Baseline

T = TypeVar("T")

FROZEN_WARNING = (
    "note: the month-end totals of {months} were frozen before (closed months); their stored sheets keep the "
    "old figures, the live totals and later month ends include this"
)


app = typer.Typer()
baseline_app = typer.Typer(
    help="Baselines: figures for months before the bot (set, list, clear).", no_args_is_help=True
)
app.add_typer(baseline_app, name="baseline")


@app.command("import-events")
def import_events_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help=f"CSV (UTF-8 or cp932): {','.join(EVENT_CSV_COLUMNS)}")
    ],
) -> None:
    """Import event-level history from a CSV file: all rows or none; importing the same file again adds nothing."""

    async def _import() -> tuple[ImportResult, list[str]]:
        async with cli_session() as session:
            result = await import_events(session, file.read_bytes(), today=japan_today(),
                                         lock_business_days=get_settings().lock_business_days)  # fmt: skip
            return result, await frozen_months(session, result.months) if result.added else []

    try:
        result, frozen = asyncio.run(_import())
    except EventImportError as error:
        typer.echo("何も取り込んでいません（nothing was imported）:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"events added: {result.added}, skipped (imported before): {result.skipped}")
    if frozen:
        typer.echo(FROZEN_WARNING.format(months=", ".join(frozen)), err=True)


IndicatorOption = Annotated[str, typer.Option("--indicator", help="indicator code, e.g. 1-5")]
WardOption = Annotated[str, typer.Option("--ward", help="ward code, e.g. 27102")]
MonthOption = Annotated[str, typer.Option("--month", help="YYYY-MM, e.g. 2024-06")]
ReasonOption = Annotated[str, typer.Option("--reason", help="why (kept in the audit log)")]
ByOption = Annotated[str, typer.Option("--by", help="who: your name (kept in the audit log)")]


@baseline_app.command("set")
def baseline_set_command(
    indicator: IndicatorOption,
    ward: WardOption,
    month: MonthOption,
    value: Annotated[int, typer.Option("--value", help="the figure (2-Q: the yes answers)")],
    reason: ReasonOption,
    by: ByOption,
    denominator: Annotated[int | None, typer.Option("--denominator", help="2-Q only: the number of answers")] = None,
) -> None:
    """Record a figure for an indicator, ward and month (replaces the one set before for the same key)."""

    async def _set() -> tuple[Baseline, list[str]]:
        async with cli_session() as session:
            key = BaselineKey(indicator, ward, *parse_month(month))
            baseline = await set_baseline(session, key, value=value, denominator=denominator, reason=reason,
                                          entered_by=by, today=japan_today())  # fmt: skip
            return baseline, await frozen_months(session, [key.month_label])

    baseline, frozen = _run_or_exit(_set)
    typer.echo(f"baseline set: No.{baseline.id}  {_describe(baseline)}")
    if frozen:
        typer.echo(FROZEN_WARNING.format(months=", ".join(frozen)), err=True)


@baseline_app.command("list")
def baseline_list_command(
    fy: Annotated[int | None, typer.Option(help="only this fiscal year, e.g. 2024")] = None,
    ward: Annotated[str | None, typer.Option(help="only this ward")] = None,
) -> None:
    """The baselines that count now (month, ward, indicator, figure, who, why)."""

    async def _list() -> list[Baseline]:
        async with cli_session() as session:
            return await list_baselines(session, fiscal_year=fy, ward_code=ward)

    baselines = asyncio.run(_list())
    if not baselines:
        typer.echo("no baselines")
    for baseline in baselines:
        typer.echo(f"{baseline.id:>5}  {_describe(baseline)}  by {baseline.entered_by}: {baseline.reason}")


@baseline_app.command("clear")
def baseline_clear_command(
    indicator: IndicatorOption, ward: WardOption, month: MonthOption, reason: ReasonOption, by: ByOption
) -> None:
    """Stop a baseline from counting (it stays on record, and the clearing is audited)."""

    async def _clear() -> Baseline:
        async with cli_session() as session:
            key = BaselineKey(indicator, ward, *parse_month(month))
            return await clear_baseline(session, key, reason=reason, cleared_by=by)

    baseline = _run_or_exit(_clear)
    typer.echo(f"baseline cleared: No.{baseline.id}  {_describe(baseline)}")


def _run_or_exit(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(work())
    except BaselineError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _describe(baseline: Baseline) -> str:
    figure = f"{baseline.value}" if baseline.denominator is None else f"{baseline.value} / {baseline.denominator}"
    return f"{baseline.year:04d}-{baseline.month:02d}  {baseline.ward_code}  {baseline.indicator_code:<4} {figure}"
