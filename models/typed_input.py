"""Reading what people type on a phone: dates and counts, in the forms Japanese offices write them. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

REIWA_OFFSET = 2018
NEAR_FUTURE_DAYS = 31
_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_REIWA = re.compile(r"^(?:R|令和)(\d{1,2}|元)[./年](\d{1,2})[./月](\d{1,2})日?$", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
# A phone's Japanese keyboard types ー (or a minus or a dash) for "-"; between two digits it can only mean "-".
_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ー−‐‑–—―](?=\d)")
# One row per number of days back.
_DAYS_BACK = {
    "今日": 0, "きょう": 0, "today": 0,
    "昨日": 1, "きのう": 1, "yesterday": 1,
    "一昨日": 2, "おととい": 2, "おとつい": 2, "daybeforeyesterday": 2,
}  # fmt: skip
# The weekday after a date: 木, 木曜, 木曜日, Thu, Thursday; in a matching pair of brackets, or in none.
_BRACKETS = {
    "": "",
    "(": ")",
    "[": "]",
    "{": "}",
    "<": ">",
    "【": "】",
    "〔": "〕",
    "〈": "〉",
    "《": "》",
    "「": "」",
    "『": "』",
}
_WEEKDAY_SUFFIX = re.compile(
    r"(?P<open>[(\[{<【〔〈《「『]?)"
    r"(?P<name>[月火水木金土日](?:曜日?)?"
    r"|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs?|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
    r"(?P<close>[)\]}>】〕〉》」』]?)$",
    re.IGNORECASE,
)
_WEEKDAY_KEYS = ("月火水木金土日", ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


@dataclass(frozen=True)
class Unreadable:
    """Not a date, or not a real one (2/30): the person is shown forms that work."""


@dataclass(frozen=True)
class WrongWeekday:
    """A real date followed by a weekday that is not its own.

    Neither half is guessed to be the typo: the person is told `day`'s real weekday and types the date again.
    """

    day: date


DateProblem = Unreadable | WrongWeekday


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces removed: ２０２５／１１／３ → 2025/11/3."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_date(text: str, today: date) -> date | DateProblem:
    """A date, or why it is not one.

    Forms: `11/3`, `11-3`, `11.3`, `11月3日`, `2025-11-03`, `2025/11/3`, `2025年11月3日`, `R7.11.3`,
    `令和7年11月3日`, `今日`, `昨日`, `一昨日`/`おととい`; any of them followed by its weekday in brackets
    (`12/3(木)`, `12月3日（木曜日）`, `12/3【木】`) or without (`12/3木`).

    A month/day without a year is this year's, unless that lies more than a month ahead: then it is last
    year's (`12/25` typed in January). A day just ahead stays in the future, so it is refused as such.
    A weekday only checks the date read; it never chooses the year.
    """
    plain = _DASH_BETWEEN_DIGITS.sub("-", normalise(text))
    day = _read_date(plain, today)
    if day is not None:  # before any weekday is looked for: 12月3日 ends in 日, which is also Sunday
        return day
    return _read_date_and_weekday(plain, today)


def _read_date_and_weekday(plain: str, today: date) -> date | DateProblem:
    match = _WEEKDAY_SUFFIX.search(plain)
    if match is None or _BRACKETS.get(match["open"]) != match["close"]:
        return Unreadable()
    day = _read_date(plain[: match.start()], today)
    if day is None:
        return Unreadable()
    return day if day.weekday() == _weekday_index(match["name"]) else WrongWeekday(day)


def _weekday_index(name: str) -> int:
    """Monday is 0, as `date.weekday()` counts: 木曜日 → 3, Thu → 3."""
    japanese, english = _WEEKDAY_KEYS
    return japanese.index(name[0]) if name[0] in japanese else english.index(name[:3].lower())


def _read_date(plain: str, today: date) -> date | None:
    if (back := _DAYS_BACK.get(plain.lower())) is not None:
        return today - timedelta(days=back)
    if match := _ISO.match(plain):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _REIWA.match(plain):
        era_year = 1 if match[1] == "元" else int(match[1])
        return _safe_date(era_year + REIWA_OFFSET, int(match[2]), int(match[3]))
    if match := _MONTH_DAY.match(plain):
        month, day = int(match[1]), int(match[2])
        candidate = _safe_date(today.year, month, day)
        if candidate is not None and (candidate - today).days > NEAR_FUTURE_DAYS:
            candidate = _safe_date(today.year - 1, month, day)
        return candidate
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_count(text: str) -> int | None:
    """A whole number typed with ASCII or full-width digits, optionally followed by 件/人/回."""
    plain = normalise(text).removesuffix("件").removesuffix("人").removesuffix("回")
    return int(plain) if plain.isdigit() and len(plain) <= 6 else None
