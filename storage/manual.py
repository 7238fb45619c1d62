"""Deadlines entered by hand (/nyfrist): Call rows with manual=True and the key "manual:<uuid>",
so that /frister, reminders and the calendar treat them exactly like polled calls."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Call, CallStatus, DeadlineChange, Outbox, OutboxStatus
from storage.rules.deadline_truth import DeadlineState
from storage.topics import topics_by_slug

KEY_PREFIX = "manual:"


def content_hash(call: Call) -> str:
    """What a change of the call's content is seen by (title, link, deadline, source, topics)."""
    parts = [
        call.title,
        call.url or "",
        call.deadline_at.isoformat() if call.deadline_at else "",
        str(call.deadline_has_time),
        call.source_name,
        ",".join(sorted(t.slug for t in call.topics)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def create_manual_call(
    session: AsyncSession,
    *,
    title: str,
    deadline_at: datetime,
    has_time: bool,
    url: str | None,
    topic_slugs: Sequence[str],
    source_name: str,
    created_by: int | None,
    now: datetime,
) -> Call:
    """A new open call entered by a coordinator."""
    call = Call(
        key=f"{KEY_PREFIX}{uuid.uuid4()}",
        source_name=source_name[:200],
        title=title[:1000],
        url=url,
        summary="",
        published_at=now,
        deadline_at=deadline_at,
        deadline_has_time=has_time,
        rolling=False,
        status=CallStatus.OPEN,
        manual=True,
        created_by=created_by,
        deadline_state=DeadlineState.SET,  # a coordinator's word
        deadline_decided_by=created_by,
        deadline_decided_at=now,
        first_seen_at=now,
        last_changed_at=now,
    )
    call.topics = await topics_by_slug(session, topic_slugs)
    call.content_hash = content_hash(call)
    session.add(call)
    await session.flush()
    return call


async def get_manual_call(session: AsyncSession, call_id: int) -> Call | None:
    """A manual call that is not removed, with its topics."""
    query = (
        select(Call)
        .options(selectinload(Call.topics))
        .where(Call.id == call_id, Call.manual.is_(True), Call.status != CallStatus.REMOVED)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_manual_calls(
    session: AsyncSession, *, now: datetime | None = None, limit: int = 50
) -> Sequence[Call]:
    """Manual calls not removed, soonest deadline first; with ``now``, only those not yet past."""
    query = (
        select(Call)
        .options(selectinload(Call.topics))
        .where(Call.manual.is_(True), Call.status != CallStatus.REMOVED)
        .order_by(Call.deadline_at, Call.id)
        .limit(limit)
    )
    if now is not None:
        query = query.where(Call.deadline_at >= now)
    return (await session.execute(query)).scalars().all()


async def manual_source_names(session: AsyncSession, *, limit: int = 6) -> list[str]:
    """The source names used for manual calls, most recent first (for suggestion buttons)."""
    query = (
        select(Call.source_name, Call.first_seen_at)
        .where(Call.manual.is_(True))
        .order_by(Call.first_seen_at.desc())
    )
    names: list[str] = []
    for name, _ in (await session.execute(query)).all():
        if name and name not in names:
            names.append(name)
        if len(names) >= limit:
            break
    return names


@dataclass(frozen=True)
class ManualChange:
    call: Call
    deadline_changed: bool
    old_deadline_at: datetime | None = None


async def update_manual_call(
    session: AsyncSession,
    call_id: int,
    *,
    now: datetime,
    title: str | None = None,
    deadline: tuple[datetime, bool] | None = None,
    url: str | None = None,
    clear_url: bool = False,
    topic_slugs: Sequence[str] | None = None,
    source_name: str | None = None,
) -> ManualChange | None:
    """Change one or more fields; a changed deadline is recorded like a polled one. None if gone."""
    call = await get_manual_call(session, call_id)
    if call is None:
        return None
    deadline_changed = False
    old_deadline_at = call.deadline_at
    if title is not None:
        call.title = title[:1000]
    if deadline is not None:
        new_at, has_time = deadline
        if new_at != call.deadline_at or has_time != call.deadline_has_time:
            deadline_changed = new_at != call.deadline_at
            if deadline_changed:
                session.add(
                    DeadlineChange(
                        call_id=call.id,
                        old_deadline_at=call.deadline_at,
                        new_deadline_at=new_at,
                        old_rolling=call.rolling,
                        new_rolling=False,
                        changed_at=now,
                    )
                )
            call.deadline_at = new_at
            call.deadline_has_time = has_time
            if call.status == CallStatus.CLOSED and new_at >= now:
                call.status = CallStatus.OPEN
    if url is not None:
        call.url = url
    if clear_url:
        call.url = None
    if topic_slugs is not None:
        call.topics = await topics_by_slug(session, topic_slugs)
    if source_name is not None:
        call.source_name = source_name[:200]
    new_hash = content_hash(call)
    if new_hash != call.content_hash:
        call.content_hash = new_hash
        call.last_changed_at = now
    await session.flush()
    return ManualChange(call, deadline_changed, old_deadline_at)


async def remove_manual_call(session: AsyncSession, call_id: int, *, now: datetime) -> Call | None:
    """Mark removed (kept for history, gone from /frister and reminders). None if gone already."""
    call = await get_manual_call(session, call_id)
    if call is None:
        return None
    call.status = CallStatus.REMOVED
    call.last_changed_at = now
    await session.flush()
    return call


async def cancel_pending_pushes(session: AsyncSession, call_id: int, *, kinds: Sequence[str]) -> int:
    """Cancel the queued, not yet sent pushes about a call (subject ``call:<id>`` or ``call:<id>:…``)
    of the given kinds: a removed call is not reminded of, a changed deadline not with the old date."""
    subject = f"call:{call_id}"
    result = await session.execute(
        update(Outbox)
        .where(
            Outbox.kind.in_(list(kinds)),
            Outbox.status == OutboxStatus.PENDING,
            or_(Outbox.subject == subject, Outbox.subject.like(f"{subject}:%")),
        )
        .values(status=OutboxStatus.CANCELLED, last_error="fristen er endret eller slettet")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
