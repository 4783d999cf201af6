"""The area master import: every bad file is refused with a readable report and changes nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.main import app
from models import reference
from models.privacy import PersonalData, personal_data_in
from models.reference import AreaImportError, import_areas, import_areas_file, remember_area_names
from models.tables import Area

HEADER = "area_code,ward_code,name_ja,roster_provided"
AreaRow = tuple[str, str, str, bool, bool]


async def _areas(session: AsyncSession) -> list[AreaRow]:
    areas = (await session.scalars(select(Area).order_by(col(Area.code)))).all()
    return [(area.code, area.ward_code, area.name_ja, area.roster_provided, area.active) for area in areas]


async def _rejected(session: AsyncSession, raw: bytes) -> list[str]:
    """Import `raw`, expect a refusal, check the area table did not change; returns the problems."""
    before = await _areas(session)
    with pytest.raises(AreaImportError) as refused:
        await import_areas_file(session, raw)
    assert await _areas(session) == before
    assert refused.value.problems
    return refused.value.problems


def _csv(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join([HEADER, *lines, ""]).encode(encoding)


async def test_an_unknown_ward_is_refused(session: AsyncSession) -> None:
    problems = await _rejected(session, _csv("27102-90,27102,新地域,1", "99999-01,99999,架空地域,1"))
    assert problems == ["line 3: unknown ward code '99999' / 3行目: 区コード「99999」は大阪市の区にありません"]


async def test_a_duplicate_code_is_refused_with_both_lines(session: AsyncSession) -> None:
    problems = await _rejected(
        session, _csv("27102-90,27102,新地域,1", "27102-91,27102,別地域,0", "27102-90,27102,重複地域,1")
    )
    assert len(problems) == 1
    assert problems[0].startswith("line 4: duplicate area code 27102-90 (also on line 2)")
    assert "4行目: 地域コード「27102-90」が重複しています（2行目にもあります）" in problems[0]


async def test_a_missing_column_is_refused(session: AsyncSession) -> None:
    raw = "area_code,ward_code,name_ja\n27102-90,27102,新地域\n".encode()
    (problem,) = await _rejected(session, raw)
    assert problem.startswith("missing columns: roster_provided (the first line must be " + HEADER)
    assert "1行目（見出し）に必要な列がありません" in problem


async def test_a_file_without_a_header_is_refused(session: AsyncSession) -> None:
    (problem,) = await _rejected(session, "27102-90,27102,新地域,1\n".encode())
    assert problem.startswith("missing columns: area_code, ward_code, name_ja, roster_provided")


async def test_bad_roster_values_are_listed_by_line(session: AsyncSession) -> None:
    problems = await _rejected(
        session,
        _csv(
            "27102-90,27102,新地域,1",
            "27102-91,27102,別地域,はい",
            "27102-92,27102,三番目,2",
            "27102-93,27102,四番目,有",
        ),
    )
    assert [problem.split(":")[0] for problem in problems] == ["line 3", "line 4"]
    assert "roster_provided must be 1 or 0 (true/false, 有/無), not 'はい'" in problems[0]


async def test_a_code_outside_its_ward_or_badly_formed_is_refused(session: AsyncSession) -> None:
    problems = await _rejected(session, _csv("27103-90,27102,他区の番号,1", "2710290,27102,ハイフンなし,1"))
    assert problems == [
        "line 2: area code 27103-90 does not start with its ward code 27102"
        " / 2行目: 地域コード「27103-90」が区コード「27102」で始まっていません",
        "line 3: area code '2710290' is not like 27102-01 (ward code, hyphen, two digits)"
        " / 3行目: 地域コード「2710290」が「27102-01」（区コード5桁-2桁）の形式ではありません",
    ]


async def test_every_problem_of_a_file_is_reported_at_once(session: AsyncSession) -> None:
    problems = await _rejected(session, _csv("27102-90,27102,,1", "X-1,99999,架空,maybe", "27102-91,27102,正しい,0"))
    assert len(problems) == 4  # the empty name; the code, the ward and the roster value of line 3
    assert problems[0].startswith("line 2: empty area code or name")
    assert {problem.split(":")[0] for problem in problems[1:]} == {"line 3"}


async def test_an_empty_file_and_a_header_alone_are_refused(session: AsyncSession) -> None:
    assert await _rejected(session, b"") == ["the file is empty / ファイルが空です"]
    assert await _rejected(session, b"\xef\xbb\xbf\r\n") == ["the file is empty / ファイルが空です"]
    (problem,) = await _rejected(session, _csv())
    assert problem.startswith("no rows")


async def test_undecodable_bytes_are_refused_in_both_languages(session: AsyncSession) -> None:
    garbage = HEADER.encode() + b"\n27102-90,27102,\x80\xa0\xfd,1\n"  # neither UTF-8 nor Shift_JIS text
    (problem,) = await _rejected(session, garbage)
    assert problem.startswith("文字コードを判別できません (UTF-8 / Shift_JIS)")
    assert "cannot tell the file's encoding (it is neither UTF-8 nor Shift_JIS)" in problem
    (broken,) = await _rejected(session, HEADER.encode() + b"\n27102-90,27102,\x81\x20,1\n")
    assert broken.startswith("文字コードを判別できません")


async def test_a_utf16_file_from_excel_is_refused_with_advice(session: AsyncSession) -> None:
    (problem,) = await _rejected(session, _csv("27102-90,27102,新地域,1", encoding="utf-16"))
    assert "UTF-16" in problem
    assert "CSV UTF-8" in problem


async def test_a_shift_jis_file_from_excel_imports_correctly(session: AsyncSession) -> None:
    """Excel's 「CSV（コンマ区切り）」 in Japan: cp932 (① is not in strict Shift_JIS), CRLF, trailing empty rows."""
    raw = _csv(
        "27102-90,27102,都島区①北地域,有",
        "２７１０２－９１,27102,都島区髙倉地域,無",
        ",,,",
        ",,,",
        encoding="cp932",
        newline="\r\n",
    )
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = await import_areas_file(session, raw)
    assert (len(result.added), len(result.updated)) == (2, 0)
    areas = {code: rest for code, *rest in await _areas(session)}
    assert areas["27102-90"] == ["27102", "都島区①北地域", True, True]
    assert areas["27102-91"] == ["27102", "都島区髙倉地域", False, True]


