"""Health: /health for admins (database, scheduler, last update), the report behind it, and `intake health`."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from typer.testing import CliRunner

from bot.app import IntakeApplication
from bot.cli.main import app as cli
from bot.health import database_health, health
from bot.offline.fake_api import InProcessBotApi
from models.db import alembic_config
from models.roles import Organisation, Role
from tests.builders import add_staff, chat_as

runner = CliRunner()
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_an_admin_sees_database_scheduler_and_last_update(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = chat_as(app, api, await add_staff(sessions, Role.ADMIN, ward=None, organisation=Organisation.CITY))
    [reply] = await admin.send("/health")
    lines = reply.text.splitlines()
    assert lines[0] == "稼働状況"
    assert lines[1].startswith("データベース: OK（") and lines[1].endswith("ms）")
    assert lines[2] == "スケジューラ: 停止中（ジョブ0件: -）"  # initialised, not started: nothing runs jobs yet
    assert lines[3].startswith("最後の更新: 20") and "+09:00（" in lines[3] and "起動後1件目）" in lines[3]


async def test_health_in_english(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = await add_staff(sessions, Role.ADMIN, ward=None, organisation=Organisation.CITY)
    [reply] = await chat_as(app, api, admin, language_code="en").send("/health")
    assert reply.text.startswith("Health\nDatabase: OK (")
    assert "\nScheduler: stopped (0 jobs: -)\nLast update: " in reply.text


async def test_workers_and_supervisors_are_refused(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for role in (Role.WORKER, Role.WARD_SUPERVISOR, Role.CITY_SUPERVISOR):
        [reply] = await chat_as(app, api, await add_staff(sessions, role)).send("/health")
        assert reply.text == "この操作は権限のある方のみ行えます。"


async def test_the_report_follows_the_running_scheduler_and_the_updates(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = await health(app)
    assert before["database"]["ok"] is True
    assert before["last_update"] == {"at": None, "seconds_ago": None, "update_id": None, "updates_since_start": 0}
    assert app.job_queue is not None
    await app.start()
    try:
        app.job_queue.run_repeating(_nothing, interval=3600, name="probe", job_kwargs={"id": "probe"})
        await chat_as(app, api, await add_staff(sessions)).send("/help")
        report = await health(app)
    finally:
        await app.stop()
    assert report["scheduler"]["running"] is True
    assert [job["id"] for job in report["scheduler"]["jobs"]] == ["probe"]
    assert report["scheduler"]["jobs"][0]["next_run"].endswith("+09:00")
    assert report["last_update"]["updates_since_start"] == 1
    assert 0 <= report["last_update"]["seconds_ago"] < 5


async def _nothing(context: object) -> None:
    """A job that never runs within the test."""


async def test_an_unreachable_database_is_reported_not_raised(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/x.db")
    try:
        report = await database_health(async_sessionmaker(engine), within=2)
    finally:
        await engine.dispose()
    assert report == {"ok": False, "error": "OperationalError"}


# --- `intake health`: outside the bot process -------------------------------------------------------------------


def test_intake_health_reports_reachability_and_the_migration(database: Path) -> None:
    missing = runner.invoke(cli, ["health"])
    assert missing.exit_code == 1
    assert "database: UNREACHABLE" in missing.output and "does not exist" in missing.output
    assert not database.exists()  # a health check creates nothing
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    result = runner.invoke(cli, ["health"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"database: reachable (sqlite+aiosqlite:///{database})",
        f"migration: {HEAD} (latest)",
        "heartbeat: none yet (the bot has not run against this database)",
        "scheduler jobs: ask the bot with /health (admins); the heartbeat above shows its runs",
    ]


def test_intake_health_on_a_database_never_migrated(database: Path) -> None:
    database.touch()
    result = runner.invoke(cli, ["health", "--json"])
    assert result.exit_code == 1
    assert '"current": null' in result.output and f'"head": "{HEAD}"' in result.output
    text = runner.invoke(cli, ["health"]).output
    assert "migration: none: the database was never migrated" in text
