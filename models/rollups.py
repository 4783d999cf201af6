"""Write-time rollups: what the totals engine reads instead of the events, kept in the events' transaction.

Two tables (`models.tables`):
- `rollup_month`: per (fiscal year, kind, ward, calendar month) the live events, the sum of their counts, the
  "yes" answers, and for the distinct kinds how many subjects first qualified in that month;
- `rollup_first_day`: for the distinct kinds (1-1, 1-2 per area, 3-1 per household), per fiscal year, ward and
  subject, the first day it qualified and the number of live events behind it.

`count_event` adds a live event, `uncount_event` takes a voided one away. A void that removes a subject's last
event, or the event of its first day, recomputes that one subject from the events. The sums are single upserts
(`INSERT … ON CONFLICT DO UPDATE`, which lock the row on PostgreSQL); a subject's row is created by an insert
that does nothing on conflict or added to by an update that only matches when its first day stays (one
statement each, the row locked by the statement), and read `FOR UPDATE` only when its first day moves or for a
void; SQLite has one writer at a time. `rebuild_rollups` recomputes both tables from the events and `check_rollups`
lists where they differ from the raw aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from models.catalog import INDICATORS, Aggregation
from models.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start
from models.tables import Event, RollupFirstDay, RollupMonth

MONTHS = RollupMonth.__table__  # type: ignore[attr-defined]  # SQLModel's tables are untyped
FIRST_DAYS = RollupFirstDay.__table__  # type: ignore[attr-defined]
EVENTS = Event.__table__  # type: ignore[attr-defined]
AREA_KINDS = frozenset(i.kind for i in INDICATORS if i.aggregation is Aggregation.DISTINCT_AREAS)
HOUSEHOLD_KINDS = frozenset(i.kind for i in INDICATORS if i.aggregation is Aggregation.DISTINCT_HOUSEHOLDS)
MONTH_KEY = ("fiscal_year", "kind", "ward_code", "year", "month")
FIRST_DAY_KEY = ("fiscal_year", "kind", "ward_code", "subject")
MONTH_FIGURES = ("events", "total", "yes_answers", "first_days")
INSERT_CHUNK = 5_000

MonthKey = tuple[int, str, str, int, int]  # fiscal year, kind, ward, year, month
FirstDayKey = tuple[int, str, str, str]  # fiscal year, kind, ward, subject


class year_month(FunctionElement[str]):  # noqa: N801  (SQL function naming)
    """'YYYY-MM' of a date column, written the cheap way for each database."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"  # dates are stored as 'YYYY-MM-DD'


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


def subject_of(event: Event) -> str | None:
    """What a distinct kind counts once a year: the area (1-1, 1-2) or the household (3-1); None otherwise."""
    if event.kind in AREA_KINDS and event.area_id is not None:
        return str(event.area_id)
    if event.kind in HOUSEHOLD_KINDS and event.household_ref is not None:
        return event.household_ref
    return None


# --- kept with every write ------------------------------------------------------------------------------------


async def count_event(session: AsyncSession, event: Event) -> None:
    """A live event was saved: add it to its month and, for a distinct kind, to its subject's first day."""
    await count_events(session, [event])


async def count_events(session: AsyncSession, events: Iterable[Event]) -> None:
    """Live events were saved (one, or a whole import): one statement per month, two per subject.

    Subjects first, so that a first day that moves is counted in the same month upsert as the event.
    """
    months: dict[MonthKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MONTH_FIGURES, 0))
    subjects: dict[FirstDayKey, list[Event]] = defaultdict(list)
    for event in events:
        figures = months[_month_key(event.kind, event.ward_code, event.occurred_on)]
        figures["events"] += 1
        figures["total"] += event.count
        figures["yes_answers"] += 1 if event.answer else 0
        subject = subject_of(event)
        if subject is not None:
            subjects[_first_day_key(event, subject)].append(event)
    for subject_key, counted in sorted(subjects.items()):  # one lock order for every writer: no deadlock
        old, new = await _count_for_subject(session, subject_key, counted)
        _move_first_day(months, counted[0], old, new)
    for month_key, figures in sorted(months.items()):
        await _add_month_figures(session, month_key, figures)


async def _count_for_subject(session: AsyncSession, key: FirstDayKey, events: list[Event]) -> tuple[date | None, date]:
    """Add a subject's new events to its row or create it; its first day before and after.

    The usual cases take one statement: a subject seen before whose first day stays (an update that only matches
    a row whose first day is not later), or a new one (an insert that does nothing on conflict). Areas meet again
    and again, a household is mostly linked once a year: each tries its likelier case first. An earlier first day
    (a backdated entry) takes the locked row's path.
    """
    earliest = min(event.occurred_on for event in events)
    attempts = (_add_to_row, _create_row) if key[1] in AREA_KINDS else (_create_row, _add_to_row)
    for attempt in attempts:
        moved = await attempt(session, key, events, earliest)
        if moved is not None:
            return moved
    return await _move_first_day_earlier(session, key, events, earliest)


