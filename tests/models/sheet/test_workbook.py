"""The progress-sheet workbook, read back cell by cell against the totals engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli.main import app
from models.catalog import FISCAL_YEARS_OF_PLAN, INDICATORS, SHEET_TITLE, SHEETS, SheetSection
from models.entries.draft import EventDraft
from models.entries.write import record_event
from models.fiscal import same_point_last_year
from models.sheet.completeness import COMPLETENESS_CODES
from models.sheet.data import SheetData, collect_sheet
from models.sheet.goal_sheets import (
    KEY_COLUMN,
    LABEL_COLUMN,
    NOTE_COLUMN,
    SECTION_COLUMN,
    YEAR_COLUMNS,
    sheet_figure,
)
from models.sheet.tabs import APPROVAL_COLUMN, EVENT_COLUMNS, by_ward_columns
from models.sheet.workbook import build_workbook
from models.tables import Event, SheetBullet, utcnow
from models.totals import IndicatorValue, Totals, indicator_totals, sheet_notation
from tests.builders import add_event
from tests.sheet_reading import row_of, rows_of

FY = 2025
AS_OF = date(2025, 11, 30)
MIYAKOJIMA, FUKUSHIMA = "27102", "27103"
GENERATED_AT = datetime(2025, 12, 1, 0, 30, tzinfo=UTC)
SECRET_NOTE = "集計根拠に出してはいけない備考"
SHEET_NAMES = [sheet.goal for sheet in SHEETS]


@dataclass
class Dataset:
    session: AsyncSession
    live: list[Event]  # FY2025 up to the as-of date, not voided: exactly what 集計根拠 lists (city scope)
    outside: list[Event]  # voided, after the as-of date, or FY2024


async def _noted_intake(session: AsyncSession) -> Event:
    draft = EventDraft(
        kind="complex_intake", occurred_on=date(2025, 9, 9), ward_code=MIYAKOJIMA, count=5, note=SECRET_NOTE
    )
    event, _created = await record_event(session, draft, idempotency_key="sheet-noted-intake", today=draft.occurred_on)
    return event


def bullets() -> list[SheetBullet]:
    """City bullets (one removed, one for 2026), and one of Miyakojima's sheet."""
    a, q, i = SheetSection.ACTIVITIES.value, SheetSection.QUALITATIVE.value, SheetSection.ISSUES.value
    specs: list[tuple[int, int, str, int, str, dict[str, Any]]] = [
        (1, FY, a, 2, "見守り活動者の交流会を開催", {}),
        (1, FY, a, 1, "活動者向け研修を実施", {}),
        (1, FY, a, 3, "同順位の一つ目", {}),
        (1, FY, a, 3, "同順位の二つ目", {}),
        (1, 2024, a, 0, "前年度の取組", {}),
        (2, FY, q, 0, "関係機関との連携が深まった", {}),
        (3, FY, i, 0, "削除済みの課題", {"removed_at": utcnow()}),
        (1, FY, a, 0, "都島区の取組", {"ward_code": MIYAKOJIMA}),
        (1, 2026, i, 0, "来年度の課題", {}),
    ]
    return [
        SheetBullet(sheet=sheet, fiscal_year=year, section=section, position=position, text=text, **extra)
        for sheet, year, section, position, text, extra in specs
    ]


ABSENT_FROM_CITY = ("削除済みの課題", "都島区の取組", "来年度の課題", SECRET_NOTE)


@pytest.fixture
async def dataset(session: AsyncSession) -> Dataset:
    e = add_event
    live = [
        await e(session, "area_meeting", date(2025, 4, 10), area="27102-01"),
        await e(session, "area_meeting", date(2025, 6, 1), area="27102-01"),
        await e(session, "area_meeting", date(2025, 5, 1), area="27102-02"),
        await e(session, "concern_report", date(2025, 4, 3), area="27102-01"),
        await e(session, "concern_report", date(2025, 10, 2), FUKUSHIMA, area="27103-02"),
        await e(session, "roster_provision", date(2025, 5, 20), area="27102-01", count=12),
        await e(session, "outreach", date(2025, 4, 1), household="H9"),
        await e(session, "outreach", date(2025, 11, 30), count=3),
        await e(session, "participation_link", date(2025, 4, 15), household="H1"),
        await e(session, "participation_link", date(2025, 6, 15), household="H1"),
        await e(session, "participation_link", date(2025, 7, 1), household="H2"),
        await e(session, "participation_link", date(2025, 7, 2), FUKUSHIMA, household="H1"),
        await e(session, "agency_survey", date(2025, 9, 1), answer=True),
        await e(session, "agency_survey", date(2025, 9, 1), answer=False),
        await e(session, "agency_survey", date(2025, 9, 2), FUKUSHIMA, answer=True),
        await e(session, "watch_office_link", date(2025, 9, 9), FUKUSHIMA, count=2),
        await _noted_intake(session),
    ]
    outside = [
        await e(session, "area_meeting", date(2025, 12, 5), FUKUSHIMA, area="27103-01"),  # after as-of
        await e(session, "area_meeting", date(2025, 3, 31), area="27102-03"),  # FY2024
        await e(session, "outreach", date(2025, 3, 31), count=2),  # FY2024
        await e(session, "outreach", date(2025, 8, 8), FUKUSHIMA, voided=True),
        await e(session, "agency_survey", date(2025, 9, 3), answer=False, voided=True),
    ]
    session.add_all(bullets())
    await session.flush()
    return Dataset(session, live, outside)


