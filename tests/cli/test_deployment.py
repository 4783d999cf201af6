"""The README's Deployment steps, run as written on a new database (SQLite and PostgreSQL): only the real areas
count, and `import-areas --replace` retires (never deletes) the areas a new master leaves out."""

from __future__ import annotations

import json
import re
import shlex
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import TOKYO

ROOT = Path(__file__).resolve().parents[2]
HEADER = "area_code,ward_code,name_ja,roster_provided"
# A real master of 6 areas in two wards: 4 with the roster (2 in 27102, 2 in 27103), 2 without.
AREAS = [
    "27102-71,27102,都島本通地域,1",
    "27102-72,27102,高倉地域,1",
    "27102-73,27102,友渕地域,0",
    "27103-71,27103,福島地域,1",
    "27103-72,27103,野田地域,1",
    "27103-73,27103,鷺洲地域,0",
]
runner = CliRunner()


def deployment_steps() -> list[list[str]]:
    """The `.venv/bin/intake …` lines of the README's Deployment `sh` block, in order, comments dropped."""
    section = (ROOT / "README.md").read_text().split("## Deployment", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    steps = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    return [step[1:] for step in steps if step and step[0] == ".venv/bin/intake"]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    return path


def _denominators(*extra: str) -> tuple[int, int]:
    result = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-11-30", "--json", *extra])
    assert result.exit_code == 0, result.output
    indicators = json.loads(result.output)["indicators"]
    return indicators["1-1"]["denominator"], indicators["1-2"]["denominator"]


@time_machine.travel(datetime(2025, 12, 1, 10, 0, tzinfo=TOKYO), tick=False)
def test_the_deployment_steps_count_only_the_real_areas(
    operator_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_USERNAME", "intake_test_bot")
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "areas.csv", AREAS)
    steps = deployment_steps()
    assert [step[0] for step in steps] == ["migrate", "import-areas", "import-areas", "totals", "invite"]
    outputs = []
    for step in steps:
        result = runner.invoke(app, step)
        assert result.exit_code == 0, (step, result.output)
        outputs.append(result.output)
    migrated, dry_run, imported, totals, invite = outputs
    assert "sample areas" not in migrated
    assert "would add: 27102-71" in dry_run
    assert "dry run, nothing changed" in dry_run
    assert imported.strip().endswith("areas added: 6, updated: 0, unchanged: 0, retired: 0")
    city = json.loads(totals)["indicators"]
    assert (city["1-1"]["denominator"], city["1-2"]["denominator"]) == (4, 4)  # the file's roster-provided areas
    assert _denominators("--ward", "27102") == (2, 2)
    assert _denominators("--ward", "27103") == (2, 2)
    assert _denominators("--ward", "27104") == (0, 0)
    assert "https://t.me/intake_test_bot?start=" in invite


def test_replace_retires_areas_missing_from_the_new_master(operator_database: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["migrate", "--sample-areas"]).exit_code == 0  # a trial database with the sample
    assert _denominators() == (334, 334)
    master = _write(tmp_path / "areas.csv", AREAS)
    added_only = runner.invoke(app, ["import-areas", str(master)])
    assert "retired: 0" in added_only.output
    assert _denominators() == (334 + 4, 334 + 4)  # without --replace the sample stays: the trap of issue 18

    dry = runner.invoke(app, ["import-areas", "--replace", "--dry-run", str(master)])
    assert dry.exit_code == 0, dry.output
    assert "would retire: 27102-71" not in dry.output  # it is in the file
    assert "would retire: 27102-01" in dry.output
    assert "retired: 334" in dry.output
    assert _denominators() == (338, 338)  # a dry run changes nothing

    replaced = runner.invoke(app, ["import-areas", "--replace", str(master)])
    assert replaced.exit_code == 0, replaced.output
    assert "areas added: 0, updated: 0, unchanged: 6, retired: 334" in replaced.output
    assert _denominators() == (4, 4)

    smaller = _write(tmp_path / "smaller.csv", [*AREAS[:1], "27102-72,27102,高倉地域,0", *AREAS[2:5]])  # 27103-73 gone
    result = runner.invoke(app, ["import-areas", "--replace", str(smaller)])
    assert "areas added: 0, updated: 1, unchanged: 4, retired: 1" in result.output
    assert "retire: 27103-73" in result.output
    assert _denominators("--ward", "27102") == (1, 1)

    back = runner.invoke(app, ["import-areas", "--replace", str(master)])  # 27103-73 returns, 27102-72 has a roster
    assert "areas added: 0, updated: 2, unchanged: 4, retired: 0" in back.output
    assert _denominators() == (4, 4)


def test_migrate_without_the_flag_loads_no_sample_areas(operator_database: str) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "sample areas" not in result.output
    assert _denominators() == (0, 0)
