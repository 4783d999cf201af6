"""`intake run` with LOG_FORMAT=json: every line is JSON, an unexpected error's traceback included (issue 18)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot.serve
from bot.cli.main import app
from models.config import get_settings
from tests.builders import TOKEN


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == "intake"]:  # `run` configures the process's logging
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_a_forced_error_is_one_json_line_with_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/intake.db")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOG_FORMAT", "json")
    get_settings.cache_clear()

    def broken(*_args: object) -> None:
        raise RuntimeError("forced failure while serving")

    monkeypatch.setattr(bot.serve, "serve", broken)
    result = CliRunner().invoke(app, ["run"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]  # every line parses
    last = lines[-1]
    assert (last["level"], last["logger"], last["message"]) == (
        "CRITICAL",
        "intake",
        "the bot stopped on an unexpected error",
    )
    assert last["exc"].startswith("Traceback") and last["exc"].endswith("RuntimeError: forced failure while serving")
    assert last["ts"].endswith("+09:00")
    assert TOKEN not in result.output
    print(json.dumps(last, ensure_ascii=False))
