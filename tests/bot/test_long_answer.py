"""The builder of long answers on its own: screens within Telegram's limits, every item on some page, nothing cut."""

from __future__ import annotations

import re

import pytest

from bot.keyboards import Callback
from bot.long_answer import (
    PAGE_BUDGET,
    PAGE_LINES,
    TEXT_LIMIT,
    Group,
    LongAnswer,
    grouped,
    split_message,
    telegram_length,
)

PAGE = Callback("test")


def answer(groups: list[Group], head: str = "未報告: 456人") -> LongAnswer:
    return LongAnswer(
        head=head,
        title="11月の未報告",
        groups=groups,
        page_data=lambda n: PAGE("2025-11", "city", n),
        count_key="missing_ward_count",
        lang="ja",
    )


def city(wards: int = 24, people: int = 19) -> list[Group]:
    return [Group(f"区{w:02d}", [f"・職員 {w:02d}-{n:02d}（区{w:02d}）" for n in range(people)]) for w in range(wards)]


def items_on(screens: list[str], pattern: str = r"^・職員 .*$") -> list[str]:
    return [line for screen in screens for line in re.findall(pattern, screen, re.M)]


def test_a_short_list_is_one_screen_as_before() -> None:
    short = answer([Group("都島区", ["・都島 太郎（都島区）"]), Group("福島区", ["・福島 次郎（福島区）"])])
    assert short.screens == ["未報告: 456人\n・都島 太郎（都島区）\n・福島 次郎（福島区）"]
    assert short.screen(1) == (short.screens[0], None)


def test_a_city_list_is_a_summary_then_pages_with_every_item_once() -> None:
    long = answer(city())
    screens = long.screens
    assert all(telegram_length(screen) <= TEXT_LIMIT for screen in screens)
    summary = screens[0]
    assert summary.startswith("未報告: 456人\n・区00 19人\n・区01 19人")
    assert summary.endswith(f"一覧は「次へ ▶」で見られます（2〜{len(screens)}ページ）。")
    expected = [line for group in city() for line in group.lines]
    assert items_on(screens) == expected  # each once, in order: nothing cut, nothing twice
    for number, screen in enumerate(screens[1:], start=2):
        assert screen.startswith(f"11月の未報告（{number}/{len(screens)}）\n【区")
        assert len(screen.splitlines()) <= PAGE_LINES + 1
    assert "【区00】\n" in screens[1] and "【区01】\n" in screens[1]  # two wards of 19 to a page, each whole
    assert len(screens) == 1 + 12


def test_page_buttons_carry_the_page() -> None:
    long = answer(city())
    last = len(long.screens)
    _body, first = long.screen(1)
    assert first is not None
    assert [[(b.text, b.callback_data) for b in row] for row in first.inline_keyboard] == [
        [("次へ ▶", "test:2025-11:city:2")]
    ]
    _body, middle = long.screen(3)
    assert middle is not None
    assert [b.callback_data for b in middle.inline_keyboard[0]] == [
        "test:2025-11:city:1",
        "test:2025-11:city:2",
        "test:2025-11:city:4",
    ]
    _body, end = long.screen(last)
    assert end is not None and [b.text for b in end.inline_keyboard[0]] == ["⏮ 最初", "◀ 前へ"]


def test_a_group_longer_than_a_page_goes_on_under_its_title() -> None:
    screens = answer([Group("都島区", [f"・職員 {n:03d}" for n in range(120)])]).screens
    assert items_on(screens) == [f"・職員 {n:03d}" for n in range(120)]
    assert "【都島区】（続き）" in screens[2]


def test_a_line_longer_than_a_page_is_split_not_cut() -> None:
    line = "・" + "長" * (PAGE_BUDGET * 2) + "😀" * 500
    screens = answer([Group("都島区", [line, "・職員 末尾"]), *city(2)]).screens
    assert all(telegram_length(screen) <= TEXT_LIMIT for screen in screens)
    body = "".join(row for screen in screens for row in screen.splitlines() if row.startswith(("・長", "長", "😀")))
    assert body == line


def test_more_groups_than_one_summary_screen_page_the_summary_too() -> None:
    many = answer([Group(f"地域{n:03d}", [f"・職員 {n:03d}"]) for n in range(300)])
    screens = many.screens
    counts = items_on(screens, r"^・地域\d+ 1人$")
    assert len(counts) == 300 and items_on(screens) == [f"・職員 {n:03d}" for n in range(300)]
    assert all(telegram_length(screen) <= TEXT_LIMIT for screen in screens)


def test_a_head_too_long_for_any_screen_is_an_error_not_a_refused_message() -> None:
    with pytest.raises(ValueError, match="characters"):
        answer(city(), head="あ" * 5000).screen(1)


def test_telegram_counts_utf16_code_units() -> None:
    assert telegram_length("都島区") == 3
    assert telegram_length("👀 未報告") == 6


def test_the_readers_own_scope_comes_first() -> None:
    people = [("27102", "a"), ("27103", "b"), ("27104", "c"), ("27103", "d")]
    assert grouped(people, lambda p: p[0], first="27104") == [
        ("27104", [("27104", "c")]),
        ("27102", [("27102", "a")]),
        ("27103", [("27103", "b"), ("27103", "d")]),
    ]
    assert [key for key, _ in grouped(people, lambda p: p[0])] == ["27102", "27103", "27104"]


def test_a_notice_too_long_for_one_message_is_split_and_numbered() -> None:
    lines = [f"・No.{n} 職員 {n:03d}（27102）" for n in range(450)]
    parts = split_message("連絡できない方:", lines, "ja")
    assert len(parts) > 1 and all(telegram_length(part) <= TEXT_LIMIT for part in parts)
    assert parts[0].startswith(f"連絡できない方:（1/{len(parts)}）\n")
    assert items_on(parts, r"^・No\..*$") == lines
    assert split_message("連絡できない方:", lines[:2], "ja") == ["\n".join(["連絡できない方:", *lines[:2]])]


def test_callback_data_over_64_bytes_is_refused_when_made() -> None:
    assert PAGE("2025-11", "27102", 12) == "test:2025-11:27102:12"
    with pytest.raises(ValueError, match="64 bytes"):
        PAGE("区" * 20)
