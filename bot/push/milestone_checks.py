"""Checks of milestone reminders ("Vi søker" plans): just before a queued one goes out (the plan
still runs, the municipality still applies, the deadline is the same), and cancelling a stopped
plan's queued reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from storage.applications import status_of
from storage.apply_models import ApplicationPlan
from storage.following import load_call
from storage.models import Outbox, OutboxStatus
from storage.rules.applications import APPLYING, KIND_MILESTONE
from storage.rules.audience import LIVE_STATUSES
from storage.rules.deadline_truth import REMINDABLE
from storage.rules.kinds import CANCELLED_CLOSED, CANCELLED_DEADLINE, CANCELLED_EXPIRED, CANCELLED_WAITING
from storage.rules.reminders import deadline_end, reminder_key

CANCELLED_PLAN_STOPPED = "planen er stoppet (statusen er endret)"


async def cancel_plan_reminders(
    session: AsyncSession, plan_id: int, reason: str = CANCELLED_PLAN_STOPPED
) -> int:
    """Cancel the plan's queued reminders that have not gone out (the status changed)."""
    result = await session.execute(
        update(Outbox)
        .where(
            Outbox.kind == KIND_MILESTONE,
            Outbox.status == OutboxStatus.PENDING,
            Outbox.subject.like(f"plan:{int(plan_id)}:%"),
        )
        .values(status=OutboxStatus.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def refresh_milestone(
    session: AsyncSession, services: Services, payload: dict[str, Any], now: datetime
) -> dict[str, Any] | str:
    """A queued milestone reminder as it should go out now, or the reason it should not."""
    plan = await session.get(ApplicationPlan, payload.get("plan_id") or 0)
    if plan is None or plan.stopped_at is not None:
        return CANCELLED_PLAN_STOPPED
    status = await status_of(session, plan.call_id, plan.municipality)
    if status is None or status.status != APPLYING:
        return CANCELLED_PLAN_STOPPED
    call = await load_call(session, plan.call_id)
    if call is None or call.status not in LIVE_STATUSES:
        return CANCELLED_CLOSED
    if payload.get("deadline_key") != reminder_key(call):
        return CANCELLED_DEADLINE
    if call.deadline_state not in REMINDABLE:
        return CANCELLED_WAITING
    end = deadline_end(call)
    if end is None or end <= now:
        return CANCELLED_EXPIRED
    return payload
