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
    CONTACT_ID = "contact_id"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    DIAGNOSIS = "diagnosis"


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
    rf"生年月日|誕生日(?!会|パーティ|祝|ケーキ|プレゼント|カード)|生年"  # a salon's 誕生日会 is not a birth date
    rf"|(?i:\bDOB\b|date of birth|born (?:in|on) [\w ,]{{0,12}}\d)"
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


# A messaging-app ID: an @handle, or an app's name followed by an account name (LINE ID: hana_77, インスタ hana.77).
# The app's name alone is a way of keeping in touch, not an ID (「LINEで連絡」「LINE交換済み」 pass).
_HANDLE = re.compile(r"(?<![A-Za-z0-9_@.])@([A-Za-z_][A-Za-z0-9_.]{1,29})")
_APPS = (
    r"LINE|ライン|WhatsApp|Whatsapp|ワッツアップ|Instagram|instagram|インスタグラム|インスタ|Facebook|facebook|"
    r"フェイスブック|メッセンジャー|Twitter|twitter|ツイッター|WeChat|ウィーチャット|微信|KakaoTalk|カカオトーク|"
    r"カカオ|Skype|スカイプ|Telegram|テレグラム|TikTok|ティックトック|Viber|Zalo"
)
_ID_WORD = r"ID|Id|id|ＩＤ|アカウント|account|ユーザー名|ユーザーネーム|username|user name|handle|ハンドル|名前"
_APP_ID = re.compile(
    rf"(?<![A-Za-z])(?:{_APPS})(?![A-Za-z])\s*(?:の|'s)?\s*(?P<word>{_ID_WORD})?\s*(?:は|:|=|is|→)?\s*"
    r"(?P<account>[A-Za-z0-9_][A-Za-z0-9_.-]{2,29})"
)


def _contact_ids(plain: str) -> bool:
    common = _english_words()
    if any(match.group(1).lower() not in common for match in _HANDLE.finditer(plain)):
        return True
    for match in _APP_ID.finditer(plain):
        account = match.group("account").rstrip(".-")
        if account.lower() in common or len(account) < 3:
            continue
        if match.group("word") or re.search(r"[A-Za-z]", account):  # LINE ID 12345678; LINE hana77 (not LINE 3件)
            return True
    return False


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
    ):
        if pattern.search(text):
            found.append(kind)
            text = _mask(pattern, text)
    if _contact_ids(text):
        found.append(PersonalData.CONTACT_ID)
        text = _mask(_APP_ID, _mask(_HANDLE, text))
    if _POSTAL_CODE.search(text):
        found.append(PersonalData.POSTAL_CODE)
        text = _mask(_POSTAL_CODE, text)
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

# A place word right after a surname-like token makes it a place: 中野駅, 清水の集会所, 中川地域, 吉野在住.
_PLACE_AFTER = re.compile(
    r"(?:の)?(?:駅|公園|地域|地区|校区|学区|小学校|中学校|会館|集会所|商店街|連合|町会|団地|市場|交差点|界隈|周辺|方面|一帯|"
    r"本通|筋|老人憩の家|憩の家|神社|図書館|プール|エリア|在住)"
)
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


def _is_latin(surface: str) -> bool:
    return surface.isascii() and any(char.isalpha() for char in surface)


def _is_initial(surface: str) -> bool:
    """A single Latin letter (Aさん, B氏) is how case notes hide a name; it identifies no one."""
    return len(surface) == 1 and surface.isascii() and surface.isalpha()


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _inside(token: Morpheme, spans: list[tuple[int, int]]) -> bool:
    return any(start <= token.begin() and token.end() <= end for start, end in spans)


