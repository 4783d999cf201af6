"""Retention: notes older than NOTE_RETENTION_MONTHS are cleared, every count stays, the purge is audited."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select
from typer.testing import CliRunner

from bot.cli.main import app
from models.config import TOKYO, get_settings
from models.db import make_engine, migrate, session_factory, session_scope
from models.entries.draft import EventDraft
from models.entries.write import record_event, void_event
from models.ops.retention import PURGE_ACTION, count_purgeable_notes, note_cutoff, purge_notes
from models.reference import ensure_wards
from models.tables import AuditEntry, Event
from models.totals import Totals, indicator_totals

TODAY = date(2025, 11, 27)
OLD_NOTE = "古い訪問のメモ"
NEW_NOTE = "最近の訪問のメモ"
_keys = itertools.count()


async def noted(session: AsyncSession, on: date, note: str | None, *, count: int = 1, voided: bool = False) -> Event:
    draft = EventDraft(kind="outreach", occurred_on=on, ward_code="27102", count=count, note=note)
    event, _created = await record_event(session, draft, idempotency_key=f"retention-{next(_keys)}", today=on)
    if voided:
        assert event.id is not None
        await void_event(session, event.id, by_staff_id=None, reason="二重登録", today=on)
    return event


async def notes_by_date(session: AsyncSession) -> list[tuple[date, str | None]]:
    rows = await session.execute(select(col(Event.occurred_on), col(Event.note)).order_by(col(Event.id)))
    return [(on, note) for on, note in rows.all()]


async def count_figures(session: AsyncSession) -> tuple[int, int, Totals, Totals]:
    rows = int(await session.scalar(select(func.count()).select_from(Event)) or 0)
    summed = int(await session.scalar(select(func.sum(col(Event.count)))) or 0)
    return rows, summed, await indicator_totals(session, 2023, None), await indicator_totals(session, 2025, None)


async def purge_audits(session: AsyncSession) -> list[AuditEntry]:
    query = select(AuditEntry).where(col(AuditEntry.action) == PURGE_ACTION)
    return list((await session.scalars(query)).all())


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        (date(2025, 11, 27), 24, date(2023, 11, 27)),
        (date(2025, 11, 27), 1, date(2025, 10, 27)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
        (date(2025, 5, 31), 3, date(2025, 2, 28)),  # clamped to the shorter month
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2025, 11, 27), 0, None),
    ],
)
def test_the_cutoff_is_whole_calendar_months_back(today: date, months: int, cutoff: date | None) -> None:
    assert note_cutoff(today, months) == cutoff


def test_a_negative_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="months"):
        note_cutoff(TODAY, -1)


async def test_old_notes_are_cleared_and_recent_ones_kept(session: AsyncSession) -> None:
    await noted(session, date(2023, 11, 26), OLD_NOTE, count=3)
    await noted(session, date(2023, 5, 1), OLD_NOTE, voided=True)  # voided rows lose their notes too
    await noted(session, date(2023, 11, 27), NEW_NOTE)  # on the cutoff: kept
    await noted(session, date(2025, 11, 20), NEW_NOTE, count=2)
    await noted(session, date(2023, 1, 10), None)
    assert await count_purgeable_notes(session, TODAY, 24) == 2
    assert await purge_notes(session, TODAY, 24) == 2
    assert await notes_by_date(session) == [
        (date(2023, 11, 26), None),
        (date(2023, 5, 1), None),
        (date(2023, 11, 27), NEW_NOTE),
        (date(2025, 11, 20), NEW_NOTE),
        (date(2023, 1, 10), None),
    ]
    assert await count_purgeable_notes(session, TODAY, 24) == 0


async def test_counts_and_totals_are_unchanged(session: AsyncSession) -> None:
    await noted(session, date(2023, 6, 1), OLD_NOTE, count=4)
    await noted(session, date(2023, 7, 1), OLD_NOTE, voided=True)
    await noted(session, date(2025, 11, 1), NEW_NOTE, count=2)
    before = await count_figures(session)
    assert before[3].indicators["1-5"].value == 2
    assert before[2].indicators["1-5"].value == 4
    await purge_notes(session, TODAY, 24)
    assert await count_figures(session) == before


async def test_one_audit_entry_says_how_many_and_the_cutoff_but_no_note(session: AsyncSession) -> None:
    await noted(session, date(2022, 4, 1), OLD_NOTE)
    await noted(session, date(2023, 4, 1), OLD_NOTE)
    await purge_notes(session, TODAY, 24)
    await purge_notes(session, TODAY, 24)  # nothing left: still recorded, so the log shows the policy ran
    audits = await purge_audits(session)
    assert [(a.actor, a.entity, a.entity_id, a.detail) for a in audits] == [
        ("scheduler", "event", None, {"notes_cleared": 2, "cutoff": "2023-11-27", "months": 24}),
        ("scheduler", "event", None, {"notes_cleared": 0, "cutoff": "2023-11-27", "months": 24}),
    ]
    assert OLD_NOTE not in str([a.detail for a in audits])


async def test_zero_months_keeps_every_note_and_records_nothing(session: AsyncSession) -> None:
    await noted(session, date(2015, 4, 1), OLD_NOTE)
    assert await count_purgeable_notes(session, TODAY, 0) == 0
    assert await purge_notes(session, TODAY, 0) == 0
    assert await notes_by_date(session) == [(date(2015, 4, 1), OLD_NOTE)]
    assert await purge_audits(session) == []


# ---- intake purge-notes ----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'purge.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NOTE_RETENTION_MONTHS", "24")
    get_settings.cache_clear()
    with time_machine.travel(datetime(2025, 11, 27, 12, 0, tzinfo=TOKYO)):
        yield url
    get_settings.cache_clear()


async def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
        async with session_scope(session_factory(engine)) as session:
            await ensure_wards(session)
            await noted(session, date(2023, 4, 3), OLD_NOTE, count=5)
            await noted(session, date(2025, 11, 3), NEW_NOTE)
    finally:
        await engine.dispose()


async def _stored(url: str) -> tuple[list[tuple[date, str | None]], list[str]]:
    engine = make_engine(url)
    try:
        async with session_scope(session_factory(engine)) as session:
            actors = [a.actor for a in await purge_audits(session)]
            return await notes_by_date(session), actors
    finally:
        await engine.dispose()


def test_the_cli_dry_run_changes_nothing_then_the_purge_clears(database: str) -> None:
    asyncio.run(_seed(database))
    dry = runner.invoke(app, ["purge-notes", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip() == "would clear 1 notes of events before 2023-11-27 (dry run: nothing changed)"
    assert asyncio.run(_stored(database)) == ([(date(2023, 4, 3), OLD_NOTE), (date(2025, 11, 3), NEW_NOTE)], [])
    done = runner.invoke(app, ["purge-notes"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "cleared 1 notes of events before 2023-11-27 (counts are kept)"
    assert asyncio.run(_stored(database)) == ([(date(2023, 4, 3), None), (date(2025, 11, 3), NEW_NOTE)], ["cli"])


def test_the_cli_keeps_notes_when_retention_is_zero(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(_seed(database))
    monkeypatch.setenv("NOTE_RETENTION_MONTHS", "0")
    get_settings.cache_clear()
    result = runner.invoke(app, ["purge-notes"])
    assert result.exit_code == 0, result.output
    assert "notes are kept" in result.output
    assert asyncio.run(_stored(database))[0][0] == (date(2023, 4, 3), OLD_NOTE)
