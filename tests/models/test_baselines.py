"""History and baselines against a hand-computed sheet, on SQLite and PostgreSQL.

The dataset mixes imported events (FY2024, through `import_events`), events logged as by the bot (FY2025) and
baselines for a sum indicator (1-5), 2-Q and the distinct indicators 1-1 and 3-1, in two wards. Every expected
number below is worked out by hand from the rules in `models.totals` (see the comments).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.baselines import BaselineError, BaselineKey, clear_baseline, list_baselines, parse_month, set_baseline
from models.catalog import INDICATORS_BY_CODE
from models.ops.history import import_events
from models.sheet.data import collect_sheet
from models.sheet.goal_sheets import BASELINE_NOTE, KEY_COLUMN, YEAR_COLUMNS
from models.sheet.workbook import build_workbook
from models.snapshots import totals_from_json
from models.tables import AuditEntry, Baseline, utcnow
from models.totals import IndicatorValue, Totals, indicator_totals, totals_for_every_scope, year_to_date
from tests.builders import add_event
from tests.sheet_reading import row_of

MIYAKOJIMA, FUKUSHIMA = "27102", "27103"  # 13 and 9 sample areas, all roster-provided
TODAY = date(2026, 11, 27)
GENERATED_AT = datetime(2025, 11, 1, tzinfo=UTC)

# FY2024 predates the bot: these events come in through the history import.
HISTORY_CSV = """kind,date,ward_code,area_code,household_ref,count,answer
outreach,2025-01-10,27102,,,3,
outreach,2024-05-20,27103,,,2,
outreach,2024-12-01,27103,,,4,
area_meeting,2024-05-10,27102,27102-01,,,
area_meeting,2024-11-05,27102,27102-02,,,
area_meeting,2024-12-01,27102,27102-01,,,
area_meeting,2024-07-07,27103,27103-01,,,
agency_survey,2025-03-01,27102,,,,no
agency_survey,2025-02-01,27103,,,,yes
participation_link,2024-08-01,27103,,H1,,
participation_link,2025-03-15,27103,,H2,,
participation_link,2024-10-01,27102,,H1,,
"""

# (indicator, ward, month, value, denominator)
BASELINES: list[tuple[str, str, str, int, int | None]] = [
    ("1-5", MIYAKOJIMA, "2024-06", 100, None),
    ("1-5", MIYAKOJIMA, "2024-09", 50, None),
    ("1-1", MIYAKOJIMA, "2024-09", 5, None),
    ("2-Q", MIYAKOJIMA, "2024-12", 8, 10),
    ("3-1", FUKUSHIMA, "2025-03", 20, None),
    ("1-5", MIYAKOJIMA, "2025-04", 25, None),  # replaced by 30 below
    ("1-5", MIYAKOJIMA, "2025-04", 30, None),
    ("1-5", FUKUSHIMA, "2025-05", 7, None),
    ("1-1", FUKUSHIMA, "2025-06", 4, None),
    ("3-1", MIYAKOJIMA, "2025-05", 12, None),
    ("2-Q", FUKUSHIMA, "2025-04", 3, 4),
]


def key(code: str, ward: str, month: str) -> BaselineKey:
    return BaselineKey(code, ward, *parse_month(month))


async def put(session: AsyncSession, code: str, ward: str, month: str, value: int, denominator: int | None) -> Baseline:
    return await set_baseline(
        session,
        key(code, ward, month),
        value=value,
        denominator=denominator,
        reason="集計開始前の区の報告値",
        entered_by="山本（市福祉局）",
        today=TODAY,
    )


@pytest.fixture
async def dataset(session: AsyncSession) -> AsyncSession:
    result = await import_events(session, HISTORY_CSV.encode(), today=TODAY)
    assert (result.added, result.skipped) == (12, 0)
    e = add_event  # FY2025: logged in the bot
    await e(session, "outreach", date(2025, 5, 1), count=2)
    await e(session, "outreach", date(2025, 10, 15))
    await e(session, "area_meeting", date(2025, 4, 10), FUKUSHIMA, area="27103-01")
    await e(session, "area_meeting", date(2025, 6, 20), FUKUSHIMA, area="27103-02")
    await e(session, "area_meeting", date(2025, 8, 1), FUKUSHIMA, area="27103-03")
    await e(session, "area_meeting", date(2025, 9, 1), FUKUSHIMA, area="27103-02")
    await e(session, "area_meeting", date(2025, 7, 1), area="27102-03")
    await e(session, "participation_link", date(2025, 4, 5), household="H1")
    await e(session, "participation_link", date(2025, 7, 7), household="H9")
    await e(session, "participation_link", date(2025, 8, 8), household="H1")
    await e(session, "participation_link", date(2025, 9, 9), FUKUSHIMA, household="H5")
    await e(session, "agency_survey", date(2025, 6, 1), answer=True)
    await e(session, "outreach", date(2025, 6, 6), count=9, voided=True)  # never counts
    for code, ward, month, value, denominator in BASELINES:
        await put(session, code, ward, month, value, denominator)
    return session


def values(totals: Totals, code: str) -> list[int]:
    return [figure.value for figure in totals.by_month[code]]


def flags(totals: Totals, code: str) -> list[bool]:
    return [figure.from_baseline for figure in totals.by_month[code]]


async def test_fy2024_sum_indicator_adds_baselines_to_events(dataset: AsyncSession) -> None:
    city = await indicator_totals(dataset, 2024, date(2025, 3, 31))
    # Miyakojima: baselines Jun +100, Sep +50, imported Jan +3. Fukushima (events only): May +2, Dec +4.
    assert values(city, "1-5") == [0, 2, 102, 102, 102, 152, 152, 152, 156, 159, 159, 159]
    assert flags(city, "1-5") == [False, False] + [True] * 10
    assert city.indicators["1-5"] == IndicatorValue(159, None, True)
    assert city.by_ward[MIYAKOJIMA]["1-5"] == IndicatorValue(153, None, True)
    assert city.by_ward[FUKUSHIMA]["1-5"] == IndicatorValue(6, None, False)
    assert city.indicators["1-6"] == IndicatorValue(0, None, False)


async def test_fy2024_distinct_areas_baseline_replaces_then_events_add(dataset: AsyncSession) -> None:
    city = await indicator_totals(dataset, 2024, date(2025, 3, 31))
    # Miyakojima: 27102-01 first met in May (1); the Sep baseline says 5; 27102-02 first met in Nov (+1 = 6);
    # 27102-01 again in Dec adds nothing (it first qualified before the baseline). Fukushima: 27103-01 in Jul.
    assert values(city, "1-1") == [0, 1, 1, 2, 2, 6, 6, 7, 7, 7, 7, 7]
    assert flags(city, "1-1") == [False] * 5 + [True] * 7
    assert city.indicators["1-1"] == IndicatorValue(7, 334, True)
    assert city.by_ward[MIYAKOJIMA]["1-1"] == IndicatorValue(6, 13, True)
    assert city.by_ward[FUKUSHIMA]["1-1"] == IndicatorValue(1, 9, False)
    miyakojima = await indicator_totals(dataset, 2024, date(2025, 3, 31), MIYAKOJIMA)
    assert values(miyakojima, "1-1") == [0, 1, 1, 1, 1, 5, 5, 6, 6, 6, 6, 6]


async def test_fy2024_survey_and_households(dataset: AsyncSession) -> None:
    city = await indicator_totals(dataset, 2024, date(2025, 3, 31))
    # 2-Q: Miyakojima's Dec baseline 8 of 10, then imported answers: Fukushima yes (Feb), Miyakojima no (Mar).
    assert [(f.value, f.denominator) for f in city.by_month["2-Q"]][7:] == [(0, 0), (8, 10), (8, 10), (9, 11), (9, 12)]
    assert city.indicators["2-Q"] == IndicatorValue(9, 12, True)
    assert city.indicators["2-Q"].percent == 75.0
    assert city.by_ward[FUKUSHIMA]["2-Q"] == IndicatorValue(1, 1, False)
    # 3-1: Fukushima H1 (Aug), then its Mar baseline of 20 replaces the events (H2 of Mar included);
    # Miyakojima H1 (Oct).
    assert values(city, "3-1") == [0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 21]
    assert flags(city, "3-1") == [False] * 11 + [True]
    assert city.by_ward[MIYAKOJIMA]["3-1"] == IndicatorValue(1, None, False)


async def test_fy2024_as_of_earlier_month_ends(dataset: AsyncSession) -> None:
    june = await indicator_totals(dataset, 2024, date(2024, 6, 30))
    assert (june.indicators["1-5"].value, june.indicators["1-1"].value) == (102, 1)
    assert june.indicators["1-5"].from_baseline and not june.indicators["1-1"].from_baseline
    november = await indicator_totals(dataset, 2024, date(2024, 11, 30), MIYAKOJIMA)
    assert november.indicators["1-1"] == IndicatorValue(6, 13, True)
    assert november.indicators["2-Q"] == IndicatorValue(0, 0, False)
    assert november.indicators["1-5"] == IndicatorValue(150, None, True)


async def test_fy2025_mixed_bot_events_and_baselines(dataset: AsyncSession) -> None:
    city = await indicator_totals(dataset, 2025, date(2025, 10, 31))
    # 1-5: Miyakojima Apr baseline 30 (set twice: the second replaced the first), May +2, Oct +1 (a voided 9 in
    # Jun never counts); Fukushima's May baseline 7.
    assert values(city, "1-5") == [30, 39, 39, 39, 39, 39, 40]
    # 1-1: Fukushima 27103-01 (Apr) = 1; Jun baseline 4 (replaces 27103-02 of Jun too); 27103-03 in Aug +1;
    # 27103-02 again in Sep adds nothing. Miyakojima 27102-03 in Jul.
    assert values(city, "1-1") == [1, 1, 4, 5, 6, 6, 6]
    assert flags(city, "1-1") == [False, False, True, True, True, True, True]
    # 3-1: Miyakojima H1 (Apr) = 1, May baseline 12, H9 in Jul +1, H1 in Aug nothing; Fukushima H5 in Sep.
    assert values(city, "3-1") == [1, 12, 12, 13, 13, 14, 14]
    # 2-Q: Fukushima's Apr baseline 3 of 4, Miyakojima's yes in Jun.
    assert [(f.value, f.denominator) for f in city.by_month["2-Q"]] == [
        (3, 4),
        (3, 4),
        (4, 5),
        (4, 5),
        (4, 5),
        (4, 5),
        (4, 5),
    ]
    assert city.indicators["2-Q"].percent == 80.0
    fukushima = await indicator_totals(dataset, 2025, date(2025, 10, 31), FUKUSHIMA)
    assert fukushima.indicators["1-1"] == IndicatorValue(5, 9, True)
    assert fukushima.indicators["1-5"] == IndicatorValue(7, None, True)
    assert fukushima.indicators["3-1"] == IndicatorValue(1, None, False)


async def test_a_baseline_counts_from_inside_its_month(dataset: AsyncSession) -> None:
    mid_june = await indicator_totals(dataset, 2025, date(2025, 6, 15))
    assert mid_june.indicators["1-1"] == IndicatorValue(4, 334, True)  # Fukushima's June baseline already
    assert mid_june.indicators["1-5"].value == 39


async def test_json_marks_only_figures_with_a_baseline(dataset: AsyncSession) -> None:
    totals = await indicator_totals(dataset, 2025, date(2025, 10, 31))
    data = totals.as_json()
    assert data["indicators"]["1-5"] == {"value": 40, "denominator": None, "percent": None, "baseline": True}
    assert data["indicators"]["1-6"] == {"value": 0, "denominator": None, "percent": None}
    assert ["baseline" in figure for figure in data["by_month"]["1-1"]] == [False, False, True, True, True, True, True]
    assert "baseline" not in data["by_ward"][FUKUSHIMA]["3-1"]
    assert totals_from_json(data) == totals


async def test_every_scope_in_one_pass_equals_each_scope_alone(dataset: AsyncSession) -> None:
    every = await totals_for_every_scope(dataset, 2024, date(2025, 3, 31))
    for scope in (None, MIYAKOJIMA, FUKUSHIMA, "27128"):
        assert every[scope].as_json() == (await indicator_totals(dataset, 2024, date(2025, 3, 31), scope)).as_json()


async def test_only_restricts_the_baselines_too(dataset: AsyncSession) -> None:
    only = await indicator_totals(dataset, 2025, date(2025, 10, 31), only=["1-5"])
    assert only.indicators["1-5"] == IndicatorValue(40, None, True)
    assert only.indicators["1-1"] == IndicatorValue(0, 0, False)  # not asked for: zero, its denominator not read


async def test_setting_twice_replaces_and_clearing_removes(dataset: AsyncSession) -> None:
    rows = (await dataset.scalars(select(Baseline).where(col(Baseline.indicator_code) == "1-5"))).all()
    april = [row for row in rows if (row.ward_code, row.year, row.month) == (MIYAKOJIMA, 2025, 4)]
    assert sorted((row.value, row.removed_at is None) for row in april) == [(25, False), (30, True)]
    live = await list_baselines(dataset, fiscal_year=2025)
    assert [(b.year, b.month, b.ward_code, b.indicator_code, b.value) for b in live] == [
        (2025, 4, MIYAKOJIMA, "1-5", 30),
        (2025, 4, FUKUSHIMA, "2-Q", 3),
        (2025, 5, MIYAKOJIMA, "3-1", 12),
        (2025, 5, FUKUSHIMA, "1-5", 7),
        (2025, 6, FUKUSHIMA, "1-1", 4),
    ]
    assert len(await list_baselines(dataset, fiscal_year=2024, ward_code=FUKUSHIMA)) == 1
    cleared = await clear_baseline(
        dataset, key("1-5", FUKUSHIMA, "2025-05"), reason="区から訂正の連絡", cleared_by="山本（市福祉局）"
    )
    assert cleared.removed_at is not None
    after = await indicator_totals(dataset, 2025, date(2025, 10, 31))
    assert after.indicators["1-5"] == IndicatorValue(33, None, True)
    assert after.by_ward[FUKUSHIMA]["1-5"] == IndicatorValue(0, None, False)
    assert len(await list_baselines(dataset, fiscal_year=2025)) == 4
    assert await dataset.scalar(select(func.count()).select_from(Baseline)) == len(BASELINES)  # nothing deleted
    with pytest.raises(BaselineError, match="no baseline"):
        await clear_baseline(dataset, key("1-5", FUKUSHIMA, "2025-05"), reason="再度", cleared_by="山本")


async def test_every_change_is_audited_with_who_and_why(dataset: AsyncSession) -> None:
    await clear_baseline(dataset, key("3-1", FUKUSHIMA, "2025-03"), reason="重複報告", cleared_by="田中")
    entries = (await dataset.scalars(select(AuditEntry).where(col(AuditEntry.entity) == "baseline"))).all()
    assert [entry.action for entry in entries].count("baseline_set") == len(BASELINES)
    replacing = [entry for entry in entries if "replaced" in entry.detail]
    assert len(replacing) == 1
    assert replacing[0].detail | {"replaced": None} == {
        "code": "1-5",
        "ward": MIYAKOJIMA,
        "month": "2025-04",
        "value": 30,
        "denominator": None,
        "reason": "集計開始前の区の報告値",
        "who": "山本（市福祉局）",
        "replaced": None,
    }
    (cleared,) = [entry for entry in entries if entry.action == "baseline_clear"]
    assert cleared.detail == {
        "code": "3-1",
        "ward": FUKUSHIMA,
        "month": "2025-03",
        "value": 20,
        "denominator": None,
        "reason": "重複報告",
        "who": "田中",
    }
    imports = (await dataset.scalars(select(AuditEntry).where(col(AuditEntry.action) == "import"))).all()
    assert [entry.detail for entry in imports] == [{"source": "import", "rows": 12, "added": 12, "skipped": 0}]


async def _insert_directly(session: AsyncSession, *, removed: bool) -> None:
    """Past `set_baseline`: a second row for Miyakojima's 1-5 of 2025-04, which already has a live one."""
    async with session.begin_nested():
        session.add(
            Baseline(
                indicator_code="1-5",
                ward_code=MIYAKOJIMA,
                year=2025,
                month=4,
                value=1,
                reason="直接",
                entered_by="test",
                removed_at=utcnow() if removed else None,
            )
        )
        await session.flush()


