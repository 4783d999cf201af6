"""`python -m bench [--events N] [--only NAME] [--db sqlite|postgresql|both]`: run the benchmarks (quick runs:
BENCH_EVENTS=50000). `--db postgresql` runs totals, intake, sheet and supervisors on the PostgreSQL server of
BENCH_DATABASE_URL (`bench.postgres`); `both` runs each on SQLite, then on PostgreSQL, and prints them side by side.

Exits non-zero when a benchmark's ways of computing disagree: a timing of different work is worthless.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bench import (
    dashboard_bench,
    followups_bench,
    intake_bench,
    postgres,
    privacy_bench,
    push_bench,
    reminder_bench,
    sheet_bench,
    supervisor_bench,
    totals_bench,
)
from bench.driver import BenchmarkBrokeError
from bench.harness import Verdict, side_by_side
from bench.store import DATABASES, SQLITE, Store

DEFAULT_EVENTS = 1_000_000
Benchmark = Callable[[int, Store], Awaitable[Any]]
BENCHMARKS: dict[str, Benchmark] = {
    "totals": lambda events, store: totals_bench.run(events, store=store),
    "intake": lambda events, store: intake_bench.run(big_events=events, store=store),
    "reminders": lambda _events, _store: reminder_bench.run(),
    "privacy": lambda _events, _store: privacy_bench.run(),
    "sheet": lambda events, store: sheet_bench.run(events, store=store),
    "push": lambda events, _store: push_bench.run(events),
    "supervisors": lambda events, store: supervisor_bench.run(events, store=store),
    "followups": lambda _events, _store: followups_bench.run(),
    "dashboard": lambda events, store: dashboard_bench.run(events, store=store),
}
ON_POSTGRESQL = ("totals", "intake", "sheet", "supervisors", "dashboard")
# What each benchmark judged, from what its run returned: the rows of the side-by-side table.
VERDICTS: dict[str, Callable[[Any], list[Verdict]]] = {
    "totals": totals_bench.verdicts,
    "intake": intake_bench.verdicts,
    "sheet": sheet_bench.verdicts,
    "supervisors": supervisor_bench.verdicts,
    "dashboard": dashboard_bench.verdicts,
}

# A benchmark whose ways of computing disagree, or whose bot misbehaved, fails the run.
BROKEN = (
    totals_bench.ResultsDifferError,
    BenchmarkBrokeError,
    sheet_bench.SheetDisagreesError,
    supervisor_bench.SupervisorBenchBrokeError,
    followups_bench.BenchmarkBrokeError,
    dashboard_bench.DashboardBenchBrokeError,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--events",
        type=int,
        default=int(os.environ.get("BENCH_EVENTS", DEFAULT_EVENTS)),
        help=f"events in the synthetic database (default: $BENCH_EVENTS or {DEFAULT_EVENTS:,})",
    )
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run just this benchmark")
    parser.add_argument(
        "--db",
        choices=[*DATABASES, "both"],
        default="sqlite",
        help="where the datasets live: SQLite files (default), the PostgreSQL server of $BENCH_DATABASE_URL "
        f"(default {postgres.DEFAULT_URL}), or both in turn; PostgreSQL runs {', '.join(ON_POSTGRESQL)}",
    )
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be positive")
    if args.db != "sqlite" and args.only is not None and args.only not in ON_POSTGRESQL:
        parser.error(f"--only {args.only} runs on SQLite only (--db {args.db} runs {', '.join(ON_POSTGRESQL)})")
    return args


async def run_all(events: int, only: str | None, db: str = "sqlite") -> None:
    stores = [Store(name) for name in DATABASES] if db == "both" else [Store(db)]
    judged: dict[str, dict[str, list[Verdict]]] = {}
    if db != "sqlite":
        await postgres.ensure_base()  # an unreachable server: one line, before any SQLite benchmark runs
    for name, benchmark in BENCHMARKS.items():
        if only not in (None, name):
            continue
        for store in stores:
            if store != SQLITE and name not in ON_POSTGRESQL:
                print(f"{name}: SQLite only, not run on {store.label}")
                continue
            figures = await benchmark(events, store)
            if name in VERDICTS:
                judged.setdefault(name, {})[store.label] = VERDICTS[name](figures)
    if len(stores) > 1 and judged:
        print("\n".join(side_by_side(judged, [store.label for store in stores])))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(run_all(args.events, args.only, args.db))
    except BROKEN as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
