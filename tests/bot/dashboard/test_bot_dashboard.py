"""/dashboard and 「📊 ダッシュボード」 through the bot (updates in, real messages and keyboards out), the menu button
set at start-up, and the WEBAPP_URL check that runs before `intake run` starts anything."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import IntakeApplication, build_application
from bot.context import Runtime
from bot.offline.fake_api import InProcessBotApi
from bot.serve import ServeConfigError, check_mode
from models.roles import Role
from tests.builders import TOKEN, add_staff, chat_as, make_settings

pytestmark = pytest.mark.usefixtures("at_noon")
PAGE = "https://bot.example.jp/app/"


@pytest.fixture
async def with_page(
    sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi
) -> AsyncIterator[IntakeApplication]:
    """The bot with WEBAPP_URL set, started as `intake run` starts it (post_init included)."""
    application = build_application(
        Runtime(make_settings(webapp_url=PAGE), sessions), TOKEN, request=api, rate_limited=False
    )
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        yield application


async def test_a_supervisor_gets_an_inline_button_that_opens_the_page(
    with_page: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chief = chat_as(with_page, api, await add_staff(sessions, Role.WARD_SUPERVISOR, name="管理 一郎"))
    await chief.send("/start")
    assert api.current_keyboard(chief.chat_id)[-1] == ["📊 ダッシュボード"]  # type: ignore[index]

    [answer] = await chief.tap_keyboard("📊 ダッシュボード")

    assert answer.text == "下のボタンでダッシュボードを開きます。"
    [[button]] = answer.buttons
    assert (button.text, button.web_app, button.callback_data) == ("📊 ダッシュボードを開く", PAGE, None)
    assert answer.keyboard == []  # inline, never a reply-keyboard web_app button (it would carry no init data)
    [english] = await chat_as(with_page, api, await add_staff(sessions), language_code="en").send("/dashboard")
    assert english.text == "The button below opens your own entries this month and your follow-ups."
    assert english.buttons[0][0].web_app == PAGE


async def test_at_start_up_the_menu_button_opens_the_page(with_page: IntakeApplication, api: InProcessBotApi) -> None:
    [call] = api.calls_to("setChatMenuButton")
    assert "chat_id" not in call.parameters  # the default for every private chat: one request, whatever the staff
    assert api.menu_buttons[None] == {"type": "web_app", "text": "ダッシュボード", "web_app": {"url": PAGE}}


async def test_without_webapp_url_the_dashboard_is_not_set_up(
    app: IntakeApplication, api: InProcessBotApi, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert app.post_init is not None
    await app.post_init(app)
    worker = chat_as(app, api, await add_staff(sessions))
    [answer] = await worker.send("/dashboard")
    assert answer.text.startswith("ダッシュボードはまだ設定されていません")
    assert answer.buttons == []
    assert api.calls_to("setChatMenuButton") == []


async def test_a_menu_button_telegram_refuses_does_not_stop_the_start(
    sessions: async_sessionmaker[AsyncSession], api: InProcessBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    application = build_application(
        Runtime(make_settings(webapp_url=PAGE), sessions), TOKEN, request=api, rate_limited=False
    )
    api.inject("setChatMenuButton", 400, "Bad Request: BUTTON_URL_INVALID")
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
    assert "could not set the dashboard's menu button" in caplog.text


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"webapp_url": "http://bot.example.jp/app/"}, "WEBAPP_URL must be an https URL"),
        ({"webapp_url": "bot.example.jp/app/"}, "WEBAPP_URL must be an https URL"),
        ({"webapp_url": "https://bot.example.jp:x/app/"}, "WEBAPP_URL has an invalid port"),
        ({"webapp_url": "ftp://x", "telegram_base_url": "http://localhost:8081/bot"}, "WEBAPP_URL is not a URL"),
    ],
)
def test_a_webapp_url_telegram_cannot_open_is_refused_before_start(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ServeConfigError) as refused:
        check_mode(make_settings(**changes))
    assert str(refused.value).startswith(problem) and "\n" not in str(refused.value)


def test_a_good_webapp_url_or_none_passes() -> None:
    check_mode(make_settings(webapp_url=PAGE))
    check_mode(make_settings(webapp_url=""))  # unset in the environment file
    check_mode(make_settings(webapp_url="http://10.0.0.5:8081/app/", telegram_base_url="http://localhost:8081/bot"))
