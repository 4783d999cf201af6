"""`intake schedule`: the planned reminder, push and lock dates of a month, to check holidays at a glance."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.cli.common import fail, month_option
from models.config import get_settings
from models.fiscal import is_business_day
from reminders.schedule import month_plan

WEEKDAYS_JA = "月火水木金土日"


def _day(day: date) -> str:
    return f"{day.isoformat()}（{WEEKDAYS_JA[day.weekday()]}）"


app = typer.Typer()


@app.command("schedule")
def schedule_command(
    month: Annotated[str, typer.Option(help="YYYY-MM, e.g. 2026-03")],
) -> None:
    """The month's reminder days, when its totals are pushed, and when it locks (all Japan time)."""
    try:
        year, number = month_option(month, "--month")
    except ValueError as error:
        raise fail(str(error)) from None
    settings = get_settings()
    plan = month_plan(year, number, settings.reminder_business_days_before, settings.lock_business_days)
    at = settings.reminder_time.strftime("%H:%M")
    typer.echo(f"{year}-{number:02d}")
    for day in plan.reminder_days:
        typer.echo(f"  reminder   {_day(day)} {at}  (to workers who logged nothing this month)")
    typer.echo(f"  push       {_day(plan.push_day)} {at}  (this month's totals and sheet to supervisors)")
    typer.echo(f"  locks      {_day(plan.lock_date)}      (entries for {year}-{number:02d} closed from this day)")
    skipped = [d for d in _days_of(year, number) if not is_business_day(d) and d.weekday() < 5]
    if skipped:
        typer.echo("  holidays   " + ", ".join(_day(d) for d in skipped))


def _days_of(year: int, month: int) -> list[date]:
    days, day = [], date(year, month, 1)
    while day.month == month:
        days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days
