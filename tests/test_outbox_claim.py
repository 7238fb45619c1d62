"""Claiming, marking and releasing outbox rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import claims, outbox
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditLog, Chat, ChatKind, Outbox, OutboxStatus

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def _chats(
    factory: async_sessionmaker[AsyncSession], n: int, *, kind: str = ChatKind.PRIVATE
) -> list[int]:
    async with factory() as s:
        chats = [
            Chat(telegram_id=(i + 1) * (-1 if kind != ChatKind.PRIVATE else 1), kind=kind) for i in range(n)
        ]
        s.add_all(chats)
        await s.commit()
        return [c.id for c in chats]


async def _enqueue(
    factory: async_sessionmaker[AsyncSession], chat_id: int, subject: str, **kw: object
) -> None:
    async with factory() as s:
        await outbox.enqueue(
            s, chat_id=chat_id, kind="test", subject=subject, payload={"text": subject}, **kw
        )  # type: ignore[arg-type]
        await s.commit()


async def _rows(factory: async_sessionmaker[AsyncSession]) -> list[Outbox]:
    async with factory() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def test_claim_takes_the_oldest_due_row_per_chat(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    a, b, c = await _chats(session_factory, 3)
    await _enqueue(session_factory, a, "a1", not_before=NOW - timedelta(minutes=5))
    await _enqueue(session_factory, a, "a2", not_before=NOW - timedelta(minutes=4))
    await _enqueue(session_factory, b, "b1", not_before=NOW - timedelta(minutes=3))
    await _enqueue(session_factory, c, "later", not_before=NOW + timedelta(minutes=1))
    async with session_factory() as s:
        got = await claims.claim(s, worker="w1", now=NOW, limit=10)
        await s.commit()
    assert [(r.subject, r.attempts, r.telegram_id) for r in got] == [("a1", 1, 1), ("b1", 1, 2)]
    async with session_factory() as s:
        assert await claims.claim(s, worker="w2", now=NOW, limit=10, exclude_chats=[a]) == []
        again = await claims.claim(s, worker="w2", now=NOW, limit=10)
        await s.commit()
    assert [r.subject for r in again] == ["a2"]
    statuses = {r.subject: (r.status, r.claimed_by) for r in await _rows(session_factory)}
    assert statuses["a1"] == (OutboxStatus.SENDING, "w1")
    assert statuses["later"] == (OutboxStatus.PENDING, None)


async def test_inactive_chats_are_not_claimed_and_their_rows_fail(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    a, b = await _chats(session_factory, 2)
    await _enqueue(session_factory, a, "x", not_before=NOW)
    await _enqueue(session_factory, b, "y", not_before=NOW)
    async with session_factory() as s:
        await outbox.deactivate_chat(s, a, reason="403: Forbidden: bot was blocked by the user")
        await s.commit()
    async with session_factory() as s:
        got = await claims.claim(s, worker="w", now=NOW, limit=10)
        await s.commit()
    assert [r.subject for r in got] == ["y"]
    rows = {r.subject: r for r in await _rows(session_factory)}
    assert rows["x"].status == OutboxStatus.FAILED
    assert "blocked" in (rows["x"].last_error or "")
    async with session_factory() as s:
        chat = await s.get(Chat, a)
        assert chat is not None and chat.active is False and "blocked" in (chat.inactive_reason or "")


async def test_mark_sent_retry_failed_and_stats(session_factory: async_sessionmaker[AsyncSession]) -> None:
    a, b, c = await _chats(session_factory, 3)
    for chat, subject in ((a, "a"), (b, "b"), (c, "c")):
        await _enqueue(session_factory, chat, subject, not_before=NOW)
    async with session_factory() as s:
        got = {r.subject: r for r in await claims.claim(s, worker="w", now=NOW, limit=10)}
        await claims.mark_sent(s, got["a"].id, now=NOW, message_id=4711)
        await claims.mark_retry(
            s, got["b"].id, at=NOW + timedelta(seconds=30), error="429", count_attempt=False
        )
        await claims.mark_failed(s, got["c"].id, error="400: message is too long")
        await s.commit()
    rows = {r.subject: r for r in await _rows(session_factory)}
    assert (rows["a"].status, rows["a"].telegram_message_id, rows["a"].sent_at) == (
        OutboxStatus.SENT,
        4711,
        NOW,
    )
    assert (rows["b"].status, rows["b"].attempts, rows["b"].next_attempt_at) == (
        OutboxStatus.PENDING,
        0,
        NOW + timedelta(seconds=30),
    )
    assert (rows["c"].status, rows["c"].last_error) == (OutboxStatus.FAILED, "400: message is too long")
    async with session_factory() as s:
        st = await outbox.stats(s, now=NOW + timedelta(seconds=90))
    assert (st.pending, st.due, st.sent, st.failed, st.sending) == (1, 1, 1, 1, 0)
    assert st.oldest_due_seconds == 60


async def test_stale_claims_go_back_and_claims_can_be_released(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    a, b = await _chats(session_factory, 2)
    await _enqueue(session_factory, a, "a", not_before=NOW)
    await _enqueue(session_factory, b, "b", not_before=NOW)
    async with session_factory() as s:
        await claims.claim(s, worker="host:1:dead", now=NOW, limit=1)
        await claims.claim(s, worker="other:2:x", now=NOW + timedelta(seconds=100), limit=1)
        await s.commit()
    async with session_factory() as s:
        assert (
            await claims.release_stale(s, now=NOW + timedelta(seconds=130), older_than=timedelta(seconds=120))
            == 1
        )
        assert await claims.claimers_on_host(s, "other") == ["other:2:x"]
        assert await claims.release_claims(s, now=NOW, claimers=["other:2:x"]) == 1
        await s.commit()
    assert {r.status for r in await _rows(session_factory)} == {OutboxStatus.PENDING}


async def test_two_claimers_at_once_never_share_a_row(db_url: str) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]
    factories = [make_sessionmaker(e) for e in engines]
    try:
        chats = await _chats(factories[0], 60)
        for chat in chats:
            await _enqueue(factories[0], chat, f"m{chat}", not_before=NOW)

        async def worker(name: str, factory: async_sessionmaker[AsyncSession]) -> list[int]:
            mine: list[int] = []
            while True:
                async with factory() as s:
                    got = await claims.claim(s, worker=name, now=NOW, limit=7)
                    await s.commit()
                if not got:
                    return mine
                mine.extend(r.id for r in got)
                await asyncio.sleep(0)

        first, second = await asyncio.gather(worker("one", factories[0]), worker("two", factories[1]))
        assert not set(first) & set(second)
        assert len(first) + len(second) == 60
    finally:
        for e in engines:
            await e.dispose()


async def test_a_migrated_group_is_followed_and_recorded(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    (group,) = await _chats(session_factory, 1, kind=ChatKind.GROUP)
    await _enqueue(session_factory, group, "g", not_before=NOW)
    async with session_factory() as s:
        (row,) = await claims.claim(s, worker="w", now=NOW, limit=1)
        assert await outbox.migrate_chat(s, group, -100777, row_id=row.id) == group
        await s.commit()
    async with session_factory() as s:
        chat = await s.get(Chat, group)
        assert chat is not None and chat.telegram_id == -100777 and chat.kind == ChatKind.SUPERGROUP
        assert await outbox.current_telegram_id(s, -1) == -100777
        assert (await s.execute(select(AuditLog.action))).scalars().all() == ["chat_migrated"]


async def test_migration_onto_a_chat_that_already_exists(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    old, new = await _chats(session_factory, 2, kind=ChatKind.GROUP)
    await _enqueue(session_factory, old, "g1", not_before=NOW)
    await _enqueue(session_factory, old, "g2", not_before=NOW + timedelta(hours=1))
    async with session_factory() as s:
        (row,) = await claims.claim(s, worker="w", now=NOW, limit=1)
        assert await outbox.migrate_chat(s, old, -2, row_id=row.id) == new
        await s.commit()
    rows = {r.subject: r for r in await _rows(session_factory)}
    assert rows["g1"].chat_id == new
    assert rows["g2"].status == OutboxStatus.CANCELLED


async def test_the_claim_reads_on_past_a_window_of_one_busy_chat(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim reads due rows a window at a time: when the first windows hold only rows of a
    chat it must leave (throttled) or already took, it reads on to the next chat."""
    monkeypatch.setattr(claims, "WINDOW", 2)
    busy, other, third = await _chats(session_factory, 3)
    for i in range(5):
        await _enqueue(session_factory, busy, f"busy{i}", not_before=NOW - timedelta(minutes=10 - i))
    await _enqueue(session_factory, other, "other", not_before=NOW - timedelta(minutes=1))
    await _enqueue(session_factory, third, "third", not_before=NOW)
    async with session_factory() as s:
        got = await claims.claim(s, worker="w", now=NOW, limit=10, exclude_chats=[busy])
        await s.commit()
    assert [r.subject for r in got] == ["other", "third"]
    async with session_factory() as s:
        got = await claims.claim(s, worker="w", now=NOW, limit=1)
        await s.commit()
    assert [r.subject for r in got] == ["busy0"]
