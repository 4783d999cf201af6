"""The supervisors' benchmark works: on three small datasets, one with more history at the same volume a day and one
with a city's staff, every request is answered as it should be (no timings)."""

from __future__ import annotations

from pathlib import Path

from bench.dataset import CITY_WORKERS_PER_WARD, build_dataset
from bench.supervisor_bench import REQUESTS, Dataset, measure

EVENTS = 2_000


async def test_every_supervisor_request_is_answered_with_and_without_history(tmp_path: Path) -> None:
    urls: dict[Dataset, str] = {}
    for dataset in (Dataset(EVENTS), Dataset(EVENTS, history_years=2), Dataset(EVENTS, 0, CITY_WORKERS_PER_WARD)):
        name = dataset.label.replace("/", "-")
        urls[dataset] = f"sqlite+aiosqlite:///{tmp_path / name}.db"
        await build_dataset(
            urls[dataset],
            dataset.events,
            history_years=dataset.history_years,
            workers_per_ward=dataset.workers_per_ward,
        )

    served = await measure(urls, runs=2)  # raises when a reply is missing, wrong, an error or a refusal

    assert [one.dataset.label for one in served] == ["2k", "2k/city", "2k/5y"]
    for one in served:
        assert one.errors == []
        measured = {r.name: 2 for r in REQUESTS if one.dataset.city_staff or not r.city_staff_only}
        assert {name: len(seconds) for name, seconds in one.times.items()} == measured
        sent = one.api.calls_to("sendDocument"), one.api.calls_to("sendPhoto")
        assert [len(calls) for calls in sent] == [
            2 * sum(r.renders and "/sheet" in r.action for r in REQUESTS),
            2 * sum(r.renders and "/sheet" not in r.action for r in REQUESTS),
        ]


async def test_the_city_sized_dataset_pages_a_citys_missing_reporters(tmp_path: Path) -> None:
    city = Dataset(EVENTS, workers_per_ward=CITY_WORKERS_PER_WARD)
    url = f"sqlite+aiosqlite:///{tmp_path / 'city.db'}"
    await build_dataset(url, EVENTS, workers_per_ward=CITY_WORKERS_PER_WARD)
    [served] = await measure({city: url}, runs=1)
    chat = served.chats["city"]
    summary = next(m for m in chat.transcript if m.text.startswith("11月に記録がなく"))
    count = int(summary.text.splitlines()[0].rsplit(" ", 1)[1].removesuffix("人"))
    assert count > 24 * (CITY_WORKERS_PER_WARD - 2)  # all but one a ward, and the idle worker
    assert max(len(call.parameters.get("text", "")) for call in served.api.calls) <= 4096
