"""The service (deploy/, docs/operations.md): the systemd unit's command line run as written, in webhook mode, against
a temporary database and the fake Bot API over HTTP; its environment file lists every setting; the heartbeat that
`intake health --json` reads from outside; `systemd-analyze verify` where it exists."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli.main import app
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO, Settings, get_settings
from models.db import make_engine, session_factory, session_scope
from models.heartbeat import Beat, heartbeat_report, record_daily_run, write_beat
from tests.builders import TOKEN
from tests.http_bot_api import free_port, served_bot_api

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "intake.service"
ENV_EXAMPLE = ROOT / "deploy" / "intake.env.example"
PREFIX = "/opt/intake"  # the install prefix the unit and docs/operations.md use
SECRET = "unit-test_secret"
PAGE = "https://bot.example.jp/app/"  # WEBAPP_URL: where Telegram's clients open the dashboard


def unit_settings() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, value)
    return values


def env_file(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (comments and blank lines skipped)."""
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_the_unit_runs_intake_run_as_a_dedicated_user_restarting_on_failure() -> None:
    unit = unit_settings()
    assert unit["ExecStart"] == f"{PREFIX}/.venv/bin/intake run"
    assert (unit["User"], unit["Restart"]) == ("intake", "on-failure")
    assert unit["EnvironmentFile"] == "/etc/intake/intake.env"


def test_the_environment_example_lists_every_setting_and_holds_the_only_secrets() -> None:
    text = ENV_EXAMPLE.read_text()
    listed = {line.lstrip("#").split("=", 1)[0] for line in text.splitlines() if "=" in line.split(" ", 1)[0]}
    assert {name.upper() for name in Settings.model_fields} <= listed
    assert "0600" in text
    assert "TELEGRAM_BOT_TOKEN" not in UNIT.read_text() and "PASSWORD" not in UNIT.read_text().upper()


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = tmp_path / "intake.service"
    unit.write_text(UNIT.read_text().replace(f"{PREFIX}/.venv", str(Path(sys.executable).parent.parent)))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


