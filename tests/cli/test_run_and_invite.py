"""`make run` without a token (the offline demo), `intake run` refusing, and invite links from getMe (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.cli.main import app
from bot.cli.staff import telegram_username
from bot.offline.fake_api import DEFAULT_BOT_USERNAME, InProcessBotApi
from models.config import get_settings
from tests.builders import TOKEN, make_settings

runner = CliRunner()
MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


@pytest.fixture
def no_token(database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    monkeypatch.setenv("DEMO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/demo.db")
    get_settings.cache_clear()


@pytest.mark.usefixtures("no_token")
def test_intake_run_refuses_without_a_token_but_make_run_starts_the_demo_and_says_how_to_go_live(
    tmp_path: Path,
) -> None:
    refused = runner.invoke(app, ["run"])
    assert refused.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN is not set." in refused.output
    assert "$(BIN)/intake run --demo-without-token" in MAKEFILE.read_text()
    demo = runner.invoke(app, ["run", "--demo-without-token"], input="")  # Ctrl-D at once
    assert demo.exit_code == 0, demo.output
    assert "TELEGRAM_BOT_TOKEN is not set, so this is the offline demo" in demo.output
    assert "To go live, create a bot with @BotFather" in demo.output
    assert "終了します / bye" in demo.output
    assert (tmp_path / "demo.db").exists() and not (tmp_path / "cli.db").exists()  # the demo's own database


async def test_the_invite_link_asks_telegram_for_the_bots_username() -> None:
    api = InProcessBotApi(username="osaka_mimamori_bot")
    settings = make_settings(telegram_bot_token=SecretStr(TOKEN))
    assert await telegram_username(settings, api) == "osaka_mimamori_bot"
    assert [call.method for call in api.calls_to("getMe")] == ["getMe"]
    assert await telegram_username(make_settings(), InProcessBotApi()) is None  # no token: nothing to ask
    assert DEFAULT_BOT_USERNAME != "osaka_mimamori_bot"


@pytest.mark.usefixtures("no_token")
def test_without_a_token_or_username_invite_prints_the_code_and_what_to_set() -> None:
    runner.invoke(app, ["migrate"])
    result = runner.invoke(app, ["invite", "--role", "worker", "--ward", "27102"])
    assert result.exit_code == 0, result.output
    assert "https://t.me" not in result.output
    assert "set BOT_USERNAME or TELEGRAM_BOT_TOKEN to print the t.me link" in result.output
    named = runner.invoke(app, ["invite", "--role", "worker", "--ward", "27102", "--bot-username", "@x_bot"])
    assert "https://t.me/x_bot?start=" in named.output
