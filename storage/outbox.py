"""The outbox: every message pushed to someone who did not just ask.

``enqueue`` inserts a row unless (chat, kind, subject) is already there: the database's unique
constraint refuses a duplicate, so two processes, a retry or a restart can never queue the
same message twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, OutboxStatus
from storage.types import utcnow


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    not_before: datetime | None = None,
) -> bool:
    """Queue one message for the chat with database id ``chat_id``; False if it was already queued.

    ``payload`` holds what the sender needs: ``text`` (HTML), optional ``reply_markup`` (a dict
    in Bot API form), ``document`` ({"filename", "content_b64"}), ``pin`` and so on.
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
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["chat_id", "kind", "subject"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
