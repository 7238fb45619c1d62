"""Who follows what: calls with their topics, chats by id, mutes, and the followers of calls.

The loaders every push query shares; the rules they apply live in ``storage.rules``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.chunks import chunked
from storage.models import Call, CallMute, Chat, KeywordAlert, Subscription
from storage.rules.audience import call_text
from storage.rules.policy import PushPolicy

CALLS_PER_LOAD = 500  # calls built into objects per statement (bounded time on the event loop)


async def calls_where(session: AsyncSession, where: Any) -> list[Call]:
    """The calls matching ``where``, with their topics, by id; read as ids first, then loaded
    ``CALLS_PER_LOAD`` at a time with a yield between (a year of calls takes a while to build)."""
    ids = list((await session.execute(select(Call.id).where(where).order_by(Call.id))).scalars())
    calls: list[Call] = []
    for start in range(0, len(ids), CALLS_PER_LOAD):
        part = ids[start : start + CALLS_PER_LOAD]
        query = select(Call).options(selectinload(Call.topics)).where(Call.id.in_(part)).order_by(Call.id)
        calls += (await session.execute(query)).scalars().unique()
        if len(ids) > CALLS_PER_LOAD:
            await asyncio.sleep(0)
    return calls


async def load_calls(session: AsyncSession, call_ids: Iterable[int]) -> list[Call]:
    """These calls with their topics (those that still exist)."""
    ids = sorted(set(call_ids))
    return await calls_where(session, Call.id.in_(ids)) if ids else []


async def load_call(session: AsyncSession, call_id: int) -> Call | None:
    found = await calls_where(session, Call.id == call_id)
    return found[0] if found else None


async def chats_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Chat]:
    """These chats by id, read in chunks (no statement carries more than ``CHUNK`` ids)."""
    found: dict[int, Chat] = {}
    for part in chunked(ids):
        rows = await session.execute(select(Chat).where(Chat.id.in_(part)))
        found.update((c.id, c) for c in rows.scalars())
    return found


async def muted_pairs(session: AsyncSession, call_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (chat, call) pairs where the chat said «Ikke interessert» to one of these calls."""
    found: set[tuple[int, int]] = set()
    for part in chunked(call_ids):
        rows = await session.execute(
            select(CallMute.chat_id, CallMute.call_id).where(CallMute.call_id.in_(part))
        )
        found.update(rows.tuples().all())
    return found


async def recipients(
    session: AsyncSession,
    calls: Sequence[Call],
    policy: PushPolicy,
    *,
    chat_ids: Iterable[int] | None = None,
) -> dict[int, dict[int, datetime]]:
    """For each call: the active chats that follow one of its topics or a matching keyword,
    with the time they started following it (the earliest such subscription or alert).
    ``chat_ids`` limits it to these chats (read in chunks)."""
    result: dict[int, dict[int, datetime]] = {call.id: {} for call in calls}
    if not calls:
        return result
    parts: list[list[int] | None] = [None] if chat_ids is None else list(chunked(chat_ids))
    topic_ids = sorted({t.id for call in calls for t in call.topics})
    # Per topic its followers' ids and since when, in two flat lists rather than a row object each:
    # tens of thousands of rows kept through a planner batch would be that many objects for every
    # full pass of the garbage collector to walk (its pauses were the planner's longest blocks).
    by_topic: dict[int, tuple[list[int], list[datetime]]] = {}
    alerts: list[tuple[int, str, datetime]] = []
    for part in parts:
        for topic_id in topic_ids:  # a topic at a time: a popular one has tens of thousands of rows
            query = (
                select(Subscription.chat_id, Subscription.created_at)
                .join(Chat, Chat.id == Subscription.chat_id)
                .where(Subscription.topic_id == topic_id, Chat.active.is_(True))
            )
            if part is not None:
                query = query.where(Subscription.chat_id.in_(part))
            ids, since = by_topic.setdefault(topic_id, ([], []))
            for chat_id, created in (await session.execute(query)).tuples():
                ids.append(chat_id)
                since.append(created)
        query_kw = (
            select(KeywordAlert.chat_id, KeywordAlert.keyword, KeywordAlert.created_at)
            .join(Chat, Chat.id == KeywordAlert.chat_id)
            .where(Chat.active.is_(True))
        )
        if part is not None:
            query_kw = query_kw.where(KeywordAlert.chat_id.in_(part))
        alerts += (await session.execute(query_kw)).tuples().all()
    for call in calls:
        found = result[call.id]
        for topic in call.topics:
            ids, since = by_topic.get(topic.id, ([], []))
            for chat_id, created in zip(ids, since, strict=True):
                if chat_id not in found or created < found[chat_id]:
                    found[chat_id] = created
            await asyncio.sleep(0)  # a popular topic has tens of thousands of followers
        if alerts:
            text = call_text(call)
            for chat_id, keyword, created in alerts:
                if (chat_id not in found or created < found[chat_id]) and policy.matches_keyword(
                    text, keyword
                ):
                    found[chat_id] = created
    return result


async def following(
    session: AsyncSession,
    chat_ids: Iterable[int],
    calls: Sequence[Call],
    policy: PushPolicy,
    *,
    muted: set[tuple[int, int]] | None = None,
) -> set[tuple[int, int]]:
    """The (chat, call) pairs where the chat follows one of the call's topics or a matching keyword
    now and has not muted the call. Three queries, whatever the number of chats and calls."""
    chats = sorted(set(chat_ids))
    if not chats or not calls:
        return set()
    topic_ids = sorted({t.id for call in calls for t in call.topics})
    topics_of: dict[int, set[int]] = {}
    if topic_ids:
        rows = await session.execute(
            select(Subscription.chat_id, Subscription.topic_id).where(
                Subscription.chat_id.in_(chats), Subscription.topic_id.in_(topic_ids)
            )
        )
        for chat_id, topic_id in rows.tuples():
            topics_of.setdefault(chat_id, set()).add(topic_id)
    keywords_of: dict[int, list[str]] = {}
    rows_kw = await session.execute(
        select(KeywordAlert.chat_id, KeywordAlert.keyword).where(KeywordAlert.chat_id.in_(chats))
    )
    for chat_id, keyword in rows_kw.tuples():
        keywords_of.setdefault(chat_id, []).append(keyword)
    if muted is None:
        muted = await muted_pairs(session, (c.id for c in calls))
    found: set[tuple[int, int]] = set()
    for call in calls:
        call_topics = {t.id for t in call.topics}
        text: str | None = None
        for chat_id in chats:
            if (chat_id, call.id) in muted:
                continue
            if call_topics & topics_of.get(chat_id, set()):
                found.add((chat_id, call.id))
                continue
            if keywords_of.get(chat_id):
                text = text if text is not None else call_text(call)
                if any(policy.matches_keyword(text, k) for k in keywords_of[chat_id]):
                    found.add((chat_id, call.id))
    return found
