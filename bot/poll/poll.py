"""One poll of one source, and of every source that is due.

Read what storage knows (validators, the fingerprints of its calls), fetch and parse with
``feeds`` (no database session is open during network I/O), then in ONE transaction ingest the
items, run the services' ingest hooks (``Services.ingest_hooks``, wired by the composition root:
notifications go into the outbox atomically with the new calls) and record the source's health.
Any failure is recorded on the source's health with its reason and logged; it never stops the
other sources or the bot. Each source has a time budget per poll (``FOUI_POLL_BUDGET_SECONDS``,
listing and call pages together); one that runs over is recorded as failing and the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import Settings
from bot.locks import source_lease
from bot.poll.drift import observe_empty, observe_items
from bot.services import Services
from feeds.adapters import UnknownKindError
from feeds.catalogue import DEFAULT_TOPICS
from feeds.deadlines import OSLO, Deadline
from feeds.fetch import Fetcher, FetchError, SourceFetch, fetch_source
from feeds.items import FeedItem, ParseError
from feeds.topics import TopicMatcher
from storage import calls as call_store
from storage import sources as source_store
from storage.calls import CallData, IngestResult
from storage.models import Source
from storage.topics import list_topics

log = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    """What polling one source did."""

    source_id: int
    name: str
    ok: bool = False
    not_modified: bool = False
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    found: int = 0
    result: IngestResult | None = None
    items: list[FeedItem] = field(default_factory=list)


def make_fetcher(settings: Settings, **overrides: Any) -> Fetcher:
    """A Fetcher configured from the settings (timeouts, size cap, User-Agent, per-host limit)."""
    kwargs: dict[str, Any] = {
        "user_agent": settings.http_user_agent,
        "timeout": settings.http_timeout_seconds,
        "max_bytes": settings.http_max_bytes,
        "per_host": settings.http_per_host_concurrency,
        "allow_private": settings.sources_allow_private_urls,
    }
    kwargs.update(overrides)
    return Fetcher(**kwargs)


def topic_text(item: FeedItem) -> str:
    return "\n".join(p for p in (item.title, item.summary, item.topic_text) if p)


def to_call_data(item: FeedItem, matcher: TopicMatcher) -> CallData:
    """A feed item as storage's input: deadline in UTC, topics from its text."""
    deadline: Deadline | None = item.deadline
    at = deadline.at.astimezone(UTC) if deadline is not None and deadline.at is not None else None
    return CallData(
        key=item.key,
        title=item.title,
        url=item.url,
        summary=item.summary,
        published_at=item.published.astimezone(UTC) if item.published else None,
        deadline_at=at,
        deadline_has_time=bool(deadline and deadline.has_time),
        rolling=bool(deadline and deadline.rolling),
        status=item.status,
        topics=matcher.match(topic_text(item)),
        content_hash=item.fingerprint,
        deadline_certain=bool(deadline and deadline.certain),
        deadline_evidence=deadline.evidence if deadline is not None else "",
        deadline_label=item.deadline_label,
        facts=dict(item.facts) or None,
    )


async def _matcher(session: AsyncSession) -> TopicMatcher:
    topics = await list_topics(session)
    if not topics:
        return TopicMatcher([(t.slug, t.keywords) for t in DEFAULT_TOPICS])
    return TopicMatcher([(t.slug, list(t.keywords or [])) for t in topics])


async def _record_failure(services: Services, source_id: int, reason: str, retry_after: float | None) -> None:
    async with services.session() as session:
        source = await session.get(Source, source_id)
        if source is not None:
            await source_store.record_failure(
                session, source, now=services.now(), reason=reason, retry_after=retry_after
            )


async def poll_source(services: Services, source_id: int, *, fetcher: Fetcher | None = None) -> PollOutcome:
    """Poll one source once, exactly as the scheduled job does; never raises for a broken source."""
    own = fetcher is None
    fetcher = fetcher or make_fetcher(services.settings)
    try:
        return await _poll(services, source_id, fetcher)
    finally:
        if own:
            await fetcher.aclose()


def full_refresh_due(url: str, interval_minutes: float, last_success: datetime | None, now: datetime) -> bool:
    """Once a day a source is read whole: no conditional GET, and every item's own page again.

    A call page can change (a moved deadline) while its card in the listing, and so the listing's
    ETag, stay the same. Each source gets its own hour of the day (spread by its URL), and the first
    successful poll in that hour's window reads everything; later polls in the window do not.
    """
    hours = max(1, math.ceil(interval_minutes / 60))
    slot = zlib.crc32(url.encode()) % 24
    local = now.astimezone(OSLO)
    if (local.hour - slot) % 24 >= hours:
        return False
    window_start = (local - timedelta(hours=(local.hour - slot) % 24)).replace(
        minute=0, second=0, microsecond=0
    )
    return last_success is None or last_success < window_start


