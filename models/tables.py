"""The tables (SQLModel). Nothing is ever deleted: corrections are new rows plus audit entries.

No citizen's name, address, phone number, birth date, diagnosis or photo has a column here: households are
pseudonymous reference codes, and notes are short and checked before they are saved (see `models.privacy`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NOTE_MAX_LENGTH = 200
HOUSEHOLD_REF_MAX_LENGTH = 32


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no zone, so one is attached on the way out)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Ward(SQLModel, table=True):
    """One of Osaka City's 24 wards, keyed by its municipal code (27102 都島区 …)."""

    code: str = Field(primary_key=True, max_length=5)
    name_ja: str = Field(max_length=20)
    name_en: str = Field(max_length=40)
    population_2020: int | None = None


class Area(SQLModel, table=True):
    """A local area (about a school district) inside a ward; 1-1 and 1-2 count roster-provided ones."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    ward_code: str = Field(foreign_key="ward.code", max_length=5, index=True)
    name_ja: str = Field(max_length=60)
    roster_provided: bool = True
    active: bool = True


class Staff(SQLModel, table=True):
    """A registered bot user. Role and organisation values are `models.catalog.Role` / `Organisation`."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=sa.BigInteger, unique=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    organisation: str = Field(max_length=20)
    ward_code: str | None = Field(default=None, foreign_key="ward.code", max_length=5, index=True)
    language: str = Field(default="ja", max_length=8)
    active: bool = True
    on_leave_until: date | None = None
    reminders_paused: bool = False
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # Telegram said: blocked the bot
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A single-use registration code. Only its SHA-256 is stored, so a database leak yields no usable code."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=20)
    organisation: str = Field(max_length=20)
    ward_code: str | None = Field(default=None, foreign_key="ward.code", max_length=5)
    created_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")


class EventFields(SQLModel):
    """What a worker enters for one event: the fields the `event` table and a draft (`models.entries.draft`) share.

    Lengths are column types, not validation: a draft that breaks a rule gets a `Problem`, never an exception.
    """

    kind: str = Field(sa_type=sa.String(40))
    occurred_on: date  # the JST date it happened; decides the fiscal year
    ward_code: str = Field(foreign_key="ward.code", sa_type=sa.String(5))
    area_id: int | None = Field(default=None, foreign_key="area.id")
    household_ref: str | None = Field(default=None, sa_type=sa.String(HOUSEHOLD_REF_MAX_LENGTH))
    count: int = 1
    answer: bool | None = None  # agency_survey: felt an effect (yes/no)
    note: str | None = Field(default=None, sa_type=sa.String(NOTE_MAX_LENGTH))


