"""Polling sources: the scheduled job, seeding sources, and ``foui-bot poll``.

One poll of one source: read what storage knows (validators, the fingerprints of its calls), fetch
and parse with ``feeds`` (no database session is open during network I/O), then in ONE transaction
ingest the items, run every ``ON_INGEST`` hook (notifications go into the outbox atomically with
the new calls) and record the source's health. Any failure is recorded on the source's health
with its reason and logged; it never stops the other sources or the bot.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, ContextTypes

from bot import texts
from bot.config import Settings
from bot.services import Services
from bot.texts.format import format_datetime
from feeds.adapters import KINDS, UnknownKindError, adapter_for
from feeds.catalogue import DEFAULT_TOPICS
from feeds.deadlines import OSLO, Deadline
from feeds.fetch import Fetcher, FetchError, SourceFetch, fetch_source
from feeds.items import FeedItem, ParseError
from feeds.sources import DEFAULT_SOURCES, SourceDef, SourcesFileError, parse_sources_toml
from feeds.topics import TopicMatcher
from storage import calls as call_store
from storage import sources as source_store
from storage.calls import CallData, IngestResult
from storage.models import Call, Source
from storage.topics import list_topics

log = logging.getLogger(__name__)

IngestHook = Callable[[AsyncSession, IngestResult, Services], Awaitable[None]]
# Run inside the poll's transaction, right after ingest and before commit (notifications).
ON_INGEST: list[IngestHook] = []

JOB_NAME = "poll-sources"
# The job runs again when the next source is due, but looks at least every TICK_SECONDS (sources
# added or changed meanwhile) and at most every MIN_TICK_SECONDS (a source whose poll broke before
# its next time was recorded cannot make it spin). Each source keeps its own interval.
TICK_SECONDS = 20.0
MIN_TICK_SECONDS = 1.0
FIRST_POLL_SECONDS = 5.0  # after a start, let the bot settle before the first fetches
PARALLEL_SOURCES = 4

__all__ = [
    "ON_INGEST",
    "PollOutcome",
    "cli_poll",
    "make_fetcher",
    "next_tick",
    "poll_due",
    "poll_job",
    "poll_source",
    "seed_sources",
    "start_polling",
    "tick_after",
    "to_call_data",
]


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
    }
    kwargs.update(overrides)
    return Fetcher(**kwargs)


def _topic_text(item: FeedItem) -> str:
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
        topics=matcher.match(_topic_text(item)),
        content_hash=item.fingerprint,
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
    try:
        fetched = await fetch_source(
            fetcher, kind, url, now=now, etag=etag, last_modified=last_modified, known=known
        )
    except (FetchError, ParseError, UnknownKindError) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        retry_after = getattr(exc, "retry_after", None)
        log.warning("source %s (%s) failed: %s", name, url, reason)
        outcome.reason = reason
        await _record_failure(services, source_id, reason, retry_after)
        return outcome
    except Exception as exc:
        log.exception("source %s (%s): unexpected error while fetching", name, url)
        outcome.reason = texts.SOURCE_REASON_UNEXPECTED.format(error=f"{type(exc).__name__}: {exc}")[:500]
        await _record_failure(services, source_id, outcome.reason, None)
        return outcome
    try:
        await _store(services, source_id, fetched, outcome)
    except Exception as exc:
        log.exception("source %s (%s): could not store what was fetched", name, url)
        outcome.ok = False
        outcome.result = None
        outcome.reason = texts.SOURCE_REASON_STORAGE.format(error=f"{type(exc).__name__}: {exc}")[:500]
        await _record_failure(services, source_id, outcome.reason, None)
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
        for hook in ON_INGEST:
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
        outcome.ok = True
        outcome.result = result
    if fetched.warnings:
        log.info("source %s: %d warnings: %s", outcome.name, len(fetched.warnings), fetched.warnings[:3])


async def poll_due(
    services: Services, *, fetcher: Fetcher | None = None, everything: bool = False
) -> list[PollOutcome]:
    """Poll every enabled source that is due (``everything``: every enabled source), a few at a time."""
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
    gate = asyncio.Semaphore(PARALLEL_SOURCES)

    async def one(source_id: int) -> PollOutcome:
        async with gate:
            try:
                return await _poll(services, source_id, fetcher)
            except Exception as exc:  # a broken source never stops the others
                log.exception("polling source %s failed", source_id)
                return PollOutcome(source_id, "?", reason=f"{type(exc).__name__}: {exc}")

    try:
        return list(await asyncio.gather(*(one(i) for i in ids)))
    finally:
        if own:
            await fetcher.aclose()


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The scheduled job: poll the sources that are due, then plan the next run."""
    from bot.services import get_services

    app = context.application
    services = get_services(app)
    try:
        outcomes = await poll_due(services)
        for o in outcomes:
            if o.result is not None and (o.result.new or o.result.deadline_changed or o.result.closed):
                log.info(
                    "source %s: %d new, %d deadline changes, %d closed",
                    o.name,
                    len(o.result.new),
                    len(o.result.deadline_changed),
                    len(o.result.closed),
                )
    finally:
        if app.running and app.job_queue is not None:
            _schedule(app, await next_tick(services))


