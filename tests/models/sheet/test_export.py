"""Exported events: every event of the year, voided ones flagged, coded fields only (never notes or names)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from models.entries.draft import EventDraft
from models.entries.write import correct_event, record_event, void_event
from models.roles import Role
from models.sheet.event_rows import EventRow
from models.sheet.export import (
    EXPORT_COLUMNS,
    ExportFormat,
    default_export_name,
    events_csv,
    events_xlsx,
    export_events,
    render_events,
)
from models.staff import create_invite, redeem_invite
from tests.builders import add_event, area_id

NOTE = "公園の清掃活動で声かけ"
VOID_REASON = "重複して記録したため"
CORRECTION_REASON = "件数を数え直したため"
STAFF_NAME = "見守り太郎"
TELEGRAM_ID = 987654321


async def _dataset(session: AsyncSession) -> dict[str, int]:
    """Events of FY2025 in two wards (one with a note, one voided, one corrected), and one of FY2024."""
    invite = await create_invite(session, Role.WORKER, "27102")
    worker = await redeem_invite(session, invite.code, TELEGRAM_ID, STAFF_NAME, "ja")
    assert worker.id is not None
    draft = EventDraft(
        kind="area_meeting",
        occurred_on=date(2025, 5, 10),
        ward_code="27102",
        area_id=await area_id(session, "27102-01"),
        note=NOTE,
    )
    noted, _ = await record_event(
        session, draft, idempotency_key="noted", today=draft.occurred_on, logged_by_staff_id=worker.id
    )
    survey = await add_event(session, "agency_survey", date(2025, 6, 2), answer=False)
    voided = await add_event(
        session, "outreach", date(2025, 6, 3), count=2, household="27102-H0001", logged_by=worker.id
    )
    assert voided.id is not None
    await void_event(session, voided.id, by_staff_id=worker.id, reason=VOID_REASON, today=voided.occurred_on)
    wrong = await add_event(session, "watch_consultation", date(2025, 7, 1), count=3, logged_by=worker.id)
    assert wrong.id is not None
    fixed = await correct_event(
        session,
        wrong.id,
        EventDraft.of(wrong).model_copy(update={"count": 4}),
        by_staff_id=worker.id,
        reason=CORRECTION_REASON,
        idempotency_key="fixed",
        today=wrong.occurred_on,
    )
    other_ward = await add_event(session, "tsunagaru_meeting", date(2026, 3, 31), "27103")
    await add_event(session, "outreach", date(2025, 3, 31))  # FY2024: not exported
    ids = {
        "noted": noted.id,
        "survey": survey.id,
        "voided": voided.id,
        "wrong": wrong.id,
        "fixed": fixed.id,
        "other_ward": other_ward.id,
    }
    return {name: event_id for name, event_id in ids.items() if event_id is not None}


async def test_every_event_of_the_year_in_date_order(session: AsyncSession) -> None:
    ids = await _dataset(session)
    rows = await export_events(session, 2025)
    assert [row.event_id for row in rows] == [
        ids[name] for name in ("noted", "survey", "voided", "wrong", "fixed", "other_ward")
    ]
    by_no = {row.event_id: row for row in rows}
    meeting = by_no[ids["noted"]]
    assert (meeting.ward_name, meeting.area_code, meeting.kind_label, meeting.indicator_code) == (
        "都島区",
        "27102-01",
        "地域の見守り情報共有の集まり",
        "1-1",
    )
    assert (meeting.voided, meeting.source) == (False, "bot")
    assert by_no[ids["voided"]].voided
    assert by_no[ids["voided"]].household_ref == "27102-H0001"
    assert (by_no[ids["wrong"]].voided, by_no[ids["wrong"]].replaced_by) == (True, ids["fixed"])
    assert (by_no[ids["fixed"]].corrects, by_no[ids["fixed"]].count, by_no[ids["fixed"]].source) == (
        ids["wrong"],
        4,
        "correction",
    )
    assert by_no[ids["survey"]].answer is False


async def test_a_ward_and_an_as_of_date_narrow_the_export(session: AsyncSession) -> None:
    ids = await _dataset(session)
    assert [row.event_id for row in await export_events(session, 2025, "27103")] == [ids["other_ward"]]
    assert [row.event_id for row in await export_events(session, 2025, as_of=date(2025, 6, 2))] == [
        ids["noted"],
        ids["survey"],
    ]
    with pytest.raises(ValueError, match="unknown ward code 99999"):
        await export_events(session, 2025, "99999")
    with pytest.raises(ValueError, match="starts on 2025-04-01"):
        await export_events(session, 2025, as_of=date(2025, 3, 31))


def _no_free_text(text: str) -> None:
    for secret in (NOTE, VOID_REASON, CORRECTION_REASON, STAFF_NAME, str(TELEGRAM_ID), "テストの取消"):
        assert secret not in text


async def test_csv_has_a_bom_the_header_and_flags_voided_rows(session: AsyncSession) -> None:
    ids = await _dataset(session)
    data = events_csv(await export_events(session, 2025))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    _no_free_text(text)
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == EXPORT_COLUMNS
    by_no = {int(row["no"]): row for row in table}
    assert len(by_no) == 6
    meeting = by_no[ids["noted"]]
    assert (meeting["date"], meeting["ward_code"], meeting["kind"], meeting["voided"], meeting["voided_at_jst"]) == (
        "2025-05-10",
        "27102",
        "area_meeting",
        "no",
        "",
    )
    datetime.strptime(meeting["logged_at_jst"], "%Y-%m-%d %H:%M:%S")
    wrong = by_no[ids["wrong"]]
    assert (wrong["voided"], wrong["replaced_by"], wrong["count"]) == ("yes", str(ids["fixed"]), "3")
    assert wrong["voided_at_jst"]
    assert by_no[ids["fixed"]]["corrects"] == str(ids["wrong"])
    assert (by_no[ids["survey"]]["answer"], by_no[ids["noted"]]["answer"]) == ("no", "")


async def test_xlsx_holds_the_same_rows_with_real_dates(session: AsyncSession) -> None:
    ids = await _dataset(session)
    rows = await export_events(session, 2025)
    sheet = load_workbook(io.BytesIO(events_xlsx(rows)))["events"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == EXPORT_COLUMNS
    assert len(values) == 7
    _no_free_text(" ".join(str(cell) for row in values for cell in row if cell is not None))
    by_no = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in values[1:]}
    meeting = by_no[ids["noted"]]
    assert meeting["date"] == datetime(2025, 5, 10)
    assert isinstance(meeting["logged_at_jst"], datetime)
    assert (meeting["voided"], meeting["voided_at_jst"], meeting["answer"]) == ("no", None, None)
    assert (by_no[ids["voided"]]["voided"], by_no[ids["voided"]]["count"]) == ("yes", 2)
    assert by_no[ids["wrong"]]["replaced_by"] == ids["fixed"]
    assert sheet.freeze_panes == "A2"


def test_an_empty_export_has_the_header_only() -> None:
    assert events_csv([]).decode("utf-8-sig") == ",".join(EXPORT_COLUMNS) + "\r\n"
    sheet = load_workbook(io.BytesIO(render_events([], ExportFormat.XLSX)))["events"]
    assert [row for row in sheet.iter_rows(values_only=True)] == [EXPORT_COLUMNS]
    assert default_export_name(2025, None, ExportFormat.CSV) == "events-2025-city.csv"
    assert default_export_name(2025, "27102", ExportFormat.XLSX) == "events-2025-27102.xlsx"


def test_each_column_shows_its_own_field_of_the_row() -> None:
    row = EventRow(
        event_id=7,
        occurred_on=date(2025, 6, 3),
        ward_code="27102",
        ward_name="都島区",
        area_code=None,
        kind="outreach",
        kind_label="アウトリーチ（訪問等）",
        indicator_code="1-4",
        count=2,
        household_ref="27102-H0001",
        answer=None,
        area_roster_provided=None,
        logged_at=datetime(2025, 6, 3, 1, 0, tzinfo=UTC),
        source="bot",
        voided_at=datetime(2025, 6, 4, 2, 30, tzinfo=UTC),
        replaced_by=9,
        corrects=None,
    )
    header, line = csv.reader(io.StringIO(events_csv([row]).decode("utf-8-sig")))
    cells = dict(zip(header, line, strict=True))
    assert cells == {
        "no": "7",
        "date": "2025-06-03",
        "ward_code": "27102",
        "ward_name": "都島区",
        "area_code": "",
        "kind": "outreach",
        "kind_label": "アウトリーチ（訪問等）",
        "indicator_code": "1-4",
        "count": "2",
        "household_ref": "27102-H0001",
        "answer": "",
        "logged_at_jst": "2025-06-03 10:00:00",
        "source": "bot",
        "voided": "yes",
        "voided_at_jst": "2025-06-04 11:30:00",
        "replaced_by": "9",
        "corrects": "",
    }
