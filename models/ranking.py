"""Which wards lag: each ward's figure for one indicator against its own figure at the same point last year."""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.catalog import INDICATORS_BY_CODE, Aggregation, Indicator
from models.reference import ward_order
from models.totals import IndicatorValue, Totals


@dataclass(frozen=True)
class WardProgress:
    ward_code: str
    now: IndicatorValue
    last_year: IndicatorValue
    ratio: float | None  # this year's figure ÷ last year's at the same point; None without a last-year figure


def compared_figure(indicator: Indicator, figure: IndicatorValue) -> float | None:
    """What is compared across years: the share for 2-Q (answers differ), otherwise the count."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        return figure.percent
    return float(figure.value)


def progress_ratio(indicator: Indicator, now: IndicatorValue, last_year: IndicatorValue) -> float | None:
    before, after = compared_figure(indicator, last_year), compared_figure(indicator, now)
    if not before or after is None:
        return None
    return after / before


def rank_wards(code: str, this_year: Totals, last_year: Totals) -> list[WardProgress]:
    """Every ward of `this_year.by_ward`, the furthest behind last year first.

    Wards without a last-year figure to compare with come last, the smallest figure first.
    """
    indicator = INDICATORS_BY_CODE[code]
    empty = IndicatorValue(0)
    rows = [
        WardProgress(ward, values[code], before, progress_ratio(indicator, values[code], before))
        for ward, values in this_year.by_ward.items()
        for before in [last_year.by_ward.get(ward, {}).get(code, empty)]
    ]

    def lag(row: WardProgress) -> tuple[bool, float, int, str]:
        shown = compared_figure(indicator, row.now)
        tie = shown if shown is not None else -math.inf
        return (row.ratio is None, row.ratio if row.ratio is not None else tie, *ward_order(row.ward_code))

    return sorted(rows, key=lag)
