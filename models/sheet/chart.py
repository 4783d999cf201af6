"""Monthly charts of sheet indicators: this fiscal year against last, as a portrait, phone-sized PNG.

The figure is laid out in the phone's own points: 390 pt wide (an iPhone's screen), drawn at 2× for sharpness,
so a font size here is the size read on the phone; no text is smaller than 11 pt. A month still under way is
drawn dotted up to the as-of day, its point hollow, and a line under the axes says so. This year's latest figure
and last year's at the same day (`same_day`: the figures /totals shows as 前年同期, `models.fiscal.
same_point_last_year`) are written by their points (with the number of answers, n, for the 2-Q share), the higher
one above its point and the lower one below, so the two never overlap. A year without data (`Totals.no_data`) is
not drawn as zeros: the chart says 「データなし」; a share nobody has answered yet says 「回答なし」.

Pure: no Telegram, no database. The figure is a `matplotlib.figure.Figure` drawn on an Agg canvas, so
pyplot's global figure registry is never touched. Japanese text uses IPAexGothic (bundled by
matplotlib-fontja), applied through `matplotlib.rc_context` only while a chart is built and saved, so
other matplotlib users in the process keep their own settings.

`rcParams` are process-global, so renders hold a lock: two threads never interleave their contexts.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from models.catalog import INDICATORS_BY_CODE, Aggregation, Denominator, Indicator
from models.fiscal import FISCAL_YEAR_FIRST_MONTH, as_of_label, fiscal_year_label, month_end
from models.totals import IndicatorValue, Totals

MAX_INDICATORS = 4
PHONE_WIDTH_PT, HEIGHT_PT, POINTS_PER_INCH = 390, 600, 72
DPI = 2 * POINTS_PER_INCH  # 2×: sharp on a phone's screen
WIDTH_PX, HEIGHT_PX = PHONE_WIDTH_PT * 2, HEIGHT_PT * 2
MIN_TEXT_PT = 11  # the smallest text on the chart, as read on a 390 pt wide screen
MONTH_LABELS = [f"{(FISCAL_YEAR_FIRST_MONTH - 1 + i) % 12 + 1}月" for i in range(12)]  # 4月 … 3月
MONTH_NUMBERS = [label.removesuffix("月") for label in MONTH_LABELS]  # on the axis: twelve fit 390 pt at 12 pt
NO_DATA_LABEL = "データなし（—）"
NO_ANSWERS_LABEL = "回答なし"  # a 2-Q series without a single answer: not an empty frame
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e")  # one per chosen indicator, in the order chosen
LAST_YEAR_LIGHTNESS = 0.5  # last year's colour: the indicator's colour mixed half with white
SEPARATOR = " — "

_render_lock = threading.Lock()


@functools.cache
def japanese_font() -> str:
    """Register IPAexGothic from matplotlib-fontja (once) and return its family name.

    Importing matplotlib_fontja calls `matplotlib.rc("font", family=...)`; the import runs inside an
    `rc_context` so that global change is undone at once. Only the font registration stays.
    """
    with matplotlib.rc_context():
        import matplotlib_fontja
    path = str(matplotlib_fontja.get_font_ttf_path())
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


@contextmanager
def chart_style() -> Iterator[None]:
    """The rcParams of every chart: IPAexGothic, large text, white background (restored on exit)."""
    with matplotlib.rc_context(
        {
            "font.family": [japanese_font()],
            "font.size": 13,
            "axes.titlesize": 14,
            "axes.labelsize": 12,
            "xtick.labelsize": 12,
            "ytick.labelsize": 12,
            "legend.fontsize": 12,
            "legend.title_fontsize": 12,
            "figure.titlesize": 15,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#d0d0d0",
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
        }
    ):
        yield


def render_chart(
    codes: list[str], this_year: Totals, last_year: Totals | None, title_scope: str, same_day: Totals | None = None
) -> bytes:
    """A portrait PNG (780×1200 px, 390 pt wide) of the chosen indicators month by month, this year against last.

    `codes`: 1–4 indicator codes. One axes when they share a unit, otherwise one small panel each.
    `last_year`: last year's whole series (the dashed line); `same_day`: last year's figures at the same point
    as this year's as-of date, the ones labelled (without it, only a month end's series point is labelled).
    `title_scope`: who the figures are for, e.g. `都島区` or `大阪市`. ValueError for unknown codes,
    duplicates, none, or more than four.
    """
    indicators = _chosen(codes)
    buffer = io.BytesIO()
    with _render_lock, chart_style():
        figure = _draw(indicators, this_year, last_year, title_scope, same_day)
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        figure.clear()
    return buffer.getvalue()


def chart_figure(
    codes: list[str], this_year: Totals, last_year: Totals | None, title_scope: str, same_day: Totals | None = None
) -> Figure:
    """The chart as a Figure, for inspection (tests). `render_chart` is the entry point for images.

    Draw or save it inside `chart_style()`: tick labels are created when drawn and read the fonts then.
    """
    indicators = _chosen(codes)
    with _render_lock, chart_style():
        return _draw(indicators, this_year, last_year, title_scope, same_day)


def chart_title(indicators: Sequence[Indicator], totals: Totals, title_scope: str) -> str:
    """`⑤アウトリーチ件数 — 都島区 — 2025（令和7）年度 令和7年11月末時点` (the label only for one indicator)."""
    parts = [indicators[0].short_label] if len(indicators) == 1 else []
    parts += [title_scope, f"{fiscal_year_label(totals.fiscal_year)} {as_of_label(totals.as_of)}"]
    return SEPARATOR.join(parts)


def _chosen(codes: list[str]) -> list[Indicator]:
    if not codes:
        raise ValueError("choose at least one indicator")
    if len(codes) > MAX_INDICATORS:
        raise ValueError(f"at most {MAX_INDICATORS} indicators per chart, got {len(codes)}")
    unknown = [code for code in codes if code not in INDICATORS_BY_CODE]
    if unknown:
        raise ValueError(f"unknown indicator codes: {', '.join(unknown)}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"indicator codes repeated: {', '.join(codes)}")
    return [INDICATORS_BY_CODE[code] for code in codes]


def _draw(
    indicators: list[Indicator],
    this_year: Totals,
    last_year: Totals | None,
    title_scope: str,
    same_day: Totals | None,
) -> Figure:
    figure = Figure(
        figsize=(PHONE_WIDTH_PT / POINTS_PER_INCH, HEIGHT_PT / POINTS_PER_INCH), dpi=DPI, layout="constrained"
    )
    FigureCanvasAgg(figure)
    colours = {indicator.code: COLOURS[i] for i, indicator in enumerate(indicators)}
    one_panel = len({indicator.unit_ja for indicator in indicators}) == 1
    panels = [indicators] if one_panel else [[indicator] for indicator in indicators]
    rows, columns = _grid(len(panels))
    axes_grid = figure.subplots(rows, columns, squeeze=False)
    all_axes = [axes for row in axes_grid for axes in row]
    small, narrow = len(panels) > 1, columns > 1
    for axes, panel in zip(all_axes, panels, strict=False):
        _draw_panel(axes, panel, colours, this_year, last_year, same_day, small=small, narrow=narrow)
    for unused in all_axes[len(panels) :]:
        unused.set_axis_off()
    # The one-line title, broken before the date so it stays large on a phone screen.
    head, _, when = chart_title(indicators, this_year, title_scope).rpartition(SEPARATOR)
    figure.suptitle(f"{head}\n{when}", fontsize=14 if small else 15)
    if not this_year.no_data and not _is_month_end(this_year.as_of):
        figure.supxlabel(dotted_note(this_year.as_of, compared=last_year is not None), fontsize=MIN_TEXT_PT)
    return figure


def dotted_note(as_of: date, *, compared: bool) -> str:
    """What the dotted segment and the hollow points are: `点線・白丸：11月は20日まで（前年も同じ日）`."""
    note = f"点線・白丸：{as_of.month}月は{as_of.day}日まで"
    return f"{note}（前年も同じ日）" if compared else note


def _grid(panels: int) -> tuple[int, int]:
    """Rows and columns: on a portrait screen every panel takes the full width, stacked."""
    return panels, 1


def _draw_panel(
    axes: Axes,
    panel: list[Indicator],
    colours: dict[str, str],
    this_year: Totals,
    last_year: Totals | None,
    same_day: Totals | None,
    *,
    small: bool,
    narrow: bool,
) -> None:
    """One axes: per indicator this year (solid, the month under way dotted) and last year (dashed, lighter, below)."""
    text_size = MIN_TEXT_PT if small else 12
    several = len(panel) > 1
    for indicator in panel:
        colour = colours[indicator.code]
        xs: list[int] = []
        ys: list[float] = []
        if this_year.no_data:
            _say_no_data(axes, this_year, text_size)
        else:
            xs, ys = _series(indicator, this_year)
            _plot_this_year(
                axes,
                xs,
                ys,
                colour,
                _legend_label(indicator, this_year, several=several),
                partial=not _is_month_end(this_year.as_of),
            )
            if _unanswered(indicator, ys):
                _say_no_answers(axes, this_year, text_size)
        if last_year is not None and last_year.no_data:
            _say_no_data(axes, last_year, text_size, below=True)
        elif last_year is not None:
            last_xs, last_ys = _series(indicator, last_year)
            if _unanswered(indicator, last_ys):
                _say_no_answers(axes, last_year, text_size, below=True)
            axes.plot(
                last_xs,
                last_ys,
                linestyle="--",
                linewidth=2,
                color=_lighter(colour),
                marker="o",
                markersize=3,
                label=_legend_label(indicator, last_year, several=several),
                zorder=2,
                clip_on=False,
            )
        if not this_year.no_data:
            same = _same_point(indicator, this_year, last_year, same_day)
            _mark_figures(axes, indicator, this_year, xs, ys, same, colour, text_size)
    _style_axes(axes, panel, this_year, text_size=text_size, narrow=narrow)
    if small:
        axes.set_title(panel[0].short_label, fontsize=13, loc="left")
    if axes.get_lines():
        percent = panel[0].aggregation is Aggregation.SURVEY_YES_SHARE
        legend = axes.legend(
            loc="best" if percent else "upper left",
            fontsize=MIN_TEXT_PT if small else 12,
            title=panel[0].short_label if len(panel) == 1 and not small else None,
            framealpha=0.9,
        )
        legend.set_zorder(4)


def _is_month_end(day: date) -> bool:
    return day == month_end(day.year, day.month)


def _plot_this_year(axes: Axes, xs: list[int], ys: list[float], colour: str, label: str, *, partial: bool) -> None:
    """Complete months solid; the month under way dotted from the last month end, its point hollow."""
    whole = len(xs) - 1 if partial else len(xs)
    style: dict[str, Any] = {"color": colour, "zorder": 3, "clip_on": False}
    axes.plot(xs[:whole], ys[:whole], linestyle="-", linewidth=3, marker="o", markersize=6, label=label, **style)
    if partial and xs:
        start = max(whole - 1, 0)
        axes.plot(xs[start:], ys[start:], linestyle=":", linewidth=3, **style)
        axes.plot(xs[-1:], ys[-1:], linestyle="", marker="o", markersize=7, markerfacecolor="white", **style)


def _say_no_data(axes: Axes, totals: Totals, size: int, below: bool = False) -> None:
    """「2024（令和6）年度：データなし（—）」 in place of a line of zeros."""
    axes.text(
        0.5,
        0.35 if below else 0.55,
        f"{fiscal_year_label(totals.fiscal_year)}：{NO_DATA_LABEL}",
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=size,
        color="#555555",
    )


def _unanswered(indicator: Indicator, ys: list[float]) -> bool:
    """A share with not one answer so far: every month a gap."""
    return indicator.aggregation is Aggregation.SURVEY_YES_SHARE and all(math.isnan(y) for y in ys)


def _say_no_answers(axes: Axes, totals: Totals, size: int, below: bool = False) -> None:
    """「2025（令和7）年度：回答なし」 where a share has no answers (an empty frame says nothing)."""
    axes.text(
        0.5,
        0.35 if below else 0.55,
        f"{fiscal_year_label(totals.fiscal_year)}：{NO_ANSWERS_LABEL}",
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=size,
        color="#555555",
    )


def _series(indicator: Indicator, totals: Totals) -> tuple[list[int], list[float]]:
    """x positions (0 = April … 11 = March) and the plotted figures; a share without answers is a gap.

    A code missing from `by_month` gives an empty series (nothing drawn); a series whose length differs
    from `months` is a ValueError.
    """
    xs: list[int] = []
    ys: list[float] = []
    if indicator.code not in totals.by_month:
        return xs, ys
    for (_, month), figure in zip(totals.months, totals.by_month[indicator.code], strict=True):
        xs.append((month - FISCAL_YEAR_FIRST_MONTH) % 12)
        ys.append(_plotted(indicator, figure))
    return xs, ys


def _plotted(indicator: Indicator, figure: IndicatorValue) -> float:
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        return math.nan if figure.percent is None else figure.percent
    return float(figure.value)


def _legend_label(indicator: Indicator, totals: Totals, *, several: bool) -> str:
    year = fiscal_year_label(totals.fiscal_year)
    return f"{indicator.short_label}　{year}" if several else year


def figure_text(indicator: Indicator, figure: IndicatorValue) -> str:
    """A figure as written by its point: `128件`, `10地域`, or for the share `75.0％（n=12）`."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        shown = "—" if figure.percent is None else f"{figure.percent:.1f}％"
        return f"{shown}（n={figure.denominator or 0:,}）"
    return f"{figure.value:,}{indicator.unit_ja}"


