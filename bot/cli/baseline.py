"""`intake baseline set | list | clear`: figures for months before the bot (DHIS2's aggregate data values)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.history import FROZEN_WARNING
from models.baselines import BaselineError, BaselineKey, clear_baseline, list_baselines, parse_month, set_baseline
from models.db import cli_session
from models.fiscal import today as japan_today
from models.ops.history import frozen_months
from models.tables import Baseline

T = TypeVar("T")

app = typer.Typer(help="Baselines: figures for months before the bot (set, list, clear).", no_args_is_help=True)


IndicatorOption = Annotated[str, typer.Option("--indicator", help="indicator code, e.g. 1-5")]
WardOption = Annotated[str, typer.Option("--ward", help="ward code, e.g. 27102")]
MonthOption = Annotated[str, typer.Option("--month", help="YYYY-MM, e.g. 2024-06")]
ReasonOption = Annotated[str, typer.Option("--reason", help="why (kept in the audit log)")]
ByOption = Annotated[str, typer.Option("--by", help="who: your name (kept in the audit log)")]


@app.command("set")
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
            baseline = await set_baseline(
                session, key, value=value, denominator=denominator, reason=reason, entered_by=by, today=japan_today()
            )
            return baseline, await frozen_months(session, [key.month_label])

    baseline, frozen = _run_or_exit(_set)
    typer.echo(f"baseline set: No.{baseline.id}  {_describe(baseline)}")
    if frozen:
        typer.echo(FROZEN_WARNING.format(months=", ".join(frozen)), err=True)


@app.command("list")
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


@app.command("clear")
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
