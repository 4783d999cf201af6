"""Reference data: the 24 wards (shipped) and the area master (CSV import; a synthetic sample ships)."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.privacy import remember_places
from models.tables import Area, Ward

# The city's usual order of its wards (大阪市の区の並び: 北区 first, 西成区 last), by municipal code; every list of
# wards a person reads (pickers, rankings, 区別内訳, summaries) follows it through `ward_order`.
CITY_WARD_ORDER = (
    "27127",  # 北区
    "27102",  # 都島区
    "27103",  # 福島区
    "27104",  # 此花区
    "27128",  # 中央区
    "27106",  # 西区
    "27107",  # 港区
    "27108",  # 大正区
    "27109",  # 天王寺区
    "27111",  # 浪速区
    "27113",  # 西淀川区
    "27123",  # 淀川区
    "27114",  # 東淀川区
    "27115",  # 東成区
    "27116",  # 生野区
    "27117",  # 旭区
    "27118",  # 城東区
    "27124",  # 鶴見区
    "27119",  # 阿倍野区
    "27125",  # 住之江区
    "27120",  # 住吉区
    "27121",  # 東住吉区
    "27126",  # 平野区
    "27122",  # 西成区
)
_WARD_POSITION = {code: position for position, code in enumerate(CITY_WARD_ORDER)}


def ward_order(ward_code: str) -> tuple[int, str]:
    """Sort key of a ward in the city's usual order (`CITY_WARD_ORDER`); an unknown code after them, by code."""
    return _WARD_POSITION.get(ward_code, len(CITY_WARD_ORDER)), ward_code


def area_order(ward_code: str, area_code: str) -> tuple[int, str, str]:
    """Sort key of an area wherever areas are listed (coverage in chat and on the sheet): its ward in the city's
    order (`ward_order`), then the area code."""
    return (*ward_order(ward_code), area_code)


AREA_CSV_COLUMNS = ("area_code", "ward_code", "name_ja", "roster_provided")
AREA_CODE_PATTERN = re.compile(r"\d{5}-\d{2}")  # 27102-01: the ward code, a hyphen, two digits
AREA_NAME_MAX_LENGTH = 60
ROSTER_TRUE = frozenset({"1", "true", "yes", "有"})
ROSTER_FALSE = frozenset({"0", "false", "no", "無"})
UNDECODABLE = (
    "文字コードを判別できません (UTF-8 / Shift_JIS)。Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください"
    " / cannot tell the file's encoding (it is neither UTF-8 nor Shift_JIS): save it as “CSV UTF-8” and try again"
)
UTF16_FILE = (
    "UTF-16 のファイル（Excel の「Unicode テキスト」）は読めません。「CSV UTF-8（コンマ区切り）」で保存してください"
    " / a UTF-16 file (Excel's “Unicode Text”) cannot be read: save it as “CSV UTF-8”"
)
EMPTY_FILE = "the file is empty / ファイルが空です"
NO_ROWS = "no rows: the file has a header but no areas / 見出しの行だけで、地域の行がありません"


_area_names_remembered = False  # per process: the guard must not query the database on every check


async def remember_area_names(session: AsyncSession) -> None:
    """Hand the area master's names to the privacy guard, once per process (imports add their own)."""
    global _area_names_remembered
    if not _area_names_remembered:
        remember_places((await session.scalars(select(col(Area.name_ja)))).all())
        _area_names_remembered = True


def shipped_text(name: str) -> str:
    return resources.files("models").joinpath("data", name).read_text(encoding="utf-8")


def sample_areas_csv() -> str:
    """The synthetic 334-area master (made-up names) used for demos and tests."""
    return shipped_text("areas-sample.csv")


async def ensure_wards(session: AsyncSession) -> int:
    """Insert any of the 24 wards that are missing; returns how many were added."""
    existing = set((await session.scalars(select(col(Ward.code)))).all())
    added = 0
    for row in csv.DictReader(io.StringIO(shipped_text("wards.csv"))):
        if row["ward_code"] in existing:
            continue
        session.add(
            Ward(
                code=row["ward_code"],
                name_ja=row["name_ja"],
                name_en=row["name_en"],
                population_2020=int(row["population_2020"]),
            )
        )
        added += 1
    await session.flush()
    return added


