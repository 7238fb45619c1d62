"""The outbox: every message pushed to someone who did not just ask.

``enqueue`` inserts a row unless (chat, kind, subject) is already there: the database's unique
constraint refuses a duplicate, so two processes, a retry or a restart can never queue the
same message twice. Claiming and marking rows as the sender works them: ``storage.claims``.
Here too: what happens to queued rows when their chat stops taking messages or moves (a group
that became a supergroup), and the counts per status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import mark_failed
from storage.models import AuditLog, Chat, ChatKind, Outbox, OutboxKey, OutboxStatus
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QUIET_HELD, quiet_end
from storage.types import utcnow

# isort: split

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
    pruned = await session.execute(
        select(OutboxKey.chat_id).where(
            OutboxKey.chat_id == chat_id, OutboxKey.kind == kind, OutboxKey.subject == values["subject"]
        )
    )
    if pruned.first() is not None:  # queued once, and pruned since (``storage.outbox_prune``)
        return False
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["chat_id", "kind", "subject"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


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


async def enqueue_for(
    session: AsyncSession,
    chat: Chat,
    *,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    now: datetime,
    policy: PushPolicy,
) -> bool:
    """Queue one push for a chat, held back to the end of its quiet hours and noted as such (so the
    held row follows the chat's quiet hours if the member changes them)."""
    at = quiet_end(now, policy.quiet_for(chat), policy.tz)
    note = QUIET_HELD if at > now else None
    return await enqueue(
        session, chat_id=chat.id, kind=kind, subject=subject, payload=payload, not_before=at, note=note
    )