async def _start_unit(tmp_path: Path, environment: dict[str, str]) -> asyncio.subprocess.Process:
    """The unit's command line as systemd runs it, with `environment` (PYTHONPATH: this checkout, whichever one the
    interpreter has installed)."""
    command = unit_settings()["ExecStart"].replace(f"{PREFIX}/.venv", str(Path(sys.executable).parent.parent))
    return await asyncio.create_subprocess_exec(
        *command.split(),
        cwd=tmp_path,  # WorkingDirectory
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **environment},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _first_answer(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """GET `url` once the server listens (up to a minute: a bound, not a timed assertion)."""
    for _ in range(600):
        try:
            return await client.get(url)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing listens at {url}")


async def _wait_for(condition: object, what: str, tries: int = 600) -> None:
    for _ in range(tries):  # up to a minute: a bound, not a timed assertion
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


async def test_the_units_command_line_serves_telegram_and_writes_the_heartbeat(tmp_path: Path) -> None:
    api = InProcessBotApi()
    database = tmp_path / "intake.db"
    port = free_port()
    async with served_bot_api(api) as base_url:
        environment = env_file(ENV_EXAMPLE.read_text()) | {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "TELEGRAM_BASE_URL": base_url,
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "http://127.0.0.1",  # a self-hosted Bot API server (our fake) may call plain http
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
            "WEBAPP_URL": PAGE,  # the dashboard on the webhook's own app
            "LOG_FORMAT": "json",
        }
        process = await _start_unit(tmp_path, environment)
        try:
            await _wait_for(lambda: bool(api.calls_to("setWebhook")), "the webhook is registered")
            [registered] = api.calls_to("setWebhook")
            assert registered.parameters["secret_token"] == SECRET
            webhook = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(timeout=5) as client:
                health = await _first_answer(client, f"{webhook}/healthz")
                assert (health.status_code, health.json()["ok"]) == (200, True)
                update = {
                    "update_id": 41,
                    "message": {
                        "message_id": 1,
                        "date": 1_764_000_000,
                        "chat": {"id": 6_100_001, "type": "private"},
                        "from": {"id": 6_100_001, "is_bot": False, "first_name": "X", "language_code": "ja"},
                        "text": "/start",
                    },
                }
                refused = await client.post(f"{webhook}/telegram", json=update)
                not_an_update = await client.post(
                    f"{webhook}/telegram", content=b"secret words", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                accepted = await client.post(
                    f"{webhook}/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                assert (refused.status_code, not_an_update.status_code, accepted.status_code) == (403, 400, 200)
                texts = await client.get(f"{webhook}/app/api/texts")
                assert texts.json()["texts"]["dash_title"] == "ダッシュボード"
                assert (await client.get(f"{webhook}/app/api/me")).status_code == 401
            await _wait_for(lambda: bool(api.messages(6_100_001)), "the bot answers the update")
            assert api.messages(6_100_001)[0].text.startswith(
                "申し訳ありません。このボットは登録された職員の方専用です"
            )
            report = await _heartbeat(database)  # written at start, then every minute
            assert report["seen"] is True
        finally:
            process.send_signal(signal.SIGTERM)  # systemctl stop
            output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    lines = [json.loads(line) for line in output.decode().splitlines()]  # LOG_FORMAT=json: every line
    assert TOKEN not in output.decode() and "secret words" not in output.decode()
    assert any("not an update" in line["message"] for line in lines)


async def test_in_polling_mode_the_dashboard_gets_a_server_of_its_own_and_stops_with_the_bot(tmp_path: Path) -> None:
    api = InProcessBotApi()
    port = free_port()
    async with served_bot_api(api) as base_url:
        environment = env_file(ENV_EXAMPLE.read_text()) | {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
            "TELEGRAM_BASE_URL": base_url,
            "WEBAPP_URL": PAGE,
            "WEBAPP_PORT": str(port),
        }
        process = await _start_unit(tmp_path, environment)
        try:
            await _wait_for(lambda: bool(api.calls_to("getUpdates")), "the bot polls")
            async with httpx.AsyncClient(timeout=5) as client:
                page = await _first_answer(client, f"http://127.0.0.1:{port}/app/")
                assert page.status_code == 200 and "frame-ancestors" in page.headers["content-security-policy"]
                assert (await client.get(f"http://127.0.0.1:{port}/app/api/overview")).json() == {
                    "error": "unauthorized"
                }
            assert api.menu_buttons[None] == {
                "type": "web_app",
                "text": "ダッシュボード",
                "web_app": {"url": PAGE},
            }
        finally:
            process.send_signal(signal.SIGTERM)  # systemctl stop
            output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    with pytest.raises(httpx.TransportError):  # the page's server stopped with the bot
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(f"http://127.0.0.1:{port}/app/")


async def _heartbeat(database: Path) -> dict[str, object]:
    """The heartbeat as `intake health` reads it, retried until the bot has written it."""
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        for _ in range(600):
            try:
                async with session_scope(session_factory(engine)) as session:
                    report = await heartbeat_report(session, datetime.now(TOKYO), time(9, 30))
            except Exception:  # the bot is still migrating
                report = {}
            if report.get("seen"):
                return report
            await asyncio.sleep(0.1)
        return report
    finally:
        await engine.dispose()


@time_machine.travel(datetime(2026, 12, 5, 12, 0, tzinfo=TOKYO), tick=False)  # after the daily run's time
def test_intake_health_reads_the_heartbeat_a_stuck_bot_and_a_missed_run(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    never = json.loads(runner.invoke(app, ["health", "--json"]).output)
    assert (never["healthy"], never["heartbeat"]["seen"]) == (True, False)

    now = datetime.now(TOKYO)
    started = now - timedelta(days=2)

    async def beat(at: datetime, ran_on: datetime | None, outcome: str = "done") -> None:
        engine = make_engine(get_settings().database_url)
        async with session_scope(session_factory(engine)) as session:
            await write_beat(session, Beat(started, at - timedelta(minutes=3), 900_001, 12), at)
            if ran_on is not None:
                await record_daily_run(session, ran_on.date(), outcome, ran_on)
        await engine.dispose()

    asyncio.run(beat(now, now - timedelta(hours=2, minutes=30)))  # today's run at 9:30
    fresh = runner.invoke(app, ["health", "--json"])
    assert fresh.exit_code == 0, fresh.output
    report = json.loads(fresh.output)["heartbeat"]
    assert (report["ok"], report["last_update"]["update_id"], report["daily_run"]["outcome"]) == (True, 900_001, "done")
    print(json.dumps(report, ensure_ascii=False, indent=2))

    asyncio.run(beat(now - timedelta(minutes=10), now - timedelta(days=3)))
    stuck = runner.invoke(app, ["health", "--json"])
    assert stuck.exit_code == 1
    problems = json.loads(stuck.output)["heartbeat"]["problems"]
    assert any("no heartbeat for" in problem for problem in problems)
    assert any("is missing" in problem for problem in problems)
    assert "PROBLEM: no heartbeat for" in runner.invoke(app, ["health"]).output
