"""The layering docs/architecture.md promises, checked on the source: what each folder may import.

- `models/` knows nothing of Telegram, Typer, the bot or the scheduler;
- `reminders/` sends through what it is given, never through `bot/`;
- feature modules in `bot/conversations/` do not import each other, except the steps of the one conversation
  (`flow` assembles `log_event`, `corrections`, `notes` and `followups`' steps; `corrections` and `followups` reuse
  `log_event`'s primitives);
- tests import shared helpers from `tests/builders.py`, never from a conftest (conftest files hold fixtures).

Every import counts, a function's late import too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "models": ("telegram", "typer", "bot", "reminders"),
    "reminders": ("bot", "typer"),
}
FEATURES = "bot.conversations"
FEATURE_IMPORTS_ALLOWED = {  # module → the feature modules it may import
    "bot.conversations.flow": {"log_event", "log_save", "corrections", "notes", "followups"},
    "bot.conversations.log_save": {"log_event"},  # the conversation's last step, on its primitives
    "bot.conversations.corrections": {"log_event", "log_save"},  # a correction is saved and says what moved
    "bot.conversations.followups": {"log_event"},  # 記録する under a reminder starts the card; a typed day is a step
}


def imported_modules(path: Path) -> Iterator[str]:
    """Every absolute module a file imports (`from a import b` yields `a` and `a.b`)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def violations(root: Path) -> list[str]:
    """`file: imports X` for every import the layering forbids under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if ".venv" in path.parts:
            continue
        name, relative = module_name(path, root), path.relative_to(root).as_posix()
        for imported in set(imported_modules(path)):
            if _forbidden(name, path, imported):
                found.append(f"{relative}: imports {imported}")
    return sorted(found)


def _forbidden(name: str, path: Path, imported: str) -> bool:
    top, first = name.split(".")[0], imported.split(".")[0]
    if first in FORBIDDEN.get(top, ()):
        return True
    if name.startswith(f"{FEATURES}.") and imported.startswith(f"{FEATURES}."):
        feature = imported.removeprefix(f"{FEATURES}.").split(".")[0]
        return feature != name.split(".")[2] and feature not in FEATURE_IMPORTS_ALLOWED.get(name, set())
    return top == "tests" and path.name != "conftest.py" and imported.split(".")[-1] == "conftest"


def test_the_layers_hold() -> None:
    assert violations(ROOT) == []


def test_a_planted_import_is_found(tmp_path: Path) -> None:
    """The check can fail: each rule catches an import planted where it does not belong."""
    planted = {
        "models/totals/engine.py": "from telegram import Update\n",
        "models/fiscal.py": "def late() -> None:\n    import bot.app\n",
        "reminders/jobs.py": "from bot.reminder_messages import BotMessenger\n",
        "bot/conversations/totals.py": "from bot.conversations import missing\n",
        "bot/conversations/flow.py": "from bot.conversations import log_event, notes\n",  # allowed
        "tests/models/test_x.py": "from tests.bot.conftest import app\n",
        "tests/reminders/conftest.py": "from tests.bot.conftest import app\n",  # fixtures: allowed
    }
    for relative, source in planted.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(source)
    assert violations(tmp_path) == [
        "bot/conversations/totals.py: imports bot.conversations.missing",
        "models/fiscal.py: imports bot.app",
        "models/totals/engine.py: imports telegram",
        "models/totals/engine.py: imports telegram.Update",
        "reminders/jobs.py: imports bot.reminder_messages",
        "reminders/jobs.py: imports bot.reminder_messages.BotMessenger",
        "tests/models/test_x.py: imports tests.bot.conftest",
    ]
