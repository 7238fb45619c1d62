"""Regular expressions that the engine can scan quickly, with exactly the matches of the plain ones.

Python's ``re`` skips ahead quickly only when a pattern starts with a literal or a character class
(``\\d``, ``[12]``); a pattern that starts with a lookbehind, ``\\b`` or a case-insensitive word is
tried at every position of the text, which made reading dates cost as much as parsing the feed.
The finder's patterns are therefore written to start with a class, and the check that used to come
first follows the first character:

- ``(?<![\\d.])[0-3]?\\d`` is ``\\d(?<![\\d.]\\d)(?:(?<=[0-3])\\d)?`` (same spans, same backtracking);
- a case-insensitive word list starts with ``(?-i:[...])``, the first letters in every case that
  ``re.IGNORECASE`` matches (``any_case``: also the dotless ı, the long ſ, the Kelvin and Ångström
  signs), and each word goes on after a lookbehind on its own first letter (``first_letter_words``).

``tests/test_deadline_scan.py`` checks the rewritten patterns against the plain ones.
"""

from __future__ import annotations

import re

__all__ = ["any_case", "first_letter_words"]

# Characters whose case-insensitive match is not their str.lower(): "İ" and "ı" match "i", "ſ"
# matches "s", the Kelvin sign "K" matches "k", the Ångström sign "Å" matches "å". The test checks
# every Unicode character, so a Python whose tables add one fails there, not in production.
_ODD_CASES = "\u0130\u0131\u017f\u212a\u212b"


def any_case(letters: str) -> str:
    """A case-sensitive class of every character that ``re.IGNORECASE`` matches to one of ``letters``."""
    chars: dict[str, None] = {}
    for letter in letters:
        for c in (letter, letter.lower(), letter.upper(), *_ODD_CASES):
            if len(c) == 1 and re.fullmatch(re.escape(letter), c, re.IGNORECASE):
                chars[c] = None
    return "(?-i:[" + "".join(re.escape(c) for c in chars) + "])"


def first_letter_words(words: list[str]) -> tuple[str, str]:
    """(class of first letters, rest) for an IGNORECASE alternation of ``words`` (in that order).

    ``class + rest`` matches what ``(?:w1|w2|...)`` matches, at the same places and with the same
    choice among the words: words with different first letters never match at the same place, and
    the words of one letter keep their order.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word[1:])
    rest = "|".join(
        f"(?<={re.escape(first)})(?:{'|'.join(re.escape(w) for w in tails)})"
        for first, tails in groups.items()
    )
    return any_case("".join(groups)), f"(?:{rest})"
