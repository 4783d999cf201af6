"""`intake invite` and `intake staff list|deactivate`, run as an operator would."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.main import app
from models.db import cli_session
from models.roles import Organisation, Role
from models.staff import redeem_invite
from models.tables import AuditEntry, Followup, Staff

runner = CliRunner()


def redeem(code: str, name: str) -> None:
    async def run() -> None:
        async with cli_session() as session:
            await redeem_invite(session, code, 7_000_000_101, name, "ja")

    asyncio.run(run())


def test_an_invite_is_listed_once_redeemed_and_can_be_deactivated(database: Path) -> None:
    made = runner.invoke(app, ["invite", "--role", "worker", "--ward", "27102", "--bot-username", "@mimamori_bot"])
    assert made.exit_code == 0, made.output
    invited, link, code_line = made.output.splitlines()
    assert invited == "invite for: worker, ward 27102 (都島区), watch_office"
    code = code_line.split()[1]
    assert link == f"https://t.me/mimamori_bot?start={code}"
    assert "single use, valid 7 days" in code_line
    redeem(code, "職員A")

    listed = runner.invoke(app, ["staff", "list", "--ward", "27102"]).output.splitlines()
    assert len(listed) == 1 and "worker" in listed[0] and "active" in listed[0] and "職員A" in listed[0]
    staff_id = listed[0].split()[0]
    assert runner.invoke(app, ["staff", "deactivate", staff_id]).output.strip() == f"deactivated {staff_id} 職員A"
    assert "deactivated" in runner.invoke(app, ["staff", "list"]).output
    assert runner.invoke(app, ["staff", "list", "--ward", "27103"]).output == "no staff in ward 27103\n"


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


def test_staff_handover_moves_open_follow_ups_within_a_ward_and_is_audited(database: Path) -> None:
    async def seed() -> tuple[int, int, int]:
        async with cli_session() as session:
            people = [
                Staff(
                    telegram_user_id=7_100_000 + n,
                    display_name=name,
                    role=Role.WORKER,
                    organisation=Organisation.WATCH_OFFICE,
                    ward_code=ward,
                )
                for n, (name, ward) in enumerate([("退職", "27102"), ("後任", "27102"), ("他区", "27103")])
            ]
            session.add_all(people)
            await session.flush()
            session.add(
                Followup(
                    staff_id=people[0].id or 0,
                    ward_code="27102",
                    household_ref="27102-H0042",
                    kind="participation_link",
                    due_on=date(2025, 12, 4),
                    planned_on=date(2025, 11, 27),
                )
            )
            return people[0].id or 0, people[1].id or 0, people[2].id or 0

    async def holders() -> tuple[list[int], int]:
        async with cli_session() as session:
            held = list((await session.scalars(select(col(Followup.staff_id)))).all())
            audits = list((await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "handover"))).all())
        return held, len(audits)

    from_id, to_id, other_ward = asyncio.run(seed())
    refused = runner.invoke(app, ["staff", "handover", str(from_id), str(other_ward)])
    assert refused.exit_code == 2 and "not same ward" in refused.output
    moved = runner.invoke(app, ["staff", "handover", str(from_id), str(to_id)])
    assert moved.exit_code == 0, moved.output
    assert moved.output.startswith(f"handed over 1 open follow-ups of {from_id} 退職 to {to_id} 後任")
    assert asyncio.run(holders()) == ([to_id], 1)
    again = runner.invoke(app, ["staff", "handover", str(from_id), str(to_id)])
    assert again.exit_code == 2 and "nothing to move" in again.output
