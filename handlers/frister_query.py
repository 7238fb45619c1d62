"""What /frister lists: its words read into a Query, the Query in paging buttons, the page loaded."""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import match_name, match_topic, topic_word
from handlers.errors import BadDays, Expired, UnknownArgument
from storage import deadlines, members
from storage import topics as topic_store
from storage.models import Call, Topic

PREFIX = "fr:"
PAGE_SIZE = 8
MAX_DAYS = 3650
ROLLING_SHOWN = 5

MINE, ALL, TOPIC = "m", "a", "t"
ALL_WORDS = {"alle", "alt", "all"}
DAY_WORDS = {"d", "dag", "dager", "dagar"}
# Any whole number (negative and huge ones too) is meant as days; parse_args checks the range.
_DAYS = re.compile(r"([-+−]?\d+)(d|dag|dager)?")


@dataclass(frozen=True)
class Query:
    """What to list: whose topics (mine, all, one topic), from which source, how many days ahead."""

    scope: str = ALL
    topic_id: int | None = None
    source: str | None = None
    days: int | None = 60  # None: every upcoming deadline
    page: int = 0
    everything: bool = False  # shown despite the member's "only what the municipality can use"

    def encode(self, page: int) -> str:
        """Callback data (at most 64 bytes): fr:<page>:<scope>:<days>:<source checksum>[:e]."""
        scope = f"{TOPIC}{self.topic_id}" if self.scope == TOPIC else self.scope
        source = source_key(self.source) if self.source else ""
        return f"{PREFIX}{page}:{scope}:{self.days or 0}:{source}" + (":e" if self.everything else "")


def source_key(name: str) -> str:
    return format(zlib.crc32(name.encode()), "x")


def decode(data: str, sources: Sequence[str]) -> Query:
    """The Query in a button's callback data; Expired if it no longer makes sense."""
    parts = data.removeprefix(PREFIX).split(":")
    everything = len(parts) == 5 and parts.pop() == "e"
    try:
        page_s, scope_s, days_s, source_s = parts
        page, days = int(page_s), int(days_s)
    except ValueError:
        raise Expired() from None
    source = None
    if source_s:
        source = next((s for s in sources if source_key(s) == source_s), None)
        if source is None:
            raise Expired()
    if scope_s.startswith(TOPIC):
        if not scope_s[1:].isdigit():
            raise Expired()
        return Query(TOPIC, int(scope_s[1:]), source, days or None, max(page, 0), everything)
    if scope_s not in (MINE, ALL):
        raise Expired()
    return Query(scope_s, None, source, days or None, max(page, 0), everything)


def parse_args(
    words: Sequence[str],
    *,
    topics: Sequence[Topic],
    sources: Sequence[str],
    default_days: int,
    private: bool,
) -> Query:
    """The Query a person asked for; UnknownArgument (with the valid choices) or BadDays if not."""
    days: int | None = default_days
    explicit_days = False
    everything = False
    rest: list[str] = []
    for word in words:
        folded = word.casefold().strip(",.;")
        match = _DAYS.fullmatch(folded)
        if match:
            days = int(match.group(1).replace("−", "-"))
            if not 1 <= days <= MAX_DAYS:
                raise BadDays(MAX_DAYS)
            explicit_days = True
        elif folded in ALL_WORDS:
            everything = True
        elif folded in DAY_WORDS or not folded:
            continue
        else:
            rest.append(word)
    if everything and not explicit_days:
        days = None
    query = Query(MINE if private and not everything else ALL, None, None, days)
    if not rest:
        return query
    phrase = " ".join(rest)
    found = _topic_or_source(phrase, topics, sources)
    if found is not None:
        return _with(query, found)
    for word in rest:  # "helse forskningsrådet": a topic and a source
        found = _topic_or_source(word, topics, sources)
        if found is None:
            raise UnknownArgument(word, [topic_word(t) for t in topics], list(sources))
        query = _with(query, found)
    return query


def _topic_or_source(text: str, topics: Sequence[Topic], sources: Sequence[str]) -> Topic | str | None:
    """Close matches first (topic, then source), near-misses only after."""
    for fuzzy in (False, True):
        topic = match_topic(text, topics, fuzzy=fuzzy)
        if topic is not None:
            return topic
        source = match_name(text, sources, fuzzy=fuzzy)
        if source is not None:
            return source
    return None


def _with(query: Query, found: Topic | str) -> Query:
    if isinstance(found, str):
        return replace(query, source=found, scope=query.scope if query.scope == TOPIC else ALL)
    return replace(query, scope=TOPIC, topic_id=found.id)


