"""The personal-data guard on the labelled corpus: what it catches, how often it refuses a clean note, what it costs.

The corpus (`tests/data/privacy_corpus.tsv`) holds notes written the way CSWs write them, each labelled with the
personal data it holds (name, phone, id_number, birth_date, email, postal_code, address) or "-" for an ordinary
note. Recall: the share of personal notes whose labelled kind the guard names. False refusals: the share of
ordinary notes it refuses. Cost: `personal_data_in` per note (p50, p99) against a bare `re.search` of one pattern
(a phone number) on the same notes: the floor for any check at all. The dictionary's one-off load is shown apart.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path
from typing import Any

from models.privacy import PersonalData, personal_data_in

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy_corpus.tsv"
ORDINARY = "-"
PASSES = 40  # timed passes over the corpus (about 9,000 checks)
TARGET_RECALL = 0.97
TARGET_FALSE_REFUSALS = 0.03
TARGET_P99_MS = 2.0
ONE_PATTERN = re.compile(r"(?<!\d)0\d{1,4}[-(]?\d{1,4}[-)]?\d{3,4}(?!\d)")  # the old phone rule


def labelled_notes(path: Path = CORPUS) -> list[tuple[str, str]]:
    """(kind or "-", note) for every line of the corpus (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    if any(len(row) != 2 for row in rows):
        raise ValueError(f"{path}: every line is kind<TAB>note")
    return [(kind, note) for kind, note in rows]


def accuracy(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """Recall on the personal notes (the labelled kind named), false refusals on the ordinary ones."""
    personal = [(PersonalData(kind), note) for kind, note in rows if kind != ORDINARY]
    ordinary = [note for kind, note in rows if kind == ORDINARY]
    missed = [note for kind, note in personal if kind not in personal_data_in(note)]
    refused = [note for note in ordinary if personal_data_in(note)]
    return {
        "personal": len(personal),
        "ordinary": len(ordinary),
        "recall": 1 - len(missed) / len(personal),
        "false_refusals": len(refused) / len(ordinary),
        "missed": missed,
        "refused": refused,
    }


def _timings(check: Any, notes: list[str]) -> list[float]:
    times = []
    for _ in range(PASSES):
        for note in notes:
            started = time.perf_counter_ns()
            check(note)
            times.append((time.perf_counter_ns() - started) / 1e6)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run() -> dict[str, Any]:
    rows = labelled_notes()
    notes = [note for _kind, note in rows]
    started = time.perf_counter()
    personal_data_in("山田宅訪問")  # loads the dictionary: once per process
    first_call_ms = (time.perf_counter() - started) * 1000
    figures = accuracy(rows)
    guard = _timings(personal_data_in, notes)
    floor = _timings(ONE_PATTERN.search, notes)
    figures |= {
        "first_call_ms": first_call_ms,
        "guard_p50_ms": _percentile(guard, 0.5),
        "guard_p99_ms": _percentile(guard, 0.99),
        "guard_mean_ms": statistics.fmean(guard),
        "floor_p50_ms": _percentile(floor, 0.5),
        "floor_p99_ms": _percentile(floor, 0.99),
    }
    figures["p50_ratio"] = figures["guard_p50_ms"] / figures["floor_p50_ms"]
    figures["p99_ratio"] = figures["guard_p99_ms"] / figures["floor_p99_ms"]
    _print(figures, len(guard))
    return figures


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print(f: dict[str, Any], checks: int) -> None:
    recall_ok = f["recall"] >= TARGET_RECALL
    refusals_ok = f["false_refusals"] <= TARGET_FALSE_REFUSALS
    lines = [
        f"privacy: the guard (models/privacy.py) on the labelled corpus, {f['personal']} notes with personal data "
        f"and {f['ordinary']} ordinary ones; {checks:,} timed checks ({PASSES} passes)",
        f"  recall (kind named)        {f['recall']:>7.1%}   target >= {TARGET_RECALL:.0%}   {_verdict(recall_ok)}",
        f"  false refusals             {f['false_refusals']:>7.1%}   target <= {TARGET_FALSE_REFUSALS:.0%}    "
        f"{_verdict(refusals_ok)}",
        f"  {'per note, ms':<27}{'p50':>8}{'p99':>8}{'mean':>8}",
        f"  {'(a) guard':<27}{f['guard_p50_ms']:>8.3f}{f['guard_p99_ms']:>8.3f}{f['guard_mean_ms']:>8.3f}",
        f"  {'(b) one re.search':<27}{f['floor_p50_ms']:>8.3f}{f['floor_p99_ms']:>8.3f}",
        f"  ratio guard ÷ re.search    p50 {f['p50_ratio']:.1f}   p99 {f['p99_ratio']:.1f}",
        f"  guard p99 {f['guard_p99_ms']:.3f} ms   target < {TARGET_P99_MS:.0f} ms   "
        f"{_verdict(f['guard_p99_ms'] < TARGET_P99_MS)}",
        f"  first call (loads the Sudachi dictionary, once per process): {f['first_call_ms']:.0f} ms",
    ]
    lines += [f"  missed: {note}" for note in f["missed"]]
    lines += [f"  refused: {note}" for note in f["refused"]]
    print("\n".join(lines))