async def test_the_database_allows_one_live_baseline_per_key(dataset: AsyncSession) -> None:
    with pytest.raises(IntegrityError):
        await _insert_directly(dataset, removed=False)
    await _insert_directly(dataset, removed=True)  # removed rows for the same key are fine


@pytest.mark.parametrize(
    ("code", "ward", "month", "value", "denominator", "reason", "who", "message"),
    [
        ("9-9", MIYAKOJIMA, "2024-06", 1, None, "理由", "山本", "unknown indicator"),
        ("1-5", "99999", "2024-06", 1, None, "理由", "山本", "unknown ward code 99999"),
        ("1-5", MIYAKOJIMA, "2026-12", 1, None, "理由", "山本", "has not started"),
        ("1-5", MIYAKOJIMA, "2024-06", -1, None, "理由", "山本", "negative"),
        ("1-5", MIYAKOJIMA, "2024-06", 1, 5, "理由", "山本", "only 2-Q"),
        ("2-Q", MIYAKOJIMA, "2024-06", 6, None, "理由", "山本", "needs --denominator"),
        ("2-Q", MIYAKOJIMA, "2024-06", 6, 5, "理由", "山本", "needs --denominator"),
        ("1-1", FUKUSHIMA, "2024-06", 10, None, "理由", "山本", "9 roster-provided areas"),
        ("1-5", MIYAKOJIMA, "2024-06", 1, None, " ", "山本", "reason is required"),
        ("1-5", MIYAKOJIMA, "2024-06", 1, None, "06-6208-0000に電話", "山本", r"personal data \(phone\)"),
        ("1-5", MIYAKOJIMA, "2024-06", 1, None, "理由", "", "--by"),
    ],
)
async def test_a_wrong_baseline_is_refused(
    session: AsyncSession,
    code: str,
    ward: str,
    month: str,
    value: int,
    denominator: int | None,
    reason: str,
    who: str,
    message: str,
) -> None:
    with pytest.raises(BaselineError, match=message):
        await set_baseline(
            session,
            key(code, ward, month),
            value=value,
            denominator=denominator,
            reason=reason,
            entered_by=who,
            today=TODAY,
        )
    assert await session.scalar(select(func.count()).select_from(Baseline)) == 0