async def test_a_shift_jis_file_with_a_problem_is_refused_in_readable_japanese(session: AsyncSession) -> None:
    problems = await _rejected(session, _csv("27102-90,27102,都島区北地域,あり", encoding="cp932"))
    assert problems == [
        "line 2: roster_provided must be 1 or 0 (true/false, 有/無), not 'あり'"
        " / 2行目: roster_provided は 1 か 0（true/false、有/無）です（「あり」）"
    ]


async def test_utf8_with_a_bom_updates_existing_areas(session: AsyncSession) -> None:
    raw = b"\xef\xbb\xbf" + _csv("27102-01,27102,都島区第1地域（改）,false", "27102-90,27102,新地域,TRUE")
    result = await import_areas_file(session, raw)
    assert (len(result.added), len(result.updated)) == (1, 1)
    areas = {code: rest for code, *rest in await _areas(session)}
    assert areas["27102-01"][1:3] == ["都島区第1地域（改）", False]
    assert areas["27102-90"][2] is True


async def test_text_input_still_works(session: AsyncSession) -> None:
    result = await import_areas(session, f"{HEADER}\n27102-90,27102,新地域,1\n")
    assert (len(result.added), len(result.updated)) == (1, 0)
    with pytest.raises(AreaImportError, match="unknown ward code"):
        await import_areas(session, f"{HEADER}\n99999-01,99999,架空地域,1\n")


# --- the command line --------------------------------------------------------------------------------

runner = CliRunner()


def _area_table(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT code, ward_code, name_ja, roster_provided FROM area ORDER BY code").fetchall()


def test_the_cli_prints_every_problem_and_exits_1(database: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init-db"]).exit_code == 0
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("27102-01,27102,都島区第1地域,1", encoding="cp932"))
    imported = runner.invoke(app, ["import-areas", str(good)]).output
    assert "areas added: 1, updated: 0, unchanged: 0, retired: 0" in imported
    before = _area_table(database)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("27102-02,27102,都島区第2地域,1", "27102-02,99999,重複,x", encoding="cp932"))
    result = runner.invoke(app, ["import-areas", str(bad)])
    assert result.exit_code == 1
    assert "nothing was imported:" in result.output
    assert "line 3: duplicate area code 27102-02 (also on line 2)" in result.output
    assert "line 3: unknown ward code '99999'" in result.output
    assert "3行目: roster_provided は 1 か 0" in result.output
    assert _area_table(database) == before


def test_the_cli_refuses_an_undecodable_file(database: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["init-db"])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x80\x81\x82\xa0\xa1\n")
    result = runner.invoke(app, ["import-areas", str(bad)])
    assert result.exit_code == 1
    assert "文字コードを判別できません (UTF-8 / Shift_JIS)" in result.output
    assert _area_table(database) == []


async def test_area_names_are_places_for_the_privacy_guard(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An area named like a surname is a place: imported areas at once, the stored master at start-up."""
    imported, stored = {"sqlite": ("宇野", "荻野"), "postgresql": ("藤森", "宇佐美")}[
        session.get_bind().dialect.name
    ]  # the guard's place names live as long as the process: each database run uses names of its own
    # (bare names: 宇野地域 is a place already, a place word after a surname makes it one)
    assert PersonalData.NAME in personal_data_in(f"{imported}で会議")
    await import_areas(session, f"{HEADER}\n27102-91,27102,{imported},1\n")
    assert personal_data_in(f"{imported}で会議") == []
    session.add(Area(code="27102-92", ward_code="27102", name_ja=stored))
    await session.flush()
    assert PersonalData.NAME in personal_data_in(f"{stored}で会議")
    monkeypatch.setattr(reference, "_area_names_remembered", False)  # as in a new process
    await remember_area_names(session)
    assert personal_data_in(f"{stored}で会議") == []
