"""`intake`: the operators' command line (Typer). `python -m bot` runs the same.

Each command group is a Typer app of its own (bot/cli/<group>.py); they are merged here into one flat command
line, so `intake totals`, `intake staff list` and `intake baseline set` stay as operators know them.
"""

from __future__ import annotations

import typer

from bot.cli import baseline, demo, health, history, ops, privacy, reports, rollups, run, schedule, setup, staff
from bot.cli.common import SetupErrorsGroup

app = typer.Typer(
    cls=SetupErrorsGroup, help="見守り intake bot: operator commands.", no_args_is_help=True, add_completion=False
)
for group in (
    setup.app,
    run.app,
    staff.app,
    reports.app,
    history.app,
    ops.app,
    health.app,
    privacy.app,
    schedule.app,
    demo.app,
):
    app.add_typer(group)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        from models.db import head_revision

        typer.echo(f"intake {version('mimamori-intake')} (schema {head_revision()})")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version and the schema revision"
    ),
) -> None:
    """見守り intake bot: operator commands."""


app.add_typer(rollups.app, name="rollups")
app.add_typer(baseline.app, name="baseline")


def main() -> None:
    app(prog_name="intake")


if __name__ == "__main__":
    main()
