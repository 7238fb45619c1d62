"""Claiming outbox rows for sending, and their life cycle until sent, retried, failed or cancelled.

The sender (``bot/sender.py``) works the rows through a small life cycle::

    pending --claim--> sending --mark_sent--> sent
       ^                  |----mark_retry---> pending (later)
       |                  |----mark_failed--> failed (with the reason)
       |                  `--cancel_claimed-> cancelled (no longer wanted)
       `--release_stale-- (a claimer that died: its rows go back after a timeout;
                          a live claimer renews its claims with ``touch_claims``)

A claim is one conditional UPDATE (``status = 'pending'`` in the WHERE clause; on PostgreSQL
the rows are also locked with ``FOR UPDATE SKIP LOCKED``), committed before anything is sent,
so two senders on the same database never get the same row. A crash between sending and
``mark_sent`` repeats at most the rows that were in flight.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims_pg import EPOCH, PLAN_BY_INDEX, claim_statement
from storage.models import Chat, ChatKind, Outbox, OutboxStatus


def worker_name(tag: str = "") -> str:
    """A name for one sender, unique enough to tell claimers apart: host, pid and a tag."""
    import os
    import secrets

    return f"{socket.gethostname()[:40]}:{os.getpid()}:{tag or secrets.token_hex(3)}"


@dataclass(frozen=True)
class Claimed:
    """One claimed row, with what the sender needs to know about its chat."""

    id: int
    chat_id: int
    telegram_id: int
    chat_kind: str
    kind: str
    subject: str
    payload: dict[str, Any]
    attempts: int
    quiet_hours: str | None = None

    @property
    def is_group(self) -> bool:
        return self.chat_kind in (ChatKind.GROUP, ChatKind.SUPERGROUP, ChatKind.CHANNEL) or (
            self.telegram_id < 0
        )


async def claim(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    limit: int,
    exclude_chats: Iterable[int] = (),
) -> list[Claimed]:
    """Claim up to ``limit`` due rows, at most one per chat (the oldest), for ``worker``.

    Rows of chats in ``exclude_chats`` (database ids: throttled or busy in this sender) are left.
    The caller commits; after the commit no other claimer can get these rows.
    """
    if limit <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # planned by index until the claim's transaction ends (the sender commits it at once)
        await session.execute(text(PLAN_BY_INDEX))
        return await _claim_postgres(
            session, worker=worker, now=now, limit=limit, excluded=set(exclude_chats)
        )
    return await _claim(session, worker=worker, now=now, limit=limit, exclude_chats=exclude_chats)


async def _claim_postgres(
    session: AsyncSession, *, worker: str, now: datetime, limit: int, excluded: set[int]
) -> list[Claimed]:
    """Claim window after window (one statement each) until ``limit`` rows or the due rows end."""
    claimed: list[Claimed] = []
    after: tuple[datetime, int] = (EPOCH, 0)
    statement = claim_statement()
    while len(claimed) < limit:
        result = await session.execute(
            statement,
            {
                "now": now,
                "after_at": after[0],
                "after_id": after[1],
                "window": WINDOW,
                "limit": limit - len(claimed),
                "excluded": sorted(excluded),
                "worker": worker[:100],
            },
        )
        window_rows, last = 0, None
        for row in result.all():
            if row.id is None:
                window_rows, last = int(row.window_rows or 0), (row.last_at, row.last_id)
                continue
            payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload or "{}")
            claimed.append(
                Claimed(
                    id=row.id,
                    chat_id=row.chat_id,
                    telegram_id=int(row.telegram_id),
                    chat_kind=row.chat_kind,
                    kind=row.kind,
                    subject=row.subject,
                    payload=dict(payload or {}),
                    attempts=row.attempts,
                    quiet_hours=row.quiet_hours,
                )
            )
            excluded.add(row.chat_id)
        if window_rows < WINDOW or last is None or last[0] is None:
            break
        after = (last[0], int(last[1]))
    claimed.sort(key=lambda c: c.id)
    return claimed


async def _claim(
    session: AsyncSession, *, worker: str, now: datetime, limit: int, exclude_chats: Iterable[int]
) -> list[Claimed]:
    """The claim on SQLite (one writer at a time, behind the single-instance lock): the due rows
    a window at a time, each chosen chat's oldest, then one conditional UPDATE."""
    ids = await _first_due_per_chat(session, now=now, limit=limit, excluded=set(exclude_chats), window=WINDOW)
    if not ids:
        return []
    target = Outbox.id.in_(ids)
    stmt = (
        update(Outbox)
        .where(target, Outbox.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=worker[:100],
            claimed_at=now,
            attempts=Outbox.attempts + 1,
        )
        .returning(Outbox.id)
        .execution_options(synchronize_session=False)
    )
    won = list((await session.execute(stmt)).scalars())
    if not won:
        return []
    rows = await session.execute(
        select(Outbox, Chat.telegram_id, Chat.kind, Chat.quiet_hours)
        .join(Chat, Chat.id == Outbox.chat_id)
        .where(Outbox.id.in_(won))
        .order_by(Outbox.id)
        .execution_options(populate_existing=True)
    )
    return [
        Claimed(
            id=row.id,
            chat_id=row.chat_id,
            telegram_id=int(telegram_id),
            chat_kind=kind,
            kind=row.kind,
            subject=row.subject,
            payload=dict(row.payload or {}),
            attempts=row.attempts,
            quiet_hours=quiet,
        )
        for row, telegram_id, kind, quiet in rows.all()
    ]


WINDOW = 500  # due rows read per step, in order, through the partial index of pending rows


