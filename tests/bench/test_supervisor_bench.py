"""The supervisors' benchmark works: on a small dataset every request is answered as it should be (no timings)."""

from __future__ import annotations

from pathlib import Path

from bench.dataset import build_dataset
from bench.supervisor_bench import REQUESTS, measure


async def test_every_supervisor_request_is_answered(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'small.db'}"
    await build_dataset(url, 2_000)

    served = await measure({2_000: url}, runs=2)  # raises when a reply is missing, wrong, an error or a refusal

    (small,) = served
    assert small.errors == []
    assert {name: len(seconds) for name, seconds in small.times.items()} == {r.name: 2 for r in REQUESTS}
    sent = small.api.calls_to("sendDocument"), small.api.calls_to("sendPhoto")
    assert [len(calls) for calls in sent] == [
        2 * sum(r.renders and "/sheet" in r.action for r in REQUESTS),
        2 * sum(r.renders and "/sheet" not in r.action for r in REQUESTS),
    ]