async def _poll(services: Services, source_id: int, fetcher: Fetcher) -> PollOutcome:
    now = services.now()
    async with services.session() as session:
        source = await session.get(Source, source_id)
        if source is None:
            return PollOutcome(source_id, "?", reason="ukjent kilde")
        name, kind, url = source.name, source.kind, source.url
        etag, last_modified = source.etag, source.last_modified
        known = await call_store.fingerprints(session, source_id)
        if full_refresh_due(url, source.interval_minutes, source.last_success_at, now):
            log.info("source %s: daily full refresh (every page read again)", name)
            etag = last_modified = None
            known = {}
    outcome = PollOutcome(source_id, name)
    budget = services.settings.poll_budget_seconds
    try:
        async with asyncio.timeout(budget):
            fetched = await fetch_source(
                fetcher, kind, url, now=now, etag=etag, last_modified=last_modified, known=known
            )
    except TimeoutError:
        log.warning("source %s (%s): not done within its budget of %g s; stopped", name, url, budget)
        outcome.reason = texts.SOURCE_REASON_BUDGET.format(seconds=f"{budget:g}")
        await _record_failure(services, source_id, outcome.reason, None)
        return outcome
    except (FetchError, ParseError, UnknownKindError) as exc:
        reason = texts.fetch_reason(exc)
        retry_after = getattr(exc, "retry_after", None)
        log.warning("source %s (%s) failed: %s", name, url, getattr(exc, "reason", None) or exc)
        outcome.reason = reason
        await _record_failure(services, source_id, reason, retry_after)
        if isinstance(exc, ParseError):
            await observe_empty(services, source_id, reason)  # bot.poll.drift: a listing that yields nothing
        return outcome
    except Exception:
        log.exception("source %s (%s): unexpected error while fetching", name, url)
        outcome.reason = texts.SOURCE_REASON_CRASHED
        await _record_failure(services, source_id, outcome.reason, None)
        return outcome
    try:
        await _store(services, source_id, fetched, outcome)
    except Exception:
        log.exception("source %s (%s): could not store what was fetched", name, url)
        outcome.ok = False
        outcome.result = None
        outcome.reason = texts.SOURCE_REASON_SAVE_FAILED
        await _record_failure(services, source_id, outcome.reason, None)
    return outcome


async def poll_guarded(
    services: Services, source_id: int, fetcher: Fetcher, *, due_only: bool = True
) -> PollOutcome | None:
    """``_poll`` for a worker: whatever happens is logged and returned, never raised. Under the
    source's lease, so no other process polls it meanwhile; None when another one has it (or, with
    ``due_only``, has just polled it)."""
    async with source_lease(services, source_id, due_only=due_only) as mine:
        if not mine:
            services.counters["polls_skipped"] += 1
            return None
        started = time.monotonic()
        try:
            outcome = await _poll(services, source_id, fetcher)
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken source never stops the others
            log.exception("polling source %s failed", source_id)
            outcome = PollOutcome(source_id, "?", reason=texts.SOURCE_REASON_CRASHED)
        services.counters["poll_ms"] += round((time.monotonic() - started) * 1000)
        services.counters["polls_ok" if outcome.ok else "polls_failed"] += 1
        return outcome


async def _store(services: Services, source_id: int, fetched: SourceFetch, outcome: PollOutcome) -> None:
    now = services.now()
    async with services.session() as session:
        source = await session.get(Source, source_id)
        if source is None:
            return
        outcome.warnings = list(fetched.warnings)
        if fetched.not_modified:
            await source_store.record_success(
                session, source, now=now, etag=fetched.etag, last_modified=fetched.last_modified
            )
            outcome.ok = outcome.not_modified = True
            return
        matcher = await _matcher(session)
        fresh = [i for i in fetched.items if not i.unchanged]
        outcome.items = fresh
        outcome.found = len(fetched.items)
        result = await call_store.ingest(session, source, [to_call_data(i, matcher) for i in fresh], now=now)
        for hook in services.ingest_hooks:
            await hook(session, result, services)
        await source_store.record_success(
            session,
            source,
            now=now,
            items_found=len(fetched.items),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            warnings=fetched.warnings,
        )
        await observe_items(session, services, source, fetched.items)  # bot.poll.drift
        outcome.ok = True
        outcome.result = result
    if fetched.warnings:
        log.info("source %s: %d warnings: %s", outcome.name, len(fetched.warnings), fetched.warnings[:3])


async def poll_due(
    services: Services, *, fetcher: Fetcher | None = None, everything: bool = False
) -> list[PollOutcome]:
    """Poll every enabled source that is due (``everything``: every enabled source),
    ``FOUI_POLL_WORKERS`` at a time; returns when all are done (the command line's way; the
    scheduled job uses ``bot.poll.workers.Poller``, which never waits for a slow source)."""
    async with services.session() as session:
        if everything:
            rows = await source_store.list_sources(session, include_disabled=False)
        else:
            rows = await source_store.due_sources(session, now=services.now())
        ids = [s.id for s in rows]
    if not ids:
        return []
    own = fetcher is None
    fetcher = fetcher or make_fetcher(services.settings)
    gate = asyncio.Semaphore(services.settings.poll_workers)

    async def one(source_id: int) -> PollOutcome | None:
        async with gate:
            return await poll_guarded(services, source_id, fetcher, due_only=not everything)

    try:
        return [o for o in await asyncio.gather(*(one(i) for i in ids)) if o is not None]
    finally:
        if own:
            await fetcher.aclose()