def _names_in(plain: str, conditions: list[tuple[int, int]]) -> bool:
    """Names in Japanese: person-name tokens outside known places, roles and condition words (パーキンソン病)."""
    roles = _spans(_role_pattern(), plain)
    known = roles + _spans(_PLACES.pattern(), plain) + conditions
    tokens = _tokens(plain)
    for index, token in enumerate(tokens):
        if _is_latin(token.surface()):
            continue  # Sudachi's tags on Latin words mean nothing (it reads "ward" as a name): _latin_names_in
        if (
            (_is_person(token) or _household_of(token, tokens[index + 1 : index + 2]))
            and not _inside(token, known)
            and not _PLACE_AFTER.match(plain, token.end())
        ):
            return True
        if token.surface() in _HONORIFICS and index > 0 and _name_before_honorific(tokens[:index], roles):
            return True
    return False


def _name_before_honorific(preceding: list[Morpheme], roles: list[tuple[int, int]]) -> bool:
    """梅田さん, ヨシ子さん, みよこさん are people; 担当者さん, 町会長さん, 皆さん, 民生委員さん are not."""
    before = preceding[-1]
    if _is_initial(before.surface()) or _inside(before, roles):
        return False
    if _is_latin(before.surface()) and before.surface().isalpha():
        return before.surface().lower() not in _ROMAN_ROLES | _english_words()  # Johnさん, Tanakaさん
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


# ---- diagnoses ---------------------------------------------------------------------------------------------

# Words of the work right after a condition: the event, not a person's diagnosis (認知症カフェ, 糖尿病予防教室).
_WORK_AFTER = re.compile(
    r"\s*(?:カフェ|サポーター|高齢者|施策|講座|予防|対策|家族会|の家族会|教室|研修|啓発|検診|健診|相談窓口|窓口|疾患医療センター|"
    r"初期集中支援|地域支援推進員|ケアパス|の人と家族の会|キャラバン|ガイドブック|フォーラム|講演|勉強会|サロン|クリニック|"
    r"センター|外来|専門医|の予防|の講座|の研修|の啓発|についての|に関する|について|"
    r"(?i:caf[eé]|supporters?|training|prevention|screening|awareness|seminar|course|class|clinic|centre|center|"
    r"friendly|support group|network|event|talk|workshop|programme|program))"
)
# A diagnosis context next to a word the work also uses (認知症で通院中, 透析を受けている, 持病に高血圧).
_DIAGNOSIS_AFTER = re.compile(
    r"\s*(?:の|と|で|にて|が|も|により|による|のため|のために)?\s*"
    r"(?:診断|通院|入院|治療|服薬|加療|療養|手術|闘病|受診|透析|発症|罹患|悪化|再発|持病|既往|症状|疑い|末期|ステージ|告知|薬|"
    r"あり|有り|がある|を患|患|を発症|を罹患|を抱え|進んで|進行し|亡くな|死去|で死亡|"
    r"(?i:diagnosis|patient|treatment|medication))"
)
_DIAGNOSIS_BEFORE = re.compile(
    r"(?:持病|既往歴|既往|病名|診断名|病歴|主病名|疾患名)\s*(?:は|に|の|として|:|：|=)?\s*$"
    r"|(?i:\b(?:has|had|have|having|suffers? from|suffering from|treated for|treatment for|"
    r"(?:hospitali[sz]ed|admitted) (?:for|with)|history of|diagnosis of|on|died of|due to)\s+"
    r"(?:(?:a|an|the|early|mild|severe|advanced|late|stage|\w+-stage)\s+)*$)"
)
# Diagnosed, whatever the condition: 「…と診断」「…の診断あり」, "diagnosed with …".
_DIAGNOSED = re.compile(
    r"と診断(?!書)|の診断(?:あり|有り|を受け|が出|済|が下)|(?:病名|診断名)\s*[:：は]\s*[^\s、。]"
    r"|(?i:\bdiagnosed (?:with|as)\b)"
)


