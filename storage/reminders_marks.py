"""What the reminder planner must look at now: only what is newly due since its last run.

The planner keeps marks (in the process, ``ReminderMarks``) of its last run: the time, the state of
each call in the reminder horizon with the moments its reminders fall on (for each lead time,
quiet hours and digest hour some chat uses), and how far it has read new subscriptions and
keyword alerts. A run then asks only about

- calls whose reminder moments the clock passed since the last run;
- calls that are new in the horizon or changed: first seen, a new or moved deadline, a deadline a
  coordinator confirmed (``deadline_state``/``deadline_decided_at``: a reminder whose moment
  passed while the deadline waited is still planned, exactly as for a changed deadline), a
  changed status;
- chats that changed (their lead times, quiet hours, digest hour, active again) or started
  following something;

and everything once when it has no marks (the very first run, the clock set back, a new lead time
or quiet hours in use). The rule of what is due is the same either way (``storage.reminders``).

The small part of the marks (the clock and wall time of the last run, the lead times or quiet hours
in use, how far subscriptions and alerts were read) is stored in ``bot_state`` (kind "planner") in
the transaction that queued what the run found, so a restart or a replica that becomes the planner
leader carries on from there: with no per-call state in memory (``known`` False) a call is looked at
when the clock passed one of its moments, or when it was first seen, changed or had its deadline
decided since the last run (less a margin); chats as above.
"""

from __future__ import annotations

import asyncio
import bisect
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import bot_state
from storage.models import Call, Chat, Event, KeywordAlert, Rsvp, Subscription
from storage.pushes_bulk import ChatRow
from storage.reminders import longest_lead, remindable, upcoming_events
from storage.rules.policy import PushPolicy
from storage.rules.reminders import EVENT_LEADS, event_reminder_moment, reminder_moment

PLANNER = "planner"  # bot_state kind of the planners' marks (storage.bot_state; never python-telegram-bot's)

# Chats whose row changed this long before the last run are looked at again (clocks of two
# processes, a transaction that committed late).
CHAT_MARGIN = timedelta(minutes=5)
YIELD_EVERY = 500  # calls whose moments are worked out between two yields to the event loop

Lead = tuple[int, str | None, int | None]  # (days, quiet hours, digest hour)


class _Deadline(NamedTuple):
    deadline_at: datetime | None
    deadline_has_time: bool
    rolling: bool


@dataclass
class ReminderMarks:
    at: datetime | None = None  # the planner's clock at its last run
    wall: datetime | None = None  # the wall clock then (rows' updated_at are written with it)
    leads: frozenset[Lead] = frozenset()
    state: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # horizon call -> its state
    moments: dict[int, list[datetime]] = field(default_factory=dict)  # horizon call -> moments
    subscription_id: int = 0
    alert_id: int = 0
    # False for marks read back from the database: ``state`` and ``moments`` are not known then.
    known: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "wall": _iso(self.wall),
            "leads": sorted([list(lead) for lead in self.leads], key=repr),
            "subscription_id": self.subscription_id,
            "alert_id": self.alert_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReminderMarks:
        leads = frozenset((int(d), q, None if h is None else int(h)) for d, q, h in data["leads"])
        at, wall = _dt(data["at"]), _dt(data["wall"])
        return cls(at, wall, leads, {}, {}, int(data["subscription_id"]), int(data["alert_id"]), known=False)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


async def load_marks(session: AsyncSession, name: str) -> dict[str, Any] | None:
    """A planner's stored marks (``bot_state``, kind "planner"), or None (none, or unreadable)."""
    raw = await bot_state.load_one(session, PLANNER, name, "")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def save_marks(session: AsyncSession, name: str, data: dict[str, Any], *, now: datetime) -> None:
    """Store a planner's marks in the caller's transaction (the one that queued what it found)."""
    await bot_state.save(
        session, PLANNER, name, "", json.dumps(data, separators=(",", ":"), sort_keys=True), now=now
    )


def _changed_since(stamps: tuple[Any, ...], since: datetime) -> bool:
    return any(stamp is not None and stamp > since for stamp in stamps)


