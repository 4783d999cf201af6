"""`intake demo`: chat with the bot offline in this terminal."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from models.config import get_settings

app = typer.Typer()


@app.command("demo")
def demo_command(
    as_user: Annotated[
        str, typer.Option("--as", help="who you are: worker, ward (ward supervisor) or city (city supervisor)")
    ] = "worker",
) -> None:
    """Chat with the bot offline in this terminal (no Telegram needed)."""
    from bot.offline.demo_data import PERSON_KEYS
    from bot.offline.terminal import run_demo  # the bot's imports are heavy: only this command needs them

    if as_user not in PERSON_KEYS:
        raise typer.BadParameter(f"choose one of {', '.join(PERSON_KEYS)}", param_hint="--as")
    try:
        asyncio.run(run_demo(get_settings().for_demo(), input, print, as_user))
    except KeyboardInterrupt:  # Ctrl-C: the demo has already shut the bot down cleanly
        typer.echo("")
