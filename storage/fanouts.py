"""Fan-outs waiting to be done: one small durable row per call, kind of notice and subject
(``fanouts``), written in the poll's transaction, so the notice to every follower is queued
afterwards in transactions of its own (``bot.push.fanout_job``) and the poll never holds its
transaction for it.

The row is unique per (call, kind, subject): a second poll, a restart or another process never
queues the same fan-out twice. A new call or an opening has one fan-out per call (subject ''); a
change has one per change (the subject names the new deadline or the changes, ``detail`` holds
what the notice needs). A row without ``done_at`` is pending; a crash between the poll's commit
and the fan-out leaves it pending, and the minute planner does it then. One call's fan-outs are
done in the order they were noted (``next_pending``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow

FANOUT_NEW_CALL = "new_call"  # the new-call notice (``bot.push.fanout.notify_new_calls``)
FANOUT_OPENED = "call_opened"  # "Utlysningen er åpnet" (``bot.push.opening.fan_out_opened``)
FANOUT_DEADLINE_CHANGED = "deadline_changed"  # "Fristen er endret" (``bot.push.fanout``)
FANOUT_CALL_CHANGED = "call_changed"  # the grouped "Utlysningen er endret" (``bot.push.opening``)
CHANGE_FANOUTS = (FANOUT_DEADLINE_CHANGED, FANOUT_CALL_CHANGED)  # several per call, one per change


class Fanout(Base):
    """One call's notice of one kind (``new_call``, ``call_opened``, ``deadline_changed``,
    ``call_changed``) about one subject ('' for the first two) still to be queued for its followers;
    ``detail``: what the notice needs that the call no longer shows (the old deadline, the
    changes); ``done_at`` once it was."""

    __tablename__ = "fanouts"
    __table_args__ = (
        UniqueConstraint("call_id", "kind", "subject"),
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
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()


async def queue_fanouts(session: AsyncSession, call_ids: Iterable[int], kind: str) -> int:
    """Note these calls' fan-out of ``kind`` (a new call, an opening: subject '') as pending, once
    per call and kind, ever; returns how many were new."""
    return await queue_fanout_items(session, kind, [(i, "", None) for i in sorted(set(call_ids))])


async def queue_fanout_items(
    session: AsyncSession, kind: str, items: Sequence[tuple[int, str, dict[str, Any] | None]]
) -> int:
    """Note fan-outs of ``kind`` as pending, each (call id, subject, detail) once ever (``ON
    CONFLICT DO NOTHING``: a second poll that sees the same change notes nothing); returns how many
    were new. They are done in the order given."""
    if not items:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = utcnow()
    queued = 0
    for start in range(0, len(items), 1_000):
        values = [
            {"call_id": i, "kind": kind, "subject": subject[:200], "detail": detail, "created_at": created}
            for i, subject, detail in items[start : start + 1_000]
        ]
        stmt = (
            insert(Fanout)
            .values(values)
            .on_conflict_do_nothing(index_elements=["call_id", "kind", "subject"])
            .returning(Fanout.id)
        )
        queued += len((await session.execute(stmt)).scalars().all())
    return queued


async def next_pending(session: AsyncSession, *, skip: Collection[int] = ()) -> Fanout | None:
    """The oldest pending fan-out, locked for this transaction (PostgreSQL: ``FOR UPDATE SKIP
    LOCKED``, so another process does another one); ``skip``: ids that failed in this run.

    One call's fan-outs go in the order they were noted: a fan-out waits while an earlier one of
    the same call is pending (and not in ``skip``), even when another process holds that one, so a
    change is never told before the new-call notice, nor two changes of one call at once."""
    skipped = list(skip)[:1_000]
    before = Fanout.__table__.alias("before")
    earlier = select(before.c.id).where(
        before.c.call_id == Fanout.call_id, before.c.done_at.is_(None), before.c.id < Fanout.id
    )
    if skipped:
        earlier = earlier.where(before.c.id.not_in(skipped))
    query = select(Fanout).where(Fanout.done_at.is_(None), ~exists(earlier)).order_by(Fanout.id).limit(1)
    if skipped:
        query = query.where(Fanout.id.not_in(skipped))
    found = await session.execute(query.with_for_update(skip_locked=True))
    return found.scalars().first()


async def pending_later(session: AsyncSession, fanout: Fanout) -> list[Fanout]:
    """This call's pending fan-outs noted after ``fanout``, oldest first, locked for this
    transaction (some are done together with it: ``bot.push.fanout.fan_out_changes``)."""
    query = (
        select(Fanout)
        .where(
            Fanout.call_id == fanout.call_id,
            Fanout.done_at.is_(None),
            Fanout.id > fanout.id,
        )
        .order_by(Fanout.id)
    )
    return list((await session.execute(query.with_for_update())).scalars())


async def pending_count(session: AsyncSession) -> int:
    found = await session.execute(select(func.count()).select_from(Fanout).where(Fanout.done_at.is_(None)))
    return int(found.scalar_one())


async def prune_fanouts(session: AsyncSession, *, before: datetime) -> int:
    """Forget fan-outs done before ``before`` (a call is new only once, so nothing is lost: the
    outbox's keys still refuse a second notice)."""
    done = await session.execute(delete(Fanout).where(Fanout.done_at.is_not(None), Fanout.done_at < before))
    return int(getattr(done, "rowcount", 0) or 0)
