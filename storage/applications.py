"""Municipalities on calls: each municipality's status ("Vi vurderer", "Vi søker", "Ikke aktuelt"),
set by one of its approved contacts, and the network's views of them.

A status belongs to the municipality (one per call), but the contact who set it last is recorded:
it is personal data of that contact and goes with them when they delete their data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.apply_models import ApplicationStatus
from storage.models import Call, CallStatus, Chat, Registration
from storage.registry import RegistrationStatus
from storage.rules.applications import ACTIVE, STATUSES

LIVE = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)
# A call whose deadline passed within this long still shows in the lists (a deadline today at 13:00).
_GRACE = timedelta(hours=12)

__all__ = [
    "Contact",
    "Marked",
    "contact_of",
    "contacts_of",
    "marked_calls",
    "network_calls",
    "peers",
    "set_status",
    "status_of",
    "statuses_of",
    "unmarked_calls",
]


@dataclass(frozen=True)
class Contact:
    """An approved FoUI contact: their private chat and registered municipality."""

    chat: Chat
    municipality: str


@dataclass(frozen=True)
class Marked:
    """A call with the municipalities' statuses on it (municipality, status), sorted by name."""

    call: Call
    statuses: list[tuple[str, str]]


async def contact_of(session: AsyncSession, telegram_id: int) -> Contact | None:
    """The person as an approved contact and member, or None (not registered, pending, rejected, or
    seen leaving the network's group since: the closed network's rule)."""
    row = (
        await session.execute(
            select(Chat, Registration.municipality)
            .join(Registration, Registration.chat_id == Chat.id)
            .where(
                Chat.telegram_id == telegram_id,
                Registration.status == RegistrationStatus.APPROVED,
                Chat.left_group_at.is_(None),  # seen leaving the network's group: no longer a member
            )
        )
    ).first()
    return None if row is None else Contact(row[0], row[1])


async def contacts_of(session: AsyncSession, municipality: str) -> list[Chat]:
    """The approved contacts of a municipality who can be written to (their private chats)."""
    query = (
        select(Chat)
        .join(Registration, Registration.chat_id == Chat.id)
        .where(
            Registration.municipality == municipality,
            Registration.status == RegistrationStatus.APPROVED,
            Chat.active.is_(True),
            Chat.left_group_at.is_(None),
        )
        .order_by(Chat.id)
    )
    return list((await session.execute(query)).scalars())


async def status_of(session: AsyncSession, call_id: int, municipality: str) -> ApplicationStatus | None:
    query = select(ApplicationStatus).where(
        ApplicationStatus.call_id == call_id, ApplicationStatus.municipality == municipality
    )
    return (await session.execute(query)).scalar_one_or_none()


