"""Helpers of the browser tests: the dashboard served by uvicorn on a free local port (the real routes of
`bot.dashboard.routes`, the real application on the Bot API double), the launch URL Telegram would open with init data
signed for the test token, and reading the page the way a person sees it."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import pytest
from starlette.applications import Starlette

from bot.app import IntakeApplication
from bot.dashboard.routes import dashboard_routes
from bot.offline.fake_api import InProcessBotApi
from models.config import TOKYO
from models.tables import Staff
from tests.builders import SCREENSHOT, init_data_for
from tests.http_bot_api import serving

if TYPE_CHECKING:
    from playwright.async_api import Browser, ConsoleMessage, Page, ViewportSize

# A Thursday in an open month: the year so far has eight months, the same point last year is 2024-11-27.
NOW = datetime(2025, 11, 27, 12, 0, tzinfo=TOKYO)
CHROMIUM = Path(os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium"))
PHONE: ViewportSize = {"width": 360, "height": 740}  # a small Android phone, the narrowest the page is made for
HTTP_STATUS_ERROR = "Failed to load resource: the server responded with a status of"  # Chromium's words
READY = 'body[data-state="ready"]'
REFUSED = 'body[data-state="refused"]'
DARK_THEME = {  # Telegram's night theme, as a client sends it
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}


@asynccontextmanager
async def served_dashboard(app: IntakeApplication) -> AsyncIterator[str]:
    """The dashboard's routes on uvicorn at 127.0.0.1:<free port>, on this event loop; yields the page's URL."""
    await app.start()
    try:
        async with serving(Starlette(routes=dashboard_routes(app))) as port:
            yield f"http://127.0.0.1:{port}/app/"
    finally:
        await app.stop()


def launch_url(page_url: str, init_data: str, theme: dict[str, str] | None = None) -> str:
    """The page's URL as a Telegram client opens it: the launch parameters in the fragment."""
    fragment = {"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "android"}
    if theme is not None:
        fragment["tgWebAppThemeParams"] = json.dumps(theme)
    return f"{page_url}#{urlencode(fragment, quote_via=quote)}"


@dataclass
class Phone:
    """One page on a 360-px phone screen; `errors` collects the page's uncaught script errors and console errors (a
    request that failed, a Content-Security-Policy violation)."""

    page: Page
    errors: list[str]
    screenshots: Path
    request: pytest.FixtureRequest

    async def open(self, url: str) -> None:
        await self.page.goto(url)
        await self.page.wait_for_selector(f"{READY}, {REFUSED}")

    async def tap_tab(self, view: str) -> None:
        await self.page.click(f'.tab[data-view="{view}"]')
        await self.ready(view)

    async def ready(self, view: str) -> None:
        await self.page.wait_for_selector(f'{READY}[data-view="{view}"]')

    async def texts(self, selector: str) -> list[str]:
        return [text.strip() for text in await self.page.locator(selector).all_inner_texts()]

    async def text(self, selector: str) -> str:
        return (await self.page.locator(selector).inner_text()).strip()

    async def count(self, selector: str) -> int:
        return await self.page.locator(selector).count()

    async def overflow(self) -> int:
        """How many pixels the page is wider than the screen (0: nothing scrolls sideways but the tables' boxes)."""
        width: int = await self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        return width

    async def screenshot(self, name: str) -> Path:
        """Saves the screen; the path goes into the test's report (listed at the end of the run)."""
        database = self.request.node.callspec.params.get("engine", "sqlite")  # the same view on each database
        path = self.screenshots / (f"{name}.png" if database == "sqlite" else f"{name}-{database}.png")
        await self.page.screenshot(path=str(path))
        self.request.node.user_properties.append((SCREENSHOT, str(path)))
        return path

    async def first_render_ms(self) -> float:
        """Milliseconds from navigation to the first view drawn with all its data (app.js marks it)."""
        taken: float = await self.page.evaluate("performance.getEntriesByName('dashboard-ready')[0].startTime")
        return taken


def console_error(message: ConsoleMessage) -> bool:
    """An error in the console, other than a refused API request's status (the tests check those themselves)."""
    return message.type == "error" and not message.text.startswith(HTTP_STATUS_ERROR)


@dataclass
class Dashboard:
    """The served dashboard and the browser to open it with, as members would from Telegram."""

    browser: Browser
    url: str
    api: InProcessBotApi
    screenshots: Path
    request: pytest.FixtureRequest
    scripts: list[str] = field(default_factory=list)

    def browser_script(self, script: str) -> None:
        """A script each page runs before its own (e.g. a Telegram client's hooks)."""
        self.scripts.append(script)

    @asynccontextmanager
    async def opened_by(
        self, staff: Staff, *, init_data: str | None = None, theme: dict[str, str] | None = None
    ) -> AsyncIterator[Phone]:
        """The page opened on a phone with the member's init data (or the given one); no script error may occur."""
        context = await self.browser.new_context(viewport=PHONE, device_scale_factor=2, locale="ja-JP")
        for script in self.scripts:
            await context.add_init_script(script)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if console_error(message) else None)
        screen = Phone(page, errors, self.screenshots, self.request)
        try:
            await screen.open(launch_url(self.url, init_data or init_data_for(staff), theme))
            yield screen
        finally:
            await context.close()
        assert errors == [], errors
