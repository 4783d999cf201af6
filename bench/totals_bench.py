"""How fast is the totals engine? Against the floor (one hand-written SQL statement) and the naive ORM way.

On the cached dataset (SQLite; PostgreSQL with `--db postgresql`), for fiscal year 2025 as of 2026-03-31, city
scope with the per-ward breakdown:
(d) `models.totals.indicator_totals`, which reads the write-time rollups (`models.rollups`) and no event; (b) one
raw SQL statement on the events computing the same per-ward numbers (no per-month series, so it is a floor for
reading the events, not a rival), (c) every live event of the year loaded as SQLModel objects and counted in
Python. All three must agree on every ward × indicator (value and denominator), or the run fails.

(d) and (b) are also run at a tenth and three times the events: (d) must stay flat while (b) grows with the table.
Both ways on all three sizes are timed in rounds (one call of each way on each size per round), so the machine's
changing load falls on every figure alike.
((a), the engine reading the events, is what (d) replaced: 381 ms at 1,000,000 events, a/b = 1.65.)
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from bench.harness import Verdict
from bench.store import SQLITE, Store
from models.catalog import INDICATOR_BY_KIND, INDICATORS, Aggregation, Denominator
from models.db import make_engine, session_factory
from models.fiscal import fiscal_year_start
from models.tables import Area, Event, Ward
from models.totals import indicator_totals

FISCAL_YEAR = 2025
AS_OF = date(2026, 3, 31)
SEED = 7
RUNS = 5
ROLLUP_RUNS = 25  # (d) takes milliseconds: more runs steady its median on a shared machine
MEETING_THRESHOLD = 1  # the floor's SQL below hard-codes "at least one meeting"
TARGET_D_OVER_B = 0.1
TARGET_C_OVER_D = 20.0
TARGET_D_MS = 20.0
TARGET_D_GROWTH = 1.2
GROWTH_FACTORS = (0.1, 3.0)  # of --events: 100,000 and 3,000,000 at the default 1,000,000

# (value, denominator) per ward and indicator code: the numbers all three ways must agree on.
PerWard = dict[str, dict[str, tuple[int, int | None]]]

# The floor: ONE raw statement, written by hand (not from the catalog) so it checks the engine independently.
# Its shape is the fastest we found on SQLite (1M events: a single `GROUP BY ward_code, kind` over all sum
# kinds takes ~170 ms, this ~95 ms): every branch filters kind + live + date, so it reads the partial covering
# index ix_event_live_kind_date, and groups by (occurred_on, ward_code) first, which is that index's order and
# needs no sort; only the much smaller per-day rows are then sorted by ward. It has no per-month series.
SUM_KINDS = (
    "roster_provision",
    "watch_consultation",
    "outreach",
    "missing_alert_registration",
    "complex_intake",
    "tsunagaru_meeting",
    "sv_dispatch",
    "training_session",
    "watch_office_link",
)
LIVE = "voided_at IS NULL AND occurred_on BETWEEN :start AND :as_of"
SUM_BRANCH = f"""
    SELECT * FROM (
        SELECT ward_code, '{{kind}}' AS kind, SUM(total) AS value, 0 AS answers
        FROM (SELECT occurred_on, ward_code, SUM(count) AS total FROM event
              WHERE {LIVE} AND kind = '{{kind}}' GROUP BY occurred_on, ward_code) AS daily
        GROUP BY ward_code
    ) AS branch"""
FLOOR_SQL = sa.text(f"""
WITH indicator(code, kind, denominator) AS (
    VALUES ('1-1', 'area_meeting', 'areas'), ('1-2', 'concern_report', 'areas'),
           ('1-3', 'roster_provision', NULL), ('1-4', 'watch_consultation', NULL), ('1-5', 'outreach', NULL),
           ('1-6', 'missing_alert_registration', NULL), ('2-1', 'complex_intake', NULL),
           ('2-2', 'tsunagaru_meeting', NULL), ('2-3', 'sv_dispatch', NULL), ('2-4', 'training_session', NULL),
           ('2-5', 'watch_office_link', NULL), ('2-Q', 'agency_survey', 'answers'),
           ('3-1', 'participation_link', NULL)
),
roster AS (
    SELECT ward_code, COUNT(*) AS areas FROM area WHERE roster_provided AND active GROUP BY ward_code
),
figure AS ({" UNION ALL".join(SUM_BRANCH.format(kind=kind) for kind in SUM_KINDS)}
    UNION ALL
    SELECT ward_code, kind, SUM(CASE WHEN answer THEN 1 ELSE 0 END), COUNT(*)
    FROM event WHERE {LIVE} AND kind = 'agency_survey'
    GROUP BY ward_code, kind
    UNION ALL
    SELECT area.ward_code, used.kind, COUNT(*), 0
    FROM (SELECT DISTINCT kind, area_id FROM event
          WHERE {LIVE} AND kind IN ('area_meeting', 'concern_report')) AS used
    JOIN area ON area.id = used.area_id
    WHERE area.roster_provided AND area.active
    GROUP BY area.ward_code, used.kind
    UNION ALL
    SELECT ward_code, kind, COUNT(DISTINCT household_ref), 0
    FROM event WHERE {LIVE} AND kind = 'participation_link' AND household_ref IS NOT NULL
    GROUP BY ward_code, kind
)
SELECT ward.code, indicator.code, COALESCE(figure.value, 0),
       CASE indicator.denominator
           WHEN 'areas' THEN COALESCE(roster.areas, 0)
           WHEN 'answers' THEN COALESCE(figure.answers, 0)
       END
