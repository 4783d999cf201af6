"""Long answers: a list that grows with the city, sent so that no message is ever over Telegram's limits.

A list (who has not reported, the staff, …) is a `LongAnswer`: a head (what it is and how many), its items in
groups (per ward, the reader's own first) and a title for its pages. When the head and every item fit on one
screen, that is the answer, as it always was. Otherwise the first screen is the summary — the head and the count
of each group — and the items follow on pages turned with 「◀ 前へ」 / 「次へ ▶」 in the same message.

Each list declares its own page `Callback` whose data carries the whole request and the page number, so a button
from before a restart still works. A press is checked like any other: the feature's handler rebuilds the list for
the person pressing (callback data can be forged) and calls `turn_page`, which refuses a page that is not a number
and shows the last page, with a note, when the list has shrunk since.

Every text is measured as Telegram measures it (UTF-16 code units), every page is at most `PAGE_LINES` lines and
`PAGE_BUDGET` characters, and a single line longer than a page is split, never cut. A notice that cannot be asked
for again (no query to rebuild it from) is split into several messages instead (`split_message`).

Later lists (area coverage, flagged entries, follow-ups) use the same three calls: build a `LongAnswer`, `reply`,
and a page handler that rebuilds it and calls `turn_page`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.keyboards import Choice, inline
from bot.scope import refuse_button
from bot.texts import text

TEXT_LIMIT = 4096  # a message's text (callback data: bot.keyboards.CALLBACK_DATA_LIMIT, checked as it is made)
CAPTION_LIMIT = 1024  # a document's or photo's caption
PAGE_LINES = 50  # a page: a few phone screens of names, two wards of about 19 people
PAGE_BUDGET = 3_000  # characters of a page's items, leaving room for its header and the buttons' sake
_PAGE_NUMBER = re.compile(r"[0-9]{1,4}")
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def telegram_length(body: str) -> int:
    """The length Telegram checks against its limits: UTF-16 code units (an emoji counts two)."""
    return len(body.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Group:
    """Items under one heading (a ward); `title` names the group on the summary and on its pages."""

    title: str
    lines: Sequence[str]


@dataclass(frozen=True)
class LongAnswer:
    """A list as its reader gets it: `head` first, then the items, paged when they do not fit one screen.

    `page_data(n)` is the callback data of screen n (1 = the summary); `count_key` is the catalog text of a group's
    line on the summary (`{title}`, `{count}`); `buttons` are rows shown under every screen (a nudge, …).
    """

    head: str
    title: str
    groups: Sequence[Group]
    page_data: Callable[[int], str]
    count_key: str
    lang: str
    buttons: Sequence[Sequence[Choice]] = ()
    _screens: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def screens(self) -> list[str]:
        """Every screen's text: one when it all fits, else the summary, then the pages of items."""
        if not self._screens:
            self._screens.extend(_screens(self))
        return self._screens

    def screen(self, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
        """Screen `number` (1-based, within range) and its buttons."""
        screens = self.screens
        rows: list[list[Choice]] = []
        if len(screens) > 1:
            rows.append(_page_row(self, number, len(screens)))
        rows += [list(row) for row in self.buttons]
        body = screens[number - 1]
        if telegram_length(body) > TEXT_LIMIT:  # only a head or title far too long can do this: a bug, said loudly
            raise ValueError(f"screen {number} of {self.title!r} is {telegram_length(body)} characters")
        return body, inline(rows) if rows else None


def grouped(items: Iterable[T], key: Callable[[T], K], first: object = None) -> list[tuple[K, list[T]]]:
    """Items by `key` in the order the keys first appear, except that `first` (the reader's own scope) leads."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    ordered = sorted(groups.items(), key=lambda pair: pair[0] != first)  # stable: the rest keep their order
    return ordered


async def reply(update: Update, answer: LongAnswer, new_message: bool = False) -> Message | None:
    """The answer's first screen: in place of the pressed button's message, else (or when asked) a new message."""
    body, markup = answer.screen(1)
    query = update.callback_query
    if query is not None and not new_message:
        await query.answer()
        return await _edit(update, body, markup)
    if query is not None:
        await query.answer()
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(body, reply_markup=markup)


async def turn_page(update: Update, answer: LongAnswer, page: str) -> None:
    """A page button: the page in place; a page past the end (the list shrank) shows the last, with a note."""
    if not _PAGE_NUMBER.fullmatch(page) or int(page) < 1:
        await refuse_button(update)  # not a page number: forged
        return
    query = update.callback_query
    assert query is not None
    number = int(page)
    last = len(answer.screens)
    await query.answer(text("page_gone", answer.lang, pages=last) if number > last else None)
    body, markup = answer.screen(min(number, last))
    await _edit(update, body, markup)


def split_message(head: str, lines: Sequence[str], lang: str) -> list[str]:
    """A one-off notice as messages within the limit: `head` on each (numbered when there are several)."""
    pages = _pack([Group("", lines)], PAGE_BUDGET, PAGE_LINES * 4, None)
    if len(pages) <= 1:
        return ["\n".join([head, *(pages[0] if pages else [])])]
    return [
        "\n".join([text("message_part", lang, head=head, part=n, parts=len(pages)), *page])
        for n, page in enumerate(pages, 1)
    ]


# --- building the screens -------------------------------------------------------------------------------------


def _screens(answer: LongAnswer) -> list[str]:
    lines = [line for group in answer.groups for line in group.lines]
    whole = "\n".join([answer.head, *lines])
    if len(lines) <= PAGE_LINES and telegram_length(whole) <= PAGE_BUDGET + telegram_length(answer.head) + 1:
        return [whole]
    pages = _pack(answer.groups, PAGE_BUDGET, PAGE_LINES, answer.lang)
    counts = [text(answer.count_key, answer.lang, title=g.title, count=len(g.lines)) for g in answer.groups]
    summaries = _pack([Group("", counts)], PAGE_BUDGET, PAGE_LINES * 2, None)
    total = len(summaries) + len(pages)
    hint = text("page_hint", answer.lang, first=len(summaries) + 1, pages=total)
    summaries[0].insert(0, answer.head)
    summaries[-1].append(hint)
    numbered = [*summaries, *pages]
    return ["\n".join(page if n == 1 else [_header(answer, n, total), *page]) for n, page in enumerate(numbered, 1)]


def _header(answer: LongAnswer, number: int, total: int) -> str:
    return text("page_header", answer.lang, title=_clip(answer.title, 200), page=number, pages=total)


def _page_row(answer: LongAnswer, number: int, total: int) -> list[Choice]:
    row: list[Choice] = []
    if number > 2:
        row.append((text("button_page_first", answer.lang), answer.page_data(1)))
    if number > 1:
        row.append((text("button_page_prev", answer.lang), answer.page_data(number - 1)))
    if number < total:
        row.append((text("button_page_next", answer.lang, page=number + 1, pages=total), answer.page_data(number + 1)))
    return row


def _pack(groups: Sequence[Group], budget: int, max_lines: int, lang: str | None) -> list[list[str]]:
    """Lines into pages of at most `max_lines` lines and `budget` characters. With a `lang`, each group is titled,
    starts on a new page when it would fit whole there but not in what is left, and is titled again when it goes on
    over a page break."""
    pages: list[list[str]] = []
    page: list[str] = []
    for group in groups:
        heading = [text("page_group", lang, title=group.title)] if lang else []
        block = heading + [piece for line in group.lines for piece in _split_line(line, budget)]
        if page and not _fits(page + block, budget, max_lines) and _fits(block, budget, max_lines):
            pages.append(page)
            page = []
        for n, line in enumerate(block):
            if page and not _fits([*page, line], budget, max_lines):
                pages.append(page)
                page = [text("page_group_continued", lang, title=group.title)] if lang and n > 0 else []
            page.append(line)
    if page:
        pages.append(page)
    return pages


def _fits(lines: Sequence[str], budget: int, max_lines: int) -> bool:
    return len(lines) <= max_lines and sum(telegram_length(line) + 1 for line in lines) <= budget


def _split_line(line: str, budget: int) -> list[str]:
    """A line longer than a page, in pieces that each fit one (nothing is cut off)."""
    if telegram_length(line) <= budget // 2:
        return [line]
    pieces: list[str] = []
    piece, used = "", 0
    for char in line:
        size = telegram_length(char)
        if used + size > budget // 2:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + char, used + size
    return [*pieces, piece]


def _clip(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


async def _edit(update: Update, body: str, markup: InlineKeyboardMarkup | None) -> Message | None:
    query = update.callback_query
    assert query is not None
    try:
        edited = await query.edit_message_text(body, reply_markup=markup)
    except BadRequest as error:  # the same page pressed twice: nothing to change is not an error
        if "not modified" not in str(error).lower():
            raise
        return None
    return edited if isinstance(edited, Message) else None