def tick_after(now: datetime, next_due: datetime | None) -> float:
    """Seconds until the job looks again: when the next source is due, within the bounds."""
    if next_due is None:
        return TICK_SECONDS
    return min(TICK_SECONDS, max(MIN_TICK_SECONDS, (next_due - now).total_seconds()))


async def next_tick(services: Services) -> float:
    """Seconds until the next source is due (never polled: at once), within the bounds."""
    try:
        async with services.session() as session:
            sources = await source_store.list_sources(session, include_disabled=False)
    except Exception:
        log.exception("could not read when the sources are due; looking again in %s s", TICK_SECONDS)
        return TICK_SECONDS
    now = services.now()
    due = [s.next_poll_at or now for s in sources]
    return tick_after(now, min(due) if due else None)


def _schedule(app: Application[Any, Any, Any, Any, Any, Any], seconds: float) -> None:
    assert app.job_queue is not None
    app.job_queue.run_once(poll_job, when=seconds, name=JOB_NAME, job_kwargs={"misfire_grace_time": None})


async def start_polling(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A STARTER: poll each source at its own interval; one chain of jobs, each planning the next."""
    if app.job_queue is None:
        log.warning("no JobQueue: sources are not polled (install python-telegram-bot[job-queue])")
        return
    from bot.services import get_services

    _schedule(app, max(FIRST_POLL_SECONDS, await next_tick(get_services(app))))


def load_source_defs(settings: Settings) -> tuple[list[SourceDef], bool]:
    """The sources to seed and whether they replace the others (a sources file does)."""
    path = settings.sources_file
    if path is None or str(path) == "":
        return list(DEFAULT_SOURCES), False
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError([texts.SOURCES_FILE_MISSING.format(path=path) + f" ({exc})"]) from None
    return parse_sources_toml(text), True


async def seed_sources(services: Services) -> None:
    """A SEEDER: the default sources once, or FOUI_SOURCES_FILE's, which replace the others."""
    try:
        defs, replace = load_source_defs(services.settings)
    except SourcesFileError as err:
        log.error(
            "%s\n%s",
            texts.SOURCES_FILE_INVALID.format(path=services.settings.sources_file),
            "\n".join(f"  {line}" for line in err.lines),
        )
        return
    async with services.session() as session:
        report = await source_store.seed_sources(
            session, defs, replace=replace, default_interval=services.settings.default_poll_minutes
        )
    if report.added or report.updated or report.disabled:
        log.info("sources: added %s, updated %s, disabled %s", report.added, report.updated, report.disabled)


# ------------------------------------------------------------------------------------------------
# foui-bot poll
# ------------------------------------------------------------------------------------------------


def _deadline_text(at: datetime | None, has_time: bool, rolling: bool) -> str:
    if rolling:
        return texts.POLL_DEADLINE_ROLLING
    if at is None:
        return texts.POLL_DEADLINE_NONE
    return format_datetime(at, has_time=has_time)


def _item_lines(items: Sequence[FeedItem], matcher: TopicMatcher) -> list[str]:
    lines = []
    for item in items:
        d = item.deadline
        lines.append(
            texts.POLL_CALL.format(
                marker=texts.POLL_MARK_FOUND,
                title=item.title,
                deadline=_deadline_text(d.at if d else None, bool(d and d.has_time), bool(d and d.rolling)),
                topics=", ".join(matcher.match(_topic_text(item))) or texts.POLL_NO_TOPICS,
                url=item.url or "",
            )
        )
    return lines


async def _call_lines(services: Services, result: IngestResult) -> list[str]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    marks: dict[int, str] = {}
    for cid in result.new:
        marks[cid] = texts.POLL_MARK_NEW
    for cid in result.new_closed:
        marks[cid] = texts.POLL_MARK_NEW_CLOSED
    for cid in result.changed:
        marks.setdefault(cid, texts.POLL_MARK_CHANGED)
    for change in result.deadline_changed:
        old = (
            _deadline_text(change.old_at, True, change.old_rolling)
            if change.old_at or change.old_rolling
            else "-"
        )
        marks[change.call_id] = texts.POLL_MARK_DEADLINE.format(old=old)
    for cid in result.closed:
        marks[cid] = texts.POLL_MARK_CLOSED
    if not marks:
        return []
    async with services.session() as session:
        rows = (
            await session.execute(
                select(Call).where(Call.id.in_(list(marks))).options(selectinload(Call.topics))
            )
        ).scalars()
        by_id = {c.id: c for c in rows}
    lines = []
    for cid, mark in marks.items():
        call = by_id.get(cid)
        if call is None:
            continue
        lines.append(
            texts.POLL_CALL.format(
                marker=mark,
                title=call.title,
                deadline=_deadline_text(call.deadline_at, call.deadline_has_time, call.rolling),
                topics=", ".join(t.slug for t in call.topics) or texts.POLL_NO_TOPICS,
                url=call.url or "",
            )
        )
    return lines


async def _dry_run(settings: Settings, defs: Sequence[SourceDef], out: Any) -> int:
    matcher = TopicMatcher([(t.slug, t.keywords) for t in DEFAULT_TOPICS])
    now = datetime.now(UTC)
    failures = 0
    print(texts.POLL_HEADER_DRY.format(count=len(defs)), file=out)
    async with make_fetcher(settings) as fetcher:
        for d in defs:
            try:
                fetched = await fetch_source(fetcher, d.kind, d.url, now=now)
            except (FetchError, ParseError, UnknownKindError) as exc:
                failures += 1
                print(
                    texts.POLL_SOURCE_FAILED.format(name=d.name, reason=getattr(exc, "reason", exc)), file=out
                )
                continue
            print(texts.POLL_SOURCE_DRY.format(name=d.name, found=len(fetched.items)), file=out)
            for w in fetched.warnings:
                print(texts.POLL_SOURCE_WARNING.format(warning=w), file=out)
            for line in _item_lines(fetched.items, matcher):
                print(line, file=out)
    return 1 if failures else 0


async def _poll_and_print(settings: Settings, url: str | None, kind: str | None, out: Any) -> int:
    from bot.app import prepare_database

    services = Services.create(settings)
    try:
        await prepare_database(services)
        if url is not None and kind is not None:
            async with services.session() as session:
                source = await source_store.get_by_url(session, url)
                if source is None:
                    await source_store.seed_sources(
                        session, [SourceDef(url, kind, url)], replace=False,
                        default_interval=settings.default_poll_minutes,
                    )  # fmt: skip
                    source = await source_store.get_by_url(session, url)
                assert source is not None
                ids = [source.id]
            outcomes = [await poll_source(services, ids[0])]
        else:
            async with services.session() as session:
                count = len(await source_store.list_sources(session, include_disabled=False))
            if count == 0:
                print(texts.POLL_NO_SOURCES, file=out)
                return 1
            print(texts.POLL_HEADER.format(count=count), file=out)
            outcomes = await poll_due(services, everything=True)
        new = changed = ok = 0
        for o in outcomes:
            if not o.ok:
                print(texts.POLL_SOURCE_FAILED.format(name=o.name, reason=o.reason), file=out)
                continue
            ok += 1
            if o.not_modified or o.result is None:
                print(texts.POLL_SOURCE_NOT_MODIFIED.format(name=o.name), file=out)
                continue
            r = o.result
            new += len(r.new) + len(r.new_closed)
            changed += len(r.changed)
            print(
                texts.POLL_SOURCE_OK.format(
                    name=o.name,
                    found=o.found,
                    new=len(r.new) + len(r.new_closed),
                    changed=len(r.changed),
                    closed=len(r.closed),
                ),
                file=out,
            )
            for w in o.warnings:
                print(texts.POLL_SOURCE_WARNING.format(warning=w), file=out)
            for line in await _call_lines(services, r):
                print(line, file=out)
        print(texts.POLL_SUMMARY.format(ok=ok, total=len(outcomes), new=new, changed=changed), file=out)
        return 0 if ok == len(outcomes) else 1
    finally:
        await services.engine.dispose()


def cli_poll(settings: Settings, *, url: str | None, kind: str | None, dry_run: bool, out: Any = None) -> int:
    """``foui-bot poll``: every source once (as the job does), or ``--url --kind`` alone; ``--dry-run`` saves nothing."""
    out = out or sys.stdout
    kinds = ", ".join(KINDS)
    if url is None and kind is not None:
        print(texts.POLL_NEED_URL, file=sys.stderr)
        return 2
    if url is not None:
        if kind is None:
            print(texts.POLL_NEED_KIND.format(kinds=kinds), file=sys.stderr)
            return 2
        try:
            kind = adapter_for(kind).kind
        except UnknownKindError:
            print(texts.POLL_UNKNOWN_KIND.format(kind=kind, kinds=kinds), file=sys.stderr)
            return 2
    if dry_run:
        if url is not None and kind is not None:
            defs = [SourceDef(url, kind, url)]
        else:
            try:
                defs, _ = load_source_defs(settings)
            except SourcesFileError as err:
                print(texts.SOURCES_FILE_INVALID.format(path=settings.sources_file), file=sys.stderr)
                for line in err.lines:
                    print(f"  {line}", file=sys.stderr)
                return 2
        return asyncio.run(_dry_run(settings, defs, out))
    return asyncio.run(_poll_and_print(settings, url, kind, out))
