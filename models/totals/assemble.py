"""From gathered rows to figures: running totals per ward and month, baselines resetting distinct figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from models.catalog import INDICATORS, Denominator, Indicator
from models.totals.rows import Counts
from models.totals.values import IndicatorValue, Totals, YearMonth


def assemble(
    fiscal_year: int,
    as_of: date,
    ward_code: str | None,
    wards: list[str],
    months: list[YearMonth],
    counts: Counts,
    roster_areas: dict[str, int],
    threshold: int,
) -> Totals:
    """The totals of a scope (`wards`) from the gathered rows."""
    figures = _Figures(counts, [f"{year:04d}-{month:02d}" for year, month in months], roster_areas)
    by_month = {i.code: figures.series(i, wards) for i in INDICATORS}
    return Totals(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=ward_code,
        indicators={code: values[-1] for code, values in by_month.items()},
        by_ward={w: {i.code: figures.ward_figure(i, w) for i in INDICATORS} for w in wards},
        months=months,
        by_month=by_month,
        definitions={
            "regular_meeting_threshold": threshold,
            "distinct_areas": "roster-provided active areas only",
            "households": "distinct (ward, household reference) pairs in the fiscal year",
        },
    )


class _Figures:
    """The arithmetic on gathered rows: each ward's running total per month (a distinct baseline resetting it),
    summed over a scope's wards, with the months summed in SQL added, and the baseline marks.

    `table` is "numerators" or "answers" (survey answers, 2-Q's denominator).
    """

    def __init__(self, counts: Counts, month_keys: list[str], roster_areas: dict[str, int]) -> None:
        self.counts, self.month_keys, self.roster_areas = counts, month_keys, roster_areas
        self.tables = {"numerators": counts.numerators, "answers": counts.answers}
        self.detailed = self._wards_with_rows()
        self._running: dict[tuple[str, str, str], tuple[int, ...]] = {}
        self._marks: dict[tuple[str, str], tuple[bool, ...]] = {}

    def _wards_with_rows(self) -> dict[tuple[str, str], set[str]]:
        """(table, code) → the wards that have ward-month rows for it (resets count as numerator rows)."""
        detailed: dict[tuple[str, str], set[str]] = defaultdict(set)
        for table, values in (*self.tables.items(), ("numerators", self.counts.resets)):
            for code, ward, _month in values:
                detailed[(table, code)].add(ward)
        return detailed

    def ward_running(self, table: str, code: str, ward: str) -> tuple[int, ...]:
        """One ward's running total as of each month end, a reset (distinct baseline) replacing it."""
        key = (table, code, ward)
        if key not in self._running:
            values, resets = self.tables[table], self.counts.resets
            totals, total = [], 0
            for month in self.month_keys:
                reset = resets.get((code, ward, month)) if resets else None
                total = reset if reset is not None else total + values.get((code, ward, month), 0)
                totals.append(total)
            self._running[key] = tuple(totals)
        return self._running[key]

    def running(self, table: str, code: str, in_wards: list[str]) -> list[int]:
        """Cumulative figures over the months (as of each month end), summed over the wards: their ward-month
        rows, plus the months summed over the scope's wards (`Counts.month_sums`)."""
        with_rows = sorted(self.detailed[(table, code)].intersection(in_wards))
        columns = zip(*(self.ward_running(table, code, w) for w in with_rows), strict=True)
        totals = [sum(column) for column in columns] if with_rows else [0] * len(self.month_keys)
        if self.counts.month_sums:
            total = 0
            for position, month in enumerate(self.month_keys):
                total += self.counts.month_sums.get((table, code, month), 0)
                totals[position] += total
        return totals

    def ward_total(self, table: str, code: str, ward: str) -> int:
        """One ward's figure as of the as-of date: its ward-month rows and its months summed (`ward_sums`)."""
        value = self.counts.ward_sums.get((table, code, ward), 0)
        return value + (self.ward_running(table, code, ward)[-1] if ward in self.detailed[(table, code)] else 0)

    def ward_marks(self, code: str, ward: str) -> tuple[bool, ...]:
        """Whether each month's figure of a ward includes a baseline (one in that month or earlier)."""
        if (code, ward) not in self._marks:
            flags, seen = [], False
            for month in self.month_keys:
                seen = seen or (code, ward, month) in self.counts.marked
                flags.append(seen)
            self._marks[(code, ward)] = tuple(flags)
        return self._marks[(code, ward)]

    def marks(self, code: str, in_wards: list[str]) -> list[bool]:
        if not self.counts.marked:
            return [False] * len(self.month_keys)
        return [any(column) for column in zip(*(self.ward_marks(code, w) for w in in_wards), strict=True)]

    def ward_figure(self, indicator: Indicator, ward: str) -> IndicatorValue:
        """One ward's figure as of the as-of date (the last of its series, without building the series)."""
        code = indicator.code
        value = self.ward_total("numerators", code, ward)
        flag = bool(self.counts.marked) and self.ward_marks(code, ward)[-1]
        if indicator.denominator is Denominator.ROSTER_AREAS:
            return IndicatorValue(value, self.roster_areas.get(ward, 0), flag)
        if indicator.denominator is Denominator.SURVEY_ANSWERS:
            return IndicatorValue(value, self.ward_total("answers", code, ward), flag)
        return IndicatorValue(value, None, flag)

    def series(self, indicator: Indicator, in_wards: list[str]) -> list[IndicatorValue]:
        """A scope's figure as of each month end."""
        numerators = self.running("numerators", indicator.code, in_wards)
        flags = self.marks(indicator.code, in_wards)
        if indicator.denominator is Denominator.ROSTER_AREAS:
            areas = sum(self.roster_areas.get(w, 0) for w in in_wards)
            return [IndicatorValue(n, areas, f) for n, f in zip(numerators, flags, strict=True)]
        if indicator.denominator is Denominator.SURVEY_ANSWERS:
            answers = self.running("answers", indicator.code, in_wards)
            return [IndicatorValue(n, a, f) for n, a, f in zip(numerators, answers, flags, strict=True)]
        return [IndicatorValue(n, None, f) for n, f in zip(numerators, flags, strict=True)]
