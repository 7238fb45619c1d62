"""Membership of the network as queries: the rule of ``storage.rules.membership`` in SQL.

Every push for members only (announcements, tips, event invitations, reminders, changes and
cancellations) asks here, when it is queued and again just before it is sent.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chunks import chunked
from storage.models import Chat, ChatKind, Registration
from storage.rules.membership import APPROVED, Standing, is_member


def member_clause(coordinator_ids: Collection[int] = ()) -> ColumnElement[bool]:
    """On ``Chat``: a private chat whose person is a member (``storage.rules.membership``)."""
    approved = select(Registration.chat_id).where(Registration.status == APPROVED)
    found: list[ColumnElement[bool]] = [
        Chat.in_group.is_(True),
        and_(Chat.id.in_(approved), Chat.left_group_at.is_(None)),
    ]
    if coordinator_ids:
        found.append(Chat.telegram_id.in_(sorted(set(coordinator_ids))))
    return and_(Chat.kind == ChatKind.PRIVATE, or_(*found))


async def member_chat_ids(session: AsyncSession, *, coordinator_ids: Collection[int] = ()) -> list[int]:
    """Every member the bot can write to (their private chats' database ids), by id."""
    query = select(Chat.id).where(member_clause(coordinator_ids), Chat.active.is_(True)).order_by(Chat.id)
    return list((await session.execute(query)).scalars())


async def members_among(
    session: AsyncSession, chat_ids: Iterable[int], *, coordinator_ids: Collection[int] = ()
) -> set[int]:
    """Which of these chats (database ids) are members' private chats."""
    found: set[int] = set()
    for part in chunked(chat_ids):  # no statement carries more than CHUNK ids
        query = select(Chat.id).where(Chat.id.in_(part), member_clause(coordinator_ids))
        found.update((await session.execute(query)).scalars())
    return found


async def only_members(
    session: AsyncSession,
    chat_ids: Iterable[int],
    *,
    network_group_id: int | None,
    coordinator_ids: Collection[int] = (),
) -> list[int]:
    """These chats (database ids, order kept) without those that may not get the network's own
    material: only members' private chats and the network's group (``network_group_id``) stay."""
    ids = list(dict.fromkeys(chat_ids))
    members = await members_among(session, ids, coordinator_ids=coordinator_ids)
    return [i for i in ids if i in members or (network_group_id is not None and i == network_group_id)]


async def standing_of(
    session: AsyncSession, telegram_id: int, *, coordinator_ids: Collection[int] = ()
) -> Standing:
    """What decides one person's membership, as stored now."""
    row = (
        await session.execute(
            select(Chat.in_group, Chat.left_group_at, Registration.status)
            .outerjoin(Registration, Registration.chat_id == Chat.id)
            .where(Chat.telegram_id == telegram_id, Chat.kind == ChatKind.PRIVATE)
        )
    ).first()
    coordinator = telegram_id in set(coordinator_ids)
    if row is None:
        return Standing(False, None, None, coordinator)
    return Standing(bool(row[0]), row[1], row[2], coordinator)


async def is_member_now(
    session: AsyncSession, telegram_id: int, *, coordinator_ids: Collection[int] = ()
) -> bool:
    return is_member(await standing_of(session, telegram_id, coordinator_ids=coordinator_ids))
