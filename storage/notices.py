"""Telling members of calls: who gets a new call's notice, who was told of a call, and which
claimed pushes about a call are no longer wanted just before they go out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import Claimed
from storage.following import calls_where, chats_by_id, following, muted_pairs, recipients
from storage.models import Call, Chat, Outbox, OutboxKey, OutboxStatus
from storage.pushes_bulk import ChatRow, chat_rows
from storage.rules.audience import LIVE_STATUSES, told_at_once, unwanted_reason
from storage.rules.kinds import CALL_KINDS, KIND_DIGEST, KIND_NEW_CALL, KIND_REMINDER, KIND_TOLD
from storage.rules.policy import PushPolicy
from storage.rules.reminders import deadline_end


@dataclass(frozen=True)
class Notice:
    call: Call
    chat: Chat


async def new_call_notices(
    session: AsyncSession, call_ids: Iterable[int], policy: PushPolicy, *, now: datetime
) -> list[Notice]:
    """Who is told of new calls at once: members with instant notices who followed a matching
    topic or keyword when the call was first seen. Calls already closed or past are left out."""
    ids = sorted(set(call_ids))
    if not ids:
        return []
    calls = await calls_where(session, and_(Call.id.in_(ids), Call.status.in_(LIVE_STATUSES)))
    calls = [c for c in calls if (end := deadline_end(c)) is None or end > now]
    found = await recipients(session, calls, policy)
    chats = await chats_by_id(session, (cid for per in found.values() for cid in per))
    muted = await muted_pairs(session, ids)
    notices = []
    for call in calls:
        for chat_id, since in sorted(found[call.id].items()):
            chat = chats[chat_id]
            if told_at_once(
                since=since,
                first_seen_at=call.first_seen_at,
                muted=(chat_id, call.id) in muted,
                notify_mode=chat.notify_mode,
            ):
                notices.append(Notice(call, chat))
    return notices


async def told_of(session: AsyncSession, call: Call) -> list[Chat]:
    """The chats that were told of a call: its notice, a reminder or a digest that held it."""
    chats = await chats_by_id(session, await _told_ids(session, call))
    return [c for c in chats.values() if c.active]


async def told_rows(session: AsyncSession, call: Call) -> list[ChatRow]:
    """``told_of`` read lean (``storage.pushes_bulk.ChatRow``), for a fan-out to tens of thousands."""
    chats = await chat_rows(session, sorted(await _told_ids(session, call)))
    return [c for c in chats.values() if c.active]


async def _told_ids(session: AsyncSession, call: Call) -> set[int]:
    """Who was told of a call (``told_of``), less those who muted it."""
    subjects = or_(
        and_(Outbox.kind == KIND_NEW_CALL, Outbox.subject == f"call:{call.id}"),
        and_(Outbox.kind == KIND_REMINDER, Outbox.subject.like(f"call:{call.id}:%")),
    )
    direct = set(
        (
            await session.execute(
                select(Outbox.chat_id).where(subjects, Outbox.status == OutboxStatus.SENT).distinct()
            )
        ).scalars()
    )
    digests = await session.execute(
        select(Outbox.chat_id, Outbox.payload).where(
            Outbox.kind == KIND_DIGEST,
            Outbox.status == OutboxStatus.SENT,
            Outbox.created_at >= call.first_seen_at,
        )
    )
    for chat_id, payload in digests.tuples():
        if call.id in (payload or {}).get("call_ids", []):
            direct.add(chat_id)
    pruned = await session.execute(  # told long ago: the rows were pruned, their keys kept
        select(OutboxKey.chat_id).where(
            or_(
                and_(OutboxKey.kind == KIND_NEW_CALL, OutboxKey.subject == f"call:{call.id}"),
                and_(OutboxKey.kind == KIND_REMINDER, OutboxKey.subject.like(f"call:{call.id}:%")),
                and_(OutboxKey.kind == KIND_TOLD, OutboxKey.subject == f"call:{call.id}"),
            )
        )
    )
    direct.update(pruned.scalars())
    muted = {chat_id for chat_id, _ in await muted_pairs(session, [call.id])}
    return direct - muted


async def unwanted(session: AsyncSession, rows: Sequence[Claimed], policy: PushPolicy) -> dict[int, str]:
    """Of claimed pushes about one call, the ones their recipient no longer wants, with the reason.

    Checked just before sending: the chat is gone (its data deleted), muted the call («Ikke
    interessert»), follows none of its topics or keywords any more, or (a new-call notice) chose a
    daily or weekly digest meanwhile; or the call was closed or removed. One batch of rows costs
    six queries, not six per row.
    """
    about = [r for r in rows if r.kind in CALL_KINDS and isinstance(r.payload.get("call_id"), int)]
    if not about:
        return {}
    chats = await chats_by_id(session, (r.chat_id for r in about))
    calls = await calls_where(session, Call.id.in_(sorted({int(r.payload["call_id"]) for r in about})))
    muted = await muted_pairs(session, (c.id for c in calls))
    wanted = await following(session, chats, calls, policy, muted=muted)
    live = {c.id for c in calls if c.status in LIVE_STATUSES}
    reasons: dict[int, str] = {}
    for row in about:
        chat = chats.get(row.chat_id)
        call_id = int(row.payload["call_id"])
        reason = unwanted_reason(
            row.kind,
            notify_mode=chat.notify_mode if chat is not None else None,
            live=call_id in live,
            muted=(row.chat_id, call_id) in muted,
            follows=(row.chat_id, call_id) in wanted,
        )
        if reason is not None:
            reasons[row.id] = reason
    return reasons
