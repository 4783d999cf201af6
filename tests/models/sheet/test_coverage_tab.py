"""The workbook's 「地域別」 read back: every roster-provided active area of the scope with the month it first counted
for 1-1 and 1-2, in the city's ward order then area codes; a ward's workbook (written streaming) its own areas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, update

from models.sheet.coverage_tab import COVERAGE_COLUMNS
from models.sheet.data import collect_sheet
from models.sheet.workbook import build_workbook, write_sheet
from models.tables import Area
from models.totals import indicator_totals
from tests.builders import add_event

AS_OF = date(2025, 11, 30)
GENERATED = datetime(2025, 12, 1, tzinfo=UTC)


async def _reached(session: AsyncSession) -> None:
    await add_event(session, "area_meeting", date(2025, 6, 3), area="27102-01")
    await add_event(session, "area_meeting", date(2025, 9, 3), area="27102-01")
    await add_event(session, "concern_report", date(2025, 5, 10), area="27102-01")
    await add_event(session, "concern_report", date(2025, 8, 1), "27127", area="27127-03")
    await add_event(session, "concern_report", date(2025, 12, 1), area="27102-02")  # after the as-of date
    await session.execute(update(Area).where(col(Area.code) == "27102-13").values(active=False))  # retired


def _rows(raw: bytes) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in load_workbook(BytesIO(raw), read_only=True)["地域別"].iter_rows(values_only=True)]


async def test_the_city_workbook_lists_every_area_with_its_first_months(session: AsyncSession) -> None:
    await _reached(session)

    rows = _rows(build_workbook(await collect_sheet(session, 2025, AS_OF, None, generated_at=GENERATED)))

    assert rows[0] == COVERAGE_COLUMNS
    assert rows[0][4:] == (
        "1-1 ①見守り情報共有をしている地域数 初めて数えた月",
        "1-2 ②気になる方の情報が寄せられた地域数 初めて数えた月",
    )
    assert len(rows) == 1 + 333
    assert rows[1] == ("27127", "北区", "27127-01", "北区第1地域", "未", "未")
    assert rows[3] == ("27127", "北区", "27127-03", "北区第3地域", "未", "2025-08")
    tsushima = [row for row in rows if row[0] == "27102"]
    assert tsushima[0] == ("27102", "都島区", "27102-01", "都島区第1地域", "2025-06", "2025-05")
    assert tsushima[1][4:] == ("未", "未")
    assert [row[2] for row in tsushima][-1] == "27102-12"
    assert rows[-1][1] == "西成区"
    totals = await indicator_totals(session, 2025, AS_OF)
    for n, code in enumerate(("1-1", "1-2"), start=4):
        assert sum(row[n] != "未" for row in rows[1:]) == totals.indicators[code].value


async def test_a_ward_workbook_written_streaming_lists_its_areas_with_the_threshold(session: AsyncSession) -> None:
    await _reached(session)
    target = BytesIO()

    await write_sheet(session, target, 2025, AS_OF, "27102", regular_meeting_threshold=2, generated_at=GENERATED)

    rows = _rows(target.getvalue())
    assert [row[2] for row in rows[1:]] == [f"27102-{n:02d}" for n in range(1, 13)]
    assert rows[1][4:] == ("2025-09", "2025-05")  # 1-1 from its second meeting