class AreaImportError(ValueError):
    """The file was rejected; `problems` lists every problem found, by line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class AreaImportResult:
    """What an import did (or, on a dry run, would do): the area codes, in code order."""

    added: tuple[str, ...]
    updated: tuple[str, ...]  # name, ward or roster changed, or a retired area brought back
    unchanged: tuple[str, ...]
    retired: tuple[str, ...]  # replace: active areas missing from the file (kept, never deleted)

    def summary(self) -> str:
        return (
            f"areas added: {len(self.added)}, updated: {len(self.updated)}, unchanged: {len(self.unchanged)}, "
            f"retired: {len(self.retired)}"
        )


@dataclass(frozen=True)
class _AreaRow:
    line: int  # in the file, for the operator
    code: str
    ward_code: str
    name_ja: str
    roster: str  # as written; see ROSTER_TRUE / ROSTER_FALSE


async def import_areas_file(session: AsyncSession, raw: bytes, *, replace: bool = False) -> AreaImportResult:
    """`import_areas` from a file's bytes: UTF-8 (with or without BOM) or Shift_JIS (cp932, Excel's CSV in Japan)."""
    return await import_areas(session, decode_area_csv(raw), replace=replace)


def decode_area_csv(raw: bytes) -> str:
    """The file's text: UTF-8 first, then cp932; AreaImportError when it is empty or neither."""
    if not raw.strip():
        raise AreaImportError([EMPTY_FILE])
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise AreaImportError([UTF16_FILE])
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _garbled(text):
            return text
    raise AreaImportError([UNDECODABLE])


def _garbled(text: str) -> bool:
    """Control or private-use characters: what cp932 makes of bytes that are not really Shift_JIS."""
    return any(unicodedata.category(char) in {"Cc", "Co", "Cs"} and char not in "\r\n\t" for char in text)


async def import_areas(session: AsyncSession, csv_text: str, *, replace: bool = False) -> AreaImportResult:
    """Add or update areas from CSV text (columns as in areas-sample.csv). All rows or none.

    With `replace` the file is the whole master: active areas missing from it are retired (`active` false, so they
    leave the pickers and the 1-1/1-2 denominators; never deleted, so their events and frozen snapshots keep them).
    An area in the file is active, a retired one brought back. Every problem of the file is reported at once
    (AreaImportError.problems, by line); nothing is written then.
    """
    rows = _area_rows(csv_text)
    wards = set((await session.scalars(select(col(Ward.code)))).all())
    problems = _area_problems(rows, wards)
    if problems:
        raise AreaImportError(problems)
    existing = {area.code: area for area in (await session.scalars(select(Area))).all()}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for row in rows:
        roster = row.roster.lower() in ROSTER_TRUE
        area = existing.get(row.code)
        if area is None:
            session.add(Area(code=row.code, ward_code=row.ward_code, name_ja=row.name_ja, roster_provided=roster))
            added.append(row.code)
        elif (area.ward_code, area.name_ja, area.roster_provided, area.active) != (
            row.ward_code,
            row.name_ja,
            roster,
            True,
        ):
            area.ward_code, area.name_ja, area.roster_provided, area.active = row.ward_code, row.name_ja, roster, True
            updated.append(row.code)
        else:
            unchanged.append(row.code)
    retired: list[str] = []
    if replace:
        in_file = {row.code for row in rows}
        for code, area in existing.items():
            if code not in in_file and area.active:
                area.active = False
                retired.append(code)
    await session.flush()
    remember_places(row.name_ja for row in rows)
    return AreaImportResult(*(tuple(sorted(codes)) for codes in (added, updated, unchanged, retired)))


