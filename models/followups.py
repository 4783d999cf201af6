"""Follow-ups: a worker's next planned contact with a household — planned, reminded, postponed, closed, handed over.

The rules and queries live here; the bot only translates (bot/conversations/followups.py). A plan is for one
household (a pseudonymous code) and one holder; it falls on a business day of the reminders' own calendar
(weekends, public holidays and 12/29–1/3 move it to the next business day). It stays open until the holder logs an
entry for the household dated on or after the day the plan was made, presses 「完了・不要」, or a handover merges it
into the new holder's plan for the same household. Nothing is deleted.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only
from sqlmodel import col, select

from models.fiscal import is_business_day
from models.privacy import PersonalData, personal_data_in
from models.roles import Role
from models.tables import AuditEntry, Event, Followup, Staff, utcnow
from models.typed_input import Unreadable, WrongWeekday, parse_date

PURPOSES = ("phone", "visit", "accompany", "link_check")  # the purpose buttons (電話, 訪問, 同行, つなぎ先の確認)
PURPOSE_MAX_LENGTH = 40
INTERVALS = ("1w", "2w", "1m")  # 1週間後, 2週間後, 1か月後
PLAN_DAYS_AHEAD_MAX = 366
HANDOVER_ROLES = (Role.WORKER, Role.WARD_SUPERVISOR)  # who may hold a ward's follow-ups


class FollowupProblem(StrEnum):
    """Why a follow-up request cannot be done; the bot picks the message."""

    NOT_FOUND = "not_found"  # no such entry or plan, or not the person's own
    NO_HOUSEHOLD = "no_household"  # the entry names no household (or was voided)
    CLOSED = "closed"  # the plan is closed already
    PAST = "past"  # a typed date before today
    TOO_FAR = "too_far"  # more than a year ahead
    PURPOSE_TOO_LONG = "purpose_too_long"
    PURPOSE_PERSONAL = "purpose_personal"
    UNKNOWN_STAFF = "unknown_staff"
    NOT_SAME_WARD = "not_same_ward"
    INACTIVE_HOLDER = "inactive_holder"
    SAME_PERSON = "same_person"
    NOTHING_TO_MOVE = "nothing_to_move"


class FollowupRejectedError(ValueError):
    def __init__(self, problem: FollowupProblem, personal_data: Sequence[PersonalData] = ()) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.personal_data = list(personal_data)


# ---- the calendar -------------------------------------------------------------------------------------------


def on_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the next one (models.fiscal's calendar, as the reminders')."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def plan_day(interval: str, today: date) -> date:
    """The business day for 1週間後 / 2週間後 / 1か月後 (the same day next month, or its last day)."""
    if interval == "1w":
        return on_business_day(today + timedelta(days=7))
    if interval == "2w":
        return on_business_day(today + timedelta(days=14))
    if interval == "1m":
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return on_business_day(date(year, month, min(today.day, calendar.monthrange(year, month)[1])))
    raise ValueError(f"unknown interval {interval!r}")


def read_plan_date(typed: str, today: date) -> date | Unreadable | WrongWeekday | FollowupProblem:
    """A typed day for the next contact, in the forms entries take (`models.typed_input.parse_date`), but looking
    ahead: a month/day without a year is its next occurrence. Today up to a year ahead; not yet a business day."""
    day = parse_date(typed, today)
    if not isinstance(day, date):
        return day
    relative = parse_date(typed, today - timedelta(days=1)) != day  # 今日, 昨日: they move with today
    if day < today and not relative and parse_date(typed, _a_year_after(today)) != day:  # no year written
        day = _next_occurrence(day.month, day.day, today)
    if day < today:
        return FollowupProblem.PAST
    if (day - today).days > PLAN_DAYS_AHEAD_MAX:
        return FollowupProblem.TOO_FAR
    return day


def _a_year_after(today: date) -> date:
    return today.replace(year=today.year + 1, day=min(today.day, 28))


def _next_occurrence(month: int, day: int, today: date) -> date:
    for year in (today.year, today.year + 1, today.year + 4):  # 2/29: the next leap year at most
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return today - timedelta(days=1)  # not reached for a real month/day; refused as past


def week_end(day: date) -> date:
    """The Sunday closing `day`'s week (「今週」 for the supervisors' counts)."""
    return day + timedelta(days=6 - day.weekday())


# ---- planning -----------------------------------------------------------------------------------------------


async def plan_after_entry(
    session: AsyncSession, event_id: int, staff_id: int, due_on: date, today: date
) -> tuple[Followup, Event]:
    """Plan the next contact for the household of the person's own live entry; a plan already open for the household
    is moved to the new day (so a double tap, or planning again, never makes two)."""
    event = await plannable_entry(session, event_id, staff_id)
    assert event.household_ref is not None
    plan = await _open_plan(session, staff_id, event.household_ref)
    if plan is None:
        plan = Followup(
            staff_id=staff_id,
            ward_code=event.ward_code,
            household_ref=event.household_ref,
            kind=event.kind,
            due_on=due_on,
            planned_on=today,
            source_event_id=event.id,
        )
        session.add(plan)
    else:
        plan.due_on, plan.kind, plan.source_event_id, plan.planned_on = due_on, event.kind, event.id, today
    await session.flush()
    return plan, event


async def plannable_entry(session: AsyncSession, event_id: int, staff_id: int) -> Event:
    """The person's own live entry that names a household: what a next contact can be planned from."""
    event = await session.get(Event, event_id)
    if event is None or event.logged_by_staff_id != staff_id:
        raise FollowupRejectedError(FollowupProblem.NOT_FOUND)
    if event.household_ref is None or event.voided_at is not None:
        raise FollowupRejectedError(FollowupProblem.NO_HOUSEHOLD)
    return event


