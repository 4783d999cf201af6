"""The dashboard's first complete render in headless Chromium, in a process of its own (the bot's loop and core stay
the server's).

`python -m bench.page_load` reads `{"pages": [{"name", "url"}], "rounds": N}` on stdin and prints
`{"ms": {name: [...]}, "errors": [...]}`: for each round, each page in turn in a fresh browser context (nothing
cached), the time from the navigation's start to the page's `dashboard-ready` mark (set once the first view is
drawn with its figures), as the browser measures it. A page that shows a refusal instead is an error.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = "/usr/bin/chromium"  # Debian's; nothing is downloaded
READY = "body[data-state=ready], body[data-state=refused]"
READY_MARK = "performance.getEntriesByName('dashboard-ready').map(e => e.startTime)[0] ?? null"


def render_ms(browser: Browser, url: str) -> float | str:
    """Milliseconds to the first complete render, or what went wrong."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: _keep(problems, message))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(url)
        try:
            page.wait_for_selector(READY, state="attached", timeout=30_000)
        except PlaywrightTimeoutError:
            return f"never drawn: {problems[:3]}"
        if page.evaluate("document.body.dataset.state") != "ready":
            return f"refused: {page.inner_text('body')[:80]!r}"
        mark = page.evaluate(READY_MARK)
        return float(mark) if mark is not None else "no dashboard-ready mark"
    finally:
        context.close()


def _keep(problems: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        problems.append(message.text)


def main() -> int:
    plan = json.load(sys.stdin)
    ms: dict[str, list[float]] = {page["name"]: [] for page in plan["pages"]}
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(int(plan["rounds"])):
                for page in plan["pages"]:
                    outcome: Any = render_ms(browser, page["url"])
                    if isinstance(outcome, str):
                        errors.append(f"{page['name']}: {outcome}")
                    else:
                        ms[page["name"]].append(outcome)
        finally:
            browser.close()
    json.dump({"ms": ms, "errors": errors[:20]}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
