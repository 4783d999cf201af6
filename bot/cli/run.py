"""`intake run`: migrate the database, then serve (long polling or webhook); the offline demo without a token."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from bot.cli.common import token_problem
from bot.logs import configure_logging, settings_secrets
from models.config import get_settings
from models.db import prepare_database, session_factory
from models.setup_errors import setup_problem

app = typer.Typer()

NO_TOKEN_MESSAGE = """TELEGRAM_BOT_TOKEN is not set.
Create a bot with @BotFather, then put its token in .env (TELEGRAM_BOT_TOKEN=123456:ABC...) or the environment.
To try the bot without Telegram, run `make demo` (an offline chat in this terminal)."""
DEMO_INSTEAD_MESSAGE = """TELEGRAM_BOT_TOKEN is not set, so this is the offline demo: a chat with the bot in this
terminal, on its own database (nothing goes to Telegram). To go live, create a bot with @BotFather, put its token
in .env (TELEGRAM_BOT_TOKEN=123456:ABC...), then run `make run` again.
"""


@app.command("run")
def run_command(
    demo_without_token: Annotated[
        bool, typer.Option("--demo-without-token", help="no token: start the offline demo instead (make run)")
    ] = False,
) -> None:
    """Start the bot (long polling, or a webhook with BOT_MODE=webhook): migrate the database, then serve."""
    from bot.app import build_application  # the bot's imports are heavy: only this command needs them
    from bot.context import Runtime
    from bot.offline.terminal import run_demo
    from bot.serve import ServeConfigError, TelegramUnreachableError, check_mode, serve
    from models.db import bot_engine

    settings = get_settings()
    if settings.telegram_bot_token is None and demo_without_token:
        typer.echo(DEMO_INSTEAD_MESSAGE)
        try:
            asyncio.run(run_demo(settings.for_demo(), input, print, "worker"))
        except KeyboardInterrupt:  # Ctrl-C: the demo has already shut the bot down cleanly
            typer.echo("")
        return
    if settings.telegram_bot_token is None:
        typer.echo(NO_TOKEN_MESSAGE, err=True)
        raise typer.Exit(2)
    try:
        check_mode(settings)  # before anything starts: a webhook needs WEBHOOK_URL and WEBHOOK_SECRET
    except ServeConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format, secrets=settings_secrets(settings))
    for line in asyncio.run(prepare_database(settings)):
        logging.getLogger("intake").info(line)
    runtime = Runtime(settings, session_factory(bot_engine(settings)))
    application = build_application(runtime, settings.telegram_bot_token.get_secret_value())
    try:
        serve(application, settings)
    except TelegramUnreachableError as error:  # each try was logged: one more line, no traceback
        logging.getLogger("intake").critical("%s: stopping (systemd restarts the unit)", error)
        raise typer.Exit(1) from None
    except Exception as error:
        if token_problem(error) or setup_problem(error, settings.database_url):
            raise  # one line on stderr, exit 2 (bot/cli/common.py)
        # Anything else goes through logging, so that with LOG_FORMAT=json the traceback is the `exc` of one line.
        logging.getLogger("intake").critical("the bot stopped on an unexpected error", exc_info=True)
        raise typer.Exit(1) from None
