"""The personal-data guard on free text (pure) and the household reference format.

The labelled corpus in tests/data/privacy_corpus.tsv is the guard's yardstick: the test prints recall on the
notes that hold personal data and the false-refusal rate on the ordinary ones, and fails below the targets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.privacy_bench import TARGET_FALSE_REFUSALS, TARGET_RECALL, accuracy, labelled_notes
from models.privacy import (
    PersonalData,
    PersonalDataError,
    is_valid_household_ref,
    personal_data_in,
    refuse_personal_data,
    remember_places,
)


def test_the_corpus_is_large_and_half_personal() -> None:
    rows = labelled_notes()
    personal = [kind for kind, _note in rows if kind != "-"]
    assert len(rows) >= 150
    assert 0.4 <= len(personal) / len(rows) <= 0.6
    assert {PersonalData(kind) for kind in personal} == set(PersonalData)  # every kind is in it


def test_recall_and_false_refusals_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    found = accuracy(labelled_notes())
    recall, refusals = (
        f"{found['recall']:.1%} of {found['personal']}",
        f"{found['false_refusals']:.1%} of {found['ordinary']}",
    )
    with capsys.disabled():
        print(
            f"\nprivacy corpus: recall {recall} notes with personal data (kind named), false refusals {refusals} clean"
        )
    assert found["recall"] >= TARGET_RECALL, found["missed"]
    assert found["false_refusals"] <= TARGET_FALSE_REFUSALS, found["refused"]


def test_the_measures_count_misses_and_refusals(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("# kind, note\nphone\t090-1234-5678\nname\t定例訪問\nemail\t山田宅\n-\t山田宅\n-\t定例訪問\n")
    found = accuracy(labelled_notes(corpus))
    assert (found["recall"], found["false_refusals"]) == (
        pytest.approx(1 / 3),
        0.5,
    )  # 山田宅 holds a name, not an e-mail
    assert (found["missed"], found["refused"]) == (["定例訪問", "山田宅"], ["山田宅"])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the seven notes of issue 11, saved before the guard knew them
        ("1940/03/02生", PersonalData.BIRTH_DATE),
        ("090 1234 5678", PersonalData.PHONE),
        ("山田宅訪問", PersonalData.NAME),
        ("田中一郎と面談", PersonalData.NAME),
        ("(06)6123-4567", PersonalData.PHONE),
        ("マイナンバー123456789012", PersonalData.ID_NUMBER),
        ("昭和15年生まれの男性", PersonalData.BIRTH_DATE),
        # and their relatives
        ("０６－６２０８－１２３４に連絡", PersonalData.PHONE),  # full-width digits
        ("（０６）６１２３－４５６７", PersonalData.PHONE),  # full-width parentheses
        ("090.1234.5678", PersonalData.PHONE),
        ("〒530-0001", PersonalData.POSTAL_CODE),
        ("taro@example.jp", PersonalData.EMAIL),
        ("山田様宅へ訪問", PersonalData.NAME),
        ("梅田さんと面談", PersonalData.NAME),  # a place as a surname, with an honorific
        ("みよこさん", PersonalData.NAME),  # a given name in kana
        ("S20.5.1", PersonalData.BIRTH_DATE),
        ("1940年生", PersonalData.BIRTH_DATE),
        ("被保険者番号0012345678", PersonalData.ID_NUMBER),  # the word wins over the phone-like digits
        ("野村宅にて面談", PersonalData.NAME),  # tagged as a company name, but a surname before 宅
        ("都島本通3丁目", PersonalData.ADDRESS),
        ("1-2-3に居住", PersonalData.ADDRESS),
    ],
)
def test_personal_data_is_found_and_named(text: str, kind: PersonalData) -> None:
    assert kind in personal_data_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "社協の担当者さんへ",  # a role, not a name (refused before issue 11)
        "民生委員さんから連絡",
        "区役所の保健師さんと情報共有",  # 保健師 is split 保 + 健師 by the analyser
        "町会長さんに報告",
        "梅田で会議",
        "今里の集会所で交流会",  # a place the dictionary reads as a surname
        "Aさん宅訪問、変わりなし",  # an initial identifies no one
        "85歳男性、足腰が弱っている",
        "R7.11.3に再訪",
        "マイナンバーカードの申請を手伝った",
        "11/3に再訪予定",
    ],
)
def test_ordinary_case_notes_pass(text: str) -> None:
    assert personal_data_in(text) == []


def test_the_refusal_names_every_kind_in_order() -> None:
    with pytest.raises(PersonalDataError) as refused:
        refuse_personal_data("山田 090-1234-5678")
    assert refused.value.kinds == [PersonalData.NAME, PersonalData.PHONE]
    assert str(refused.value) == "name, phone"  # the kinds, never the text


def test_area_names_handed_in_are_places() -> None:
    note = "高見沢地域の交流会"
    was_a_name = PersonalData.NAME in personal_data_in(note)
    remember_places(["高見沢地域"])
    assert was_a_name  # the analyser reads 高見沢 as a surname …
    assert personal_data_in(note) == []  # … but it is the name of an area in the area master


@pytest.mark.parametrize(
    ("ref", "valid"),
    [
        ("27102-H0001", True),
        ("H1", True),
        ("山田", False),
        ("", False),
        ("-H1", False),
        ("A" * 33, False),
        ("H 1", False),
    ],
)
def test_household_refs_are_pseudonymous_codes(ref: str, valid: bool) -> None:
    assert is_valid_household_ref(ref) is valid
