"""The dashboard's JSON API (docs/dashboard.md, "The API"): every request but `texts` is answered only after its
init data names an active member (`bot.dashboard.access.identify`); a refusal is answered whole, `{"error": …}`,
never with part of an answer.

The member's own views are here (`me`, `texts`, and `sheet`, which sends the workbook to the member's chat); the
supervisors' figures (`bot.dashboard.figures`) and a member's month (`bot.dashboard.own`) are computed in the figures
process (`bot.dashboard.answers`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram.error import TelegramError

from bot.context import FIGURES_POOL, RENDER_POOL
from bot.conversations.reports import send_sheet
from bot.dashboard.access import (
    BAD_REQUEST,
    FIRST_PLAN_YEAR,
    AnyApplication,
    Asker,
    Params,
    RefusedError,
    body_params,
    default_when,
    identify,
    query_params,
    read_when,
    require_supervisor,
    runtime_of,
    scope_of,
)
from bot.dashboard.answers import FOR_EVERY_MEMBER, VIEWS, FiguresService
from bot.render_pool import RenderPool
from bot.scope import CITY, is_city_wide, scope_name_of
from bot.texts import JA, PAGE_PREFIX, TEXTS, language_of
from models.catalog import FISCAL_YEARS_OF_PLAN
from models.db import session_scope
from models.fiscal import fiscal_year_of
from models.reference import wards_in_order
from models.sheet.build import SheetRequest, database_target

log = logging.getLogger(__name__)

FIGURES = "dashboard_figures"  # bot_data key: the application's FiguresService, made on first use

Json = dict[str, Any]
View = Callable[[Params, Asker], Awaitable[Json]]


async def answer_texts(request: Request) -> Response:
    """`GET texts?lang=`: the page's words (every `dash_` key of the catalog) in one language; no identity needed."""
    raw = request.query_params.get("lang")
    lang = JA if raw is None else language_of(raw)
    words = {key: entry.get(lang, entry[JA]) for key, entry in TEXTS.items() if key.startswith(PAGE_PREFIX)}
    return JSONResponse({"lang": lang, "texts": words})


async def me(_params: Params, asker: Asker) -> Json:
    """Who the member is and what they may choose: role, ward, the wards and years, the default day."""
    staff, today = asker.staff, asker.today
    default = default_when(today)
    async with session_scope(asker.runtime.sessions) as session:
        ward_name = await scope_name_of(session, staff.ward_code, asker.lang) if staff.ward_code else None
        every_ward = await wards_in_order(session)
    city = asker.supervisor and is_city_wide(staff)
    choosable = [w for w in every_ward if city or (asker.supervisor and w.code == staff.ward_code)]
    return {
        "role": staff.role,
        "name": staff.display_name,
        "lang": asker.lang,
        "supervisor": asker.supervisor,
        "city": city,
        "ward": None if staff.ward_code is None else {"code": staff.ward_code, "name": ward_name},
        "wards": [{"code": w.code, "name": w.name_ja if asker.lang == JA else w.name_en} for w in choosable],
        "fiscal_years": list(range(FIRST_PLAN_YEAR, fiscal_year_of(today) + 1)),
        "default": {"fy": default.fiscal_year, "as_of": default.as_of.isoformat()},
        "today": today.isoformat(),
    }


async def sheet(params: Params, asker: Asker) -> Json:
    """`POST sheet {"fy","as_of","ward"}`: the workbook of what is on screen, built in the render pool and sent to
    the member's own chat."""
    require_supervisor(asker)
    when = read_when(params.get("fy"), params.get("as_of"), asker.today)
    ward = await scope_of(asker, params.get("ward"))
    settings = asker.runtime.settings
    request = SheetRequest(
        when.fiscal_year, when.as_of, ward, settings.regular_meeting_threshold, settings.lock_business_days
    )
    if when.fiscal_year not in FISCAL_YEARS_OF_PLAN:  # the sheet exists for the plan's years only
        raise RefusedError(*BAD_REQUEST)
    application = asker.application
    assert application is not None  # the sheet is sent from the bot's process
    pool: RenderPool = application.bot_data[RENDER_POOL]
    try:
        sent = await send_sheet(
            application.bot, asker.staff.telegram_user_id, asker.runtime.sessions, pool, request, asker.lang
        )
    except TelegramError as error:  # e.g. the member blocked the bot: the page says it was not sent
        log.warning("dashboard sheet not sent staff=%s: %s", asker.staff.id, type(error).__name__)
        raise RefusedError(502, "not_sent") from None
    log.info("dashboard sheet sent fy=%s as_of=%s scope=%s staff=%s", *_sheet_ids(request), asker.staff.id)
    return {"sent": True, "file_name": sent.file_name}


def _sheet_ids(request: SheetRequest) -> tuple[int, str, str]:
    return request.fiscal_year, request.as_of.isoformat(), request.ward_code or CITY


async def checked(
    request: Request, application: AnyApplication, *, supervisors: bool, from_body: bool = False
) -> tuple[Asker, Params]:
    """The checks every view is behind, in order: the member, their role, then the parameters (the view checks the
    scope). RefusedError: the refusal is the whole answer."""
    asker = await identify(request, application)
    if supervisors:
        require_supervisor(asker)
    return asker, await body_params(request) if from_body else query_params(request)


def refusal(refused: RefusedError) -> Response:
    return JSONResponse({"error": refused.error}, status_code=refused.status)


def endpoint(
    application: AnyApplication, view: View, *, supervisors: bool = True, from_body: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """A view behind the checks, answered here."""

    async def answer(request: Request) -> Response:
        try:
            asker, params = await checked(request, application, supervisors=supervisors, from_body=from_body)
            body = await view(params, asker)
        except RefusedError as refused:
            return refusal(refused)
        return JSONResponse(body)

    return answer


def computed(application: AnyApplication, view: str) -> Callable[[Request], Awaitable[Response]]:
    """A view behind the same checks, computed in the figures process (`bot.dashboard.answers`: a supervisors' view
    kept a short while); the member and their role are checked on every request, kept answer or not."""

    async def answer(request: Request) -> Response:
        try:
            asker, params = await checked(request, application, supervisors=view not in FOR_EVERY_MEMBER)
        except RefusedError as refused:
            return refusal(refused)
        found = await (await figures_service(application)).answer(asker, view, params)
        if found.gzipped and "gzip" in request.headers.get("accept-encoding", ""):  # compressed in the figures process
            headers = {"content-encoding": "gzip", "vary": "Accept-Encoding"}
            return Response(found.gzipped, found.status, headers, media_type="application/json")
        return Response(found.body, status_code=found.status, media_type="application/json")

    return answer


async def figures_service(application: AnyApplication) -> FiguresService:
    """The application's figures service, made on the first request (it needs the database's address)."""
    service: FiguresService | None = application.bot_data.get(FIGURES)
    if service is None:
        runtime = runtime_of(application)
        async with session_scope(runtime.sessions) as session:
            database = await database_target(session)
        service = application.bot_data.setdefault(
            FIGURES, FiguresService(database, runtime.settings, application.bot_data[FIGURES_POOL])
        )
    return service


def api_routes(application: AnyApplication) -> list[BaseRoute]:
    """The API's routes, relative to /app/api."""
    members: dict[str, View] = {"me": me}
    return [
        Route("/texts", answer_texts, methods=["GET"]),
        *(Route(f"/{name}", endpoint(application, view, supervisors=False)) for name, view in members.items()),
        *(Route(f"/{name}", computed(application, name)) for name in VIEWS),
        Route("/sheet", endpoint(application, sheet, from_body=True), methods=["POST"]),
    ]