def due_window(
    now: datetime, *, after: tuple[datetime, int] | None = None, window: int = WINDOW
) -> Select[Any]:
    """The next ``window`` due rows (id, chat, due time) in order of due time, after ``after``.

    A materialised CTE with a LIMIT over ``ix_outbox_pending_due`` (a partial index of pending rows
    by due time): the database reads at most ``window`` index entries, whatever the table holds
    and whatever its statistics say (they are stale after a big fan-out until the next ANALYZE).
    """
    query = select(Outbox.id, Outbox.chat_id, Outbox.next_attempt_at).where(
        Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now
    )
    if after is not None:
        query = query.where(
            tuple_(Outbox.next_attempt_at, Outbox.id)
            > tuple_(literal(after[0], Outbox.next_attempt_at.type), literal(after[1]))
        )
    due = (
        query.order_by(Outbox.next_attempt_at, Outbox.id).limit(window).cte("due").prefix_with("MATERIALIZED")
    )
    return select(due.c.id, due.c.chat_id, due.c.next_attempt_at).order_by(due.c.next_attempt_at, due.c.id)


async def _first_due_per_chat(
    session: AsyncSession, *, now: datetime, limit: int, excluded: set[int], window: int
) -> list[int]:
    """The oldest due row (lowest id) of up to ``limit`` active chats, chats in order of their
    earliest due row. Reads the due rows a window at a time until ``limit`` chats are found."""
    chosen: list[int] = []
    seen: set[int] = set(excluded)
    after: tuple[datetime, int] | None = None
    while len(chosen) < limit:
        rows = (await session.execute(due_window(now, after=after, window=window))).tuples().all()
        fresh: list[int] = []
        for _, chat_id, _ in rows:
            if chat_id not in seen:
                seen.add(chat_id)
                fresh.append(chat_id)
        if fresh:
            active = set(
                (
                    await session.execute(select(Chat.id).where(Chat.id.in_(fresh), Chat.active.is_(True)))
                ).scalars()
            )
            chosen += [c for c in fresh if c in active][: limit - len(chosen)]
        if len(rows) < window:
            break
        after = (rows[-1][2], rows[-1][0])
    if not chosen:
        return []
    first = await session.execute(
        select(func.min(Outbox.id))
        .where(
            Outbox.chat_id.in_(chosen),
            Outbox.status == OutboxStatus.PENDING,
            Outbox.next_attempt_at <= now,
        )
        .group_by(Outbox.chat_id)
    )
    return sorted(first.scalars())


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    *,
    now: datetime,
    message_id: int | None,
    payload: dict[str, Any] | None = None,
) -> None:
    """The message was delivered: record when and Telegram's message id (for later edits), and the
    payload as sent when it was written again just before sending."""
    values: dict[str, Any] = {
        "status": OutboxStatus.SENT,
        "sent_at": now,
        "telegram_message_id": message_id,
        "last_error": None,
    }
    if payload is not None:
        values["payload"] = payload
    await session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def mark_retry(
    session: AsyncSession, row_id: int, *, at: datetime, error: str, count_attempt: bool = True
) -> None:
    """Try again at ``at``; a retry that is not the message's fault (429, a moved group) is not counted."""
    values: dict[str, Any] = {
        "status": OutboxStatus.PENDING,
        "next_attempt_at": at,
        "last_error": error[:2000],
        "claimed_by": None,
        "claimed_at": None,
    }
    if not count_attempt:
        values["attempts"] = Outbox.attempts - 1
    await session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def mark_failed(session: AsyncSession, row_id: int, *, error: str) -> None:
    """Give up on this message, keeping the reason."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(status=OutboxStatus.FAILED, last_error=error[:2000], claimed_by=None)
        .execution_options(synchronize_session=False)
    )


async def touch_claims(session: AsyncSession, row_ids: Iterable[int], *, worker: str, now: datetime) -> int:
    """The claimer is alive and still sending these rows: renew their claim (so a slow answer from
    Telegram is not taken for a dead claimer and the row sent a second time)."""
    ids = sorted(set(row_ids))
    if not ids:
        return 0
    result = await session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == OutboxStatus.SENDING, Outbox.claimed_by == worker[:100])
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_stale(session: AsyncSession, *, now: datetime, older_than: timedelta) -> int:
    """Rows claimed longer ago than ``older_than`` go back to pending (their claimer died)."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_at < now - older_than)
        .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_claims(
    session: AsyncSession, *, now: datetime, claimers: Sequence[str] | None = None, host: str | None = None
) -> int:
    """Give rows back that a claimer left in ``sending`` when it stopped.

    ``claimers`` None releases every claim (only safe when this process is the only sender, as on
    SQLite behind the single-instance lock); ``host`` limits it to claimers on one host.
    """
    stmt = update(Outbox).where(Outbox.status == OutboxStatus.SENDING)
    if claimers is not None:
        if not claimers:
            return 0
        stmt = stmt.where(Outbox.claimed_by.in_(list(claimers)))
    if host is not None:
        stmt = stmt.where(Outbox.claimed_by.like(f"{host[:40]}:%"))
    result = await session.execute(
        stmt.values(
            status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None, next_attempt_at=now
        ).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claimers_on_host(session: AsyncSession, host: str) -> list[str]:
    """The claimer names on ``host`` that still hold rows in ``sending``."""
    rows = await session.execute(
        select(Outbox.claimed_by)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_by.like(f"{host[:40]}:%"))
        .distinct()
    )
    return [name for name in rows.scalars() if name]


async def cancel_claimed(session: AsyncSession, row_id: int, *, reason: str) -> None:
    """The sender decided not to send a claimed row after all (its call closed, its deadline passed)."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(status=OutboxStatus.CANCELLED, last_error=reason, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
