"""How fast is the progress sheet on a city year? Against the floor for its numbers and the floor for its writing.

On the cached dataset (SQLite; PostgreSQL with `--db postgresql`), fiscal year 2025 as of 2026-03-31, for the city
and for one ward (27102):
(sheet) `models.sheet.workbook.write_sheet` into a file, as the bot's worker process and `intake sheet` run it;
(a) the totals engine alone for the same scope and the same plan years (the floor for the numbers);
(b) a bare XlsxWriter constant_memory write of as many cells as the sheet holds, no database (the floor for the
    writing).
Each measurement runs in a fresh process (peak memory = that process's peak RSS, interpreter and imports
included, as an operator would see it); time is the call alone (the sheet: its second build in the process, as in
the bot's long-lived worker), best of RUNS, taken in rounds. The written sheet is read back: its
figures must equal (a)'s, or the run fails.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.harness import Verdict
from bench.store import SQLITE, Store
from models.catalog import FISCAL_YEARS_OF_PLAN, INDICATORS, SHEETS
from models.db import engine_scope, session_factory, session_scope
from models.fiscal import fiscal_year_end
from models.sheet.goal_sheets import YEAR_COLUMNS, sheet_figure
from models.sheet.workbook import write_sheet
from models.totals import indicator_totals
from tests.sheet_reading import row_of

FISCAL_YEAR = 2025
AS_OF = date(2026, 3, 31)
WARD = "27102"
SEED = 7
RUNS = 3
TARGET_CITY_SECONDS = 10.0
TARGET_CITY_MB = 300.0
TARGET_WARD_SECONDS = 2.0
TARGET_CITY_OVER_FLOORS = 3.0


class SheetDisagreesError(RuntimeError):
    """The sheet's figures are not the engine's: timing it would be timing something wrong."""


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    detail: Any = None


# --- what runs in the fresh processes (module level: picklable) -----------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def sheet_in_process(url: str, ward: str | None, path: str) -> Measured:
    """The second build in this process: the bot's worker is long-lived (its imports and statement caches warm)."""

    async def build() -> float:
        async with engine_scope(url) as engine, session_scope(session_factory(engine)) as session:
            started = time.perf_counter()
            await write_sheet(session, Path(path), FISCAL_YEAR, AS_OF, ward)
            return time.perf_counter() - started

    asyncio.run(build())
    return Measured(asyncio.run(build()), _peak_mb())


def totals_in_process(url: str, ward: str | None) -> Measured:
    async def totals() -> tuple[float, dict[int, dict[str, str]]]:
        async with engine_scope(url) as engine, session_scope(session_factory(engine)) as session:
            started = time.perf_counter()
            figures = {}
            for year in FISCAL_YEARS_OF_PLAN:
                if year <= FISCAL_YEAR:
                    as_of = AS_OF if year == FISCAL_YEAR else fiscal_year_end(year)
                    figures[year] = await indicator_totals(session, year, as_of, ward)
            seconds = time.perf_counter() - started
        shown = {
            year: {i.code: sheet_figure(i, totals.indicators[i.code]) for i in INDICATORS}
            for year, totals in figures.items()
        }
        return seconds, shown

    seconds, shown = asyncio.run(totals())
    return Measured(seconds, _peak_mb(), shown)


def bare_write_in_process(rows: int, columns: int, path: str) -> Measured:
    import xlsxwriter  # type: ignore[import-untyped]

    row = ("27102", 123456, "2025-09-09", "outreach", "アウトリーチ", 3, None, "27102-H00012", "はい", "○", "x", 1)
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    body = workbook.add_format({"font_name": "游ゴシック", "font_size": 10, "border": 1})
    worksheet = workbook.add_worksheet("cells")
    for number in range(rows):
        worksheet.write_row(number, 0, row[:columns], body)
    workbook.close()
    return Measured(time.perf_counter() - started, _peak_mb())


