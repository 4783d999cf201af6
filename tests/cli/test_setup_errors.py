"""Set-up mistakes end in one clear line on stderr and exit code 2, never a traceback (issue 18)."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import get_settings
from tests.builders import TOKEN, postgres_url, reachable

runner = CliRunner()
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00 (INFO|WARNING) ")


def one_line_exit_2(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if not LOG_LINE.match(line)]  # `run` logs first
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/intake.db")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "DATABASE_URL",
            "postgresql://intake:s3cret@db.internal/intake",
            "error: DATABASE_URL='postgresql://intake:***@db.internal/intake': use postgresql+asyncpg:// (the bot's "
            "driver), not postgresql://",
        ),
        (
            "DATABASE_URL",
            "sqlite:///./data/intake.db",
            "error: DATABASE_URL='sqlite:///./data/intake.db': use sqlite+aiosqlite:// (the bot's driver), not sqlite://",
        ),
        ("BOT_MODE", "pollin", "error: BOT_MODE='pollin': Input should be 'polling' or 'webhook'"),
        (
            "REMINDER_TIME",
            "25:00",
            "error: REMINDER_TIME='25:00': Input should be in a valid time format, hour value is outside expected "
            "range of 0-23",
        ),
        ("WEBHOOK_PORT", "70000", "error: WEBHOOK_PORT='70000': Input should be less than or equal to 65535"),
        ("WEBHOOK_PORT", "https", "error: WEBHOOK_PORT='https': Input should be a valid integer, unable to parse"),
    ],
)
def test_a_bad_setting_is_one_line(environment: pytest.MonkeyPatch, variable: str, value: str, line: str) -> None:
    environment.setenv(variable, value)
    assert one_line_exit_2("migrate").startswith(line)
    assert "s3cret" not in line


def test_an_unreachable_database_names_host_port_and_reason(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("DATABASE_URL", "postgresql+asyncpg://intake:s3cret@127.0.0.1:1/intake")
    line = one_line_exit_2("migrate")
    assert line.startswith("error: the database at 127.0.0.1:1 cannot be reached: ")
    assert "s3cret" not in line


@pytest.mark.pg
def test_a_missing_database_or_role_is_one_line(environment: pytest.MonkeyPatch) -> None:
    server = postgres_url()[0]
    if not reachable(server):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    environment.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/intake_no_such_db")
    assert one_line_exit_2("migrate") == (
        "error: PostgreSQL at 127.0.0.1:5432 has no database 'intake_no_such_db': "
        "create it (createdb -O postgres intake_no_such_db)"
    )
    health = runner.invoke(app, ["health"])  # the outside check says the same, and exits 1 (unhealthy)
    assert health.exit_code == 1
    assert "has no database 'intake_no_such_db'" in health.output
    environment.setenv("DATABASE_URL", "postgresql+asyncpg://intake_no_such_role@127.0.0.1:5432/test")
    get_settings.cache_clear()
    assert one_line_exit_2("migrate").startswith(
        "error: PostgreSQL at 127.0.0.1:5432 refused the role 'intake_no_such_role': "
        'role "intake_no_such_role" does not exist'
    )


class _RefusingBotApi(BaseHTTPRequestHandler):
    """Telegram answering a revoked token: 401 Unauthorized to every method."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_token_telegram_refuses_is_one_line(environment: pytest.MonkeyPatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _RefusingBotApi)
    level = logging.getLogger().level
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        environment.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        environment.setenv("TELEGRAM_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/bot")
        line = one_line_exit_2("run")
    finally:
        server.shutdown()
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "intake"]:  # `run` configured logging
            root.removeHandler(handler)
        root.setLevel(level)
    assert line == (
        "error: Telegram refused TELEGRAM_BOT_TOKEN (not a valid token, or revoked): copy it again from @BotFather "
        "(/token)"
    )
    assert TOKEN.split(":")[1] not in line
