"""The personal-data guard on free text (pure) and the household reference format.

The labelled corpus in tests/data/privacy_corpus.tsv is the guard's yardstick: the test prints recall on the
notes that hold personal data and the false-refusal rate on the ordinary ones, and fails below the targets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.privacy_bench import TARGET_FALSE_REFUSALS, TARGET_RECALL, accuracy, labelled_notes
from models.privacy import (
    PersonalData,
    PersonalDataError,
    is_valid_household_ref,
    personal_data_in,
    refuse_personal_data,
    remember_places,
)


def test_the_corpus_is_large_and_half_personal() -> None:
    rows = labelled_notes()
    personal = [kind for kind, _note in rows if kind != "-"]
    assert len(rows) >= 150
    assert 0.4 <= len(personal) / len(rows) <= 0.6
    assert {PersonalData(kind) for kind in personal} == set(PersonalData)  # every kind is in it


def test_recall_and_false_refusals_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    found = accuracy(labelled_notes())
    recall, refusals = (
        f"{found['recall']:.1%} of {found['personal']}",
        f"{found['false_refusals']:.1%} of {found['ordinary']}",
    )
    with capsys.disabled():
        print(
            f"\nprivacy corpus: recall {recall} notes with personal data (kind named), false refusals {refusals} clean"
        )
    assert found["recall"] >= TARGET_RECALL, found["missed"]
    assert found["false_refusals"] <= TARGET_FALSE_REFUSALS, found["refused"]


def test_the_measures_count_misses_and_refusals(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("# kind, note\nphone\t090-1234-5678\nname\t定例訪問\nemail\t山田宅\n-\t山田宅\n-\t定例訪問\n")
    found = accuracy(labelled_notes(corpus))
    assert (found["recall"], found["false_refusals"]) == (
        pytest.approx(1 / 3),
        0.5,
    )  # 山田宅 holds a name, not an e-mail
    assert (found["missed"], found["refused"]) == (["定例訪問", "山田宅"], ["山田宅"])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the seven notes of issue 11, saved before the guard knew them
        ("1940/03/02生", PersonalData.BIRTH_DATE),
        ("090 1234 5678", PersonalData.PHONE),
        ("山田宅訪問", PersonalData.NAME),
        ("田中一郎と面談", PersonalData.NAME),
        ("(06)6123-4567", PersonalData.PHONE),
        ("マイナンバー123456789012", PersonalData.ID_NUMBER),
        ("昭和15年生まれの男性", PersonalData.BIRTH_DATE),
        # and their relatives
        ("０６－６２０８－１２３４に連絡", PersonalData.PHONE),  # full-width digits
        ("（０６）６１２３－４５６７", PersonalData.PHONE),  # full-width parentheses
        ("090.1234.5678", PersonalData.PHONE),
        ("〒530-0001", PersonalData.POSTAL_CODE),
        ("taro@example.jp", PersonalData.EMAIL),
        ("山田様宅へ訪問", PersonalData.NAME),
        ("梅田さんと面談", PersonalData.NAME),  # a place as a surname, with an honorific
        ("みよこさん", PersonalData.NAME),  # a given name in kana
        ("S20.5.1", PersonalData.BIRTH_DATE),
        ("1940年生", PersonalData.BIRTH_DATE),
        ("被保険者番号0012345678", PersonalData.ID_NUMBER),  # the word wins over the phone-like digits
        ("野村宅にて面談", PersonalData.NAME),  # tagged as a company name, but a surname before 宅
        ("都島本通3丁目", PersonalData.ADDRESS),
        ("1-2-3に居住", PersonalData.ADDRESS),
    ],
)
def test_personal_data_is_found_and_named(text: str, kind: PersonalData) -> None:
    assert kind in personal_data_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "社協の担当者さんへ",  # a role, not a name (refused before issue 11)
        "民生委員さんから連絡",
        "区役所の保健師さんと情報共有",  # 保健師 is split 保 + 健師 by the analyser
        "町会長さんに報告",
        "梅田で会議",
        "今里の集会所で交流会",  # a place the dictionary reads as a surname
        "Aさん宅訪問、変わりなし",  # an initial identifies no one
        "85歳男性、足腰が弱っている",
        "R7.11.3に再訪",
        "マイナンバーカードの申請を手伝った",
        "11/3に再訪予定",
    ],
)
def test_ordinary_case_notes_pass(text: str) -> None:
    assert personal_data_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "統合失調症で通院中",  # a psychiatric diagnosis, always refused
        "うつ病の診断あり",
        "アルコール依存症",  # a dependency
        "糖尿病で人工透析",  # dialysis for diabetes
        "胃がんで入院中",
        "パーキンソン病で通院",  # tagged as a person name by the analyser: a diagnosis, not a name
        "認知症と診断された",  # a word of the work, with a diagnosis context
        "認知症で通院している",
        "持病に高血圧",  # the context before the word
        "双極Ⅱ型と診断",  # 「と診断」 whatever the condition
        "Diagnosed with schizophrenia last year",
        "He has schizophrenia",
        "Wife is on dialysis",
        "Has dementia, lives alone",
    ],
)
def test_a_named_diagnosis_is_refused_as_its_own_kind(text: str) -> None:
    assert personal_data_in(text) == [PersonalData.DIAGNOSIS]


@pytest.mark.parametrize(
    "text",
    [
        "認知症カフェの案内",  # the words of the work
        "認知症サポーター養成講座",
        "認知症高齢者等の見守り",  # the 1-6 indicator's own words
        "認知症のある方への声かけ",  # the condition word without a diagnosis context
        "認知症の進行予防の体操",
        "介護保険の申請",
        "障害者手帳の申請に同行",
        "透析クリニックへ送迎",  # an organisation
        "精神科の病院への同行",  # a department, no named diagnosis
        "心療内科に通院中",
        "がん検診の案内",
        "がんばって歩いている",  # がん inside an ordinary word
        "Dementia cafe at the community centre",
        "Wears hearing aids",
    ],
)
def test_the_words_of_the_work_are_not_diagnoses(text: str) -> None:
    assert personal_data_in(text) == []


@pytest.mark.parametrize(
    "text",
    ["LINEのID: taro123", "LINE ID taro_77", "インスタ hana.77", "X(旧Twitter)は@hana_77", "WhatsApp: tran.linh88"],
)
def test_a_messaging_app_id_is_contact_data(text: str) -> None:
    assert personal_data_in(text) == [PersonalData.CONTACT_ID]


@pytest.mark.parametrize("text", ["LINEで連絡、元気そう", "LINE交換済み", "LINE IDを交換", "mtg @home", "LINE 3件"])
def test_an_app_without_an_account_name_passes(text: str) -> None:
    assert personal_data_in(text) == []


def test_an_e_mail_address_is_not_also_a_handle() -> None:
    assert personal_data_in("taro@example.jp") == [PersonalData.EMAIL]


@pytest.mark.parametrize("text", ["サロンで誕生日会", "誕生日会のケーキ", "お誕生日パーティー"])
def test_a_birthday_party_is_not_a_birth_date(text: str) -> None:
    assert personal_data_in(text) == []


@pytest.mark.parametrize(
    "text",
    ["吉野で会議", "花園の集会所", "中野駅で待ち合わせ", "清水の集会所でサロン", "中川地域の見守り", "杉本在住の方"],
)
def test_osaka_places_that_are_surnames_pass_without_an_honorific(text: str) -> None:
    assert personal_data_in(text) == []


@pytest.mark.parametrize("text", ["中野と面談", "清水宅訪問", "中野さんと面談", "吉野さん"])
def test_the_same_surnames_as_people_are_names(text: str) -> None:
    assert personal_data_in(text) == [PersonalData.NAME]


@pytest.mark.parametrize(
    "text",
    [
        "Visited Mr. Tanaka at home",  # a title
        "Met Ms. Nguyen",
        "Dr. Yamada called",
        "Tanaka-san called",  # a Japanese honorific
        "hanako chan goes to school again",
        "Spoke with Yuki Sato",  # a full name from the shipped list
        "Spoke with John Smith",  # two capitalised words that are not English words
        "Visited Nguyen, no answer",  # a listed family name alone
        "Johnさん宅訪問",  # a Latin name before a Japanese honorific
    ],
)
def test_names_in_english_notes_are_refused(text: str) -> None:
    assert personal_data_in(text) == [PersonalData.NAME]


@pytest.mark.parametrize(
    "text",
    [
        "Meeting with the ward office",  # the analyser tags "ward" as a name: Latin words are not its business
        "Home visit, all fine",
        "Called the care manager",
        "Obaa-chan is well",  # a relation before an honorific
        "Meeting at Umeda Station",  # a place
        "Osaka-shi office",
        "Follow-up visit next Tuesday",
    ],
)
def test_ordinary_english_notes_pass(text: str) -> None:
    assert personal_data_in(text) == []


def test_the_refusal_names_every_kind_in_order() -> None:
    with pytest.raises(PersonalDataError) as refused:
        refuse_personal_data("山田 090-1234-5678")
    assert refused.value.kinds == [PersonalData.NAME, PersonalData.PHONE]
    assert str(refused.value) == "name, phone"  # the kinds, never the text


def test_area_names_handed_in_are_places() -> None:
    note = "高見沢で交流会"  # not 高見沢地域: a place word after a surname makes it a place on its own
    was_a_name = PersonalData.NAME in personal_data_in(note)
    remember_places(["高見沢"])
    assert was_a_name  # the analyser reads 高見沢 as a surname …
    assert personal_data_in(note) == []  # … but it is the name of an area in the area master


@pytest.mark.parametrize(
    ("ref", "valid"),
    [
        ("27102-H0001", True),
        ("H1", True),
        ("山田", False),
        ("", False),
        ("-H1", False),
        ("A" * 33, False),
        ("H 1", False),
    ],
)
def test_household_refs_are_pseudonymous_codes(ref: str, valid: bool) -> None:
    assert is_valid_household_ref(ref) is valid
