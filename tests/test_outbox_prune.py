"""Old outbox rows and audit entries pruned, without weakening the no-duplicate key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.push.plan import plan_all
from storage import outbox
from storage.models import AuditLog, Call, Chat, Outbox, OutboxKey, OutboxStatus
from storage.notices import told_of
from storage.outbox_prune import prune_audit, prune_outbox
from storage.pushes_bulk import enqueue_group, enqueue_rows
from storage.rules import kinds
from tests import test_push_world
from tests.test_push_world import World

world = test_push_world.world

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)


async def _setup(factory: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    async with factory() as s:
        a, b = Chat(telegram_id=1), Chat(telegram_id=2)
        call = Call(key="k", title="T", url="https://x.no", first_seen_at=OLD, last_changed_at=OLD)
        s.add_all([a, b, call])
        await s.flush()
        for chat, kind, subject, payload in (
            (a, kinds.KIND_NEW_CALL, f"call:{call.id}", {"text": "x"}),
            (b, kinds.KIND_DIGEST, "digest:daily:2026-10-14T07", {"text": "x", "call_ids": [call.id]}),
            (a, "test", "old pending", {"text": "x"}),
            (a, "test", "recent", {"text": "x"}),
        ):
            await outbox.enqueue(s, chat_id=chat.id, kind=kind, subject=subject, payload=payload)
        await s.execute(update(Outbox).values(created_at=OLD, status=OutboxStatus.SENT, sent_at=OLD))
        await s.execute(
            update(Outbox).where(Outbox.subject == "old pending").values(status=OutboxStatus.PENDING)
        )
        await s.execute(
            update(Outbox).where(Outbox.subject == "recent").values(created_at=NOW - timedelta(days=2))
        )
        await s.commit()
        return a.id, b.id, call.id


async def test_old_finished_rows_go_and_their_keys_still_refuse_a_second_copy(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    a, b, call_id = await _setup(session_factory)
    async with session_factory() as s:
        assert await prune_outbox(s, now=NOW, days=30) == 2
        await s.commit()
    async with session_factory() as s:
        left = sorted((await s.execute(select(Outbox.subject))).scalars())
        assert left == ["old pending", "recent"]
        keys = set((await s.execute(select(OutboxKey.chat_id, OutboxKey.kind, OutboxKey.subject))).tuples())
        assert (a, kinds.KIND_NEW_CALL, f"call:{call_id}") in keys
        assert (b, kinds.KIND_TOLD, f"call:{call_id}") in keys
        # Nothing pruned is ever queued again, one at a time or in bulk.
        assert not await outbox.enqueue(
            s, chat_id=a, kind=kinds.KIND_NEW_CALL, subject=f"call:{call_id}", payload={}
        )
        assert (
            await enqueue_group(
                s,
                [a, b],
                kind=kinds.KIND_NEW_CALL,
                subject=f"call:{call_id}",
                payload={"text": "y"},
                not_before=NOW,
            )
            == 1
        )
        rows = [
            {"chat_id": b, "kind": kinds.KIND_DIGEST, "subject": "digest:daily:2026-10-14T07", "payload": {}},
            {"chat_id": a, "kind": kinds.KIND_DIGEST, "subject": "digest:daily:2026-10-14T07", "payload": {}},
        ]
        assert await enqueue_rows(s, [{**r, "not_before": NOW} for r in rows]) == 1
        # Who was told of the call is still known: the notice's key and the digest's.
        call = await s.get(Call, call_id)
        assert call is not None
        assert {c.id for c in await told_of(s, call)} == {a, b}


async def test_audit_entries_go_after_their_own_days_but_group_moves_stay(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        s.add_all(
            [
                AuditLog(at=NOW - timedelta(days=400), action="approved", detail={}),
                AuditLog(at=NOW - timedelta(days=400), action="chat_migrated", detail={"from": 1, "to": 2}),
                AuditLog(at=NOW - timedelta(days=10), action="approved", detail={}),
            ]
        )
        await s.commit()
    async with session_factory() as s:
        assert await prune_audit(s, now=NOW, days=365) == 1
        await s.commit()
    async with session_factory() as s:
        assert sorted((await s.execute(select(AuditLog.action))).scalars()) == ["approved", "chat_migrated"]


async def test_the_planner_job_prunes_once_an_hour(world: World) -> None:
    world.clock.set(NOW)
    chat = await world.chat(1001)

    async def old_sent(subject: str) -> None:
        async with world.services.session() as s:
            await outbox.enqueue(s, chat_id=chat, kind="test", subject=subject, payload={})
            await s.execute(
                update(Outbox).where(Outbox.kind == "test").values(created_at=OLD, status=OutboxStatus.SENT)
            )

    await old_sent("a")
    await plan_all(world.services)
    assert await world.rows("test") == []
    await old_sent("b")
    world.clock.advance(minutes=30)
    await plan_all(world.services)
    assert [r.subject for r in await world.rows("test")] == ["b"]  # not within the hour
    world.clock.advance(minutes=31)
    await plan_all(world.services)
    assert await world.rows("test") == []