@dataclass(frozen=True)
class NewlyDue:
    everything: bool
    horizon: list[int]  # the calls in the horizon
    call_ids: set[int]  # to look at for every follower
    chat_ids: set[int]  # to look at for every call in the horizon


async def _leads(session: AsyncSession, policy: PushPolicy) -> frozenset[Lead]:
    rows = await session.execute(
        select(cast(Chat.reminder_days, Text), Chat.quiet_hours, Chat.digest_hour)
        .where(Chat.active.is_(True))
        .distinct()
    )
    leads: set[Lead] = set()
    for raw, quiet, hour in rows.tuples():
        try:
            days = json.loads(raw) if raw else None
        except ValueError:
            days = None
        prefs = ChatRow(0, "", quiet, days if isinstance(days, list) else None, hour, True)
        leads.update((d, quiet, hour) for d in policy.reminder_days_for(prefs))
    return frozenset(leads)


async def _moments(state: _Deadline, leads: frozenset[Lead], policy: PushPolicy) -> list[datetime]:
    found = set()
    for days, quiet, hour in leads:
        at = reminder_moment(state, days, ChatRow(0, "", quiet, None, hour, True), policy)
        if at is not None:
            found.add(at)
    return sorted(found)


async def newly_due(
    session: AsyncSession, marks: ReminderMarks | None, *, now: datetime, wall: datetime, policy: PushPolicy
) -> tuple[NewlyDue, ReminderMarks]:
    """What to look at now, and the marks to keep once what it finds is committed."""
    leads = await _leads(session, policy)
    rows = await session.execute(
        select(
            Call.id,
            Call.deadline_at,
            Call.deadline_has_time,
            Call.rolling,
            Call.status,
            Call.deadline_state,
            Call.deadline_decided_at,
            Call.first_seen_at,
            Call.last_changed_at,
        ).where(remindable(now, await longest_lead(session, policy)))
    )
    state: dict[int, tuple[Any, ...]] = {row[0]: tuple(row[1:]) for row in rows.tuples()}
    subscription_id, alert_id = await following_marks(session)
    everything = (
        marks is None or marks.at is None or marks.wall is None or now < marks.at or leads != marks.leads
    )
    fresh = ReminderMarks(now, wall, leads, state, {}, subscription_id, alert_id)
    call_ids: set[int] = set()
    # Read back after a restart: a call is new to this run only if it changed since the last one
    # (its columns are written with the planner's clock; the earlier of the two clocks, less a margin).
    restored = None
    if not everything and marks is not None and not marks.known:
        assert marks.at is not None and marks.wall is not None
        restored = min(marks.at, marks.wall) - CHAT_MARGIN
    for n, (call_id, values) in enumerate(state.items()):
        old = None if everything or marks is None else marks.state.get(call_id)
        if old == values and marks is not None:
            fresh.moments[call_id] = marks.moments[call_id]
        else:
            fresh.moments[call_id] = await _moments(_Deadline(*values[:3]), leads, policy)
            # (deadline_decided_at, first_seen_at, last_changed_at)
            if restored is None or _changed_since(values[5:], restored):
                call_ids.add(call_id)
        if n % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)
    if everything or marks is None or marks.at is None or marks.wall is None:
        return NewlyDue(True, sorted(state), set(state), set()), fresh
    since = marks.at
    for call_id, moments in fresh.moments.items():
        # A moment in (since, now]: the clock passed one of this call's lead times.
        i = bisect.bisect_right(moments, since)
        if i < len(moments) and moments[i] <= now:
            call_ids.add(call_id)
    chat_ids = await chats_changed(
        session, wall=marks.wall, subscription_id=marks.subscription_id, alert_id=marks.alert_id
    )
    return NewlyDue(False, sorted(state), call_ids, chat_ids), fresh


async def following_marks(session: AsyncSession) -> tuple[int, int]:
    """How far subscriptions and keyword alerts go now (their ids only grow)."""
    subscription_id = (await session.execute(select(func.max(Subscription.id)))).scalar_one() or 0
    alert_id = (await session.execute(select(func.max(KeywordAlert.id)))).scalar_one() or 0
    return int(subscription_id), int(alert_id)


