"""Due reminders, worked out from the database: deadline reminders for calls and event reminders.

The moments themselves are pure rules (``storage.rules.reminders``); here are the queries that
find who follows what. Running them twice is harmless: the outbox's unique key (chat, kind,
subject) refuses a second copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.chunks import Budget, chunked
from storage.following import calls_where, muted_pairs, recipients
from storage.models import Call, CallStatus, Chat, DeadlineChange, Event, Rsvp, Subscription
from storage.pushes_bulk import ChatRow, chat_rows
from storage.rules.audience import event_audience
from storage.rules.deadline_truth import REMINDABLE
from storage.rules.policy import PushPolicy
from storage.rules.reminders import (
    deadline_end,
    event_reminder_subject,
    latest_event_reminder,
    latest_reminder,
    reminder_key,
    reminder_subject,
)


@dataclass(frozen=True)
class ReminderDue:
    call: Call
    chat: ChatRow
    days: int
    at: datetime

    @property
    def subject(self) -> str:
        return reminder_subject(self.call.id, reminder_key(self.call), self.days)


async def _deadline_set_at(session: AsyncSession, call_ids: Iterable[int]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for part in chunked(call_ids):
        rows = await session.execute(
            select(DeadlineChange.call_id, func.max(DeadlineChange.changed_at))
            .where(DeadlineChange.call_id.in_(part))
            .group_by(DeadlineChange.call_id)
        )
        found.update((call_id, at) for call_id, at in rows.tuples() if at is not None)
    return found


async def custom_reminder_days(session: AsyncSession) -> list[int]:
    """Every lead time some chat chose (read as the distinct choices, not chat by chat)."""
    rows = await session.execute(
        select(cast(Chat.reminder_days, Text)).where(Chat.reminder_days.is_not(None)).distinct()
    )
    days: set[int] = set()
    for raw in rows.scalars():
        try:
            chosen = json.loads(raw) if raw else []
        except ValueError:
            continue
        days.update(int(d) for d in chosen if isinstance(d, int | float) and 0 <= int(d) <= 365)
    return sorted(days)


def remindable(now: datetime, longest: int) -> Any:
    """The calls reminders may be due for: open, with a deadline in the horizon, not waiting."""
    return and_(
        Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED)),
        Call.rolling.is_(False),
        Call.deadline_at.is_not(None),
        Call.deadline_at <= now + timedelta(days=longest + 2),
        Call.deadline_at >= now - timedelta(days=1),
        Call.deadline_state.in_(REMINDABLE),  # not while it waits for a coordinator
    )


async def longest_lead(session: AsyncSession, policy: PushPolicy) -> int:
    return max([*policy.default_reminder_days, 0, *await custom_reminder_days(session)])


async def due_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    policy: PushPolicy,
    call_ids: Iterable[int] | None = None,
    chat_ids: Iterable[int] | None = None,
) -> list[ReminderDue]:
    """The reminders due now, worked out from the database (``call_ids`` and ``chat_ids`` limit
    it to these calls and chats: the planner asks only about what is newly due).

    For each open call with a deadline still ahead, and each active chat that follows it and has
    not muted it: of the chat's lead times whose moment has come, the latest one, provided that
    moment came after the chat could have known of the deadline (the call first seen, the
    deadline last changed, the chat started following). Earlier lead times that were missed are
    not sent late: the latest reminder says how many days are left.
    """
    where = remindable(now, await longest_lead(session, policy))
    if call_ids is None:
        calls = await calls_where(session, where)
    else:
        calls = []
        for part in chunked(call_ids):
            calls += await calls_where(session, and_(where, Call.id.in_(part)))
    calls = [c for c in calls if (end := deadline_end(c)) is not None and end > now]
    if not calls:
        return []
    found = await recipients(session, calls, policy, chat_ids=chat_ids)
    budget = Budget()
    wanted: set[int] = set()
    for per in found.values():  # 100 calls × 17,500 followers in one expression blocked the loop
        wanted.update(per)
        await budget.tick()
    chats = await chat_rows(session, wanted)
    muted = await muted_pairs(session, (c.id for c in calls))
    changed = await _deadline_set_at(session, (c.id for c in calls))
    due: list[ReminderDue] = []
    for call in calls:
        known = max(call.first_seen_at, changed.get(call.id, call.first_seen_at))
        # The latest lead time that has come depends only on the chat's preferences, of which
        # there are few kinds: worked out once per kind, then compared with when each chat knew.
        latest_for: dict[tuple[Any, ...], tuple[int, datetime] | None] = {}
        for n, (chat_id, since) in enumerate(found[call.id].items()):
            if n % 250 == 249:
                await budget.tick()
            if (chat_id, call.id) in muted or chat_id not in chats:
                continue
            chat = chats[chat_id]
            prefs = (
                tuple(chat.reminder_days or ()),
                chat.reminder_days is None,
                chat.quiet_hours,
                chat.digest_hour,
            )
            if prefs not in latest_for:
                latest_for[prefs] = latest_reminder(call, chat, policy, now=now, earliest=_EARLIEST)
            latest = latest_for[prefs]
            if latest is not None and latest[1] >= max(known, since):
                due.append(ReminderDue(call, chat, *latest))
        await budget.tick()
    return due


_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class EventReminderDue:
    event: Event
    chat: ChatRow
    lead: str
    at: datetime

    @property
    def subject(self) -> str:
        return event_reminder_subject(self.event.id, self.event.starts_at, self.lead)


def upcoming_events(now: datetime) -> Any:
    """The events event reminders may be due for: not cancelled, starting within a day (and a bit)."""
    return and_(
        Event.cancelled.is_(False),
        Event.starts_at > now,
        Event.starts_at <= now + timedelta(days=1, hours=2),
    )


async def due_event_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    policy: PushPolicy,
    event_ids: Iterable[int] | None = None,
    chat_ids: Iterable[int] | None = None,
) -> list[EventReminderDue]:
    """Reminders for events that start within a day: to those who said yes and to the followers
    of the event's topics (not to those who said no); only the latest lead time that has come.
    ``event_ids`` and ``chat_ids`` limit it to these events and chats."""
    query = select(Event).options(selectinload(Event.topics)).where(upcoming_events(now))
    if event_ids is not None:
        query = query.where(Event.id.in_(sorted(set(event_ids))))
    events = list((await session.execute(query)).scalars().unique())
    if not events:
        return []
    ids = [e.id for e in events]
    answers: dict[int, dict[int, str]] = {}
    for event_id, chat_id, answer in (
        await session.execute(select(Rsvp.event_id, Rsvp.chat_id, Rsvp.answer).where(Rsvp.event_id.in_(ids)))
    ).tuples():
        answers.setdefault(event_id, {})[chat_id] = answer
    topic_ids = sorted({t.id for e in events for t in e.topics})
    followers: dict[int, set[int]] = {}
    if topic_ids:
        for topic_id, chat_id in (
            await session.execute(
                select(Subscription.topic_id, Subscription.chat_id).where(
                    Subscription.topic_id.in_(topic_ids)
                )
            )
        ).tuples():
            followers.setdefault(topic_id, set()).add(chat_id)
    wanted = {
        event.id: event_audience(
            answers.get(event.id, {}), (cid for t in event.topics for cid in followers.get(t.id, set()))
        )
        for event in events
    }
    if chat_ids is not None:
        among = set(chat_ids)
        wanted = {event_id: {c for c in ids_ if c in among} for event_id, ids_ in wanted.items()}
    chats = await chat_rows(session, (cid for ids_ in wanted.values() for cid in ids_))
    due = []
    for event in events:
        for chat_id in sorted(wanted[event.id]):
            chat = chats.get(chat_id)
            if chat is None or not chat.active:
                continue
            latest = latest_event_reminder(
                event.starts_at, event.created_at, policy.quiet_for(chat), policy.tz, now=now
            )
            if latest is not None:
                due.append(EventReminderDue(event, chat, *latest))
    return due
