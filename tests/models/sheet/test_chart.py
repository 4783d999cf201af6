"""The monthly chart (`models.sheet.chart`): a phone-sized PNG with Japanese text in IPAexGothic.

Pure: Totals are built by hand, nothing touches the database.
"""

from __future__ import annotations

import importlib.util
import io
import math
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.text import Text

from models.catalog import INDICATORS_BY_CODE
from models.fiscal import fiscal_months
from models.sheet.chart import (
    HEIGHT_PX,
    MIN_TEXT_PT,
    MONTH_LABELS,
    MONTH_NUMBERS,
    WIDTH_PX,
    chart_figure,
    chart_style,
    chart_title,
    japanese_font,
    render_chart,
)
from models.totals import IndicatorValue, Totals

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIYAKOJIMA = "27102"
AREAS = 13  # roster-provided areas in the ward: the 1-1 / 1-2 denominator


def cumulative(increments: list[int], denominator: int | None = None) -> list[IndicatorValue]:
    values, total = [], 0
    for increment in increments:
        total += increment
        values.append(IndicatorValue(total, denominator))
    return values


def survey(answers: list[tuple[int, int]]) -> list[IndicatorValue]:
    """Cumulative (yes, answered) pairs as of each month end."""
    return [IndicatorValue(yes, answered) for yes, answered in answers]


def make_totals(fiscal_year: int, as_of: date, series: dict[str, list[IndicatorValue]]) -> Totals:
    """A consistent Totals for one ward: months April … as-of month, the year's figures the last of each series."""
    months = [ym for ym in fiscal_months(fiscal_year) if ym <= (as_of.year, as_of.month)]
    assert all(len(values) == len(months) for values in series.values())
    latest = {code: values[-1] for code, values in series.items()}
    return Totals(
        fiscal_year=fiscal_year,
        as_of=as_of,
        ward_code=MIYAKOJIMA,
        indicators=latest,
        by_ward={MIYAKOJIMA: dict(latest)},
        months=months,
        by_month=series,
    )


THIS_YEAR = make_totals(
    2025,
    date(2025, 11, 30),
    {
        "1-1": cumulative([3, 2, 1, 0, 2, 1, 0, 1], AREAS),
        "1-4": cumulative([30, 25, 28, 33, 27, 31, 29, 35]),
        "1-5": cumulative([12, 15, 9, 20, 14, 18, 11, 16]),
        "2-Q": survey([(0, 0)] * 5 + [(3, 4), (7, 10), (9, 12)]),
        "3-1": cumulative([1, 0, 2, 1, 0, 3, 1, 0]),
    },
)
LAST_YEAR = make_totals(
    2024,
    date(2025, 3, 31),
    {
        "1-1": cumulative([2, 2, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1], AREAS),
        "1-4": cumulative([28, 22, 25, 30, 26, 28, 27, 30, 24, 20, 26, 29]),
        "1-5": cumulative([10, 11, 8, 14, 12, 13, 9, 15, 10, 7, 12, 13]),
        "2-Q": survey([(0, 0)] * 5 + [(2, 4), (5, 8), (6, 10), (8, 12), (8, 12), (9, 13), (10, 14)]),
        "3-1": cumulative([0, 1, 1, 0, 2, 0, 1, 1, 0, 0, 1, 2]),
    },
)
CHOICES = [
    ["1-5"],
    ["2-Q"],
    ["1-1"],
    ["1-4", "1-5"],
    ["1-5", "2-Q"],
    ["1-5", "2-Q", "3-1"],
    ["1-5", "2-Q", "1-1", "1-4"],
]


def render(codes: list[str], last_year: Totals | None = LAST_YEAR) -> bytes:
    return render_chart(codes, THIS_YEAR, last_year, "都島区")


def glyph_warnings(action: Callable[[], Any]) -> list[str]:
    """Messages of the `Glyph … missing from font(s) …` warnings matplotlib emits while `action` runs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def fontja_directory() -> Path:
    """Where matplotlib-fontja is installed, found without importing it (its import sets rcParams)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def xdata(line: Line2D) -> list[float]:
    return [float(x) for x in np.asarray(line.get_xdata(), dtype=float)]


def ydata(line: Line2D) -> list[float]:
    return [float(y) for y in np.asarray(line.get_ydata(), dtype=float)]


def lines_of(figure: Figure) -> list[Line2D]:
    return [line for axes in figure.axes for line in axes.get_lines()]


# --- the image --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codes", CHOICES, ids=["+".join(codes) for codes in CHOICES])
def test_a_phone_sized_png(codes: list[str]) -> None:
    png = render(codes)
    assert png.startswith(PNG_SIGNATURE)
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEIGHT_PX, WIDTH_PX) == (1200, 780)  # portrait, 390 × 600 pt at 2×


def test_same_data_same_bytes_without_software_metadata() -> None:
    codes = ["1-5", "2-Q"]
    first, second = render(codes), render(codes)
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_last_year_changes_the_picture() -> None:
    assert render(["1-5"]) != render(["1-5"], last_year=None)