@pytest.mark.parametrize("text", ["2024-13", "2024/06", "June", "24-06"])
def test_month_must_be_year_dash_month(text: str) -> None:
    with pytest.raises(BaselineError, match="YYYY-MM"):
        parse_month(text)


async def _sheet_cells(session: AsyncSession, fiscal_year: int, as_of: date, ward: str | None) -> dict[str, object]:
    data = await collect_sheet(session, fiscal_year, as_of, ward, generated_at=GENERATED_AT)
    workbook = load_workbook(BytesIO(build_workbook(data)))
    cells: dict[str, object] = {}
    for name in ("基本目標1", "基本目標2", "参加支援"):
        ws = workbook[name]
        keys = [ws.cell(row=row, column=KEY_COLUMN).value for row in range(1, ws.max_row + 1)]
        cells[f"{name}:footnote"] = (
            ws.cell(row=row_of(ws, "baseline_note"), column=1).value if "baseline_note" in keys else None
        )
        for key_value in keys:
            if isinstance(key_value, str) and key_value.startswith("indicator:"):
                for year, column in YEAR_COLUMNS.items():
                    cells[f"{key_value[10:]}:{year}"] = ws.cell(row=row_of(ws, key_value), column=column).value
    return cells


async def test_the_sheet_reproduces_the_hand_computed_figures_and_marks_baselines(dataset: AsyncSession) -> None:
    cells = await _sheet_cells(dataset, 2025, date(2025, 10, 31), None)
    assert cells["1-5:2024"] == "159件※"
    assert cells["1-5:2025"] == "40件※"
    assert cells["1-1:2024"] == "7 ／ 全334地域（名簿提供地域数）※"
    assert cells["1-1:2025"] == "6 ／ 全334地域（名簿提供地域数）※"
    assert cells["1-2:2025"] == "0 ／ 全334地域（名簿提供地域数）\n（0.0％）"
    assert cells["1-6:2025"] == "0件"
    assert cells["2-Q:2024"] == "75.0％（効果あり9 ／ 回答12）※"
    assert cells["2-Q:2025"] == "80.0％（効果あり4 ／ 回答5）※"
    assert cells["3-1:2024"] == "21世帯※"
    assert cells["3-1:2025"] == "14世帯※"
    assert cells["3-1:2026"] is None
    for sheet in ("基本目標1", "基本目標2", "参加支援"):
        assert cells[f"{sheet}:footnote"] == BASELINE_NOTE


