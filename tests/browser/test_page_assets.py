"""The page's files without a browser: every word it asks for is in the catalog (tests/bot/test_texts.py checks
that every catalog word is asked for), nothing inline that the Content-Security-Policy would block, nothing from
another origin, and its weight."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

from bot.texts.dashboard_page import PAGE_TEXTS
from bot.texts.workers import EN, JA

STATIC = Path(__file__).resolve().parents[2] / "bot" / "dashboard" / "static"
PAGE_FILES = ("index.html", "app.js", "bridge.js", "style.css")
WEIGHT_LIMIT = 500 * 1024  # the limit for the whole page, compressed


def page_words() -> set[str]:
    source = (STATIC / "app.js").read_text(encoding="utf-8")
    return set(re.findall(r"[\"'](dash_\w+)[\"']", source))


def test_every_word_the_page_asks_for_is_in_the_catalog_in_both_languages() -> None:
    asked = page_words()
    assert asked - set(PAGE_TEXTS) == set()
    assert all(set(PAGE_TEXTS[key]) == {JA, EN} and all(PAGE_TEXTS[key].values()) for key in asked)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_has_nothing_inline_and_nothing_from_another_origin() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert "<style" not in html
    assert [attrs for tag, attrs in parser.tags if tag == "script" and not attrs.get("src")] == []
    assert [tag for tag, attrs in parser.tags if "style" in attrs or any(name.startswith("on") for name in attrs)] == []
    for name in PAGE_FILES:
        text = (STATIC / name).read_text(encoding="utf-8")
        origins = set(re.findall(r"https?://[\w.-]+", text)) - {"http://www.w3.org", "https://web.telegram.org"}
        assert origins == set(), name  # the SVG namespace and the web client's origin (postMessage) are no requests
        assert "innerHTML" not in text and "eval(" not in text, name


def test_the_whole_page_weighs_under_500_kb_compressed() -> None:
    sizes = {name: len(gzip.compress((STATIC / name).read_bytes(), 9)) for name in PAGE_FILES}
    print("gzip sizes:", sizes, "total", sum(sizes.values()))
    assert sum(sizes.values()) < WEIGHT_LIMIT