FROM ward CROSS JOIN indicator
LEFT JOIN figure ON figure.ward_code = ward.code AND figure.kind = indicator.kind
LEFT JOIN roster ON roster.ward_code = ward.code
ORDER BY ward.code, indicator.code
""").bindparams(sa.bindparam("start", type_=sa.Date()), sa.bindparam("as_of", type_=sa.Date()))


class ResultsDifferError(RuntimeError):
    """The three ways disagree: the timings compare different work and mean nothing."""


@dataclass(frozen=True)
class Measurement:
    ms: float
    peak_mb: float
    result: PerWard


async def run(events: int, seed: int = SEED, store: Store = SQLITE) -> dict[str, Any]:
    """Build or reuse the datasets, measure (d), (b), (c), check they agree, print the table, return the figures.

    (d) and (b) are timed in turns across the dataset sizes (one call on each size, then the next round), so
    that a shared machine's changing load falls on every size alike and the growth ratio compares like with like.
    """
    sizes = [events, *(max(1, round(events * factor)) for factor in GROWTH_FACTORS)]
    urls = {size: await store.dataset(size, seed) for size in sizes}
    engines = {size: make_engine(url) for size, url in urls.items()}
    try:
        sessions = {size: session_factory(engine) for size, engine in engines.items()}
        in_window, live = await _window_sizes(sessions[events])
        d_by_size, b_by_size = await _measure_in_turns(sessions, {_engine_totals: ROLLUP_RUNS, _floor_totals: RUNS})
        c = await _measure(sessions[events], _naive_totals, 1)
    finally:
        for engine in engines.values():
            await engine.dispose()
    for size in sizes:
        ways = {"(d) engine on rollups": d_by_size[size].result, "(b) floor SQL": b_by_size[size].result}
        _check_agreement(ways | ({"(c) naive": c.result} if size == events else {}), size)
    growth = {size: (d_by_size[size].ms, b_by_size[size].ms) for size in sorted(sizes)}
    figures = _figures(events, in_window, live, d_by_size[events], b_by_size[events], c, growth)
    figures["db"] = store.label
    _print_table(figures)
    empty = [code for code, value in figures["city_values"].items() if value == 0]
    if empty:  # agreement on zeros proves little: a bigger dataset exercises every indicator
        print(f"  warning: indicators with no data in the window: {', '.join(empty)}")
    return figures


async def _measure_in_turns(
    sessions: dict[int, async_sessionmaker[AsyncSession]], runs: dict[Way, int]
) -> list[dict[int, Measurement]]:
    """Per way and size: the median wall time of its runs and then its peak memory.

    Measured in rounds, each round one call of every way (while it has runs left) on every size, so the ways and
    sizes share the machine's changing load alike.
    """
    times: dict[tuple[Way, int], list[float]] = {(way, size): [] for way in runs for size in sessions}
    results: dict[tuple[Way, int], PerWard] = {}
    for way in runs:
        for factory in sessions.values():
            await _once(factory, way)  # warm-up
    for round_number in range(max(runs.values())):
        for way, wanted in runs.items():
            for size, factory in sessions.items():
                if round_number < wanted:
                    gc.collect()
                    started = time.perf_counter()
                    results[(way, size)] = await _once(factory, way)
                    times[(way, size)].append((time.perf_counter() - started) * 1000)
    return [
        {
            size: Measurement(statistics.median(times[(way, size)]), await _peak_mb(factory, way), results[(way, size)])
            for size, factory in sessions.items()
        }
        for way in runs
    ]


# --- the three ways -------------------------------------------------------------------------------------------


async def _engine_totals(session: AsyncSession) -> PerWard:
    totals = await indicator_totals(
        session, FISCAL_YEAR, as_of=AS_OF, ward_code=None, regular_meeting_threshold=MEETING_THRESHOLD
    )
    return {
        ward: {code: (value.value, value.denominator) for code, value in values.items()}
        for ward, values in totals.by_ward.items()
    }


async def _floor_totals(session: AsyncSession) -> PerWard:
    rows = await session.execute(FLOOR_SQL, {"start": fiscal_year_start(FISCAL_YEAR), "as_of": AS_OF})
    result: PerWard = defaultdict(dict)
    for ward, code, value, denominator in rows:
        result[ward][code] = (int(value), None if denominator is None else int(denominator))
    return dict(result)


async def _naive_totals(session: AsyncSession) -> PerWard:
    """What one writes first: load the year's events as objects, count with dicts and sets."""
    window = (fiscal_year_start(FISCAL_YEAR), AS_OF)
    query = select(Event).where(col(Event.voided_at).is_(None), col(Event.occurred_on).between(*window))
    events = (await session.scalars(query)).all()
    areas = {area.id: area for area in (await session.scalars(select(Area))).all()}
    wards = list((await session.scalars(select(col(Ward.code)).order_by(col(Ward.code)))).all())
    tally = _Tally()
    for event in events:
        tally.add(event)
    return tally.per_ward(wards, areas)


