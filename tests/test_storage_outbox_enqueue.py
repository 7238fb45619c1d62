"""Enqueue refuses duplicates on both databases, inside one transaction and across two."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Chat, Outbox
from storage.outbox import enqueue


async def test_enqueue_twice_keeps_one(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        chat = Chat(telegram_id=7, name="Kari")
        s.add(chat)
        await s.commit()
        assert await enqueue(s, chat_id=chat.id, kind="new_call", subject="call:1", payload={"text": "a"})
        assert not await enqueue(s, chat_id=chat.id, kind="new_call", subject="call:1", payload={"text": "b"})
        await s.commit()
    async with session_factory() as s:
        assert not await enqueue(s, chat_id=chat.id, kind="new_call", subject="call:1", payload={"text": "c"})
        assert await enqueue(s, chat_id=chat.id, kind="reminder", subject="call:1:3", payload={"text": "d"})
        await s.commit()
        rows = (await s.execute(select(Outbox).order_by(Outbox.id))).scalars().all()
        assert [(r.kind, r.payload["text"]) for r in rows] == [("new_call", "a"), ("reminder", "d")]
        assert (await s.execute(select(func.count()).select_from(Outbox))).scalar_one() == 2