@dataclass
class Listing:
    """One page of deadlines, ready to render."""

    query: Query
    total: int
    calls: Sequence[Call]
    rolling_total: int
    rolling: Sequence[Call]
    topic: Topic | None = None
    no_topics: bool = False  # "mine" asked, but the member follows none: showing all
    hidden: int = 0  # calls left out as not for municipalities (the member's setting)
    filtering: bool = False  # the member's setting is on (whether or not this page follows it)
    soonest: datetime | None = None  # the soonest timed deadline still ahead, on any page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def day_bounds(now: datetime, days: int | None, tz: ZoneInfo) -> tuple[datetime, datetime | None]:
    """The start of today and the end of the last day of the window, in local time."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0, 0), tz)
    if days is None:
        return start, None
    end = datetime.combine(today + timedelta(days=days), time(23, 59, 59), tz)
    return start, end


async def load(
    session: Any,
    query: Query,
    *,
    chat_id: int | None,
    now: datetime,
    tz: ZoneInfo,
    only_eligible: bool = False,
    mine: Any = None,
) -> Listing:
    """Fetch one page of the listing (and the rolling calls on the first page); ``only_eligible``:
    the member's setting, followed unless the query asks for everything; ``mine``: the member's
    topics when already read (a frozenset, or ``NO_TOPICS``), else read here."""
    topic_ids: set[int] | None = None
    topic: Topic | None = None
    no_topics = False
    if query.scope == TOPIC and query.topic_id is not None:
        found = await topic_store.list_topics(session)
        topic = next((t for t in found if t.id == query.topic_id), None)
        if topic is None:
            raise Expired()
        topic_ids = {topic.id}
    elif query.scope == MINE and (chat_id is not None or mine is not None):
        if mine is None and chat_id is not None:
            topic_ids = await members.subscribed_topic_ids(session, chat_id) or None
        else:
            topic_ids = set(mine or ()) or None
        no_topics = topic_ids is None
    day_start, until = day_bounds(now, query.days, tz)
    filtered = only_eligible and not query.everything
    page = await deadlines.upcoming(
        session,
        now=now,
        day_start=day_start,
        until=until,
        topic_ids=topic_ids,
        source=query.source,
        offset=query.page * PAGE_SIZE,
        limit=PAGE_SIZE,
        only_eligible=filtered,
    )
    if page.total and query.page * PAGE_SIZE >= page.total:  # the list shrank since the button
        last = (page.total - 1) // PAGE_SIZE
        return await load(
            session,
            replace(query, page=last),
            chat_id=chat_id,
            now=now,
            tz=tz,
            only_eligible=only_eligible,
            mine=mine,
        )
    rolling = deadlines.Page(0, [])
    if query.page == 0:
        rolling = await deadlines.rolling(
            session, topic_ids=topic_ids, source=query.source, limit=ROLLING_SHOWN, only_eligible=filtered
        )
    hidden = 0
    if filtered:
        hidden = await deadlines.left_out(
            session, now=now, day_start=day_start, until=until, topic_ids=topic_ids, source=query.source
        )
    listing = Listing(query, page.total, page.calls, rolling.total, rolling.calls, topic, no_topics)
    listing.hidden, listing.filtering, listing.soonest = hidden, only_eligible, page.soonest
    return listing


def is_days(word: str) -> bool:
    """True when the word is meant as a number of days ("30", "30d", "-5"); parse_args checks the range."""
    return _DAYS.fullmatch(word.casefold()) is not None


def from_listable(
    found: deadlines.Listable,
    query: Query,
    *,
    now: datetime,
    tz: ZoneInfo,
    only_eligible: bool,
    mine: frozenset[int],
) -> Listing | None:
    """What ``load`` reads for ``query``, picked out of ``found`` in memory (the same filters, order,
    counts and pages); None when ``found`` does not cover the query (a topic's scope, another day or
    a longer window): ``load`` it then."""
    if query.scope == TOPIC or query.days is None:
        return None
    day_start, until = day_bounds(now, query.days, tz)
    if day_start != found.day_start or until is None or until > found.until:
        return None
    topic_ids = (mine or None) if query.scope == MINE else None
    filtered = only_eligible and not query.everything

    def wanted(call: deadlines.Listed, *, eligible: bool) -> bool:
        if topic_ids is not None and call.topic_ids.isdisjoint(topic_ids):
            return False
        if query.source is not None and call.source != query.source:
            return False
        return not (eligible and call.not_for)

    # Sorted by deadline: those before now count only when the deadline is the whole day.
    ahead, end = bisect_left(found.deadlines, now), bisect_right(found.deadlines, until)
    window = [c for c in found.upcoming[:ahead] if not c.has_time] + list(found.upcoming[ahead:end])
    upcoming = [c for c in window if wanted(c, eligible=filtered)]
    total = len(upcoming)
    page = query.page
    if total and page * PAGE_SIZE >= total:  # the list shrank since the button
        page = (total - 1) // PAGE_SIZE
        query = replace(query, page=page)
    calls = [c.call for c in upcoming[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    rolling: list[Call] = []
    rolling_total = 0
    if page == 0:
        picked = [c.call for c in found.rolling if wanted(c, eligible=filtered)]
        rolling_total, rolling = len(picked), picked[:ROLLING_SHOWN]
    hidden = 0
    if filtered:
        hidden = sum(1 for c in [*window, *found.rolling] if c.not_for and wanted(c, eligible=False))
    no_topics = query.scope == MINE and topic_ids is None
    listing = Listing(query, total, calls, rolling_total, rolling, None, no_topics)
    listing.hidden, listing.filtering = hidden, only_eligible
    timed = (
        c.deadline_at for c in upcoming if c.has_time and c.deadline_at is not None and c.deadline_at >= now
    )
    listing.soonest = next(timed, None)  # soonest first
    return listing
