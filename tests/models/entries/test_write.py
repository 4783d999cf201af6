"""Recording, idempotency, validation, voiding and correcting events, with the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.entries.draft import EventDraft, EventRejectedError, Problem, draft_problems
from models.entries.write import correct_event, record_event, void_event
from models.locks import reopen_month
from models.privacy import PersonalData
from models.tables import AuditEntry, Event
from tests.builders import add_event, area_id

TODAY = date(2025, 11, 27)


def draft(**changes: object) -> EventDraft:
    return EventDraft(kind="outreach", occurred_on=date(2025, 11, 20), ward_code="27102").model_copy(update=changes)


async def event_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_the_same_idempotency_key_saves_once(session: AsyncSession) -> None:
    first, created = await record_event(session, draft(), idempotency_key="u1-d1", today=TODAY)
    again, created_again = await record_event(session, draft(count=5), idempotency_key="u1-d1", today=TODAY)
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert again.count == 1
    assert await event_count(session) == 1


async def test_a_repeat_after_the_month_locked_still_finds_the_first_save(session: AsyncSession) -> None:
    first, _created = await record_event(session, draft(), idempotency_key="u1-d2", today=TODAY)
    again, created = await record_event(session, draft(), idempotency_key="u1-d2", today=NOVEMBER_LOCKED)
    assert (again.id, created) == (first.id, False)
    with pytest.raises(EventRejectedError) as rejected:
        await record_event(session, draft(), idempotency_key="u1-d3", today=NOVEMBER_LOCKED)
    assert rejected.value.problems == [Problem.MONTH_LOCKED]
    audited = await session.scalars(select(AuditEntry).where(col(AuditEntry.action) == "record"))
    assert [(entry.entity_id, entry.detail) for entry in audited] == [(str(first.id), {"kind": "outreach"})]


async def test_a_saved_event_is_in_the_session_as_stored(session: AsyncSession) -> None:
    event, _created = await record_event(session, draft(note="  電話で相談  "), idempotency_key="u1-d4", today=TODAY)
    assert await session.get(Event, event.id) is event
    columns = select(col(Event.note), col(Event.count), col(Event.logged_at)).where(col(Event.id) == event.id)
    assert tuple((await session.execute(columns)).one()) == ("電話で相談", 1, event.logged_at)
    event.count = 2  # still tracked: a change is written back
    await session.flush()
    assert await session.scalar(select(col(Event.count)).where(col(Event.id) == event.id)) == 2


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"kind": "picnic"}, Problem.UNKNOWN_KIND),
        ({"kind": "area_meeting"}, Problem.AREA_REQUIRED),
        ({"area_id": 1}, Problem.AREA_NOT_ALLOWED),
        ({"kind": "participation_link"}, Problem.HOUSEHOLD_REQUIRED),
        ({"kind": "sv_dispatch", "household_ref": "H1"}, Problem.HOUSEHOLD_NOT_ALLOWED),
        ({"household_ref": "山田"}, Problem.HOUSEHOLD_INVALID),
        ({"count": 0}, Problem.COUNT_OUT_OF_RANGE),
        ({"count": 1000}, Problem.COUNT_OUT_OF_RANGE),
        ({"kind": "participation_link", "household_ref": "H1", "count": 2}, Problem.COUNT_NOT_ALLOWED),
        ({"kind": "agency_survey"}, Problem.ANSWER_REQUIRED),
        ({"answer": True}, Problem.ANSWER_NOT_ALLOWED),
        ({"note": "あ" * 201}, Problem.NOTE_TOO_LONG),
        ({"note": "山田様宅を訪問"}, Problem.NOTE_PERSONAL_DATA),
        ({"note": "連絡先 090-1234-5678"}, Problem.NOTE_PERSONAL_DATA),
        ({"occurred_on": date(2025, 11, 28)}, Problem.FUTURE_DATE),
    ],
)
def test_draft_problems(changes: dict[str, object], problem: Problem) -> None:
    assert problem in draft_problems(draft(**changes), TODAY)


def test_a_clean_draft_has_no_problems() -> None:
    assert draft_problems(draft(note="定例訪問。変化なし", count=3), TODAY) == []


async def test_rejected_drafts_save_nothing(session: AsyncSession) -> None:
    with pytest.raises(EventRejectedError) as raised:
        await record_event(session, draft(note="田中に電話 06 6123 4567"), idempotency_key="k", today=TODAY)
    assert raised.value.problems == [Problem.NOTE_PERSONAL_DATA]
    assert raised.value.personal_data == [PersonalData.NAME, PersonalData.PHONE]  # what the worker must remove
    assert await event_count(session) == 0


NOVEMBER_LOCKED = date(2025, 12, 6)  # lock_date(2025, 11)


async def test_a_locked_month_takes_no_new_entry(session: AsyncSession) -> None:
    with pytest.raises(EventRejectedError) as raised:
        await record_event(session, draft(), idempotency_key="late", today=NOVEMBER_LOCKED)
    assert raised.value.problems == [Problem.MONTH_LOCKED]
    await record_event(session, draft(), idempotency_key="in-time", today=NOVEMBER_LOCKED - timedelta(days=1))
    assert await event_count(session) == 1


async def test_a_locked_month_refuses_void_and_correction_until_reopened(session: AsyncSession) -> None:
    event = await add_event(session, "outreach", date(2025, 11, 20))
    assert event.id is not None
    with pytest.raises(EventRejectedError, match="month_locked"):
        await void_event(session, event.id, by_staff_id=None, reason="二重登録", today=NOVEMBER_LOCKED)
    with pytest.raises(EventRejectedError, match="month_locked"):
        await correct_event(
            session,
            event.id,
            EventDraft.of(event).model_copy(update={"count": 2}),
            by_staff_id=None,
            reason="件数誤り",
            idempotency_key="fix",
            today=NOVEMBER_LOCKED,
        )
    assert event.voided_at is None and await event_count(session) == 1
    await reopen_month(session, "27102", 2025, 11, reason="修正のため", by_staff_id=None, today=NOVEMBER_LOCKED)
    fixed = await correct_event(
        session,
        event.id,
        EventDraft.of(event).model_copy(update={"count": 2}),
        by_staff_id=None,
        reason="件数誤り",
        idempotency_key="fix",
        today=NOVEMBER_LOCKED,
    )
    assert (fixed.count, event.replaced_by_event_id) == (2, fixed.id)
    with pytest.raises(EventRejectedError, match="month_locked"):  # another ward's November stays closed
        await record_event(session, draft(ward_code="27103"), idempotency_key="other", today=NOVEMBER_LOCKED)


async def test_an_area_of_another_ward_is_refused(session: AsyncSession) -> None:
    fukushima_area = await area_id(session, "27103-01")
    with pytest.raises(EventRejectedError, match="area_not_in_ward"):
        await record_event(
            session, draft(kind="area_meeting", area_id=fukushima_area), idempotency_key="k", today=TODAY
        )


async def test_void_keeps_the_row_and_writes_the_audit_log(session: AsyncSession) -> None:
    event = await add_event(session, "outreach", date(2025, 6, 1))
    assert event.id is not None
    await void_event(session, event.id, by_staff_id=None, reason="二重登録", today=event.occurred_on)
    stored = await session.get(Event, event.id)
    assert stored is not None
    assert stored.voided_at is not None
    assert stored.void_reason == "二重登録"
    actions = (await session.scalars(select(AuditEntry.action).order_by(col(AuditEntry.id)))).all()
    assert list(actions) == ["record", "void"]
    with pytest.raises(EventRejectedError, match="already_voided"):
        await void_event(session, event.id, by_staff_id=None, reason="もう一度", today=event.occurred_on)


async def test_void_reason_is_checked_for_personal_data(session: AsyncSession) -> None:
    event = await add_event(session, "outreach", date(2025, 6, 1))
    assert event.id is not None
    with pytest.raises(EventRejectedError, match="note_personal_data") as raised:
        await void_event(session, event.id, by_staff_id=None, reason="鈴木様の件は誤り", today=event.occurred_on)
    assert raised.value.personal_data == [PersonalData.NAME]


async def test_correction_replaces_the_old_event(session: AsyncSession) -> None:
    old = await add_event(session, "outreach", date(2025, 6, 1))
    assert old.id is not None
    new = await correct_event(
        session,
        old.id,
        EventDraft.of(old).model_copy(update={"count": 4}),
        by_staff_id=None,
        reason="件数誤り",
        idempotency_key="corr-1",
        today=old.occurred_on,
    )
    stored_old = await session.get(Event, old.id)
    assert stored_old is not None
    assert stored_old.voided_at is not None
    assert stored_old.replaced_by_event_id == new.id
    assert new.corrects_event_id == old.id
    assert new.count == 4
    assert new.source == "correction"
    assert await event_count(session) == 2
    audit = (await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert [(a.action, a.entity_id) for a in audit] == [
        ("record", str(old.id)),
        ("record", str(new.id)),
        ("correct", str(old.id)),
    ]
    assert audit[-1].detail == {"replaced_by": new.id, "reason": "件数誤り"}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"kind": "participation_link", "household_ref": "27102-K7M2QX", "note": "定例会にて共有"},
        {"kind": "agency_survey", "answer": False},
        {"kind": "roster_provision", "area_id": 12, "count": 25},
    ],
)
def test_a_draft_keeps_every_field_through_its_json_form(changes: dict[str, object]) -> None:
    original = draft(**changes)
    assert EventDraft.from_json(original.to_json()) == original
    assert None not in original.to_json().values()  # unset fields are left out, as the conversation keeps them


def test_an_incomplete_json_draft_is_not_an_event_draft() -> None:
    with pytest.raises(KeyError):
        EventDraft.from_json({"kind": "outreach", "ward": "27102"})
