"""Partner introductions: two municipalities on the same call, their contacts asked once whether
they want to be put in touch; nothing is shared until both say yes, and then only once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.apply_models import PartnerIntro
from storage.models import Call, Chat

YES = "yes"
NO = "no"

__all__ = ["NO", "YES", "answer", "ensure_intro", "get_intro", "intros_of", "mark_introduced", "side_of"]


async def ensure_intro(
    session: AsyncSession,
    call_id: int,
    first: tuple[Chat, str],
    second: tuple[Chat, str],
    now: datetime,
) -> PartnerIntro | None:
    """The introduction between two contacts on a call, created now; None if they were asked before."""
    (chat_a, muni_a), (chat_b, muni_b) = sorted((first, second), key=lambda side: side[0].id)
    existing = (
        await session.execute(
            select(PartnerIntro.id).where(
                PartnerIntro.call_id == call_id,
                PartnerIntro.chat_a_id == chat_a.id,
                PartnerIntro.chat_b_id == chat_b.id,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return None
    intro = PartnerIntro(
        call_id=call_id,
        chat_a_id=chat_a.id,
        chat_b_id=chat_b.id,
        municipality_a=muni_a,
        municipality_b=muni_b,
        asked_at=now,
    )
    session.add(intro)
    await session.flush()
    return intro


async def get_intro(session: AsyncSession, intro_id: int) -> PartnerIntro | None:
    return await session.get(PartnerIntro, intro_id, populate_existing=True)


def side_of(intro: PartnerIntro, chat_id: int) -> str | None:
    """ "a" or "b" for one of the two contacts, None for anyone else."""
    if chat_id == intro.chat_a_id:
        return "a"
    if chat_id == intro.chat_b_id:
        return "b"
    return None


async def answer(session: AsyncSession, intro: PartnerIntro, chat_id: int, yes: bool) -> bool:
    """Record one contact's answer (changeable until the introduction is made); False for others."""
    side = side_of(intro, chat_id)
    if side is None or intro.introduced_at is not None:
        return False
    setattr(intro, f"answer_{side}", YES if yes else NO)
    await session.flush()
    return True


async def mark_introduced(session: AsyncSession, intro_id: int, now: datetime) -> bool:
    """Mark the introduction made, once: True only for the one caller that marks it (both said yes)."""
    result = await session.execute(
        update(PartnerIntro)
        .where(
            PartnerIntro.id == intro_id,
            PartnerIntro.introduced_at.is_(None),
            PartnerIntro.answer_a == YES,
            PartnerIntro.answer_b == YES,
        )
        .values(introduced_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def intros_of(session: AsyncSession, chat_id: int) -> Sequence[tuple[PartnerIntro, str]]:
    """The person's introductions with the call's title (their export)."""
    rows = await session.execute(
        select(PartnerIntro, Call.title)
        .join(Call, Call.id == PartnerIntro.call_id)
        .where(or_(PartnerIntro.chat_a_id == chat_id, PartnerIntro.chat_b_id == chat_id))
        .order_by(PartnerIntro.asked_at)
    )
    return list(rows.tuples())