async def collect(session: AsyncSession, ward: str | None = None, threshold: int = 1) -> SheetData:
    return await collect_sheet(session, FY, AS_OF, ward, threshold, generated_at=GENERATED_AT)


def read(data: SheetData) -> Any:
    return load_workbook(BytesIO(build_workbook(data)))


async def engine_totals(session: AsyncSession, ward: str | None = None, threshold: int = 1) -> dict[int, Totals]:
    """The totals engine on its own, per plan year as the sheet should show it (2026 has not started)."""
    return {
        2024: await indicator_totals(session, 2024, date(2025, 3, 31), ward, threshold),
        2025: await indicator_totals(session, FY, AS_OF, ward, threshold),
    }


def column(ws: Any, key: str, year: int) -> list[Any]:
    return [ws.cell(row=row, column=YEAR_COLUMNS[year]).value for row in rows_of(ws, key)]


def every_value(workbook: Any) -> list[Any]:
    return [cell.value for ws in workbook.worksheets for line in ws.iter_rows() for cell in line]


def by_ward_cell(this_year: IndicatorValue, last_year: IndicatorValue, part: str) -> int | float | None:
    """区別内訳's cell of a figure column: this year's figure, or beside it (`last_year_…`) last year's same day."""
    value = last_year if part.startswith("last_year_") else this_year
    figures = {"value": value.value, "denominator": value.denominator, "percent": value.percent}
    return figures[part.removeprefix("last_year_")]


