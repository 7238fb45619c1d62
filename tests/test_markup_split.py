"""Splitting long messages never cuts inside a tag or an entity, and counts as Telegram does
(issue 14, point 4); plain text with the links written out for .ics descriptions.

Measured failure: a message over 4,096 characters was split by its raw HTML length, at a fixed
offset when a paragraph was longer than the limit, so a cut could fall inside a tag
(``<a href="…``) or an entity (``&amp;``).
"""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser

import pytest

from bot.push.delivery import split_text
from bot.texts.markup import html_to_plain, split_html, visible_length
from handlers.common import split_html as reply_split


class _Checker(HTMLParser):
    """Fails on a part that is not balanced Telegram HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def _balanced(part: str) -> bool:
    checker = _Checker()
    checker.feed(part)
    checker.close()
    return not checker.stack and not re.search(r"&[#\w]*$|<[^>]*$", part)


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _words(n: int, seed: int, *, lines: bool = True) -> str:
    rng = random.Random(seed)
    words = []
    for i in range(n):
        word = rng.choice(["søknad", "frist", "kommune", "helse", "FoU", "innovasjon", "🎉", "R&D", "<tag>"])
        piece = html.escape(word)
        if i % 37 == 0:
            piece = f'<a href="https://www.ks.no/fou?a=1&amp;b={i}">{piece} lenke</a>'
        elif i % 11 == 0:
            piece = f"<b>{piece} <i>{piece}</i></b>"
        words.append(piece)
        if lines and i % 50 == 49:
            words.append("\n\n")
        elif lines and i % 13 == 12:
            words.append("\n")
    return " ".join(words)


@pytest.mark.parametrize(("seed", "lines"), [(0, True), (1, True), (2, False), (3, False)])
@pytest.mark.parametrize("split", [split_html, split_text, reply_split])
def test_every_part_fits_is_balanced_and_nothing_is_lost(seed: int, lines: bool, split: object) -> None:
    text = _words(2500 + seed * 300, seed, lines=lines)
    parts = split(text)  # type: ignore[operator]
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 4096
        assert _balanced(part), part[-80:]
    joined = " ".join(_plain(p) for p in parts)
    assert joined.split() == _plain(text).split()


def test_a_single_long_link_is_closed_and_opened_again() -> None:
    text = '<a href="https://ks.no/fou">' + ("ord " * 2000) + "</a>"
    parts = split_html(text)
    assert len(parts) == 2
    assert all(p.startswith('<a href="https://ks.no/fou">') and p.endswith("</a>") for p in parts)


def test_limit_counts_what_telegram_counts() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("🎉") == 2  # UTF-16
    # 4,000 visible characters in 8,000 of markup: one message, not two.
    text = "<b>x</b>" * 4000
    assert len(text) > 4096 and split_html(text) == [text]


def test_plain_text_keeps_the_links() -> None:
    text = 'Meld deg på <a href="https://ks.no/p?a=1&amp;b=2">her</a>, <b>snart</b> &lt;3'
    assert html_to_plain(text) == "Meld deg på her (https://ks.no/p?a=1&b=2), snart <3"
    assert html_to_plain('<a href="https://ks.no">https://ks.no</a>') == "https://ks.no"