async def set_status(
    session: AsyncSession, call_id: int, contact: Contact, status: str, now: datetime
) -> str | None:
    """Set the municipality's status on a call; returns the status it had before (None: none)."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    row = await status_of(session, call_id, contact.municipality)
    if row is None:
        session.add(
            ApplicationStatus(
                call_id=call_id,
                municipality=contact.municipality,
                status=status,
                chat_id=contact.chat.id,
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        return None
    old = row.status
    if old != status or row.chat_id != contact.chat.id:
        row.status, row.chat_id, row.updated_at = status, contact.chat.id, now
        await session.flush()
    return old


async def statuses_of(session: AsyncSession, call_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """call id -> [(municipality, status)], by municipality name."""
    ids = sorted(set(call_ids))
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(ApplicationStatus.call_id, ApplicationStatus.municipality, ApplicationStatus.status)
        .where(ApplicationStatus.call_id.in_(ids))
        .order_by(func.lower(ApplicationStatus.municipality))
    )
    for call_id, municipality, status in rows.tuples():
        found[call_id].append((municipality, status))
    return found


async def peers(session: AsyncSession, call_id: int, contact: Contact) -> list[tuple[Chat, str]]:
    """The other municipalities that consider or apply for the call, each with the contact who
    marked it (the one to ask about an introduction)."""
    rows = await session.execute(
        select(Chat, ApplicationStatus.municipality)
        .join(ApplicationStatus, ApplicationStatus.chat_id == Chat.id)
        .join(Registration, Registration.chat_id == Chat.id)
        .where(
            ApplicationStatus.call_id == call_id,
            ApplicationStatus.status.in_(ACTIVE),
            ApplicationStatus.municipality != contact.municipality,
            Chat.id != contact.chat.id,
            Registration.status == RegistrationStatus.APPROVED,  # still a contact and a member
            Chat.left_group_at.is_(None),
        )
        .order_by(ApplicationStatus.municipality)
    )
    return [(chat, municipality) for chat, municipality in rows.tuples()]


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(
        Call.status.in_(LIVE),
        or_(Call.deadline_at.is_(None), Call.deadline_at >= now - _GRACE),
    )


async def marked_calls(session: AsyncSession, municipality: str, now: datetime) -> list[tuple[Call, str]]:
    """The live calls a municipality considers or applies for, soonest deadline first (rolling last)."""
    rows = await session.execute(
        select(Call, ApplicationStatus.status)
        .join(ApplicationStatus, ApplicationStatus.call_id == Call.id)
        .where(
            ApplicationStatus.municipality == municipality,
            ApplicationStatus.status.in_(ACTIVE),
            _live(now),
        )
        .options(selectinload(Call.topics))
        .order_by(Call.deadline_at.is_(None), Call.deadline_at, Call.id)
    )
    return [(call, status) for call, status in rows.tuples()]


async def network_calls(session: AsyncSession, now: datetime, *, limit: int = 40) -> list[Marked]:
    """Live calls some municipality has marked, soonest deadline first, with every status on them."""
    ids = (
        select(ApplicationStatus.call_id)
        .where(ApplicationStatus.status.in_(STATUSES))
        .distinct()
        .scalar_subquery()
    )
    calls = list(
        (
            await session.execute(
                select(Call)
                .where(Call.id.in_(ids), _live(now))
                .order_by(Call.deadline_at.is_(None), Call.deadline_at, Call.id)
                .limit(limit)
            )
        ).scalars()
    )
    statuses = await statuses_of(session, [c.id for c in calls])
    return [Marked(call, statuses[call.id]) for call in calls]


async def unmarked_calls(session: AsyncSession, now: datetime, *, limit: int = 10) -> tuple[list[Call], int]:
    """Open calls with a deadline ahead that no municipality has looked at, soonest first; and how many."""
    marked = select(ApplicationStatus.call_id).distinct().scalar_subquery()
    where = and_(
        Call.status.in_(LIVE),
        Call.rolling.is_(False),
        Call.deadline_at.is_not(None),
        Call.deadline_at >= now,
        Call.id.not_in(marked),
    )
    total = int((await session.execute(select(func.count()).select_from(Call).where(where))).scalar_one())
    calls = (
        await session.execute(select(Call).where(where).order_by(Call.deadline_at, Call.id).limit(limit))
    ).scalars()
    return list(calls), total


async def forget_contact(session: AsyncSession, chat_id: int) -> int:
    """Delete the statuses a person set (their data); returns how many."""
    result = await session.execute(delete(ApplicationStatus).where(ApplicationStatus.chat_id == chat_id))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


async def statuses_set_by(session: AsyncSession, chat_id: int) -> Sequence[tuple[str, str, str, datetime]]:
    """(call title, municipality, status, when) for every status the person set (their export)."""
    rows = await session.execute(
        select(
            Call.title, ApplicationStatus.municipality, ApplicationStatus.status, ApplicationStatus.updated_at
        )
        .join(Call, Call.id == ApplicationStatus.call_id)
        .where(ApplicationStatus.chat_id == chat_id)
        .order_by(ApplicationStatus.updated_at)
    )
    return list(rows.tuples())
