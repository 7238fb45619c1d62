"""A small world for push tests: settings, a FakeClock, topics, chats, calls, the fake Bot API
and a sender whose sleep moves the clock. (No tests here; the other test_push*/test_reminders*/
test_digest* files use it.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.config import load_settings
from bot.push.sender import Sender
from bot.services import Services
from storage.models import Call, CallTopic, Chat, ChatKind, KeywordAlert, Outbox, Subscription, Topic
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.harness import FakeClock

TOKEN = "123456789:FAKE_TOKEN_for_offline_use_only_000000"
GROUP = -1001234567890


@dataclass
class World:
    services: Services
    clock: FakeClock
    api: FakeBotApi
    sender: Sender
    topics: dict[str, int]

    async def chat(self, telegram_id: int, *, since: datetime | None = None, **kw: Any) -> int:
        kw.setdefault("kind", ChatKind.PRIVATE if telegram_id > 0 else ChatKind.SUPERGROUP)
        async with self.services.session() as s:
            chat = Chat(telegram_id=telegram_id, created_at=since or self.clock.now, **kw)
            s.add(chat)
            await s.flush()
            return chat.id

    async def subscribe(self, chat_id: int, slug: str, *, at: datetime | None = None) -> None:
        async with self.services.session() as s:
            s.add(Subscription(chat_id=chat_id, topic_id=self.topics[slug], created_at=at or self.clock.now))

    async def alert(self, chat_id: int, keyword: str, *, at: datetime | None = None) -> None:
        async with self.services.session() as s:
            s.add(KeywordAlert(chat_id=chat_id, keyword=keyword, created_at=at or self.clock.now))

    async def call(
        self,
        title: str,
        deadline: datetime | None,
        topics: Iterable[str] = ("helse",),
        *,
        first_seen: datetime | None = None,
        has_time: bool = True,
        **kw: Any,
    ) -> int:
        kw.setdefault("source_name", "Forskningsrådet")
        kw.setdefault("url", f"https://example.org/{abs(hash(title))}")
        async with self.services.session() as s:
            call = Call(
                key=f"k:{title}",
                title=title,
                deadline_at=deadline,
                deadline_has_time=has_time,
                first_seen_at=first_seen or self.clock.now,
                last_changed_at=first_seen or self.clock.now,
                **kw,
            )
            s.add(call)
            await s.flush()
            for slug in topics:
                s.add(CallTopic(call_id=call.id, topic_id=self.topics[slug]))
            return call.id

    async def drain_all(self, rounds: int = 50) -> None:
        """Send everything due, letting the clock pass the per-chat limits."""
        for _ in range(rounds):
            await self.sender.drain()
            async with self.services.session() as s:
                from storage.outbox import stats

                if (await stats(s, now=self.clock.now + timedelta(seconds=4))).due == 0:
                    return
            self.clock.advance(seconds=4)

    async def rows(self, kind: str | None = None) -> list[Outbox]:
        async with self.services.session() as s:
            query = select(Outbox).order_by(Outbox.id)
            if kind:
                query = query.where(Outbox.kind == kind)
            return list((await s.execute(query)).scalars())

    async def chat_of(self, row: Outbox) -> int:
        async with self.services.session() as s:
            chat = await s.get(Chat, row.chat_id)
            assert chat is not None
            return chat.telegram_id


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    settings = load_settings(database_url=db_url, group_chat_id=GROUP, _env_file=None)
    clock = FakeClock()
    services = Services.create(settings, clock=clock)
    api = FakeBotApi()
    bot = Bot(TOKEN, request=FakeRequest(api))
    await bot.initialize()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    topics: dict[str, int] = {}
    async with services.session() as s:
        for i, (slug, name, words) in enumerate(
            [("helse", "Helse og omsorg", ["helse"]), ("klima", "Klima og miljø", ["klima"])]
        ):
            topic = Topic(slug=slug, name=name, keywords=words, position=i)
            s.add(topic)
            await s.flush()
            topics[slug] = topic.id
    yield World(services, clock, api, Sender(services, bot, worker="t:1:w", sleep=sleep), topics)
    await bot.shutdown()
    await services.engine.dispose()
