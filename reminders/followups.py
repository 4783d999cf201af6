"""The daily run's follow-up part: each holder's due and overdue plans in one message, exactly once a day; the ward
supervisor asked to hand over the plans of a member deactivated or away on long leave; a new holder told.

One indexed query finds the due plans of every holder (`models.followups.due_by_holder`): the run reads the open
plans due by today, never the closed history or the plans still ahead. Sends go through the delivery table and the
bot's rate limiter like the month-end reminders (reminders.delivery), so a second run the same day sends nothing
twice and a crash is made up by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from models.config import TOKYO, Settings
from models.db import session_scope
from models.fiscal import is_business_day
from models.followups import (
    DuePlan,
    Holder,
    away_since,
    due_by_holder,
    handovers_since,
    needing_handover,
    ward_supervisors,
)
from models.staff import Recipient
from models.tables import Staff
from reminders.delivery import Report, broadcast, deliver_once

HANDOVER_TOLD_WITHIN = timedelta(days=7)  # a handover from the command line is told by a run within a week


class FollowupMessenger(Protocol):
    """What the bot says about follow-ups (bot/reminder_messages.py)."""

    async def remind_followups(self, bot: Bot, staff: Holder, plans: Sequence[DuePlan], today: date) -> None: ...

    async def ask_handover(self, bot: Bot, supervisor: Staff, member: Staff, count: int) -> None: ...

    async def tell_new_holder(self, bot: Bot, staff: Staff, from_name: str, count: int) -> None: ...


@dataclass
class FollowupReport:
    reminders: Report | None = None
    handover_asks: int = 0
    holders_told: int = 0
    newly_unreachable: list[Recipient] = field(default_factory=list)


async def run_followups(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], settings: Settings, messenger: FollowupMessenger, day: date
) -> FollowupReport:
    """On a business day: remind every holder of their due plans; every day: hand-over asks and new holders told."""
    report = FollowupReport()
    if is_business_day(day):
        async with session_scope(sessions) as session:
            holders = await due_by_holder(session, day)
        plans = {staff.id: items for staff, items in holders}
        report.reminders = await broadcast(
            sessions,
            [staff for staff, _items in holders],
            "followup",
            day.isoformat(),
            lambda staff: messenger.remind_followups(bot, staff, plans[staff.id], day),
        )
        report.newly_unreachable += report.reminders.newly_unreachable
    report.handover_asks = await _ask_handovers(bot, sessions, settings, messenger, day)
    report.holders_told = await _tell_new_holders(bot, sessions, messenger, day)
    return report


async def _ask_handovers(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], settings: Settings, messenger: FollowupMessenger, day: date
) -> int:
    async with session_scope(sessions) as session:
        away = await needing_handover(session, day, settings.long_leave_days)
        asks = [(member, count, await ward_supervisors(session, member.ward_code)) for member, count in away]
    sent = 0
    for member, count, supervisors in asks:
        for supervisor in supervisors:

            async def ask(to: Staff, member: Staff = member, count: int = count) -> None:
                await messenger.ask_handover(bot, to, member, count)

            period = f"{member.id}:{away_since(member)}"
            sent += await deliver_once(sessions, supervisor, "handover_ask", period, ask) == "sent"
    return sent


async def _tell_new_holders(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], messenger: FollowupMessenger, day: date
) -> int:
    since = datetime.combine(day, datetime.min.time(), TOKYO) - HANDOVER_TOLD_WITHIN
    async with session_scope(sessions) as session:
        handovers = []
        for audit_id, from_id, to_id, moved in await handovers_since(session, since):
            source, target = await session.get(Staff, from_id), await session.get(Staff, to_id)
            if source is not None and target is not None and target.active:
                handovers.append((audit_id, source.display_name, target, moved))
    told = 0
    for audit_id, from_name, target, moved in handovers:

        async def tell(to: Staff, from_name: str = from_name, moved: int = moved) -> None:
            await messenger.tell_new_holder(bot, to, from_name, moved)

        told += await deliver_once(sessions, target, "handover", str(audit_id), tell) == "sent"
    return told
