"""Entries that look wrong (issue 22, part 3), on the benchmark's dataset: how many of its entries the rule would
ask about and flag (aim: under 1 % of the realistic mix), how many mistyped counts it would catch (each count
typed with an extra digit, ×10 and ×10+n), and what reading the usual costs on an empty and on the big table.

The replay runs the rule of `models.entries.unusual` over the events in the order they were logged: each entry
is compared with the `WINDOW` entries of its kind in its ward logged before it (the city's, while its ward has
too few), as the bot compares a new entry with what is in the table when it is saved.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict, deque
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.catalog import KINDS_BY_CODE
from models.db import engine_scope, session_factory, session_scope
from models.entries.unusual import FLOOR, MIN_HISTORY, WINDOW, is_unusual, usual_count, usual_of
from models.tables import Event

READS = 200


@dataclass(frozen=True)
class FlagShare:
    entries: int  # live entries of kinds that take a count
    flagged: int
    typos: int  # entries whose count, typed with an extra digit, would be above the floor
    typos_caught: int
    read_ms: float  # the median time to read a ward's usual (one kind), ms

    @property
    def share(self) -> float:
        return self.flagged / self.entries if self.entries else 0.0

    @property
    def caught(self) -> float:
        return self.typos_caught / self.typos if self.typos else 0.0


async def flag_share(url: str) -> FlagShare:
    counted = [code for code, kind in KINDS_BY_CODE.items() if kind.takes_count]
    query = (
        sa.select(col(Event.ward_code), col(Event.kind), col(Event.count))
        .where(col(Event.voided_at).is_(None), col(Event.kind).in_(counted))
        .order_by(col(Event.logged_at), col(Event.id))
    )
    wards: dict[tuple[str, str], deque[int]] = defaultdict(lambda: deque(maxlen=WINDOW))
    city: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=WINDOW))
    entries = flagged = typos = caught = 0
    async with engine_scope(url) as engine:
        async with engine.connect() as connection:
            for ward, kind, count in (await connection.execute(query)).all():
                window = wards[(ward, kind)]
                usual = (
                    usual_of(list(window)) if len(window) >= MIN_HISTORY else usual_of(list(city[kind]), city_wide=True)
                )
                entries += 1
                flagged += count > FLOOR and is_unusual(count, usual)
                typo = count * 10 + count % 10  # "3" typed "33", "12" typed "122"
                if typo > FLOOR:
                    typos += 1
                    caught += is_unusual(typo, usual)
                window.append(count)
                city[kind].append(count)
        read_ms = await _read_ms(session_factory(engine))
    return FlagShare(entries, flagged, typos, caught, read_ms)


async def _read_ms(sessions: async_sessionmaker[AsyncSession]) -> float:
    timings = []
    async with session_scope(sessions) as session:
        for n in range(READS):
            started = time.perf_counter()
            await usual_count(session, ("outreach", "roster_provision")[n % 2], f"271{n % 24 + 2:02d}")
            timings.append(time.perf_counter() - started)
    return 1000 * statistics.median(timings)


def report(big: FlagShare, empty_read_ms: float) -> list[str]:
    goal = "< 1 %"
    verdict = "PASS" if big.share < 0.01 else "MISS"
    growth = big.read_ms / empty_read_ms if empty_read_ms else 0.0
    return [
        "",
        "entries that look wrong (issue 22): the rule replayed over the dataset, in logging order",
        f"  {'flagged share of entries with a count':<46}{100 * big.share:>9.2f} %  {goal:<10}{verdict}",
        f"    ({big.flagged:,} of {big.entries:,}; floor {FLOOR}, window {WINDOW})",
        f"  {'mistyped counts (an extra digit) caught':<46}{100 * big.caught:>9.1f} %  (context: {big.typos:,})",
        f"  {'reading the usual, p50 (big ÷ empty)':<46}{growth:>10.2f}  {'<= 1.5':<10}"
        f"{'PASS' if growth <= 1.5 else 'MISS'}  ({big.read_ms:.2f} ms ÷ {empty_read_ms:.2f} ms)",
    ]
