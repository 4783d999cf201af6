"""/areas and 地域別 under /totals: for 1-1 and 1-2, the areas counted this fiscal year and those not yet.

The supervisor's scope: a ward's areas, or the city summarised by ward (counted ／ areas, the supervisor's own
ward first), then the areas not yet counted, paged by `bot/long_answer.py` when they do not fit one screen. The
areas come from `models.coverage` (the totals engine's days, wards in the city's order then area codes).
Every button carries its whole request and is checked again for the presser (callback data can be forged).
"""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import IntakeContext, language, show
from bot.keyboards import COVERAGE, Callback, Choice
from bot.long_answer import Group, LongAnswer, grouped, reply, turn_page
from bot.scope import default_scope, is_supervisor, refuse_button, scope_allowed, scope_name_of, ward_of
from bot.texts import text
from models.catalog import FISCAL_YEARS_OF_PLAN, INDICATORS_BY_CODE
from models.coverage import AREA_INDICATORS, AreaCoverage, area_coverage, by_ward
from models.db import session_scope
from models.fiscal import as_of_label, fiscal_months, fiscal_year_of, month_end
from models.fiscal import today as japan_today
from models.totals import resolve_as_of

COVERAGE_PAGE = Callback("covp")  # covp:<fy>:<yyyymm|now>:<scope>:<1-1|1-2>:<page> — in place (pages, the switch)


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("areas", on_areas),
        CallbackQueryHandler(on_coverage_button, pattern=COVERAGE.pattern),
        CallbackQueryHandler(on_coverage_page, pattern=COVERAGE_PAGE.pattern),
    ]


async def on_areas(update: Update, context: IntakeContext) -> None:
    """/areas: 1-1's areas in the supervisor's scope, this fiscal year as of today (1-2 one press away)."""
    if not is_supervisor(context.staff):
        await show(update, text("not_allowed", language(update)))
        return
    today = japan_today()
    answer = await coverage_answer(context, fiscal_year_of(today), "now", default_scope(context.staff), "1-1", update)
    await reply(update, answer)


async def on_coverage_button(update: Update, context: IntakeContext) -> None:
    """cov:<fy>:<yyyymm|now>:<scope>:<code> — under /totals: the areas as a new message (the figures stay)."""
    args = COVERAGE.args(update) or []
    if not _allowed(context, args):
        await refuse_button(update)
        return
    await reply(update, await coverage_answer(context, int(args[0]), args[1], args[2], args[3], update), True)


async def on_coverage_page(update: Update, context: IntakeContext) -> None:
    """covp:<fy>:<yyyymm|now>:<scope>:<code>:<page> — a page, or the other indicator's first screen, in place."""
    args = COVERAGE_PAGE.args(update) or []
    page = args.pop() if len(args) == 5 else ""
    if not _allowed(context, args):
        await refuse_button(update)
        return
    await turn_page(update, await coverage_answer(context, int(args[0]), args[1], args[2], args[3], update), page)


def _allowed(context: IntakeContext, args: list[str]) -> bool:
    """Four arguments, a plan year not in the future, a month of it, an area indicator, a scope of the presser."""
    if len(args) != 4 or not is_supervisor(context.staff) or not scope_allowed(context.staff, args[2]):
        return False
    raw_year, month, _scope, code = args
    if not raw_year.isdigit() or code not in AREA_INDICATORS:
        return False
    fiscal_year = int(raw_year)
    if not FISCAL_YEARS_OF_PLAN[0] <= fiscal_year <= fiscal_year_of(japan_today()):
        return False
    return month == "now" or (
        month.isdigit() and len(month) == 6 and (int(month[:4]), int(month[4:])) in fiscal_months(fiscal_year)
    )


def _as_of(fiscal_year: int, month: str) -> date:
    """`now`: today (or the year's end for a past year); a month: its end, or today while it is not over."""
    if month == "now":
        return resolve_as_of(fiscal_year, None)
    return resolve_as_of(fiscal_year, min(month_end(int(month[:4]), int(month[4:])), japan_today()))


async def coverage_answer(
    context: IntakeContext, fiscal_year: int, month: str, scope: str, code: str, update: Update
) -> LongAnswer:
    """The scope's areas for the indicator `code`: the counts (per ward for the city), then the areas not yet."""
    lang, ward = language(update), ward_of(scope)
    as_of = _as_of(fiscal_year, month)
    threshold = context.settings.regular_meeting_threshold
    async with session_scope(context.sessions) as session:
        areas = await area_coverage(session, fiscal_year, as_of, ward, threshold)
        names = {code: await scope_name_of(session, code, lang) for code in dict.fromkeys(a.ward_code for a in areas)}
        scope_name = await scope_name_of(session, ward, lang)
    label = INDICATORS_BY_CODE[code].short_label
    wards = by_ward(areas, code)
    counted = sum(w.counted for w in wards)
    head = [
        text(
            "coverage_header",
            lang,
            label=label,
            as_of=as_of_label(as_of),
            scope=scope_name,
            counted=counted,
            areas=len(areas),
            not_yet=len(areas) - counted,
        )
    ]
    if code == "1-1" and threshold > 1:
        head.append(text("coverage_threshold", lang, threshold=threshold))
    if ward is None:
        own_first = sorted(wards, key=lambda w: w.ward_code != context.staff.ward_code)  # stable: the city's order
        head += [
            text(
                "coverage_ward_line", lang, ward=names[w.ward_code], counted=w.counted, areas=w.areas, not_yet=w.not_yet
            )
            for w in own_first
        ]
    not_yet = [area for area in areas if not area.counted(code)]
    head.append(text("coverage_not_yet", lang) if not_yet else text("coverage_all_counted", lang))
    groups = [
        Group(names[ward_code], [_area_line(area, names, ward is None, lang) for area in listed])
        for ward_code, listed in grouped(not_yet, lambda area: area.ward_code, first=context.staff.ward_code)
    ]
    other = next(c for c in AREA_INDICATORS if c != code)
    switch: list[list[Choice]] = [
        [(INDICATORS_BY_CODE[other].short_label, COVERAGE_PAGE(fiscal_year, month, scope, other, 1))]
    ]
    return LongAnswer(
        head="\n".join(head),
        title=text("coverage_title", lang, label=label),
        groups=groups,
        page_data=lambda n: COVERAGE_PAGE(fiscal_year, month, scope, code, n),
        count_key="coverage_ward_count",
        lang=lang,
        buttons=switch,
    )


def _area_line(area: AreaCoverage, names: dict[str, str], city: bool, lang: str) -> str:
    if city:
        return text("coverage_area_line_city", lang, code=area.area_code, name=area.name_ja, ward=names[area.ward_code])
    return text("coverage_area_line", lang, code=area.area_code, name=area.name_ja)
