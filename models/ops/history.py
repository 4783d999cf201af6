"""Event-level history from before the bot: a CSV file imported as events, all rows or none.

Columns (a header row, any order): `kind,date,ward_code,area_code,household_ref,count,answer,note`
(`answer` only for agency_survey: yes/no/1/0; `note` optional, checked by the privacy guard like a note in the
chat: a row whose note holds personal data is refused, naming the kind found).
UTF-8 (with or without BOM) or cp932 (Excel in Japan).
Dates are `YYYY-MM-DD` or `YYYY/M/D`; full-width digits and letters are read as ASCII.

Every row is checked like an entry in the chat (`models.entries.write.draft_problems`), plus: the ward exists, the
area exists and lies in that ward. One problem anywhere and nothing is saved; every problem is reported with
its line number, in Japanese. History belongs to months before the bot, which have locked long ago; but a locked
month in which the bot has recorded entries for the ward was reported from them, and an import may not change it
behind the lock (the same rule as /undo and corrections): such rows are refused until the ward-month is reopened.

Idempotent: a row's key is the SHA-256 of its normalised fields plus its occurrence number among identical
rows (`#1`, `#2` …), so importing the same file again adds nothing, and a file with two identical rows
imports two events. A key already present (even on a voided event) is skipped, never imported again.
Events get `source="import"` and no staff; one audit entry `import` holds the counts, never row contents.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models import rollups
from models.catalog import KINDS_BY_CODE
from models.entries.draft import EventDraft, Problem, draft_problems
from models.fiscal import month_end
from models.locks import DEFAULT_LOCK_BUSINESS_DAYS, is_entry_locked
from models.privacy import PersonalData, personal_data_in
from models.reference import remember_area_names
from models.tables import NOTE_MAX_LENGTH, Area, AuditEntry, Event, TotalsSnapshot, Ward

EVENT_CSV_COLUMNS = ("kind", "date", "ward_code", "area_code", "household_ref", "count", "answer", "note")
REQUIRED_COLUMNS = ("kind", "date", "ward_code")
KIND_CODES = ", ".join(KINDS_BY_CODE)  # the valid kind codes, in the catalog's order
UNKNOWN_KIND_MARK = "が登録されていません（使える種別は最後に）"  # ends a row's unknown-kind problem
KEY_PREFIX = "import:"
KEY_QUERY_CHUNK = 500  # keys per IN (…) when looking for rows imported before
EXTRA = "(extra)"  # where csv puts the values beyond the header's columns
UNKNOWN_AREA_ID = -1  # an area code that names no area: present for the kind's rules, reported on its own

ANSWERS = {"yes": True, "no": False, "1": True, "0": False, "true": True, "false": False, "はい": True, "いいえ": False}
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")

PROBLEM_TEXTS: dict[Problem, str] = {
    Problem.UNKNOWN_KIND: "種別（kind）が登録されていません",
    Problem.AREA_REQUIRED: "この種別には地域コード（area_code）が必要です",
    Problem.AREA_NOT_ALLOWED: "この種別には地域コード（area_code）を書けません",
    Problem.AREA_NOT_IN_WARD: "地域コード（area_code）がこの区の地域ではありません",
    Problem.HOUSEHOLD_REQUIRED: "この種別には世帯参照コード（household_ref）が必要です",
    Problem.HOUSEHOLD_NOT_ALLOWED: "この種別には世帯参照コード（household_ref）を書けません",
    Problem.HOUSEHOLD_INVALID: "世帯参照コード（household_ref）の形式が正しくありません（英数字とハイフン、32字まで）",
    Problem.COUNT_OUT_OF_RANGE: "件数（count）は1〜999です",
    Problem.COUNT_NOT_ALLOWED: "この種別の件数（count）は1だけです",
    Problem.ANSWER_REQUIRED: "アンケート回答（answer）が必要です（yes/no/1/0）",
    Problem.ANSWER_NOT_ALLOWED: "この種別にはアンケート回答（answer）を書けません",
    Problem.FUTURE_DATE: "未来の日付です",
    Problem.NOTE_TOO_LONG: f"メモ（note）は{NOTE_MAX_LENGTH}文字までです",
}
PERSONAL_DATA_TEXTS: dict[PersonalData, str] = {
    PersonalData.NAME: "氏名",
    PersonalData.PHONE: "電話番号",
    PersonalData.ID_NUMBER: "マイナンバー等の番号",
    PersonalData.BIRTH_DATE: "生年月日",
    PersonalData.EMAIL: "メールアドレス",
    PersonalData.CONTACT_ID: "連絡先ID",
    PersonalData.POSTAL_CODE: "郵便番号",
    PersonalData.ADDRESS: "住所",
    PersonalData.DIAGNOSIS: "診断名",
}


class EventImportError(ValueError):
    """The file was rejected and nothing was saved; `problems` lists every problem, by line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems
        self.unknown_kind = any(UNKNOWN_KIND_MARK in problem for problem in problems)


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int  # rows imported before (their key already exists)
    months: list[str] = field(default_factory=list)  # 'YYYY-MM' of every row, sorted, once each


