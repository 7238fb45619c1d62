"""Old outbox rows and audit entries pruned, without weakening the no-duplicate key.

Sent, failed and cancelled rows older than ``FOUI_OUTBOX_RETENTION_DAYS`` are deleted a batch at a
time; each one's key (chat, kind, subject) moves to ``outbox_keys`` first, where ``enqueue`` still
finds it, so a pruned message is never queued again. A digest's calls are kept as keys of kind
``told`` (``call:<id>``), so who was told of a call is still known when its deadline changes.
Audit entries go after ``FOUI_AUDIT_RETENTION_DAYS``, except recorded group migrations (the
sender follows those to a group's current id).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Outbox, OutboxKey, OutboxStatus
from storage.rules.kinds import KIND_DIGEST, KIND_TOLD

DONE = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)
BATCH = 2_000


async def prune_outbox(session: AsyncSession, *, now: datetime, days: int, batches: int = 10) -> int:
    """Delete up to ``batches`` × ``BATCH`` finished rows older than ``days``, keeping their keys."""
    cutoff = now - timedelta(days=days)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    pruned = 0
    for _ in range(batches):
        rows = (
            await session.execute(
                select(Outbox.id, Outbox.chat_id, Outbox.kind, Outbox.subject, Outbox.payload)
                .where(Outbox.status.in_(DONE), Outbox.created_at < cutoff)
                .order_by(Outbox.id)
                .limit(BATCH)
            )
        ).all()
        if not rows:
            break
        keys = {(chat_id, kind, subject) for _, chat_id, kind, subject, _ in rows}
        for _, chat_id, kind, _, payload in rows:
            if kind == KIND_DIGEST:
                for call_id in (payload or {}).get("call_ids", []):
                    keys.add((chat_id, KIND_TOLD, f"call:{int(call_id)}"))
        values = [{"chat_id": c, "kind": k, "subject": s, "done_at": now} for c, k, s in sorted(keys)]
        for start in range(0, len(values), 1_000):
            await session.execute(
                insert(OutboxKey).values(values[start : start + 1_000]).on_conflict_do_nothing()
            )
        await session.execute(
            delete(Outbox)
            .where(Outbox.id.in_([r[0] for r in rows]))
            .execution_options(synchronize_session=False)
        )
        pruned += len(rows)
        await asyncio.sleep(0)
    return pruned


async def prune_audit(session: AsyncSession, *, now: datetime, days: int) -> int:
    result = await session.execute(
        delete(AuditLog)
        .where(AuditLog.at < now - timedelta(days=days), AuditLog.action != "chat_migrated")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
