"""The audit log: who did what, and who was refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog
from storage.types import utcnow

REFUSED = "coordinator_refused"


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Write one entry (flushed, committed with the session)."""
    entry = AuditLog(actor_id=actor_id, action=action[:64], detail=dict(detail or {}), at=at or utcnow())
    session.add(entry)
    await session.flush()
    return entry


async def recent(
    session: AsyncSession, *, action: str | None = None, actor_id: int | None = None, limit: int = 50
) -> Sequence[AuditLog]:
    """The newest entries first, optionally only one action or one actor."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditLog.action == action)
    if actor_id is not None:
        query = query.where(AuditLog.actor_id == actor_id)
    return (await session.execute(query)).scalars().all()