@dataclass
class _Tally:
    """Plain-Python counting of loaded events, indicator by indicator."""

    sums: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ward, code) → counts, or yes answers
    answers: Counter[str] = field(default_factory=Counter)  # ward → survey answers
    area_events: Counter[tuple[str, int]] = field(default_factory=Counter)  # (code, area id) → events
    households: set[tuple[str, str, str]] = field(default_factory=set)  # (code, ward, household ref)

    def add(self, event: Event) -> None:
        indicator = INDICATOR_BY_KIND[event.kind]
        if indicator.aggregation is Aggregation.SUM:
            self.sums[(event.ward_code, indicator.code)] += event.count
        elif indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
            self.sums[(event.ward_code, indicator.code)] += 1 if event.answer else 0
            self.answers[event.ward_code] += 1
        elif indicator.aggregation is Aggregation.DISTINCT_AREAS and event.area_id is not None:
            self.area_events[(indicator.code, event.area_id)] += 1
        elif indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS and event.household_ref is not None:
            self.households.add((indicator.code, event.ward_code, event.household_ref))

    def per_ward(self, wards: list[str], areas: dict[int | None, Area]) -> PerWard:
        counted = Counter(self.sums)
        for (code, area_id), held in self.area_events.items():
            area = areas[area_id]
            threshold = MEETING_THRESHOLD if code == "1-1" else 1  # 「定期的に」 applies to meetings only
            if area.roster_provided and area.active and held >= threshold:
                counted[(area.ward_code, code)] += 1
        for code, ward, _ref in self.households:
            counted[(ward, code)] += 1
        roster = Counter(area.ward_code for area in areas.values() if area.roster_provided and area.active)

        def figure(ward: str, code: str, denominator: Denominator) -> tuple[int, int | None]:
            if denominator is Denominator.ROSTER_AREAS:
                return counted[(ward, code)], roster[ward]
            if denominator is Denominator.SURVEY_ANSWERS:
                return counted[(ward, code)], self.answers[ward]
            return counted[(ward, code)], None

        return {ward: {i.code: figure(ward, i.code, i.denominator) for i in INDICATORS} for ward in wards}