async def _add_to_row(
    session: AsyncSession, key: FirstDayKey, events: list[Event], earliest: date
) -> tuple[date, date] | None:
    """The events added to the subject's row if it has one whose first day is not after theirs."""
    added = await session.execute(_ADD_TO_ROW, _key_params(key) | {"k_earliest": earliest, "k_added": len(events)})
    first_on = added.scalar_one_or_none()
    return None if first_on is None else (first_on, first_on)


async def _create_row(
    session: AsyncSession, key: FirstDayKey, events: list[Event], earliest: date
) -> tuple[None, date] | None:
    """The subject's row created with these events, unless it exists."""
    values = dict(zip(FIRST_DAY_KEY, key, strict=True))
    values |= {"area_id": events[0].area_id, "first_on": earliest, "events": len(events)}
    created = await session.execute(_first_day_insert(dialect_name(session)), values)
    return None if created.first() is None else (None, earliest)


async def _move_first_day_earlier(
    session: AsyncSession, key: FirstDayKey, events: list[Event], earliest: date
) -> tuple[date | None, date]:
    """The subject's (locked) row gets the events and the earlier first day, or is created if it vanished."""
    row = (await session.execute(_locked_first_day(key))).one_or_none()
    if row is None:
        created = await _create_row(session, key, events, earliest)
        if created is not None:
            return created
        row = (await session.execute(_locked_first_day(key))).one()  # another transaction created it just now
    first_on, _counted = row
    new_first = min(first_on, earliest)
    await session.execute(
        FIRST_DAYS.update()
        .where(*_first_day_match(key))
        .values(events=FIRST_DAYS.c.events + len(events), first_on=new_first)
    )
    return first_on, new_first


async def uncount_event(session: AsyncSession, event: Event) -> None:
    """An event was voided (already flushed as voided): take it out of its month and its subject's first day."""
    months: dict[MonthKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MONTH_FIGURES, 0))
    months[_month_key(event.kind, event.ward_code, event.occurred_on)] |= {
        "events": -1,
        "total": -event.count,
        "yes_answers": -1 if event.answer else 0,
    }
    subject = subject_of(event)
    if subject is not None:
        moved = await _uncount_for_subject(session, _first_day_key(event, subject), event, subject)
        if moved is not None:
            _move_first_day(months, event, *moved)
    for month_key, figures in sorted(months.items()):
        await _add_month_figures(session, month_key, figures)


async def _uncount_for_subject(
    session: AsyncSession, key: FirstDayKey, event: Event, subject: str
) -> tuple[date, date | None] | None:
    """Take one event from its subject; recompute the subject from the events when it was its first day or last
    event. Its first day before and after (None: the subject no longer counts), or None when it did not move."""
    row = (await session.execute(_locked_first_day(key))).one_or_none()
    if row is None:
        return None  # nothing was counted (rollups built after the fact): `intake rollups check` reports it
    first_on, events = row
    if events > 1 and event.occurred_on != first_on:
        await session.execute(FIRST_DAYS.update().where(*_first_day_match(key)).values(events=FIRST_DAYS.c.events - 1))
        return None
    new_first, remaining = await _subject_from_events(session, event, subject)
    if remaining:
        await session.execute(
            FIRST_DAYS.update().where(*_first_day_match(key)).values(events=remaining, first_on=new_first)
        )
    else:
        await session.execute(FIRST_DAYS.delete().where(*_first_day_match(key)))
    return first_on, new_first


async def _add_month_figures(session: AsyncSession, key: MonthKey, figures: dict[str, int]) -> None:
    """One upsert: the row is created with these figures or has them added (locked on PostgreSQL)."""
    values = dict(zip(MONTH_KEY, key, strict=True)) | dict.fromkeys(MONTH_FIGURES, 0) | figures
    await session.execute(_month_upsert(dialect_name(session)), values)


# The statements of every save, built once (each save only binds its values: building them costs more than running).
_SUBJECT = [FIRST_DAYS.c[name] == sa.bindparam(f"k_{name}") for name in FIRST_DAY_KEY]
_ADD_TO_ROW = (
    FIRST_DAYS.update()
    .where(*_SUBJECT, FIRST_DAYS.c.first_on <= sa.bindparam("k_earliest"))
    .values(events=FIRST_DAYS.c.events + sa.bindparam("k_added"))
    .returning(FIRST_DAYS.c.first_on)
)


def _key_params(key: FirstDayKey) -> dict[str, Any]:
    return {f"k_{name}": value for name, value in zip(FIRST_DAY_KEY, key, strict=True)}


