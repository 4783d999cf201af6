"""Every module imports on its own, first: an import cycle between our modules fails here, whatever order the
rest of the suite happens to import them in. One fresh interpreter; our modules are forgotten before each import
(third-party libraries stay loaded, so this takes seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "models", "reminders", "bench")

CHECK = """
import importlib, sys, traceback
failed = []
KEPT = {{"models", "models.tables"}}  # SQLModel metadata is global: tables are defined once (they import none of ours)
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in {packages!r} and m not in KEPT]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ":\\n" + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def project_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "versions" in parts or parts[-1] == "__main__" or parts[:2] == ("models", "migrations"):
                continue  # migration scripts and `python -m` entry points run, they are not imported
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_imports_first_and_alone() -> None:
    modules = project_modules()
    assert {"bot.app", "bot.cli.main", "models.totals", "reminders.jobs"} <= set(modules)
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(packages=set(PACKAGES)), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
