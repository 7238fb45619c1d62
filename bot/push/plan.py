"""The planners: what is due now (reminders, digests, weekly overview, event reminders), from the
database (``storage.pushes``), queued in the outbox; run every minute by ``bot.push.jobs``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.milestones import plan_milestones
from bot.push.render import (
    WEEKLY_DAYS,
    WEEKLY_HOUR,
    policy_for,
    render_digest,
    render_event_reminder,
    render_reminder,
    render_weekly,
)
from bot.services import Services
from storage.chunks import Budget
from storage.digests import deadlines_between, digest_chats_due, due_digests, group_chat
from storage.fanouts import prune_fanouts
from storage.membership import only_members
from storage.outbox import enqueue
from storage.outbox_prune import prune_audit, prune_outbox
from storage.pushes_bulk import enqueue_group, enqueue_rows
from storage.reminders import ReminderDue, due_event_reminders, due_reminders
from storage.reminders_marks import (
    EventMarks,
    ReminderMarks,
    chats_changed,
    following_marks,
    load_marks,
    newly_due,
    newly_due_events,
    save_marks,
)
from storage.rules.digests import weekly_overview_moment
from storage.rules.kinds import KIND_DIGEST, KIND_EVENT_REMINDER, KIND_REMINDER, KIND_WEEKLY
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QUIET_HELD, quiet_end
from storage.rules.reminders import deadline_end, send_moment
from storage.types import utcnow

log = logging.getLogger(__name__)


REMINDER_MARKS = "reminder_marks"
CALLS_PER_BATCH = 100  # calls looked at per step of a reminder run (bounded memory; yields between)
CHATS_PER_BATCH = 2_000


async def plan_reminders(session: AsyncSession, services: Services) -> int:
    """Queue the reminders newly due since the last run (``storage.reminders_marks``), a batch of
    calls or chats at a time, each batch committed before the next one starts (queueing is
    idempotent, so a crash half-way loses nothing and repeats nothing); the marks are stored with the
    last batch and kept in the process once it has committed."""
    now = services.now()
    policy = policy_for(services.settings)
    marks = await _marks(session, services, REMINDER_MARKS, ReminderMarks.from_json)
    wall = utcnow()
    newly, fresh = await newly_due(session, marks, now=now, wall=wall, policy=policy)
    calls = sorted(newly.call_ids)
    chats = sorted(newly.chat_ids)
    batches: list[dict[str, list[int]]] = [
        {"call_ids": calls[start : start + CALLS_PER_BATCH]}
        for start in range(0, len(calls), CALLS_PER_BATCH)
    ]
    batches += [
        {"call_ids": newly.horizon, "chat_ids": chats[start : start + CHATS_PER_BATCH]}
        for start in range(0, len(chats), CHATS_PER_BATCH)
    ]
    count = 0
    for n, batch in enumerate(batches):
        if n:
            await session.commit()  # the batch before is queued for good: bounded transactions
            session.expunge_all()  # and its calls leave the session: memory stays bounded too
        found = await due_reminders(session, now=now, policy=policy, **batch)
        count += await _queue_reminders(session, found, services, policy)
        await asyncio.sleep(0)
    await store_marks(session, services, REMINDER_MARKS, fresh, fresh.to_json(), wall=wall)
    return count


async def _queue_reminders(
    session: AsyncSession, found: list[ReminderDue], services: Services, policy: PushPolicy
) -> int:
    """A reminder found due inside the quiet hours waits for them to end, unless that would be
    too late for the deadline: then it goes now, marked urgent (``send_moment``). Rendered once
    per call, queued in one statement per group of chats that get the same row."""
    now = services.now()
    rendered: dict[int, dict[str, Any]] = {}
    groups: dict[tuple[int, str, bool, datetime, str | None], list[int]] = {}
    moments: dict[tuple[int, str | None], tuple[datetime, bool]] = {}
    budget = Budget()
    for n, due in enumerate(found):
        if due.call.id not in rendered:
            rendered[due.call.id] = render_reminder(due.call, now, services.settings)
        known = moments.get((due.call.id, due.chat.quiet_hours))
        if known is None:
            end = deadline_end(due.call)
            quiet = policy.quiet_for(due.chat)
            known = (
                (quiet_end(now, quiet, policy.tz), False)
                if end is None
                else send_moment(now, end, quiet, policy.tz)
            )
            moments[(due.call.id, due.chat.quiet_hours)] = known
        at, urgent = known
        key = (due.call.id, due.subject, urgent, at, QUIET_HELD if at > now else None)
        groups.setdefault(key, []).append(due.chat.id)
        if n % 250 == 249:
            await budget.tick()
    count = 0
    for (call_id, subject, urgent, at, note), chat_ids in groups.items():
        payload = rendered[call_id]
        count += await enqueue_group(
            session,
            chat_ids,
            kind=KIND_REMINDER,
            subject=subject,
            payload={**payload, "urgent": True} if urgent else payload,
            not_before=at,
            note=note,
        )
    return count


DIGEST_MARKS = "digest_marks"
DIGEST_CHATS_PER_BATCH = 1_000


@dataclass(frozen=True)
class DigestMarks:
    at: datetime  # the planner's clock at its last run
    wall: datetime  # the wall clock then
    subscription_id: int
    alert_id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "wall": self.wall.isoformat(),
            "subscription_id": self.subscription_id,
            "alert_id": self.alert_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestMarks:
        return cls(
            datetime.fromisoformat(data["at"]),
            datetime.fromisoformat(data["wall"]),
            int(data["subscription_id"]),
            int(data["alert_id"]),
        )


async def plan_digests(session: AsyncSession, services: Services) -> int:
    """Queue the digests newly due: chats whose digest hour came since the last run, and chats
    that changed (mode, hour) or started following something; all of them when there is no last
    run. A batch of chats at a time."""
    now = services.now()
    policy = policy_for(services.settings)
    marks = await _marks(session, services, DIGEST_MARKS, DigestMarks.from_json)
    if not isinstance(marks, DigestMarks) or now < marks.at:
        marks = None
    chats = set(await digest_chats_due(session, now=now, since=marks.at if marks else None, policy=policy))
    wall = utcnow()
    fresh = DigestMarks(now, wall, *await following_marks(session))
    if marks is not None:
        chats |= await chats_changed(
            session, wall=marks.wall, subscription_id=marks.subscription_id, alert_id=marks.alert_id
        )
    count = 0
    ordered = sorted(chats)
    budget = Budget()
    for start in range(0, len(ordered), DIGEST_CHATS_PER_BATCH):
        if start:
            await session.commit()  # the batch before is queued for good: bounded transactions
        rows = []
        for due in await due_digests(
            session, now=now, policy=policy, chat_ids=ordered[start : start + DIGEST_CHATS_PER_BATCH]
        ):
            await budget.tick()
            at = quiet_end(now, policy.quiet_for(due.chat), policy.tz)
            rows.append(
                {
                    "chat_id": due.chat.id,
                    "kind": KIND_DIGEST,
                    "subject": due.subject,
                    "payload": render_digest(due, now, services.settings),
                    "not_before": at,
                    "note": QUIET_HELD if at > now else None,
                }
            )
        count += await enqueue_rows(session, rows)
        session.expunge_all()
        await asyncio.sleep(0)
    await store_marks(session, services, DIGEST_MARKS, fresh, fresh.to_json(), wall=wall)
    return count


async def _marks(
    session: AsyncSession, services: Services, key: str, decode: Callable[[dict[str, Any]], Any]
) -> Any:
    """A planner's marks: this process's own, or, when it has none (after a restart, or on a replica
    that became the planner leader), those stored in the database. None when there are none.

    Marks of this process older than the stored ones (another replica planned meanwhile) are still
    right: the run looks again at what came since then, and queueing it twice queues nothing."""
    kept = services.extras.get(key)
    if kept is not None:
        return kept
    data = await load_marks(session, key)
    if data is None:
        return None
    try:
        return decode(data)
    except (KeyError, TypeError, ValueError):
        log.warning("the stored %s cannot be read; planning as on a first run", key)
        return None


async def store_marks(
    session: AsyncSession, services: Services, key: str, value: Any, data: dict[str, Any], *, wall: datetime
) -> None:
    """Store a planner's marks in the transaction that queued what it found (``bot_state``, kind
    "planner"), and keep them in the process once it has committed."""
    await save_marks(session, key, data, now=wall)
    keep_after_commit(session, services, key, value)


def keep_after_commit(session: AsyncSession, services: Services, key: str, value: Any) -> None:
    """Keep a planner's marks once the transaction that queued what it found has committed."""

    def _keep(_session: Any) -> None:
        services.extras[key] = value

    event.listen(session.sync_session, "after_commit", _keep, once=True)


