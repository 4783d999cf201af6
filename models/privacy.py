"""Checks that keep obvious personal data of citizens out of free text and reference codes.

Heuristics, deliberately on the cautious side: a refused note costs the worker a retype; a saved phone
number is a data breach. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

HOUSEHOLD_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")


class PersonalData(StrEnum):
    PHONE = "phone"
    POSTAL_CODE = "postal_code"
    EMAIL = "email"
    HONORIFIC_NAME = "honorific_name"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"


_PATTERNS: tuple[tuple[PersonalData, re.Pattern[str]], ...] = (
    (PersonalData.EMAIL, re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    (PersonalData.PHONE, re.compile(r"(?<!\d)0\d{1,4}[-(]?\d{1,4}[-)]?\d{3,4}(?!\d)|(?<!\d)0[789]0\d{8}(?!\d)")),
    (PersonalData.POSTAL_CODE, re.compile(r"〒|(?<![\d-])\d{3}-\d{4}(?![\d-])")),
    (
        PersonalData.BIRTH_DATE,
        re.compile(
            r"生年月日|誕生日|(?:明治|大正|昭和|平成|[MTSH])\s*\d{1,2}\s*[年.\-/]\s*\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日生"
        ),
    ),
    (PersonalData.ADDRESS, re.compile(r"\d+丁目|\d+番地?\d*号?|\d+-\d+-\d+")),
)


# A word before an honorific: 山田様, 田中さん, 花子ちゃん, 鈴木氏 are names; 皆さん, 民生委員さん, 娘さん are not.
_HONORIFIC = re.compile(r"([\w々ー]{1,12})(?:様|さま|さん|ちゃん|くん|君|氏)")
_NOT_A_NAME = (
    "皆", "みな", "みんな", "お客", "委員", "住民", "利用者", "職員", "ボランティア", "業者", "家族", "近所", "隣",
    "大家", "管理人", "会長", "先生", "医師", "看護師", "ケアマネ", "包括", "父", "母", "おじい", "おばあ", "じい",
    "ばあ", "お子", "奥", "娘", "息子", "兄", "姉", "弟", "妹", "孫", "夫", "妻", "嫁", "ご主人", "本人", "相手",
    "皆様", "民生", "主任", "担当", "地域", "お隣", "患者", "店員", "運転手", "警察",
)  # fmt: skip


def _names_with_honorific(text: str) -> bool:
    return any(not match.group(1).endswith(_NOT_A_NAME) for match in _HONORIFIC.finditer(text))


def normalise(text: str) -> str:
    """NFKC: full-width digits and letters become ASCII, so ０９０ is caught like 090."""
    return unicodedata.normalize("NFKC", text)


def personal_data_in(text: str) -> list[PersonalData]:
    """The kinds of personal data the text seems to contain (empty when it looks clean)."""
    plain = normalise(text)
    found = [kind for kind, pattern in _PATTERNS if pattern.search(plain)]
    if _names_with_honorific(plain):
        found.append(PersonalData.HONORIFIC_NAME)
    return found


def is_valid_household_ref(ref: str) -> bool:
    """Reference codes are pseudonymous: ASCII letters, digits and hyphens only (no names can hide in them)."""
    return bool(HOUSEHOLD_REF_PATTERN.match(ref))
