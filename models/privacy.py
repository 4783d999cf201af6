"""The one guard for free text that is stored: personal data of citizens is refused, by kind.

Every stored free text goes through `personal_data_in` (event notes, void and correction reasons, reopen
reasons, the sheet's text bullets, the history import's note column). Heuristics, deliberately on the cautious
side: a refused note costs the worker a retype; a saved phone number is a data breach.

Names are found by morphological analysis (SudachiPy, `sudachidict_core`, split mode C): a token tagged as a
person name (名詞-固有名詞-人名) is personal data unless it lies inside a known place (a ward, an area of the
area master, an Osaka place name) or a role word. The dictionary loads lazily, once per process. Numbers, dates,
e-mail addresses, postal codes and addresses are regular expressions on the NFKC-normalised text. No I/O beyond
reading the shipped word lists and the dictionary; area names are handed in by `remember_places`.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sudachipy.sudachipy import Dictionary, Morpheme, Tokenizer

HOUSEHOLD_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")


class PersonalData(StrEnum):
    """What was found, in the order the refusal names them."""

    NAME = "name"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    BIRTH_DATE = "birth_date"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"


class PersonalDataError(ValueError):
    """A free text was refused; `kinds` says what was found (never the text itself)."""

    def __init__(self, kinds: list[PersonalData]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = kinds


# ---- numbers, dates, addresses ---------------------------------------------------------------------------

_DASHES = re.compile(r"(?<=\d)\s*[‐‑‒–—―−ーｰ]\s*(?=\d)")  # 06ー6123ー4567 reads as 06-6123-4567
_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHRmtshr])"
_PAST_ERA = r"(?:明治|大正|昭和|平成|[MTSHmtsh])"  # a full date in these eras is a birth date; 令和 is visits
_BORN = r"(?:生まれ|生れ|産まれ|うまれ|生)"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_POSTAL_CODE = re.compile(r"〒|郵便番号|(?<![\d-])\d{3}-\d{4}(?![\d-])")
# Digits with spaces, dots, hyphens or parentheses between them; a phone number when it has 10-11 digits
# starting with 0 (or +81), or 8 digits written 4-4 (a local number without its area code).
_PHONE_CANDIDATE = re.compile(r"(?<![\d.])(?:\+81[\s.()-]*|\(?0)[\d\s.()-]{7,16}\d(?![\d.])")
_LOCAL_PHONE = re.compile(r"(?<![\d-])\d{4}-\d{4}(?![\d-])")
_PHONE_WORDS = re.compile(r"(?:電話|携帯|TEL|Tel|tel|FAX|Fax|fax|☎)\s*(?:番号)?\s*[:：は]?\s*\d[\d\s.()-]{5,}\d")
_ID_WORDS = (
    r"マイナンバー|個人番号|被保険者番号|被保険者証|保険証|受給者証|受給者番号|介護保険番号|年金番号|基礎年金|"
    r"手帳番号|障害者手帳|療育手帳|生活保護番号|ケース番号|記号番号|患者番号|診察券|免許証|口座番号|口座"
)
_ID_WITH_WORD = re.compile(rf"(?:{_ID_WORDS})\D{{0,8}}\d[\d\s-]{{2,}}\d")
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\d[\s-]?){8,}\d(?!\d)")  # 12-digit My Number and other long IDs
_BIRTH_DATE = re.compile(
    rf"生年月日|誕生日|生年"
    rf"|{_PAST_ERA}\s*(?:\d{{1,2}}|元)\s*[年.\-/]\s*\d{{1,2}}"  # 昭和15年3月2日, S15.3.2, H2/5/1
    rf"|{_ERA}\s*(?:\d{{1,2}}|元)\s*年?\s*{_BORN}"  # 昭和15年生まれ, S15生
    rf"|(?<!\d)(?:18|19|20)\d{{2}}\s*年?\s*(?:\d{{1,2}}\s*月?\s*(?:\d{{1,2}}\s*日?)?\s*)?{_BORN}"  # 1940年生
    rf"|(?<!\d)(?:18|19)\d{{2}}\s*[年./-]\s*\d{{1,2}}\s*[月./-]\s*\d{{1,2}}"  # 1940/03/02: not a visit
    rf"|(?<!\d)(?:18|19)\d{{2}}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])(?!\d)"  # 19400302
)
_KANJI_NUMBER = "一二三四五六七八九十〇百"
_ADDRESS = re.compile(
    rf"[\d{_KANJI_NUMBER}]+\s*丁目|\d+\s*番地|\d+\s*番\s*\d+\s*号|\d+\s*号室|(?<![\d-])\d+-\d+-\d+(?![\d-])"
    rf"|[町通条]\s*\d+-\d+(?![\d-])|(?:マンション|ハイツ|コーポ|アパート|荘|団地|住宅)\s*\d+\s*(?:号|-\d+)"
    rf"|住所\s*[:：は]\s*\S*?[\d{_KANJI_NUMBER}]"  # 住所は本町2の3; not 住所変更3件
)


def _phone_numbers(plain: str) -> bool:
    for match in _PHONE_CANDIDATE.finditer(plain):
        digits = re.sub(r"\D", "", match.group())
        if match.group().startswith("+81") and 10 <= len(digits) <= 12:
            return True
        if digits.startswith("0") and 10 <= len(digits) <= 11:
            return True
    return bool(_LOCAL_PHONE.search(plain) or _PHONE_WORDS.search(plain))


def _mask(pattern: re.Pattern[str], text: str) -> str:
    """Blank out what one rule found so a later rule does not name it twice (a phone is not also an ID)."""
    return pattern.sub(lambda match: "＿" * len(match.group()), text)


def _numbers_and_places(plain: str) -> list[PersonalData]:
    found: list[PersonalData] = []
    text = _DASHES.sub("-", plain)
    for kind, pattern in (
        (PersonalData.ID_NUMBER, _ID_WITH_WORD),
        (PersonalData.EMAIL, _EMAIL),
        (PersonalData.POSTAL_CODE, _POSTAL_CODE),
    ):
        if pattern.search(text):
            found.append(kind)
            text = _mask(pattern, text)
    if _phone_numbers(text):
        found.append(PersonalData.PHONE)
        text = _mask(_PHONE_CANDIDATE, _mask(_LOCAL_PHONE, _mask(_PHONE_WORDS, text)))
    if _BIRTH_DATE.search(text):
        found.append(PersonalData.BIRTH_DATE)
        text = _mask(_BIRTH_DATE, text)
    if _ADDRESS.search(text):
        found.append(PersonalData.ADDRESS)
        text = _mask(_ADDRESS, text)
    if _LONG_NUMBER.search(text) and PersonalData.ID_NUMBER not in found:
        found.append(PersonalData.ID_NUMBER)
    return found


# ---- names -----------------------------------------------------------------------------------------------

_HOUSEHOLD_WORDS = frozenset({"宅", "家", "邸", "夫妻", "夫婦", "一家", "家族"})
_HONORIFICS = frozenset({"さん", "様", "さま", "サマ", "ちゃん", "くん", "君", "氏", "殿", "どの"})
# A role or relation before an honorific is not a name: 担当者さん, 町会長さん, 娘さん, おばあちゃん.
_ROLE_SUFFIXES = frozenset({"長", "員", "屋", "者", "師", "士", "係", "方", "役", "官", "手", "主", "医", "家"})
# Kana nouns before an honorific: a given name (みよこさん, ゆうき君) unless it is one of these.
_KANA = re.compile(r"[ぁ-んァ-ヶー]+")
# A word list, wrapped as prose (the formatter would set one word a line).
_KANA_ROLES = frozenset((
    "おばあ", "おじい", "ばあ", "じい", "おばー", "おじー", "みな", "みんな", "おとう", "おかあ", "おにい", "おねえ",
    "おくさ", "おまわり", "ママ", "パパ", "ヘルパー", "ケアマネ", "ドライバー", "スタッフ", "オーナー", "マスター",
    "リーダー", "メンバー", "ナース", "ドクター", "ボランティア", "サポーター", "ワーカー", "コーディネーター",
    "ガードマン", "おとなり", "ごきんじょ", "おむこ", "およめ", "むすこ", "むすめ", "まご", "おいしゃ", "かんごし",
    "おきゃく",
))  # fmt: skip


def _word_list(name: str) -> list[str]:
    text = resources.files("models").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def _shipped_places() -> frozenset[str]:
    """The wards (都島区 and 都島), and Osaka place names that are also surnames (梅田, 今里, 平野 …)."""
    wards = csv.DictReader(io.StringIO(resources.files("models").joinpath("data", "wards.csv").read_text("utf-8")))
    names = {row["name_ja"] for row in wards}
    names |= {name.removesuffix("区") for name in names if len(name) > 2}
    return frozenset(names | set(_word_list("osaka-places.txt")))


@cache
def _role_words() -> frozenset[str]:
    """Role nouns the analyser may split into a name (保健師 → 保 + 健師), and ordinary words it tags as names."""
    return frozenset(_word_list("role-words.txt"))


class _KnownPlaces:
    """Place names as one pattern; area names are added once per process (`remember_places`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._extra: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, names: Iterable[str]) -> None:
        new = {unicodedata.normalize("NFKC", name).strip() for name in names} - self._extra - {""}
        if new:
            with self._lock:
                self._extra |= new
                self._pattern = None

    def pattern(self) -> re.Pattern[str]:
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                pattern = self._pattern = _alternation(_shipped_places() | self._extra)
        return pattern


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