class Event(EventFields, table=True):
    """Something a worker did, counted toward one indicator. Voided rows stay, and never count."""

    __table_args__ = (
        # The totals scan one kind over a date range, live rows only; covering the grouped columns
        # lets both databases answer from the index alone.
        sa.Index(
            "ix_event_live_kind_date",
            "kind",
            "occurred_on",
            "ward_code",
            "area_id",
            "household_ref",
            "count",
            "answer",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        ),
        # A ward's figures (ward supervisors, the reply after each save) seek straight to that ward's rows.
        sa.Index(
            "ix_event_live_kind_ward_date",
            "kind",
            "ward_code",
            "occurred_on",
            "area_id",
            "household_ref",
            "count",
            "answer",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        ),
        sa.Index("ix_event_logged_by_logged_at", "logged_by_staff_id", "logged_at"),
        # The few voided events, by when: a frozen sheet adds back those voided after its moment.
        sa.Index(
            "ix_event_voided_at",
            "voided_at",
            sqlite_where=sa.text("voided_at IS NOT NULL"),
            postgresql_where=sa.text("voided_at IS NOT NULL"),
        ),
        sa.Index("ix_event_household_ref", "household_ref"),  # issuing a new code checks it is unused
        sa.CheckConstraint("count >= 1", name="count_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    logged_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    logged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(default="bot", max_length=20)  # bot / import / cli
    idempotency_key: str = Field(max_length=100, unique=True)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=200)
    replaced_by_event_id: int | None = Field(default=None, foreign_key="event.id")
    corrects_event_id: int | None = Field(default=None, foreign_key="event.id")


class AuditEntry(SQLModel, table=True):
    """Who did what to which record, and when. Details never hold message texts or personal data."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    actor: str = Field(default="bot", max_length=40)  # bot / cli / scheduler
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class SheetBullet(SQLModel, table=True):
    """A bullet of a sheet's text sections (取組内容 / 質的成果 / 課題と今後の方向性), per fiscal year.

    `ward_code` is None for the city's sheet. Removing a bullet stamps `removed_at`; the row stays.
    """

    __tablename__ = "sheet_bullet"
    __table_args__ = (sa.Index("ix_sheet_bullet_scope", "sheet", "fiscal_year", "ward_code", "section"),)

    id: int | None = Field(default=None, primary_key=True)
    sheet: int
    fiscal_year: int
    ward_code: str | None = Field(default=None, foreign_key="ward.code", max_length=5)
    section: str = Field(max_length=20)
    position: int = 0
    text: str = Field(max_length=300)
    created_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")


class BotState(SQLModel, table=True):
    """The Telegram bot's own state (`bot.persistence`): user_data, chat_data and conversation states, as JSON.

    `kind` is user_data / chat_data / bot_data / callback_data / conversation; `key` is the user or chat id, or for a
    conversation the JSON list `[name, *conversation key]` (its `data` is `{"state": ...}`). Drafts of case records
    may sit in `data`: never log it.
    """

    __tablename__ = "bot_state"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    key: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MonthReopen(SQLModel, table=True):
    """A locked ward-month opened again for late entries or corrections, until `closes_on`."""

    __tablename__ = "month_reopen"
    __table_args__ = (sa.Index("ix_month_reopen_ward_month", "ward_code", "year", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    ward_code: str = Field(foreign_key="ward.code", max_length=5)
    year: int
    month: int
    reason: str = Field(max_length=200)
    reopened_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    reopened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closes_on: date  # the first day it is locked again


class TotalsSnapshot(SQLModel, table=True):
    """The totals as of a month end, frozen when the month locked, so a past sheet is reproduced exactly."""

    __tablename__ = "totals_snapshot"
    __table_args__ = (sa.UniqueConstraint("fiscal_year", "as_of", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int
    as_of: date
    scope: str = Field(max_length=8)  # "city" or a ward code
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # Totals.as_json()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceSnapshot(SQLModel, table=True):
    """The city sheet's monthly 集計根拠 as of a month end, frozen with the month's totals (`models.snapshots`).

    Its own table, not part of the city's `TotalsSnapshot`: up to ~4,000 rows of JSON that only a frozen city
    workbook reads, while every frozen city total reads the snapshot.
    """

    __tablename__ = "evidence_snapshot"
    __table_args__ = (sa.UniqueConstraint("fiscal_year", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int
    as_of: date
    rows: list[Any] = Field(default_factory=list, sa_type=sa.JSON)  # one EvidenceRow.as_json() each
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ZeroReport(SQLModel, table=True):
    """A staff member's 「今月は0件」: nothing to log this month, which counts as having reported."""

    __tablename__ = "zero_report"
    __table_args__ = (sa.UniqueConstraint("staff_id", "year", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    year: int
    month: int
    confirmed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One scheduled message to one person (a reminder, a monthly push), recorded before it is sent.

    The unique key (kind, period, recipient) makes a send happen once across crashes, restarts and processes.
    """

    __table_args__ = (sa.UniqueConstraint("kind", "period", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # reminder / push
    period: str = Field(max_length=20)  # the reminder day (2026-03-26) or the month pushed (2026-03)
    staff_id: int = Field(foreign_key="staff.id")
    status: str = Field(default="pending", max_length=12)  # pending / sent / failed / unreachable
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=200)  # the error's class, never message contents


class Baseline(SQLModel, table=True):
    """An aggregate figure for an indicator, ward and month that only exists as a number (before the bot).

    The totals engine adds it to the events (sum indicators, 2-Q) or, for 1-1, 1-2 and 3-1, takes it as the
    ward's cumulative figure at that month end (see `models.totals`). Clearing or replacing one stamps
    `removed_at`; the row stays. At most one live row per (indicator, ward, year, month).
    """

    __table_args__ = (
        sa.Index(
            "ix_baseline_live_key",
            "indicator_code",
            "ward_code",
            "year",
            "month",
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(max_length=8)  # models.catalog.INDICATORS: 1-1 … 3-1
    ward_code: str = Field(foreign_key="ward.code", max_length=5)
    year: int
    month: int
    value: int
    denominator: int | None = None  # 2-Q only: the number of answers (value = the "yes" answers)
    reason: str = Field(max_length=200)
    entered_by: str = Field(max_length=100)  # the operator's name, as given on the command line
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RollupMonth(SQLModel, table=True):
    """Live events of one kind summed per fiscal year, ward and calendar month, kept with every write.

    Maintained by `models.rollups` in the transaction that records, voids or corrects an event; the totals
    engine reads these rows instead of the events. `first_days`: for the distinct kinds (1-1, 1-2, 3-1), how many
    areas or households have their first qualifying day of the fiscal year in this month.
    """

    __tablename__ = "rollup_month"
    __table_args__ = (
        # The city's monthly series (kinds summed over the wards per month) read from the index alone, in order.
        sa.Index(
            "ix_rollup_month_by_month",
            "fiscal_year",
            "kind",
            "year",
            "month",
            "ward_code",
            "events",
            "total",
            "yes_answers",
            "first_days",
        ),
    )

    fiscal_year: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=40)
    ward_code: str = Field(primary_key=True, foreign_key="ward.code", max_length=5)
    year: int = Field(primary_key=True)
    month: int = Field(primary_key=True)
    events: int = 0  # live events (for 2-Q: the answers)
    total: int = 0  # the sum of their counts
    yes_answers: int = 0
    first_days: int = 0


class RollupFirstDay(SQLModel, table=True):
    """For the distinct kinds: the first day in a fiscal year an area (1-1, 1-2) or household (3-1) qualified.

    `subject` is the area id (as text) or the household reference; `events` the live events behind it.
    """

    __tablename__ = "rollup_first_day"
    __table_args__ = (sa.Index("ix_rollup_first_day_year_kind_day", "fiscal_year", "kind", "first_on"),)

    fiscal_year: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=40)
    ward_code: str = Field(primary_key=True, foreign_key="ward.code", max_length=5)
    subject: str = Field(primary_key=True, max_length=HOUSEHOLD_REF_MAX_LENGTH)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    first_on: date
    events: int


OPEN_FOLLOWUP = sa.text("closed_at IS NULL")


class Followup(SQLModel, table=True):
    """A worker's next planned contact with a household (`models.followups`): open until an entry for the household,
    「完了・不要」, or a merge at a handover closes it. Rows stay; `staff_id` is the current holder.

    At most one open plan per holder and household; the daily run reads the open rows due by a day (the partial
    index on `due_on`), never the closed history.
    """

    __table_args__ = (
        sa.Index(
            "ix_followup_open_due", "due_on", "staff_id", sqlite_where=OPEN_FOLLOWUP, postgresql_where=OPEN_FOLLOWUP
        ),
        sa.Index(
            "ix_followup_open_holder_household",
            "staff_id",
            "household_ref",
            unique=True,
            sqlite_where=OPEN_FOLLOWUP,
            postgresql_where=OPEN_FOLLOWUP,
        ),
        sa.Index(
            "ix_followup_open_ward_due",
            "ward_code",
            "due_on",
            sqlite_where=OPEN_FOLLOWUP,
            postgresql_where=OPEN_FOLLOWUP,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    ward_code: str = Field(foreign_key="ward.code", max_length=5)
    household_ref: str = Field(sa_type=sa.String(HOUSEHOLD_REF_MAX_LENGTH))
    kind: str = Field(sa_type=sa.String(40))  # the kind of the entry it follows: 記録する starts with it
    purpose: str | None = Field(default=None, max_length=40)  # a purpose code (phone, visit, …) or checked text
    due_on: date  # a business day
    planned_on: date  # the Japan date the plan was made: an entry dated on or after it closes the plan
    source_event_id: int | None = Field(default=None, foreign_key="event.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_reason: str | None = Field(default=None, max_length=12)  # logged / done / merged
    closed_by_event_id: int | None = Field(default=None, foreign_key="event.id")


class StaffVersion(SQLModel, table=True):
    """One row whose number goes up with every change to a staff row, so a process can cache staff safely."""

    __tablename__ = "staff_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


def _bump_staff_version(session: Session, _flush_context: Any) -> None:
    """Every flush that writes a staff row bumps the version in the same transaction (bot, CLI, scheduler)."""
    if not any(isinstance(row, Staff) for row in (*session.new, *session.dirty, *session.deleted)):
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = StaffVersion.__table__  # type: ignore[attr-defined]  # SQLModel's table is untyped
    statement = insert(table).values(id=1, version=1)
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"version": table.c.version + 1}))


sa.event.listen(Session, "after_flush", _bump_staff_version)


class Heartbeat(SQLModel, table=True):
    """One row the bot writes at most once a minute (never on an entry's save path), read by `intake health`
    from outside the process: when its event loop last beat, the last update it handled, the last daily run."""

    __tablename__ = "heartbeat"

    id: int = Field(default=1, primary_key=True)
    beat_at: datetime = Field(sa_type=UTCDateTime)  # the minute job ran: the event loop and the scheduler live
    started_at: datetime = Field(sa_type=UTCDateTime)  # this process's start
    last_update_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_update_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    updates_since_start: int = 0
    daily_run_day: date | None = None  # the Japan day of the last daily run
    daily_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    daily_run_outcome: str | None = Field(default=None, max_length=80)  # done / skipped: … / failed: ErrorClass


class EntryFlag(SQLModel, table=True):
    """An entry whose count was far above the usual for its kind in its ward (`models.entries.unusual`): the worker
    confirmed it once at entry; it waits on the supervisors' review list until one confirms it (`confirmed`) or asks
    the worker to correct it (`asked`). The usual range it was compared with is kept, as the question said it."""

    __tablename__ = "entry_flag"
    __table_args__ = (sa.Index("ix_entry_flag_status_ward", "status", "ward_code"),)

    event_id: int = Field(primary_key=True, foreign_key="event.id")
    ward_code: str = Field(foreign_key="ward.code", max_length=5)
    status: str = Field(default="open", max_length=12)  # open / asked / confirmed
    usual_low: int
    usual_high: int
    usual_limit: int  # counts above it are unusual
    city_wide: bool = False  # the ward had too few entries of the kind: the city's were the usual
    flagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MonthApproval(SQLModel, table=True):
    """A ward's month as the ward confirmed it and the city accepted or returned it (`models.approval`).

    No row is the same as `open`. Every transition is a conditional UPDATE on `state` and an audit entry.
    """

    __tablename__ = "month_approval"
    __table_args__ = (sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"),)

    ward_code: str = Field(primary_key=True, foreign_key="ward.code", max_length=5)
    year: int = Field(primary_key=True)
    month: int = Field(primary_key=True)
    state: str = Field(default="open", max_length=12)  # open / confirmed / accepted / returned
    reason: str | None = Field(default=None, max_length=200)  # why the city returned it, or what withdrew it
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
