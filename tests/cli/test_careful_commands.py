"""Commands that do not trap an operator: no file overwritten without --force, a --format that contradicts the file
name refused, the valid kind codes listed, an invite that says whom it registers, empty lists that say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from models.catalog import KINDS_BY_CODE

runner = CliRunner()


@pytest.fixture
def migrated(database: Path) -> Path:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return database


@pytest.mark.usefixtures("migrated")
def test_export_never_overwrites_without_force_and_refuses_a_contradicting_format(tmp_path: Path) -> None:
    workbook = tmp_path / "ev.xlsx"
    workbook.write_bytes(b"the workbook someone made")
    contradicting = runner.invoke(app, ["export", "events", "--fy", "2025", "--format", "csv", "--out", str(workbook)])
    assert contradicting.exit_code == 2
    assert contradicting.output.strip() == f"error: --format csv contradicts --out {workbook} (a .xlsx file)"
    kept = runner.invoke(app, ["export", "events", "--fy", "2025", "--out", str(workbook)])  # xlsx, from the name
    assert kept.exit_code == 2
    assert kept.output.strip() == f"error: {workbook} exists: not overwritten (add --force to replace it)"
    assert workbook.read_bytes() == b"the workbook someone made"

    replaced = runner.invoke(app, ["export", "events", "--fy", "2025", "--out", str(workbook), "--force"])
    assert replaced.exit_code == 0, replaced.output
    assert workbook.read_bytes().startswith(b"PK")  # a real workbook now (a zip), not CSV text


@pytest.mark.usefixtures("migrated")
def test_export_to_the_default_name_is_not_overwritten_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["export", "events", "--fy", "2025"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("events-2025-city.csv: 0 events")
    again = runner.invoke(app, ["export", "events", "--fy", "2025"])
    assert again.exit_code == 2
    assert "events-2025-city.csv exists: not overwritten (add --force to replace it)" in again.output


@pytest.mark.usefixtures("migrated")
def test_sheet_never_overwrites_without_force_and_writes_only_xlsx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sheet.xlsx"
    out.write_bytes(b"last month's sheet")
    refused = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--out", str(out)])
    assert refused.exit_code == 2
    assert refused.output.strip() == f"error: {out} exists: not overwritten (add --force to replace it)"
    assert out.read_bytes() == b"last month's sheet"
    forced = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"PK")

    not_a_workbook = runner.invoke(app, ["sheet", "--fy", "2025", "--out", str(tmp_path / "sheet.csv")])
    assert not_a_workbook.exit_code == 2
    assert "the sheet is an Excel workbook, name the file .xlsx" in not_a_workbook.output

    monkeypatch.chdir(tmp_path)  # the default name: known once the sheet is made, refused all the same
    assert runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30"]).exit_code == 0
    again = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30"])
    assert again.exit_code == 2
    assert "sheet-2025-2025-11-30-city.xlsx exists: not overwritten" in again.output
    assert sorted(path.name for path in tmp_path.glob("*.partial.xlsx")) == []  # no scratch file left


@pytest.mark.usefixtures("migrated")
def test_import_events_names_the_valid_kinds_in_its_error_and_help(tmp_path: Path) -> None:
    file = tmp_path / "history.csv"
    file.write_text("kind,date,ward_code\nwalking,2024-06-01,27102\nvisit,2024-06-02,27102\n", encoding="utf-8")
    result = runner.invoke(app, ["import-events", str(file)])
    assert result.exit_code == 1
    assert "2行目: 種別（kind）「walking」が登録されていません（使える種別は最後に）" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last == "使える種別（valid kinds）: " + ", ".join(KINDS_BY_CODE)
    assert result.output.count("使える種別（valid kinds）") == 1
    help_text = " ".join(runner.invoke(app, ["import-events", "--help"]).output.split())
    assert all(code in help_text for code in KINDS_BY_CODE)


@pytest.mark.usefixtures("migrated")
def test_invite_says_whom_it_registers_and_refuses_a_ward_for_city_wide_roles() -> None:
    worker = runner.invoke(app, ["invite", "--role", "worker", "--ward", "27102", "--bot-username", "x_bot"])
    assert worker.exit_code == 0, worker.output
    assert worker.output.splitlines()[0] == "invite for: worker, ward 27102 (都島区), watch_office"
    city = runner.invoke(app, ["invite", "--role", "city_supervisor", "--bot-username", "x_bot"])
    assert city.output.splitlines()[0] == "invite for: city_supervisor, city-wide, city"
    for role in ("city_supervisor", "admin"):
        refused = runner.invoke(app, ["invite", "--role", role, "--ward", "27102"])
        assert refused.exit_code == 2
        assert refused.output.strip() == f"error: a {role} works city-wide: give no ward"


@pytest.mark.usefixtures("migrated")
def test_empty_lists_say_they_are_empty() -> None:
    assert runner.invoke(app, ["staff", "list"]).output.strip() == "no staff registered yet (intake invite)"
    assert runner.invoke(app, ["staff", "list", "--ward", "27102"]).output.strip() == "no staff in ward 27102"
    assert runner.invoke(app, ["baseline", "list"]).output.strip() == "no baselines"