@cache
def _role_pattern() -> re.Pattern[str]:
    return _alternation(_role_words())


_PLACES = _KnownPlaces()


def remember_places(names: Iterable[str]) -> None:
    """Add place names (the area master's) that are not names of people; kept for the life of the process."""
    _PLACES.add(names)


_TOKENIZER_LOCK = threading.Lock()


@cache
def _dictionary() -> Dictionary:
    """Sudachi's core dictionary, loaded on first use (about 0.2 s) and kept for the process."""
    from sudachipy.sudachipy import Dictionary

    return Dictionary(dict="core")


@cache
def _tokenizer() -> Tokenizer:
    from sudachipy.sudachipy import SplitMode

    return _dictionary().tokenizer(mode=SplitMode.C)


def _tokens(text: str) -> list[Morpheme]:
    tokenizer = _tokenizer()
    with _TOKENIZER_LOCK:  # a Sudachi tokenizer is not safe to share between threads
        return list(tokenizer.tokenize(text))


def _is_person(token: Morpheme) -> bool:
    """A person name, or a place name that is also a surname (村上, 池田; known places are let through later)."""
    part_of_speech = token.part_of_speech()
    if part_of_speech[1] != "固有名詞" or _is_initial(token.surface()):
        return False
    return part_of_speech[2] == "人名" or (part_of_speech[2] == "地名" and _also_a_surname(token.surface()))


