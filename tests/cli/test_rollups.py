"""`intake rollups check|rebuild`, run as an operator would, on a SQLite file."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from bot.cli.main import app
from models.db import make_engine, session_factory, session_scope
from models.tables import Event
from tests.builders import add_event

runner = CliRunner()


def _fill(path: Path) -> None:
    """Two events through the models, then one inserted behind the rollups' back (a bulk load)."""

    async def fill() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            async with session_scope(session_factory(engine)) as session:
                await add_event(session, "outreach", date(2025, 6, 3), count=2)
                await add_event(session, "participation_link", date(2025, 6, 4), household="H1")
                await session.execute(
                    sa.insert(Event),
                    [
                        {
                            "kind": "outreach",
                            "occurred_on": date(2025, 6, 5),
                            "ward_code": "27102",
                            "count": 4,
                            "idempotency_key": "bulk-1",
                            "source": "import",
                        }
                    ],
                )
        finally:
            await engine.dispose()

    asyncio.run(fill())


def test_check_lists_differences_and_rebuild_repairs_them(database: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert runner.invoke(app, ["rollups", "check"]).output == "rollups agree with the events\n"
    _fill(database)
    checked = runner.invoke(app, ["rollups", "check"])
    assert checked.exit_code == 1
    assert "rollups differ from the events in 1 rows:" in checked.output
    expected = "rollup_month 2025 outreach 27102 2025 6: stored (1, 2, 0, 0), from the events (2, 6, 0, 0)"
    assert expected in checked.output
    assert "repair with: intake rollups rebuild" in checked.output
    rebuilt = runner.invoke(app, ["rollups", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rollups rebuilt from the events: 2 month rows, 1 first-day rows" in rebuilt.output
    again = runner.invoke(app, ["rollups", "check"])
    assert (again.exit_code, again.output) == (0, "rollups agree with the events\n")
