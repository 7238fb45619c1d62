"""Queued pushes that change before they go out: re-rendered, cancelled, muted, or released from
the quiet hours.

What is due is worked out elsewhere from the database's state and the time (``storage.notices``,
``storage.reminders``, ``storage.digests``), so a restart, a second process or a changed deadline
all go through the same code, and the outbox's unique key (chat, kind, subject) makes running it
twice harmless. The pure rules are in ``storage.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Call, CallMute, Chat, Outbox, OutboxStatus
from storage.rules.kinds import CANCELLED_MUTED, KIND_DEADLINE_CHANGED, KIND_REMINDER
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QUIET_HELD, quiet_end
from storage.types import utcnow

# isort: split


async def rewrite_pending(session: AsyncSession, kind: str, subject: str, payload: dict[str, Any]) -> int:
    """Give every queued, not yet sent row of (kind, subject) this payload, in one statement (a
    notice whose call changed before it went out, to tens of thousands of chats)."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.kind == kind, Outbox.subject == subject, Outbox.status == OutboxStatus.PENDING)
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def cancel_pending(
    session: AsyncSession, call_ids: Iterable[int], *, kinds: Sequence[str], reason: str
) -> int:
    """Cancel the queued, not yet sent pushes of these kinds about these calls, with the reason.

    A closed call is not announced or reminded of; a reminder with an old deadline is not sent.
    Rows already claimed by a sender are left to it (at most the one in flight goes out).
    """
    ids = sorted(set(call_ids))
    if not ids:
        return 0
    about = or_(*(or_(Outbox.subject == f"call:{cid}", Outbox.subject.like(f"call:{cid}:%")) for cid in ids))
    result = await session.execute(
        update(Outbox)
        .where(Outbox.kind.in_(list(kinds)), Outbox.status == OutboxStatus.PENDING, about)
        .values(status=OutboxStatus.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def follow_quiet_hours(session: AsyncSession, *, now: datetime, policy: PushPolicy) -> int:
    """Rows held back for the quiet hours (``QUIET_HELD``) follow the chat's quiet hours as they are
    now: released at once when they no longer hold them (changed or switched off), or at the new
    end when it comes earlier. (A row whose new quiet hours end later is held longer by the sender
    when it comes due.) Returns how many rows were moved earlier."""
    held = and_(
        Outbox.status == OutboxStatus.PENDING,
        Outbox.last_error == QUIET_HELD,
        Outbox.next_attempt_at > now,
    )
    rows = await session.execute(
        select(Outbox.chat_id, Chat.quiet_hours, func.max(Outbox.next_attempt_at))
        .join(Chat, Chat.id == Outbox.chat_id)
        .where(held)
        .group_by(Outbox.chat_id, Chat.quiet_hours)
    )
    moved = 0
    for chat_id, quiet_text, latest in rows.tuples():
        release = quiet_end(now, policy.quiet_from(quiet_text), policy.tz)
        if latest is None or release >= latest:
            continue
        result = await session.execute(
            update(Outbox)
            .where(held, Outbox.chat_id == chat_id, Outbox.next_attempt_at > release)
            .values(next_attempt_at=release)
            .execution_options(synchronize_session=False)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
    return moved


async def mute_call(session: AsyncSession, *, telegram_id: int, call_id: int, now: datetime) -> bool:
    """The chat wants nothing more about this call; False if the chat or call is unknown.

    Reminders already queued but not sent are cancelled too.
    """
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    call = await session.get(Call, call_id)
    if chat is None or call is None:
        return False
    exists = (
        await session.execute(
            select(CallMute.id).where(CallMute.chat_id == chat.id, CallMute.call_id == call_id)
        )
    ).scalar_one_or_none()
    if exists is None:
        session.add(CallMute(chat_id=chat.id, call_id=call_id, created_at=now))
    await session.execute(
        update(Outbox)
        .where(
            Outbox.chat_id == chat.id,
            Outbox.status == OutboxStatus.PENDING,
            or_(
                and_(Outbox.kind == KIND_REMINDER, Outbox.subject.like(f"call:{call_id}:%")),
                and_(Outbox.kind == KIND_DEADLINE_CHANGED, Outbox.subject.like(f"call:{call_id}:%")),
            ),
        )
        .values(status=OutboxStatus.CANCELLED, last_error=CANCELLED_MUTED)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return True


async def unmute_call(session: AsyncSession, *, telegram_id: int, call_id: int) -> bool:
    """The chat wants this call again. The chat's row is marked changed (``updated_at``), so the
    reminder planner, which looks only at what is newly due, looks at this chat again at its next
    run and queues a reminder the mute held back (``storage.reminders_marks.chats_changed``); the
    reminders the mute cancelled are forgotten, so their keys do not stop that (the planner decides
    afresh which one is due, rendered as of then)."""
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    if chat is None:
        return False
    row = (
        await session.execute(
            select(CallMute).where(CallMute.chat_id == chat.id, CallMute.call_id == call_id)
        )
    ).scalar_one_or_none()
    if row is not None:
        await session.delete(row)
        await session.execute(
            delete(Outbox)
            .where(
                Outbox.chat_id == chat.id,
                Outbox.kind == KIND_REMINDER,
                Outbox.subject.like(f"call:{call_id}:%"),
                Outbox.status == OutboxStatus.CANCELLED,
                Outbox.last_error == CANCELLED_MUTED,
            )
            .execution_options(synchronize_session=False)
        )
        chat.updated_at = utcnow()  # the wall clock, as chats_changed compares it
        await session.flush()
    return True