@dataclass(frozen=True)
class _Row:
    """One checked row: its draft and the normalised text its key is made from."""

    draft: EventDraft
    normalised: str
    line: int = 0


async def import_events(
    session: AsyncSession,
    csv_bytes_or_text: bytes | str,
    *,
    today: date,
    source: str = "import",
    actor: str = "cli",
    lock_business_days: int = DEFAULT_LOCK_BUSINESS_DAYS,
) -> ImportResult:
    """Import every row of the file as an event, or none (EventImportError lists the problems)."""
    text = decode(csv_bytes_or_text)
    records = _records(text)
    await remember_area_names(session)  # the guard reads area names as places, not people
    areas = await _areas(session)
    wards = set((await session.scalars(select(col(Ward.code)))).all())
    rows, problems = _checked_rows(records, areas, wards, today)
    problems += await _locked_by_the_bot(session, rows, today, lock_business_days)
    if problems:
        raise EventImportError(problems)
    keyed = list(zip(idempotency_keys(row.normalised for row in rows), rows, strict=True))
    existing = await _existing_keys(session, [key for key, _row in keyed])
    new = [(key, row) for key, row in keyed if key not in existing]
    added = [_event(row.draft, key, source) for key, row in new]
    session.add_all(added)
    await session.flush()
    await rollups.count_events(session, added)
    months = sorted({row.draft.occurred_on.strftime("%Y-%m") for row in rows})
    result = ImportResult(added=len(new), skipped=len(rows) - len(new), months=months)
    session.add(
        AuditEntry(
            actor=actor,
            action="import",
            entity="event",
            detail={"source": source, "rows": len(rows), "added": result.added, "skipped": result.skipped},
        )
    )
    await session.flush()
    return result


