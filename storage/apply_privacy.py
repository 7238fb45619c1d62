"""A person's "Vi søker" data, for /minedata and /slettmeg (called by ``storage.privacy``).

Personal data here: the statuses the person set for their municipality, their answers to partner
introductions, the plans they made, their eligibility preference, and queued messages about them
(a partner question or introduction naming them, a request for the coordinators' help).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.applications import statuses_set_by
from storage.apply_models import ApplicationPlan, ApplicationStatus, ApplyPreference, PartnerIntro
from storage.models import Call, Outbox
from storage.partners import intros_of, side_of
from storage.rules.applications import PERSON_KINDS

__all__ = ["delete_apply", "export_apply"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_apply(session: AsyncSession, chat_id: int) -> dict[str, Any]:
    """The person's part of the export (nothing about anyone else: not the other side's answer)."""
    data: dict[str, Any] = {
        "application_statuses": [
            {"call": title, "municipality": muni, "status": status, "set_at": _iso(at)}
            for title, muni, status, at in await statuses_set_by(session, chat_id)
        ]
    }
    intros = []
    for intro, title in await intros_of(session, chat_id):
        side = side_of(intro, chat_id)
        other = intro.municipality_b if side == "a" else intro.municipality_a
        intros.append(
            {
                "call": title,
                "other_municipality": other,
                "your_answer": intro.answer_a if side == "a" else intro.answer_b,
                "asked_at": _iso(intro.asked_at),
                "introduced_at": _iso(intro.introduced_at),
            }
        )
    data["partner_introductions"] = intros
    plans = await session.execute(
        select(ApplicationPlan, Call.title)
        .join(Call, Call.id == ApplicationPlan.call_id)
        .where(ApplicationPlan.chat_id == chat_id)
        .order_by(ApplicationPlan.created_at)
    )
    data["plans_you_made"] = [
        {
            "call": title,
            "municipality": plan.municipality,
            "milestones": plan.milestones,
            "made_at": _iso(plan.created_at),
            "stopped_at": _iso(plan.stopped_at),
        }
        for plan, title in plans.tuples()
    ]
    pref = await session.get(ApplyPreference, chat_id)
    data["only_eligible_calls"] = None if pref is None else pref.only_eligible
    return data


def _count(result: Any) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


async def delete_apply(session: AsyncSession, chat_id: int | None, telegram_id: int) -> dict[str, int]:
    """Delete the person's "Vi søker" data and queued messages about them; counts per kind.

    A status the person set is deleted with them (their municipality's colleagues can set it again);
    so are the plans they made, which stops their reminders.
    """
    counts: dict[str, int] = {}
    if chat_id is not None:
        for name, query in (
            ("application_statuses", delete(ApplicationStatus).where(ApplicationStatus.chat_id == chat_id)),
            (
                "partner_introductions",
                delete(PartnerIntro).where(
                    or_(PartnerIntro.chat_a_id == chat_id, PartnerIntro.chat_b_id == chat_id)
                ),
            ),
            ("plans", delete(ApplicationPlan).where(ApplicationPlan.chat_id == chat_id)),
            ("preferences", delete(ApplyPreference).where(ApplyPreference.chat_id == chat_id)),
        ):
            counts[name] = _count(await session.execute(query))
    result = await session.execute(
        delete(Outbox).where(
            Outbox.kind.in_(PERSON_KINDS), Outbox.subject.startswith(f"{telegram_id}:", autoescape=True)
        )
    )
    counts["apply_messages_about_you"] = _count(result)
    return counts