async def plan_weekly_overview(session: AsyncSession, services: Services) -> int:
    """ "Ukas frister" to the network group on Mondays from 08:00 (once a week)."""
    settings = services.settings
    if settings.group_chat_id is None:
        return 0
    now = services.now()
    moment = weekly_overview_moment(now, settings.tz, WEEKLY_HOUR)
    if moment is None:
        return 0
    chat = await group_chat(session, settings.group_chat_id, now=now)
    if not chat.active:
        return 0
    calls = await deadlines_between(session, now, now + timedelta(days=WEEKLY_DAYS))
    year, week, _ = moment.astimezone(settings.tz).isocalendar()
    queued = await enqueue(
        session,
        chat_id=chat.id,
        kind=KIND_WEEKLY,
        subject=f"weekly:{year}-W{week:02d}",
        payload=render_weekly(calls, now, settings),
        not_before=now,
    )
    return int(queued)


EVENT_MARKS = "event_marks"


async def plan_event_reminders(session: AsyncSession, services: Services) -> int:
    """Queue the event reminders newly due (``storage.reminders_marks.newly_due_events``): events
    whose lead-time moment the clock passed, new or changed events, new answers; changed chats."""
    now = services.now()
    policy = policy_for(services.settings)
    marks = await _marks(session, services, EVENT_MARKS, EventMarks.from_json)
    wall = utcnow()
    newly, fresh = await newly_due_events(session, marks, now=now, wall=wall, policy=policy)
    found = []
    if newly.call_ids:
        found += await due_event_reminders(session, now=now, policy=policy, event_ids=newly.call_ids)
    if newly.chat_ids:
        found += await due_event_reminders(session, now=now, policy=policy, chat_ids=newly.chat_ids)
    # Event reminders are the network's own material: members (and the network's group) only.
    allowed = set(
        await only_members(
            session,
            (d.chat.id for d in found),
            network_group_id=await _network_group_id(session, services),
            coordinator_ids=services.settings.coordinator_ids,
        )
    )
    groups: dict[tuple[int, str, str], list[int]] = {}
    events = {}
    for due in (d for d in found if d.chat.id in allowed):
        events[due.event.id] = due.event
        groups.setdefault((due.event.id, due.subject, due.lead), []).append(due.chat.id)
    count = 0
    for (event_id, subject, lead), chat_ids in groups.items():
        count += await enqueue_group(
            session,
            chat_ids,
            kind=KIND_EVENT_REMINDER,
            subject=subject,
            payload=render_event_reminder(events[event_id], lead, services.settings),
            not_before=now,
        )
    await store_marks(session, services, EVENT_MARKS, fresh, fresh.to_json(), wall=wall)
    return count


