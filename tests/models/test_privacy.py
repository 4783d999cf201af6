"""The personal-data check on notes and the household reference format (pure)."""

from __future__ import annotations

import pytest

from models.privacy import PersonalData, is_valid_household_ref, personal_data_in


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("090-1234-5678", PersonalData.PHONE),
        ("０６－６２０８－１２３４に連絡", PersonalData.PHONE),  # full-width digits
        ("09012345678", PersonalData.PHONE),
        ("〒530-0001", PersonalData.POSTAL_CODE),
        ("530-0001", PersonalData.POSTAL_CODE),
        ("taro@example.jp", PersonalData.EMAIL),
        ("山田様宅へ訪問", PersonalData.HONORIFIC_NAME),
        ("田中さんと面談", PersonalData.HONORIFIC_NAME),
        ("花子ちゃん", PersonalData.HONORIFIC_NAME),
        ("生年月日を確認", PersonalData.BIRTH_DATE),
        ("昭和20年5月1日生まれ", PersonalData.BIRTH_DATE),
        ("S20.5.1", PersonalData.BIRTH_DATE),
        ("都島本通3丁目", PersonalData.ADDRESS),
        ("1-2-3に居住", PersonalData.ADDRESS),
    ],
)
def test_personal_data_is_found(text: str, kind: PersonalData) -> None:
    assert kind in personal_data_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "定例訪問。変化なし",
        "民生委員さんから連絡",
        "娘さんと同居",
        "皆さんで見守り",
        "本人と面談",
        "5人参加",
        "11/3に再訪予定",
    ],
)
def test_ordinary_case_notes_pass(text: str) -> None:
    assert personal_data_in(text) == []


@pytest.mark.parametrize(("ref", "valid"), [("27102-H0001", True), ("H1", True), ("山田", False), ("", False),
                                            ("-H1", False), ("A" * 33, False), ("H 1", False)])  # fmt: skip
def test_household_refs_are_pseudonymous_codes(ref: str, valid: bool) -> None:
    assert is_valid_household_ref(ref) is valid
