"""Reading calls for people: upcoming deadlines with filters, rolling calls, and search."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.apply_models import CallConditions
from storage.db import NEEDLE_SEPARATOR
from storage.models import Call, CallStatus, CallTopic, Topic
from storage.rules.applications import VERDICT_NOT_FOR

LISTED = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)
# The same set, said as "not hidden": the form lets SQLite's planner use the deadline index
# instead of the (unselective) status index.
HIDDEN = (CallStatus.CLOSED, CallStatus.REMOVED)


def _listed() -> ColumnElement[bool]:
    return Call.status.not_in(HIDDEN)


@dataclass(frozen=True)
class Page:
    """One page of calls and how many matched in all."""

    total: int
    calls: Sequence[Call]
    soonest: datetime | None = None  # upcoming: the soonest timed deadline still ahead on any page


def _topic_filter(topic_ids: Collection[int] | None) -> ColumnElement[bool] | None:
    if topic_ids is None:
        return None
    return exists().where(CallTopic.call_id == Call.id, CallTopic.topic_id.in_(list(topic_ids)))


def _filters(
    topic_ids: Collection[int] | None, source: str | None, only_eligible: bool = False
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if only_eligible:  # leave out the calls that are not for municipalities (an unknown verdict stays)
        found.append(
            ~exists().where(CallConditions.call_id == Call.id, CallConditions.verdict == VERDICT_NOT_FOR)
        )
    topic = _topic_filter(topic_ids)
    if topic is not None:
        found.append(topic)
    if source is not None:
        found.append(Call.source_name == source)
    return found


def _is_rolling() -> ColumnElement[bool]:
    # Written with literals, exactly as the partial index ix_calls_rolling_seen's predicate, so that
    # the database can use it (a bound parameter would hide the match from PostgreSQL's planner).
    return or_(Call.rolling.is_(True), Call.status == literal_column(f"'{CallStatus.ROLLING}'"))


async def upcoming(
    session: AsyncSession,
    *,
    now: datetime,
    day_start: datetime | None = None,
    until: datetime | None = None,
    topic_ids: Collection[int] | None = None,
    source: str | None = None,
    offset: int = 0,
    limit: int | None = None,
    only_eligible: bool = False,
) -> Page:
    """Calls with a deadline still ahead, soonest first.

    A deadline without a time of day counts as open the whole day: those are kept from
    ``day_start`` (the start of today in local time), the others from ``now``. ``until`` bounds
    the window; ``topic_ids`` None means every topic (and calls without one); ``only_eligible``
    leaves out calls whose reading says they are not for municipalities.
    """
    day_start = min(day_start or now, now)
    conditions: list[ColumnElement[bool]] = [
        # A range on deadline_at first (index), then the finer test: equivalent to
        # "deadline >= now, or a whole-day deadline >= day_start".
        Call.deadline_at >= day_start,
        or_(Call.deadline_at >= now, Call.deadline_has_time.is_(False)),
        _listed(),
        ~_is_rolling(),
        *_filters(topic_ids, source, only_eligible),
    ]
    if until is not None:
        conditions.append(Call.deadline_at <= until)
    # When the list stops being true by the clock: the soonest timed deadline that passes (on any
    # page: each one that passes moves the later ones up and changes the count).
    timed = case((and_(Call.deadline_has_time.is_(True), Call.deadline_at >= now), Call.deadline_at))
    soonest = func.min(timed).over().label("soonest")
    return await _page(session, conditions, (Call.deadline_at, Call.id), offset, limit, soonest)


async def _page(
    session: AsyncSession,
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    offset: int,
    limit: int | None,
    soonest: Any = None,
) -> Page:
    """One query for the rows and the total (a window count); a count alone past the end.
    ``soonest``: a window column read into ``Page.soonest``."""
    extra = [soonest] if soonest is not None else []
    query = (
        select(Call, func.count().over().label("total"), *extra)
        .where(*conditions)
        .options(selectinload(Call.topics))
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = (await session.execute(query)).all()
    if rows:
        first = rows[0]
        return Page(int(first.total), [row[0] for row in rows], first.soonest if extra else None)
    if offset == 0:
        return Page(0, [])
    count = select(func.count()).select_from(Call).where(*conditions)
    return Page(int((await session.execute(count)).scalar_one()), [])


async def rolling(
    session: AsyncSession,
    *,
    topic_ids: Collection[int] | None = None,
    source: str | None = None,
    limit: int | None = None,
    only_eligible: bool = False,
) -> Page:
    """Open calls without a fixed deadline ("løpende"), newest first."""
    conditions = [_listed(), _is_rolling(), *_filters(topic_ids, source, only_eligible)]
    return await _page(session, conditions, (Call.first_seen_at.desc(), Call.id.desc()), 0, limit)


@dataclass(frozen=True, slots=True)
class Listed:
    """One call as /frister filters it, in plain values (no ORM attribute per test)."""

    call: Call
    deadline_at: datetime | None
    has_time: bool
    topic_ids: frozenset[int]
    source: str
    not_for: bool  # its reading says it is not for municipalities


@dataclass(frozen=True)
class Listable:
    """Every call /frister can list within a window, read at once: a new topic set's page is then
    picked out in memory (``handlers.frister_query.from_listable``) instead of asked for again."""

    day_start: datetime
    until: datetime
    upcoming: Sequence[Listed]  # not rolling, deadline within [day_start, until], soonest first
    rolling: Sequence[Listed]  # newest first
    deadlines: Sequence[datetime]  # the upcoming ones' deadlines, in their order (for bisect)


async def listable(
    session: AsyncSession, *, day_start: datetime, until: datetime, limit: int
) -> Listable | None:
    """The calls ``upcoming`` (in the window, before ``now`` is applied) and ``rolling`` can list,
    with their topics; None (after one count) when there are more than ``limit`` of them."""
    window = and_(Call.deadline_at >= day_start, Call.deadline_at <= until, ~_is_rolling())
    either = and_(_listed(), or_(window, _is_rolling()))
    count = select(func.count()).select_from(Call).where(either)
    if int((await session.execute(count)).scalar_one()) > limit:
        return None
    upcoming = select(Call).where(_listed(), window).order_by(Call.deadline_at, Call.id)
    rolling = select(Call).where(_listed(), _is_rolling()).order_by(Call.first_seen_at.desc(), Call.id.desc())
    found = list((await session.execute(upcoming.options(selectinload(Call.topics)))).scalars())
    rolling_found = list((await session.execute(rolling.options(selectinload(Call.topics)))).scalars())
    not_for = (
        select(CallConditions.call_id)
        .join(Call, Call.id == CallConditions.call_id)
        .where(CallConditions.verdict == VERDICT_NOT_FOR, either)
    )
    ids = frozenset((await session.execute(not_for)).scalars())

    def listed(call: Call) -> Listed:
        topics = frozenset(t.id for t in call.topics)
        return Listed(
            call, call.deadline_at, call.deadline_has_time, topics, call.source_name, call.id in ids
        )

    upcoming_listed = [listed(c) for c in found]
    deadlines = [c.deadline_at for c in upcoming_listed if c.deadline_at is not None]
    return Listable(day_start, until, upcoming_listed, [listed(c) for c in rolling_found], deadlines)


async def left_out(
    session: AsyncSession,
    *,
    now: datetime,
    day_start: datetime | None = None,
    until: datetime | None = None,
    topic_ids: Collection[int] | None = None,
    source: str | None = None,
) -> int:
    """How many calls ``only_eligible`` leaves out of ``upcoming`` and ``rolling`` with these filters."""
    day_start = min(day_start or now, now)
    window = and_(
        Call.deadline_at >= day_start,
        or_(Call.deadline_at >= now, Call.deadline_has_time.is_(False)),
        ~_is_rolling(),
        *([Call.deadline_at <= until] if until is not None else []),
    )
    not_for = exists().where(CallConditions.call_id == Call.id, CallConditions.verdict == VERDICT_NOT_FOR)
    query = (
        select(func.count())
        .select_from(Call)
        .where(_listed(), or_(window, _is_rolling()), not_for, *_filters(topic_ids, source))
    )
    return int((await session.execute(query)).scalar_one())


async def source_names(session: AsyncSession) -> list[str]:
    """The names of the sources of the calls that can be listed, alphabetically."""
    query = (
        select(Call.source_name)
        .where(Call.status.in_(LISTED), Call.source_name != "")
        .distinct()
        .order_by(Call.source_name)
    )
    return list((await session.execute(query)).scalars())


# A search reads at most this many words and characters: the query's cost does not grow with
# what is typed (900 words used to hold the bot for half a minute).
MAX_SEARCH_WORDS = 8
MAX_SEARCH_CHARS = 100


def search_words(words: Sequence[str]) -> tuple[list[str], bool]:
    """The words a search uses (repeats and words inside another word dropped, at most
    ``MAX_SEARCH_WORDS`` and ``MAX_SEARCH_CHARS``), and whether anything typed was left out."""
    kept: list[str] = []
    used = 0
    trimmed = False
    for word in (w.strip() for w in words):
        if not word:
            continue
        folded = word.casefold()
        if any(folded in k.casefold() for k in kept):
            continue
        if len(kept) >= MAX_SEARCH_WORDS or used + len(word) > MAX_SEARCH_CHARS:
            if not kept:  # one very long word: its beginning
                kept = [word[:MAX_SEARCH_CHARS]]
            trimmed = True
            break
        kept = [k for k in kept if k.casefold() not in folded] + [word]
        used = sum(len(k) for k in kept) + len(kept) - 1
    return kept, trimmed


async def search(
    session: AsyncSession, words: Sequence[str], *, now: datetime, limit: int = 10, offset: int = 0
) -> Page:
    """Calls, open and past, whose title, summary or source holds every word.

    Open calls (deadline ahead, or rolling) come first, soonest deadline first; then past and
    closed ones, the most recent first.
    """
    conditions: list[ColumnElement[bool]] = [Call.status != CallStatus.REMOVED]
    sqlite = session.get_bind().dialect.name == "sqlite"
    used = search_words(words)[0]
    if sqlite:  # one Python call per row (storage.db registers it): SQLite folds ASCII only
        needles = NEEDLE_SEPARATOR.join(w.casefold() for w in used)
        conditions.append(func.contains_all(Call.title, Call.summary, Call.source_name, needles) == 1)
    else:  # PostgreSQL's ILIKE folds every letter (Æ/æ, Ø/ø, Å/å)
        haystack = func.concat_ws("\n", Call.title, Call.summary, Call.source_name)
        conditions += [haystack.ilike(f"%{_escape_like(w)}%", escape="\\") for w in used]
    is_open = and_(
        Call.status.in_(LISTED),
        or_(_is_rolling(), Call.deadline_at >= now, Call.deadline_at.is_(None)),
    )
    total = int(
        (await session.execute(select(func.count()).select_from(Call).where(*conditions))).scalar_one()
    )
    open_first = case((is_open, 0), else_=1)
    # Open: soonest first (no deadline last). Past: most recent first.
    soon = case((is_open, Call.deadline_at), else_=None)
    recent = case((is_open, None), else_=Call.deadline_at)
    query = (
        select(Call)
        .where(*conditions)
        .options(selectinload(Call.topics))
        .order_by(
            open_first, soon.is_(None), soon, recent.is_(None), recent.desc(), Call.first_seen_at.desc()
        )
        .offset(offset)
        .limit(limit)
    )
    calls = (await session.execute(query)).scalars().all() if total > offset else []
    return Page(total, calls)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def calls_by_id(session: AsyncSession, ids: Collection[int]) -> list[Call]:
    if not ids:
        return []
    query = select(Call).where(Call.id.in_(list(ids))).options(selectinload(Call.topics))
    return list((await session.execute(query)).scalars())


async def upsert_example_call(
    session: AsyncSession,
    *,
    key: str,
    title: str,
    summary: str,
    url: str | None,
    source_name: str,
    topic_slugs: Collection[str],
    deadline_at: datetime | None,
    deadline_has_time: bool,
    rolling: bool,
    status: str,
    now: datetime,
) -> Call:
    """An example call for the console: inserted once, its deadline moved on later loads."""
    call = (await session.execute(select(Call).where(Call.key == key))).scalar_one_or_none()
    if call is None:
        call = Call(key=key, title=title, first_seen_at=now, last_changed_at=now)
        session.add(call)
    elif (call.deadline_at, call.deadline_has_time, call.rolling, call.status) != (
        deadline_at,
        deadline_has_time,
        rolling,
        status,
    ):
        call.last_changed_at = now  # the reminder planner sees a changed call by this
    call.title, call.summary, call.url, call.source_name = title, summary, url, source_name
    call.deadline_at, call.deadline_has_time, call.rolling, call.status = (
        deadline_at,
        deadline_has_time,
        rolling,
        status,
    )
    await session.flush()
    wanted = (await session.execute(select(Topic.id).where(Topic.slug.in_(list(topic_slugs))))).scalars()
    have = set(
        (await session.execute(select(CallTopic.topic_id).where(CallTopic.call_id == call.id))).scalars()
    )
    for topic_id in set(wanted) - have:
        session.add(CallTopic(call_id=call.id, topic_id=topic_id))
    await session.flush()
    return call
