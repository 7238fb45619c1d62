"""Notices to the coordinators about registrations and join requests, grouped: one message per
coordinator per few minutes lists the new ones (at most ``BATCH_ITEMS`` each, with their buttons).

A new request joins the coordinator's notice of the current window while it waits to be sent
(``not_before`` is the end of the window); one person has one line in it, however often they
asked. The payload keeps the items, so the text can be composed again here (a person who deletes
their data is taken out of a notice not yet sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, OutboxStatus
from storage.outbox import enqueue

BATCH_WINDOW = timedelta(minutes=3)
BATCH_ITEMS = 10
SUBJECT_PREFIX = "batch:"
CANCELLED_EMPTY = "ingen forespørsler igjen i varselet"


def window(now: datetime) -> tuple[str, datetime]:
    """The subject of the window ``now`` falls in, and when the window ends (its notice goes out)."""
    seconds = int(BATCH_WINDOW.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    begins = datetime.fromtimestamp(start, tz=UTC)
    return f"{SUBJECT_PREFIX}{begins:%Y%m%dT%H%M}", begins + BATCH_WINDOW


def compose(items: list[dict[str, Any]], header: str) -> dict[str, Any]:
    """The payload for these items: one alone reads as its own notice with its own buttons;
    several are a numbered list under ``header`` (``{count}``) with every item's buttons."""
    if len(items) == 1:
        only = items[0]
        payload: dict[str, Any] = {"text": only["notice"], "items": items, "header": header}
        if only.get("rows"):
            payload["reply_markup"] = {"inline_keyboard": only["rows"]}
        return payload
    lines = [header.format(count=len(items)), ""]
    lines += [f"{index}. {item['line']}" for index, item in enumerate(items, start=1)]
    rows = [row for item in items for row in item.get("rows") or []]
    payload = {"text": "\n".join(lines), "items": items, "header": header}
    if rows:
        payload["reply_markup"] = {"inline_keyboard": rows}
    return payload


async def _window_rows(session: AsyncSession, chat_id: int, kind: str, subject: str) -> list[Outbox]:
    """The coordinator's notices of this window, whatever their state (a cancelled one still holds
    its subject)."""
    query = (
        select(Outbox)
        .where(
            Outbox.chat_id == chat_id,
            Outbox.kind == kind,
            Outbox.subject.startswith(subject, autoescape=True),
        )
        .order_by(Outbox.id)
        .with_for_update()
    )
    return list((await session.execute(query)).scalars())


async def add_to_batch(
    session: AsyncSession,
    chat_ids: Iterable[int],
    *,
    kind: str,
    item: dict[str, Any],
    header: str,
    now: datetime,
) -> int:
    """Put ``item`` (``key``, ``about`` (a Telegram id), ``line``, ``notice``, ``rows``) in each
    coordinator's notice of the current window; returns how many notices were made or changed."""
    subject, ends = window(now)
    changed = 0
    for chat_id in sorted(set(chat_ids)):
        existing = await _window_rows(session, chat_id, kind, subject)
        rows = [r for r in existing if r.status == OutboxStatus.PENDING]
        target: Outbox | None = None
        for row in rows:
            items = [i for i in row.payload.get("items") or [] if i.get("key") != item["key"]]
            if len(items) != len(row.payload.get("items") or []):  # the same person again: replace
                row.payload = compose([*items, item], header)
                target = row
                break
        if target is None:
            for row in rows:
                items = list(row.payload.get("items") or [])
                if len(items) < BATCH_ITEMS:
                    row.payload = compose([*items, item], header)
                    target = row
                    break
        if target is None:
            suffix = f"/{len(existing) + 1}" if existing else ""
            if await enqueue(
                session,
                chat_id=chat_id,
                kind=kind,
                subject=subject + suffix,
                payload=compose([item], header),
                not_before=ends,
            ):
                changed += 1
            continue
        changed += 1
    await session.flush()
    return changed


def names(payload: dict[str, Any], telegram_id: int) -> bool:
    """Whether a notice's payload is about this person."""
    return any(i.get("about") == telegram_id for i in payload.get("items") or [])


def without(payload: dict[str, Any], telegram_id: int) -> dict[str, Any] | None:
    """The payload without this person's item (None when nothing is left)."""
    items = [i for i in payload.get("items") or [] if i.get("about") != telegram_id]
    return compose(items, str(payload.get("header") or "{count}")) if items else None


async def _batches(session: AsyncSession, kinds: Iterable[str], *, pending_only: bool) -> list[Outbox]:
    query = select(Outbox).where(
        Outbox.kind.in_(list(kinds)), Outbox.subject.startswith(SUBJECT_PREFIX, autoescape=True)
    )
    if pending_only:
        query = query.where(Outbox.status == OutboxStatus.PENDING)
    return list((await session.execute(query)).scalars())


async def drop_item(session: AsyncSession, kind: str, key: str) -> int:
    """A request was decided: take it out of the notices not sent yet (a notice left empty is
    cancelled). Returns how many notices changed."""
    changed = 0
    for row in await _batches(session, [kind], pending_only=True):
        items = [i for i in row.payload.get("items") or [] if i.get("key") != key]
        if len(items) == len(row.payload.get("items") or []):
            continue
        changed += 1
        if items:
            row.payload = compose(items, str(row.payload.get("header") or "{count}"))
        else:
            row.status, row.last_error = OutboxStatus.CANCELLED, CANCELLED_EMPTY
    await session.flush()
    return changed


async def forget_person(session: AsyncSession, kinds: Iterable[str], telegram_id: int) -> int:
    """Nothing about the person is left in any grouped notice: they are taken out of notices not
    sent yet, and notices that named them and were sent (or held only them) are deleted."""
    removed = 0
    for row in await _batches(session, kinds, pending_only=False):
        if not names(row.payload, telegram_id):
            continue
        rest = without(row.payload, telegram_id) if row.status == OutboxStatus.PENDING else None
        if rest is None:
            await session.delete(row)
        else:
            row.payload = rest
        removed += 1
    await session.flush()
    return removed


async def about_person(session: AsyncSession, kinds: Iterable[str], telegram_id: int) -> list[dict[str, Any]]:
    """What the coordinators were told about one person in grouped notices: their own line only."""
    found = []
    for row in await _batches(session, kinds, pending_only=False):
        for item in row.payload.get("items") or []:
            if item.get("about") == telegram_id:
                found.append(
                    {
                        "kind": row.kind,
                        "status": row.status,
                        "queued_at": row.created_at,
                        "sent_at": row.sent_at,
                        "text": item.get("line"),
                    }
                )
    return found
