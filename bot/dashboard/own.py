"""A member's own page of the dashboard (`GET mine`): their entries dated this month and their open follow-ups. The
only answer with household codes, and only the member's own. Computed in the figures process, never kept (a worker
who has just logged must see it), like the supervisors' views (`bot.dashboard.answers`)."""

from __future__ import annotations

from typing import Any

from bot.dashboard.access import Asker, Params
from bot.texts import kind_label
from models.db import session_scope
from models.entries.read import entries_of_month
from models.followups import open_plans_of, plans_last_entries, quiet_for

Json = dict[str, Any]


async def mine(_params: Params, asker: Asker) -> Json:
    """The member's own entries dated this month and their open follow-ups: the only answer with household codes,
    and only the member's own."""
    staff, today = asker.staff, asker.today
    quiet_days = asker.runtime.settings.followup_quiet_days
    async with session_scope(asker.runtime.sessions) as session:
        entries = await entries_of_month(session, staff.id, today)
        plans = await open_plans_of(session, staff.id or 0)
        last = await plans_last_entries(session, plans)
    return {
        "month": f"{today:%Y-%m}",
        "entries": [
            {
                "id": event.id,
                "day": event.occurred_on.isoformat(),
                "kind": event.kind,
                "kind_label": kind_label(event.kind, asker.lang),
                "count": event.number,
                "household": event.household_ref,
                "corrected": event.corrects_event_id is not None,
                "voided": event.voided,
            }
            for event in entries
        ],
        "followups": [
            {
                "id": plan.id,
                "household": plan.household_ref,
                "due_on": plan.due_on.isoformat(),
                "purpose": plan.purpose,
                "overdue": plan.due_on < today,
                "quiet": quiet_for(last.get((plan.ward_code, plan.household_ref)), today, quiet_days),
            }
            for plan in plans
        ],
    }
