"""What every command group shares: the error exit and the option parsers (models.fiscal parses)."""

from __future__ import annotations

from datetime import date

import typer

from models.fiscal import parse_day, parse_year_month


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say what is wrong on stderr; raise the returned Exit (2: bad usage, 1: the work failed)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


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
