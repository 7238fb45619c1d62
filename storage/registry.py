"""The FoUI contact registry: registrations, approved contacts, coverage and group membership.

A registration says "this person is the FoUI contact for this municipality, in this role". It starts
``pending``; a coordinator approves or rejects it. A new request replaces the old row; the buttons
under a notice carry the request's ``token`` (a hash of what was asked and when), so a button under
an old notice can never decide a newer request, even where the database reuses the row id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatKind, Registration

MAX_ROLE = 200


class RegistrationStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Submitted:
    """What ``submit`` did."""

    NEW = "new"  # a new request, waiting for a coordinator
    ROLE_UPDATED = "role_updated"  # an approved contact changed only the role: stays approved
    UNCHANGED = "unchanged"  # the same request again


# Outbox kinds and subjects of this room; the subject starts with the person's Telegram id so that
# storage.privacy can find and delete every queued message about a person.
KIND_REGISTRATION = "network.registration"
KIND_DECISION = "network.decision"
KIND_JOIN_REQUEST = "network.join_request"
KIND_LEFT = "network.left"
NETWORK_KINDS = (KIND_REGISTRATION, KIND_DECISION, KIND_JOIN_REQUEST, KIND_LEFT)


def subject_about(telegram_id: int, *parts: object) -> str:
    """An outbox subject about one person: ``"<telegram id>:<parts>"``."""
    return ":".join(str(p) for p in (telegram_id, *parts))


@dataclass(frozen=True)
class Contact:
    telegram_id: int
    name: str
    username: str | None
    municipality: str
    role: str


@dataclass
class Coverage:
    """Approved contacts per listed municipality, and what is pending."""

    covered: dict[str, int] = field(default_factory=dict)
    uncovered: list[str] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)
    # Approved contacts for names no longer in the configured list.
    unlisted: dict[str, int] = field(default_factory=dict)


def clean_role(role: str) -> str:
    return " ".join(role.split())[:MAX_ROLE]


async def registration_of(session: AsyncSession, telegram_id: int) -> Registration | None:
    """The person's registration (their private chat's), if any."""
    query = (
        select(Registration)
        .join(Chat, Chat.id == Registration.chat_id)
        .where(Chat.telegram_id == telegram_id)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_registration(session: AsyncSession, registration_id: int) -> Registration | None:
    return await session.get(Registration, registration_id)


async def submit(
    session: AsyncSession, chat: Chat, municipality: str, role: str, now: datetime
) -> tuple[Registration, str]:
    """Register ``chat`` as contact for ``municipality``; returns the row and a ``Submitted`` value.

    An approved contact who keeps the municipality and changes only the role stays approved;
    anything else is a new pending request that replaces the old one.
    """
    role = clean_role(role)
    existing = (
        await session.execute(select(Registration).where(Registration.chat_id == chat.id))
    ).scalar_one_or_none()
    if existing is not None and existing.municipality == municipality:
        if existing.status == RegistrationStatus.APPROVED:
            if existing.role == role:
                return existing, Submitted.UNCHANGED
            existing.role = role
            await session.flush()
            return existing, Submitted.ROLE_UPDATED
        if existing.status == RegistrationStatus.PENDING and existing.role == role:
            return existing, Submitted.UNCHANGED
    if existing is not None:
        await session.execute(delete(Registration).where(Registration.id == existing.id))
    registration = Registration(
        chat_id=chat.id,
        municipality=municipality,
        role=role,
        status=RegistrationStatus.PENDING,
        created_at=now,
    )
    session.add(registration)
    await session.flush()
    return registration, Submitted.NEW


async def chat_of(session: AsyncSession, registration: Registration) -> Chat:
    """The private chat a registration belongs to."""
    chat = await session.get(Chat, registration.chat_id)
    if chat is None:  # the foreign key makes this impossible
        raise LookupError(f"registration {registration.id} has no chat")
    return chat


def request_token(registration: Registration) -> str:
    """A short fingerprint of one request: what was asked, by whom and when."""
    raw = "|".join(
        (
            str(registration.chat_id),
            registration.municipality,
            registration.role,
            registration.created_at.isoformat() if registration.created_at else "",
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:10]


async def decide(
    session: AsyncSession,
    registration_id: int,
    *,
    approve: bool,
    decided_by: int,
    now: datetime,
    token: str | None = None,
) -> Registration | None:
    """Approve or reject a pending registration; None if it is gone, replaced or already decided.

    ``token`` (from ``request_token``) must match when given. The update only matches a pending
    row, so two coordinators pressing at once decide it once.
    """
    if token is not None:
        current = await session.get(Registration, registration_id, populate_existing=True)
        if current is None or request_token(current) != token:
            return None
    status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED
    result = await session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == RegistrationStatus.PENDING)
        .values(status=status, decided_by=decided_by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    registration = await session.get(Registration, registration_id, populate_existing=True)
    return registration


async def is_approved(session: AsyncSession, telegram_id: int) -> bool:
    registration = await registration_of(session, telegram_id)
    return registration is not None and registration.status == RegistrationStatus.APPROVED


async def approved_contacts(
    session: AsyncSession, municipalities: Iterable[str] | None = None
) -> list[Contact]:
    """Approved contacts, by municipality then name; only the given municipalities when told."""
    query = (
        select(Chat.telegram_id, Chat.name, Chat.username, Registration.municipality, Registration.role)
        .join(Chat, Chat.id == Registration.chat_id)
        .where(Registration.status == RegistrationStatus.APPROVED)
    )
    if municipalities is not None:
        query = query.where(Registration.municipality.in_(list(municipalities)))
    rows = (await session.execute(query)).all()
    contacts = [Contact(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    return sorted(contacts, key=lambda c: (c.municipality.casefold(), c.name.casefold(), c.telegram_id))


async def coverage(session: AsyncSession, names: Sequence[str]) -> Coverage:
    """Which listed municipalities have an approved contact, which do not, and what is pending."""
    rows = (await session.execute(select(Registration.municipality, Registration.status))).all()
    approved: dict[str, int] = {}
    pending: dict[str, int] = {}
    for municipality, status in rows:
        if status == RegistrationStatus.APPROVED:
            approved[municipality] = approved.get(municipality, 0) + 1
        elif status == RegistrationStatus.PENDING:
            pending[municipality] = pending.get(municipality, 0) + 1
    listed = set(names)
    result = Coverage()
    for name in names:
        if approved.get(name):
            result.covered[name] = approved[name]
        else:
            result.uncovered.append(name)
        if pending.get(name):
            result.pending[name] = pending[name]
    result.unlisted = {name: count for name, count in sorted(approved.items()) if name not in listed}
    return result


async def pending_registrations(session: AsyncSession) -> Sequence[Registration]:
    query = (
        select(Registration)
        .where(Registration.status == RegistrationStatus.PENDING)
        .order_by(Registration.created_at, Registration.id)
    )
    return (await session.execute(query)).scalars().all()


async def set_in_group(
    session: AsyncSession, telegram_id: int, in_group: bool, *, left_at: datetime | None = None
) -> bool:
    """Record whether a person is in the network's group; False if the bot does not know them.

    ``left_at`` marks that they were seen leaving (or being removed); joining clears the mark.
    """
    values: dict[str, Any] = {"in_group": in_group}
    if in_group:
        values["left_group_at"] = None
    elif left_at is not None:
        values["left_group_at"] = left_at
    result = await session.execute(
        update(Chat)
        .where(Chat.telegram_id == telegram_id, Chat.kind == ChatKind.PRIVATE)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def private_chat_ids(session: AsyncSession, telegram_ids: Iterable[int]) -> dict[int, int]:
    """Telegram id -> database id of the known, active private chats among ``telegram_ids``."""
    ids = list(set(telegram_ids))
    if not ids:
        return {}
    query = select(Chat.telegram_id, Chat.id).where(
        Chat.telegram_id.in_(ids), Chat.kind == ChatKind.PRIVATE, Chat.active.is_(True)
    )
    return {int(tid): int(cid) for tid, cid in (await session.execute(query)).all()}


async def set_invite(
    session: AsyncSession, registration_id: int, link: str | None, expires_at: datetime | None
) -> None:
    """Keep (or, with None, forget) the personal invite link made for a registration."""
    await session.execute(
        update(Registration)
        .where(Registration.id == registration_id)
        .values(invite_link=link[:200] if link else None, invite_expires_at=expires_at if link else None)
        .execution_options(synchronize_session=False)
    )


async def invite_owner(session: AsyncSession, link: str) -> int | None:
    """The Telegram id of the person a personal invite link was made for, if it is one of ours."""
    query = (
        select(Chat.telegram_id)
        .join(Registration, Registration.chat_id == Chat.id)
        .where(Registration.invite_link == link[:200])
    )
    return (await session.execute(query)).scalar_one_or_none()
