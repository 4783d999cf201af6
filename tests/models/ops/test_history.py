"""The history import: all rows or none, every problem by line, idempotent, UTF-8 or cp932; on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.entries.draft import EventDraft
from models.entries.write import record_event, void_event
from models.locks import reopen_month
from models.ops.history import EventImportError, decode, frozen_months, idempotency_keys, import_events
from models.tables import AuditEntry, Event, TotalsSnapshot
from models.totals import indicator_totals

TODAY = date(2025, 11, 27)
HEADER = "kind,date,ward_code,area_code,household_ref,count,answer\n"
GOOD = (
    HEADER
    + "outreach,2024-06-03,27102,,,3,\n"
    + "area_meeting,2024/7/1,27102,27102-01,,,\n"
    + "roster_provision,2024-08-01,27103,27103-02,,12,\n"
    + "participation_link,2024-09-09,27103,,27103-H0001,,\n"
    + "agency_survey,2025-01-15,27102,,,,yes\n"
    + "agency_survey,2025-01-16,27102,,,,0\n"
)


async def event_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_a_good_file_is_imported_as_events_without_staff(session: AsyncSession) -> None:
    result = await import_events(session, GOOD, today=TODAY)
    assert (result.added, result.skipped) == (6, 0)
    assert result.months == ["2024-06", "2024-07", "2024-08", "2024-09", "2025-01"]
    events = (await session.scalars(select(Event).order_by(col(Event.occurred_on)))).all()
    assert {(e.source, e.logged_by_staff_id, e.voided_at) for e in events} == {("import", None, None)}
    assert [(e.kind, e.count, e.answer) for e in events] == [
        ("outreach", 3, None),
        ("area_meeting", 1, None),
        ("roster_provision", 12, None),
        ("participation_link", 1, None),
        ("agency_survey", 1, True),
        ("agency_survey", 1, False),
    ]
    assert all(e.idempotency_key.startswith("import:") for e in events)
    totals = await indicator_totals(session, 2024, date(2025, 3, 31))
    figures = {code: (v.value, v.denominator) for code, v in totals.indicators.items()}
    assert figures["1-5"] == (3, None) and figures["1-1"] == (1, 334) and figures["1-3"] == (12, None)
    assert figures["3-1"] == (1, None) and figures["2-Q"] == (1, 2)
    (audit,) = (await session.scalars(select(AuditEntry))).all()  # one entry, counts only
    assert (audit.action, audit.entity, audit.actor) == ("import", "event", "cli")
    assert audit.detail == {"source": "import", "rows": 6, "added": 6, "skipped": 0}


BAD_ROWS = [
    ("walking,2024-06-03,27102,,,,", "種別（kind）「walking」が登録されていません"),
    ("outreach,2024-13-01,27102,,,,", "日付（date）「2024-13-01」を読めません"),
    ("outreach,3 June,27102,,,,", "日付（date）「3 June」を読めません"),
    ("outreach,2025-12-01,27102,,,,", "未来の日付です"),
    ("outreach,2024-06-03,99999,,,,", "区コード（ward_code）「99999」がありません"),
    ("area_meeting,2024-06-03,27102,99999-01,,,", "地域コード（area_code）「99999-01」がありません"),
    ("area_meeting,2024-06-03,27102,27103-01,,,", "地域コード（area_code）「27103-01」は区 27102 の地域ではありません"),
    ("area_meeting,2024-06-03,27102,,,,", "この種別には地域コード（area_code）が必要です"),
    ("outreach,2024-06-03,27102,27102-01,,,", "この種別には地域コード（area_code）を書けません"),
    ("participation_link,2024-06-03,27102,,,,", "この種別には世帯参照コード（household_ref）が必要です"),
    ("participation_link,2024-06-03,27102,,山田家,,", "世帯参照コード（household_ref）の形式が正しくありません"),
    ("sv_dispatch,2024-06-03,27102,,H1,,", "この種別には世帯参照コード（household_ref）を書けません"),
    ("outreach,2024-06-03,27102,,,many,", "件数（count）「many」は整数ではありません"),
    ("outreach,2024-06-03,27102,,,1000,", "件数（count）は1〜999です"),
    ("outreach,2024-06-03,27102,,,0,", "件数（count）は1〜999です"),
    ("area_meeting,2024-06-03,27102,27102-01,,2,", "この種別の件数（count）は1だけです"),
    ("agency_survey,2024-06-03,27102,,,,", "アンケート回答（answer）が必要です"),
    ("agency_survey,2024-06-03,27102,,,,maybe", "アンケート回答（answer）「maybe」は yes/no/1/0 のいずれかです"),
    ("outreach,2024-06-03,27102,,,,yes", "この種別にはアンケート回答（answer）を書けません"),
    ("outreach,2024-06-03,27102,,,,,surplus", "列が多すぎます"),
]


async def test_every_bad_row_is_reported_by_line_and_nothing_is_saved(session: AsyncSession) -> None:
    text = GOOD + "".join(f"{row}\n" for row, _message in BAD_ROWS)
    with pytest.raises(EventImportError) as raised:
        await import_events(session, text, today=TODAY)
    problems = raised.value.problems
    for line, (_row, message) in enumerate(BAD_ROWS, start=8):  # header = line 1, six good rows
        assert any(p.startswith(f"{line}行目: ") and message in p for p in problems), (line, message, problems)
    assert not any(p.startswith(tuple(f"{line}行目" for line in range(2, 8))) for p in problems)
    assert "山田家" not in "\n".join(problems)  # household references are not echoed
    await session.flush()
    assert await event_count(session) == 0
    assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_the_note_column_goes_through_the_privacy_guard(session: AsyncSession) -> None:
    noted = "kind,date,ward_code,note\n"
    refused = noted + "outreach,2024-06-03,27102,定例訪問\noutreach,2024-06-04,27102,中村宅 ０６（６１２３）４５６７\n"
    with pytest.raises(EventImportError) as raised:
        await import_events(session, refused, today=TODAY)
    assert raised.value.problems == [
        "3行目: メモ（note）に個人が分かる情報（氏名・電話番号）が含まれています。その部分を除いてください"
    ]
    assert "中村" not in str(raised.value)  # the note is not echoed
    assert await event_count(session) == 0
    result = await import_events(session, noted + "outreach,2024-06-03,27102,社協の担当者さんと同行\n", today=TODAY)
    assert result.added == 1
    assert await session.scalar(select(col(Event.note))) == "社協の担当者さんと同行"


async def test_one_row_may_have_several_problems(session: AsyncSession) -> None:
    with pytest.raises(EventImportError) as raised:
        await import_events(session, HEADER + "\nagency_survey,2024-02-30,99999,X-1,,5,\n", today=TODAY)
    assert [problem.split("（")[0] for problem in raised.value.problems] == [
        "3行目: 日付",  # the blank line 2 is skipped, but counted
        "3行目: 区コード",
        "3行目: 地域コード",
        "3行目: この種別には地域コード",
        "3行目: この種別の件数",
        "3行目: アンケート回答",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "必須の列がありません: kind, date, ward_code"),
        ("kind,date\noutreach,2024-06-03\n", "必須の列がありません: ward_code"),
        ("kind,date,ward_code,memo\n", "不明な列があります: memo"),
        (HEADER, "データ行がありません"),
        (HEADER + ",,,,,,\n", "データ行がありません"),
    ],
)
async def test_a_wrong_file_is_refused_as_a_whole(session: AsyncSession, text: str, message: str) -> None:
    with pytest.raises(EventImportError, match=message):
        await import_events(session, text, today=TODAY)


async def test_importing_again_adds_nothing(session: AsyncSession) -> None:
    await import_events(session, GOOD, today=TODAY)
    again = await import_events(session, GOOD.encode(), today=TODAY)
    assert (again.added, again.skipped) == (0, 6)
    # The same rows written differently (slashes, padding, full-width digits, other column order) are the same rows.
    reordered = (
        "ward_code,kind,date,count,area_code,household_ref,answer\n"
        "27102,outreach,2024/6/3,３,,,\n"
        "27102,area_meeting,2024-07-01,1,27102-01,,\n"
        "27102,outreach,2024-06-04,1,,,\n"
    )
    more = await import_events(session, reordered, today=TODAY)
    assert (more.added, more.skipped) == (1, 2)
    assert await event_count(session) == 7
    audits = (await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert [(a.detail["added"], a.detail["skipped"]) for a in audits] == [(6, 0), (0, 6), (1, 2)]


async def test_identical_rows_are_separate_events(session: AsyncSession) -> None:
    twice = HEADER + "outreach,2024-06-03,27102,,,1,\n" * 2
    assert (await import_events(session, twice, today=TODAY)).added == 2
    assert (await import_events(session, twice, today=TODAY)).added == 0
    thrice = HEADER + "outreach,2024-06-03,27102,,,1,\n" * 3
    result = await import_events(session, thrice, today=TODAY)
    assert (result.added, result.skipped) == (1, 2)
    assert (await indicator_totals(session, 2024, date(2025, 3, 31))).indicators["1-5"].value == 3


def test_keys_number_identical_rows() -> None:
    first, second, other = idempotency_keys(["a", "a", "b"])
    assert len({first, second, other}) == 3
    assert idempotency_keys(["b", "a"]) == [other, first]
    assert all(len(k) <= 100 for k in (first, second, other))  # Event.idempotency_key is 100 characters


async def test_a_voided_imported_event_stays_voided(session: AsyncSession) -> None:
    await import_events(session, GOOD, today=TODAY)
    outreach = await session.scalar(select(Event).where(col(Event.kind) == "outreach"))
    assert outreach is not None and outreach.id is not None
    await void_event(
        session, outreach.id, by_staff_id=None, reason="重複して取り込んだため", actor="cli", today=outreach.occurred_on
    )
    again = await import_events(session, GOOD, today=TODAY)
    assert (again.added, again.skipped) == (0, 6)
    assert (await indicator_totals(session, 2024, date(2025, 3, 31))).indicators["1-5"].value == 0


async def test_a_cp932_file_from_excel(session: AsyncSession) -> None:
    text = HEADER + (
        "agency_survey,2024/6/3,27102,,,,はい\r\n"
        "agency_survey,2024/6/4,27102,,,,いいえ\r\n"
        "outreach,２０２４/６/５,２７１０２,,,２,\r\n"
    )
    data = text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode(data) == text
    result = await import_events(session, data, today=TODAY)
    assert result.added == 3
    totals = await indicator_totals(session, 2024, date(2024, 6, 30))
    assert (totals.indicators["2-Q"].value, totals.indicators["2-Q"].denominator) == (1, 2)
    assert totals.indicators["1-5"].value == 2


async def test_a_utf8_file_with_bom(session: AsyncSession) -> None:
    result = await import_events(session, ("\ufeff" + GOOD).encode(), today=TODAY)
    assert result.added == 6


def test_undecodable_bytes_are_refused() -> None:
    with pytest.raises(EventImportError, match="文字コード"):
        decode(b"\x82\xa0\xff\xfe\x81")


async def test_frozen_months_are_those_with_a_month_end_snapshot(session: AsyncSession) -> None:
    session.add(TotalsSnapshot(fiscal_year=2024, as_of=date(2024, 6, 30), scope="city", data={}))
    await session.flush()
    assert await frozen_months(session, ["2024-05", "2024-06"]) == ["2024-06"]
    assert await frozen_months(session, []) == []


async def test_a_locked_month_the_bot_reported_is_refused_until_reopened(session: AsyncSession) -> None:
    """October 2025 locked on 11/8 with the bot's entries in 27102: history may not change it behind the lock."""
    await record_event(
        session,
        EventDraft(kind="outreach", occurred_on=date(2025, 10, 6), ward_code="27102"),
        idempotency_key="bot-1",
        today=date(2025, 10, 6),
    )
    late = HEADER + "outreach,2025-10-20,27102,,,2,\n" + "outreach,2025-10-20,27103,,,2,\n"
    with pytest.raises(EventImportError) as refused:
        await import_events(session, late, today=TODAY)
    assert refused.value.problems == [  # 27103 has no entries of the bot in October: its history is welcome
        "2行目: 区 27102 の 2025-10 はボットの記録で締め切られた月です"
        "（/reopen でその月を再開してから取り込んでください）"
    ]
    assert await event_count(session) == 1
    await reopen_month(session, "27102", 2025, 10, reason="過去分の取り込み", by_staff_id=None, today=TODAY)
    assert (await import_events(session, late, today=TODAY)).added == 2
