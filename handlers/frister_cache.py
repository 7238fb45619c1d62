"""The rendered /frister answers, kept in memory until what they show changes.

An answer depends on: the query (scope, topic, source, days, page, «alle»), the member's topic set
and their «only what the municipality can use», private or group (buttons), the language, the day
(grouping and «om 3 dager»), and the data, whose state is the ``cache_generation`` row
(``storage.cache_generation``: every transaction that writes calls, topics, subscriptions,
registrations, settings or expected rounds bumps it, in any process). An answer also expires when
the soonest timed deadline it counts passes, when the expected rounds it shows are read afresh
(``handlers.arshjul.expected_until``), and after ``MAX_AGE`` whatever happens (a bound for
writes that go around the session, such as a hand-made SQL fix). A member's view (database chat
id, topics, setting: one query) is kept under the same generation, and so is every call the default
window can list (``listable``): the first answer for a topic set, a source or a language not asked
for yet is picked out of it in memory, without asking the database again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from handlers.frister_query import Listing, Query
from storage.deadlines import Listable

MAX_AGE = timedelta(minutes=10)
MAX_ANSWERS = 2_000
MAX_VIEWS = 20_000
MAX_LISTABLE = 5_000  # calls kept in memory to pick new topic sets' pages from (more: ask the database)


@dataclass(frozen=True)
class View:
    """What a chat's /frister depends on besides the query: read once per generation."""

    chat_id: int
    topic_ids: frozenset[int] | None
    only_eligible: bool


@dataclass(frozen=True)
class Answer:
    text: str
    rows: list[Any]
    made: datetime
    expires: datetime


AnswerKey = tuple[Any, ...]


class FristerCache:
    def __init__(self) -> None:
        self.generation = -1
        self.answers: OrderedDict[AnswerKey, Answer] = OrderedDict()
        self.views: OrderedDict[int, View] = OrderedDict()
        self.lookups: tuple[Sequence[Any], Sequence[str]] | None = None  # topics, source names
        # Every call the default window can list (storage.deadlines.Listable), read once per
        # generation and day (and MAX_AGE): a topic set not asked for yet is picked out of it.
        self.listable: tuple[datetime, datetime, Listable | None] | None = None  # day, made, calls
        self.hits = 0

    def at(self, generation: int) -> None:
        """Forget everything made under another generation."""
        if generation != self.generation:
            self.generation = generation
            self.answers.clear()
            self.views.clear()
            self.lookups = None
            self.listable = None

    def view(self, telegram_id: int) -> View | None:
        return self.views.get(telegram_id)

    def keep_view(self, telegram_id: int, view: View) -> None:
        self.views[telegram_id] = view
        while len(self.views) > MAX_VIEWS:
            self.views.popitem(last=False)

    def get(self, key: AnswerKey, now: datetime) -> Answer | None:
        found = self.answers.get(key)
        if found is None:
            return None
        if now >= found.expires or now - found.made >= MAX_AGE:
            del self.answers[key]
            return None
        self.answers.move_to_end(key)
        self.hits += 1
        return found

    def keep(
        self, key: AnswerKey, text: str, rows: list[Any], *, now: datetime, expires: datetime | None
    ) -> None:
        if expires is None or expires <= now:
            return
        self.answers[key] = Answer(text, rows, now, expires)
        while len(self.answers) > MAX_ANSWERS:
            self.answers.popitem(last=False)


def key(query: Query, view: View, *, private: bool, language: str, today: date) -> AnswerKey:
    topics = tuple(sorted(view.topic_ids)) if view.topic_ids is not None else None
    return (query, topics, view.only_eligible and private, private, language, today)


def expires(listing: Listing, now: datetime, day_end: datetime) -> datetime | None:
    """When the answer stops being true by the clock alone: the end of the day, or the soonest timed
    deadline of the whole list passing (on this page or another: it changes the count, and on an
    earlier page it moves the later ones up); None when it has passed already (do not keep it)."""
    soonest = day_end
    for call in listing.calls:
        if call.deadline_at is not None and call.deadline_has_time and call.deadline_at >= now:
            soonest = min(soonest, call.deadline_at)
    if listing.soonest is not None:
        soonest = min(soonest, listing.soonest)
    return soonest if soonest > now else None


def frister_cache(extras: dict[str, Any]) -> FristerCache:
    found = extras.get("frister_cache")
    if not isinstance(found, FristerCache):
        found = extras["frister_cache"] = FristerCache()
    return found
