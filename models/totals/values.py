"""A figure of the sheet (`IndicatorValue`), a scope's totals (`Totals`) and how the sheet writes a figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.catalog import Aggregation, Denominator, Indicator

YearMonth = tuple[int, int]


@dataclass(frozen=True)
class IndicatorValue:
    """One figure: the value, and for shares its denominator and percentage (one decimal, rounded half up)."""

    value: int
    denominator: int | None = None
    from_baseline: bool = False  # includes a baseline (a figure from before the bot), see the module docstring

    @property
    def percent(self) -> float | None:
        return percent(self.value, self.denominator)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "denominator": self.denominator, "percent": self.percent}
        if self.from_baseline:
            data["baseline"] = True
        return data


def percent(numerator: int, denominator: int | None) -> float | None:
    """100 × numerator ÷ denominator to one decimal, half up (四捨五入), in exact integer arithmetic."""
    if not denominator:
        return None
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def sheet_notation(indicator: Indicator, figure: IndicatorValue) -> str:
    """A figure as the sheet writes it: `12 ／ 全334地域（3.6％）`, `128件`, `75.0％（効果あり30 ／ 回答40）`."""
    if indicator.aggregation is Aggregation.SURVEY_YES_SHARE:
        shown = "—" if figure.percent is None else f"{figure.percent:.1f}％"
        return f"{shown}（効果あり{figure.value:,} ／ 回答{figure.denominator or 0:,}）"
    if indicator.denominator is Denominator.ROSTER_AREAS:
        text = f"{figure.value:,} ／ 全{figure.denominator or 0:,}地域"
        if indicator.shows_percent and figure.percent is not None:
            text += f"（{figure.percent:.1f}％）"
        return text
    return f"{figure.value:,}{indicator.unit_ja}"


@dataclass(frozen=True)
class Totals:
    fiscal_year: int
    as_of: date
    ward_code: str | None  # None: the whole city
    indicators: dict[str, IndicatorValue]
    by_ward: dict[str, dict[str, IndicatorValue]]
    months: list[YearMonth]  # April … the as-of month
    by_month: dict[str, list[IndicatorValue]]  # cumulative, as of the end of each month (or as_of)
    definitions: dict[str, Any] = field(default_factory=dict)
    no_data: bool = False  # no events and no baselines in the year and scope: shown as 「—」, not zeros

    @property
    def scope(self) -> str:
        return self.ward_code or "city"

    def as_json(self) -> dict[str, Any]:
        return {
            "fy": self.fiscal_year,
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "indicators": {code: value.as_json() for code, value in self.indicators.items()},
            "by_ward": {
                ward: {code: value.as_json() for code, value in values.items()} for ward, values in self.by_ward.items()
            },
            "months": [f"{year:04d}-{month:02d}" for year, month in self.months],
            "by_month": {code: [v.as_json() for v in values] for code, values in self.by_month.items()},
            "definitions": self.definitions,
        }
