"""/reopen WARD YYYY-MM REASON: admins and city supervisors open a locked ward-month again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.month_notices import tell_withdrawn
from bot.scope import is_city_wide
from bot.texts import month_label, personal_data_labels, text
from models.approval import withdrawn_in
from models.db import session_scope
from models.fiscal import parse_year_month
from models.fiscal import today as japan_today
from models.locks import reopen_month
from models.privacy import PersonalDataError
from models.tables import Ward


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [CommandHandler("reopen", on_reopen)]


async def on_reopen(update: Update, context: IntakeContext) -> None:
    lang = language(update)
    if not is_city_wide(context.staff):
        await show(update, text("not_allowed", lang))
        return
    args = context.args or []
    parsed = parse_year_month(args[1]) if len(args) >= 3 else None
    if parsed is None:
        await show(update, text("reopen_usage", lang))
        return
    ward_code, reason = args[0], " ".join(args[2:])
    try:
        async with session_scope(context.sessions) as session:
            ward = await session.get(Ward, ward_code)
            if ward is None:
                raise ValueError(f"unknown ward code {ward_code}")
            reopened = await reopen_month(
                session,
                ward_code,
                *parsed,
                reason=reason,
                by_staff_id=context.staff.id,
                today=japan_today(),
                lock_business_days=context.settings.lock_business_days,
            )
            withdrawn = withdrawn_in(session)
    except PersonalDataError as found:
        await show(update, text("note_personal", lang, what=personal_data_labels(found.kinds, lang)))
        return
    except ValueError as error:
        await show(update, text("reopen_invalid", lang, reason=str(error)))
        return
    month = month_label(*parsed, lang)
    await show(
        update,
        text(
            "reopened",
            lang,
            ward=ward.name_ja if lang == "ja" else ward.name_en,
            month=month,
            closes=reopened.closes_on.isoformat(),
            reason=reopened.reason,
        ),
    )
    await tell_withdrawn(context.bot, context.sessions, withdrawn)
