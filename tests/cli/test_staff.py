"""`intake invite` and `intake staff list|deactivate`, run as an operator would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from models.db import cli_session
from models.staff import redeem_invite

runner = CliRunner()


def redeem(code: str, name: str) -> None:
    async def run() -> None:
        async with cli_session() as session:
            await redeem_invite(session, code, 7_000_000_101, name, "ja")

    asyncio.run(run())


def test_an_invite_is_listed_once_redeemed_and_can_be_deactivated(database: Path) -> None:
    made = runner.invoke(app, ["invite", "--role", "worker", "--ward", "27102", "--bot-username", "@mimamori_bot"])
    assert made.exit_code == 0, made.output
    link, code_line = made.output.splitlines()
    code = code_line.split()[1]
    assert link == f"https://t.me/mimamori_bot?start={code}"
    assert "single use, valid 7 days" in code_line
    redeem(code, "職員A")

    listed = runner.invoke(app, ["staff", "list", "--ward", "27102"]).output.splitlines()
    assert len(listed) == 1 and "worker" in listed[0] and "active" in listed[0] and "職員A" in listed[0]
    staff_id = listed[0].split()[0]
    assert runner.invoke(app, ["staff", "deactivate", staff_id]).output.strip() == f"deactivated {staff_id} 職員A"
    assert "deactivated" in runner.invoke(app, ["staff", "list"]).output
    assert runner.invoke(app, ["staff", "list", "--ward", "27103"]).output == ""


def test_bad_invites_and_unknown_staff_are_refused(database: Path) -> None:
    no_ward = runner.invoke(app, ["invite", "--role", "worker"])
    assert no_ward.exit_code == 2
    assert no_ward.output.startswith("error: ")
    unknown = runner.invoke(app, ["staff", "deactivate", "999"])
    assert unknown.exit_code == 2
    assert "error: " in unknown.output


def test_schedule_shows_reminders_push_and_lock_of_a_month(database: Path) -> None:
    result = runner.invoke(app, ["schedule", "--month", "2026-03"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2026-03"
    assert any(line.startswith("  push ") for line in lines) and any(line.startswith("  locks ") for line in lines)
    assert "2026-03-20（金）" in result.output  # 春分の日 is listed among the holidays
    bad = runner.invoke(app, ["schedule", "--month", "2026/3"])
    assert bad.exit_code == 2
    assert "--month must look like 2026-03" in bad.output
