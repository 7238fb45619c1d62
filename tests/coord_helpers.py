"""Helpers shared by the coordinator tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from storage.models import AuditLog, Chat, Subscription, Topic
from tests.support.fakebot import ApiCall
from tests.support.harness import BotHarness


def texts_of(calls: Sequence[ApiCall]) -> list[str]:
    return [c.text for c in calls if c.method in {"sendMessage", "sendDocument", "answerCallbackQuery"}]


def last_message(calls: Sequence[ApiCall]) -> ApiCall:
    sent = [c for c in calls if c.method == "sendMessage"]
    assert sent, f"no message sent; calls: {[c.method for c in calls]}"
    return sent[-1]


def alerts(calls: Sequence[ApiCall]) -> list[str]:
    return [str(c.params.get("text") or "") for c in calls if c.method == "answerCallbackQuery"]


async def audit_entries(harness: BotHarness, action: str | None = None) -> list[AuditLog]:
    async with harness.services.session() as s:
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list((await s.execute(query)).scalars())


async def add_member(
    harness: BotHarness,
    telegram_id: int,
    *,
    name: str = "Medlem",
    topics: Sequence[str] = (),
    kind: str = "private",
    **extra: Any,
) -> int:
    """A chat as member-core's /start would make it, subscribed to ``topics``; returns its db id."""
    async with harness.services.session() as s:
        chat = Chat(telegram_id=telegram_id, kind=kind, name=name, **extra)
        s.add(chat)
        await s.flush()
        for slug in topics:
            topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
            s.add(Subscription(chat_id=chat.id, topic_id=topic.id))
        await s.flush()
        return chat.id


async def drain(harness: BotHarness, clock: Any) -> int:
    """Run the one sender until the outbox is empty (its sleeps move the fake clock)."""
    from bot.push.sender import Sender

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    sender = Sender(harness.services, harness.app.bot, worker="test:coord", sleep=sleep)
    total = 0
    for _ in range(10):  # a chat's second message waits for its per-chat limit: move the clock on
        sent = await sender.drain()
        total += sent
        if not sent:
            clock.advance(seconds=5)
            if not await sender.drain_once():
                break
            total += 1
    return total
