"""The totals engine: every indicator of the sheet for a fiscal year as of a date, by SQL aggregates.

The figures come from the write-time rollups (`models.rollups`), not from the events: the year's whole months
are read from `rollup_month` (at most wards × kinds × 12 rows, however many events there are) and the
distinct areas from `rollup_first_day` (one row per area). Only the as-of month, while it is not over, is read
from the events (one month's rows), and 1-1 with a regular-meeting threshold above one (the day of an area's
N-th meeting is not in the rollups). Two more small queries read the live baselines of the shown months and the
area denominator; everything after that is arithmetic on those rows. Voided events never count.

Baselines (`models.baselines`): figures for an indicator, ward and month that exist only as numbers (periods
before the bot). A baseline belongs to its month; an as-of date inside that month already includes it.

- Sum indicators (1-3 … 1-6, 2-1 … 2-5): the baseline is added to that ward-month's sum of event counts.
- 2-Q: the baseline's value (yes answers) and denominator (answers) are added to that ward-month's answers.
- Distinct indicators (1-1, 1-2, 3-1): the baseline is the ward's cumulative figure as of that month end. It
  replaces what the events say for that ward up to that month; each later month adds what the events newly
  qualify in it (areas or households whose qualifying day falls in that month, as without baselines), until
  the ward's next baseline replaces the figure again:
      cumulative(ward, m) = baseline(ward, b) + Σ event increments of the months after b up to m,
  with b the ward's latest baseline month ≤ m (no such b: the events alone). This is an approximation: a
  baseline does not say which areas or households it covered, so one that first qualifies by events after b
  is added even if the baseline had already counted it. City figures are the sum of the wards'.

A figure that includes any baseline (of a ward in the scope, in a month up to the figure's month) is marked
`IndicatorValue.from_baseline`; its JSON carries `"baseline": true` and the sheet marks it with ※.

The package: `values` (a figure, the totals and their notation), `rows` (the queries that gather a year's rows),
`assemble` (the arithmetic from those rows to the figures), `engine` (the totals for a scope or every scope),
`at_save` (the one figure quoted after a save, and whether a save counts anew) and `no_data` (a year with nothing).
Callers import from the package.
"""

from models.totals.at_save import figure_after_save, grew_by, would_count_anew, year_to_date
from models.totals.engine import (
    counted_anew_by_month,
    indicator_totals,
    resolve_as_of,
    split_year,
    totals_for_every_scope,
)
from models.totals.no_data import flag_no_data, has_data
from models.totals.values import IndicatorValue, Totals, YearMonth, percent, sheet_notation

__all__ = [
    "IndicatorValue",
    "Totals",
    "YearMonth",
    "counted_anew_by_month",
    "figure_after_save",
    "flag_no_data",
    "grew_by",
    "has_data",
    "indicator_totals",
    "percent",
    "resolve_as_of",
    "sheet_notation",
    "split_year",
    "totals_for_every_scope",
    "would_count_anew",
    "year_to_date",
]