@cache
def _first_day_insert(dialect: str) -> Any:
    insert = INSERTS[dialect](FIRST_DAYS)
    return insert.on_conflict_do_nothing(index_elements=list(FIRST_DAY_KEY)).returning(FIRST_DAYS.c.events)


@cache
def _month_upsert(dialect: str) -> Any:
    insert = INSERTS[dialect](MONTHS)
    added = {name: MONTHS.c[name] + insert.excluded[name] for name in MONTH_FIGURES}
    return insert.on_conflict_do_update(index_elements=list(MONTH_KEY), set_=added)


def _move_first_day(months: dict[MonthKey, dict[str, int]], event: Event, old: date | None, new: date | None) -> None:
    """A subject's first day moved (or appeared, or vanished): the months' first-day counts follow."""
    old_month = _month_key(event.kind, event.ward_code, old) if old else None
    new_month = _month_key(event.kind, event.ward_code, new) if new else None
    if old_month == new_month:
        return
    if old_month is not None:
        months[old_month]["first_days"] -= 1
    if new_month is not None:
        months[new_month]["first_days"] += 1


async def _subject_from_events(session: AsyncSession, event: Event, subject: str) -> tuple[date | None, int]:
    """The subject's first live day in the event's fiscal year and its live events, read from the events."""
    fiscal_year = fiscal_year_of(event.occurred_on)
    column = EVENTS.c.area_id if event.kind in AREA_KINDS else EVENTS.c.household_ref
    value: int | str = int(subject) if event.kind in AREA_KINDS else subject
    first_on, events = (
        await session.execute(
            sa.select(sa.func.min(EVENTS.c.occurred_on), sa.func.count()).where(
                EVENTS.c.kind == event.kind,
                EVENTS.c.ward_code == event.ward_code,
                column == value,
                EVENTS.c.voided_at.is_(None),
                EVENTS.c.occurred_on.between(fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)),
            )
        )
    ).one()
    return first_on, int(events)


def _locked_first_day(key: FirstDayKey) -> sa.Select[Any]:
    return sa.select(FIRST_DAYS.c.first_on, FIRST_DAYS.c.events).where(*_first_day_match(key)).with_for_update()


def _first_day_match(key: FirstDayKey) -> list[sa.ColumnElement[bool]]:
    return [FIRST_DAYS.c[name] == value for name, value in zip(FIRST_DAY_KEY, key, strict=True)]


def _first_day_key(event: Event, subject: str) -> FirstDayKey:
    return fiscal_year_of(event.occurred_on), event.kind, event.ward_code, subject


def _month_key(kind: str, ward_code: str, day: date) -> MonthKey:
    return fiscal_year_of(day), kind, ward_code, day.year, day.month


INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # both have ON CONFLICT


def dialect_name(session: AsyncSession) -> str:
    """The session's database ("sqlite" or "postgresql"), the key of `INSERTS`."""
    return session.get_bind().dialect.name


# --- rebuilt and checked from the events ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rollups:
    """Both tables' contents: month figures (events, total, yes answers, first days) and first days."""

    months: dict[MonthKey, tuple[int, int, int, int]]
    first_days: dict[FirstDayKey, tuple[int | None, date, int]]  # area id, first day, events


@dataclass(frozen=True)
class Difference:
    """One row where the rollups and the raw aggregates disagree (None: the row is missing on that side)."""

    table: str
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None
    expected: tuple[Any, ...] | None

    def describe(self) -> str:
        key = " ".join(str(part) for part in self.key)
        return f"{self.table} {key}: stored {self.stored}, from the events {self.expected}"


async def rebuild_rollups(session: AsyncSession) -> Rollups:
    """Replace both tables by what the events say (e.g. after a bulk load or a restore)."""
    return await session.run_sync(lambda sync_session: rebuild_rollups_sync(sync_session.connection()))


async def check_rollups(session: AsyncSession) -> list[Difference]:
    """Every row where the stored rollups differ from the raw aggregates of the events (empty: they agree)."""
    return await session.run_sync(lambda sync_session: check_rollups_sync(sync_session.connection()))


def rebuild_rollups_sync(connection: Connection) -> Rollups:
    expected = rollups_from_events(connection)
    connection.execute(FIRST_DAYS.delete())
    connection.execute(MONTHS.delete())
    month_rows = [
        dict(zip(MONTH_KEY, key, strict=True)) | dict(zip(MONTH_FIGURES, figures, strict=True))
        for key, figures in expected.months.items()
    ]
    first_day_rows = [
        dict(zip(FIRST_DAY_KEY, key, strict=True)) | {"area_id": area_id, "first_on": first_on, "events": events}
        for key, (area_id, first_on, events) in expected.first_days.items()
    ]
    for table, rows in ((MONTHS, month_rows), (FIRST_DAYS, first_day_rows)):
        for chunk in _chunks(rows):
            connection.execute(table.insert(), chunk)
    return expected