async def _network_group_id(session: AsyncSession, services: Services) -> int | None:
    group = services.settings.group_chat_id
    return None if group is None else (await group_chat(session, group, now=services.now())).id


PRUNE_MARK = "prune_mark"
PRUNE_EVERY = timedelta(hours=1)


async def plan_pruning(session: AsyncSession, services: Services) -> int:
    """Once an hour: finished outbox rows past ``FOUI_OUTBOX_RETENTION_DAYS`` (their keys kept), done
    fan-outs as old, and audit entries past ``FOUI_AUDIT_RETENTION_DAYS``. Returns how many outbox rows went."""
    now = services.now()
    last = await _marks(session, services, PRUNE_MARK, lambda data: datetime.fromisoformat(data["at"]))
    if isinstance(last, datetime) and last <= now < last + PRUNE_EVERY:
        return 0
    settings = services.settings
    pruned = await prune_outbox(session, now=now, days=settings.outbox_retention_days)
    audit = await prune_audit(session, now=now, days=settings.audit_retention_days)
    await prune_fanouts(session, before=now - timedelta(days=settings.outbox_retention_days))
    if pruned or audit:
        log.info("pruned %d old outbox rows and %d audit entries", pruned, audit)
    await store_marks(session, services, PRUNE_MARK, now, {"at": now.isoformat()}, wall=utcnow())
    return 0


PLANNERS = (
    plan_reminders,
    plan_event_reminders,
    plan_digests,
    plan_weekly_overview,
    plan_milestones,
    plan_pruning,
)


async def plan_all(services: Services) -> dict[str, int]:
    """Queue everything that is due now; each planner in its own transaction, so one failing
    does not hold back the others. Returns how many rows each queued."""
    counts: dict[str, int] = {}
    for planner in PLANNERS:
        try:
            async with services.session() as session:
                counts[planner.__name__] = await planner(session, services)
        except Exception:
            log.exception("%s failed; it runs again in a minute", planner.__name__)
            counts[planner.__name__] = 0
    return counts
