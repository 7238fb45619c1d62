"""Figures for /status and /statistikk, and the sources' health."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatKind, Outbox, OutboxStatus, Source, Subscription, Topic


@dataclass(frozen=True)
class OutboxSummary:
    waiting: int
    sent_24h: int
    failed_24h: int


async def outbox_summary(session: AsyncSession, *, now: datetime) -> OutboxSummary:
    since = now - timedelta(hours=24)
    waiting = await session.scalar(
        select(func.count()).where(Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
    )
    sent = await session.scalar(
        select(func.count()).where(Outbox.status == OutboxStatus.SENT, Outbox.sent_at >= since)
    )
    failed = await session.scalar(
        select(func.count()).where(Outbox.status == OutboxStatus.FAILED, Outbox.created_at >= since)
    )
    return OutboxSummary(int(waiting or 0), int(sent or 0), int(failed or 0))


async def database_revision(session: AsyncSession) -> str | None:
    """The Alembic revision the database is at (None if it cannot be read)."""
    try:
        return await session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # a database without the table is reported, not fatal
        return None


def is_failing(source: Source) -> bool:
    """Its last poll failed: an error newer than the last success (or never a success)."""
    if source.last_error_at is None:
        return False
    return source.last_success_at is None or source.last_error_at > source.last_success_at


async def list_sources(session: AsyncSession) -> Sequence[Source]:
    return (await session.execute(select(Source).order_by(Source.name, Source.id))).scalars().all()


async def failing_sources(session: AsyncSession) -> list[Source]:
    query = select(Source).where(Source.enabled.is_(True), Source.last_error_at.is_not(None))
    return [s for s in (await session.execute(query)).scalars() if is_failing(s)]


def failing_since(source: Source) -> datetime | None:
    """Since when the source has been failing: its last success, else when it was added."""
    if not is_failing(source):
        return None
    return source.last_success_at or source.created_at


@dataclass(frozen=True)
class MemberStats:
    members: int
    active: int
    groups: int


async def member_stats(session: AsyncSession, *, now: datetime, active_days: int = 30) -> MemberStats:
    """Members are private chats that can be written to; active ones wrote within ``active_days``."""
    private = (Chat.kind == ChatKind.PRIVATE, Chat.active.is_(True))
    members = await session.scalar(select(func.count()).where(*private))
    active = await session.scalar(
        select(func.count()).where(*private, Chat.last_seen_at >= now - timedelta(days=active_days))
    )
    groups = await session.scalar(
        select(func.count()).where(Chat.kind != ChatKind.PRIVATE, Chat.active.is_(True))
    )
    return MemberStats(int(members or 0), int(active or 0), int(groups or 0))


async def subscriptions_per_topic(session: AsyncSession) -> list[tuple[str, int]]:
    """Every active topic with its number of subscribing chats (active ones), in catalogue order."""
    query = (
        select(Topic.name, func.count(Chat.id))
        .select_from(Topic)
        .outerjoin(Subscription, Subscription.topic_id == Topic.id)
        .outerjoin(Chat, (Chat.id == Subscription.chat_id) & Chat.active.is_(True))
        .where(Topic.active.is_(True))
        .group_by(Topic.id, Topic.name, Topic.position)
        .order_by(Topic.position, Topic.id)
    )
    return [(name, int(count)) for name, count in (await session.execute(query)).tuples().all()]


async def deliveries_per_week(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, weeks: int = 8
) -> list[tuple[date, int]]:
    """Messages delivered per week (Monday of the week, in local time), the newest week last."""
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, datetime.min.time(), tz)
    query = select(Outbox.sent_at).where(
        Outbox.status == OutboxStatus.SENT, or_(Outbox.sent_at >= start, Outbox.sent_at.is_(None))
    )
    counts: Counter[date] = Counter()
    for (sent_at,) in (await session.execute(query)).tuples():
        if sent_at is None:
            continue
        local = sent_at.astimezone(tz).date()
        counts[local - timedelta(days=local.weekday())] += 1
    return [
        (first_monday + timedelta(weeks=i), counts[first_monday + timedelta(weeks=i)]) for i in range(weeks)
    ]


async def sources_to_report(
    session: AsyncSession, *, now: datetime, after: timedelta
) -> tuple[list[Source], list[Source]]:
    """(failing for at least ``after`` and not yet reported, reported earlier and now recovered)."""
    failing: list[Source] = []
    recovered: list[Source] = []
    for source in (await session.execute(select(Source).order_by(Source.id))).scalars():
        since = failing_since(source)
        if source.failing_reported_at is None:
            if source.enabled and since is not None and now - since >= after:
                failing.append(source)
        elif since is None:
            recovered.append(source)
    return failing, recovered