def _household_of(token: Morpheme, following: list[Morpheme]) -> bool:
    """野村宅, 野村家: any proper noun that can be a surname names a household when 宅, 家 or 夫妻 follows."""
    return (
        bool(following)
        and following[0].surface() in _HOUSEHOLD_WORDS
        and token.part_of_speech()[1] == "固有名詞"
        and _also_a_surname(token.surface())
    )


@cache
def _also_a_surname(surface: str) -> bool:
    with _TOKENIZER_LOCK:
        entries = _dictionary().lookup(surface)
    return any(entry.part_of_speech()[2] == "人名" for entry in entries)


def _is_initial(surface: str) -> bool:
    """A single Latin letter (Aさん, B氏) is how case notes hide a name; it identifies no one."""
    return len(surface) == 1 and surface.isascii() and surface.isalpha()


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _inside(token: Morpheme, spans: list[tuple[int, int]]) -> bool:
    return any(start <= token.begin() and token.end() <= end for start, end in spans)


def _names_in(plain: str) -> bool:
    roles = _spans(_role_pattern(), plain)
    known = roles + _spans(_PLACES.pattern(), plain)
    tokens = _tokens(plain)
    for index, token in enumerate(tokens):
        if (_is_person(token) or _household_of(token, tokens[index + 1 : index + 2])) and not _inside(token, known):
            return True
        if token.surface() in _HONORIFICS and index > 0 and _name_before_honorific(tokens[:index], roles):
            return True
    return False


def _name_before_honorific(preceding: list[Morpheme], roles: list[tuple[int, int]]) -> bool:
    """梅田さん, ヨシ子さん, みよこさん are people; 担当者さん, 町会長さん, 皆さん, 民生委員さん are not."""
    before = preceding[-1]
    if _is_initial(before.surface()) or _inside(before, roles):
        return False
    kana = _kana_noun_before(preceding)
    if 2 <= len(kana) <= 5 and kana not in _KANA_ROLES:
        return True
    part_of_speech = before.part_of_speech()
    if part_of_speech[0] == "接尾辞":
        return before.surface() not in _ROLE_SUFFIXES
    if part_of_speech[1] == "固有名詞":
        return True
    return part_of_speech[0] not in ("名詞", "代名詞", "接頭辞")


def _kana_noun_before(preceding: list[Morpheme]) -> str:
    """The kana nouns (and prefixes) written just before an honorific, joined: み + よこ → みよこ."""
    kana: list[str] = []
    for token in reversed(preceding):
        if token.part_of_speech()[0] not in ("名詞", "接頭辞") or not _KANA.fullmatch(token.surface()):
            break
        kana.insert(0, token.surface())
    return "".join(kana)


def normalise(text: str) -> str:
    """NFKC: full-width digits, letters and parentheses become ASCII, so ０９０ is caught like 090."""
    return unicodedata.normalize("NFKC", text)


def personal_data_in(text: str) -> list[PersonalData]:
    """The kinds of personal data the text seems to contain, in `PersonalData` order (empty when clean)."""
    plain = normalise(text)
    found = _numbers_and_places(plain)
    if _names_in(plain):
        found.append(PersonalData.NAME)
    return sorted(found, key=list(PersonalData).index)


def refuse_personal_data(text: str) -> None:
    """Raise PersonalDataError naming the kinds found; the one check before any free text is stored."""
    found = personal_data_in(text)
    if found:
        raise PersonalDataError(found)


def is_valid_household_ref(ref: str) -> bool:
    """Reference codes are pseudonymous: ASCII letters, digits and hyphens only (no names can hide in them)."""
    return bool(HOUSEHOLD_REF_PATTERN.match(ref))
