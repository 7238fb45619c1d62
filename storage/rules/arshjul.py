"""The year's rhythm (årshjul): recurring schemes recognised from the rounds seen, and when their next
round is expected. Pure: no database.

A *round* is one call with its deadline. Rounds of the same source whose titles are nearly the same
once years and ordinals are taken out ("Prosjektskjønn - fornying og innovasjon 2021" and
"Prosjektskjønn – fornying og innovasjon") are one *scheme*; a scheme seen in at least two years
recurs. Its next round is expected in the month of its latest round, a year on (per slot, for a
scheme with two rounds a year), rolled forward past months already gone. When the real call
appears it is the latest round, so the expected entry moves on to the round after: replaced.
A coordinator's word (a month, or "not expected") overrides what was recognised.

Expected rounds are never deadlines: they are shown as "forventet i <måned>" and never pushed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

SIMILAR = 0.86  # titles at least this similar (after normalising) are the same scheme
MIN_YEARS = 2  # a scheme recurs when seen in at least this many years
SLOT_GAP = 2  # rounds within this many months (either way, across new year) share a slot
REPLACED_BEFORE = 4  # a real round this many months before a coordinator's expected month replaces it

_ORDINALS = (
    "første|forste|fyrste|andre|annen|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|attende"
    "|niende|tiende|first|second|third|fourth"
)
_NOISE = [
    re.compile(r"\b(?:19|20)\d{2}\s*[-–/]\s*(?:(?:19|20)?\d{2})\b"),  # 2024-2025, 2024/25
    re.compile(r"\b(?:19|20)\d{2}\b"),  # 2024
    re.compile(rf"\b(?:{_ORDINALS})\s+(?:runde|utlysning|utlysing|tildeling|call|round)\b"),
    re.compile(r"\b(?:runde|round|utlysning|utlysing|del)\s*\d+\b"),
    re.compile(r"\b\d+\s*\.\s*(?:runde|utlysning|utlysing|gangs?)\b"),
    re.compile(r"\b(?:vår|våren|høst|høsten|spring|autumn)\b"),
    re.compile(r"\b(?:for|i|til|in)\s*$"),  # a dangling "for" or "i" left by a removed year
]
_SPACE = re.compile(r"[^\w]+")


def scheme_key(title: str) -> str:
    """The title without years, rounds, ordinals, seasons and punctuation, in lower case."""
    text = unicodedata.normalize("NFKC", title).casefold()
    for pattern in _NOISE[:-1]:
        text = pattern.sub(" ", text)
    text = _SPACE.sub(" ", text.replace("_", " ")).strip()
    return _NOISE[-1].sub("", text).strip()


def same_scheme(a: str, b: str) -> bool:
    """Two scheme keys that are the same scheme: equal, or nearly the same text."""
    if a == b:
        return True
    if not a or not b:
        return False
    return _close(a, b)


def source_key(source: str) -> str:
    return " ".join(source.casefold().split())


@dataclass(frozen=True)
class Round:
    """One round of a scheme: a call (``call_id``) or a round from the seeded history (None)."""

    source: str
    title: str
    deadline: date
    call_id: int | None = None


@dataclass(frozen=True)
class Correction:
    """A coordinator's word on a scheme: expected in year/month, or not expected (``month`` None)."""

    source: str
    title: str
    year: int | None
    month: int | None

    @property
    def key(self) -> str:
        return scheme_key(self.title)


@dataclass(frozen=True)
class Expected:
    """A scheme's next round, expected in ``year``/``month``; ``seen`` the deadlines it is based on."""

    source: str
    title: str
    year: int
    month: int
    seen: tuple[date, ...] = ()
    by_coordinator: bool = False

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass
class Scheme:
    source: str
    key: str
    rounds: list[Round] = field(default_factory=list)

    @property
    def years(self) -> set[int]:
        return {r.deadline.year for r in self.rounds}

    @property
    def latest(self) -> Round:
        return max(self.rounds, key=lambda r: (r.deadline, r.call_id or 0))


def _close(a: str, b: str) -> bool:
    """``same_scheme`` with cheap tests first (length, shared words, letters) before the ratio."""
    if 2 * min(len(a), len(b)) < SIMILAR * (len(a) + len(b)):
        return False
    words_a, words_b = set(a.split()), set(b.split())
    if 3 * len(words_a & words_b) < len(words_a | words_b):  # nearly the same titles share most words
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def _index_words(key: str) -> list[str]:
    """The two longest words of a key: nearly the same titles share at least one of them."""
    return sorted({w for w in key.split() if len(w) > 2}, key=lambda w: (-len(w), w))[:2] or [key]