async def test_every_figure_equals_the_totals_engine_in_every_year_column(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    expected = await engine_totals(dataset.session)
    assert workbook.sheetnames == [*SHEET_NAMES, "数値", "区別内訳", "地域別", "集計根拠", "定義"]
    for indicator in INDICATORS:
        ws = workbook[SHEETS[indicator.sheet - 1].goal]
        row = row_of(ws, f"indicator:{indicator.code}")
        assert ws.cell(row=row, column=LABEL_COLUMN).value == indicator.label.replace("（24区合計）", "　（24区合計）")
        for year in FISCAL_YEARS_OF_PLAN:
            shown = ws.cell(row=row, column=YEAR_COLUMNS[year]).value
            if year in expected:
                assert shown == sheet_figure(indicator, expected[year].indicators[indicator.code]), (indicator, year)
            else:
                assert shown is None, (indicator, year)  # 2026 has not started


async def test_hand_computed_figures_as_the_sheet_writes_them(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    expected = [
        ("1-1", 2024, "1 ／ 全334地域（名簿提供地域数）"),
        ("1-1", 2025, "2 ／ 全334地域（名簿提供地域数）"),
        ("1-2", 2025, "2 ／ 全334地域（名簿提供地域数）\n（0.6％）"),  # the share on its own line, as on the seed
        ("1-3", 2025, "12人"),
        ("1-5", 2024, "2件"),
        ("1-5", 2025, "4件"),  # the voided one and December's do not count
        ("2-1", 2025, "5件"),
        ("2-5", 2025, "2件"),
        ("2-Q", 2025, "66.7％（効果あり2 ／ 回答3）"),
        ("2-Q", 2024, "—（効果あり0 ／ 回答0）"),
        ("3-1", 2025, "3世帯"),  # H1 and H2 in Miyakojima, H1 in Fukushima
    ]
    for code, year, shown in expected:
        ws = workbook[SHEET_NAMES[int(code[0]) - 1]]
        assert ws.cell(row=row_of(ws, f"indicator:{code}"), column=YEAR_COLUMNS[year]).value == shown, (code, year)


async def test_title_frame_and_year_headers(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    for sheet in SHEETS:
        ws = workbook[sheet.goal]
        assert ws["A1"].value == f"{SHEET_TITLE}（令和7年11月末時点）"
        assert (
            ws.cell(row=row_of(ws, "philosophy"), column=2).value
            == "だれもが自分らしく安心して暮らし続けられる地域づくり"
        )
        assert ws.cell(row=row_of(ws, "heading"), column=2).value == sheet.title
        assert ws.cell(row=row_of(ws, "heading"), column=1).value == sheet.goal
        years = row_of(ws, "years")
        assert [ws.cell(row=years, column=c).value for c in YEAR_COLUMNS.values()] == [
            "2024（令和6）年度（3月末）",  # each year's figures say the point they stand at
            "2025（令和7）年度（11月末）",
            "2026（令和8）年度",  # not started: blank below
        ]
        assert ws.cell(row=row_of(ws, "heading"), column=NOTE_COLUMN).value == sheet.note  # the source, top right
        descriptions = [
            ws.cell(row=r, column=LABEL_COLUMN).value
            for r in range(1, ws.max_row + 1)
            if str(ws.cell(row=r, column=KEY_COLUMN).value).startswith("description:")
        ]
        assert descriptions == [f"・{text}" for sub in sheet.sub_initiatives for text in sub.description]
    sheet1 = workbook["基本目標1"]
    assert [sheet1.cell(row=row_of(sheet1, f"sub:{letter}"), column=2).value for letter in "アイウ"] == list("アイウ")


async def test_sections_in_order_with_their_labels(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    sheet2 = workbook["基本目標2"]
    labels = {
        "activities": "取組内容",
        "indicator:2-1": "量的成果\n（指標）",  # broken between words in the narrow column
        "indicator:2-Q": "質的成果",
        "issues": "課題と今後の\n方向性",
    }
    for key, label in labels.items():
        assert sheet2.cell(row=row_of(sheet2, key), column=SECTION_COLUMN).value == label
    keys = [sheet2.cell(row=r, column=KEY_COLUMN).value for r in range(row_of(sheet2, "years"), sheet2.max_row + 1)]
    assert keys == [
        "years",
        *["activities"] * 2,
        *[f"indicator:2-{n}" for n in range(1, 6)],
        "indicator:2-Q",  # 質的成果 opens with the survey share
        *["qualitative"] * 2,
        *["issues"] * 2,
    ]


async def test_bullets_sit_in_their_section_and_year(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    sheet1, sheet2, sheet3 = (workbook[name] for name in SHEET_NAMES)
    assert column(sheet1, "activities", 2025) == [
        "・活動者向け研修を実施",
        "・見守り活動者の交流会を開催",
        "・同順位の一つ目",
        "・同順位の二つ目",
    ]
    assert column(sheet1, "activities", 2024) == ["・前年度の取組", "・", "・", "・"]  # a blank line to write on
    assert column(sheet1, "activities", 2026) == [None] * 4  # not started: blank
    assert column(sheet2, "qualitative", 2025) == ["・関係機関との連携が深まった", "・"]
    assert column(sheet3, "issues", 2025) == ["・", "・"]  # its only bullet was removed
    assert column(sheet1, "issues", 2026) == [None] * 2
    values = every_value(workbook)
    for text in ABSENT_FROM_CITY:
        assert not any(isinstance(v, str) and text in v for v in values), text


async def test_ward_sheet_has_the_ward_name_figures_bullets_and_events(dataset: Dataset) -> None:
    data = await collect(dataset.session, ward=MIYAKOJIMA)
    workbook = read(data)
    expected = await engine_totals(dataset.session, MIYAKOJIMA)
    sheet1 = workbook["基本目標1"]
    assert sheet1["A1"].value == f"{SHEET_TITLE}（令和7年11月末時点）　都島区"
    assert column(sheet1, "activities", 2025)[0] == "・都島区の取組"
    row = row_of(sheet1, "indicator:1-1")
    assert sheet1.cell(row=row, column=YEAR_COLUMNS[2025]).value == "2 ／ 全13地域（名簿提供地域数）"
    for indicator in INDICATORS:
        ws = workbook[SHEET_NAMES[indicator.sheet - 1]]
        figure = ws.cell(row=row_of(ws, f"indicator:{indicator.code}"), column=YEAR_COLUMNS[2025]).value
        assert figure == sheet_figure(indicator, expected[2025].indicators[indicator.code])
    listing = workbook["集計根拠"]
    assert {line[2] for line in listing.iter_rows(min_row=2, values_only=True)} == {MIYAKOJIMA}
    by_ward = workbook["区別内訳"]
    assert [line[:2] for line in by_ward.iter_rows(min_row=3, values_only=True)] == [
        (MIYAKOJIMA, "都島区"),
        ("合計", "都島区"),
    ]


async def test_by_ward_sheet_equals_the_engine_breakdown(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    expected = (await engine_totals(dataset.session))[2025]
    last_year = await indicator_totals(dataset.session, 2024, same_point_last_year(AS_OF))  # 前年同期, as /totals
    ws = workbook["区別内訳"]
    columns = by_ward_columns()
    header = [cell.value for cell in ws[1]]
    assert header == [
        "区コード",
        "区名",
        *(code for code, _label, _indicator, _part in columns),
        *COMPLETENESS_CODES,
        APPROVAL_COLUMN,
    ]
    assert "1-1 分母" in header and "2-Q 分母" in header and "1-2 ％" in header
    assert header[header.index("1-1") + 1] == "1-1 前年同期"  # beside the figure
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 24 + 1
    for line in rows[:-1]:
        ward = str(line[0])
        for (_code, _label, indicator, part), value in zip(columns, line[2 : 2 + len(columns)], strict=True):
            assert indicator is not None
            figures = expected.by_ward[ward][indicator.code], last_year.by_ward[ward][indicator.code]
            assert value == by_ward_cell(*figures, part), (ward, _code)
        assert line[-1] == "未確認"  # no ward has confirmed its month
    total = rows[-1]
    assert total[:2] == ("合計", "大阪市（24区）")
    for (_code, _label, indicator, part), value in zip(columns, total[2 : 2 + len(columns)], strict=True):
        assert indicator is not None
        assert value == by_ward_cell(expected.indicators[indicator.code], last_year.indicators[indicator.code], part)
    fukushima = next(line for line in rows if line[0] == FUKUSHIMA)
    assert fukushima[1] == "福島区"


async def test_events_sheet_lists_exactly_the_live_counted_events_without_notes(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session, ward=MIYAKOJIMA))  # the event list belongs to ward sheets
    ws = workbook["集計根拠"]
    assert tuple(cell.value for cell in ws[1]) == EVENT_COLUMNS
    assert not any(word in str(name) for name in EVENT_COLUMNS for word in ("備考", "メモ", "note", "スタッフ"))
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    listed = [line[0] for line in rows]
    live = sorted((e for e in dataset.live if e.ward_code == MIYAKOJIMA), key=lambda e: (e.occurred_on, e.id or 0))
    assert listed == [event.id for event in live]
    assert not {event.id for event in dataset.outside} & set(listed)
    noted = next(line for line in rows if line[5] == "complex_intake")
    assert noted[1].date() == date(2025, 9, 9)
    assert noted[2:] == (
        MIYAKOJIMA,
        "都島区",
        None,
        "complex_intake",
        "複合的な課題の相談受付",
        "2-1",
        5,
        None,
        None,
        None,
    )
    meeting = next(line for line in rows if line[5] == "area_meeting")
    assert meeting[4] == "27102-01" and meeting[7] == "1-1" and meeting[11] == "○"
    survey = [line[10] for line in rows if line[5] == "agency_survey"]
    assert sorted(survey) == ["いいえ", "はい"]
    assert not any(isinstance(v, str) and SECRET_NOTE in v for v in every_value(workbook))
    # Every sum on the sheet can be rebuilt from the listing.
    totals = (await engine_totals(dataset.session, MIYAKOJIMA))[2025]
    for indicator in INDICATORS:
        if indicator.aggregation.value == "sum":
            listed_sum = sum(line[8] for line in rows if line[7] == indicator.code)
            assert listed_sum == totals.indicators[indicator.code].value, indicator.code


async def test_figures_sheet_is_machine_readable(dataset: Dataset) -> None:
    workbook = read(await collect(dataset.session))
    expected = await engine_totals(dataset.session)
    rows = list(workbook["数値"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 * len(INDICATORS)  # 2024 and 2025; 2026 has not started
    for year, as_of, scope, code, _sheet, _sub, _label, value, denominator, share, notation in rows:
        figure = expected[year].indicators[code]
        assert (value, denominator, share) == (figure.value, figure.denominator, figure.percent)
        assert as_of.date() == expected[year].as_of and scope == "city"
        assert notation == sheet_notation(next(i for i in INDICATORS if i.code == code), figure)


async def test_definitions_sheet_shows_the_threshold_used(dataset: Dataset) -> None:
    data = await collect(dataset.session, threshold=2)
    workbook = read(data)
    definitions = {line[0]: line for line in workbook["定義"].iter_rows(min_row=2, values_only=True)}
    assert definitions["regular_meeting_threshold"][2] == 2
    assert "2回以上" in definitions["regular_meeting_threshold"][3]
    assert definitions["as_of"][2].date() == AS_OF
    assert "令和7年11月末時点" in definitions["as_of"][3]
    assert definitions["scope"][2:] == ("市全体", "大阪市（24区）")
    assert definitions["generated_at"][2] == "2025-12-01 09:30:00（日本時間）"
    assert definitions["from_snapshot"][2] == "いいえ"
    sheet1 = workbook["基本目標1"]
    figure = sheet1.cell(row=row_of(sheet1, "indicator:1-1"), column=YEAR_COLUMNS[2025]).value
    assert figure == "1 ／ 全334地域（名簿提供地域数）"
    snapshot = read(replace(data, from_snapshot=True, note="11月末の確定値"))
    noted = {line[0]: line for line in snapshot["定義"].iter_rows(min_row=2, values_only=True)}
    assert (noted["from_snapshot"][2], noted["note"][2]) == ("はい", "11月末の確定値")


async def test_output_is_deterministic_and_print_ready(dataset: Dataset) -> None:
    data = await collect(dataset.session)
    first, second = build_workbook(data), build_workbook(data)
    assert first == second
    workbook = load_workbook(BytesIO(first))
    assert workbook.properties.modified == datetime(2025, 12, 1, 0, 30)
    for name in SHEET_NAMES:
        ws = workbook[name]
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight or 1) == 1  # one page
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["G"].hidden
        assert ws["A1"].font.name == "游ゴシック"


async def test_refuses_a_year_outside_the_plan_and_an_unknown_ward(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="outside the plan"):
        await collect_sheet(session, 2023, date(2023, 11, 30), None)
    with pytest.raises(ValueError, match="unknown ward code 99999"):
        await collect_sheet(session, FY, AS_OF, "99999")
    with pytest.raises(ValueError, match="starts on"):
        await collect_sheet(session, FY, date(2025, 3, 31), None)


# --- the command line, on a SQLite file ---------------------------------------------------------------------

runner = CliRunner()


def test_cli_writes_the_workbook(database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    workbook = load_workbook(out)
    assert workbook.sheetnames[:3] == SHEET_NAMES
    sheet1 = workbook["基本目標1"]
    assert sheet1["A1"].value == f"{SHEET_TITLE}（令和7年11月末時点）"
    no_data = sheet1.cell(row=row_of(sheet1, "indicator:1-1"), column=YEAR_COLUMNS[2025]).value
    assert no_data == "— ／ 全334地域（名簿提供地域数）"  # no data, in the seed's form
    monkeypatch.chdir(tmp_path)
    ward = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--ward", "27102"])
    assert ward.exit_code == 0, ward.output
    assert ward.output.strip() == "sheet-2025-2025-11-30-27102.xlsx"
    assert load_workbook(tmp_path / "sheet-2025-2025-11-30-27102.xlsx")["基本目標1"]["A1"].value.endswith("都島区")


def test_cli_refuses_an_unknown_ward_and_a_year_outside_the_plan(database: Path) -> None:
    unknown = runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--ward", "99999"])
    assert unknown.exit_code == 2
    assert "unknown ward code 99999" in unknown.output
    assert runner.invoke(app, ["sheet", "--fy", "2030", "--as-of", "2030-11-30"]).exit_code == 2


def test_libreoffice_converts_it_to_pdf(database: Path, tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed: the PDF conversion check needs it")
    xlsx = tmp_path / "sheet.xlsx"
    assert runner.invoke(app, ["sheet", "--fy", "2025", "--as-of", "2025-11-30", "--out", str(xlsx)]).exit_code == 0
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: no clash with a running LibreOffice
    pdf_dir = tmp_path / "pdf"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf_dir),
            str(xlsx),
        ],
        check=True,
        timeout=120,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = pdf_dir / "sheet.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = shutil.which("pdftotext")  # poppler-utils
    if reader is None:
        return
    pages = [
        subprocess.run(
            [reader, "-f", str(n), "-l", str(n), str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.replace(" ", "")
        for n in range(1, 5)
    ]
    # Each goal sheet on one page: its title and its last section together; the fourth page is the 数値 tab.
    assert all("【中核的な取組】" in page and "課題と今後の" in page for page in pages[:3])
    assert "【中核的な取組】" not in pages[3]
