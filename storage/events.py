"""Events (webinars, gatherings) and RSVPs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Chat, ChatKind, Event, Outbox, OutboxStatus, Rsvp, Subscription, Topic
from storage.rules.kinds import KIND_EVENT_REMINDER
from storage.topics import topics_by_slug

YES = "yes"
NO = "no"
NOT_STARTED = "har ikke startet boten i privat chat"


async def create_event(
    session: AsyncSession,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str,
    video_url: str | None,
    description: str,
    topic_slugs: Sequence[str],
    created_by: int | None,
    now: datetime,
) -> Event:
    event = Event(
        title=title[:500],
        starts_at=starts_at,
        ends_at=ends_at,
        location=location[:500],
        video_url=video_url,
        description=description,
        created_by=created_by,
        created_at=now,
    )
    event.topics = await topics_by_slug(session, topic_slugs)
    session.add(event)
    await session.flush()
    return event


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    query = select(Event).options(selectinload(Event.topics)).where(Event.id == event_id)
    return (await session.execute(query)).scalar_one_or_none()


async def upcoming_events(session: AsyncSession, *, now: datetime, limit: int = 20) -> Sequence[Event]:
    """Events not cancelled and not over, soonest first."""
    query = (
        select(Event)
        .options(selectinload(Event.topics))
        .where(
            Event.cancelled.is_(False),
            or_(Event.ends_at >= now, (Event.ends_at.is_(None)) & (Event.starts_at >= now)),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def person_chat(
    session: AsyncSession, telegram_id: int, *, name: str, username: str | None, now: datetime, private: bool
) -> Chat:
    """The person's own chat row (made if new; only someone who wrote in private can be written to)."""
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    if chat is None:
        chat = Chat(
            telegram_id=telegram_id,
            kind=ChatKind.PRIVATE,
            name=name[:200],
            username=username[:64] if username else None,
            active=private,
            inactive_reason=None if private else NOT_STARTED,
            last_seen_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(chat)
        await session.flush()
    return chat


async def set_rsvp(session: AsyncSession, *, event_id: int, chat_id: int, answer: str, now: datetime) -> None:
    """Record (or change) a person's answer; one row per person and event."""
    if answer not in (YES, NO):
        raise ValueError(f"unknown answer {answer!r}")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Rsvp).values(event_id=event_id, chat_id=chat_id, answer=answer, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["event_id", "chat_id"], set_={"answer": answer, "updated_at": now}
    )
    await session.execute(stmt)


async def rsvp_counts(session: AsyncSession, event_id: int) -> tuple[int, int]:
    """(coming, not coming)."""
    rows = await session.execute(
        select(Rsvp.answer, func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.answer)
    )
    counts = dict(rows.tuples().all())
    return int(counts.get(YES, 0)), int(counts.get(NO, 0))


@dataclass(frozen=True)
class Attendee:
    telegram_id: int
    name: str
    username: str | None
    municipality: str | None
    answer: str
    answered_at: datetime


async def attendees(session: AsyncSession, event_id: int) -> list[Attendee]:
    """Everyone who answered, coming first, then by name."""
    query = (
        select(Chat.telegram_id, Chat.name, Chat.username, Chat.municipality, Rsvp.answer, Rsvp.updated_at)
        .join(Chat, Chat.id == Rsvp.chat_id)
        .where(Rsvp.event_id == event_id)
    )
    found = [Attendee(*row) for row in (await session.execute(query)).tuples().all()]
    return sorted(found, key=lambda a: (a.answer != YES, a.name.lower()))


async def cancel_event(session: AsyncSession, event_id: int, *, now: datetime | None = None) -> Event | None:
    event = await get_event(session, event_id)
    if event is None or event.cancelled:
        return None
    event.cancelled = True
    if now is not None:
        event.changed_at = now
    await session.flush()
    return event


async def coming_chat_ids(session: AsyncSession, event_id: int) -> list[int]:
    query = select(Rsvp.chat_id).where(Rsvp.event_id == event_id, Rsvp.answer == YES).order_by(Rsvp.chat_id)
    return list((await session.execute(query)).scalars())


async def topic_subscriber_ids(session: AsyncSession, topic_ids: Sequence[int]) -> list[int]:
    """Active chats (members and groups) that follow at least one of the topics."""
    if not topic_ids:
        return []
    query = (
        select(Chat.id)
        .join(Subscription, Subscription.chat_id == Chat.id)
        .join(Topic, Topic.id == Subscription.topic_id)
        .where(Subscription.topic_id.in_(topic_ids), Chat.active.is_(True), Topic.active.is_(True))
        .distinct()
        .order_by(Chat.id)
    )
    return list((await session.execute(query)).scalars())


EDITABLE = frozenset({"title", "starts_at", "ends_at", "location", "video_url", "description"})
# What those coming are told about when it changes: the time and the place.
TOLD = ("starts_at", "ends_at", "location", "video_url")


async def update_event(
    session: AsyncSession, event_id: int, *, now: datetime, **values: object
) -> tuple[Event, set[str]] | None:
    """Change fields of an event not cancelled; returns it and the names of the fields that
    changed (None when it is gone or cancelled). A change is stamped ``now`` (LAST-MODIFIED); a new
    time or place raises its SEQUENCE, so calendars holding it take the new one."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    event = await get_event(session, event_id)
    if event is None or event.cancelled:
        return None
    changed = {name for name, value in values.items() if getattr(event, name) != value}
    for name in changed:
        setattr(event, name, values[name])
    if changed:
        event.changed_at = now
    if changed & set(TOLD):
        event.sequence = (event.sequence or 0) + 1
    await session.flush()
    return event, changed


def change_subject(event: Event) -> str:
    """The outbox subject of the notice of a change: one per time and place, so those coming are
    told once of each change, however often it is saved."""
    raw = "|".join(
        str(v) for v in (event.starts_at.isoformat(), event.ends_at, event.location, event.video_url)
    )
    return f"event:{event.id}:changed:{hashlib.sha256(raw.encode()).hexdigest()[:12]}"


async def cancel_old_reminders(session: AsyncSession, event_id: int, old_starts_at: datetime) -> int:
    """Reminders queued for the old start are not sent (the new start gets its own)."""
    starts = old_starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    result = await session.execute(
        update(Outbox)
        .where(
            Outbox.kind == KIND_EVENT_REMINDER,
            Outbox.subject.startswith(f"event:{event_id}:{starts}:", autoescape=True),
            Outbox.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, last_error="arrangementet har fått ny tid")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
