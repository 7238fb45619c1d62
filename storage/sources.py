"""Sources: seeding them, which are due, and their health (success, failure, backoff, validators)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Call, Source

log = logging.getLogger(__name__)

MAX_BACKOFF_MINUTES = 24 * 60.0
MIN_BACKOFF_MINUTES = 1.0
WARNING_PREFIX = "advarsel: "

__all__ = [
    "SeedReport",
    "SourceLike",
    "add_source",
    "backoff_minutes",
    "due_sources",
    "get_by_url",
    "get_source",
    "list_sources",
    "record_failure",
    "record_success",
    "remove_source",
    "seed_sources",
    "set_enabled",
]


class SourceLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def topics(self) -> Sequence[str]: ...
    @property
    def interval_minutes(self) -> float | None: ...


@dataclass
class SeedReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)


async def seed_sources(
    session: AsyncSession, specs: Iterable[SourceLike], *, replace: bool, default_interval: float = 60.0
) -> SeedReport:
    """Add the sources that are missing (by URL).

    ``replace`` (a sources file is configured): the file is the truth: listed sources are added or
    updated and enabled, and every other source is disabled (kept, with its calls and health).
    Otherwise (the built-in defaults) existing sources are left exactly as a coordinator left them.
    """
    report = SeedReport()
    existing = {s.url: s for s in (await session.execute(select(Source))).scalars()}
    listed: set[str] = set()
    for spec in specs:
        listed.add(spec.url)
        interval = spec.interval_minutes or default_interval
        source = existing.get(spec.url)
        if source is None:
            session.add(
                Source(
                    name=spec.name,
                    kind=spec.kind,
                    url=spec.url,
                    topics=list(spec.topics),
                    interval_minutes=interval,
                    enabled=True,
                    consecutive_failures=0,
                    items_found=0,
                )
            )
            report.added.append(spec.name)
        elif replace:
            before = (
                source.name,
                source.kind,
                list(source.topics or []),
                source.interval_minutes,
                source.enabled,
            )
            source.name, source.kind, source.topics = spec.name, spec.kind, list(spec.topics)
            source.interval_minutes, source.enabled = interval, True
            if before != (source.name, source.kind, list(source.topics), source.interval_minutes, True):
                report.updated.append(spec.name)
    if replace:
        for url, source in existing.items():
            if url not in listed and source.enabled:
                source.enabled = False
                report.disabled.append(source.name)
    await session.flush()
    return report


async def list_sources(session: AsyncSession, *, include_disabled: bool = True) -> Sequence[Source]:
    query = select(Source).order_by(Source.id)
    if not include_disabled:
        query = query.where(Source.enabled.is_(True))
    return (await session.execute(query)).scalars().all()


async def get_by_url(session: AsyncSession, url: str) -> Source | None:
    return (await session.execute(select(Source).where(Source.url == url))).scalar_one_or_none()


async def due_sources(session: AsyncSession, *, now: datetime) -> Sequence[Source]:
    """Enabled sources never polled or whose next poll is due, the most overdue first."""
    query = (
        select(Source)
        .where(Source.enabled.is_(True))
        .where(or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now))
        .order_by(Source.next_poll_at.is_(None).desc(), Source.next_poll_at, Source.id)
    )
    return (await session.execute(query)).scalars().all()


def backoff_minutes(interval: float, failures: int, *, cap: float = MAX_BACKOFF_MINUTES) -> float:
    """Minutes to the next try after ``failures`` failures in a row: the interval, doubled each time."""
    if failures <= 0:
        return interval
    return min(cap, interval * (2 ** min(failures, 20)))


async def record_success(
    session: AsyncSession,
    source: Source,
    *,
    now: datetime,
    items_found: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """A poll that worked (a 304 too): reset failures, keep the validators, plan the next poll.

    ``failing_reported_at`` is left alone: the source-health job reports the recovery and clears it.
    """
    source.last_polled_at = now
    source.last_success_at = now
    source.consecutive_failures = 0
    source.next_poll_at = now + timedelta(minutes=source.interval_minutes or 60.0)
    if etag is not None:
        source.etag = etag[:500]
    if last_modified is not None:
        source.last_modified = last_modified[:200]
    if items_found is not None:
        source.items_found = items_found
    if warnings:
        source.last_error = (WARNING_PREFIX + "; ".join(warnings))[:4000]
        source.last_error_at = now
    await session.flush()


async def record_failure(
    session: AsyncSession, source: Source, *, now: datetime, reason: str, retry_after: float | None = None
) -> None:
    """A poll that failed: the reason, one more failure in a row, and exponential backoff."""
    source.last_polled_at = now
    source.last_error = reason[:4000]
    source.last_error_at = now
    source.consecutive_failures = (source.consecutive_failures or 0) + 1
    wait = backoff_minutes(source.interval_minutes or 60.0, source.consecutive_failures)
    if retry_after is not None and math.isfinite(retry_after):
        wait = max(wait, retry_after / 60.0)
    elif retry_after is not None:  # an absurd Retry-After: wait as long as we ever do
        wait = MAX_BACKOFF_MINUTES
    # However the server or the interval put it: at least a minute, at most a day.
    wait = min(MAX_BACKOFF_MINUTES, max(MIN_BACKOFF_MINUTES, wait))
    source.next_poll_at = now + timedelta(minutes=wait)
    await session.flush()


# ---- a coordinator's changes (/kilder) -------------------------------------------------------------


async def get_source(session: AsyncSession, source_id: int) -> Source | None:
    return await session.get(Source, source_id)


async def add_source(
    session: AsyncSession,
    *,
    name: str,
    kind: str,
    url: str,
    topics: Sequence[str] = (),
    interval_minutes: float = 60.0,
) -> Source:
    """A new, enabled source, due at once. The caller checks first that the URL is not taken."""
    source = Source(
        name=name[:200],
        kind=kind,
        url=url,
        topics=list(topics),
        interval_minutes=interval_minutes,
        enabled=True,
        consecutive_failures=0,
        items_found=0,
    )
    session.add(source)
    await session.flush()
    return source


async def set_enabled(
    session: AsyncSession, source_id: int, enabled: bool, *, now: datetime
) -> Source | None:
    """Pause or resume a source; a resumed source is due at once. None if it is gone."""
    source = await session.get(Source, source_id)
    if source is None:
        return None
    source.enabled = enabled
    if enabled:
        source.next_poll_at = now
    await session.flush()
    return source


async def remove_source(session: AsyncSession, source_id: int) -> Source | None:
    """Delete a source; its calls stay (their source_id becomes NULL). None if it is gone."""
    source = await session.get(Source, source_id)
    if source is None:
        return None
    await session.execute(update(Call).where(Call.source_id == source_id).values(source_id=None))
    await session.delete(source)
    await session.flush()
    return source
