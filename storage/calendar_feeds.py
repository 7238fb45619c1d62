"""Calendar subscriptions: a chat's secret link (only the token's hash is stored), the deployment's
id for UIDs, and what one chat's feed holds (its topics' deadlines with how often each moved, the
events it signed up for, its municipality's "Vi søker" milestones), read fresh on each request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.apply_models import ApplicationPlan
from storage.calendar_models import CalendarFeed, Deployment
from storage.models import Call, CallStatus, CallTopic, Chat, ChatKind, DeadlineChange, Event, Rsvp
from storage.rules.applications import milestones_from_json

__all__ = [
    "FeedCall",
    "FeedMilestone",
    "by_token",
    "feed_calls",
    "feed_events",
    "feed_milestones",
    "feed_of",
    "hash_token",
    "new_token",
    "record_body",
    "remove",
    "uid_domain",
]

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
TOKEN_MIN, TOKEN_MAX = 32, 64
KEEP_PAST = timedelta(days=30)  # past deadlines and events stay in the feed this long
HIDDEN = (CallStatus.REMOVED,)
MAX_ITEMS = 500


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible_token(token: str) -> bool:
    """A token of the right length and alphabet (anything else is refused before the database)."""
    return TOKEN_MIN <= len(token) <= TOKEN_MAX and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in token
    )


async def uid_domain(session: AsyncSession) -> str:
    """This deployment's random id for UIDs (made once, on first use; stable from then on)."""
    found = await session.get(Deployment, 1)
    if found is not None:
        return found.uid_domain
    made = f"{secrets.token_hex(6)}.foui-bot"
    try:
        async with session.begin_nested():
            session.add(Deployment(id=1, uid_domain=made))
    except IntegrityError:  # another process made it first
        found = await session.get(Deployment, 1, populate_existing=True)
        assert found is not None
        return found.uid_domain
    return made


async def feed_of(session: AsyncSession, chat_id: int) -> CalendarFeed | None:
    return (
        await session.execute(select(CalendarFeed).where(CalendarFeed.chat_id == chat_id))
    ).scalar_one_or_none()


async def new_token(session: AsyncSession, chat_id: int, now: datetime) -> str:
    """A new secret link for the chat; an earlier one stops working at once. Returns the token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = await feed_of(session, chat_id)
    if feed is None:
        feed = CalendarFeed(chat_id=chat_id)
        session.add(feed)
    feed.token_hash, feed.created_at, feed.body_hash, feed.changed_at = hash_token(token), now, "", None
    await session.flush()
    return token


async def by_token(session: AsyncSession, token: str) -> tuple[CalendarFeed, Chat] | None:
    """The subscription and its chat for a token, or None (unknown, renewed or deleted)."""
    if not plausible_token(token):
        return None
    query = (
        select(CalendarFeed, Chat)
        .join(Chat, Chat.id == CalendarFeed.chat_id)
        .where(CalendarFeed.token_hash == hash_token(token))
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def remove(session: AsyncSession, chat_id: int) -> bool:
    result = await session.execute(delete(CalendarFeed).where(CalendarFeed.chat_id == chat_id))
    return bool(getattr(result, "rowcount", 0))


async def record_body(session: AsyncSession, feed: CalendarFeed, body_hash: str, now: datetime) -> datetime:
    """Note the content served; returns when it last changed (the feed's Last-Modified)."""
    if feed.body_hash != body_hash or feed.changed_at is None:
        feed.body_hash, feed.changed_at = body_hash, now
        await session.flush()
    assert feed.changed_at is not None
    return feed.changed_at


@dataclass(frozen=True)
class FeedCall:
    """A deadline in a feed: the call, how often its deadline moved, and when it last changed."""

    call: Call
    sequence: int
    last_modified: datetime


async def feed_calls(
    session: AsyncSession, *, topic_ids: Collection[int] | None, now: datetime
) -> list[FeedCall]:
    """The deadlines of the chat's topics (every topic when None) from 30 days back, soonest first."""
    conditions = [
        Call.deadline_at >= now - KEEP_PAST,
        Call.status.not_in(HIDDEN),
        Call.rolling.is_(False),
        Call.status != CallStatus.ROLLING,
    ]
    if topic_ids is not None:
        conditions.append(
            exists().where(CallTopic.call_id == Call.id, CallTopic.topic_id.in_(list(topic_ids)))
        )
    query = (
        select(Call)
        .where(*conditions)
        .options(selectinload(Call.topics))
        .order_by(Call.deadline_at, Call.id)
        .limit(MAX_ITEMS)
    )
    calls = (await session.execute(query)).scalars().all()
    moves: dict[int, tuple[int, datetime]] = {}
    if calls:
        counted = (
            select(DeadlineChange.call_id, func.count(), func.max(DeadlineChange.changed_at))
            .where(DeadlineChange.call_id.in_([c.id for c in calls]))
            .group_by(DeadlineChange.call_id)
        )
        moves = {row[0]: (int(row[1]), row[2]) for row in (await session.execute(counted)).all()}
    found = []
    for call in calls:
        count, moved_at = moves.get(call.id, (0, None))
        stamps = [call.first_seen_at, call.last_changed_at] + ([moved_at] if moved_at else [])
        found.append(FeedCall(call, count, max(s for s in stamps if s is not None)))
    return found


async def feed_events(session: AsyncSession, chat: Chat, *, now: datetime) -> Sequence[Event]:
    """A member's events they said yes to; a group's every event (cancelled ones too, to show so)."""
    query = (
        select(Event)
        .where(or_(Event.starts_at >= now - KEEP_PAST, Event.ends_at >= now - KEEP_PAST))
        .order_by(Event.starts_at, Event.id)
        .limit(MAX_ITEMS)
    )
    if chat.kind == ChatKind.PRIVATE:
        query = query.where(
            exists().where(Rsvp.event_id == Event.id, Rsvp.chat_id == chat.id, Rsvp.answer == "yes")
        )
    return (await session.execute(query)).scalars().all()


@dataclass(frozen=True)
class FeedMilestone:
    plan_id: int
    call: Call
    weeks: int
    label: str
    made_at: datetime


async def feed_milestones(session: AsyncSession, chat: Chat, *, now: datetime) -> list[FeedMilestone]:
    """The "Vi søker" milestones of the member's municipality, for plans still running."""
    if chat.kind != ChatKind.PRIVATE or not chat.municipality:
        return []
    query = (
        select(ApplicationPlan, Call)
        .join(Call, Call.id == ApplicationPlan.call_id)
        .where(
            ApplicationPlan.municipality == chat.municipality,
            ApplicationPlan.stopped_at.is_(None),
            Call.deadline_at >= now - KEEP_PAST,
            Call.status.not_in(HIDDEN),
        )
        .order_by(Call.deadline_at, ApplicationPlan.id)
        .limit(MAX_ITEMS)
    )
    found = []
    for plan, call in (await session.execute(query)).all():
        for milestone in milestones_from_json(plan.milestones):
            found.append(FeedMilestone(plan.id, call, milestone.weeks, milestone.label, plan.created_at))
    return found
