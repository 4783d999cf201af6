"""/totals: the indicators for a scope, edited in place as the supervisor switches year, month and ward.

Every button carries its whole request (`tot:<fy>:<yyyymm>:<scope>`), so a button from before a restart
still works, and every press is checked against the presser's scope (callback data can be forged).
Each figure comes with the change since the previous month end and the figure at the same point last year.
City supervisors also get the 区別 view: the wards ranked against their own figure a year earlier.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import IntakeContext, language, show
from bot.keyboards import COVERAGE, Callback, Choice, in_rows, indicator_label, indicator_rows, inline, menu_texts
from bot.scope import (
    CITY,
    default_scope,
    is_city_wide,
    is_supervisor,
    refuse_button,
    scope_allowed,
    scope_name_of,
    ward_of,
)
from bot.texts import approval_label, month_label, text
from models.approval import month_states, state_counts
from models.catalog import INDICATORS, INDICATORS_BY_CODE, SHEETS, Aggregation, Indicator
from models.db import session_scope
from models.fiscal import (
    as_of_label,
    fiscal_months,
    fiscal_year_label,
    fiscal_year_of,
    month_end,
    previous_month_end,
    reporting_month_end,
    same_point_last_year,
)
from models.fiscal import today as japan_today
from models.overview import approval_month, flagged_totals, previous_month_totals, same_point_last_year_totals
from models.overview import month_completeness as scope_completeness
from models.ranking import FEW_ANSWERS, WardProgress, is_share, rank_wards
from models.reference import wards_in_order
from models.sheet.measure import display_width
from models.tables import Staff
from models.totals import IndicatorValue, Totals, sheet_notation
from models.who_reported import NOTHING_EXPECTED, Completeness

FIRST_PLAN_YEAR = 2024
NO_DATA = "—"
TOTALS = Callback("tot")  # tot:<fy>:<yyyymm|now>:<scope>
WARDS = Callback("totw")  # totw:<fy>:<yyyymm|now>[:<scope>] — the scope to go back to (older buttons: the city)
RANK_INDICATOR = Callback("totk")  # totk:<fy>:<yyyymm|now> — which indicator to rank the wards by
RANKING = Callback("totr")  # totr:<fy>:<yyyymm|now>:<indicator code>


def handlers() -> list[BaseHandler[Update, IntakeContext, object]]:
    return [
        CommandHandler("totals", on_totals),
        MessageHandler(filters.Text(menu_texts("menu_totals")), on_totals),
        CallbackQueryHandler(on_totals_button, pattern=TOTALS.pattern),
        CallbackQueryHandler(on_wards_button, pattern=WARDS.pattern),
        CallbackQueryHandler(on_rank_indicator_button, pattern=RANK_INDICATOR.pattern),
        CallbackQueryHandler(on_ranking_button, pattern=RANKING.pattern),
    ]


async def on_totals(update: Update, context: IntakeContext) -> None:
    """The member's scope as of today, or as of last month end while that month's entries are still coming in."""
    if not is_supervisor(context.staff):
        await show(update, text("totals_workers", language(update)))
        return
    today = japan_today()
    settled = reporting_month_end(today)
    fiscal_year = fiscal_year_of(settled or today)
    await _show_totals(update, context, fiscal_year, settled, default_scope(context.staff))


async def on_totals_button(update: Update, context: IntakeContext) -> None:
    """tot:<fy>:<yyyymm|now>:<scope> — another year, month or ward, edited into the same message."""
    args = TOTALS.args(update) or []
    when = _parse_when(args[0], args[1]) if len(args) == 3 else None
    if when is None or not is_supervisor(context.staff) or not scope_allowed(context.staff, args[2]):
        await refuse_button(update)
        return
    await _show_totals(update, context, *when, args[2])


def _parse_when(raw_year: str, month: str) -> tuple[int, date | None] | None:
    """A button's fiscal year and month (`now`: today, or the year's end for a past year); None if forged."""
    if not raw_year.isdigit():
        return None
    fiscal_year, today = int(raw_year), japan_today()
    if not FIRST_PLAN_YEAR <= fiscal_year <= fiscal_year_of(today):
        return None
    if month == "now":
        return fiscal_year, None
    if not (month.isdigit() and len(month) == 6 and (int(month[:4]), int(month[4:])) in fiscal_months(fiscal_year)):
        return None
    as_of = month_end(int(month[:4]), int(month[4:]))
    return (fiscal_year, as_of) if as_of < today else (fiscal_year, None)


def _month_data(as_of: date) -> str:
    """A month for a button: its yyyymm, or `now` for the current month (whose end is still to come)."""
    return "now" if month_end(as_of.year, as_of.month) >= japan_today() else f"{as_of:%Y%m}"


async def _show_totals(
    update: Update, context: IntakeContext, fiscal_year: int, as_of: date | None, scope: str
) -> None:
    lang = language(update)
    ward_code = ward_of(scope)
    async with session_scope(context.sessions) as session:
        totals, final = await _figures(session, context, fiscal_year, as_of, ward_code)
        previous = await previous_month_totals(session, totals, ward_code, context.settings.regular_meeting_threshold)
        last_year = await _same_point_last_year(session, context, totals)
        scope_name = await scope_name_of(session, ward_code, lang)
        approval = await approval_line(session, totals.as_of, ward_code, lang)
        reported = await month_completeness(session, context, totals.as_of, ward_code)
    body = (
        totals_text(totals, previous, last_year, scope_name, final, lang, sum(reported.values(), NOTHING_EXPECTED))
        + "\n\n"
        + approval
    )
    await show(update, body, _totals_buttons(context.staff, totals, scope, lang))


async def approval_line(session: AsyncSession, as_of: date, ward_code: str | None, lang: str) -> str:
    """The confirmation of the as-of month (the month before, while it is not over): the ward's state, or the city's
    count of wards in each state (models.approval)."""
    day = approval_month(as_of, japan_today())
    states = await month_states(session, day.year, day.month)
    month = month_label(day.year, day.month, lang, with_year=False)
    if ward_code is not None:
        return text("totals_approval_ward", lang, month=month, state=approval_label(states[ward_code], lang))
    counts = {state.value: number for state, number in state_counts(states).items()}
    return text(
        "totals_approval_city",
        lang,
        month=month,
        wards=len(states),
        **{name: counts.get(name, 0) for name in ("accepted", "confirmed", "open", "returned")},
    )


async def _figures(
    session: AsyncSession, context: IntakeContext, fiscal_year: int, as_of: date | None, ward_code: str | None
) -> tuple[Totals, bool]:
    return await flagged_totals(session, fiscal_year, as_of, ward_code, context.settings.regular_meeting_threshold)


async def _same_point_last_year(session: AsyncSession, context: IntakeContext, totals: Totals) -> Totals:
    return await same_point_last_year_totals(session, totals, context.settings.regular_meeting_threshold)


async def month_completeness(
    session: AsyncSession, context: IntakeContext, as_of: date, ward_code: str | None
) -> dict[str, Completeness]:
    """Per ward of the scope: who reported for the as-of month of those expected (models.overview)."""
    return await scope_completeness(session, as_of, ward_code, context.settings.lock_business_days, japan_today())


def completeness_line(reported: Completeness, as_of: date, lang: str) -> str:
    """`11月分の報告: 12／14人（うち締切前 11人）`: a low figure told from missing reports."""
    month = f"{as_of.month}月" if lang == "ja" else as_of.strftime("%B")
    if not reported.expected:
        return text("completeness_nobody", lang, month=month)
    return text(
        "completeness_line",
        lang,
        month=month,
        reported=reported.reported,
        expected=reported.expected,
        on_time=reported.on_time,
    )


def totals_text(
    totals: Totals,
    previous: Totals | None,
    last_year: Totals | None,
    scope_name: str,
    final: bool,
    lang: str,
    reported: Completeness | None = None,
) -> str:
    """The figures as a phone shows them: each indicator on its own line, its figure and last year's below, each
    difference labelled (前月末比, 前年同期比) and moved to a line of its own where the line would not fit."""
    header = text(
        "totals_header",
        lang,
        year=fiscal_year_label(totals.fiscal_year),
        as_of=as_of_label(totals.as_of),
        scope=scope_name,
        final="",
    )
    marked = text("totals_final", lang)
    lines = _fitted(header, marked, marked.strip()) if final else [header]
    if last_year is not None:
        lines.append(text("totals_last_year_header", lang, as_of=as_of_label(last_year.as_of)))
    if reported is not None:
        lines.append(completeness_line(reported, totals.as_of, lang))
    for sheet in SHEETS:
        lines.append(f"\n【{sheet.goal}】")
        for indicator in (i for i in INDICATORS if i.sheet == sheet.number):
            lines += _indicator_lines(indicator.code, totals, previous, last_year, lang)
    if totals.no_data or (last_year is not None and last_year.no_data):
        lines.append("\n" + text("no_data_footnote", lang))
    return "\n".join(lines)


PHONE_CELLS = 48  # a line of /totals: about 24 full-width characters, what a phone shows without wrapping


def _fitted(line: str, extra: str, own_line: str | None = None) -> list[str]:
    """`line` with `extra` after it when that fits a phone's line, else `own_line` (or `extra`) on the next line."""
    if display_width(line + extra) <= PHONE_CELLS:
        return [line + extra]
    return [line, own_line if own_line is not None else extra]


