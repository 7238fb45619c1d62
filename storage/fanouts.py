"""Fan-outs waiting to be done: one small durable row per call and kind of notice (``fanouts``),
written in the poll's transaction, so the notice to every follower is queued afterwards in
transactions of its own (``bot.push.fanout_job``) and the poll never holds its transaction for it.

The row is unique per (call, kind): a second poll, a restart or another process never queues the
same fan-out twice. A row without ``done_at`` is pending; a crash between the poll's commit and
the fan-out leaves it pending, and the minute planner does it then.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow

FANOUT_NEW_CALL = "new_call"  # the new-call notice (``bot.push.fanout.notify_new_calls``)
FANOUT_OPENED = "call_opened"  # "Utlysningen er åpnet" (``bot.push.opening.fan_out_opened``)


class Fanout(Base):
    """One call's notice of one kind (``new_call``, ``call_opened``) still to be queued for its
    followers; ``done_at`` once it was."""

    __tablename__ = "fanouts"
    __table_args__ = (
        UniqueConstraint("call_id", "kind"),
        Index(
            "ix_fanouts_pending",
            "id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()


async def queue_fanouts(session: AsyncSession, call_ids: Iterable[int], kind: str) -> int:
    """Note these calls' fan-out of ``kind`` as pending (once per call and kind, ever); returns how
    many were new."""
    ids = sorted(set(call_ids))
    if not ids:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = utcnow()
    queued = 0
    for start in range(0, len(ids), 1_000):
        stmt = (
            insert(Fanout)
            .values([{"call_id": i, "kind": kind, "created_at": created} for i in ids[start : start + 1_000]])
            .on_conflict_do_nothing(index_elements=["call_id", "kind"])
            .returning(Fanout.id)
        )
        queued += len((await session.execute(stmt)).scalars().all())
    return queued


async def next_pending(session: AsyncSession, *, skip: Collection[int] = ()) -> Fanout | None:
    """The oldest pending fan-out, locked for this transaction (PostgreSQL: ``FOR UPDATE SKIP
    LOCKED``, so another process does another one); ``skip``: ids that failed in this run."""
    query = select(Fanout).where(Fanout.done_at.is_(None)).order_by(Fanout.id).limit(1)
    if skip:
        query = query.where(Fanout.id.not_in(list(skip)[:1_000]))
    found = await session.execute(query.with_for_update(skip_locked=True))
    return found.scalars().first()


async def pending_count(session: AsyncSession) -> int:
    found = await session.execute(select(func.count()).select_from(Fanout).where(Fanout.done_at.is_(None)))
    return int(found.scalar_one())


async def prune_fanouts(session: AsyncSession, *, before: datetime) -> int:
    """Forget fan-outs done before ``before`` (a call is new only once, so nothing is lost: the
    outbox's keys still refuse a second notice)."""
    done = await session.execute(delete(Fanout).where(Fanout.done_at.is_not(None), Fanout.done_at < before))
    return int(getattr(done, "rowcount", 0) or 0)
