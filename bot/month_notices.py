"""Messages to a ward's supervisors about their month's confirmation (`models.approval`): withdrawn by a change,
accepted or returned by the city. Sent after the change has been saved; not a feature (several features send
them: the logging card, /undo and voids, /reopen, /accept and /return)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.texts import month_label, text
from models.approval import MonthKey, State, Withdrawal, supervisors_of
from models.db import session_scope
from models.reference import ward_names

log = logging.getLogger(__name__)

# What withdrew a confirmation (models.approval.withdraw_on_change's cause) → the catalog's words for it.
CAUSES = {
    "bot": "cause_entry",
    "correction": "cause_correction",
    "void": "cause_void",
    "undo": "cause_undo",
    "reopen": "cause_reopen",
}


async def tell_withdrawn(bot: Bot, sessions: async_sessionmaker[AsyncSession], withdrawn: Sequence[Withdrawal]) -> None:
    """「都島区の10月分の確認（と市の承認）を取り消しました…」 to each of the ward's supervisors."""
    for withdrawal in withdrawn:
        key = "approval_withdrawn_accepted" if withdrawal.was is State.ACCEPTED else "approval_withdrawn"
        cause = CAUSES.get(withdrawal.cause, "cause_entry")
        await tell_ward(bot, sessions, withdrawal.key, key, cause=cause)


async def tell_ward(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    month: MonthKey,
    key: str,
    *,
    cause: str | None = None,
    reason: str = "",
) -> int:
    """One message to each active supervisor of the month's ward, in their language; how many were sent."""
    async with session_scope(sessions) as session:
        supervisors = await supervisors_of(session, month.ward_code)
        names = await ward_names(session)
    sent = 0
    for supervisor in supervisors:
        lang = supervisor.language if supervisor.language in ("ja", "en") else "ja"
        ward_ja, ward_en = names.get(month.ward_code, (month.ward_code, month.ward_code))
        values = {
            "ward": ward_ja if lang == "ja" else ward_en,
            "month": month_label(month.year, month.month, lang),
            "yyyymm": f"{month.year}-{month.month:02d}",
            "reason": reason,
        }
        if cause is not None:
            values["cause"] = text(cause, lang)
        try:
            await bot.send_message(supervisor.telegram_user_id, text(key, lang, **values))
        except TelegramError:
            log.warning("approval notice to staff=%s failed", supervisor.id, exc_info=True)
            continue
        sent += 1
    return sent