def _indicator_lines(
    code: str, totals: Totals, previous: Totals | None, last_year: Totals | None, lang: str
) -> list[str]:
    """`⑤アウトリーチ件数`, below it `　5件（前月末比 +3）` and `　前年同期 2件（前年同期比 +3）`."""
    indicator, figure = INDICATORS_BY_CODE[code], totals.indicators[code]
    lines = [indicator.short_label]
    now = text("totals_figure", lang, figure=shown_figure(totals, code))
    change = None if previous is None or totals.no_data else delta(indicator, figure, previous.indicators[code])
    if change is None:
        lines.append(now)
    else:
        lines += _fitted(now, text("totals_change", lang, delta=change), text("totals_change_line", lang, delta=change))
    if last_year is None:
        return lines
    before = text("totals_last_year", lang, figure=shown_figure(last_year, code))
    change = None if totals.no_data or last_year.no_data else delta(indicator, figure, last_year.indicators[code])
    if change is None:
        return [*lines, before]
    return [
        *lines,
        *_fitted(
            before,
            text("totals_last_year_change", lang, delta=change),
            text("totals_last_year_change_line", lang, delta=change),
        ),
    ]


def shown_figure(totals: Totals, code: str) -> str:
    """The sheet's notation, or 「—」 when the year and scope have no data at all."""
    return NO_DATA if totals.no_data else sheet_notation(INDICATORS_BY_CODE[code], totals.indicators[code])