def _same_point(
    indicator: Indicator, this_year: Totals, last_year: Totals | None, same_day: Totals | None
) -> IndicatorValue | None:
    """Last year's figure at this year's as-of point: `same_day`'s, or at a month end last year's series point."""
    if same_day is not None:
        return None if same_day.no_data else same_day.indicators.get(indicator.code)
    if last_year is None or last_year.no_data or not _is_month_end(this_year.as_of):
        return None
    series = last_year.by_month.get(indicator.code, [])
    month = (this_year.as_of.month - FISCAL_YEAR_FIRST_MONTH) % 12
    return series[month] if month < len(series) else None


def _mark_figures(
    axes: Axes,
    indicator: Indicator,
    this_year: Totals,
    xs: list[int],
    ys: list[float],
    same: IndicatorValue | None,
    colour: str,
    size: int,
) -> None:
    """This year's latest figure (`今年 128件`) and last year's at the same day (`前年 120件`, with a hollow point
    in last year's shade), both at the as-of month: the higher written above its point, the lower below."""
    series = this_year.by_month.get(indicator.code, [])
    month = (this_year.as_of.month - FISCAL_YEAR_FIRST_MONTH) % 12
    marks: list[tuple[str, float, str]] = []
    if xs and series and not math.isnan(ys[-1]):
        marks.append((f"今年 {figure_text(indicator, series[-1])}", ys[-1], colour))
    before = math.nan if same is None else _plotted(indicator, same)
    if same is not None and not math.isnan(before):
        marks.append((f"前年 {figure_text(indicator, same)}", before, _darker(_lighter(colour))))
        if not _is_month_end(this_year.as_of):  # at a month end the dashed line's own point is the figure
            axes.plot(
                [month],
                [before],
                linestyle="",
                marker="o",
                markersize=7,
                markerfacecolor="white",
                color=_lighter(colour),
                zorder=3,
                clip_on=False,
            )
    near_end = month >= 8
    ordered = sorted(marks, key=lambda mark: mark[1], reverse=True)  # the higher first: above its point
    for place, (label, y, shade) in enumerate(ordered):
        above = place == 0
        axes.annotate(
            label,
            (month, y),
            xytext=(-8 if near_end else 8, 8 if above else -8),
            textcoords="offset points",
            ha="right" if near_end else "left",
            va="bottom" if above else "top",
            fontsize=size,
            color=shade,
            zorder=5,
        )


