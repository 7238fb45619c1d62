"""Plans back from the deadline: a municipality's milestones for a call it applies for, the
coordinators' defaults for new plans, and which milestones are due (from the database, so a
restart loses nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.applications import contacts_of
from storage.apply_models import ApplicationPlan, ApplicationStatus, MilestoneDefault
from storage.models import Call, CallStatus, Chat
from storage.rules.applications import (
    APPLYING,
    DEFAULT_MILESTONES,
    Milestone,
    milestones_due,
    milestones_from_json,
)
from storage.rules.deadline_truth import REMINDABLE
from storage.rules.reminders import deadline_end, reminder_key

__all__ = [
    "DueMilestone",
    "default_milestones",
    "due_milestones",
    "make_plan",
    "plan_of",
    "set_default_milestones",
    "stop_plan",
]


async def default_milestones(session: AsyncSession) -> list[Milestone]:
    """The coordinators' milestones for new plans, or the built-in ones."""
    rows = (
        (await session.execute(select(MilestoneDefault).order_by(MilestoneDefault.position))).scalars().all()
    )
    return [Milestone(r.weeks, r.label) for r in rows] or list(DEFAULT_MILESTONES)


async def set_default_milestones(session: AsyncSession, milestones: Sequence[Milestone] | None) -> None:
    """Replace the defaults (None: back to the built-in ones). Plans already made keep theirs."""
    await session.execute(delete(MilestoneDefault))
    for position, m in enumerate(milestones or ()):
        session.add(MilestoneDefault(weeks=m.weeks, label=m.label, position=position))
    await session.flush()


async def plan_of(session: AsyncSession, call_id: int, municipality: str) -> ApplicationPlan | None:
    query = select(ApplicationPlan).where(
        ApplicationPlan.call_id == call_id, ApplicationPlan.municipality == municipality
    )
    return (await session.execute(query)).scalar_one_or_none()


async def make_plan(
    session: AsyncSession,
    call_id: int,
    municipality: str,
    chat_id: int,
    milestones: Sequence[Milestone],
    now: datetime,
) -> tuple[ApplicationPlan, bool]:
    """The municipality's plan for the call: made now (True), or the running one (False)."""
    plan = await plan_of(session, call_id, municipality)
    stored = [[m.weeks, m.label] for m in milestones]
    if plan is not None and plan.stopped_at is None:
        return plan, False
    if plan is None:
        plan = ApplicationPlan(call_id=call_id, municipality=municipality, chat_id=chat_id)
        session.add(plan)
    plan.chat_id, plan.milestones, plan.created_at, plan.stopped_at = chat_id, stored, now, None
    await session.flush()
    return plan, True


async def stop_plan(
    session: AsyncSession, call_id: int, municipality: str, now: datetime
) -> ApplicationPlan | None:
    """Stop a running plan (the status changed); returns it, or None if none was running."""
    plan = await plan_of(session, call_id, municipality)
    if plan is None or plan.stopped_at is not None:
        return None
    plan.stopped_at = now
    await session.flush()
    return plan


@dataclass(frozen=True)
class DueMilestone:
    plan: ApplicationPlan
    call: Call
    milestone: Milestone
    due_at: datetime
    chats: list[Chat]

    @property
    def subject(self) -> str:
        """Unique per plan, milestone and deadline: a moved deadline moves the milestone."""
        return f"plan:{self.plan.id}:{self.milestone.weeks}:{reminder_key(self.call)}"


async def due_milestones(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, contacts: dict[str, list[Chat]] | None = None
) -> list[DueMilestone]:
    """Milestones due now for running plans whose municipality still applies for a live call with a
    deadline; each for the municipality's approved contacts (``contacts`` by municipality, else read)."""
    rows = await session.execute(
        select(ApplicationPlan, Call)
        .join(Call, Call.id == ApplicationPlan.call_id)
        .join(
            ApplicationStatus,
            (ApplicationStatus.call_id == ApplicationPlan.call_id)
            & (ApplicationStatus.municipality == ApplicationPlan.municipality),
        )
        .where(
            ApplicationPlan.stopped_at.is_(None),
            ApplicationStatus.status == APPLYING,
            Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED)),
            Call.rolling.is_(False),
            Call.deadline_at.is_not(None),
            Call.deadline_state.in_(REMINDABLE),  # not while the deadline waits for a coordinator
        )
        .order_by(ApplicationPlan.id)
    )
    found: list[DueMilestone] = []
    cache = dict(contacts or {})
    for plan, call in rows.tuples():
        end = deadline_end(call)
        assert call.deadline_at is not None and end is not None
        due = milestones_due(
            call.deadline_at,
            end,
            milestones_from_json(plan.milestones),
            made_at=plan.created_at,
            now=now,
            tz=tz,
        )
        for milestone, at in due:
            if plan.municipality not in cache:
                cache[plan.municipality] = await contacts_of(session, plan.municipality)
            found.append(DueMilestone(plan, call, milestone, at, cache[plan.municipality]))
    return found
