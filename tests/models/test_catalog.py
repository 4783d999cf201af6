"""The indicator catalog covers the client's sheet spec (docs/sheet-spec.md) exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.catalog import (
    EVENT_KINDS,
    INDICATOR_BY_KIND,
    INDICATORS,
    INDICATORS_BY_CODE,
    KINDS_BY_CODE,
    SHEETS,
    Aggregation,
    Denominator,
    Indicator,
    Requirement,
    kinds_for,
)
from models.roles import Organisation

SPEC = Path(__file__).resolve().parents[2] / "docs" / "sheet-spec.md"
ROW = re.compile(r"^\| (\d-[\dQ]) \|(?: [^|]* \|)? ([^|]+) \| `(\w+)`")


def spec_rows() -> dict[str, tuple[str, str]]:
    """code → (indicator label as in the spec, event kind), read from the spec's tables."""
    rows = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2).strip(), match.group(3))
    return rows


def test_every_indicator_of_the_spec_is_in_the_catalog_with_its_kind() -> None:
    spec = spec_rows()
    assert len(spec) == 13
    assert {code: kind for code, (_label, kind) in spec.items()} == {i.code: i.kind for i in INDICATORS}


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_labels_are_as_on_the_sheet(indicator: Indicator) -> None:
    code = indicator.code
    spec_label = spec_rows()[code][0].split(" ／ ")[0]
    assert INDICATORS_BY_CODE[code].label == spec_label


def test_aggregations_follow_the_counting_rules() -> None:
    by_aggregation = {a: sorted(i.code for i in INDICATORS if i.aggregation is a) for a in Aggregation}
    assert by_aggregation == {
        Aggregation.DISTINCT_AREAS: ["1-1", "1-2"],
        Aggregation.DISTINCT_HOUSEHOLDS: ["3-1"],
        Aggregation.SURVEY_YES_SHARE: ["2-Q"],
        Aggregation.SUM: ["1-3", "1-4", "1-5", "1-6", "2-1", "2-2", "2-3", "2-4", "2-5"],
    }
    assert INDICATORS_BY_CODE["1-1"].denominator is Denominator.ROSTER_AREAS
    assert INDICATORS_BY_CODE["2-Q"].denominator is Denominator.SURVEY_ANSWERS


def test_event_kinds_require_the_fields_the_rules_name() -> None:
    assert len(EVENT_KINDS) == 13
    assert {k.code for k in EVENT_KINDS if k.area is Requirement.REQUIRED} == {
        "area_meeting",
        "concern_report",
        "roster_provision",
    }
    assert {k.code for k in EVENT_KINDS if k.household is Requirement.REQUIRED} == {"participation_link"}
    assert {k.code for k in EVENT_KINDS if k.household is Requirement.OPTIONAL} == {
        "outreach",
        "watch_consultation",
        "complex_intake",
    }
    assert KINDS_BY_CODE["roster_provision"].counts_people
    assert KINDS_BY_CODE["agency_survey"].takes_answer
    assert set(INDICATOR_BY_KIND) == set(KINDS_BY_CODE)  # every kind counts toward exactly one indicator


def test_menus_put_an_organisations_usual_kinds_first() -> None:
    council = kinds_for(Organisation.WARD_COUNCIL)
    assert council[0].code == "participation_link"
    health = [k.code for k in kinds_for(Organisation.HEALTH_CENTRE)]
    assert health[:6] == [
        "complex_intake",
        "tsunagaru_meeting",
        "sv_dispatch",
        "training_session",
        "watch_office_link",
        "agency_survey",
    ]
    assert len(health) == 13


def test_three_sheets_with_their_sub_initiatives() -> None:
    assert [s.goal for s in SHEETS] == ["基本目標1", "基本目標2", "参加支援"]
    assert [sub.letter for sub in SHEETS[0].sub_initiatives] == ["ア", "イ", "ウ"]
    assert [sub.letter for sub in SHEETS[1].sub_initiatives] == ["ア", "イ", "ウ"]
    assert {i.sheet for i in INDICATORS} == {1, 2, 3}
