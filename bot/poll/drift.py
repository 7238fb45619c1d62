"""Drift alarms: a source that used to yield calls suddenly yields none, or none of its calls has a
deadline, or its calls lose a field they always had. The coordinators get ONE message (which
source, what changed, what to check), queued in the poll's own transaction; /kilder shows the alarm
until the source looks normal again or a coordinator acknowledges it. The rules are
``storage.rules.drift``; ``storage.drift`` keeps each source's baseline.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services import Services
from feeds.items import FeedItem
from storage import drift as drift_store
from storage import events
from storage.models import Source
from storage.outbox import enqueue
from storage.rules.drift import EMPTY, NO_DEADLINES, Yield, yield_of

log = logging.getLogger(__name__)

KIND = "source_drift"
# Kinds that keep only the funding items of a news list: a poll that keeps none is ordinary news.
FILTERED_KINDS = frozenset({"rss_tilskudd", "statsforvalteren"})

__all__ = ["KIND", "describe", "item_yield", "observe_empty", "observe_items"]


def _fields(item: FeedItem) -> set[str]:
    present = {
        "status": item.status is not None,
        "summary": bool(item.summary),
        "published": item.published is not None,
        "url": bool(item.url),
        "facts": bool(item.facts),
    }
    return {name for name, has in present.items() if has}


def item_yield(items: Sequence[FeedItem]) -> Yield:
    """A poll's yield: every call counts; only those read afresh say anything about deadlines and
    fields (an unchanged card of a two-step source was not read again)."""
    fresh = [(i.deadline is not None, _fields(i)) for i in items if not i.unchanged]
    return yield_of(len(items), fresh)


def describe(
    observed: drift_store.Observed, source: Source, now_yield: Yield, reason: str = ""
) -> tuple[str, str]:
    """(what changed, what to check), as plain text."""
    assert observed.drift is not None
    base = observed.baseline
    tool = texts.DRIFT_CHECK_TOOL.format(url=source.url, kind=source.kind)
    if observed.drift.kind == EMPTY:
        template = texts.DRIFT_EMPTY_REASON if reason else texts.DRIFT_EMPTY
        what = template.format(before=base.found, reason=reason)
        return what, texts.DRIFT_CHECK_EMPTY.format(url=source.url) + " " + tool
    if observed.drift.kind == NO_DEADLINES:
        what = texts.DRIFT_NO_DEADLINES.format(fresh=now_yield.fresh, dated=base.dated, before=base.fresh)
        return what, texts.DRIFT_CHECK_DEADLINES + " " + tool
    fields = ", ".join(texts.DRIFT_FIELDS.get(f, f) for f in observed.drift.missing)
    return texts.DRIFT_SHAPE.format(fields=fields), texts.DRIFT_CHECK_SHAPE + " " + tool


async def _observe(
    session: AsyncSession, services: Services, source: Source, now_yield: Yield, reason: str = ""
) -> drift_store.Observed:
    now = services.now()
    observed = await drift_store.observe(session, source.id, now_yield, now=now)
    if observed.fixed:
        log.info("source %s (%s): drift alarm ended; it looks normal again", source.id, source.name)
    if not observed.raised:
        return observed
    what, check = describe(observed, source, now_yield, reason)
    observed.row.alarm_text = what
    log.warning("source %s (%s) drifted: %s", source.id, source.name, what)
    text = texts.DRIFT_NOTICE.format(
        name=html.escape(source.name), what=html.escape(what), check=html.escape(check)
    )
    assert observed.row.alarm_at is not None
    subject = f"drift:{source.id}:{observed.row.alarm}:{observed.row.alarm_at.isoformat()}"
    for uid in services.settings.coordinator_ids:
        chat = await events.person_chat(session, uid, name="", username=None, now=now, private=True)
        await enqueue(
            session, chat_id=chat.id, kind=KIND, subject=subject, payload={"text": text}, not_before=now
        )
    await session.flush()
    return observed


async def observe_items(
    session: AsyncSession, services: Services, source: Source, items: Sequence[FeedItem]
) -> drift_store.Observed | None:
    """After a successful poll, in its transaction (a filtered news list that kept nothing is not judged)."""
    if not items and source.kind in FILTERED_KINDS:
        return None
    return await _observe(session, services, source, item_yield(items))


async def observe_empty(services: Services, source_id: int, reason: str) -> None:
    """A listing that yielded nothing readable (the adapter's ParseError): a yield of none."""
    async with services.session() as session:
        source = await session.get(Source, source_id)
        if source is not None:
            await _observe(session, services, source, Yield(0), reason)
