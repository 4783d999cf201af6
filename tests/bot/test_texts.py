"""The message catalog: every text in both languages with the same placeholders, every key the code asks for
exists, and no text is left that nothing can ask for."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.conversations.followups import PURPOSE_LABELS
from bot.keyboards import INTERVAL_LABELS
from bot.texts import EN, JA, PAGE_PREFIX, PERSONAL_DATA_LABELS, TEXTS, date_values
from models.followups import INTERVALS, PURPOSES
from models.privacy import PersonalData

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [path for folder in ("bot", "reminders") for path in sorted((ROOT / folder).rglob("*.py"))]
PAGE_FILES = sorted(path for path in (ROOT / "bot" / "dashboard" / "static").rglob("*") if path.is_file())
CATALOG_CALLS = {"text", "menu_texts"}  # functions whose first argument is a catalog key


def placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name}


def keys_asked_for() -> dict[str, str]:
    """Every literal key passed to text()/menu_texts() in bot/ and reminders/, with where it is asked."""
    asked: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = _literal_key(node)
            if key is not None:
                asked.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
    return asked


def _literal_key(node: ast.AST) -> str | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CATALOG_CALLS):
        return None
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


# Texts whose examples differ by language on purpose: Japanese offices write 令和 years, English users ISO dates.
# Both are filled from texts.date_values, which gives every value either uses.
DATE_EXAMPLES = {"ask_date"}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = TEXTS[key]
    assert set(entry) == {JA, EN}, f"{key}: languages {sorted(entry)}"
    if key in DATE_EXAMPLES:
        every_value = set(date_values(date(2026, 12, 3), JA)) | set(date_values(date(2026, 12, 3), EN))
        assert placeholders(entry[JA]) | placeholders(entry[EN]) <= every_value, key
    else:
        assert placeholders(entry[JA]) == placeholders(entry[EN]), key


def test_every_key_the_code_asks_for_exists() -> None:
    asked = keys_asked_for()
    assert len(asked) > 100  # the scan sees the handlers' calls
    assert {key: where for key, where in asked.items() if key not in TEXTS} == {}


def unused_keys(keys: list[str], code: str, page: str) -> list[str]:
    """Keys no code names as a literal (keys built at run time still appear as literals in tables); the page's
    words (`dash_…`) count as used where a file of the page names them."""
    code = re.sub(r"^    \"\w+\": \{", "", code, flags=re.M)  # the catalog's own entries do not count
    return [
        key
        for key in keys
        if not re.search(rf"[\"']{re.escape(key)}[\"']", page if key.startswith(PAGE_PREFIX) else code)
    ]


def test_every_text_can_be_asked_for() -> None:
    code = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    page = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in PAGE_FILES)
    assert any(key.startswith(PAGE_PREFIX) for key in TEXTS)
    assert unused_keys(list(TEXTS), code, page) == []


def test_a_page_word_counts_only_where_the_page_uses_it() -> None:
    code = 'text("greeting", lang)\nWORDS = ["dash_in_python"]'
    page = "t('dash_title'); // dash_unquoted"
    keys = ["greeting", "dash_title", "dash_in_python", "dash_unquoted", "forgotten"]
    assert unused_keys(keys, code, page) == ["dash_in_python", "dash_unquoted", "forgotten"]


def test_every_follow_up_code_has_its_text() -> None:
    assert set(INTERVAL_LABELS) == set(INTERVALS)
    assert set(PURPOSE_LABELS) == set(PURPOSES)


def test_every_kind_of_personal_data_has_its_label_in_both_languages() -> None:
    assert set(PERSONAL_DATA_LABELS) == set(PersonalData)
    assert all(set(labels) == {JA, EN} and all(labels.values()) for labels in PERSONAL_DATA_LABELS.values())
