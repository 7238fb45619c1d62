"""Digests and the weekly overview, from the database: what each daily or weekly member is due,
the deadlines in a span, and the network group's chat row the overview goes to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chunks import Budget, chunked
from storage.following import calls_where, recipients
from storage.models import Call, CallStatus, Chat, ChatKind, NotifyMode, Outbox
from storage.outbox import current_telegram_id
from storage.rules.audience import LIVE_STATUSES
from storage.rules.digests import digest_subject, digest_window, in_digest
from storage.rules.kinds import KIND_DIGEST
from storage.rules.policy import PushPolicy
from storage.rules.reminders import deadline_end


@dataclass(frozen=True)
class DigestDue:
    chat: Chat
    mode: str
    scheduled: datetime
    start: datetime
    calls: list[Call]

    @property
    def subject(self) -> str:
        return digest_subject(self.mode, self.scheduled)


DIGEST_MODES = (NotifyMode.DAILY, NotifyMode.WEEKLY)


async def digest_chats_due(
    session: AsyncSession, *, now: datetime, since: datetime | None, policy: PushPolicy
) -> list[int]:
    """The active digest chats whose digest moment came after ``since`` (None: all of them).

    Asked as the few distinct (mode, hour) choices first, then only the chats of those that are
    due: between two digest hours this reads no chats at all."""
    query = select(Chat.id).where(Chat.active.is_(True), Chat.notify_mode.in_(DIGEST_MODES))
    if since is not None:
        choices = await session.execute(
            select(Chat.notify_mode, Chat.digest_hour)
            .where(Chat.active.is_(True), Chat.notify_mode.in_(DIGEST_MODES))
            .distinct()
        )
        due = []
        for mode, hour in choices.tuples():
            scheduled, _ = digest_window(
                now, mode, hour if hour is not None else policy.default_digest_hour, policy.tz
            )
            if scheduled > since:
                same_hour = Chat.digest_hour.is_(None) if hour is None else Chat.digest_hour == hour
                due.append(and_(Chat.notify_mode == mode, same_hour))
        if not due:
            return []
        query = query.where(or_(*due))
    return list((await session.execute(query.order_by(Chat.id))).scalars())


async def due_digests(
    session: AsyncSession, *, now: datetime, policy: PushPolicy, chat_ids: Iterable[int] | None = None
) -> list[DigestDue]:
    """Digests due now: for each member on daily or weekly (of ``chat_ids``, if given), what was
    first seen since the last one."""
    query = select(Chat).where(Chat.active.is_(True), Chat.notify_mode.in_(DIGEST_MODES))
    chats: list[Chat] = []
    for part in [None] if chat_ids is None else chunked(chat_ids):
        where = query if part is None else query.where(Chat.id.in_(part))
        chats += (await session.execute(where)).scalars()
    if not chats:
        return []
    plans = {
        chat.id: digest_window(now, chat.notify_mode, policy.digest_hour_for(chat), policy.tz)
        for chat in chats
    }
    done: set[tuple[int, str]] = set()
    for part in chunked(c.id for c in chats):
        rows = await session.execute(
            select(Outbox.chat_id, Outbox.subject).where(Outbox.kind == KIND_DIGEST, Outbox.chat_id.in_(part))
        )
        done.update(rows.tuples().all())
    earliest = min(start for _, start in plans.values())
    calls = await calls_where(
        session,
        and_(Call.first_seen_at >= earliest, Call.first_seen_at < now, Call.status.in_(LIVE_STATUSES)),
    )
    calls = [c for c in calls if (end := deadline_end(c)) is None or end > now]
    found = await recipients(session, calls, policy, chat_ids=None if chat_ids is None else plans)
    # Each call's followers are checked against their own digest window as the calls come, so only
    # the calls picked are kept (not every (chat, call) pair: hundreds of thousands of small objects,
    # and the garbage collector's full passes over them, blocked the event loop).
    wanting = {
        chat.id: plans[chat.id]
        for chat in chats
        if (chat.id, digest_subject(chat.notify_mode, plans[chat.id][0])) not in done
    }
    budget = Budget()
    picked: dict[int, list[Call]] = {}
    for call in calls:
        seen = call.first_seen_at
        for chat_id, since in found[call.id].items():
            window = wanting.get(chat_id)
            if window is not None and in_digest(seen, since, window[1], window[0]):
                picked.setdefault(chat_id, []).append(call)
        await budget.tick()
    result = []
    for chat in chats:
        chosen = picked.get(chat.id)
        if chosen:
            scheduled, start = plans[chat.id]
            chosen.sort(key=lambda c: (deadline_end(c) or datetime.max.replace(tzinfo=UTC), c.id))
            result.append(DigestDue(chat, chat.notify_mode, scheduled, start, chosen))
            await budget.tick()
    return result


async def deadlines_between(session: AsyncSession, start: datetime, end: datetime) -> list[Call]:
    """Open calls whose deadline falls from ``start`` (whole days count to their end) to ``end``."""
    calls = await calls_where(
        session,
        and_(
            Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED)),
            Call.rolling.is_(False),
            Call.deadline_at.is_not(None),
            Call.deadline_at >= start - timedelta(days=1),
            Call.deadline_at <= end,
        ),
    )
    calls = [c for c in calls if (e := deadline_end(c)) is not None and e >= start]
    calls.sort(key=lambda c: (c.deadline_at or start, c.id))
    return calls


async def group_chat(session: AsyncSession, telegram_id: int, *, now: datetime) -> Chat:
    """The network group's chat row (following recorded migrations), created when missing."""
    current = await current_telegram_id(session, telegram_id)
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == current))).scalar_one_or_none()
    if chat is None:
        chat = Chat(telegram_id=current, kind=ChatKind.SUPERGROUP, name="", in_group=True, created_at=now)
        session.add(chat)
        await session.flush()
    return chat
