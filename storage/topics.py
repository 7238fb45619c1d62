"""Topics: the catalogue in the database, and lookups by slug."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Topic


class TopicLike(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


async def seed_topics(session: AsyncSession, catalogue: Iterable[TopicLike]) -> int:
    """Insert the catalogue's topics that are not there yet (never overwrites a coordinator's edits)."""
    existing = set((await session.execute(select(Topic.slug))).scalars())
    added = 0
    for position, topic in enumerate(catalogue):
        if topic.slug not in existing:
            session.add(
                Topic(slug=topic.slug, name=topic.name, keywords=list(topic.keywords), position=position)
            )
            added += 1
    await session.flush()
    return added


async def list_topics(session: AsyncSession, *, include_inactive: bool = False) -> Sequence[Topic]:
    query = select(Topic).order_by(Topic.position, Topic.id)
    if not include_inactive:
        query = query.where(Topic.active.is_(True))
    return (await session.execute(query)).scalars().all()


async def topics_by_slug(session: AsyncSession, slugs: Iterable[str]) -> list[Topic]:
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    found = {
        t.slug: t for t in (await session.execute(select(Topic).where(Topic.slug.in_(wanted)))).scalars()
    }
    return [found[s] for s in wanted if s in found]
