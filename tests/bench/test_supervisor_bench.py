"""The supervisors' benchmark works: on two small datasets, one with more history at the same volume a day, every
request is answered as it should be (no timings)."""

from __future__ import annotations

from pathlib import Path

from bench.dataset import build_dataset
from bench.supervisor_bench import REQUESTS, Dataset, measure

EVENTS = 2_000


async def test_every_supervisor_request_is_answered_with_and_without_history(tmp_path: Path) -> None:
    urls: dict[Dataset, str] = {}
    for dataset in (Dataset(EVENTS), Dataset(EVENTS, history_years=2)):
        urls[dataset] = f"sqlite+aiosqlite:///{tmp_path / f'{dataset.history_years}.db'}"
        await build_dataset(urls[dataset], dataset.events, history_years=dataset.history_years)

    served = await measure(urls, runs=2)  # raises when a reply is missing, wrong, an error or a refusal

    assert [one.dataset.label for one in served] == ["2k", "2k/5y"]
    for one in served:
        assert one.errors == []
        assert {name: len(seconds) for name, seconds in one.times.items()} == {r.name: 2 for r in REQUESTS}
        sent = one.api.calls_to("sendDocument"), one.api.calls_to("sendPhoto")
        assert [len(calls) for calls in sent] == [
            2 * sum(r.renders and "/sheet" in r.action for r in REQUESTS),
            2 * sum(r.renders and "/sheet" not in r.action for r in REQUESTS),
        ]