def group_schemes(rounds: Iterable[Round]) -> list[Scheme]:
    """Rounds grouped into schemes: same source, nearly the same title.

    Equal keys meet in a dictionary; only schemes sharing one of a key's two longest words are
    compared letter by letter, so the work grows with the rounds, not with their square.
    """
    schemes: list[Scheme] = []
    exact: dict[tuple[str, str], Scheme] = {}
    index: dict[tuple[str, str], list[Scheme]] = {}
    for one in sorted(rounds, key=lambda r: (r.deadline, r.call_id or 0)):
        key = scheme_key(one.title)
        if not key:
            continue
        source = source_key(one.source)
        home = exact.get((source, key))
        if home is None:
            seen: set[int] = set()
            for word in _index_words(key):
                for candidate in index.get((source, word), ()):
                    if id(candidate) not in seen and _close(candidate.key, key):
                        home = candidate
                        break
                    seen.add(id(candidate))
                if home is not None:
                    break
            if home is None:
                home = Scheme(one.source, key)
                schemes.append(home)
                for word in _index_words(key):
                    index.setdefault((source, word), []).append(home)
            exact[(source, key)] = home
        home.rounds.append(one)
    return schemes


def _month_distance(a: int, b: int) -> int:
    d = abs(a - b) % 12
    return min(d, 12 - d)


def _slots(scheme: Scheme) -> list[list[Round]]:
    """One slot, or one per season when the scheme had two or more rounds in one year."""
    per_year: dict[int, int] = {}
    for r in scheme.rounds:
        per_year[r.deadline.year] = per_year.get(r.deadline.year, 0) + 1
    if max(per_year.values()) < 2:
        return [scheme.rounds]
    slots: list[list[Round]] = []
    for r in sorted(scheme.rounds, key=lambda r: r.deadline):
        home = next(
            (s for s in slots if _month_distance(s[-1].deadline.month, r.deadline.month) <= SLOT_GAP), None
        )
        if home is None:
            slots.append([r])
        else:
            home.append(r)
    return slots


def _next_after(latest: date, today: date) -> tuple[int, int]:
    year, month = latest.year + 1, latest.month
    while (year, month) < (today.year, today.month):
        year += 1
    return year, month


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def expected_rounds(
    rounds: Iterable[Round], corrections: Sequence[Correction] = (), *, today: date
) -> list[Expected]:
    """The next round of every recurring scheme (and every coordinator's expected round), soonest
    first; none for a scheme whose current round is already announced."""
    found: list[Expected] = []
    schemes = group_schemes(rounds)
    used: set[int] = set()
    for scheme in schemes:
        word = next(
            (
                i
                for i, c in enumerate(corrections)
                if source_key(c.source) == source_key(scheme.source) and same_scheme(c.key, scheme.key)
            ),
            None,
        )
        latest = scheme.latest
        if word is not None:
            used.add(word)
            c = corrections[word]
            if c.month is None or c.year is None:
                continue  # not expected, in a coordinator's word
            announced = _month_index(latest.deadline.year, latest.deadline.month)
            if announced >= _month_index(c.year, c.month) - REPLACED_BEFORE:
                continue  # the real call has appeared
            seen = tuple(sorted(r.deadline for r in scheme.rounds))
            found.append(Expected(scheme.source, latest.title, c.year, c.month, seen, by_coordinator=True))
            continue
        if len(scheme.years) < MIN_YEARS:
            continue
        for slot in _slots(scheme):
            last = max(slot, key=lambda r: r.deadline)
            year, month = _next_after(last.deadline, today)
            seen = tuple(sorted(r.deadline for r in slot))
            found.append(Expected(scheme.source, last.title, year, month, seen))
    for i, c in enumerate(corrections):
        if i in used or c.month is None or c.year is None:
            continue
        if (c.year, c.month) >= (today.year, today.month):
            found.append(Expected(c.source, c.title, c.year, c.month, (), by_coordinator=True))
    return sorted(found, key=lambda e: (e.year, e.month, e.source, e.title))


def within(expected: Iterable[Expected], today: date, months: int) -> list[Expected]:
    """Those expected from this month to ``months`` months on (this month counts as the first)."""
    start = _month_index(today.year, today.month)
    return [e for e in expected if start <= _month_index(e.year, e.month) < start + months]