async def latest_entry_for_household(session: AsyncSession, staff_id: int, household_ref: str) -> Event | None:
    """The person's latest live entry for a household (/plan CODE plans from it)."""
    query = (
        select(Event)
        .where(
            col(Event.household_ref) == household_ref,
            col(Event.logged_by_staff_id) == staff_id,
            col(Event.voided_at).is_(None),
        )
        .order_by(col(Event.occurred_on).desc(), col(Event.id).desc())
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def _open_plan(session: AsyncSession, staff_id: int, household_ref: str) -> Followup | None:
    query = select(Followup).where(
        col(Followup.staff_id) == staff_id,
        col(Followup.household_ref) == household_ref,
        col(Followup.closed_at).is_(None),
    )
    return (await session.scalars(query.with_for_update())).first()


async def own_open_plan(session: AsyncSession, followup_id: int, staff_id: int) -> Followup:
    """The person's own open plan (every button press checks again: data can be forged, plans close meanwhile)."""
    plan = await session.get(Followup, followup_id, with_for_update=True)
    if plan is None or plan.staff_id != staff_id:
        raise FollowupRejectedError(FollowupProblem.NOT_FOUND)
    if plan.closed_at is not None:
        raise FollowupRejectedError(FollowupProblem.CLOSED)
    return plan


def purpose_problem(purpose: str) -> FollowupRejectedError | None:
    """A typed purpose passes the privacy guard (the one free-text guard) and the length."""
    if len(purpose) > PURPOSE_MAX_LENGTH:
        return FollowupRejectedError(FollowupProblem.PURPOSE_TOO_LONG)
    found = personal_data_in(purpose)
    return FollowupRejectedError(FollowupProblem.PURPOSE_PERSONAL, found) if found else None


async def set_purpose(session: AsyncSession, followup_id: int, staff_id: int, purpose: str | None) -> Followup:
    """A purpose code (PURPOSES) or a short typed text; None clears it."""
    cleaned = purpose.strip() if purpose else None
    if cleaned and cleaned not in PURPOSES and (problem := purpose_problem(cleaned)):
        raise problem
    plan = await own_open_plan(session, followup_id, staff_id)
    plan.purpose = cleaned or None
    await session.flush()
    return plan


async def postpone(session: AsyncSession, followup_id: int, staff_id: int, due_on: date) -> Followup:
    plan = await own_open_plan(session, followup_id, staff_id)
    plan.due_on = on_business_day(due_on)
    await session.flush()
    return plan


async def mark_done(session: AsyncSession, followup_id: int, staff_id: int) -> Followup:
    """「完了・不要」: the plan is closed without an entry."""
    plan = await own_open_plan(session, followup_id, staff_id)
    plan.closed_at, plan.closed_reason = utcnow(), "done"
    await session.flush()
    return plan


async def close_on_entry(session: AsyncSession, event: Event) -> list[Followup]:
    """An entry for a household closes its logger's open plan for it when dated on or after the day it was planned
    (in the entry's transaction); the closed plans, for the reply to say so."""
    if event.household_ref is None or event.logged_by_staff_id is None or event.id is None:
        return []
    query = select(Followup).where(
        col(Followup.staff_id) == event.logged_by_staff_id,
        col(Followup.household_ref) == event.household_ref,
        col(Followup.closed_at).is_(None),
        col(Followup.planned_on) <= event.occurred_on,
    )
    closed = list((await session.scalars(query.with_for_update())).all())
    now = utcnow()
    for plan in closed:
        plan.closed_at, plan.closed_reason, plan.closed_by_event_id = now, "logged", event.id
    await session.flush()
    return closed


# ---- reading ------------------------------------------------------------------------------------------------


class DuePlan(NamedTuple):
    """A plan as the reminder shows it: read as plain columns (no ORM object per row on the daily run; a tuple, as
    a frozen dataclass's field-by-field set costs the run more than its query for 2,000 rows)."""

    id: int
    staff_id: int
    household_ref: str
    kind: str
    purpose: str | None
    due_on: date


_DUE_COLUMNS = (
    col(Followup.id),
    col(Followup.staff_id),
    col(Followup.household_ref),
    col(Followup.kind),
    col(Followup.purpose),
    col(Followup.due_on),
)


def _due_plan(row: sa.Row[int | None, int, str, str, str | None, date]) -> DuePlan:
    plan_id, staff_id, household_ref, kind, purpose, due_on = row
    assert plan_id is not None
    return DuePlan(plan_id, staff_id, household_ref, kind, purpose, due_on)


def _due(day: date) -> list[sa.ColumnElement[bool]]:
    return [col(Followup.closed_at).is_(None), col(Followup.due_on) <= day]


# The due plans in the partial index's order (due day, then id: each holder's plans come by day, no sort): plain
# text, so the rows come as the driver gives them (the day parsed once below), built once.
_DUE_ROWS = sa.text(
    "SELECT id, staff_id, household_ref, kind, purpose, due_on FROM followup "
    "WHERE closed_at IS NULL AND due_on <= :day ORDER BY due_on"
).bindparams(sa.bindparam("day", type_=sa.Date))
# What the run uses of a holder: the send (id, Telegram id, language) and the admins' report of who blocked the bot.
_HOLDER_FIELDS = ("id", "telegram_user_id", "language", "display_name", "ward_code", "role")


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite gives ISO text


async def due_by_holder(session: AsyncSession, day: date) -> list[tuple[Staff, list[DuePlan]]]:
    """For the daily run: each holder to remind today (active, not on leave, reachable) and their due and overdue
    plans. Two queries: the open plans due by `day` (the partial index on due_on: neither the closed history nor the
    plans still ahead are read), then their holders by primary key, only the fields the run uses."""
    by_holder: dict[int, list[DuePlan]] = {}
    for plan_id, staff_id, household_ref, kind, purpose, due_on in await session.execute(_DUE_ROWS, {"day": day}):
        by_holder.setdefault(staff_id, []).append(
            DuePlan(plan_id, staff_id, household_ref, kind, purpose, _day(due_on))
        )
    if not by_holder:
        return []
    holders = (
        select(Staff)
        .options(load_only(*(getattr(Staff, name) for name in _HOLDER_FIELDS)))
        .where(
            col(Staff.id).in_(sorted(by_holder)),
            col(Staff.active),
            col(Staff.unreachable_at).is_(None),
            sa.or_(col(Staff.on_leave_until).is_(None), col(Staff.on_leave_until) < day),
        )
    )
    found = (await session.scalars(holders.order_by(col(Staff.id)))).all()
    return [(staff, by_holder[staff.id]) for staff in found if staff.id is not None]


async def due_for(session: AsyncSession, staff_id: int, day: date) -> list[DuePlan]:
    """One holder's due and overdue plans (a reminder shown again after a press)."""
    query = sa.select(*_DUE_COLUMNS).where(col(Followup.staff_id) == staff_id, *_due(day))
    rows = (await session.execute(query.order_by(col(Followup.due_on), col(Followup.id)))).all()
    return [_due_plan(row) for row in rows]


async def open_plans_of(session: AsyncSession, staff_id: int) -> list[Followup]:
    query = select(Followup).where(col(Followup.staff_id) == staff_id, col(Followup.closed_at).is_(None))
    return list((await session.scalars(query.order_by(col(Followup.due_on), col(Followup.id)))).all())


async def last_entry_days(session: AsyncSession, ward_code: str, households: Sequence[str]) -> dict[str, date]:
    """The latest live entry's date of each household (anyone's): marks a household quiet for too long."""
    if not households:
        return {}
    query = (
        select(col(Event.household_ref), sa.func.max(col(Event.occurred_on)))
        .where(
            col(Event.household_ref).in_(sorted(set(households))),
            col(Event.ward_code) == ward_code,
            col(Event.voided_at).is_(None),
        )
        .group_by(col(Event.household_ref))
    )
    return {ref: day for ref, day in (await session.execute(query)).all() if ref is not None}


async def plans_last_entries(session: AsyncSession, plans: Sequence[Followup]) -> dict[tuple[str, str], date]:
    """The latest live entry's date of each planned household, by (ward, household): one query per ward."""
    found: dict[tuple[str, str], date] = {}
    wards = sorted({plan.ward_code for plan in plans})
    for ward in wards:
        days = await last_entry_days(session, ward, [plan.household_ref for plan in plans if plan.ward_code == ward])
        found.update({(ward, ref): day for ref, day in days.items()})
    return found


def quiet_for(last_entry: date | None, today: date, quiet_days: int) -> int | None:
    """The days since the household's latest entry when they are `quiet_days` or more (None: not quiet)."""
    days = None if last_entry is None else (today - last_entry).days
    return days if days is not None and days >= quiet_days else None


@dataclass(frozen=True)
class OverdueCount:
    """A holder's (ward view) or a ward's (city view) open plans due this week and overdue: counts, never codes."""

    key: str  # the ward code, or the holder's staff id as text
    label: str  # the ward code, or the holder's display name
    ward_code: str
    due_this_week: int
    overdue: int


async def overdue_counts(session: AsyncSession, ward_code: str | None, today: date) -> list[OverdueCount]:
    """A ward: per holder, how many open plans fall due from today to Sunday and how many are overdue; the city: the
    same per ward. Only holders or wards with any of either; the most overdue first."""
    overdue = sa.func.sum(sa.case((col(Followup.due_on) < today, 1), else_=0))
    this_week = sa.func.sum(sa.case((col(Followup.due_on) >= today, 1), else_=0))
    open_due = [col(Followup.closed_at).is_(None), col(Followup.due_on) <= week_end(today)]
    rows: list[OverdueCount] = []
    if ward_code is None:
        by_ward = select(col(Followup.ward_code), this_week, overdue).where(*open_due).group_by(col(Followup.ward_code))
        for ward, week, late in (await session.execute(by_ward)).all():
            rows.append(OverdueCount(ward, ward, ward, int(week), int(late)))
    else:
        by_holder = (
            select(col(Staff.id), col(Staff.display_name), this_week, overdue)
            .join(Staff, col(Staff.id) == col(Followup.staff_id))
            .where(col(Followup.ward_code) == ward_code, *open_due)
            .group_by(col(Staff.id), col(Staff.display_name))
        )
        for staff_id, name, week, late in (await session.execute(by_holder)).all():
            rows.append(OverdueCount(str(staff_id), name, ward_code, int(week), int(late)))
    return sorted(rows, key=lambda row: (-row.overdue, -row.due_this_week, row.ward_code, row.key))


# ---- handover -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    audit_id: int
    from_staff: Staff
    to_staff: Staff
    moved: int  # plans now held by the new holder
    merged: int  # of them, households the new holder already planned: one plan kept (the earlier day)


async def open_count(session: AsyncSession, staff_id: int) -> int:
    query = select(sa.func.count()).where(col(Followup.staff_id) == staff_id, col(Followup.closed_at).is_(None))
    return int(await session.scalar(query) or 0)


async def hand_over(
    session: AsyncSession, from_id: int, to_id: int, *, by_staff_id: int | None, actor: str = "cli"
) -> Handover:
    """Move every open plan of one member to another of the same ward, in one transaction, audited. A household the
    new holder already plans keeps one plan (the earlier day); the other is closed as merged. Nothing is lost."""
    source, target = await session.get(Staff, from_id), await session.get(Staff, to_id)
    if source is None or target is None:
        raise FollowupRejectedError(FollowupProblem.UNKNOWN_STAFF)
    if from_id == to_id:
        raise FollowupRejectedError(FollowupProblem.SAME_PERSON)
    if source.ward_code is None or source.ward_code != target.ward_code:
        raise FollowupRejectedError(FollowupProblem.NOT_SAME_WARD)
    if not target.active or target.role not in HANDOVER_ROLES:
        raise FollowupRejectedError(FollowupProblem.INACTIVE_HOLDER)
    open_rows = select(Followup).where(col(Followup.closed_at).is_(None)).with_for_update()
    moving = list((await session.scalars(open_rows.where(col(Followup.staff_id) == from_id))).all())
    if not moving:
        raise FollowupRejectedError(FollowupProblem.NOTHING_TO_MOVE)
    households = [plan.household_ref for plan in moving]
    held = open_rows.where(col(Followup.staff_id) == to_id, col(Followup.household_ref).in_(households))
    theirs = {plan.household_ref: plan for plan in (await session.scalars(held)).all()}
    now, merged = utcnow(), 0
    for plan in moving:
        kept = theirs.get(plan.household_ref)
        if kept is None:
            plan.staff_id = to_id
            continue
        kept.due_on, kept.planned_on = min(kept.due_on, plan.due_on), min(kept.planned_on, plan.planned_on)
        plan.closed_at, plan.closed_reason = now, "merged"
        merged += 1
    await session.flush()  # the moved rows first, so the unique index of open plans never sees two at once
    audit = AuditEntry(
        actor_staff_id=by_staff_id,
        actor=actor,
        action="handover",
        entity="staff",
        entity_id=str(from_id),
        detail={"to": to_id, "moved": len(moving), "merged": merged},
    )
    session.add(audit)
    await session.flush()
    assert audit.id is not None
    return Handover(audit.id, source, target, len(moving), merged)


async def handovers_since(session: AsyncSession, since: datetime) -> list[tuple[int, int, int, int]]:
    """Handovers recorded since a moment: (audit id, previous holder, new holder, plans moved), for telling the new
    holders once (a handover from the command line is told by the next daily run)."""
    query = select(AuditEntry).where(col(AuditEntry.action) == "handover", col(AuditEntry.at) >= since)
    return [
        (entry.id, int(entry.entity_id or 0), int(entry.detail["to"]), int(entry.detail["moved"]))
        for entry in (await session.scalars(query.order_by(col(AuditEntry.id)))).all()
        if entry.id is not None
    ]


async def needing_handover(session: AsyncSession, today: date, long_leave_days: int) -> list[tuple[Staff, int]]:
    """Members deactivated, or on leave for longer than `long_leave_days` from today, who still hold open plans:
    their ward supervisor is asked to hand them over. Reads the staff, then only those members' open plans."""
    long_leave = today + timedelta(days=long_leave_days)
    away_query = select(Staff).where(sa.or_(sa.not_(col(Staff.active)), col(Staff.on_leave_until) > long_leave))
    away = {staff.id: staff for staff in (await session.scalars(away_query.order_by(col(Staff.id)))).all()}
    if not away:
        return []
    counts = (
        select(col(Followup.staff_id), sa.func.count())
        .where(col(Followup.staff_id).in_(list(away)), col(Followup.closed_at).is_(None))
        .group_by(col(Followup.staff_id))
        .order_by(col(Followup.staff_id))
    )
    return [(away[staff_id], int(plans)) for staff_id, plans in (await session.execute(counts)).all()]


def away_since(staff: Staff) -> str:
    """What makes a member's plans need a new holder, as a stable key (a new leave asks again)."""
    if not staff.active:
        return f"off{staff.deactivated_at:%Y%m%d}" if staff.deactivated_at else "off"
    return f"leave{staff.on_leave_until:%Y%m%d}" if staff.on_leave_until else "leave"


async def ward_supervisors(session: AsyncSession, ward_code: str | None) -> list[Staff]:
    if ward_code is None:
        return []
    query = select(Staff).where(
        col(Staff.active),
        col(Staff.role) == Role.WARD_SUPERVISOR,
        col(Staff.ward_code) == ward_code,
        col(Staff.unreachable_at).is_(None),
    )
    return list((await session.scalars(query.order_by(col(Staff.id)))).all())
