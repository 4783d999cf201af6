"""`intake health`: can the database be reached, is its schema the latest?

It runs outside the bot process, so it cannot see the bot's scheduler or its last update: it says so and points to
/health in the bot. It never migrates or creates anything (a missing SQLite file is reported, not created).
Exit code 0 when the database answers and is at the latest revision, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, make_url

from bot.health import DATABASE_TIMEOUT
from models.config import get_settings
from models.db import engine_scope, head_revision, revision_on
from models.setup_errors import setup_problem

app = typer.Typer()

SCHEDULER_NOTE: Final = (
    "scheduler: not visible from here (it runs inside the bot process); ask the bot with /health (admins)"
)


async def database_report(database_url: str, within: float = DATABASE_TIMEOUT) -> dict[str, Any]:
    """Reachability and revision: {"database": {"url", "ok"[, "error"]}, "migration": {...}, "healthy"}."""
    url = make_url(database_url)
    shown = url.render_as_string(hide_password=True)
    head = head_revision()
    report: dict[str, Any] = {
        "database": {"url": shown, "ok": False},
        "migration": {"current": None, "head": head, "up_to_date": False},
        "scheduler": None,  # only the bot process knows it
        "healthy": False,
    }
    if _missing_sqlite_file(database_url):
        report["database"]["error"] = "the SQLite file does not exist (intake migrate creates it)"
        return report
    try:
        async with engine_scope(database_url) as engine, asyncio.timeout(within), engine.connect() as connection:
            current = await connection.run_sync(_current_revision)
    except Exception as error:  # unreachable is the answer: what the operator can fix, never a password
        report["database"]["error"] = (
            "timeout" if isinstance(error, TimeoutError) else setup_problem(error, database_url) or type(error).__name__
        )
        return report
    report["database"]["ok"] = True
    report["migration"] |= {"current": current, "up_to_date": current == head}
    report["healthy"] = current == head
    return report


def _missing_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    database = url.database
    return (
        url.get_backend_name() == "sqlite"
        and bool(database)
        and database != ":memory:"
        and not Path(str(database)).exists()
    )


def _current_revision(connection: Connection) -> str | None:
    connection.execute(sql("SELECT 1"))
    return revision_on(connection)


def format_report(report: dict[str, Any]) -> str:
    return "\n".join([_database_line(report["database"]), _migration_line(report), SCHEDULER_NOTE])


def _database_line(database: dict[str, Any]) -> str:
    if database["ok"]:
        return f"database: reachable ({database['url']})"
    return f"database: UNREACHABLE ({database['url']}): {database['error']}"


def _migration_line(report: dict[str, Any]) -> str:
    current, head = report["migration"]["current"], report["migration"]["head"]
    if not report["database"]["ok"]:
        return f"migration: unknown (latest is {head})"
    if current is None:
        return f"migration: none: the database was never migrated (run intake migrate; latest is {head})"
    if current == head:
        return f"migration: {current} (latest)"
    return f"migration: {current}, latest is {head} (intake migrate, or start the bot)"


@app.command("health")
def health_command(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Database reachability and migration revision (exit 1 if unreachable or not at the latest revision)."""
    report = asyncio.run(database_report(get_settings().database_url))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))
    if not report["healthy"]:
        raise typer.Exit(1)
