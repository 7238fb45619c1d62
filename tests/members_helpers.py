"""Helpers for the members' tests: calls inserted directly (until ingest lands) and reply checks."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Call, CallStatus, CallTopic, Chat, Topic
from tests.support.fakebot import ApiCall
from tests.support.harness import BotHarness

_keys = itertools.count(1)


async def add_call(
    session: AsyncSession,
    title: str,
    *,
    deadline: datetime | None = None,
    has_time: bool = True,
    topics: Sequence[str] = (),
    source: str = "Forskningsrådet",
    url: str | None = "https://www.forskningsradet.no/utlysninger/2026/eksempel/",
    status: str = CallStatus.OPEN,
    rolling: bool = False,
    summary: str = "",
) -> Call:
    call = Call(
        key=f"test:{next(_keys)}",
        title=title,
        url=url,
        source_name=source,
        deadline_at=deadline,
        deadline_has_time=has_time,
        status=status,
        rolling=rolling,
        summary=summary,
    )
    session.add(call)
    await session.flush()
    if topics:
        found = (await session.execute(select(Topic).where(Topic.slug.in_(list(topics))))).scalars().all()
        assert len(found) == len(set(topics)), f"unknown topic in {topics}"
        for topic in found:
            session.add(CallTopic(call_id=call.id, topic_id=topic.id))
        await session.flush()
    return call


async def add_calls(harness: BotHarness, *specs: dict) -> list[int]:
    """Insert calls through the harness's own database; returns their ids."""
    ids = []
    async with harness.services.session() as session:
        for spec in specs:
            spec = dict(spec)
            title = spec.pop("title")
            if "days" in spec:
                spec["deadline"] = harness.services.now() + timedelta(days=spec.pop("days"))
            ids.append((await add_call(session, title, **spec)).id)
    return ids


async def chat_row(harness: BotHarness, telegram_id: int) -> Chat | None:
    async with harness.services.session() as session:
        return (
            await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))
        ).scalar_one_or_none()


def messages(calls: list[ApiCall], method: str = "sendMessage") -> list[ApiCall]:
    return [c for c in calls if c.method == method]


def only_message(calls: list[ApiCall], method: str = "sendMessage") -> ApiCall:
    found = messages(calls, method)
    assert len(found) == 1, f"expected one {method}, got {[(c.method, c.text[:60]) for c in calls]}"
    assert found[0].params.get("parse_mode") == "HTML", found[0].params
    assert len(found[0].text) <= 4096
    return found[0]
