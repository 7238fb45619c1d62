"""``foui-bot poll``: every source once (as the job does), or one ``--url --kind``; ``--dry-run``
saves nothing."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot import texts
from bot.config import Settings
from bot.poll.poll import make_fetcher, poll_due, poll_source, topic_text
from bot.poll.seed import load_source_defs
from bot.services import Services
from bot.texts.format import format_datetime
from feeds.adapters import KINDS, UnknownKindError, adapter_for
from feeds.catalogue import DEFAULT_TOPICS
from feeds.fetch import FetchError, fetch_source
from feeds.items import FeedItem, ParseError
from feeds.sources import SourceDef, SourcesFileError
from feeds.topics import TopicMatcher
from storage import sources as source_store
from storage.calls import IngestResult
from storage.models import Call

log = logging.getLogger(__name__)


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
                topics=", ".join(matcher.match(topic_text(item))) or texts.POLL_NO_TOPICS,
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
    print(texts.POLL_HEADER_DRY.format(count=texts.sources_count(len(defs))), file=out)
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


async def _poll_and_print(
    settings: Settings,
    url: str | None,
    kind: str | None,
    out: Any,
    make_services: Callable[[Settings], Services],
    prepare_database: Callable[[Services], Awaitable[None]],
    after: Callable[[Services], Awaitable[Any]] | None = None,
) -> int:
    services = make_services(settings)
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
            print(texts.POLL_HEADER.format(count=texts.sources_count(count)), file=out)
            outcomes = await poll_due(services, everything=True)
        if after is not None:  # the root's work after a poll (the push wing's fan-out job)
            await after(services)
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


def cli_poll(
    settings: Settings,
    *,
    url: str | None,
    kind: str | None,
    dry_run: bool,
    make_services: Callable[[Settings], Services],
    prepare_database: Callable[[Services], Awaitable[None]],
    out: Any = None,
    after: Callable[[Services], Awaitable[Any]] | None = None,
) -> int:
    """``foui-bot poll``: every source once (as the job does), or ``--url --kind`` alone; ``--dry-run`` saves nothing.
    ``after``: run once the polls committed (the root passes the fan-out job, so the new calls'
    notices are queued before the command ends; a running bot's sender delivers them)."""
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
    return asyncio.run(_poll_and_print(settings, url, kind, out, make_services, prepare_database, after))
