"""Exactly-once sends: every message is recorded (kind, period, recipient) before it goes out and marked after.

A second run — a retry, a restart, a second process started later — finds the record and does not send
again. A send that crashed between "recorded" and "sent" is still pending, so the next run sends it: a
reminder is never lost; it could repeat only if the process died in the instant between Telegram accepting
it and the row being marked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from models.db import session_scope
from models.staff import Recipient
from models.tables import Delivery, Staff, utcnow

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3  # network hiccups; RetryAfter is waited out by the rate limiter (or here, without one)
CONCURRENT_SENDS = 30  # enough to keep the rate limiter's 30 messages/s busy
Send = Callable[[Staff], Awaitable[object]]
R = TypeVar("R", bound=Recipient)  # a Staff row, or the plain columns a bulk run reads (models.staff.Recipient)


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


@dataclass
class Report:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    newly_unreachable: list[Recipient] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome] += 1


async def broadcast(
    sessions: async_sessionmaker[AsyncSession],
    recipients: Sequence[R],
    kind: str,
    period: str,
    send: Callable[[R], Awaitable[object]],
    concurrency: int = CONCURRENT_SENDS,
) -> Report:
    """Send once per recipient (kind, period), `concurrency` at a time, within the bot's rate limiter."""
    report = Report()
    gate = asyncio.Semaphore(concurrency)

    async def one(staff: R) -> None:
        async with gate:
            outcome = await deliver_once(sessions, staff, kind, period, send)
        report.add(outcome)
        if outcome is Outcome.UNREACHABLE:
            report.newly_unreachable.append(staff)

    await asyncio.gather(*(one(staff) for staff in recipients))
    log.info("%s %s: %s", kind, period, {outcome.value: n for outcome, n in report.counts.items()})
    return report


async def deliver_once(
    sessions: async_sessionmaker[AsyncSession], staff: R, kind: str, period: str, send: Callable[[R], Awaitable[object]]
) -> Outcome:
    delivery_id = await _claim(sessions, staff, kind, period)
    if delivery_id is None:
        return Outcome.ALREADY_SENT
    try:
        await _send_with_retries(send, staff)
    except Forbidden:
        await _finish(sessions, delivery_id, "unreachable", "Forbidden", staff_unreachable=staff.id)
        log.warning("staff=%s blocked the bot: marked unreachable", staff.id)
        return Outcome.UNREACHABLE
    except TelegramError as error:
        await _finish(sessions, delivery_id, "failed", type(error).__name__)
        log.warning("%s %s to staff=%s failed: %s", kind, period, staff.id, type(error).__name__)
        return Outcome.FAILED
    await _finish(sessions, delivery_id, "sent", None)
    return Outcome.SENT


async def _claim(sessions: async_sessionmaker[AsyncSession], staff: Recipient, kind: str, period: str) -> int | None:
    """Record the send before making it; None when it was already sent (or the person is unreachable)."""
    assert staff.id is not None
    try:
        async with session_scope(sessions) as session:
            delivery = Delivery(kind=kind, period=period, staff_id=staff.id, attempts=1)
            session.add(delivery)
            await session.flush()
            return delivery.id
    except IntegrityError:
        pass
    async with session_scope(sessions) as session:
        existing = (await session.scalars(_key(kind, period, staff.id).with_for_update())).one()
        if existing.status in ("sent", "unreachable"):
            return None
        existing.attempts += 1  # pending (a crash before "sent") or failed: send it now
        return existing.id


def _key(kind: str, period: str, staff_id: int) -> SelectOfScalar[Delivery]:
    return select(Delivery).where(
        col(Delivery.kind) == kind, col(Delivery.period) == period, col(Delivery.staff_id) == staff_id
    )


async def _send_with_retries(send: Callable[[R], Awaitable[object]], staff: R) -> None:
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await send(staff)
            return
        except RetryAfter as error:  # only reaches here without a rate limiter, or after its own retries
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(_seconds(error.retry_after))
        except Forbidden:
            raise
        except NetworkError:  # includes TimedOut
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(attempt)


def _seconds(retry_after: int | timedelta) -> float:
    """PTB 22 gives seconds or a timedelta, depending on PTB_TIMEDELTA."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def _finish(
    sessions: async_sessionmaker[AsyncSession],
    delivery_id: int,
    status: str,
    error: str | None,
    staff_unreachable: int | None = None,
) -> None:
    async with session_scope(sessions) as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        delivery.status, delivery.error = status, error
        if status == "sent":
            delivery.sent_at = utcnow()
        if staff_unreachable is not None:
            staff = await session.get(Staff, staff_unreachable)
            if staff is not None and staff.unreachable_at is None:
                staff.unreachable_at = utcnow()
