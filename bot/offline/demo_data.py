"""The offline demo's world: three made-up people to be, and a few thousand synthetic events to look at.

The events come from the same generator as the benchmarks' (bot/offline/synthetic.py), checked by the same rules
as record_event, and written in one bulk insert (record_event per row would take seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random

from sqlalchemy import func, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from bot.offline.synthetic import Mix, event_chunks, load_world
from models.db import session_scope
from models.entries.draft import EventDraft, draft_problems
from models.fiscal import fiscal_year_of, fiscal_year_start
from models.roles import Organisation, Role
from models.rollups import rebuild_rollups
from models.staff import staff_by_telegram_id
from models.tables import AuditEntry, Event, Staff

DEMO_EVENTS = 2400  # about 100 per ward over two fiscal years: enough for plausible totals, seeded in a second
DEMO_SEED = 2025
# Above Telegram's id range (< 2**52), so a demo person can never be a real account, whatever database is used.
DEMO_USER_IDS = (9_000_000_000_000_001, 9_000_000_000_000_002, 9_000_000_000_000_003)


@dataclass(frozen=True)
class DemoPerson:
    """One of the demo's staff members; `key` is what `:as` and `--as` take."""

    key: str
    telegram_user_id: int
    display_name: str
    role: Role
    organisation: Organisation
    ward_code: str | None


DEMO_CAST: tuple[DemoPerson, ...] = (
    DemoPerson("worker", DEMO_USER_IDS[0], "デモ 花子", Role.WORKER, Organisation.WATCH_OFFICE, "27102"),
    DemoPerson("ward", DEMO_USER_IDS[1], "デモ 太郎", Role.WARD_SUPERVISOR, Organisation.WARD_COUNCIL, "27102"),
    DemoPerson("city", DEMO_USER_IDS[2], "デモ 一郎", Role.CITY_SUPERVISOR, Organisation.CITY, None),
)
PERSON_KEYS = tuple(person.key for person in DEMO_CAST)


@dataclass(frozen=True)
class DemoPeople:
    """The demo's staff rows, and how many demo events this start added (0 when there were events already)."""

    worker: Staff
    ward_supervisor: Staff
    city_supervisor: Staff
    events_added: int = 0

    def by_key(self, key: str) -> Staff:
        return {"worker": self.worker, "ward": self.ward_supervisor, "city": self.city_supervisor}[key]


DEMO_MIX = Mix(source="demo", key_prefix="demo", note_share=0.04, survey_yes_share=0.8, every_kind_first=True)


async def seed_demo(sessions: async_sessionmaker[AsyncSession], today: date, events: int = DEMO_EVENTS) -> DemoPeople:
    """Make sure the demo people exist; fill an empty events table with `events` demo events. Safe to rerun."""
    async with session_scope(sessions) as session:
        worker, ward_supervisor, city_supervisor = [await _ensure_person(session, person) for person in DEMO_CAST]
        added = 0
        if events > 0 and not await session.scalar(select(func.count()).select_from(Event)):
            added = await _insert_events(session, today, events)
    return DemoPeople(worker, ward_supervisor, city_supervisor, events_added=added)


async def _ensure_person(session: AsyncSession, person: DemoPerson) -> Staff:
    """The demo person's staff row, created or put back as the demo expects (a previous run may have changed it)."""
    staff = await staff_by_telegram_id(session, person.telegram_user_id, active_only=False)
    if staff is None:
        staff = Staff(
            telegram_user_id=person.telegram_user_id,
            display_name=person.display_name,
            role=person.role,
            organisation=person.organisation,
            ward_code=person.ward_code,
        )
        session.add(staff)
        await session.flush()
        detail = {"role": person.role.value, "ward": person.ward_code}
        session.add(
            AuditEntry(
                actor_staff_id=staff.id,
                actor="demo",
                action="register",
                entity="staff",
                entity_id=str(staff.id),
                detail=detail,
            )
        )
        return staff
    staff.display_name, staff.role, staff.organisation = person.display_name, person.role, person.organisation
    staff.ward_code, staff.active, staff.deactivated_at = person.ward_code, True, None
    await session.flush()  # SQLAlchemy writes only the columns that really changed
    return staff


async def _insert_events(session: AsyncSession, today: date, events: int) -> int:
    """Last fiscal year and this one up to today, checked by record_event's rules, in one insert."""
    rng = Random(DEMO_SEED)
    first = fiscal_year_start(fiscal_year_of(today) - 1)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    world = await load_world(session, rng, days=days, events=events, now=datetime.now(UTC))
    rows = [row for chunk in event_chunks(world, events, rng, DEMO_MIX) for row in chunk]
    for row in rows:
        draft = EventDraft(
            kind=row["kind"],
            occurred_on=row["occurred_on"],
            ward_code=row["ward_code"],
            area_id=row["area_id"],
            household_ref=row["household_ref"],
            count=row["count"],
            answer=row["answer"],
            note=row["note"],
        )
        problems = draft_problems(draft, today)
        if problems:
            raise ValueError(f"demo event {row['idempotency_key']} breaks the rules: {problems}")
    await session.execute(insert(Event), rows)
    await rebuild_rollups(session)  # the bulk insert skips models.entries.write, which keeps the totals' rollups
    session.add(AuditEntry(actor="demo", action="seed", entity="event", detail={"events": len(rows)}))
    return len(rows)
