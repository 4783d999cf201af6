"""`intake`: the operators' command line (Typer). `python -m bot` runs the same."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import health as cli_health
from bot.cli import history as cli_history
from bot.cli import ops as cli_ops
from bot.cli import privacy as cli_privacy
from bot.cli import schedule as cli_reminders
from bot.logs import configure_logging, settings_secrets
from models.catalog import INDICATORS, Organisation, Role
from models.config import Settings, get_settings
from models.db import bot_engine, make_engine, migrate, session_factory, session_scope
from models.fiscal import as_of_label, fiscal_year_label, fiscal_year_of
from models.fiscal import today as japan_today
from models.reference import AreaImportError, ensure_wards, import_areas_file, load_sample_areas_if_empty
from models.staff import INVITE_DAYS_DEFAULT, create_invite, deactivate_staff, list_staff
from models.tables import Staff, Ward
from models.totals import Totals, display_width, indicator_totals, sheet_notation

app = typer.Typer(help="見守り intake bot: operator commands.", no_args_is_help=True, add_completion=False)


async def prepare_database(settings: Settings) -> list[str]:
    """Migrate to the latest schema and load reference data; returns what was done, for the operator."""
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            done = [f"wards added: {await ensure_wards(session)}"]
            if settings.load_sample_areas:
                added = await load_sample_areas_if_empty(session)
                if added:
                    done.append(f"synthetic sample areas loaded: {added} (import the real master with import-areas)")
        return done
    finally:
        await engine.dispose()


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema and load the 24 wards."""
    for line in asyncio.run(prepare_database(get_settings())):
        typer.echo(line)
    typer.echo("database is up to date")


@app.command("import-areas")
def import_areas_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: area_code,ward_code,name_ja,roster_provided")
    ],
) -> None:
    """Add or update the area master from a CSV file (all rows or none)."""

    async def _import() -> str:
        settings = get_settings()
        await prepare_database(settings.model_copy(update={"load_sample_areas": False}))
        engine = make_engine(settings.database_url)
        try:
            async with session_scope(session_factory(engine)) as session:
                result = await import_areas_file(session, file.read_bytes())  # UTF-8 or Shift_JIS
            return f"areas added: {result.added}, updated: {result.updated}"
        finally:
            await engine.dispose()

    try:
        typer.echo(asyncio.run(_import()))
    except AreaImportError as error:
        typer.echo("nothing was imported:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None


@app.command("totals")
def totals_command(
    fy: Annotated[int | None, typer.Option(help="fiscal year, e.g. 2025 (令和7年度); default: current")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="read the offline demo's database (make demo)")] = False,
) -> None:
    """Every indicator of the progress sheet for a fiscal year as of a date."""
    settings = get_settings().for_demo() if demo else get_settings()
    as_of_date = date.fromisoformat(as_of) if as_of else None
    fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date or japan_today())
    try:
        totals = asyncio.run(_totals(settings, fiscal_year, as_of_date, ward))
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(totals.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_totals(totals))


async def _totals(settings: Settings, fiscal_year: int, as_of: date | None, ward: str | None) -> Totals:
    await prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        async with session_scope(session_factory(engine)) as session:
            if ward and not await _ward_exists(session, ward):
                raise ValueError(f"unknown ward code {ward}")
            return await indicator_totals(session, fiscal_year, as_of, ward, settings.regular_meeting_threshold)
    finally:
        await engine.dispose()


async def _ward_exists(session: AsyncSession, ward: str) -> bool:
    return await session.get(Ward, ward) is not None


NO_TOKEN_MESSAGE = """TELEGRAM_BOT_TOKEN is not set.
Create a bot with @BotFather, then put its token in .env (TELEGRAM_BOT_TOKEN=123456:ABC...) or the environment.
To try the bot without Telegram, run `make demo` (an offline chat in this terminal)."""


@app.command("run")
def run_command() -> None:
    """Start the bot (long polling, or a webhook with BOT_MODE=webhook): migrate the database, then serve."""
    from bot.app import build_application
    from bot.context import Runtime
    from bot.serve import ServeConfigError, check_mode, serve

    settings = get_settings()
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
    serve(application, settings)


@app.command("invite")
def invite_command(
    role: Annotated[Role, typer.Option(help="worker, ward_supervisor, city_supervisor or admin")],
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102 (not needed for city roles)")] = None,
    org: Annotated[Organisation | None, typer.Option(help="watch_office, ward_council, health_centre or city")] = None,
    days: Annotated[int, typer.Option(help="days until the code expires")] = INVITE_DAYS_DEFAULT,
    bot_username: Annotated[str | None, typer.Option(help="the bot's @username for the link (or BOT_USERNAME)")] = None,
) -> None:
    """Create a single-use invite; prints the t.me deep link and the bare code."""

    async def _create() -> str:
        async with _database(get_settings()) as session:
            return (await create_invite(session, role, ward, org, days=days)).code

    try:
        code = asyncio.run(_create())
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    username = bot_username or get_settings().bot_username
    if username:
        typer.echo(f"https://t.me/{username.lstrip('@')}?start={code}")
    else:
        typer.echo("(set BOT_USERNAME to print the t.me link; meanwhile the person can send the bot: /start CODE)")
    typer.echo(f"code: {code}  (single use, valid {days} days)")


