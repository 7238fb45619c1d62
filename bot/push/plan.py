"""The planners: what is due now (reminders, digests, weekly overview, event reminders), from the
database (``storage.pushes``), queued in the outbox; run every minute by ``bot.push.jobs``."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.fanout import enqueue_for
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
from storage.digests import deadlines_between, due_digests, group_chat
from storage.outbox import enqueue
from storage.reminders import due_event_reminders, due_reminders
from storage.rules.digests import weekly_overview_moment
from storage.rules.kinds import KIND_DIGEST, KIND_EVENT_REMINDER, KIND_REMINDER, KIND_WEEKLY

log = logging.getLogger(__name__)


async def plan_reminders(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await due_reminders(session, now=now, policy=policy):
        if await enqueue_for(
            session,
            due.chat,
            kind=KIND_REMINDER,
            subject=due.subject,
            payload=render_reminder(due.call, now, services.settings),
            now=now,
            policy=policy,
        ):
            count += 1
    return count


async def plan_digests(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await due_digests(session, now=now, policy=policy):
        if await enqueue_for(
            session,
            due.chat,
            kind=KIND_DIGEST,
            subject=due.subject,
            payload=render_digest(due, now, services.settings),
            now=now,
            policy=policy,
        ):
            count += 1
    return count


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


async def plan_event_reminders(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await due_event_reminders(session, now=now, policy=policy):
        if await enqueue(
            session,
            chat_id=due.chat.id,
            kind=KIND_EVENT_REMINDER,
            subject=due.subject,
            payload=render_event_reminder(due.event, due.lead, services.settings),
            not_before=now,
        ):
            count += 1
    return count


PLANNERS = (plan_reminders, plan_event_reminders, plan_digests, plan_weekly_overview, plan_milestones)


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