# --- measuring ------------------------------------------------------------------------------------------------

Way = Callable[[AsyncSession], Awaitable[PerWard]]


async def _measure(sessions: async_sessionmaker[AsyncSession], way: Way, runs: int) -> Measurement:
    """Median wall time of `runs` runs (after one warm-up when repeated), then peak memory in a separate run.

    Memory is traced in its own run: tracemalloc slows allocation-heavy code several-fold, which would
    flatter the naive way's time.
    """
    if runs > 1:
        await _once(sessions, way)
    times: list[float] = []
    result: PerWard = {}
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        result = await _once(sessions, way)
        times.append((time.perf_counter() - started) * 1000)
    return Measurement(statistics.median(times), await _peak_mb(sessions, way), result)


async def _peak_mb(sessions: async_sessionmaker[AsyncSession], way: Way) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        await _once(sessions, way)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20


async def _once(sessions: async_sessionmaker[AsyncSession], way: Way) -> PerWard:
    async with sessions() as session:
        return await way(session)


async def _window_sizes(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Events dated in the window, and the live (non-voided) ones among them."""
    live = sa.case((col(Event.voided_at).is_(None), 1), else_=0)
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(live), 0)).where(
        col(Event.occurred_on).between(fiscal_year_start(FISCAL_YEAR), AS_OF)
    )
    async with sessions() as session:
        in_window, live_rows = (await session.execute(query)).one()
    return int(in_window), int(live_rows)


# --- checking and reporting -----------------------------------------------------------------------------------


def _check_agreement(results: dict[str, PerWard], events: int) -> None:
    """Every way must give the same value and denominator for every ward × indicator."""
    (reference_name, reference), *others = results.items()
    expected_cells = len(reference) * len(INDICATORS)
    problems: list[str] = []
    if len(reference) != 24 or any(set(values) != {i.code for i in INDICATORS} for values in reference.values()):
        problems.append(f"{reference_name}: expected 24 wards × {len(INDICATORS)} indicators")
    for name, other in others:
        for ward in sorted(set(reference) | set(other)):
            for code in sorted(set(reference.get(ward, {})) | set(other.get(ward, {}))):
                mine, theirs = reference.get(ward, {}).get(code), other.get(ward, {}).get(code)
                if mine != theirs:
                    problems.append(f"{ward} {code}: {reference_name} {mine} != {name} {theirs}")
    if problems:
        shown = "\n  ".join(problems[:30])
        more = f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise ResultsDifferError(f"results differ ({len(problems)} cells):\n  {shown}{more}")
    names = " = ".join(name.split(" ", 1)[0] for name in results)
    print(f"check at {events:,} events: {names} on all {expected_cells} ward × indicator cells (values, denominators)")


def _figures(
    events: int,
    in_window: int,
    live: int,
    d: Measurement,
    b: Measurement,
    c: Measurement,
    growth: dict[int, tuple[float, float]],
) -> dict[str, Any]:
    d_over_b, c_over_d = d.ms / b.ms, c.ms / d.ms
    smallest, largest = min(growth), max(growth)
    d_growth = growth[largest][0] / growth[smallest][0]
    city = {i.code: sum(values[i.code][0] for values in d.result.values()) for i in INDICATORS}
    return {
        "events": events,
        "fiscal_year": FISCAL_YEAR,
        "as_of": AS_OF.isoformat(),
        "events_in_window": in_window,
        "live_events_in_window": live,
        "d_ms": d.ms,
        "b_ms": b.ms,
        "c_ms": c.ms,
        "d_peak_mb": d.peak_mb,
        "b_peak_mb": b.peak_mb,
        "c_peak_mb": c.peak_mb,
        "d_over_b": d_over_b,
        "c_over_d": c_over_d,
        "growth": {size: {"d_ms": dm, "b_ms": bm} for size, (dm, bm) in sorted(growth.items())},
        "d_growth": d_growth,
        "targets": {
            "d/b <= 0.1": d_over_b <= TARGET_D_OVER_B,
            "c/d >= 20": c_over_d >= TARGET_C_OVER_D,
            "d < 20 ms": d.ms < TARGET_D_MS,
            "d flat (<= 1.2x)": d_growth <= TARGET_D_GROWTH,
        },
        "city_values": city,
    }


def _print_table(f: dict[str, Any]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    targets: dict[str, bool] = f["targets"]
    growth: dict[int, dict[str, float]] = f["growth"]
    smallest, largest = min(growth), max(growth)
    lines = [
        f"totals: {f['db']}, {f['events']:,} events in DB; FY{f['fiscal_year']} as of {f['as_of']}, city + 24 wards, "
        f"{len(INDICATORS)} indicators",
        f"  events in the fiscal year window: {f['events_in_window']:,} ({f['live_events_in_window']:,} live)",
        f"  {'way':<56}{'time ms':>10}{'peak MB':>10}",
        f"  {'(d) indicator_totals on rollups, median of 25 (+ months)':<56}{f['d_ms']:>10.1f}{f['d_peak_mb']:>10.1f}",
        f"  {'(b) one hand-written SQL on the events, median of 5':<56}{f['b_ms']:>10.1f}{f['b_peak_mb']:>10.1f}",
        f"  {'(c) naive: ORM objects + Python counting, 1 run':<56}{f['c_ms']:>10.1f}{f['c_peak_mb']:>10.1f}",
        f"  growth with the events table   {'events':>12}{'(d) ms':>10}{'(b) ms':>10}{'d/b':>8}",
    ]
    for size, times in growth.items():
        lines.append(
            f"  {'':<32}{size:>12,}{times['d_ms']:>10.1f}{times['b_ms']:>10.1f}{times['d_ms'] / times['b_ms']:>8.3f}"
        )
    lines += [
        f"  {'target':<34}{'value':>12}  {'goal':<10}result",
        f"  {'d/b':<34}{f['d_over_b']:>12.3f}  {'<= 0.1':<10}{verdict(targets['d/b <= 0.1'])}",
        f"  {'d':<34}{f['d_ms']:>9.1f} ms  {'< 20 ms':<10}{verdict(targets['d < 20 ms'])}",
        f"  {f'd at {largest:,} ÷ d at {smallest:,}':<34}{f['d_growth']:>12.2f}  {'<= 1.2':<10}"
        f"{verdict(targets['d flat (<= 1.2x)'])}",
        f"  {'c/d':<34}{f['c_over_d']:>12.1f}  {'>= 20':<10}{verdict(targets['c/d >= 20'])}",
        "  (b) is the floor for reading the events: per-ward figures only; (d) also builds the per-month series.",
        "  peak MB: tracemalloc, in a separate run from the timed ones (tracing slows allocation-heavy code).",
    ]
    print("\n".join(lines))


def verdicts(f: dict[str, Any]) -> list[Verdict]:
    targets: dict[str, bool] = f["targets"]
    return [
        Verdict("(d) rollups ÷ (b) floor SQL", f"{f['d_over_b']:.3f}", "<= 0.1", targets["d/b <= 0.1"]),
        Verdict("(d) indicator_totals on rollups", f"{f['d_ms']:.1f} ms", "< 20 ms", targets["d < 20 ms"]),
        Verdict("(d) at 3× ÷ at 0.1× the events", f"{f['d_growth']:.2f}", "<= 1.2", targets["d flat (<= 1.2x)"]),
        Verdict("(c) naive ÷ (d)", f"{f['c_over_d']:.1f}", ">= 20", targets["c/d >= 20"]),
    ]
