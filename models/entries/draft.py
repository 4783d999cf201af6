"""The shape of an entry before it is saved: `EventDraft` (the fields it shares with the `event` table, declared
once in `models.tables.EventFields`), its JSON form kept between the conversation's steps, the next field a
partial draft needs, and what is wrong with a draft before the database is asked."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import SQLModel

from models.catalog import KINDS_BY_CODE, Requirement
from models.privacy import PersonalData, is_valid_household_ref, personal_data_in
from models.tables import NOTE_MAX_LENGTH, Event, EventFields

COUNT_MAX = 999
# Drafts saved before the JSON form took the table's field names (persisted conversations read both).
OPTIONAL_FIELDS = ("area_id", "household_ref", "count", "answer", "note")
LEGACY_KEYS = {"date": "occurred_on", "ward": "ward_code", "household": "household_ref"}


class Problem(StrEnum):
    """Why an entry cannot be saved; the bot turns each into a message from its catalog."""

    UNKNOWN_KIND = "unknown_kind"
    AREA_REQUIRED = "area_required"
    AREA_NOT_ALLOWED = "area_not_allowed"
    AREA_NOT_IN_WARD = "area_not_in_ward"
    HOUSEHOLD_REQUIRED = "household_required"
    HOUSEHOLD_NOT_ALLOWED = "household_not_allowed"
    HOUSEHOLD_INVALID = "household_invalid"
    COUNT_OUT_OF_RANGE = "count_out_of_range"
    COUNT_NOT_ALLOWED = "count_not_allowed"
    ANSWER_REQUIRED = "answer_required"
    ANSWER_NOT_ALLOWED = "answer_not_allowed"
    NOTE_TOO_LONG = "note_too_long"
    NOTE_PERSONAL_DATA = "note_personal_data"
    FUTURE_DATE = "future_date"
    ALREADY_VOIDED = "already_voided"
    NOT_FOUND = "not_found"
    MONTH_LOCKED = "month_locked"
    NOT_YOURS = "not_yours"  # a change by someone who may not change this entry (models.entries.changes)


class EventRejectedError(ValueError):
    """`personal_data` names what the note or reason holds when NOTE_PERSONAL_DATA is among the problems."""

    def __init__(self, problems: list[Problem], personal_data: list[PersonalData] | None = None) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems
        self.personal_data = personal_data or []


def draft_problems(draft: EventDraft, today: date) -> list[Problem]:
    """Everything wrong with a draft that can be seen without the database."""
    kind = KINDS_BY_CODE.get(draft.kind)
    if kind is None:
        return [Problem.UNKNOWN_KIND]
    problems = _presence_problems(kind.area, draft.area_id, Problem.AREA_REQUIRED, Problem.AREA_NOT_ALLOWED)
    problems += _presence_problems(
        kind.household, draft.household_ref, Problem.HOUSEHOLD_REQUIRED, Problem.HOUSEHOLD_NOT_ALLOWED
    )
    if draft.household_ref is not None and not is_valid_household_ref(draft.household_ref):
        problems.append(Problem.HOUSEHOLD_INVALID)
    if not kind.takes_count and draft.count != 1:
        problems.append(Problem.COUNT_NOT_ALLOWED)
    elif not 1 <= draft.count <= COUNT_MAX:
        problems.append(Problem.COUNT_OUT_OF_RANGE)
    answer_rule = Requirement.REQUIRED if kind.takes_answer else Requirement.NONE
    problems += _presence_problems(answer_rule, draft.answer, Problem.ANSWER_REQUIRED, Problem.ANSWER_NOT_ALLOWED)
    problems += note_problems(draft.note)
    if draft.occurred_on > today:
        problems.append(Problem.FUTURE_DATE)
    return problems


def note_problems(note: str | None) -> list[Problem]:
    if not note:
        return []
    if len(note) > NOTE_MAX_LENGTH:
        return [Problem.NOTE_TOO_LONG]
    return [Problem.NOTE_PERSONAL_DATA] if personal_data_in(note) else []


def rejection(problems: list[Problem], text: str | None) -> EventRejectedError:
    """The error for these problems, naming the kinds of personal data the note or reason holds."""
    found = personal_data_in(text) if text and Problem.NOTE_PERSONAL_DATA in problems else []
    return EventRejectedError(problems, found)


class EventDraft(EventFields):
    """The fields a worker enters for one event (docs/sheet-spec.md's counting rules), not yet saved."""

    model_config = SQLModel.model_config | {"frozen": True}

    @classmethod
    def of(cls, event: Event, *, on: date | None = None, with_note: bool = True) -> EventDraft:
        """The draft an event was made from, dated `on` if given (「前回と同じ」, the start of a correction)."""
        fields = EventFields.model_fields
        values = {name: getattr(event, name) for name in fields}
        return cls(**values | {"occurred_on": on or event.occurred_on, "note": event.note if with_note else None})

    def to_json(self) -> dict[str, Any]:
        """The JSON form the logging conversation keeps between steps (unset optional fields left out)."""
        return {key: value for key, value in self.model_dump(mode="json").items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventDraft:
        """A complete draft from its JSON form; KeyError or ValueError when a required field is missing or bad."""
        data = upgraded(data)
        optional = {name: data[name] for name in OPTIONAL_FIELDS if name in data}
        occurred_on = date.fromisoformat(data["occurred_on"])
        return cls(kind=data["kind"], occurred_on=occurred_on, ward_code=data["ward_code"], **optional)

    def columns(self) -> dict[str, Any]:
        """The Event columns the draft fills (a blank note is no note)."""
        note = self.note.strip() if self.note else None
        return {**self.model_dump(), "note": note or None}


def upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """A draft's JSON form under the table's field names, whichever names it was saved with."""
    if not LEGACY_KEYS.keys() & data.keys():
        return data
    return {LEGACY_KEYS.get(key, key): value for key, value in data.items()}


def next_field(data: dict[str, Any]) -> str | None:
    """The first field a partial draft (its JSON form) still needs, in the order a worker is asked; None: none."""
    kind = KINDS_BY_CODE.get(data.get("kind", ""))
    if kind is None:
        return "kind"
    if kind.area is Requirement.REQUIRED and data.get("area_id") is None:
        return "area_id"
    if kind.household is Requirement.REQUIRED and not data.get("household_ref"):
        return "household_ref"
    if not data.get("occurred_on"):
        return "occurred_on"
    if kind.takes_count and "count" not in data:
        return "count"
    if kind.takes_answer and data.get("answer") is None:
        return "answer"
    return None


def _presence_problems(rule: Requirement, value: Any, missing: Problem, forbidden: Problem) -> list[Problem]:
    if rule is Requirement.REQUIRED and value is None:
        return [missing]
    if rule is Requirement.NONE and value is not None:
        return [forbidden]
    return []
