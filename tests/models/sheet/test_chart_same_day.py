"""/chart's figures read from the database (`collect_chart`): the chart labels last year's figure at the same day
as this year's, the 前年同期 /totals compares with (`models.fiscal.same_point_last_year`), not last year's month end."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import INDICATORS_BY_CODE
from models.config import TOKYO
from models.fiscal import same_point_last_year
from models.sheet.chart import NO_ANSWERS_LABEL, chart_figure, figure_text
from models.sheet.data import ChartFigures, collect_chart
from models.totals import indicator_totals
from tests.builders import add_event

MIYAKOJIMA = "27102"
TODAY = date(2025, 11, 20)


def labels(codes: list[str], figures: ChartFigures) -> list[str]:
    figure = chart_figure(codes, figures.this_year, figures.last_year, "都島区", figures.same_day)
    return [text.get_text() for axes in figure.axes for text in axes.texts]


async def test_the_chart_labels_the_same_day_last_year_as_totals_does(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2024, 6, 3), count=10)
    await add_event(session, "outreach", date(2024, 11, 10), count=5)  # before the same day: counted
    await add_event(session, "outreach", date(2024, 11, 25), count=40)  # after it: in the month end, not the label
    await add_event(session, "outreach", date(2025, 5, 7), count=12)
    await add_event(session, "outreach", date(2025, 11, 12), count=2)
    with time_machine.travel(datetime(2025, 11, 20, 12, 0, tzinfo=TOKYO)):
        figures = await collect_chart(session, 2025, MIYAKOJIMA)
    this_year = await indicator_totals(session, 2025, TODAY, MIYAKOJIMA)
    same_day = await indicator_totals(session, 2024, same_point_last_year(TODAY), MIYAKOJIMA)
    outreach = INDICATORS_BY_CODE["1-5"]
    assert figures.same_day.as_of == date(2024, 11, 20)
    assert figures.last_year.by_month["1-5"][7].value == 55  # last November's month end: not what is compared
    shown = labels(["1-5"], figures)
    # Last year at the same day (15) is ahead of this year (14): written above its point, this year's below.
    assert shown == [
        f"前年 {figure_text(outreach, same_day.indicators['1-5'])}",
        f"今年 {figure_text(outreach, this_year.indicators['1-5'])}",
    ]
    assert shown == ["前年 15件", "今年 14件"]
    figure = chart_figure(["1-5"], figures.this_year, figures.last_year, "都島区", figures.same_day)
    assert figure.get_supxlabel() == "点線・白丸：11月は20日まで（前年も同じ日）"


async def test_a_share_nobody_answered_says_so(session: AsyncSession) -> None:
    await add_event(session, "outreach", date(2025, 5, 7))
    await add_event(session, "agency_survey", date(2024, 9, 7), answer=True)
    with time_machine.travel(datetime(2025, 11, 20, 12, 0, tzinfo=TOKYO)):
        figures = await collect_chart(session, 2025, MIYAKOJIMA)
    shown = labels(["2-Q"], figures)
    assert f"2025（令和7）年度：{NO_ANSWERS_LABEL}" in shown
    assert "前年 100.0％（n=1）" in shown