# --- Japanese text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codes", CHOICES, ids=["+".join(codes) for codes in CHOICES])
def test_no_tofu(codes: list[str]) -> None:
    assert glyph_warnings(lambda: render(codes)) == []


def test_the_tofu_check_would_see_tofu() -> None:
    """The warning the test above looks for really is emitted when a font lacks the glyphs."""
    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        figure.suptitle("都島区")
        messages = glyph_warnings(lambda: figure.savefig(io.BytesIO(), format="png"))
    assert messages and "DejaVu Sans" in messages[0]


def test_ipaex_gothic_from_matplotlib_fontja() -> None:
    render(["1-5"])  # registers the font
    assert japanese_font() == "IPAexGothic"
    path = Path(font_manager.findfont(font_manager.FontProperties(family=japanese_font()), fallback_to_default=False))
    assert path.resolve().is_relative_to(fontja_directory())
    assert path.name == "ipaexg.ttf"


def test_every_text_is_drawn_with_ipaex_gothic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each font lookup while rendering (title, ticks, labels, legend, annotations) lands on IPAexGothic."""
    original = font_manager.FontManager.findfont
    found: list[str] = []

    def spy(self: font_manager.FontManager, prop: Any, *args: Any, **kwargs: Any) -> str:
        path = original(self, prop, *args, **kwargs)
        found.append(path)
        return path

    monkeypatch.setattr(font_manager.FontManager, "findfont", spy)
    render(["1-5", "2-Q", "1-1", "1-4"])
    assert found
    assert {Path(path).resolve() for path in found} == {fontja_directory() / "fonts" / "ipaexg.ttf"}


def test_global_rc_params_are_left_alone() -> None:
    before = dict(matplotlib.rcParams)
    render(["1-5", "2-Q"])
    assert dict(matplotlib.rcParams) == before
    assert "IPAexGothic" not in matplotlib.rcParams["font.family"]


# --- what is drawn -----------------------------------------------------------------------------------------------


def test_title_as_on_the_sheet() -> None:
    outreach = [INDICATORS_BY_CODE["1-5"]]
    assert (
        chart_title(outreach, THIS_YEAR, "都島区") == "⑤アウトリーチ件数 — 都島区 — 2025（令和7）年度 令和7年11月末時点"
    )
    several = [INDICATORS_BY_CODE["1-4"], INDICATORS_BY_CODE["1-5"]]
    assert chart_title(several, THIS_YEAR, "大阪市") == "大阪市 — 2025（令和7）年度 令和7年11月末時点"
    figure = chart_figure(["1-5"], THIS_YEAR, LAST_YEAR, "都島区")
    assert figure.get_suptitle() == "⑤アウトリーチ件数 — 都島区\n2025（令和7）年度 令和7年11月末時点"


def test_one_indicator_this_year_solid_last_year_dashed() -> None:
    figure = chart_figure(["1-5"], THIS_YEAR, LAST_YEAR, "都島区")
    (axes,) = figure.axes
    this_year, last_year = axes.get_lines()
    assert this_year.get_linestyle() == "-" and last_year.get_linestyle() == "--"
    assert xdata(this_year) == list(range(8))  # April … November
    assert ydata(this_year) == [12, 27, 36, 56, 70, 88, 99, 115]
    assert xdata(last_year) == list(range(12))
    assert ydata(last_year)[-1] == 134
    assert this_year.get_color() != last_year.get_color()  # the lighter shade of the same colour
    assert [text.get_text() for text in axes.get_xticklabels()] == MONTH_NUMBERS
    assert MONTH_LABELS[0] == "4月" and MONTH_NUMBERS[-1] == "3" and axes.get_xlabel() == "月"
    legend = axes.get_legend()
    assert legend is not None
    assert legend.get_title().get_text() == "⑤アウトリーチ件数"
    assert [text.get_text() for text in legend.get_texts()] == ["2025（令和7）年度", "2024（令和6）年度"]
    assert axes.get_ylabel() == "件数（累計）"
    labels = [text.get_text() for text in axes.texts]
    assert "今年 115件" in labels  # the latest figure written by its point
    assert "前年 92件" in labels  # and last year's at the same month (November)


def test_without_last_year_only_this_year() -> None:
    figure = chart_figure(["1-5", "2-Q"], THIS_YEAR, None, "都島区")
    lines = lines_of(figure)
    assert len(lines) == 2
    assert all(line.get_linestyle() == "-" for line in lines)
    for axes in figure.axes:
        legend = axes.get_legend()
        assert legend is not None
        assert [text.get_text() for text in legend.get_texts()] == ["2025（令和7）年度"]


def test_share_plotted_as_percentage_with_gaps_before_any_answer() -> None:
    figure = chart_figure(["2-Q"], THIS_YEAR, LAST_YEAR, "都島区")
    (axes,) = figure.axes
    this_year = axes.get_lines()[0]
    values = ydata(this_year)
    assert all(math.isnan(value) for value in values[:5])
    assert values[5:] == [75.0, 70.0, 75.0]
    assert axes.get_ylim() == (0, 100)
    assert axes.get_ylabel() == "割合（％）"


def test_areas_counted_against_the_roster() -> None:
    figure = chart_figure(["1-1"], THIS_YEAR, LAST_YEAR, "都島区")
    (axes,) = figure.axes
    assert ydata(axes.get_lines()[0])[-1] == 10
    assert axes.get_ylabel() == f"地域数（全{AREAS}地域中）"


def test_same_unit_shares_one_axes() -> None:
    figure = chart_figure(["1-4", "1-5"], THIS_YEAR, LAST_YEAR, "都島区")
    (axes,) = figure.axes
    legend = axes.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == [
        "④相談対応件数　2025（令和7）年度",
        "④相談対応件数　2024（令和6）年度",
        "⑤アウトリーチ件数　2025（令和7）年度",
        "⑤アウトリーチ件数　2024（令和6）年度",
    ]
    assert figure.get_suptitle() == "都島区\n2025（令和7）年度 令和7年11月末時点"


@pytest.mark.parametrize(
    ("codes", "panels"), [(["1-5", "2-Q"], 2), (["1-5", "2-Q", "3-1"], 3), (["1-5", "2-Q", "1-1", "1-4"], 4)]
)
def test_different_units_one_panel_each(codes: list[str], panels: int) -> None:
    figure = chart_figure(codes, THIS_YEAR, LAST_YEAR, "都島区")
    shown = [axes for axes in figure.axes if axes.axison]
    assert len(shown) == panels
    assert [axes.get_title(loc="left") for axes in shown] == [INDICATORS_BY_CODE[code].short_label for code in codes]
    assert len(lines_of(figure)) == 2 * panels


def test_labels_readable_once_drawn() -> None:
    """Tick labels are made at draw time: drawn in the chart style they are large and in IPAexGothic."""
    with chart_style():
        figure = chart_figure(["1-5"], THIS_YEAR, LAST_YEAR, "都島区")
        figure.canvas.draw()
        labels = figure.axes[0].get_xticklabels() + figure.axes[0].get_yticklabels()
    assert labels
    assert all(label.get_fontfamily() == ["IPAexGothic"] for label in labels)
    assert min(float(label.get_fontsize()) for label in labels) >= 12


@pytest.mark.parametrize("codes", CHOICES, ids=["+".join(codes) for codes in CHOICES])
def test_every_text_is_at_least_11_pt_on_a_390_pt_wide_phone(codes: list[str]) -> None:
    """The figure is 390 pt wide, the width a phone shows it at, so font sizes are the sizes read."""
    with chart_style():
        figure = chart_figure(codes, THIS_YEAR, LAST_YEAR, "都島区")
        figure.canvas.draw()
        texts = [text for text in figure.findobj(Text) if text.get_text() and text.get_visible()]
    assert figure.get_figwidth() * 72 == 390 and figure.get_figheight() > figure.get_figwidth()
    assert texts and min(float(text.get_fontsize()) for text in texts) >= MIN_TEXT_PT == 11


def test_the_month_under_way_is_drawn_dotted_up_to_the_as_of_day() -> None:
    partial = make_totals(2025, date(2025, 11, 27), dict(THIS_YEAR.by_month))
    figure = chart_figure(["1-5"], partial, LAST_YEAR, "都島区")
    (axes,) = figure.axes
    whole, under_way, point, last_year = axes.get_lines()
    assert whole.get_linestyle() == "-" and xdata(whole) == list(range(7))  # April … October, complete
    assert under_way.get_linestyle() == ":" and xdata(under_way) == [6, 7] and ydata(under_way) == [99, 115]
    assert point.get_markerfacecolor() == "white" and xdata(point) == [7]
    assert last_year.get_linestyle() == "--"
    assert figure.get_suptitle().endswith("令和7年11月27日時点")


def test_the_share_shows_how_many_answered() -> None:
    figure = chart_figure(["2-Q"], THIS_YEAR, LAST_YEAR, "都島区")
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert labels == ["今年 75.0％（n=12）", "前年 60.0％（n=10）"]


def test_a_year_without_data_is_said_not_drawn_as_zeros() -> None:
    figure = chart_figure(["1-5"], THIS_YEAR, replace(LAST_YEAR, no_data=True), "都島区")
    (axes,) = figure.axes
    assert len(axes.get_lines()) == 1  # this year only
    assert "2024（令和6）年度：データなし（—）" in [text.get_text() for text in axes.texts]
    empty = chart_figure(["1-5"], replace(THIS_YEAR, no_data=True), None, "都島区")
    assert empty.axes[0].get_lines() == []
    assert [text.get_text() for text in empty.axes[0].texts] == ["2025（令和7）年度：データなし（—）"]


# --- refused choices ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["9-9"], "unknown indicator codes: 9-9"),
        (["1-5", "outreach"], "unknown indicator codes: outreach"),
        (["1-1", "1-2", "1-3", "1-4", "1-5"], "at most 4 indicators"),
        ([], "at least one"),
        (["1-5", "1-5"], "repeated"),
    ],
)
def test_refused_choices(codes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(codes)
    with pytest.raises(ValueError, match=message):
        chart_figure(codes, THIS_YEAR, None, "都島区")
