"""`intake close-months` and `intake totals` on a closed month end: the frozen snapshot, as /totals shows it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import TOKYO
from models.db import cli_session
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.locks import reopen_month

runner = CliRunner()
TODAY = date(2025, 11, 27)  # October 2025 locked on 11/8


@pytest.fixture
def november(database: Path) -> Iterator[None]:
    with time_machine.travel(datetime(2025, 11, 27, 12, tzinfo=TOKYO), tick=False):
        yield


def outreach_in_october(key: str, *, reopen: bool = False) -> None:
    async def record() -> None:
        async with cli_session() as session:
            if reopen:  # a late entry is only possible in a reopened month
                await reopen_month(session, "27102", 2025, 10, reason="記入漏れ", by_staff_id=None, today=TODAY)
            draft = EventDraft(kind="outreach", occurred_on=date(2025, 10, 20), ward_code="27102", count=3)
            await record_event(session, draft, idempotency_key=key, today=date(2025, 10, 20) if not reopen else TODAY)

    asyncio.run(record())


def outreach_figure(*options: str) -> tuple[int, bool]:
    result = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-10-31", "--json", *options])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data["indicators"]["1-5"]["value"], data["frozen"]


@pytest.mark.usefixtures("november")
def test_a_closed_month_end_reads_its_snapshot_and_live_recomputes() -> None:
    outreach_in_october("cli-october-1")
    closed = runner.invoke(app, ["close-months"])
    assert closed.exit_code == 0, closed.output
    assert "2025-10" in closed.output
    assert "nothing new" in runner.invoke(app, ["close-months"]).output

    outreach_in_october("cli-october-2", reopen=True)
    assert outreach_figure() == (3, True)  # what /totals and the month-end sheet show
    assert outreach_figure("--live") == (6, False)
    table = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-10-31"]).output
    assert "month-end figures frozen when the month locked" in table
