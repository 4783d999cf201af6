"""The message catalog: every text the bot shows, in Japanese and English. Handlers ask here; they hold no text.

The texts themselves are in `workers.py` and `supervisors.py` (by audience, so neither file grows past reading),
`dashboard.py` (the bot's words about the dashboard) and `dashboard_page.py` (the page's words, `dash_…`); this module
joins them into `TEXTS` and holds the functions and labels.

Japanese is the default; English is used when the user's Telegram language is not Japanese.
Texts are short: they are read on a phone between two home visits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.texts.dashboard import DASHBOARD
from bot.texts.dashboard_page import PAGE_TEXTS
from bot.texts.supervisors import SUPERVISORS
from bot.texts.workers import EN as EN
from bot.texts.workers import JA as JA
from bot.texts.workers import WORKERS
from models.catalog import KINDS_BY_CODE
from models.fiscal import reiwa_numeral
from models.fiscal import today as japan_today

_PARTS = (WORKERS, SUPERVISORS, DASHBOARD, PAGE_TEXTS)
TEXTS: dict[str, dict[str, str]] = {key: entry for part in _PARTS for key, entry in part.items()}
assert len(TEXTS) == sum(map(len, _PARTS)), "a key is in two parts of the catalog"
PAGE_PREFIX = "dash_"  # the page's words (GET /app/api/texts)
assert all(key.startswith(PAGE_PREFIX) for key in PAGE_TEXTS), "the page's words start with dash_"
assert not any(key.startswith(PAGE_PREFIX) for part in _PARTS[:-1] for key in part), "dash_ keys are the page's"


PERSONAL_DATA_LABELS: dict[str, dict[str, str]] = {
    "name": {JA: "氏名", EN: "a name"},
    "phone": {JA: "電話番号", EN: "a phone number"},
    "id_number": {JA: "マイナンバー等の番号", EN: "an ID number (My Number, insurance card …)"},
    "birth_date": {JA: "生年月日", EN: "a birth date"},
    "email": {JA: "メールアドレス", EN: "an e-mail address"},
    "contact_id": {JA: "連絡先ID", EN: "a messaging-app ID (LINE, WhatsApp, @handle …)"},
    "postal_code": {JA: "郵便番号", EN: "a postal code"},
    "address": {JA: "住所", EN: "an address"},
    "diagnosis": {JA: "診断名", EN: "a diagnosis"},
}

ROLE_LABELS: dict[str, dict[str, str]] = {
    "worker": {JA: "職員", EN: "worker"},
    "ward_supervisor": {JA: "区の管理者", EN: "ward supervisor"},
    "city_supervisor": {JA: "市の管理者", EN: "city supervisor"},
    "admin": {JA: "システム管理者", EN: "administrator"},
}

CITY_LABEL = {JA: "大阪市", EN: "Osaka City"}
# A month's approval state (models.approval.State) → its words.
APPROVAL_STATES = {
    "open": "approval_open",
    "confirmed": "approval_confirmed",
    "accepted": "approval_accepted",
    "returned": "approval_returned",
}

WEEKDAY_LABELS: dict[str, tuple[str, ...]] = {
    JA: ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
    EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def language_of(language_code: str | None) -> str:
    """Japanese unless the user's Telegram language is set to something else."""
    return EN if language_code and not language_code.lower().startswith(JA) else JA


def text(key: str, language: str, **values: object) -> str:
    entry = TEXTS[key]
    return entry.get(language, entry[JA]).format(**values)


def month_label(year: int, month: int, language: str, *, with_year: bool = True) -> str:
    """A month as the bot says it: 「2025年11月」 / "November 2025"; without the year 「11月」 / "November"."""
    if language == JA:
        return f"{year}年{month}月" if with_year else f"{month}月"
    name = date(year, month, 1).strftime("%B")
    return f"{name} {year}" if with_year else name


def approval_label(state: str, language: str) -> str:
    return text(APPROVAL_STATES[state], language)


def kind_label(kind: str, language: str) -> str:
    found = KINDS_BY_CODE[kind]
    return found.label_en if language == EN else found.label_ja


def role_label(role: str, language: str) -> str:
    return ROLE_LABELS.get(role, {}).get(language, role)


def personal_data_labels(kinds: Iterable[str], language: str) -> str:
    """電話番号・氏名: every kind the guard found, so the worker knows what to remove."""
    return ("・" if language == JA else ", ").join(PERSONAL_DATA_LABELS[kind][language] for kind in kinds)


def date_values(day: date, language: str) -> dict[str, object]:
    """What a date hint is written with: {y} {m} {d}, {r} (令和), {wd} (木 / Thu) and {weekday} (木曜日 / Thursday)."""
    weekday = WEEKDAY_LABELS[language][day.weekday()]
    short = weekday[:1] if language == JA else weekday[:3]
    return {"y": day.year, "m": day.month, "d": day.day, "r": reiwa_numeral(day.year), "wd": short, "weekday": weekday}


def weekday_mismatch(day: date, today: date, language: str) -> str:
    """「12/3 は木曜日です」: the year is named only when it is not this year's (it was inferred, so say which)."""
    if language == EN:
        label = day.isoformat()  # 12/3 reads as 12 March in much of the English-speaking world
    else:
        label = f"{day.month}/{day.day}" if day.year == today.year else f"{day.year}/{day.month}/{day.day}"
    return text("date_weekday_mismatch", language, date=label, weekday=WEEKDAY_LABELS[language][day.weekday()])


def short_day(day: date, language: str) -> str:
    """「12/4(木)」 / "Thu 4 Dec": a planned contact's day, with the year only when it is not this one's."""
    weekday = WEEKDAY_LABELS[language][day.weekday()]
    if language == EN:
        return f"{weekday[:3]} {day.day} {day:%b}" + (f" {day.year}" if day.year != japan_today().year else "")
    year = f"{day.year}/" if day.year != japan_today().year else ""
    return f"{year}{day.month}/{day.day}({weekday[:1]})"