def _style_axes(axes: Axes, panel: list[Indicator], this_year: Totals, *, text_size: int, narrow: bool) -> None:
    """Months on x (every other one labelled in a half-width panel, where twelve labels would touch)."""
    axes.set_xticks(range(12), [label if not narrow or i % 2 == 0 else "" for i, label in enumerate(MONTH_NUMBERS)])
    axes.set_xlabel("月", fontsize=text_size)
    axes.set_xlim(-0.5, 11.5)
    axes.tick_params(labelsize=text_size)
    axes.set_ylabel(_y_label(panel[0], this_year), fontsize=text_size)
    if panel[0].aggregation is Aggregation.SURVEY_YES_SHARE:
        axes.set_ylim(0, 100)
        axes.yaxis.set_major_locator(MultipleLocator(25 if text_size < 16 else 20))
        return
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=2))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    _, top = axes.get_ylim()
    axes.set_ylim(0, max(top * 1.1, 1.0))  # headroom for the latest figure's label; 0…1 when all zero


def _y_label(indicator: Indicator, totals: Totals) -> str:
    """`件数（累計）`, `割合（％）`, `地域数（全334地域中）`."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        return "割合（％）"
    if indicator.denominator is Denominator.ROSTER_AREAS:
        series = totals.by_month.get(indicator.code, [])
        areas = series[-1].denominator if series else None
        return f"地域数（全{areas:,}地域中）" if areas else "地域数（累計）"
    noun = {"件": "件数", "人": "人数", "世帯": "世帯数"}.get(indicator.unit_ja, indicator.unit_ja)
    return f"{noun}（累計）"


def _darker(colour: str) -> str:
    """Last year's label: its line's light shade is too pale for text."""
    red, green, blue = to_rgb(colour)
    return to_hex((red * 0.6, green * 0.6, blue * 0.6))


def _lighter(colour: str) -> str:
    red, green, blue = to_rgb(colour)
    mix = LAST_YEAR_LIGHTNESS
    return to_hex((red + (1 - red) * mix, green + (1 - green) * mix, blue + (1 - blue) * mix))
