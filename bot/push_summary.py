"""The monthly push's summary in words: a few plain lines made from `models.push_summary.Summary`, read first."""

from __future__ import annotations

from bot.texts import text
from models.catalog import INDICATORS_BY_CODE
from models.push_summary import Move, Summary, in_city_order
from models.reference import CITY_WARD_ORDER
from models.totals import sheet_notation


def summary_lines(summary: Summary, names: dict[str, str], month: str, lang: str) -> list[str]:
    """【まとめ】 and its lines: the biggest moves, the wards furthest behind, completeness, then (when parts 3 and 4
    of issue 22 fill `ReviewState`) flagged entries waiting and wards not confirmed."""
    join = "、" if lang == "ja" else ", "
    lines = [text("summary_header", lang)]
    if summary.up is not None:
        lines.append(text("summary_up", lang, **_move(summary.up)))
    if summary.down is not None:
        lines.append(text("summary_down", lang, **_move(summary.down)))
    if summary.up is None and summary.down is None:
        lines.append(text("summary_no_comparison", lang))
    if summary.behind:
        wards = join.join(
            text("summary_ward_ratio", lang, ward=names.get(ward, ward), ratio=f"{ratio * 100:.0f}")
            for ward, ratio in summary.behind
        )
        lines.append(text("summary_behind", lang, wards=wards))
    reported = summary.reported
    if reported.expected:
        lines.append(
            text(
                "summary_reported",
                lang,
                month=month,
                reported=reported.reported,
                expected=reported.expected,
                on_time=reported.on_time,
            )
        )
    if summary.fewest_reports:
        wards = join.join(
            text("summary_ward_reported", lang, ward=names.get(ward, ward), reported=c.reported, expected=c.expected)
            for ward, c in summary.fewest_reports
        )
        lines.append(text("summary_low_reporting", lang, wards=wards))
    review = summary.review
    if review.flagged_waiting:  # none waiting is no news
        lines.append(text("summary_flagged", lang, count=review.flagged_waiting))
    if review.wards_not_confirmed is not None:
        if len(review.wards_not_confirmed) == len(CITY_WARD_ORDER):  # the usual state just after a month ends
            lines.append(text("summary_none_confirmed", lang, month=month))
        elif review.wards_not_confirmed:
            wards = join.join(names.get(ward, ward) for ward in in_city_order(review.wards_not_confirmed))
            lines.append(text("summary_not_confirmed", lang, month=month, wards=wards))
        else:
            lines.append(text("summary_all_confirmed", lang, month=month))
    return lines


def _move(move: Move) -> dict[str, str]:
    indicator = INDICATORS_BY_CODE[move.code]
    return {
        "label": indicator.short_label,
        "last": sheet_notation(indicator, move.last_year),
        "now": sheet_notation(indicator, move.now),
    }
