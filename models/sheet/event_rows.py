"""One event as the listings show it (the export and a ward sheet's 集計根拠): coded fields only, no note, no void
reason, no staff member, no Telegram id; households as their pseudonymous codes. One query shape for both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from models.catalog import indicator_code_of, kind_label_ja
from models.tables import Area, Event, Ward

LISTED = (
    col(Event.id),
    col(Event.occurred_on),
    col(Event.ward_code),
    col(Ward.name_ja),
    col(Area.code),
    col(Event.kind),
    col(Event.count),
    col(Event.household_ref),
    col(Event.answer),
    col(Area.roster_provided),
    col(Area.active),
)
HISTORY = (  # what the export adds: when and how it was logged, voided, corrected
    col(Event.logged_at),
    col(Event.source),
    col(Event.voided_at),
    col(Event.replaced_by_event_id),
    col(Event.corrects_event_id),
)


@dataclass(frozen=True)
class EventRow:
    event_id: int
    occurred_on: date
    ward_code: str
    ward_name: str
    area_code: str | None
    kind: str
    kind_label: str
    indicator_code: str
    count: int
    household_ref: str | None
    answer: bool | None
    area_roster_provided: bool | None  # roster provided and active; None without an area
    logged_at: datetime | None = None  # the history fields: None unless read `with_history`
    source: str | None = None
    voided_at: datetime | None = None
    replaced_by: int | None = None
    corrects: int | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


def event_rows_query(*conditions: sa.ColumnElement[bool], with_history: bool = False) -> sa.Select[Any]:
    """The listed events meeting the conditions, by date then number (ward and area joined)."""
    columns = (*LISTED, *HISTORY) if with_history else LISTED
    return (
        sa.select(*columns)
        .join(Ward, col(Ward.code) == col(Event.ward_code))
        .outerjoin(Area, col(Area.id) == col(Event.area_id))
        .where(*conditions)
        .order_by(col(Event.occurred_on), col(Event.id))
    )


def event_row(values: Sequence[Any]) -> EventRow:
    """A row of `event_rows_query` as an EventRow (the history fields when the query has them)."""
    event_id, occurred_on, ward_code, ward_name, area_code, kind, count, household, answer, roster, active = values[:11]
    logged_at, source, voided_at, replaced_by, corrects = values[11:] or (None,) * len(HISTORY)
    return EventRow(
        event_id=event_id,
        occurred_on=occurred_on,
        ward_code=ward_code,
        ward_name=ward_name,
        area_code=area_code,
        kind=kind,
        kind_label=kind_label_ja(kind),
        indicator_code=indicator_code_of(kind),
        count=count,
        household_ref=household,
        answer=answer,
        area_roster_provided=None if area_code is None else bool(roster and active),
        logged_at=logged_at,
        source=source,
        voided_at=voided_at,
        replaced_by=replaced_by,
        corrects=corrects,
    )
