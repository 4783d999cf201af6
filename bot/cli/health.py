"""`intake health`: can the database be reached, is its schema the latest, is the bot alive?

It runs outside the bot process and reads the heartbeat the bot writes once a minute (models/heartbeat.py): the
last beat of its event loop, the last update it handled and the last daily run with its outcome. It never migrates
or creates anything (a missing SQLite file is reported, not created). Exit code 0 when the database answers, is at
the latest revision and the heartbeat (once the bot has run) is fresh with no missed or failed daily run; 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, make_url

from bot.health import DATABASE_TIMEOUT
from models.config import TOKYO, get_settings
from models.db import engine_scope, head_revision, revision_on, session_factory
from models.heartbeat import heartbeat_report
from models.setup_errors import setup_problem

app = typer.Typer()

SCHEDULER_NOTE: Final = "scheduler jobs: ask the bot with /health (admins); the heartbeat above shows its runs"


async def database_report(
    database_url: str, within: float = DATABASE_TIMEOUT, reminder_time: time = time(9, 30)
) -> dict[str, Any]:
    """Reachability, revision and heartbeat: {"database": {"url", "ok"[, "error"]}, "migration": {...},
    "heartbeat": {...} | None, "healthy"}."""
    url = make_url(database_url)
    shown = url.render_as_string(hide_password=True)
    head = head_revision()
    report: dict[str, Any] = {
        "database": {"url": shown, "ok": False},
        "migration": {"current": None, "head": head, "up_to_date": False},
        "scheduler": None,  # only the bot process knows its jobs
        "heartbeat": None,
        "healthy": False,
    }
    if _missing_sqlite_file(database_url):
        report["database"]["error"] = "the SQLite file does not exist (intake migrate creates it)"
        return report
    try:
        async with engine_scope(database_url) as engine:
            async with asyncio.timeout(within), engine.connect() as connection:
                current = await connection.run_sync(_current_revision)
            if current == head:
                async with asyncio.timeout(within), session_factory(engine)() as session:
                    report["heartbeat"] = await heartbeat_report(session, datetime.now(TOKYO), reminder_time)
    except Exception as error:  # unreachable is the answer: what the operator can fix, never a password
        report["database"]["error"] = (
            "timeout" if isinstance(error, TimeoutError) else setup_problem(error, database_url) or type(error).__name__
        )
        return report
    report["database"]["ok"] = True
    report["migration"] |= {"current": current, "up_to_date": current == head}
    report["healthy"] = current == head and (report["heartbeat"] or {}).get("ok") is not False
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
    return "\n".join(
        [_database_line(report["database"]), _migration_line(report), *_heartbeat_lines(report), SCHEDULER_NOTE]
    )


def _heartbeat_lines(report: dict[str, Any]) -> list[str]:
    beat = report.get("heartbeat")
    if beat is None:
        return []
    if not beat["seen"]:
        return ["heartbeat: none yet (the bot has not run against this database)"]
    run = beat["daily_run"]
    lines = [
        f"heartbeat: {beat['beat_at']} ({beat['beat_seconds_ago']} s ago), bot started {beat['started_at']}",
        f"last update: {beat['last_update']['at'] or 'none since start'}",
        f"daily run: {run['day'] or 'none yet'} {run['outcome'] or ''}".rstrip(),
    ]
    return lines + [f"PROBLEM: {problem}" for problem in beat["problems"]]


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
    """Database, migration revision and the bot's heartbeat (exit 1 if unreachable, not at the latest revision,
    the heartbeat stale or a daily run missed or failed)."""
    settings = get_settings()
    report = asyncio.run(database_report(settings.database_url, reminder_time=settings.reminder_time))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))
    if not report["healthy"]:
        raise typer.Exit(1)