def _code(value: str) -> str:
    """A code cell as typed: full-width digits and hyphens (２７１０２－０１) read as ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


def _area_rows(csv_text: str) -> list[_AreaRow]:
    """The data rows with their line numbers; AreaImportError for an empty file, a bad header or broken CSV."""
    text = csv_text.removeprefix("\ufeff")
    if not text.strip():
        raise AreaImportError([EMPTY_FILE])
    reader = csv.reader(io.StringIO(text))
    rows: list[_AreaRow] = []
    try:
        header = [_code(name).lower() for name in next(reader)]
        missing = [column for column in AREA_CSV_COLUMNS if column not in header]
        if missing:
            raise AreaImportError([_header_problem(missing, header)])
        index = {column: header.index(column) for column in AREA_CSV_COLUMNS}
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines, and the ",,," rows Excel leaves below a table
            cell = {column: record[i] if i < len(record) else "" for column, i in index.items()}
            rows.append(
                _AreaRow(
                    reader.line_num,
                    _code(cell["area_code"]),
                    _code(cell["ward_code"]),
                    cell["name_ja"].strip(),
                    _code(cell["roster_provided"]),
                )
            )
    except csv.Error as error:
        raise AreaImportError(
            [f"line {reader.line_num}: not readable as CSV ({error}) / {reader.line_num}行目: CSV として読めません"]
        ) from None
    if not rows:
        raise AreaImportError([NO_ROWS])
    return rows


def _header_problem(missing: list[str], header: list[str]) -> str:
    expected, found = ",".join(AREA_CSV_COLUMNS), ",".join(header)
    return (
        f"missing columns: {', '.join(missing)} (the first line must be {expected}; it is {found}) / "
        f"1行目（見出し）に必要な列がありません: {', '.join(missing)}"
    )


def _area_problems(rows: list[_AreaRow], wards: set[str]) -> list[str]:
    """Every problem of every row, in file order (English, then Japanese)."""
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for row in rows:
        problems += [
            f"line {row.line}: {english} / {row.line}行目: {japanese}"
            for english, japanese in _row_problems(row, wards, first_line)
        ]
        first_line.setdefault(row.code, row.line)
    return problems


def _row_problems(row: _AreaRow, wards: set[str], first_line: dict[str, int]) -> list[tuple[str, str]]:
    code, ward = row.code, row.ward_code
    found: list[tuple[str, str]] = []
    if not code or not row.name_ja:
        found.append(("empty area code or name", "地域コードまたは地域名が空です"))
    if len(row.name_ja) > AREA_NAME_MAX_LENGTH:
        found.append(
            (
                f"area name longer than {AREA_NAME_MAX_LENGTH} characters",
                f"地域名が長すぎます（{AREA_NAME_MAX_LENGTH}文字まで）",
            )
        )
    if code and not AREA_CODE_PATTERN.fullmatch(code):
        found.append(
            (
                f"area code {code!r} is not like 27102-01 (ward code, hyphen, two digits)",
                f"地域コード「{code}」が「27102-01」（区コード5桁-2桁）の形式ではありません",
            )
        )
    elif code and ward in wards and not code.startswith(f"{ward}-"):
        found.append(
            (
                f"area code {code} does not start with its ward code {ward}",
                f"地域コード「{code}」が区コード「{ward}」で始まっていません",
            )
        )
    if code in first_line:
        found.append(
            (
                f"duplicate area code {code} (also on line {first_line[code]})",
                f"地域コード「{code}」が重複しています（{first_line[code]}行目にもあります）",
            )
        )
    if ward not in wards:
        found.append((f"unknown ward code {ward!r}", f"区コード「{ward}」は大阪市の区にありません"))
    if row.roster.lower() not in ROSTER_TRUE | ROSTER_FALSE:
        english = f"roster_provided must be 1 or 0 (true/false, 有/無), not {row.roster!r}"
        found.append((english, f"roster_provided は 1 か 0（true/false、有/無）です（「{row.roster}」）"))
    return found


async def load_sample_areas_if_empty(session: AsyncSession) -> int:
    """First run / demo: load the synthetic areas when no area exists yet; returns how many were added."""
    if await session.scalar(select(func.count()).select_from(Area)):
        return 0
    return len((await import_areas(session, sample_areas_csv())).added)


async def wards_in_order(session: AsyncSession) -> list[Ward]:
    """The 24 wards in the city's usual order (北区, 都島区, … 西成区: `ward_order`)."""
    return sorted((await session.scalars(select(Ward))).all(), key=lambda ward: ward_order(ward.code))


async def ward_exists(session: AsyncSession, ward_code: str) -> bool:
    return await session.get(Ward, ward_code) is not None


async def active_areas_of(session: AsyncSession, ward_code: str) -> list[Area]:
    """The ward's areas that can be chosen, in code order."""
    query = select(Area).where(col(Area.ward_code) == ward_code, col(Area.active)).order_by(col(Area.code))
    return list((await session.scalars(query)).all())


async def ward_names(session: AsyncSession) -> dict[str, tuple[str, str]]:
    """Ward code → (Japanese name, English name)."""
    return {ward.code: (ward.name_ja, ward.name_en) for ward in (await session.scalars(select(Ward))).all()}