@cache
def _conditions() -> tuple[re.Pattern[str], frozenset[str]]:
    """The shipped condition words as one pattern, and the ones the work itself uses (lower case)."""
    words = _word_list("conditions.txt")
    work_words = frozenset(word[1:].lower() for word in words if word.startswith("?"))
    alternatives = []
    for word in sorted((word.removeprefix("?") for word in words), key=len, reverse=True):
        escaped = re.escape(word)
        alternatives.append(f"(?i:(?<![A-Za-z]){escaped}(?![A-Za-z]))" if word.isascii() else escaped)
    return re.compile("|".join(alternatives)), work_words


def _diagnoses(plain: str) -> list[tuple[int, int]]:
    """Where a named condition of a person is written (empty when none): the spans of the condition words."""
    pattern, work_words = _conditions()
    spans = []
    for match in pattern.finditer(plain):
        start, end = match.span()
        if _WORK_AFTER.match(plain, end):
            continue
        if match.group().lower() in work_words and not (
            _DIAGNOSIS_AFTER.match(plain, end) or _DIAGNOSIS_BEFORE.search(plain, max(0, start - 24), start)
        ):
            continue
        spans.append((start, end))
    return spans


# ---- names in Latin letters (English notes) ---------------------------------------------------------------

_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Mister|Madam|Mme|Mlle)\.?\s+[A-Z][A-Za-z'-]+")
_ROMAN_HONORIFIC = re.compile(r"\b([A-Za-z]{2,})(?:-|\s+)(?:san|sama|chan|kun|sensei|dono)\b")
_CAPITALISED = re.compile(r"(?<![A-Za-z'])[A-Z][a-z]+(?:[-'][A-Za-z]+)?(?![A-Za-z])")
# Romanised roles and relations before -san/-chan: obaa-chan, okaa-san, kea-mane-san are not names. A word list,
# wrapped as prose (the formatter would set one word a line).
_ROMAN_ROLES = frozenset((
    "obaa", "obaachan", "ojii", "ojiichan", "okaa", "otou", "onee", "onii", "oku", "okusan", "baa", "jii", "mama",
    "papa", "mane", "helper", "sensei", "minna", "minasan", "oisha", "kangoshi", "okyaku", "tantou", "tanto",
))  # fmt: skip


@cache
def _romanised_names() -> frozenset[str]:
    return frozenset(word.lower() for word in _word_list("romanised-names.txt"))


@cache
def _english_words() -> frozenset[str]:
    return frozenset(word.lower() for word in _word_list("english-words.txt"))


@cache
def _romanised_places() -> frozenset[str]:
    return frozenset(word.lower() for word in _word_list("osaka-places-romanised.txt"))


def _latin_names_in(plain: str) -> bool:
    """Mr. Tanaka, Tanaka-san, Yuki Sato, Visited Nguyen; not "Meeting with the ward office" or "Umeda Station"."""
    if _TITLED.search(plain):
        return True
    if any(match.group(1).lower() not in _ROMAN_ROLES for match in _ROMAN_HONORIFIC.finditer(plain)):
        return True
    names, common, places = _romanised_names(), _english_words(), _romanised_places()
    words = list(_CAPITALISED.finditer(plain))
    for index, match in enumerate(words):
        word = match.group().lower()
        if word in names:
            return True
        following = words[index + 1] if index + 1 < len(words) else None
        if (
            following is not None
            and plain[match.end() : following.start()] == " "
            and not {word, following.group().lower()} & (common | places)
        ):
            return True  # two capitalised words, neither an English word nor a place: John Smith
    return False


def normalise(text: str) -> str:
    """NFKC: full-width digits, letters and parentheses become ASCII, so ０９０ is caught like 090."""
    return unicodedata.normalize("NFKC", text)


def personal_data_in(text: str) -> list[PersonalData]:
    """The kinds of personal data the text seems to contain, in `PersonalData` order (empty when clean)."""
    plain = normalise(text)
    found = _numbers_and_places(plain)
    diagnoses = _diagnoses(plain)
    if diagnoses or _DIAGNOSED.search(plain):
        found.append(PersonalData.DIAGNOSIS)
    if _names_in(plain, diagnoses) or _latin_names_in(plain):
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
