"""Who is asking and what they may see: the member behind a request's init data, their scope, and the request's
parameters read strictly. Every refusal is a `RefusedError` (a status and an error code), answered whole by the API.

The rules are the bot's own (`bot.scope`): supervisors only for supervisors' data, a ward supervisor only their
ward, an unreadable parameter refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.requests import Request
from telegram.ext import Application

from bot.context import RUNTIME, Runtime
from bot.dashboard.init_data import InitDataError, validate_init_data
from bot.scope import CITY, default_scope, is_supervisor, scope_allowed, ward_of
from bot.texts import language_of
from models.catalog import INDICATORS_BY_CODE, Indicator
from models.db import session_scope
from models.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start, month_end, reporting_month_end
from models.fiscal import today as japan_today
from models.reference import ward_exists
from models.tables import Staff

FIRST_PLAN_YEAR = 2024  # the plan's first fiscal year (as /totals)
AUTH_SCHEME = "tma "  # Authorization: tma <init data>
YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Params = Mapping[str, str]  # a request's parameters, each given once


class RefusedError(Exception):
    """The request is refused as a whole: `status` and the API's error code."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


UNAUTHORIZED, NOT_MEMBER = (401, "unauthorized"), (403, "not_member")
FORBIDDEN, BAD_REQUEST = (403, "forbidden"), (400, "bad_request")


@dataclass(frozen=True)
class Asker:
    """The active member behind a request, in the language of their Telegram client."""

    staff: Staff
    lang: str
    runtime: Runtime
    application: AnyApplication | None = None  # None in the figures process (bot.dashboard.answers)
    today: date = field(default_factory=japan_today)  # the day asked on (the figures process is told it)

    @property
    def supervisor(self) -> bool:
        return is_supervisor(self.staff)


def runtime_of(application: AnyApplication) -> Runtime:
    runtime: Runtime = application.bot_data[RUNTIME]
    return runtime


async def identify(request: Request, application: AnyApplication) -> Asker:
    """The member whose init data signs the request (RefusedError 401 unauthorized/expired, 403 not_member)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(AUTH_SCHEME):
        raise RefusedError(*UNAUTHORIZED)
    runtime = runtime_of(application)
    try:
        checked = validate_init_data(
            header[len(AUTH_SCHEME) :].strip(), application.bot.token, runtime.settings.webapp_auth_max_age
        )
    except InitDataError as error:
        raise RefusedError(401, error.problem.value) from None
    staff = await runtime.staff_cache.active_member(runtime.sessions, checked.user_id)
    if staff is None:
        raise RefusedError(*NOT_MEMBER)
    return Asker(staff, language_of(checked.language_code), runtime, application)


def query_params(request: Request) -> Params:
    """The query's parameters; a parameter given twice cannot be read (which one would count?)."""
    pairs = request.query_params.multi_items()
    if len({key for key, _value in pairs}) != len(pairs):
        raise RefusedError(*BAD_REQUEST)
    return dict(pairs)


async def body_params(request: Request) -> Params:
    """A POST's JSON object of plain values, as parameters (numbers as their digits)."""
    try:
        body = await request.json()
    except ValueError:
        raise RefusedError(*BAD_REQUEST) from None
    if not isinstance(body, dict) or not all(_plain(value) for value in body.values()):
        raise RefusedError(*BAD_REQUEST)
    return {str(key): str(value) for key, value in body.items() if value is not None}


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def require_supervisor(asker: Asker) -> None:
    if not asker.supervisor:
        raise RefusedError(*FORBIDDEN)


async def scope_of(asker: Asker, raw: str | None) -> str | None:
    """The ward code a request asks for (None: the city): omitted, the member's own scope; another ward or the city
    than a ward supervisor's own is forbidden; a ward that does not exist cannot be read."""
    scope = default_scope(asker.staff) if raw is None else raw
    if not scope_allowed(asker.staff, scope):
        raise RefusedError(*FORBIDDEN)
    if scope != CITY:
        async with session_scope(asker.runtime.sessions) as session:
            if not await ward_exists(session, scope):
                raise RefusedError(*BAD_REQUEST)
    return ward_of(scope)


@dataclass(frozen=True)
class When:
    """A fiscal year and the day its figures are as of."""

    fiscal_year: int
    as_of: date


def default_when(today: date) -> When:
    """Today, or the last month end while that month's entries are still coming in (as /totals)."""
    as_of = reporting_month_end(today) or today
    return When(fiscal_year_of(as_of), as_of)


def read_when(raw_year: str | None, raw_as_of: str | None, today: date | None = None) -> When:
    """`fy` and `as_of` as a request gives them (either may be omitted); BAD_REQUEST for anything unreadable, a year
    outside the plan, a day outside its year or in the future."""
    today = today or japan_today()
    if raw_year is None and raw_as_of is None:
        return default_when(today)
    as_of = read_day(raw_as_of) if raw_as_of is not None else None
    fiscal_year = read_year(raw_year, today) if raw_year is not None else fiscal_year_of(as_of or today)
    if as_of is None:  # the year's default: /totals' for this year, the year end for an earlier one
        usual = default_when(today).as_of
        as_of = usual if fiscal_year_of(usual) == fiscal_year else min(fiscal_year_end(fiscal_year), today)
    if not (fiscal_year_start(fiscal_year) <= as_of <= fiscal_year_end(fiscal_year)) or as_of > today:
        raise RefusedError(*BAD_REQUEST)
    if fiscal_year < FIRST_PLAN_YEAR:
        raise RefusedError(*BAD_REQUEST)
    return When(fiscal_year, as_of)


def read_year(raw: str, today: date) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise RefusedError(*BAD_REQUEST)
    year = int(raw)
    if not FIRST_PLAN_YEAR <= year <= fiscal_year_of(today):
        raise RefusedError(*BAD_REQUEST)
    return year


def read_day(raw: str) -> date:
    """An ISO day, `2026-11-30` exactly (not the other forms Python reads)."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise RefusedError(*BAD_REQUEST) from None
    if day.isoformat() != raw:
        raise RefusedError(*BAD_REQUEST)
    return day


def read_month(raw: str | None, default: date, today: date | None = None) -> date:
    """`YYYY-MM` (its first day): a month of the plan, not after this one; omitted, `default`'s month."""
    today = today or japan_today()
    if raw is None:
        return default.replace(day=1)
    found = YEAR_MONTH.fullmatch(raw)
    if found is None or not 1 <= int(found[2]) <= 12:
        raise RefusedError(*BAD_REQUEST)
    first = date(int(found[1]), int(found[2]), 1)
    if fiscal_year_of(first) < FIRST_PLAN_YEAR or first > today:
        raise RefusedError(*BAD_REQUEST)
    return first


def read_indicator(raw: str | None) -> Indicator:
    found = INDICATORS_BY_CODE.get(raw or "")
    if found is None:
        raise RefusedError(*BAD_REQUEST)
    return found


def month_text(day: date) -> str:
    return f"{day:%Y-%m}"


def is_month_end(day: date) -> bool:
    return day == month_end(day.year, day.month)
