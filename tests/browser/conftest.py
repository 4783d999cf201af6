"""Fixtures of the browser tests: Debian's headless Chromium driven by playwright (never a browser of its own),
and where the screenshots go. Without playwright or Chromium the tests are skipped, saying which is missing.

The helpers they use (the served dashboard, launch URLs, the phone screen) are in tests/browser/page.py; the list of
screenshots at the end of the run is tests/conftest.py's (xdist's controller loads only that conftest)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.context import Runtime
from bot.offline.fake_api import InProcessBotApi
from tests.browser.page import CHROMIUM, NOW, Dashboard, served_dashboard
from tests.builders import TOKEN, make_settings

if TYPE_CHECKING:
    from playwright.async_api import Browser


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium from /usr/bin (override with DASHBOARD_CHROMIUM), one for the session."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DASHBOARD_SCREENSHOTS, or a directory of this test run: never inside the repository."""
    configured = os.environ.get("DASHBOARD_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("dashboard-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def dashboard(
    browser: Browser,
    sessions: async_sessionmaker[AsyncSession],
    screenshots: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Dashboard]:
    """The real application and the dashboard's routes on a free local port, Python's clock at NOW (Asia/Tokyo)."""
    api = InProcessBotApi()
    application = build_application(Runtime(make_settings(), sessions), TOKEN, request=api, rate_limited=False)
    with time_machine.travel(NOW):
        async with application, served_dashboard(application) as url:
            yield Dashboard(browser, url, api, screenshots, request)
