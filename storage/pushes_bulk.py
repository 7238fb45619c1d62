"""Pushes in bulk: id lists cut into chunks, chats read lean, and one statement per batch of rows.

A national network has tens of thousands of followers per topic. asyncpg refuses statements with
more than 32,767 parameters, so no query here carries an id list longer than ``CHUNK``; rows are
queued with ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per batch of chats that get the same
message (the payload is bound once per statement, not once per row), and between batches the
loop yields so the bot stays responsive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Integer, String, and_, exists, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chunks import chunked
from storage.following import calls_where, muted_pairs, recipients
from storage.models import Call, Chat, Outbox, OutboxKey, OutboxStatus
from storage.rules.audience import LIVE_STATUSES, told_at_once
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QUIET_HELD, quiet_end
from storage.rules.reminders import deadline_end
from storage.types import utcnow

BATCH = 2_000  # rows queued per statement
CHATS_PER_READ = 1_000


class ChatRow(NamedTuple):
    """What the push rules read of a chat, without the ORM object (fits ``ChatPrefs``)."""

    id: int
    notify_mode: str
    quiet_hours: str | None
    reminder_days: Sequence[Any] | None
    digest_hour: int | None
    active: bool


async def chat_rows(session: AsyncSession, ids: Iterable[int]) -> dict[int, ChatRow]:
    """These chats' push preferences, read ``CHATS_PER_READ`` at a time with a yield between (a
    list of 5,000 ids alone took tens of milliseconds to render into a statement)."""
    found: dict[int, ChatRow] = {}
    for part in chunked(ids, CHATS_PER_READ):
        if found:
            await asyncio.sleep(0)
        rows = await session.execute(
            select(
                Chat.id, Chat.notify_mode, Chat.quiet_hours, Chat.reminder_days, Chat.digest_hour, Chat.active
            ).where(Chat.id.in_(part))
        )
        for row in rows.tuples():
            found[row[0]] = ChatRow(*row)
    return found


def by_moment(
    chats: Iterable[ChatRow | Chat], now: datetime, policy: PushPolicy
) -> dict[tuple[datetime, str | None], list[int]]:
    """Chats grouped by when a message queued now may go to them (the end of their quiet hours),
    with the note that says it was held back: one ``enqueue_group`` per moment."""
    moments: dict[str | None, datetime] = {}
    groups: dict[tuple[datetime, str | None], list[int]] = {}
    for chat in chats:
        if chat.quiet_hours not in moments:
            moments[chat.quiet_hours] = quiet_end(now, policy.quiet_from(chat.quiet_hours), policy.tz)
        at = moments[chat.quiet_hours]
        groups.setdefault((at, QUIET_HELD if at > now else None), []).append(chat.id)
    return groups


async def enqueue_group(
    session: AsyncSession,
    chat_ids: Iterable[int],
    *,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    not_before: datetime,
    note: str | None = None,
    batch: int = BATCH,
) -> int:
    """Queue one message for many chats: one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per
    batch; a chat that already has (kind, subject) queued or sent is left alone. Returns how many
    rows were queued."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created = utcnow()
    queued = 0
    for part in chunked(chat_ids, batch):
        rows = select(
            Chat.id,
            literal(kind, String(32)),
            literal(subject[:200], String(200)),
            literal(payload, JSON),
            literal(OutboxStatus.PENDING, String(16)),
            literal(0, Integer),
            literal(not_before, Outbox.next_attempt_at.type),
            literal(created, Outbox.created_at.type),
            literal(note, Outbox.last_error.type),
        ).where(
            Chat.id.in_(part),
            ~exists().where(
                OutboxKey.chat_id == Chat.id, OutboxKey.kind == kind, OutboxKey.subject == subject[:200]
            ),
        )
        stmt = (
            insert(Outbox)
            .from_select(
                [
                    "chat_id",
                    "kind",
                    "subject",
                    "payload",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                    "last_error",
                ],
                rows,
            )
            .on_conflict_do_nothing(index_elements=["chat_id", "kind", "subject"])
            .returning(Outbox.id)
        )
        queued += len((await session.execute(stmt)).scalars().all())
        await asyncio.sleep(0)
    return queued


async def new_call_audience(
    session: AsyncSession, call_ids: Iterable[int], policy: PushPolicy, *, now: datetime
) -> list[tuple[Call, list[ChatRow]]]:
    """Who is told of each new call at once (the rule of ``storage.notices.new_call_notices``),
    with lean chat rows: members with instant notices who followed a matching topic or keyword
    when the call was first seen and have not muted it. Calls already closed or past are left out."""
    ids = sorted(set(call_ids))
    if not ids:
        return []
    calls: list[Call] = []
    for part in chunked(ids):
        calls += await calls_where(session, and_(Call.id.in_(part), Call.status.in_(LIVE_STATUSES)))
    calls = [c for c in calls if (end := deadline_end(c)) is None or end > now]
    found = await recipients(session, calls, policy)
    chats = await chat_rows(session, (cid for per in found.values() for cid in per))
    muted = await muted_pairs(session, ids)
    audience = []
    for call in calls:
        told = []
        for chat_id, since in sorted(found[call.id].items()):
            chat = chats.get(chat_id)
            if chat is not None and told_at_once(
                since=since,
                first_seen_at=call.first_seen_at,
                muted=(chat_id, call.id) in muted,
                notify_mode=chat.notify_mode,
            ):
                told.append(chat)
        audience.append((call, told))
    return audience


async def enqueue_rows(session: AsyncSession, rows: Sequence[dict[str, Any]], *, batch: int = 500) -> int:
    """Queue rows that each differ (a digest per chat), ``batch`` rows per ``INSERT … VALUES …
    ON CONFLICT DO NOTHING``. Each row: chat_id, kind, subject, payload, not_before, note."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created = utcnow()
    queued = 0
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        pruned = set(
            (
                await session.execute(
                    select(OutboxKey.chat_id, OutboxKey.kind, OutboxKey.subject).where(
                        OutboxKey.chat_id.in_({row["chat_id"] for row in part}),
                        OutboxKey.kind.in_({row["kind"] for row in part}),
                    )
                )
            )
            .tuples()
            .all()
        )
        part = [r for r in part if (r["chat_id"], r["kind"], str(r["subject"])[:200]) not in pruned]
        if not part:
            continue
        values = [
            {
                "chat_id": row["chat_id"],
                "kind": row["kind"],
                "subject": str(row["subject"])[:200],
                "payload": row["payload"],
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": row["not_before"],
                "created_at": created,
                "last_error": row.get("note"),
            }
            for row in part
        ]
        stmt = (
            insert(Outbox)
            .values(values)
            .on_conflict_do_nothing(index_elements=["chat_id", "kind", "subject"])
            .returning(Outbox.id)
        )
        queued += len((await session.execute(stmt)).scalars().all())
        await asyncio.sleep(0)
    return queued
