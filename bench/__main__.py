"""`python -m bench [--events N] [--only NAME]`: run the benchmarks (quick runs: BENCH_EVENTS=50000).

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
    privacy_bench,
    push_bench,
    reminder_bench,
    sheet_bench,
    supervisor_bench,
    totals_bench,
)
from bench.driver import BenchmarkBrokeError

DEFAULT_EVENTS = 1_000_000
BENCHMARKS: dict[str, Callable[[int], Awaitable[dict[str, Any]]]] = {
    "totals": totals_bench.run,
    "intake": lambda events: intake_bench.run(big_events=events),
    "reminders": lambda _events: reminder_bench.run(),
    "privacy": lambda _events: privacy_bench.run(),
    "sheet": sheet_bench.run,
    "push": push_bench.run,
    "supervisors": supervisor_bench.run,
    "followups": lambda _events: followups_bench.run(),
    "dashboard": dashboard_bench.run,
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
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be positive")
    return args


async def run_all(events: int, only: str | None) -> None:
    for name, benchmark in BENCHMARKS.items():
        if only in (None, name):
            await benchmark(events)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(run_all(args.events, args.only))
    except BROKEN as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
