"""Tagging calls with topics, and members' keyword alerts, with Norwegian word forms in mind.

Keywords are word stems. A word in the text matches a keyword when it is

- the keyword itself or an inflection of it ("elev" -> "elevene", "barn" -> "barna");
- for keywords of five letters or more, a word that starts with it: an inflection or the head of
  a compound ("anskaffelse" -> "anskaffelsene", "omsorg" -> "omsorgstjenestene");
- for keywords of six letters or more, the tail of a compound, possibly inflected
  ("teknologi" -> "helseteknologien", "anskaffelse" -> "innovasjonsanskaffelsene").

Short keywords ("KI", "FoU", "rus") only match whole words, so "KI" never matches "kirke".
When several keywords match one word, the longest wins ("naturmangfold" is about nature, not about
"mangfold"; "foreldre" is not about "eldre"). Keywords with a space or hyphen ("psykisk helse",
"e-helse") match as a phrase whose last word may be inflected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TopicMatcher", "match_topics", "matches_keyword", "normalise_keyword"]

HEAD_MIN = 5  # a keyword this long may be the head of a compound or take any ending
TAIL_MIN = 6  # a keyword this long may be the tail of a compound
SEEN_MAX = 50_000  # words whose topics a matcher remembers
COMPOUND_HEAD_MIN = 3  # the part before a compound tail has at least this many letters

INFLECTIONS = (
    "",
    "e",
    "en",
    "er",
    "et",
    "a",
    "ene",
    "enes",
    "ens",
    "ets",
    "es",
    "s",
    "ar",
    "ane",
    "as",
    "ers",
    "n",
    "ne",
    "t",
    "te",
    "r",
    "ende",
    "ande",
)
SHORT_INFLECTIONS = ("en", "et", "ene", "ens", "ets", "er", "ar")
_WORD = re.compile(r"[a-zæøåäöüéèáàóôç0-9]+")
_SEPARATOR = re.compile(r"[\s\-./]+")
_LETTERS = "a-zæøåäöüéèáàóôç0-9"


def _inflects(stem: str, suffix: str) -> bool:
    """Very short keywords take few endings: "KI" none, "rus" not "rust" or "russ"."""
    if len(stem) <= 2:
        return False
    if len(stem) == 3:
        return suffix in SHORT_INFLECTIONS
    return True


def normalise_keyword(keyword: str) -> str:
    """Lower case, composed Unicode, single spaces."""
    return " ".join(unicodedata.normalize("NFC", keyword).lower().split())


def _normalise_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _phrase_pattern(keyword: str) -> re.Pattern[str] | None:
    parts = [p for p in _SEPARATOR.split(keyword) if p]
    if not parts:
        return None
    body = []
    for i, part in enumerate(parts):
        if i < len(parts) - 1:
            body.append(re.escape(part) + rf"[{_LETTERS}]{{0,3}}")
        elif len(part) >= HEAD_MIN:
            body.append(re.escape(part) + rf"[{_LETTERS}]*")
        else:
            body.append(re.escape(part) + "(?:" + "|".join(s for s in INFLECTIONS if s) + ")?")
    return re.compile(rf"(?<![{_LETTERS}])" + r"[\s\-./]+".join(body) + rf"(?![{_LETTERS}])")


@dataclass
class TopicMatcher:
    """A prepared index of topics' keywords; ``match(text)`` gives the slugs found, in topic order."""

    topics: Sequence[tuple[str, Sequence[str]]]
    _words: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)
    # (pattern, slug, the words the pattern needs verbatim: a cheap look before the regex)
    _phrases: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = field(
        default_factory=list, init=False, repr=False
    )
    _order: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    # Each word's slugs, remembered across texts: a feed of 1,000 items repeats most of its words.
    _seen: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for position, (slug, keywords) in enumerate(self.topics):
            self._order.setdefault(slug, position)
            for raw in keywords:
                keyword = normalise_keyword(raw)
                if not keyword:
                    continue
                if _SEPARATOR.search(keyword):
                    pattern = _phrase_pattern(keyword)
                    if pattern is not None:
                        parts = tuple(p for p in _SEPARATOR.split(keyword) if p)
                        self._phrases.append((pattern, slug, parts))
                else:
                    self._words.setdefault(keyword, set()).add(slug)

    def _word_slugs(self, word: str) -> set[str]:
        index = self._words
        best_len = 0
        best: set[str] = set()

        def consider(keyword: str) -> None:
            nonlocal best_len, best
            if len(keyword) > best_len:
                best_len, best = len(keyword), set(index[keyword])
            elif len(keyword) == best_len:
                best |= index[keyword]

        for suffix in INFLECTIONS:
            if word.endswith(suffix):
                stem = word[: len(word) - len(suffix)] if suffix else word
                if stem in index and (not suffix or _inflects(stem, suffix)):
                    consider(stem)
        for end in range(HEAD_MIN, len(word)):
            head = word[:end]
            if head in index:
                consider(head)
        for start in range(COMPOUND_HEAD_MIN, len(word) - TAIL_MIN + 1):
            rest = word[start:]
            for suffix in INFLECTIONS:
                if rest.endswith(suffix):
                    stem = rest[: len(rest) - len(suffix)] if suffix else rest
                    if len(stem) >= TAIL_MIN and stem in index:
                        consider(stem)
        return best

    def match(self, text: str) -> list[str]:
        """The slugs of every topic with a keyword in ``text``, in the order the topics were given."""
        if not text:
            return []
        lowered = _normalise_text(text)
        found: set[str] = set()
        seen = self._seen
        for word in set(_WORD.findall(lowered)):
            slugs = seen.get(word)
            if slugs is None:
                slugs = frozenset(self._word_slugs(word))
                if len(seen) < SEEN_MAX:
                    seen[word] = slugs
            found |= slugs
        for pattern, slug, parts in self._phrases:
            if slug in found or not all(part in lowered for part in parts):
                continue
            if pattern.search(lowered):
                found.add(slug)
        return sorted(found, key=lambda s: self._order.get(s, 0))


def _pairs(topics: Iterable[Any]) -> list[tuple[str, Sequence[str]]]:
    pairs: list[tuple[str, Sequence[str]]] = []
    for topic in topics:
        if isinstance(topic, tuple):
            slug, keywords = topic
        else:  # a TopicDef or a Topic row: anything with .slug and .keywords
            slug, keywords = topic.slug, topic.keywords
        pairs.append((str(slug), list(keywords or ())))
    return pairs


def match_topics(text: str, topics: Iterable[Any]) -> list[str]:
    """The slugs of the topics whose keywords occur in ``text`` (topics: (slug, keywords) pairs)."""
    return TopicMatcher(_pairs(topics)).match(text)


def matches_keyword(text: str, keyword: str) -> bool:
    """Whether a member's keyword alert matches ``text``, with the same word-form rules as topics."""
    return bool(TopicMatcher([("keyword", [keyword])]).match(text))