def check_rollups_sync(connection: Connection) -> list[Difference]:
    expected, stored = rollups_from_events(connection), stored_rollups(connection)
    return [
        *_differences("rollup_month", stored.months, expected.months),
        *_differences("rollup_first_day", stored.first_days, expected.first_days),
    ]


def rollups_from_events(connection: Connection) -> Rollups:
    """The raw aggregates: what the rollups must hold, computed from the live events alone."""
    first_days = _first_days_from_events(connection)
    months: dict[MonthKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for kind, ward_code, ym, events, total, yes_answers in connection.execute(month_figures_of_events()):
        year, month_number = int(ym[:4]), int(ym[5:7])
        figures = [int(events), int(total), int(yes_answers)]
        months[_month_key(kind, ward_code, date(year, month_number, 1))][:3] = figures
    for (_fiscal_year, kind, ward_code, _subject), (_area, first_on, _events) in first_days.items():
        months[_month_key(kind, ward_code, first_on)][3] += 1
    return Rollups({key: (a, b, c, d) for key, (a, b, c, d) in months.items()}, first_days)


def month_figures_of_events(*conditions: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """(kind, ward, 'YYYY-MM', events, total, yes answers) per kind, ward and calendar month of the events that
    meet `conditions` (default: every live event): what `rollup_month` holds for them, first days aside."""
    month = year_month(EVENTS.c.occurred_on)
    yes = sa.func.sum(sa.case((EVENTS.c.answer.is_(True), 1), else_=0))
    return (
        sa.select(EVENTS.c.kind, EVENTS.c.ward_code, month, sa.func.count(), sa.func.sum(EVENTS.c.count), yes)
        .where(*(conditions or (EVENTS.c.voided_at.is_(None),)))
        .group_by(EVENTS.c.kind, EVENTS.c.ward_code, month)
    )


def _first_days_from_events(connection: Connection) -> dict[FirstDayKey, tuple[int | None, date, int]]:
    """Per fiscal year (a date range each, so both databases use their indexes), subject by subject."""
    bounds = connection.execute(
        sa.select(sa.func.min(EVENTS.c.occurred_on), sa.func.max(EVENTS.c.occurred_on)).where(
            EVENTS.c.voided_at.is_(None)
        )
    ).one()
    if bounds[0] is None:
        return {}
    first, last = (date.fromisoformat(str(day)) if isinstance(day, str) else day for day in bounds)
    result: dict[FirstDayKey, tuple[int | None, date, int]] = {}
    for fiscal_year in range(fiscal_year_of(first), fiscal_year_of(last) + 1):
        window = EVENTS.c.occurred_on.between(fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year))
        for kinds, subject in ((AREA_KINDS, EVENTS.c.area_id), (HOUSEHOLD_KINDS, EVENTS.c.household_ref)):
            query = (
                sa.select(EVENTS.c.kind, EVENTS.c.ward_code, subject, sa.func.min(EVENTS.c.occurred_on))
                .add_columns(sa.func.count())
                .where(EVENTS.c.kind.in_(sorted(kinds)), subject.is_not(None), EVENTS.c.voided_at.is_(None), window)
                .group_by(EVENTS.c.kind, EVENTS.c.ward_code, subject)
            )
            for kind, ward_code, value, first_on, events in connection.execute(query):
                area_id = value if subject is EVENTS.c.area_id else None
                result[(fiscal_year, kind, ward_code, str(value))] = (area_id, first_on, int(events))
    return result


def stored_rollups(connection: Connection) -> Rollups:
    months: dict[Any, Any] = {
        tuple(row[:5]): tuple(row[5:])
        for row in connection.execute(sa.select(*(MONTHS.c[n] for n in (*MONTH_KEY, *MONTH_FIGURES))))
    }
    first_days: dict[Any, Any] = {
        tuple(row[:4]): tuple(row[4:])
        for row in connection.execute(
            sa.select(*(FIRST_DAYS.c[n] for n in (*FIRST_DAY_KEY, "area_id", "first_on", "events")))
        )
    }
    return Rollups(months, first_days)


def _differences(table: str, stored: dict[Any, Any], expected: dict[Any, Any]) -> Iterator[Difference]:
    """Rows that differ; a month row of zeros is the same as no row (a void leaves one behind)."""
    for key in sorted(set(stored) | set(expected)):
        mine, theirs = stored.get(key), expected.get(key)
        if mine is not None and not any(mine) and theirs is None:
            continue
        if mine != theirs:
            yield Difference(table, key, mine, theirs)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), INSERT_CHUNK):
        yield rows[start : start + INSERT_CHUNK]
