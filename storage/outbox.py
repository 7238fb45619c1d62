"""The outbox: every message pushed to someone who did not just ask.

``enqueue`` inserts a row unless (chat, kind, subject) is already there: the database's unique
constraint refuses a duplicate, so two processes, a retry or a restart can never queue the
same message twice.

The sender (``bot/sender.py``) then works the rows through a small life cycle::

    pending --claim--> sending --mark_sent--> sent
       ^                  |----mark_retry---> pending (later)
       |                  `----mark_failed--> failed (with the reason)
       `--release_stale-- (a claimer that died: its rows go back after a timeout;
                          a live claimer renews its claims with ``touch_claims``)

A claim is one conditional UPDATE (``status = 'pending'`` in the WHERE clause; on PostgreSQL
the rows are also locked with ``FOR UPDATE SKIP LOCKED``), committed before anything is sent,
so two senders on the same database never get the same row. A crash between sending and
``mark_sent`` repeats at most the rows that were in flight.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Chat, ChatKind, Outbox, OutboxStatus
from storage.types import utcnow

INACTIVE_CHAT_ERROR = "mottakeren er inaktiv: {reason}"


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    not_before: datetime | None = None,
    note: str | None = None,
) -> bool:
    """Queue one message for the chat with database id ``chat_id``; False if it was already queued.

    ``payload`` holds what the sender needs: ``text`` (HTML), optional ``reply_markup`` (a dict
    in Bot API form), ``disable_web_page_preview``, ``document`` ({"filename", "content_b64",
    "caption"}) and ``pin`` (pin it after sending, in groups). ``not_before`` holds it back
    (quiet hours); ``note`` says why (kept in ``last_error``: the sender releases rows held for
    the quiet hours early when the chat's quiet hours change).
    """
    values = {
        "chat_id": chat_id,
        "kind": kind,
        "subject": subject[:200],
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or utcnow(),
        "created_at": utcnow(),
        "last_error": note,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["chat_id", "kind", "subject"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


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
    excluded = sorted(set(exclude_chats))
    first_per_chat = (
        select(func.min(Outbox.id).label("id"))
        .join(Chat, Chat.id == Outbox.chat_id)
        .where(
            Outbox.status == OutboxStatus.PENDING,
            Outbox.next_attempt_at <= now,
            Chat.active.is_(True),
        )
        .group_by(Outbox.chat_id)
        .order_by(func.min(Outbox.next_attempt_at), func.min(Outbox.id))
        .limit(limit)
    )
    if excluded:
        first_per_chat = first_per_chat.where(Outbox.chat_id.not_in(excluded))
    ids = list((await session.execute(first_per_chat)).scalars())
    if not ids:
        return []
    target = Outbox.id.in_(ids)
    if session.get_bind().dialect.name == "postgresql":
        lockable = (
            select(Outbox.id)
            .where(Outbox.id.in_(ids), Outbox.status == OutboxStatus.PENDING)
            .with_for_update(skip_locked=True)
        )
        target = Outbox.id.in_(lockable.scalar_subquery())
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


async def fail_inactive(session: AsyncSession) -> int:
    """Pending rows for chats that no longer take messages (blocked, removed) fail with the reason."""
    inactive = select(Chat.id).where(Chat.active.is_(False))
    rows_found = await session.execute(
        select(Chat.id, Chat.inactive_reason).where(
            Chat.active.is_(False),
            Chat.id.in_(select(Outbox.chat_id).where(Outbox.status == OutboxStatus.PENDING)),
        )
    )
    reasons = dict(rows_found.tuples().all())
    if not reasons:
        return 0
    rows = (
        await session.execute(
            select(Outbox.id, Outbox.chat_id).where(
                Outbox.status == OutboxStatus.PENDING, Outbox.chat_id.in_(inactive)
            )
        )
    ).all()
    for row_id, chat_id in rows:
        await mark_failed(
            session, row_id, error=INACTIVE_CHAT_ERROR.format(reason=reasons.get(chat_id) or "ukjent")
        )
    return len(rows)


async def deactivate_chat(session: AsyncSession, chat_id: int, *, reason: str) -> None:
    """The chat no longer takes messages (blocked the bot, removed it, deleted): keep its data."""
    await session.execute(
        update(Chat)
        .where(Chat.id == chat_id)
        .values(active=False, inactive_reason=reason[:200], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await fail_inactive(session)


async def migrate_chat(session: AsyncSession, chat_id: int, new_telegram_id: int, *, row_id: int) -> int:
    """A group became a supergroup: follow it. Returns the chat id the row now belongs to.

    If the new id already has a chat of its own (someone wrote there first), the row moves to that
    chat and the old chat is marked inactive; a row the new chat already has is cancelled.
    """
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return chat_id
    old_telegram_id = chat.telegram_id
    existing = (
        await session.execute(select(Chat).where(Chat.telegram_id == new_telegram_id))
    ).scalar_one_or_none()
    target = chat_id
    if existing is None or existing.id == chat.id:
        chat.telegram_id = new_telegram_id
        chat.kind = ChatKind.SUPERGROUP
    else:
        target = existing.id
        chat.active = False
        chat.inactive_reason = f"flyttet til {new_telegram_id}"
        row = await session.get(Outbox, row_id)
        if row is not None:
            clash = (
                await session.execute(
                    select(Outbox.id).where(
                        Outbox.chat_id == target, Outbox.kind == row.kind, Outbox.subject == row.subject
                    )
                )
            ).scalar_one_or_none()
            if clash is None:
                row.chat_id = target
            else:
                row.status = OutboxStatus.CANCELLED
                row.last_error = "finnes allerede for gruppen den ble flyttet til"
        await session.execute(
            update(Outbox)
            .where(Outbox.chat_id == chat_id, Outbox.status == OutboxStatus.PENDING, Outbox.id != row_id)
            .values(status=OutboxStatus.CANCELLED, last_error=f"gruppen flyttet til {new_telegram_id}")
            .execution_options(synchronize_session=False)
        )
    session.add(
        AuditLog(
            action="chat_migrated",
            detail={"from": old_telegram_id, "to": new_telegram_id, "chat_id": target},
        )
    )
    await session.flush()
    return target


async def current_telegram_id(session: AsyncSession, telegram_id: int) -> int:
    """Follow recorded group migrations: the id a chat known as ``telegram_id`` has now."""
    seen = {telegram_id}
    rows = (
        await session.execute(select(AuditLog.detail).where(AuditLog.action == "chat_migrated"))
    ).scalars()
    moves = {int(d["from"]): int(d["to"]) for d in rows if isinstance(d, dict) and "from" in d}
    while telegram_id in moves and moves[telegram_id] not in seen:
        telegram_id = moves[telegram_id]
        seen.add(telegram_id)
    return telegram_id


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    due: int
    sending: int
    sent: int
    failed: int
    cancelled: int
    oldest_due_seconds: float


async def stats(session: AsyncSession, *, now: datetime) -> OutboxStats:
    """Counts per status, and how long the oldest due row has waited."""
    counts = dict(
        (await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).tuples().all()
    )
    due_filter = and_(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
    due = (await session.execute(select(func.count()).select_from(Outbox).where(due_filter))).scalar_one()
    oldest = (await session.execute(select(func.min(Outbox.next_attempt_at)).where(due_filter))).scalar_one()
    return OutboxStats(
        pending=int(counts.get(OutboxStatus.PENDING, 0)),
        due=int(due),
        sending=int(counts.get(OutboxStatus.SENDING, 0)),
        sent=int(counts.get(OutboxStatus.SENT, 0)),
        failed=int(counts.get(OutboxStatus.FAILED, 0)),
        cancelled=int(counts.get(OutboxStatus.CANCELLED, 0)),
        oldest_due_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
    )