async def chats_changed(
    session: AsyncSession, *, wall: datetime, subscription_id: int, alert_id: int
) -> set[int]:
    """Chats whose row changed since ``wall`` (less a margin), or that started following a topic
    or keyword since those marks."""
    chat_ids = set(
        (await session.execute(select(Chat.id).where(Chat.updated_at > wall - CHAT_MARGIN))).scalars()
    )
    chat_ids.update(
        (
            await session.execute(select(Subscription.chat_id).where(Subscription.id > subscription_id))
        ).scalars()
    )
    chat_ids.update(
        (await session.execute(select(KeywordAlert.chat_id).where(KeywordAlert.id > alert_id))).scalars()
    )
    return chat_ids


@dataclass
class EventMarks:
    at: datetime
    wall: datetime
    quiets: frozenset[str | None]
    state: dict[int, tuple[Any, ...]]
    moments: dict[int, list[datetime]]
    subscription_id: int
    alert_id: int
    known: bool = True  # False when read back from the database (no state, no moments)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "wall": self.wall.isoformat(),
            "quiets": sorted(self.quiets, key=repr),
            "subscription_id": self.subscription_id,
            "alert_id": self.alert_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventMarks:
        return cls(
            datetime.fromisoformat(data["at"]),
            datetime.fromisoformat(data["wall"]),
            frozenset(data["quiets"]),
            {},
            {},
            int(data["subscription_id"]),
            int(data["alert_id"]),
            known=False,
        )


async def newly_due_events(
    session: AsyncSession, marks: Any, *, now: datetime, wall: datetime, policy: PushPolicy
) -> tuple[NewlyDue, EventMarks]:
    """The event reminders to look at now (``NewlyDue.call_ids`` holds event ids here): events whose
    lead-time moment the clock passed since the last run, new or changed events, events with new
    answers; chats that changed or started following something (for every upcoming event)."""
    quiets = frozenset(
        (await session.execute(select(Chat.quiet_hours).where(Chat.active.is_(True)).distinct())).scalars()
    )
    rows = await session.execute(
        select(Event.id, Event.starts_at, Event.created_at, Event.cancelled, Event.changed_at).where(
            upcoming_events(now)
        )
    )
    state: dict[int, tuple[Any, ...]] = {row[0]: tuple(row[1:]) for row in rows.tuples()}
    subscription_id, alert_id = await following_marks(session)
    fresh = EventMarks(now, wall, quiets, state, {}, subscription_id, alert_id)
    old = marks if isinstance(marks, EventMarks) and marks.at <= now and marks.quiets == quiets else None
    event_ids: set[int] = set()
    # Read back after a restart: an event is new to this run only if it was created or changed since.
    restored = None if old is None or old.known else min(old.at, old.wall) - CHAT_MARGIN
    for event_id, values in state.items():
        if old is not None and old.state.get(event_id) == values:
            fresh.moments[event_id] = old.moments[event_id]
            continue
        if restored is None or _changed_since((values[1], values[3]), restored):
            event_ids.add(event_id)
        fresh.moments[event_id] = sorted(
            {
                event_reminder_moment(values[0], lead, policy.quiet_from(quiet), policy.tz)
                for lead, _ in EVENT_LEADS
                for quiet in quiets
            }
        )
    if old is None:
        return NewlyDue(True, sorted(state), set(state), set()), fresh
    for event_id, moments in fresh.moments.items():
        i = bisect.bisect_right(moments, old.at)
        if i < len(moments) and moments[i] <= now:
            event_ids.add(event_id)
    if state:
        answered = await session.execute(
            select(Rsvp.event_id)
            .where(Rsvp.event_id.in_(sorted(state)), Rsvp.updated_at > old.wall - CHAT_MARGIN)
            .distinct()
        )
        event_ids.update(answered.scalars())
    chat_ids = await chats_changed(
        session, wall=old.wall, subscription_id=old.subscription_id, alert_id=old.alert_id
    )
    return NewlyDue(False, sorted(state), event_ids, chat_ids if state else set()), fresh
