"""The monthly push's summary: a few facts picked from the figures, deterministic (ties go to the catalog's order
and the city's ward order), worded by the bot (`bot/push_summary.py`).

- the biggest moves against the same point last year: the indicators whose ratio to last year's figure is the
  highest above 1 and the lowest below it (an indicator without a last-year figure is not compared);
- the wards furthest behind (the city's push): per ward the median of its indicators' ratios, the lowest ones
  under 1;
- completeness: the scope's reported ／ expected and on time, and the wards with the lowest share reported;
- what issue 22's parts 3 and 4 will add — flagged entries waiting and wards not confirmed — through
  `ReviewState` (`review_state`), which says None (not known yet) until those parts plug in; None leaves the
  line out, a known zero or empty list says so.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.approval import wards_not_confirmed
from models.catalog import INDICATORS
from models.entries.unusual import count_flagged_waiting
from models.ranking import progress_ratio
from models.reference import ward_order
from models.totals import IndicatorValue, Totals
from models.who_reported import NOTHING_EXPECTED, Completeness

MOST_BEHIND = 3  # wards named as furthest behind
FEWEST_REPORTS = 3  # wards named as reporting least


@dataclass(frozen=True)
class ReviewState:
    """Issue 22 parts 3 and 4: flagged entries waiting for review in the scope, and the wards that have not
    confirmed the month. None: not known (the feature is not there yet), and the summary leaves its line out."""

    flagged_waiting: int | None = None
    wards_not_confirmed: tuple[str, ...] | None = None


async def review_state(session: AsyncSession, ward_code: str | None, year: int, month: int, today: date) -> ReviewState:
    """The month's flagged entries still waiting for review in the scope (`models.entries.unusual`) and, for the
    city, the wards that have not confirmed it (`models.approval`; a ward's own push leaves that line out)."""
    flagged = await count_flagged_waiting(session, ward_code, year, month)
    not_confirmed = tuple(await wards_not_confirmed(session, year, month)) if ward_code is None else None
    return ReviewState(flagged, not_confirmed)


@dataclass(frozen=True)
class SummaryInputs:
    """What the summary is made from: the scope's figures and last year's at the same point, each ward's
    completeness of the month, and the review state (parts 3 and 4)."""

    totals: Totals
    last_year: Totals
    completeness: dict[str, Completeness]
    review: ReviewState = ReviewState()


@dataclass(frozen=True)
class Move:
    code: str
    now: IndicatorValue
    last_year: IndicatorValue
    ratio: float


@dataclass(frozen=True)
class Summary:
    up: Move | None  # the indicator furthest above last year
    down: Move | None  # the indicator furthest below last year
    behind: list[tuple[str, float]]  # (ward, median ratio), furthest behind first
    reported: Completeness  # the scope's
    fewest_reports: list[tuple[str, Completeness]]  # wards with the lowest share reported, lowest first
    review: ReviewState


def summarise(inputs: SummaryInputs) -> Summary:
    totals, last_year = inputs.totals, inputs.last_year
    moves = [] if totals.no_data or last_year.no_data else _moves(totals.indicators, last_year.indicators)
    up = max((m for m in moves if m.ratio > 1), key=lambda m: m.ratio, default=None)  # first of equals: catalog
    down = min((m for m in moves if m.ratio < 1), key=lambda m: m.ratio, default=None)
    return Summary(
        up,
        down,
        [] if totals.ward_code is not None or last_year.no_data else _behind(totals, last_year),
        sum(inputs.completeness.values(), NOTHING_EXPECTED),
        _fewest_reports(inputs.completeness) if totals.ward_code is None else [],
        inputs.review,
    )


def _moves(now: dict[str, IndicatorValue], before: dict[str, IndicatorValue]) -> list[Move]:
    moves = []
    for indicator in INDICATORS:
        ratio = progress_ratio(indicator, now[indicator.code], before[indicator.code])
        if ratio is not None:
            moves.append(Move(indicator.code, now[indicator.code], before[indicator.code], ratio))
    return moves


def _behind(totals: Totals, last_year: Totals) -> list[tuple[str, float]]:
    medians: list[tuple[str, float]] = []
    for ward, values in totals.by_ward.items():
        ratios = [move.ratio for move in _moves(values, last_year.by_ward.get(ward, {}) or _zeros())]
        if ratios and (median := statistics.median(ratios)) < 1:
            medians.append((ward, median))
    return sorted(medians, key=lambda pair: (pair[1], *ward_order(pair[0])))[:MOST_BEHIND]


def _zeros() -> dict[str, IndicatorValue]:
    return {indicator.code: IndicatorValue(0) for indicator in INDICATORS}


def _fewest_reports(by_ward: dict[str, Completeness]) -> list[tuple[str, Completeness]]:
    short = [(ward, c) for ward, c in by_ward.items() if c.expected and c.reported < c.expected]
    return sorted(short, key=lambda pair: (pair[1].reported / pair[1].expected, *ward_order(pair[0])))[:FEWEST_REPORTS]


def in_city_order(wards: Sequence[str]) -> list[str]:
    return sorted(wards, key=ward_order)
