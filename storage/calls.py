"""Calls from sources: the ingest step (upsert by stable key) and the lookups polling needs.

``ingest`` inserts new calls, updates changed ones (by content hash), records every deadline change
as a DeadlineChange row, keeps the deadline truth (``storage.truth``: a coordinator's deadline
stays; an uncertain one waits for the coordinators, listed in ``IngestResult.ask``), tags topics
(call_topics) and never deletes a call that vanished from its listing. It returns what is new, what changed, which deadlines changed and which calls closed, so
that hooks (notifications) can act on it in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import truth
from storage.models import Call, CallStatus, CallTopic, Source, Topic
from storage.rules.deadline_truth import Reading

log = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
CHUNK = 500  # keys per IN (...) query: well under SQLite's variable limit
# The tables themselves: new calls are inserted with Core (plain rows, no ORM objects).
_CALLS = cast(Table, Call.__table__)
_CALL_TOPICS = cast(Table, CallTopic.__table__)

__all__ = [
    "CallData",
    "DeadlineChanged",
    "IngestResult",
    "content_hash",
    "deadline_end",
    "derive_status",
    "fingerprints",
    "ingest",
]


@dataclass
class CallData:
    """A call as a source states it (storage's own input type; the poller maps items to it)."""

    key: str
    title: str
    url: str | None = None
    summary: str = ""
    published_at: datetime | None = None
    deadline_at: datetime | None = None  # aware; with has_time False: midnight (Oslo) of the day
    deadline_has_time: bool = False
    rolling: bool = False
    status: str | None = None  # open | planned | rolling | closed, or None: derive from the deadline
    topics: Sequence[str] = ()  # topic slugs
    content_hash: str = ""  # what the source showed; computed from the fields when empty
    deadline_certain: bool = True  # the finder read it from a label or an unambiguous sentence
    deadline_evidence: str = ""  # the label or sentence it came from
    deadline_label: str = ""  # a deadline label without a readable date ("Søknadsfrist: kommer")
    facts: dict[str, str] | None = None  # label/value pairs the adapter read off the page

    @property
    def reading(self) -> Reading:
        """The deadline as the source states it."""
        return Reading(None if self.rolling else self.deadline_at, self.deadline_has_time, self.rolling)


class DeadlineChanged(NamedTuple):
    call_id: int
    old_at: datetime | None
    new_at: datetime | None
    old_rolling: bool
    new_rolling: bool


@dataclass
class IngestResult:
    """What one ingest did. ``new`` holds new calls that are not already closed."""

    new: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    deadline_changed: list[DeadlineChanged] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    new_closed: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped_manual: int = 0
    ask: list[int] = field(default_factory=list)  # calls whose deadline the coordinators are asked about

    @property
    def touched(self) -> list[int]:
        """Every call id that is new or changed, in order, once."""
        return list(dict.fromkeys([*self.new, *self.new_closed, *self.changed]))


def deadline_end(at: datetime | None, has_time: bool) -> datetime | None:
    """The last moment a deadline is open: the stated time, or the end of the day in Norway."""
    if at is None:
        return None
    if has_time:
        return at
    day = at.astimezone(OSLO).date()
    return datetime.combine(day + timedelta(days=1), time(0), OSLO) - timedelta(seconds=1)


def derive_status(data: CallData, now: datetime) -> str:
    """Closed when the source says so or the deadline has passed; else what the source says."""
    if data.status == CallStatus.CLOSED:
        return CallStatus.CLOSED
    end = deadline_end(data.deadline_at, data.deadline_has_time)
    if not data.rolling and end is not None and end < now:
        return CallStatus.CLOSED
    if data.status in (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING):
        return data.status
    return CallStatus.ROLLING if data.rolling else CallStatus.OPEN


def content_hash(data: CallData) -> str:
    if data.content_hash:
        return data.content_hash[:64]
    parts = [
        data.title,
        data.url or "",
        data.summary,
        data.deadline_at.isoformat() if data.deadline_at else "",
        str(data.deadline_has_time),
        str(data.rolling),
        data.status or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


async def fingerprints(session: AsyncSession, source_id: int) -> dict[str, str]:
    """Key -> content hash of every call of a source (two-step sources skip unchanged pages)."""
    rows = await session.execute(select(Call.key, Call.content_hash).where(Call.source_id == source_id))
    return {key: h for key, h in rows.all()}


async def _existing(session: AsyncSession, keys: Sequence[str]) -> dict[str, Call]:
    found: dict[str, Call] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        for call in (await session.execute(select(Call).where(Call.key.in_(chunk)))).scalars():
            found[call.key] = call
    return found


async def _insert_new(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert new calls as one batch: a Core executemany of plain rows (no ORM objects), then one
    SELECT of their ids by key.

    The ORM would insert them one round trip each on SQLite (ordered RETURNING needs a sentinel
    column SQLite lacks), which made ingesting a 1,000-item feed cost 6 times feedparser's parse;
    building an ORM object per row and the ORM's bulk path cost another third of the ingest.
    """
    await session.execute(insert(_CALLS), rows)
    keys = [row["key"] for row in rows]
    ids: dict[str, int] = {}
    for i in range(0, len(keys), CHUNK):
        query = select(Call.key, Call.id).where(Call.key.in_(keys[i : i + CHUNK]))
        ids.update({key: call_id for key, call_id in (await session.execute(query)).all()})
    return ids


async def _topic_links(session: AsyncSession, call_ids: Sequence[int]) -> set[tuple[int, int]]:
    links: set[tuple[int, int]] = set()
    for i in range(0, len(call_ids), CHUNK):
        chunk = call_ids[i : i + CHUNK]
        rows = await session.execute(
            select(CallTopic.call_id, CallTopic.topic_id).where(CallTopic.call_id.in_(chunk))
        )
        links.update((a, b) for a, b in rows.all())
    return links


async def ingest(
    session: AsyncSession, source: Source | None, items: Iterable[CallData], *, now: datetime
) -> IngestResult:
    """Upsert ``items`` (by key) for ``source``; flushes (new calls in one batch), does not commit."""
    result = IngestResult()
    unique: dict[str, CallData] = {}
    for data in items:
        unique.setdefault(data.key, data)
    if not unique:
        return result
    topic_ids = {slug: tid for slug, tid in (await session.execute(select(Topic.slug, Topic.id))).all()}
    existing = await _existing(session, list(unique))
    links = await _topic_links(session, [c.id for c in existing.values()])
    source_topics = list(source.topics or []) if source is not None else []
    new_links: list[tuple[int, int]] = []
    fresh: list[tuple[dict[str, Any], str, bool, list[int]]] = []  # new calls' rows, inserted together
    for key, data in unique.items():
        status = derive_status(data, now)
        digest = content_hash(data)
        wanted = [topic_ids[s] for s in dict.fromkeys([*data.topics, *source_topics]) if s in topic_ids]
        call = existing.get(key)
        if call is None:
            row: dict[str, Any] = {
                "source_id": source.id if source is not None else None,
                "key": key,
                "source_name": source.name if source is not None else "",
                "title": data.title[:1000],
                "url": data.url[:2000] if data.url else None,
                "summary": data.summary,
                "published_at": data.published_at,
                "deadline_at": None if data.rolling else data.deadline_at,
                "deadline_has_time": data.deadline_has_time and not data.rolling,
                "rolling": data.rolling,
                "status": status,
                "content_hash": digest,
                "first_seen_at": now,
                "last_changed_at": now,
                "facts": data.facts or None,
            }
            truth_columns, ask = truth.new_call_columns(
                data.reading,
                certain=data.deadline_certain,
                evidence=data.deadline_evidence,
                label=data.deadline_label,
                now=now,
            )
            row.update(truth_columns)
            fresh.append((row, status, ask, wanted))  # inserted together below
            continue
        if call.manual:
            result.skipped_manual += 1
            continue
        new_links.extend((call.id, t) for t in wanted if (call.id, t) not in links)
        old = truth.effective(call)
        applied = await truth.apply_reading(
            session,
            call,
            data.reading,
            certain=data.deadline_certain,
            evidence=data.deadline_evidence,
            label=data.deadline_label,
            now=now,
        )
        if data.reading.empty and not old.empty:
            # The source no longer states a deadline we could read: keep the one we have.
            log.info("call %s: no deadline found this time; keeping %s", call.id, call.deadline_at)
        if applied.told is not None:
            told = applied.told
            result.deadline_changed.append(
                DeadlineChanged(call.id, told.at, call.deadline_at, told.rolling, call.rolling)
            )
        if applied.ask:
            result.ask.append(call.id)
        changed = applied.changed
        # The status follows the deadline members see (a coordinator's, when one set it).
        status = derive_status(
            replace(
                data,
                deadline_at=call.deadline_at,
                rolling=call.rolling,
                deadline_has_time=call.deadline_has_time,
            ),
            now,
        )
        if status != call.status:
            if status == CallStatus.CLOSED:
                result.closed.append(call.id)
            # A status can move on without the content hash moving (a deadline passing).
            call.status = status
            changed = True
        if digest != call.content_hash:
            call.title = data.title[:1000]
            call.url = data.url[:2000] if data.url else call.url
            call.summary = data.summary or call.summary
            call.published_at = data.published_at or call.published_at
            call.content_hash = digest
            changed = True
        if data.facts and data.facts != call.facts:
            call.facts = dict(data.facts)
            changed = True
        if changed:
            call.last_changed_at = now
            result.changed.append(call.id)
        else:
            result.unchanged += 1
    fresh_links: list[tuple[int, int]] = []
    if fresh:
        ids = await _insert_new(session, [row for row, *_ in fresh])
        for row, status, ask, wanted in fresh:
            call_id = ids[row["key"]]
            (result.new_closed if status == CallStatus.CLOSED else result.new).append(call_id)
            if ask and status != CallStatus.CLOSED:
                result.ask.append(call_id)
            fresh_links.extend((call_id, t) for t in wanted)
    if fresh_links:  # the new calls' topics: one executemany too
        rows = [{"call_id": c, "topic_id": t} for c, t in dict.fromkeys(fresh_links)]
        await session.execute(insert(_CALL_TOPICS), rows)
    for call_id, topic_id in dict.fromkeys(new_links):
        session.add(CallTopic(call_id=call_id, topic_id=topic_id))
    await session.flush()
    return result
