"""A call's conditions as read from its text (who may apply, amounts): stored once per call.

The reading itself is ``feeds.eligibility`` (the poll wing runs it); this module keeps the result
(``CallConditions``: the verdict for a municipality and the JSON reading with its evidence) and
answers the questions the bot asks of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.apply_models import ApplyPreference, CallConditions
from storage.models import Call, CallStatus, Chat, Registration, Subscription
from storage.registry import RegistrationStatus

CHUNK = 500

__all__ = [
    "calls_to_read",
    "conditions_of",
    "eligibility_setting",
    "only_eligible",
    "set_only_eligible",
    "store_conditions",
    "verdicts",
]


async def store_conditions(
    session: AsyncSession,
    call_id: int,
    *,
    verdict: str,
    data: Mapping[str, Any],
    text_hash: str,
    now: datetime,
) -> bool:
    """Keep a call's reading; True if it is new or changed (the same text is not read twice)."""
    row = await session.get(CallConditions, call_id)
    if row is None:
        session.add(
            CallConditions(
                call_id=call_id, verdict=verdict, data=dict(data), text_hash=text_hash, extracted_at=now
            )
        )
        await session.flush()
        return True
    if row.text_hash == text_hash and row.verdict == verdict and row.data == dict(data):
        return False
    row.verdict, row.data, row.text_hash, row.extracted_at = verdict, dict(data), text_hash, now
    await session.flush()
    return True


async def text_hashes(session: AsyncSession, call_ids: Sequence[int]) -> dict[int, str]:
    """The text hash each call's stored reading was made from."""
    found: dict[int, str] = {}
    for i in range(0, len(call_ids), CHUNK):
        rows = await session.execute(
            select(CallConditions.call_id, CallConditions.text_hash).where(
                CallConditions.call_id.in_(call_ids[i : i + CHUNK])
            )
        )
        found.update({cid: h for cid, h in rows.tuples()})
    return found


async def conditions_of(session: AsyncSession, call_ids: Iterable[int]) -> dict[int, CallConditions]:
    """The stored readings of these calls (a call without one is missing from the answer)."""
    ids = sorted(set(call_ids))
    found: dict[int, CallConditions] = {}
    for i in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(CallConditions).where(CallConditions.call_id.in_(ids[i : i + CHUNK]))
        )
        found.update({row.call_id: row for row in rows.scalars()})
    return found


async def verdicts(session: AsyncSession, call_ids: Iterable[int]) -> dict[int, str]:
    """call id -> verdict ("kan_soke", "kan_delta", "ikke", "ukjent"); unread calls are left out."""
    return {cid: row.verdict for cid, row in (await conditions_of(session, call_ids)).items()}


async def calls_to_read(session: AsyncSession, *, limit: int = 500) -> list[Call]:
    """Open calls from sources that have no stored reading yet (calls from before this feature)."""
    query = (
        select(Call)
        .outerjoin(CallConditions, CallConditions.call_id == Call.id)
        .where(
            CallConditions.call_id.is_(None),
            Call.manual.is_(False),
            Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)),
        )
        .order_by(Call.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


# ---- the member's preference: only what the municipality can apply for or take part in ---------


async def only_eligible(session: AsyncSession, chat_id: int) -> bool:
    """The member's choice; by default on for approved contacts (their municipality is known), off for others."""
    pref = await session.get(ApplyPreference, chat_id)
    if pref is not None:
        return pref.only_eligible
    status = (
        await session.execute(select(Registration.status).where(Registration.chat_id == chat_id))
    ).scalar_one_or_none()
    return status == RegistrationStatus.APPROVED


async def eligibility_setting(session: AsyncSession, chat_id: int) -> bool | None:
    """The setting as /innstillinger shows it: None for a member it does not concern (no approved
    registration, so no municipality, and nothing chosen)."""
    pref = await session.get(ApplyPreference, chat_id)
    if pref is not None:
        return pref.only_eligible
    status = (
        await session.execute(select(Registration.status).where(Registration.chat_id == chat_id))
    ).scalar_one_or_none()
    return True if status == RegistrationStatus.APPROVED else None


async def set_only_eligible(session: AsyncSession, chat_id: int, on: bool, now: datetime) -> None:
    pref = await session.get(ApplyPreference, chat_id)
    if pref is None:
        session.add(ApplyPreference(chat_id=chat_id, only_eligible=on, updated_at=now))
    else:
        pref.only_eligible, pref.updated_at = on, now
    await session.flush()


async def listing_view(session: AsyncSession, telegram_id: int) -> tuple[int, frozenset[int], bool] | None:
    """What a chat's /frister depends on, in one query: its database id, the topics it follows and
    ``only_eligible`` (as that function tells it); None for a chat not registered yet."""
    query = (
        select(Chat.id, Subscription.topic_id, ApplyPreference.only_eligible, Registration.status)
        .select_from(Chat)
        .outerjoin(Subscription, Subscription.chat_id == Chat.id)
        .outerjoin(ApplyPreference, ApplyPreference.chat_id == Chat.id)
        .outerjoin(Registration, Registration.chat_id == Chat.id)
        .where(Chat.telegram_id == telegram_id)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    chat_id, _, chosen, status = rows[0]
    only = chosen if chosen is not None else status == RegistrationStatus.APPROVED
    return chat_id, frozenset(r.topic_id for r in rows if r.topic_id is not None), bool(only)
