"""The benchmarks' dataset with more history: as many events a day in FY2024–2026, and the years before added."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bench.dataset import build_dataset, cache_path, total_events
from bot.offline.synthetic import GENERATOR_VERSION
from models.db import engine_scope

EVENTS = 20_000


async def _events_by_fiscal_year(url: str) -> dict[int, int]:
    fiscal_year = sa.text(
        "SELECT CAST(strftime('%Y', occurred_on) AS INTEGER) - (CAST(strftime('%m', occurred_on) AS INTEGER) < 4), "
        "COUNT(*) FROM event GROUP BY 1"
    )
    async with engine_scope(url) as engine, engine.connect() as connection:
        return {int(year): count for year, count in (await connection.execute(fiscal_year)).all()}


async def test_history_years_add_earlier_years_at_the_same_volume_a_day(tmp_path: Path) -> None:
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'{years}.db'}" for years in (0, 2)]
    await build_dataset(urls[0], EVENTS)
    await build_dataset(urls[1], EVENTS, history_years=2)

    default, history = [await _events_by_fiscal_year(url) for url in urls]

    assert sorted(default) == [2024, 2025, 2026]
    assert sorted(history) == [2022, 2023, 2024, 2025, 2026]
    assert sum(default.values()) == EVENTS
    assert sum(history.values()) == total_events(EVENTS, 2) > EVENTS
    for year in (2024, 2025, 2026):  # the same volume a day: within the draw's noise
        assert abs(history[year] - default[year]) < 0.05 * default[year]
    assert abs(history[2022] - history[2024]) < 0.05 * history[2024]  # as busy as FY2024


def test_the_default_dataset_keeps_its_cache_name_and_size() -> None:
    assert cache_path(1_000_000, 7).name == f"events-1000000-7-g{GENERATOR_VERSION}.db"
    assert cache_path(1_000_000, 7, 7).name == f"events-1000000-7-g{GENERATOR_VERSION}-h7.db"
    assert total_events(1_000_000) == 1_000_000
    assert cache_path(1_000_000, 7, 0, 18).name == f"events-1000000-7-g{GENERATOR_VERSION}-w18.db"