async def test_the_footnote_is_only_on_worksheets_with_a_marked_figure(dataset: AsyncSession) -> None:
    cells = await _sheet_cells(dataset, 2024, date(2025, 3, 31), FUKUSHIMA)
    assert (cells["1-5:2024"], cells["3-1:2024"]) == ("6件", "20世帯※")
    assert cells["1-1:2024"] == "1 ／ 全9地域（名簿提供地域数）"
    assert cells["2-Q:2024"] == "100.0％（効果あり1 ／ 回答1）"
    assert (cells["基本目標1:footnote"], cells["基本目標2:footnote"]) == (None, None)
    assert cells["参加支援:footnote"] == BASELINE_NOTE


async def test_without_baselines_nothing_is_marked(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2025, 4, 2))
    totals = await indicator_totals(session, 2025, date(2025, 10, 31))
    assert not any(figure.from_baseline for series in totals.by_month.values() for figure in series)
    assert "baseline" not in str(totals.as_json())
    assert replace(totals.indicators["1-5"], from_baseline=True).as_json()["baseline"] is True


async def test_year_to_date_counts_the_baselines_like_the_engine(dataset: AsyncSession) -> None:
    for fiscal_year, as_of in (
        (2024, date(2024, 6, 30)),
        (2024, date(2024, 9, 15)),
        (2024, date(2025, 3, 31)),
        (2025, date(2025, 4, 5)),
        (2025, date(2025, 6, 25)),
        (2025, date(2025, 8, 31)),
        (2025, date(2025, 9, 10)),
    ):
        for threshold in (1, 2):
            for ward in (MIYAKOJIMA, FUKUSHIMA):
                engine = await indicator_totals(dataset, fiscal_year, as_of, ward, threshold)
                for code in INDICATORS_BY_CODE:
                    found = await year_to_date(dataset, code, fiscal_year, as_of, ward, threshold)
                    assert found == engine.indicators[code], (code, ward, as_of, threshold)