def decode(data: bytes | str) -> str:
    """UTF-8 (a BOM is dropped), else cp932; text passes through."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise EventImportError(
                ["文字コードを読めません（UTF-8 か Shift_JIS（cp932）で保存してください）"]
            ) from None


def idempotency_keys(normalised_rows: Iterable[str]) -> list[str]:
    """`import:<sha256 of the row + '#n'>`, n counting identical rows from 1 in file order."""
    seen: Counter[str] = Counter()
    keys = []
    for row in normalised_rows:
        seen[row] += 1
        digest = hashlib.sha256(f"{row}#{seen[row]}".encode()).hexdigest()
        keys.append(f"{KEY_PREFIX}{digest}")
    return keys


def _records(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-blank row; EventImportError when the header is wrong."""
    reader = csv.DictReader(io.StringIO(text), restkey=EXTRA)
    header = [_clean(name).lower() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise EventImportError(
            [f"1行目: 必須の列がありません: {', '.join(missing)}（列: {', '.join(EVENT_CSV_COLUMNS)}）"]
        )
    unknown = [name for name in header if name and name not in EVENT_CSV_COLUMNS]  # blank names: trailing commas
    if unknown:
        raise EventImportError(
            [f"1行目: 不明な列があります: {', '.join(unknown)}（列: {', '.join(EVENT_CSV_COLUMNS)}）"]
        )
    reader.fieldnames = header
    records = []
    for raw in reader:
        row = {name: _clean(value) for name, value in raw.items() if isinstance(value, str)}
        if any(_clean(value) for value in raw.get(EXTRA) or []):
            row[EXTRA] = "yes"
        if any(row.values()):
            records.append((reader.line_num, row))
    if not records:
        raise EventImportError(["データ行がありません"])
    return records


def _clean(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def _checked_rows(
    records: Sequence[tuple[int, dict[str, str]]], areas: dict[str, tuple[int, str]], wards: set[str], today: date
) -> tuple[list[_Row], list[str]]:
    rows: list[_Row] = []
    problems: list[str] = []
    for line, record in records:
        row, row_problems = _checked_row(record, areas, wards, today)
        problems += [f"{line}行目: {problem}" for problem in row_problems]
        if row is not None:
            rows.append(replace(row, line=line))
    return rows, problems


def _checked_row(
    record: dict[str, str], areas: dict[str, tuple[int, str]], wards: set[str], today: date
) -> tuple[_Row | None, list[str]]:
    """The row as a draft, or the problems found in it (in Japanese, without household references)."""
    problems: list[str] = ['列が多すぎます（値の中のカンマは "…" で囲んでください）'] if EXTRA in record else []
    kind, ward = record.get("kind", ""), record.get("ward_code", "")
    occurred_on = _date(record.get("date", ""), problems)
    count = _count(record.get("count", ""), problems)
    answer = _answer(record.get("answer", ""), problems)
    if ward not in wards:
        problems.append(f"区コード（ward_code）「{ward}」がありません")
    area_code = record.get("area_code") or None
    area_id = _area_id(area_code, ward, areas, problems)
    if kind not in KINDS_BY_CODE:
        problems.append(f"種別（kind）「{kind}」{UNKNOWN_KIND_MARK}")
        return None, problems
    draft = EventDraft(
        kind=kind,
        occurred_on=occurred_on or today,
        ward_code=ward,
        area_id=area_id,
        household_ref=record.get("household_ref") or None,
        count=count if count is not None else 1,
        answer=answer,
        note=record.get("note") or None,
    )
    problems += [_problem_text(problem, draft) for problem in draft_problems(draft, today)]
    if problems:
        return None, problems
    normalised = "|".join(
        [
            kind,
            draft.occurred_on.isoformat(),
            ward,
            area_code or "",
            draft.household_ref or "",
            str(draft.count),
            "" if answer is None else str(int(answer)),
        ]
    )
    return _Row(draft, normalised), []


async def _locked_by_the_bot(
    session: AsyncSession, rows: Sequence[_Row], today: date, lock_business_days: int
) -> list[str]:
    """Rows for a locked (not reopened) ward-month in which the bot has recorded entries: its figures were reported."""
    refused: dict[tuple[str, int, int], bool] = {}
    problems = []
    for row in rows:
        ward, day = row.draft.ward_code, row.draft.occurred_on
        key = (ward, day.year, day.month)
        if key not in refused:
            refused[key] = await is_entry_locked(session, ward, day, today, lock_business_days) and bool(
                await session.scalar(
                    select(col(Event.id))
                    .where(
                        col(Event.ward_code) == ward,
                        col(Event.source) != "import",
                        col(Event.occurred_on).between(day.replace(day=1), month_end(*key[1:])),
                    )
                    .limit(1)
                )
            )
        if refused[key]:
            problems.append(
                f"{row.line}行目: 区 {ward} の {day:%Y-%m} はボットの記録で締め切られた月です"
                "（/reopen でその月を再開してから取り込んでください）"
            )
    return problems


def _problem_text(problem: Problem, draft: EventDraft) -> str:
    if problem is Problem.NOTE_PERSONAL_DATA:
        kinds = "・".join(PERSONAL_DATA_TEXTS[kind] for kind in personal_data_in(draft.note or ""))
        return f"メモ（note）に個人が分かる情報（{kinds}）が含まれています。その部分を除いてください"
    return PROBLEM_TEXTS.get(problem, str(problem))


def _date(text: str, problems: list[str]) -> date | None:
    match = _DATE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    problems.append(f"日付（date）「{text}」を読めません（例: 2024-06-03 または 2024/6/3）")
    return None


def _count(text: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        problems.append(f"件数（count）「{text}」は整数ではありません")
        return None
    return int(text)


def _answer(text: str, problems: list[str]) -> bool | None:
    if not text:
        return None
    if text.lower() not in ANSWERS:
        problems.append(f"アンケート回答（answer）「{text}」は yes/no/1/0 のいずれかです")
        return None
    return ANSWERS[text.lower()]


def _area_id(code: str | None, ward: str, areas: dict[str, tuple[int, str]], problems: list[str]) -> int | None:
    if code is None:
        return None
    found = areas.get(code)
    if found is None:
        problems.append(f"地域コード（area_code）「{code}」がありません")
        return UNKNOWN_AREA_ID
    area_id, area_ward = found
    if area_ward != ward:
        problems.append(f"地域コード（area_code）「{code}」は区 {ward} の地域ではありません（{area_ward}）")
    return area_id


async def _areas(session: AsyncSession) -> dict[str, tuple[int, str]]:
    """Area code → (id, ward code)."""
    rows = await session.execute(select(col(Area.code), col(Area.id), col(Area.ward_code)))
    return {code: (area_id, ward) for code, area_id, ward in rows if area_id is not None}


async def _existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_QUERY_CHUNK):
        chunk = keys[start : start + KEY_QUERY_CHUNK]
        query = select(col(Event.idempotency_key)).where(col(Event.idempotency_key).in_(chunk))
        found.update((await session.scalars(query)).all())
    return found


async def frozen_months(session: AsyncSession, months: Iterable[str]) -> list[str]:
    """Those of the months ('YYYY-MM') whose month-end totals were already frozen (a snapshot exists).

    A frozen month-end sheet keeps its numbers: history imported or baselines set for it afterwards show in
    the live totals and in later month ends, not in that month's stored snapshot.
    """
    ends = {month_end(int(ym[:4]), int(ym[5:7])): ym for ym in months}
    if not ends:
        return []
    query = select(col(TotalsSnapshot.as_of)).where(
        col(TotalsSnapshot.scope) == "city", col(TotalsSnapshot.as_of).in_(sorted(ends))
    )
    return sorted(ends[as_of] for as_of in set((await session.scalars(query)).all()))


def _event(draft: EventDraft, key: str, source: str) -> Event:
    return Event(**draft.columns(), logged_by_staff_id=None, source=source, idempotency_key=key)
