"""Who a staff member is: their role (what they may do and see) and their organisation (what they log)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    WORKER = "worker"
    WARD_SUPERVISOR = "ward_supervisor"
    CITY_SUPERVISOR = "city_supervisor"
    ADMIN = "admin"


class Organisation(StrEnum):
    WATCH_OFFICE = "watch_office"  # 見守り相談室 (inside each 区社協)
    WARD_COUNCIL = "ward_council"  # 区社協
    HEALTH_CENTRE = "health_centre"  # 区保健福祉センター
    CITY = "city"  # 市 (welfare bureau)
