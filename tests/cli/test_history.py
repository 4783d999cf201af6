"""`intake import-events` and `intake baseline set|list|clear`, run as an operator would, on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()
HISTORY = (
    "kind,date,ward_code,area_code,household_ref,count,answer\n"
    "outreach,2024-06-03,27102,,,3,\n"
    "area_meeting,2024-07-01,27102,27102-01,,,\n"
)


def totals_2024(*extra: str) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["totals", "--fy", "2024", "--as-of", "2025-03-31", "--json", *extra])
    assert result.exit_code == 0, result.output
    indicators: dict[str, dict[str, object]] = json.loads(result.output)["indicators"]
    return indicators


def test_import_events_reports_counts_and_is_idempotent(database: Path, tmp_path: Path) -> None:
    file = tmp_path / "history.csv"
    file.write_bytes(HISTORY.encode("cp932"))
    first = runner.invoke(app, ["import-events", str(file)])
    assert first.exit_code == 0, first.output
    assert "events added: 2, skipped (imported before): 0" in first.output
    again = runner.invoke(app, ["import-events", str(file)])
    assert "events added: 0, skipped (imported before): 2" in again.output
    assert totals_2024()["1-5"] == {"value": 3, "denominator": None, "percent": None}


def test_import_events_lists_the_problems_and_imports_nothing(database: Path, tmp_path: Path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(HISTORY + "outreach,2024-06-31,27102,,,3,\nwalking,2024-06-01,27102,,,,\n", encoding="utf-8")
    result = runner.invoke(app, ["import-events", str(file)])
    assert result.exit_code == 1
    assert "何も取り込んでいません" in result.output
    assert "4行目: 日付（date）「2024-06-31」を読めません" in result.output
    assert "5行目: 種別（kind）「walking」が登録されていません" in result.output
    assert totals_2024()["1-5"]["value"] == 0


def test_baseline_set_list_clear(database: Path) -> None:
    base = ["baseline", "set", "--ward", "27102", "--month", "2024-06", "--by", "山本", "--reason", "区の報告値"]
    result = runner.invoke(app, [*base, "--indicator", "1-5", "--value", "120"])
    assert result.exit_code == 0, result.output
    assert "baseline set: No.1  2024-06  27102  1-5  120" in result.output
    survey = runner.invoke(app, [*base, "--indicator", "2-Q", "--value", "8", "--denominator", "10"])
    assert "8 / 10" in survey.output
    replaced = runner.invoke(app, [*base, "--indicator", "1-5", "--value", "125"])
    assert "No.3" in replaced.output
    assert totals_2024()["1-5"] == {"value": 125, "denominator": None, "percent": None, "baseline": True}
    assert totals_2024()["2-Q"] == {"value": 8, "denominator": 10, "percent": 80.0, "baseline": True}
    listed = runner.invoke(app, ["baseline", "list", "--fy", "2024"])
    assert listed.output.splitlines() == [
        "    3  2024-06  27102  1-5  125  by 山本: 区の報告値",
        "    2  2024-06  27102  2-Q  8 / 10  by 山本: 区の報告値",
    ]
    assert runner.invoke(app, ["baseline", "list", "--fy", "2025"]).output == "no baselines\n"
    clear = ["baseline", "clear", "--indicator", "1-5", "--ward", "27102", "--month", "2024-06"]
    cleared = runner.invoke(app, [*clear, "--reason", "誤り", "--by", "山本"])
    assert cleared.exit_code == 0, cleared.output
    assert "baseline cleared: No.3" in cleared.output
    assert totals_2024()["1-5"] == {"value": 0, "denominator": None, "percent": None}
    twice = runner.invoke(app, [*clear, "--reason", "誤り", "--by", "山本"])
    assert twice.exit_code == 2
    assert "no baseline for 1-5 in 27102 for 2024-06" in twice.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--indicator", "1-9", "--month", "2024-06", "--value", "1"], "unknown indicator '1-9'"),
        (["--indicator", "1-5", "--month", "2024-6x", "--value", "1"], "month must be YYYY-MM"),
        (["--indicator", "2-Q", "--month", "2024-06", "--value", "1"], "needs --denominator"),
    ],
)
def test_baseline_set_refuses_wrong_input(database: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["baseline", "set", "--ward", "27102", "--by", "山本", "--reason", "理由", *arguments])
    assert result.exit_code == 2
    assert message in result.output