staff_app = typer.Typer(help="Staff members: list, deactivate.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("list")
def staff_list_command(ward: Annotated[str | None, typer.Option(help="only this ward")] = None) -> None:
    """Every registered staff member (number, role, ward, organisation, state)."""

    async def _list() -> list[Staff]:
        async with _database(get_settings()) as session:
            return await list_staff(session, ward)

    for member in asyncio.run(_list()):
        state = "active" if member.active else "deactivated"
        typer.echo(f"{member.id:>5}  {member.role:<16} {member.ward_code or 'city':<6} {member.organisation:<14} "
                   f"{state:<11} {member.display_name}")  # fmt: skip


@staff_app.command("deactivate")
def staff_deactivate_command(
    staff_id: Annotated[int, typer.Argument(help="the number from `intake staff list`")],
) -> None:
    """Stop a staff member's access from their next message on (their entries stay)."""

    async def _deactivate() -> Staff:
        async with _database(get_settings()) as session:
            return await deactivate_staff(session, staff_id, by_staff_id=None)

    try:
        member = asyncio.run(_deactivate())
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"deactivated {member.id} {member.display_name}")


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A migrated database and one committed session, for one CLI command."""
    await prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        async with session_scope(session_factory(engine)) as session:
            yield session
    finally:
        await engine.dispose()


def format_totals(totals: Totals) -> str:
    """A readable table for the terminal, values as the sheet writes them."""
    lines = [
        f"{fiscal_year_label(totals.fiscal_year)}  {as_of_label(totals.as_of)}  scope: {totals.scope}",
        "",
    ]
    width = max(display_width(indicator.short_label) for indicator in INDICATORS)
    for indicator in INDICATORS:
        label = indicator.short_label + " " * (width - display_width(indicator.short_label))
        lines.append(f"{indicator.code:>4}  {label}  {sheet_notation(indicator, totals.indicators[indicator.code])}")
    return "\n".join(lines)


@app.command("demo")
def demo_command(
    as_user: Annotated[
        str, typer.Option("--as", help="who you are: worker, ward (ward supervisor) or city (city supervisor)")
    ] = "worker",
) -> None:
    """Chat with the bot offline in this terminal (no Telegram needed)."""
    from bot.offline.terminal import PERSON_KEYS, run_demo  # here: bot.offline.terminal imports this module

    if as_user not in PERSON_KEYS:
        raise typer.BadParameter(f"choose one of {', '.join(PERSON_KEYS)}", param_hint="--as")
    try:
        asyncio.run(run_demo(get_settings().for_demo(), input, print, as_user))
    except KeyboardInterrupt:  # Ctrl-C: the demo has already shut the bot down cleanly
        typer.echo("")


@app.command("sheet")
def sheet_command(
    fy: Annotated[int | None, typer.Option(help="plan year, e.g. 2025 (令和7年度); default: current")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today, capped at year end")] = None,
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102; default: the whole city")] = None,
    out: Annotated[Path | None, typer.Option(help="file to write; default sheet-<fy>-<as_of>-<scope>.xlsx")] = None,
) -> None:
    """Write the progress sheet (推進状況確認シート) as an Excel workbook with its sources; prints the path."""
    from models.sheet.workbook import SheetData, build_workbook, collect_sheet, default_file_name

    async def _collect(fiscal_year: int, as_of_date: date) -> SheetData:
        settings = get_settings()
        async with _database(settings) as session:
            return await collect_sheet(session, fiscal_year, as_of_date, ward, settings.regular_meeting_threshold)

    try:
        as_of_date = date.fromisoformat(as_of) if as_of else japan_today()
        fiscal_year = fy if fy is not None else fiscal_year_of(as_of_date)
        data = asyncio.run(_collect(fiscal_year, as_of_date))
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    path = out or Path(default_file_name(data))
    path.write_bytes(build_workbook(data))
    typer.echo(str(path))


@app.command("close-months")
def close_months_command() -> None:
    """Freeze the totals of every month that has locked and has no snapshot yet (the scheduler does this daily)."""
    from models.snapshots import close_due_months

    settings = get_settings()

    async def _close() -> list[tuple[int, int]]:
        async with _database(settings) as session:
            return await close_due_months(session, japan_today(), settings.lock_business_days,
                                          settings.regular_meeting_threshold, actor="cli")  # fmt: skip

    closed = asyncio.run(_close())
    typer.echo("closed: " + (", ".join(f"{y}-{m:02d}" for y, m in closed) or "nothing new"))


# Each operator feature keeps its commands in its own module (they import this one lazily).
cli_privacy.register(app)  # intake purge-notes
cli_health.register(app)  # intake health
cli_reminders.register(app)  # intake schedule
cli_history.register(app)  # intake import-events, intake baseline
cli_ops.register(app, staff_app)  # intake init-db, staff leave, export events, backup, restore


def main() -> None:
    app(prog_name="intake")


if __name__ == "__main__":
    main()