def cells_in(path: str) -> tuple[int, int, dict[int, dict[str, str]]]:
    """Non-empty cells and the widest row of the written sheet, and its figures as the sheet shows them."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    cells, widest = 0, 1
    for worksheet in workbook.worksheets:
        for line in worksheet.iter_rows(values_only=True):
            filled = sum(1 for value in line if value is not None)
            cells += filled
            widest = max(widest, filled)
    workbook.close()
    full = load_workbook(path)
    shown: dict[int, dict[str, str]] = {}
    for indicator in INDICATORS:
        sheet = full[SHEETS[indicator.sheet - 1].goal]
        row = row_of(sheet, f"indicator:{indicator.code}")
        for year, column in YEAR_COLUMNS.items():
            value = sheet.cell(row=row, column=column).value
            if value is not None:
                shown.setdefault(year, {})[indicator.code] = str(value).removesuffix("※")
    return cells, widest, shown


# --- the benchmark --------------------------------------------------------------------------------------------


def _fresh(function: Any, *args: Any) -> Measured:
    """`function(*args)` in a process of its own (its peak memory is this measurement's alone)."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        result: Measured = pool.submit(function, *args).result()
    return result


def _best(runs: list[Measured]) -> Measured:
    return Measured(min(m.seconds for m in runs), max(m.peak_mb for m in runs), runs[0].detail)


async def run(events: int, seed: int = SEED, store: Store = SQLITE) -> dict[str, Any]:
    url = await store.dataset(events, seed)
    figures = await asyncio.to_thread(measure, url)
    figures["db"] = store.label
    _print(figures, events)
    return figures


def measure(url: str) -> dict[str, Any]:
    """The sheet, floor (a) and floor (b) for the city and the ward; the sheet's figures checked against (a)."""
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="intake-sheet-bench-") as folder:
        for scope, ward in (("city", None), ("ward", WARD)):
            # In rounds (the sheet, floor a, floor b, then again), so that a shared machine's changing load falls on
            # the three alike: the ratio of the sheet to its floors compares like with like.
            path = Path(folder) / f"{scope}.xlsx"
            runs: dict[str, list[Measured]] = {"sheet": [], "totals": [], "bare": []}
            for _ in range(RUNS):
                runs["sheet"].append(_fresh(sheet_in_process, url, ward, str(path)))
                cells, widest, shown = cells_in(str(path))
                runs["totals"].append(_fresh(totals_in_process, url, ward))
                if shown != runs["totals"][-1].detail:
                    raise SheetDisagreesError(f"{scope}: the sheet's figures differ from the totals engine's")
                rows = -(-cells // widest)
                runs["bare"].append(_fresh(bare_write_in_process, rows, widest, str(Path(folder) / "bare.xlsx")))
            sheet, totals, bare = (_best(runs[way]) for way in ("sheet", "totals", "bare"))
            figures[scope] = {
                "sheet": sheet,
                "totals": totals,
                "bare": bare,
                "cells": cells,
                "kb": path.stat().st_size // 1024,
            }
    return figures


def _print(f: dict[str, Any], events: int) -> None:
    print(
        f"sheet: FY{FISCAL_YEAR} as of {AS_OF} on {events:,} events ({f['db']}), each measured in a fresh process, "
        f"best of {RUNS} (in rounds); peak = the process's peak RSS"
    )
    print(f"  {'scope':<6}{'what':<40}{'seconds':>9}{'peak MB':>9}")
    for scope in ("city", "ward"):
        m = f[scope]
        for what, key in (
            ("sheet (write_sheet, streamed)", "sheet"),
            ("(a) totals engine, same scope and years", "totals"),
            (f"(b) bare write of {m['cells']:,} cells", "bare"),
        ):
            print(f"  {scope:<6}{what:<40}{m[key].seconds:>9.2f}{m[key].peak_mb:>9.0f}")
        print(f"  {scope:<6}{'file size':<40}{m['kb']:>8,} KB")
    print(f"  {'target':<46}{'value':>10}  {'goal':<10}result")
    for verdict in verdicts(f):
        print(f"  {verdict.target:<46}{verdict.value:>10}  {verdict.goal:<10}{verdict.result}")


def verdicts(f: dict[str, Any]) -> list[Verdict]:
    city, ward = f["city"], f["ward"]
    ratio = city["sheet"].seconds / (city["totals"].seconds + city["bare"].seconds)
    f["city_over_floors"] = ratio
    return [
        Verdict(
            "city sheet seconds", f"{city['sheet'].seconds:.2f}", "< 10 s", city["sheet"].seconds < TARGET_CITY_SECONDS
        ),
        Verdict(
            "city sheet peak MB", f"{city['sheet'].peak_mb:.0f}", "< 300 MB", city["sheet"].peak_mb < TARGET_CITY_MB
        ),
        Verdict(
            "ward sheet seconds", f"{ward['sheet'].seconds:.2f}", "< 2 s", ward["sheet"].seconds < TARGET_WARD_SECONDS
        ),
        Verdict("city sheet ÷ (floor a + floor b)", f"{ratio:.2f}", "<= 3.0", ratio <= TARGET_CITY_OVER_FLOORS),
    ]
