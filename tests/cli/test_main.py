"""The `intake` command line, run as an operator would, on a SQLite file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import get_settings

runner = CliRunner()


def test_migrate_creates_the_database_and_loads_reference_data(database: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "wards added: 24" in result.output
    assert "synthetic sample areas loaded: 334" in result.output
    again = runner.invoke(app, ["migrate"])
    assert "wards added: 0" in again.output
    assert "sample areas" not in again.output


def test_totals_json_on_an_empty_database(database: Path) -> None:
    result = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-11-30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["fy"], data["as_of"], data["scope"]) == (2025, "2025-11-30", "city")
    assert data["indicators"]["1-1"] == {"value": 0, "denominator": 334, "percent": 0.0}
    assert len(data["indicators"]) == 13


def test_totals_table_for_a_ward(database: Path) -> None:
    result = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-11-30", "--ward", "27102"])
    assert result.exit_code == 0, result.output
    assert "2025（令和7）年度  令和7年11月末時点  scope: 27102" in result.output
    assert "0 ／ 全13地域" in result.output


def test_totals_refuses_an_unknown_ward_and_a_date_before_the_year(database: Path) -> None:
    assert "unknown ward code 99999" in runner.invoke(app, ["totals", "--fy", "2025", "--ward", "99999"]).output
    early = runner.invoke(app, ["totals", "--fy", "2025", "--as-of", "2025-03-31"])
    assert early.exit_code == 2
    assert "starts on 2025-04-01" in early.output


def test_import_areas_rejects_a_bad_file_and_imports_nothing(database: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["migrate"])
    bad = tmp_path / "areas.csv"
    bad.write_text("area_code,ward_code,name_ja,roster_provided\nX-1,99999,架空地域,1\nX-1,27102,重複,1\n")
    result = runner.invoke(app, ["import-areas", str(bad)])
    assert result.exit_code == 1
    assert "unknown ward code '99999'" in result.output
    assert "duplicate area code X-1" in result.output
    good = tmp_path / "good.csv"
    good.write_text("area_code,ward_code,name_ja,roster_provided\n27102-99,27102,都島区新地域,0\n")
    assert "areas added: 1, updated: 0" in runner.invoke(app, ["import-areas", str(good)]).output


def test_totals_demo_reads_the_demo_database_only(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo.db"
    monkeypatch.setenv("DEMO_DATABASE_URL", f"sqlite+aiosqlite:///{demo}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["totals", "--demo", "--fy", "2025", "--json"])
    assert result.exit_code == 0, result.output
    assert demo.exists()
    assert not database.exists()


def test_version_prints_the_release_and_the_schema_revision() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"intake \d+\.\d+\.\d+ \(schema \d{4}\)\n", result.output), result.output
