"""Which wards lag: each ward's figure for one indicator against its own figure at the same point last year.

Counts compare as a ratio (this year ÷ last year). The survey share (2-Q) compares in points (this year's share −
last year's): a ratio of two percentages says nothing a supervisor can use. A ward without answers this year has
no share to rank and is set apart; a share from fewer than `FEW_ANSWERS` answers is marked, one answer moves it a lot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.catalog import INDICATORS_BY_CODE, Aggregation, Indicator
from models.reference import ward_order
from models.totals import IndicatorValue, Totals

FEW_ANSWERS = 5  # a share from fewer answers than this (this year or last) is marked 「回答が少ない」


@dataclass(frozen=True)
class WardProgress:
    ward_code: str
    now: IndicatorValue
    last_year: IndicatorValue
    ratio: float | None  # counts: this year's figure ÷ last year's at the same point; None without a last-year figure
    points: float | None = None  # the share: this year's − last year's, in points; None unless both years answered
    few_answers: bool = False  # the share: fewer than FEW_ANSWERS answers this year or last

    @property
    def compared(self) -> bool:
        return self.ratio is not None or self.points is not None


@dataclass(frozen=True)
class Ranking:
    """The wards furthest behind first, then those without a last-year figure; for the share, the wards that have
    no answers this year apart (in the city's order)."""

    ranked: list[WardProgress]
    without_answers: list[str]


def is_share(indicator: Indicator) -> bool:
    return indicator.aggregation is Aggregation.SURVEY_YES_SHARE


def compared_figure(indicator: Indicator, figure: IndicatorValue) -> float | None:
    """What is compared across years: the share for 2-Q (answers differ), otherwise the count."""
    if is_share(indicator):
        return figure.percent
    return float(figure.value)


def progress_ratio(indicator: Indicator, now: IndicatorValue, last_year: IndicatorValue) -> float | None:
    """Counts only: this year ÷ last year (None when last year is 0). The share compares in points instead."""
    if is_share(indicator) or not last_year.value:
        return None
    return now.value / last_year.value


def change_in_points(now: IndicatorValue, last_year: IndicatorValue) -> float | None:
    """This year's share − last year's, to one decimal (the shares are already rounded to one)."""
    if now.percent is None or last_year.percent is None:
        return None
    return round(now.percent - last_year.percent, 1)


def few_answers(now: IndicatorValue, last_year: IndicatorValue) -> bool:
    answered = [n for n in (now.denominator, last_year.denominator) if n]
    return any(n < FEW_ANSWERS for n in answered)


def rank_wards(code: str, this_year: Totals, last_year: Totals) -> Ranking:
    """Every ward of `this_year.by_ward`, the furthest behind its own last year first.

    Wards without a last-year figure to compare with come after them, the smallest figure first; for the share, wards
    without answers this year are not ranked at all (`Ranking.without_answers`).
    """
    indicator = INDICATORS_BY_CODE[code]
    empty = IndicatorValue(0)
    share = is_share(indicator)
    rows: list[WardProgress] = []
    without_answers: list[str] = []
    for ward, values in this_year.by_ward.items():
        now, before = values[code], last_year.by_ward.get(ward, {}).get(code, empty)
        if share and not now.denominator:
            without_answers.append(ward)
            continue
        if share:
            rows.append(WardProgress(ward, now, before, None, change_in_points(now, before), few_answers(now, before)))
        else:
            rows.append(WardProgress(ward, now, before, progress_ratio(indicator, now, before)))

    def lag(row: WardProgress) -> tuple[bool, float, float, int, str]:
        shown = compared_figure(indicator, row.now)
        figure = shown if shown is not None else -math.inf
        change = row.points if share else row.ratio
        return (change is None, change if change is not None else figure, figure, *ward_order(row.ward_code))

    return Ranking(sorted(rows, key=lag), sorted(without_answers, key=ward_order))
