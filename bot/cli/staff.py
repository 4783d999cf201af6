"""People: `intake invite` and `intake staff list|deactivate|leave|handover`."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Annotated

import typer
from telegram import Bot
from telegram.error import TelegramError
from telegram.request import BaseRequest

from bot.cli.common import day_option, fail
from models.config import Settings, get_settings
from models.db import cli_session
from models.fiscal import today as japan_today
from models.followups import FollowupRejectedError, Handover, hand_over
from models.roles import Organisation, Role
from models.staff import INVITE_DAYS_DEFAULT, create_invite, deactivate_staff, list_staff, set_leave
from models.tables import Invite, Staff, Ward

app = typer.Typer()
staff_app = typer.Typer(help="Staff members: list, deactivate, leave, handover.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@app.command("invite")
def invite_command(
    role: Annotated[Role, typer.Option(help="worker, ward_supervisor, city_supervisor or admin")],
    ward: Annotated[str | None, typer.Option(help="ward code, e.g. 27102 (none for city_supervisor and admin)")] = None,
    org: Annotated[Organisation | None, typer.Option(help="watch_office, ward_council, health_centre or city")] = None,
    days: Annotated[int, typer.Option(help="days until the code expires")] = INVITE_DAYS_DEFAULT,
    bot_username: Annotated[str | None, typer.Option(help="the bot's @username for the link (or BOT_USERNAME)")] = None,
) -> None:
    """Create a single-use invite; prints the t.me deep link and the bare code."""

    async def _create() -> tuple[str, str]:
        async with cli_session() as session:
            created = await create_invite(session, role, ward, org, days=days)
            ward_row = await session.get(Ward, ward) if ward else None
            return created.code, describe_invite(created.invite, ward_row.name_ja if ward_row else None)

    try:
        code, described = asyncio.run(_create())
    except ValueError as error:
        raise fail(str(error)) from None
    typer.echo(f"invite for: {described}")
    settings = get_settings()
    username = bot_username or settings.bot_username or asyncio.run(telegram_username(settings))
    if username:
        typer.echo(f"https://t.me/{username.lstrip('@')}?start={code}")
    else:
        typer.echo(
            "(set BOT_USERNAME or TELEGRAM_BOT_TOKEN to print the t.me link; meanwhile the person can send "
            "the bot: /start CODE)"
        )
    typer.echo(f"code: {code}  (single use, valid {days} days)")


def describe_invite(invite: Invite, ward_name: str | None) -> str:
    """`worker, ward 27102 (北区), watch_office` / `admin, city-wide, city`: whom the code registers."""
    where = f"ward {invite.ward_code} ({ward_name})" if invite.ward_code else "city-wide"
    return f"{invite.role}, {where}, {invite.organisation}"


async def telegram_username(settings: Settings, request: BaseRequest | None = None) -> str | None:
    """The bot's @username as Telegram tells it (getMe), for the invite link; None without a token or an answer."""
    if settings.telegram_bot_token is None:
        return None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        request=request,
    )
    try:
        async with bot:  # initialising the bot is its getMe
            return bot.username
    except TelegramError as error:
        logging.getLogger("intake").warning("getMe failed, no invite link: %s", error)
        return None


@staff_app.command("list")
def staff_list_command(ward: Annotated[str | None, typer.Option(help="only this ward")] = None) -> None:
    """Every registered staff member (number, role, ward, organisation, state)."""

    async def _list() -> list[Staff]:
        async with cli_session() as session:
            return await list_staff(session, ward)

    members = asyncio.run(_list())
    if not members:
        typer.echo(f"no staff in ward {ward}" if ward else "no staff registered yet (intake invite)")
    for member in members:
        state = "active" if member.active else "deactivated"
        typer.echo(
            f"{member.id:>5}  {member.role:<16} {member.ward_code or 'city':<6} {member.organisation:<14} "
            f"{state:<11} {member.display_name}"
        )


@staff_app.command("deactivate")
def staff_deactivate_command(
    staff_id: Annotated[int, typer.Argument(help="the number from `intake staff list`")],
) -> None:
    """Stop a staff member's access from their next message on (their entries stay)."""

    async def _deactivate() -> Staff:
        async with cli_session() as session:
            return await deactivate_staff(session, staff_id, by_staff_id=None)

    try:
        member = asyncio.run(_deactivate())
    except ValueError as error:
        raise fail(str(error)) from None
    typer.echo(f"deactivated {member.id} {member.display_name}")


@staff_app.command("leave")
def staff_leave_command(
    staff_id: Annotated[int, typer.Argument(help="the number from `intake staff list`")],
    until: Annotated[str | None, typer.Option(help="last day of the leave, YYYY-MM-DD (Japan date)")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="end the leave now")] = False,
) -> None:
    """Put a staff member on leave until a date (left out of /missing and reminders), or --clear it; audited."""
    if (until is None) == (not clear):
        raise fail("give either --until YYYY-MM-DD or --clear")
    try:
        member = asyncio.run(_set_leave(staff_id, day_option(until, "--until")))
    except ValueError as error:
        raise fail(str(error)) from None
    if member.on_leave_until is None:
        typer.echo(f"{member.id} {member.display_name}: not on leave")
    else:
        typer.echo(f"{member.id} {member.display_name}: on leave until {member.on_leave_until}")


async def _set_leave(staff_id: int, until: date | None) -> Staff:
    async with cli_session() as session:
        return await set_leave(session, staff_id, until, today=japan_today())


@staff_app.command("handover")
def staff_handover_command(
    from_id: Annotated[int, typer.Argument(help="whose open follow-ups move (number from `intake staff list`)")],
    to_id: Annotated[int, typer.Argument(help="the new holder, an active member of the same ward")],
) -> None:
    """Move every open follow-up of one member to another of the same ward; audited. The new holder is told by the
    bot's next daily run (a handover in the bot, /handover, tells them at once)."""

    async def _hand_over() -> Handover:
        async with cli_session() as session:
            return await hand_over(session, from_id, to_id, by_staff_id=None, actor="cli")

    try:
        done = asyncio.run(_hand_over())
    except FollowupRejectedError as error:
        raise fail(f"cannot hand over: {error.problem.value.replace('_', ' ')}") from None
    typer.echo(
        f"handed over {done.moved} open follow-ups of {from_id} {done.from_staff.display_name} to {to_id} "
        f"{done.to_staff.display_name} ({done.merged} merged with their own plan for the same household)"
    )
