"""Set-up mistakes as one clear line: what an operator got wrong in the settings or the database server.

`intake` turns these into one line on stderr and exit code 2 instead of a traceback (bot/cli/common.py); the
bot's start does the same. Nothing here prints a password or a token.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

SETTINGS_NAME = "Settings"


def setup_problem(error: BaseException, database_url: str | None = None) -> str | None:
    """The one line that says what is wrong, or None when `error` is not a set-up mistake (a real bug)."""
    for cause in _chain(error):
        if isinstance(cause, ValidationError) and cause.title == SETTINGS_NAME:
            return _settings_problem(cause)
        if isinstance(cause, NoSuchModuleError | ArgumentError | ModuleNotFoundError):
            return f"DATABASE_URL cannot be used ({_first_line(cause)}): {_url_advice()}"
        problem = _database_problem(cause, database_url)
        if problem:
            return problem
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it, and the driver's own error SQLAlchemy wraps (`orig`), each once."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        context = None if current.__suppress_context__ else current.__context__
        todo += [e for e in (getattr(current, "orig", None), current.__cause__, context) if e is not None]


def _settings_problem(error: ValidationError) -> str:
    lines = []
    for found in error.errors():
        name = "_".join(str(part) for part in found["loc"]).upper() or "a setting"
        message = str(found["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}={_shown(name, found.get('input'))}: {message}")
    return "; ".join(lines)


def _shown(name: str, value: object) -> str:
    """A setting's value as typed, for the operator to spot the mistake: secrets never, URLs without a password."""
    if "TOKEN" in name or "SECRET" in name:
        return "[hidden]"
    if isinstance(value, str) and "URL" in name:
        try:
            return repr(make_url(value).render_as_string(hide_password=True))
        except ArgumentError:
            return repr(value.split("@", 1)[-1]) if "@" in value else repr(value)
    return repr(value)


def _url_advice() -> str:
    return (
        "use postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE for PostgreSQL or "
        "sqlite+aiosqlite:///./data/intake.db for SQLite"
    )


def _where(database_url: str | None) -> tuple[str, str, str]:
    """Host:port, database and user of the URL (never its password)."""
    if not database_url:
        return "?", "?", "?"
    try:
        url = make_url(database_url)
    except ArgumentError:
        return "?", "?", "?"
    return f"{url.host or 'localhost'}:{url.port or 5432}", url.database or "?", url.username or "?"


def _database_problem(cause: BaseException, database_url: str | None) -> str | None:
    name = type(cause).__name__
    where, database, user = _where(database_url)
    if name == "InvalidCatalogNameError":
        return f"PostgreSQL at {where} has no database {database!r}: create it (createdb -O {user} {database})"
    if name in ("InvalidAuthorizationSpecificationError", "InvalidPasswordError"):
        reason = _first_line(cause)
        return f"PostgreSQL at {where} refused the role {user!r}: {reason} (check DATABASE_URL's user and password)"
    if isinstance(cause, socket.gaierror):
        return f"the database server {where} cannot be found: {cause.strerror or cause} (check DATABASE_URL's host)"
    if isinstance(cause, ConnectionRefusedError | TimeoutError | ConnectionResetError) or (
        isinstance(cause, OSError) and cause.errno is not None and not isinstance(cause, FileNotFoundError)
    ):
        reason = cause.strerror or _first_line(cause) or name
        return f"the database at {where} cannot be reached: {reason} (is PostgreSQL running and listening there?)"
    if name == "OperationalError" and "unable to open database file" in str(cause):
        return f"the SQLite file of DATABASE_URL cannot be opened ({database}): check the folder exists and is writable"
    return None


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