def delta(indicator: Indicator, now: IndicatorValue, before: IndicatorValue) -> str | None:
    """The change: in points for a share whose denominator moved, else in the figure's unit; the survey share always
    in points, and none while either side has no answers (a share from nothing is no change)."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        if now.percent is None or before.percent is None:
            return None
        return f"{now.percent - before.percent:+.1f}pt"
    if now.percent is not None and before.percent is not None and now.denominator != before.denominator:
        return f"{now.percent - before.percent:+.1f}pt"
    return f"{now.value - before.value:+,}"


def _totals_buttons(member: Staff, totals: Totals, scope: str, lang: str) -> InlineKeyboardMarkup:
    fiscal_year, today = totals.fiscal_year, japan_today()
    years: list[Choice] = []
    if fiscal_year > FIRST_PLAN_YEAR:  # the same month a year earlier
        earlier = same_point_last_year(month_end(totals.as_of.year, totals.as_of.month))
        years.append((text("button_prev_year", lang), TOTALS(fiscal_year - 1, f"{earlier:%Y%m}", scope)))
    if fiscal_year < fiscal_year_of(today):
        later_year = month_end(totals.as_of.year + 1, totals.as_of.month)
        years.append((text("button_next_year", lang), TOTALS(fiscal_year + 1, _month_data(later_year), scope)))
    months: list[Choice] = []
    before = previous_month_end(totals.as_of)
    if fiscal_year_of(before) == fiscal_year:
        months.append((text("button_prev_month", lang), TOTALS(fiscal_year, f"{before:%Y%m}", scope)))
    later = month_end(*_next_month(totals.as_of))
    if fiscal_year_of(later) == fiscal_year and totals.as_of < today:
        months.append((text("button_next_month", lang), TOTALS(fiscal_year, _month_data(later), scope)))
    rows = [years, months]
    if totals.as_of != today:
        rows.append([(text("button_today", lang), TOTALS(fiscal_year_of(today), "now", scope))])
    rows.append([(text("button_coverage", lang), COVERAGE(fiscal_year, _month_data(totals.as_of), scope, "1-1"))])
    if is_city_wide(member):
        month = _month_data(totals.as_of)
        rows.append(
            [
                (text("button_wards", lang), WARDS(fiscal_year, month, scope)),
                (text("button_ranking", lang), RANK_INDICATOR(fiscal_year, month)),
            ]
        )
    return inline(rows)


def _next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


async def on_wards_button(update: Update, context: IntakeContext) -> None:
    """totw:<fy>:<yyyymm|now>[:<scope>] — the 24 wards and the city, for city supervisors and admins."""
    args = WARDS.args(update) or []
    if not is_city_wide(context.staff) or len(args) not in (2, 3) or _parse_when(*args[:2]) is None:
        await refuse_button(update)
        return
    when, came_from = args[:2], args[2] if len(args) == 3 else CITY
    lang = language(update)
    async with session_scope(context.sessions) as session:
        wards = await wards_in_order(session)
    if came_from != CITY and came_from not in {w.code for w in wards}:
        await refuse_button(update)
        return
    choices = [(w.name_ja if lang == "ja" else w.name_en, TOTALS(*when, w.code)) for w in wards]
    back = [(text("button_back", lang), TOTALS(*when, came_from))]
    rows = [[(text("button_city", lang), TOTALS(*when, CITY))], *in_rows(choices, 3), back]
    await show(update, text("choose_ward", lang), inline(rows))


async def on_rank_indicator_button(update: Update, context: IntakeContext) -> None:
    """totk:<fy>:<yyyymm|now> — which indicator the wards are ranked by (city supervisors and admins)."""
    args = RANK_INDICATOR.args(update) or []
    if not is_city_wide(context.staff) or len(args) != 2 or _parse_when(*args) is None:
        await refuse_button(update)
        return
    lang = language(update)
    rows = indicator_rows(lambda indicator: RANKING(*args, indicator.code), lang)
    rows.append([(text("button_back", lang), TOTALS(*args, CITY))])
    await show(update, text("ranking_choose", lang), inline(rows))


async def on_ranking_button(update: Update, context: IntakeContext) -> None:
    """totr:<fy>:<yyyymm|now>:<code> — the wards, furthest behind their own last year first."""
    args = RANKING.args(update) or []
    when = _parse_when(args[0], args[1]) if len(args) == 3 else None
    if when is None or not is_city_wide(context.staff) or args[2] not in INDICATORS_BY_CODE:
        await refuse_button(update)
        return
    lang = language(update)
    async with session_scope(context.sessions) as session:
        city, _final = await _figures(session, context, *when, None)
        last_year = await _same_point_last_year(session, context, city)
        names = {w.code: (w.name_ja if lang == "ja" else w.name_en) for w in await wards_in_order(session)}
        reported = await month_completeness(session, context, city.as_of, None)
    body = ranking_text(args[2], city, last_year, names, lang, reported)
    month = _month_data(city.as_of)
    back = [
        [
            (text("button_ranking", lang), RANK_INDICATOR(args[0], month)),
            (text("button_city", lang), TOTALS(args[0], month, CITY)),
        ]
    ]
    await show(update, body, inline(back))


def ranking_text(
    code: str,
    city: Totals,
    last_year: Totals,
    names: dict[str, str],
    lang: str,
    reported: dict[str, Completeness] | None = None,
) -> str:
    indicator = INDICATORS_BY_CODE[code]
    lines = [
        text(
            "ranking_header",
            lang,
            label=indicator_label(indicator, lang),
            as_of=as_of_label(city.as_of),
            last=as_of_label(last_year.as_of),
        )
    ]
    if city.no_data:
        return "\n".join([*lines, NO_DATA, "", text("no_data_footnote", lang)])
    ranking = rank_wards(code, city, last_year)
    line = _share_line if is_share(indicator) else _ranking_line
    lines += [
        line(code, n, row, last_year, names, lang) + _ward_reported(row.ward_code, reported, lang)
        for n, row in enumerate(ranking.ranked, start=1)
    ]
    if ranking.without_answers:
        wards = text("ranking_ward_separator", lang).join(names.get(w, w) for w in ranking.without_answers)
        lines.append(text("ranking_no_answers", lang, count=len(ranking.without_answers), wards=wards))
    if any(row.few_answers for row in ranking.ranked):
        lines += ["", text("ranking_few_answers_footnote", lang, few=FEW_ANSWERS)]
    if last_year.no_data:
        lines += ["", text("no_data_footnote", lang)]
    return "\n".join(lines)


def _ranking_line(code: str, n: int, row: WardProgress, last_year: Totals, names: dict[str, str], lang: str) -> str:
    """`1. 福島区 3件 ／ 前年 10件（前年の30％）`."""
    indicator = INDICATORS_BY_CODE[code]
    before = NO_DATA if last_year.no_data else sheet_notation(indicator, row.last_year)
    ratio = text("ranking_ratio", lang, ratio=f"{row.ratio * 100:.0f}") if row.ratio is not None else ""
    return text(
        "ranking_line",
        lang,
        n=n,
        ward=names.get(row.ward_code, row.ward_code),
        now=sheet_notation(indicator, row.now),
        last=before,
        ratio=ratio,
    )


def _share_line(code: str, n: int, row: WardProgress, last_year: Totals, names: dict[str, str], lang: str) -> str:
    """`1. 鶴見区 50.0％（前年同期比 -50.0pt）` and below it `　回答2 ／ 前年 100.0％（回答2）※回答が少ない`."""
    ward = names.get(row.ward_code, row.ward_code)
    now = text("ranking_percent", lang, share=f"{row.now.percent:.1f}")
    change = "" if row.points is None else text("ranking_points", lang, points=f"{row.points:+.1f}")
    first = text("ranking_share_line", lang, n=n, ward=ward, now=now, change=change)
    if last_year.no_data:
        before = NO_DATA
    elif row.last_year.percent is None:
        before = text("ranking_share_no_answers", lang)
    else:
        share = text("ranking_percent", lang, share=f"{row.last_year.percent:.1f}")
        before = text("ranking_share_before", lang, share=share, answers=row.last_year.denominator)
    few = text("ranking_few_answers", lang) if row.few_answers else ""
    second = text("ranking_share_answers", lang, answers=row.now.denominator, before=before, few=few)
    return f"{first}\n{second}"


def _ward_reported(ward: str, reported: dict[str, Completeness] | None, lang: str) -> str:
    """`　報告 12／14` after a ward's ranking line (the as-of month; nothing without anyone expected)."""
    found = (reported or {}).get(ward)
    if found is None or not found.expected:
        return ""
    return text("ranking_completeness", lang, reported=found.reported, expected=found.expected)
