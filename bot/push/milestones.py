"""Milestone reminders of the plans back from a deadline ("Vi søker"), through the outbox.

``plan_milestones`` runs with the other planners every minute: what is due comes from the
database (``storage.plans.due_milestones``), so a restart loses nothing, and the outbox's unique
key (chat, kind, subject) sends each milestone once per deadline: a moved deadline gets a new
subject, so its milestones move with it. ``bot.push.milestone_checks`` checks a queued reminder
just before it goes out.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.apply_render import render_milestone
from bot.push.render import policy_for
from bot.services import Services
from storage.outbox import enqueue_for
from storage.plans import due_milestones
from storage.rules.applications import KIND_MILESTONE

log = logging.getLogger(__name__)


async def plan_milestones(session: AsyncSession, services: Services) -> int:
    """Queue the milestone reminders due now, to each of the municipality's approved contacts."""
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await due_milestones(session, now=now, tz=services.settings.tz):
        payload = render_milestone(
            due.call, due.milestone, due.plan.municipality, due.plan.id, now, services.settings
        )
        for chat in due.chats:
            if await enqueue_for(
                session,
                chat,
                kind=KIND_MILESTONE,
                subject=due.subject,
                payload=payload,
                now=now,
                policy=policy,
            ):
                count += 1
    return count
