"""What every command group shares: the error exit and the option parsers (models.fiscal parses)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from models.fiscal import parse_day, parse_year_month
from models.setup_errors import setup_problem

TOKEN_REFUSED = (
    "Telegram refused TELEGRAM_BOT_TOKEN (not a valid token, or revoked): copy it again from @BotFather (/token)"
)


class SetupErrorsGroup(TyperGroup):
    """`intake`: a set-up mistake (a bad setting, a database server that cannot be reached or has no such database
    or role, a token Telegram refuses) ends in one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            problem = token_problem(error) or setup_problem(error, os.environ.get("DATABASE_URL") or _default_url())
            if problem is None:
                raise
            raise fail(problem) from None


def token_problem(error: BaseException) -> str | None:
    from telegram.error import InvalidToken  # only when something failed: the import is heavy

    seen = error
    while seen is not None:
        if isinstance(seen, InvalidToken):
            return TOKEN_REFUSED  # its own message holds the token: never printed
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    return None


def _default_url() -> str | None:
    from models.config import get_settings

    try:
        return get_settings().database_url
    except Exception:  # the settings themselves are what is wrong
        return None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say what is wrong on stderr; raise the returned Exit (2: bad usage, 1: the work failed)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def refuse_overwrite(path: Path, force: bool) -> None:
    """Exit 2 when the file exists and --force was not given (as `intake backup`, which never overwrites)."""
    if path.exists() and not force:
        raise fail(f"{path} exists: not overwritten (add --force to replace it)")


def day_option(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option; ValueError naming the option otherwise."""
    if not value:
        return None
    day = parse_day(value)
    if day is None:
        raise ValueError(f"{option} must be a date like 2025-11-30, not {value!r}")
    return day


def month_option(value: str, option: str) -> tuple[int, int]:
    """A YYYY-MM option; ValueError naming the option otherwise."""
    parsed = parse_year_month(value, separators="-")
    if parsed is None:
        raise ValueError(f"{option} must look like 2026-03, not {value!r}")
    return parsed
