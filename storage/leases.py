"""Source leases: a process claims a source before polling it, so no source is fetched twice at once
by several processes on one database. A lease expires (a poller that died never blocks a source
for longer than ``ttl``); a process gives its lease back when the poll is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Source
from storage.replica_models import SourceLease


async def claim_source(
    session: AsyncSession, source_id: int, *, holder: str, now: datetime, ttl: timedelta, due_only: bool
) -> bool:
    """Take the lease on a source (free, expired, or already ours) and, with ``due_only``, only while
    the source is still due: another process may have polled it just now. Commit before fetching."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(SourceLease).values(source_id=source_id, holder=holder, expires_at=now + ttl)
    upsert = stmt.on_conflict_do_update(
        index_elements=[SourceLease.source_id],
        set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
        where=(SourceLease.expires_at <= now) | (SourceLease.holder == holder),
    ).returning(SourceLease.source_id)
    got = (await session.execute(upsert)).scalar_one_or_none() is not None
    if not got or not due_only:
        return got
    next_poll = (
        await session.execute(select(Source.next_poll_at).where(Source.id == source_id))
    ).one_or_none()
    if next_poll is None or (next_poll[0] is not None and next_poll[0] > now):
        await release_source(session, source_id, holder=holder)
        return False
    return True


async def release_source(session: AsyncSession, source_id: int, *, holder: str) -> None:
    await session.execute(
        delete(SourceLease).where(SourceLease.source_id == source_id, SourceLease.holder == holder)
    )
