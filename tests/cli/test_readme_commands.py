"""Every `intake` command the README lists exists, and a CLI test runs it (not only its --help)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
INVOCATION = re.compile(r'(?:invoke\(\s*\w+,\s*|\w+ = )\[\s*"([a-z-]+)"(?:,\s*"([a-z-]+)")?')
GROUPS = {"staff", "baseline", "export"}  # command groups: their commands are `intake <group> <command>`


def readme_commands() -> list[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for first, second in re.findall(r"`intake ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", (ROOT / "README.md").read_text()):
        if first in GROUPS and not second:
            continue  # the group itself, named in prose: its commands are listed one by one
        found.add((first, second) if first in GROUPS else (first,))
    return sorted(found)


def commands_the_tests_run() -> set[tuple[str, ...]]:
    """What the tests invoke: `invoke(app, ["staff", "list", …])`, or an argument list kept for it (`clear = [...]`)."""
    invoked: set[tuple[str, ...]] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for first, second in INVOCATION.findall(path.read_text()):
            invoked.add((first, second) if first in GROUPS else (first,))
    return invoked


def test_the_readme_lists_the_commands() -> None:
    assert {("totals",), ("staff", "list"), ("baseline", "set"), ("export", "events")} <= set(readme_commands())


@pytest.mark.parametrize("command", readme_commands(), ids=" ".join)
def test_a_readme_command_exists_and_a_test_runs_it(command: tuple[str, ...]) -> None:
    assert CliRunner().invoke(app, [*command, "--help"]).exit_code == 0, f"`intake {' '.join(command)}` is gone"
    assert command in commands_the_tests_run(), f"no CLI test runs `intake {' '.join(command)}`"
