"""Reference data: the 24 wards (shipped) and the area master (CSV import; a synthetic sample ships)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.tables import Area, Ward

AREA_CSV_COLUMNS = ("area_code", "ward_code", "name_ja", "roster_provided")


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
    added: int
    updated: int


async def import_areas(session: AsyncSession, csv_text: str) -> AreaImportResult:
    """Add or update areas from CSV text (columns as in areas-sample.csv). All rows or none."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    wards = set((await session.scalars(select(col(Ward.code)))).all())
    problems = _area_problems(rows, wards)
    if problems:
        raise AreaImportError(problems)
    existing = {area.code: area for area in (await session.scalars(select(Area))).all()}
    added = updated = 0
    for row in rows:
        roster = row["roster_provided"].strip() in {"1", "true", "yes", "TRUE", "有"}
        area = existing.get(row["area_code"].strip())
        if area is None:
            session.add(
                Area(
                    code=row["area_code"].strip(),
                    ward_code=row["ward_code"].strip(),
                    name_ja=row["name_ja"].strip(),
                    roster_provided=roster,
                )
            )
            added += 1
        else:
            area.ward_code, area.name_ja, area.roster_provided = (
                row["ward_code"].strip(),
                row["name_ja"].strip(),
                roster,
            )
            updated += 1
    await session.flush()
    return AreaImportResult(added, updated)


def _area_problems(rows: list[dict[str, str]], wards: set[str]) -> list[str]:
    if not rows:
        return ["no rows"]
    missing = [column for column in AREA_CSV_COLUMNS if column not in rows[0]]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    problems: list[str] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code = (row["area_code"] or "").strip()
        if not code or not (row["name_ja"] or "").strip():
            problems.append(f"line {line}: empty area code or name")
        if code in seen:
            problems.append(f"line {line}: duplicate area code {code}")
        seen.add(code)
        if (row["ward_code"] or "").strip() not in wards:
            problems.append(f"line {line}: unknown ward code {row['ward_code']!r}")
    return problems


async def load_sample_areas_if_empty(session: AsyncSession) -> int:
    """First run / demo: load the synthetic areas when no area exists yet; returns how many were added."""
    if await session.scalar(select(func.count()).select_from(Area)):
        return 0
    return (await import_areas(session, sample_areas_csv())).added
