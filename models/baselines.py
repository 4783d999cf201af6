"""Baselines: aggregate figures per indicator, ward and month for periods that exist only as numbers.

The sheet's FY2024 and FY2025 columns predate the bot. Where no event-level history can be imported
(`models.ops.history`), an operator enters the figure itself, with who and why. How the totals use a baseline
is in `models.totals` (added for sums and 2-Q; the ward's cumulative figure for 1-1, 1-2 and 3-1).

Nothing is deleted: setting a baseline for a key that already has one stamps the old one `removed_at`,
and so does clearing. Every change writes an audit entry (baseline_set / baseline_clear).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.catalog import INDICATORS_BY_CODE, Aggregation, Denominator
from models.entries.draft import Problem, note_problems
from models.fiscal import fiscal_months, parse_year_month
from models.privacy import personal_data_in
from models.tables import Area, AuditEntry, Baseline, Ward, utcnow

ENTERED_BY_MAX_LENGTH = 100


class BaselineError(ValueError):
    """A baseline cannot be set or cleared; the message says why."""


@dataclass(frozen=True)
class BaselineKey:
    """What a baseline is for: one indicator, one ward, one month."""

    indicator_code: str
    ward_code: str
    year: int
    month: int

    @property
    def month_label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(text: str) -> tuple[int, int]:
    """`2024-06` → (2024, 6); BaselineError for anything else."""
    parsed = parse_year_month(text, separators="-")  # the CSV and CLI form only
    if parsed is None:
        raise BaselineError(f"month must be YYYY-MM, not {text!r}")
    return parsed


async def set_baseline(
    session: AsyncSession,
    key: BaselineKey,
    *,
    value: int,
    denominator: int | None = None,
    reason: str,
    entered_by: str,
    today: date,
    actor: str = "cli",
) -> Baseline:
    """Record the figure for a key, replacing (removed-stamping) a live one; audited."""
    await _check_key(session, key, today)
    await _check_figure(session, key, value, denominator)
    reason, entered_by = _checked_reason(reason), _checked_name(entered_by)
    replaced = await _live(session, key)
    if replaced is not None:
        replaced.removed_at = utcnow()
        await session.flush()  # the live-key index must see the old row gone before the new one arrives
    baseline = Baseline(
        indicator_code=key.indicator_code,
        ward_code=key.ward_code,
        year=key.year,
        month=key.month,
        value=value,
        denominator=denominator,
        reason=reason,
        entered_by=entered_by,
    )
    session.add(baseline)
    await session.flush()
    detail = _detail(key, value, denominator, reason, entered_by)
    if replaced is not None:
        detail["replaced"] = replaced.id
    _audit(session, actor, "baseline_set", baseline, detail)
    return baseline


async def clear_baseline(
    session: AsyncSession, key: BaselineKey, *, reason: str, cleared_by: str, actor: str = "cli"
) -> Baseline:
    """Stop a live baseline from counting (the row stays, removed-stamped); audited."""
    reason, cleared_by = _checked_reason(reason), _checked_name(cleared_by)
    baseline = await _live(session, key)
    if baseline is None:
        raise BaselineError(f"no baseline for {key.indicator_code} in {key.ward_code} for {key.month_label}")
    baseline.removed_at = utcnow()
    await session.flush()
    _audit(
        session,
        actor,
        "baseline_clear",
        baseline,
        _detail(key, baseline.value, baseline.denominator, reason, cleared_by),
    )
    return baseline


async def list_baselines(
    session: AsyncSession, *, fiscal_year: int | None = None, ward_code: str | None = None
) -> list[Baseline]:
    """The live baselines, by month, ward and indicator; optionally of one fiscal year and one ward."""
    query = select(Baseline).where(col(Baseline.removed_at).is_(None))
    if fiscal_year is not None:
        months = fiscal_months(fiscal_year)
        month_number = col(Baseline.year) * 100 + col(Baseline.month)
        first, last = months[0], months[-1]
        query = query.where(month_number.between(first[0] * 100 + first[1], last[0] * 100 + last[1]))
    if ward_code is not None:
        query = query.where(col(Baseline.ward_code) == ward_code)
    order = (col(Baseline.year), col(Baseline.month), col(Baseline.ward_code), col(Baseline.indicator_code))
    return list((await session.scalars(query.order_by(*order))).all())


async def _live(session: AsyncSession, key: BaselineKey) -> Baseline | None:
    query = (
        select(Baseline)
        .where(
            col(Baseline.indicator_code) == key.indicator_code,
            col(Baseline.ward_code) == key.ward_code,
            col(Baseline.year) == key.year,
            col(Baseline.month) == key.month,
            col(Baseline.removed_at).is_(None),
        )
        .with_for_update()
    )
    return await session.scalar(query)


async def _check_key(session: AsyncSession, key: BaselineKey, today: date) -> None:
    if key.indicator_code not in INDICATORS_BY_CODE:
        raise BaselineError(f"unknown indicator {key.indicator_code!r} (use a code such as 1-5)")
    if await session.get(Ward, key.ward_code) is None:
        raise BaselineError(f"unknown ward code {key.ward_code}")
    if not 1 <= key.month <= 12:
        raise BaselineError(f"month must be 1–12, not {key.month}")
    if (key.year, key.month) > (today.year, today.month):
        raise BaselineError(f"{key.month_label} has not started yet")


async def _check_figure(session: AsyncSession, key: BaselineKey, value: int, denominator: int | None) -> None:
    """Values are ≥ 0; 2-Q needs answers ≥ yes answers; only 2-Q has a denominator; areas fit the ward."""
    indicator = INDICATORS_BY_CODE[key.indicator_code]
    if value < 0:
        raise BaselineError("the value cannot be negative")
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        if denominator is None or denominator < value:
            raise BaselineError("2-Q needs --denominator: the number of answers (at least the yes answers)")
    elif denominator is not None:
        raise BaselineError(f"{indicator.code} has no denominator of its own (only 2-Q takes --denominator)")
    if indicator.denominator is Denominator.ROSTER_AREAS:
        areas = await session.scalar(
            sa.select(sa.func.count()).where(
                col(Area.ward_code) == key.ward_code, col(Area.roster_provided), col(Area.active)
            )
        )
        if value > int(areas or 0):
            raise BaselineError(f"{key.ward_code} has {int(areas or 0)} roster-provided areas, fewer than {value}")


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise BaselineError("a reason is required")
    if Problem.NOTE_TOO_LONG in note_problems(reason):
        raise BaselineError("the reason is too long")
    found = personal_data_in(reason)
    if found:
        raise BaselineError(f"the reason looks like it holds personal data ({', '.join(found)}): leave it out")
    return reason


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise BaselineError("say who enters it (--by)")
    if len(name) > ENTERED_BY_MAX_LENGTH:
        raise BaselineError(f"--by is limited to {ENTERED_BY_MAX_LENGTH} characters")
    return name


def _detail(key: BaselineKey, value: int, denominator: int | None, reason: str, who: str) -> dict[str, Any]:
    return {
        "code": key.indicator_code,
        "ward": key.ward_code,
        "month": key.month_label,
        "value": value,
        "denominator": denominator,
        "reason": reason,
        "who": who,
    }


def _audit(session: AsyncSession, actor: str, action: str, baseline: Baseline, detail: dict[str, Any]) -> None:
    session.add(AuditEntry(actor=actor, action=action, entity="baseline", entity_id=str(baseline.id), detail=detail))
