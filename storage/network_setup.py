"""The network's group and its coordinators, kept in the database (``/oppsett``, ``/koordinatorer``).

One row of ``network_setup`` holds the connected group (or the hash of the one-time setup code while
none is connected) and where the group moved when it became a supergroup. ``coordinators`` holds the
coordinators added in the chat. FOUI_GROUP_CHAT_ID and FOUI_COORDINATOR_IDS, when set, win over both
(the composition root decides that); a group's administrators count as coordinators elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Integer, String, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import AuditLog, Base, Chat, ChatKind, Outbox, OutboxStatus, Subscription
from storage.outbox import current_telegram_id

SETUP_ROW = 1


class NetworkSetup(Base):
    """The single row (id 1): the connected group, or the setup code's hash while none is."""

    __tablename__ = "network_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    group_title: Mapped[str] = mapped_column(String(200), default="")
    # The group's id before it became a supergroup, so an old FOUI_GROUP_CHAT_ID still finds it.
    moved_from_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    connected_by: Mapped[int | None] = mapped_column(BigInteger)
    connected_at: Mapped[datetime | None] = mapped_column()
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_created_at: Mapped[datetime | None] = mapped_column()


class Coordinator(Base):
    """A coordinator added in the chat (by /oppsett or /koordinatorer); ``name`` as Telegram showed it."""

    __tablename__ = "coordinators"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column()


def code_hash(code: str) -> str:
    """The stored form of a setup code: spaces, dashes and case do not matter when it is typed."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def code_matches(code: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(code_hash(code), stored_hash)


async def get_setup(session: AsyncSession) -> NetworkSetup | None:
    return await session.get(NetworkSetup, SETUP_ROW)


async def ensure_code(session: AsyncSession, new_hash: str, *, now: datetime) -> bool:
    """Keep ``new_hash`` as the setup code if no group is connected and no code was made yet.

    Returns True when this call made the code (the first start: the caller prints it, once).
    """
    row = await get_setup(session)
    if row is None:
        session.add(NetworkSetup(id=SETUP_ROW, code_hash=new_hash, code_created_at=now))
        await session.flush()
        return True
    if row.group_telegram_id is None and row.code_hash is None:
        row.code_hash, row.code_created_at = new_hash, now
        return True
    return False


class Connect(StrEnum):
    DONE = "done"
    SAME_GROUP = "same_group"
    OTHER_GROUP = "other_group"
    WRONG_CODE = "wrong_code"


async def connect_group(
    session: AsyncSession,
    *,
    code: str,
    extra_hash: str | None,
    group_id: int,
    title: str,
    user_id: int,
    user_name: str,
    now: datetime,
) -> Connect:
    """``/oppsett <code>`` in a group: connect it and make the person the first coordinator.

    ``extra_hash`` is FOUI_SETUP_CODE's hash, accepted besides the stored code (used once). Only
    FOUI_SETUP_CODE moves the network to another group once one is connected.
    """
    row = await get_setup(session)
    if row is not None and row.group_telegram_id is not None:
        if row.group_telegram_id == group_id:
            return Connect.SAME_GROUP
        if not code_matches(code, extra_hash):  # moving to another group takes the operator's code
            return Connect.OTHER_GROUP
    if not (code_matches(code, extra_hash) or (row is not None and code_matches(code, row.code_hash))):
        return Connect.WRONG_CODE
    if row is None:
        row = NetworkSetup(id=SETUP_ROW)
        session.add(row)
    row.group_telegram_id, row.group_title = group_id, title[:200]
    row.connected_by, row.connected_at = user_id, now
    row.code_hash = None
    await add_coordinator(session, user_id, name=user_name, added_by=user_id, now=now)
    return Connect.DONE


async def list_coordinators(session: AsyncSession) -> list[Coordinator]:
    rows = await session.execute(
        select(Coordinator).order_by(func.lower(Coordinator.name), Coordinator.telegram_id)
    )
    return list(rows.scalars())


async def coordinator_ids(session: AsyncSession) -> list[int]:
    return [c.telegram_id for c in await list_coordinators(session)]


async def add_coordinator(
    session: AsyncSession, telegram_id: int, *, name: str, added_by: int | None, now: datetime
) -> bool:
    """Add (or rename) a coordinator; True when they were not one before."""
    existing = await session.get(Coordinator, telegram_id)
    if existing is not None:
        if name:
            existing.name = name[:200]
        return False
    session.add(Coordinator(telegram_id=telegram_id, name=name[:200], added_by=added_by, added_at=now))
    await session.flush()
    return True


async def remove_coordinator(session: AsyncSession, telegram_id: int) -> bool:
    result = await session.execute(delete(Coordinator).where(Coordinator.telegram_id == telegram_id))
    return bool(getattr(result, "rowcount", 0))


async def find_person(session: AsyncSession, word: str) -> Chat | None:
    """A person who has talked to the bot, by @username or numeric id."""
    word = word.strip()
    if word.lstrip("-").isdigit():
        query = select(Chat).where(Chat.telegram_id == int(word), Chat.kind == ChatKind.PRIVATE)
    else:
        name = word.removeprefix("@").casefold()
        if not name:
            return None
        query = select(Chat).where(func.lower(Chat.username) == name, Chat.kind == ChatKind.PRIVATE)
    return (await session.execute(query.limit(1))).scalar_one_or_none()


@dataclass(frozen=True)
class Moved:
    """What followed a group to its new id."""

    chat: bool
    network_group: bool


async def follow_group(
    session: AsyncSession, old_id: int, new_id: int, *, network_group: int | None
) -> Moved:
    """A group became a supergroup (``migrate_to_chat_id``): its chat row, topics and outbox rows follow.

    ``network_group`` is the network's group as the bot uses it now; when it is ``old_id``, the
    network's group follows too (also one named by FOUI_GROUP_CHAT_ID, via ``group_moved_to``).
    The chat row keeps its internal id, so subscriptions (the group's topics), settings and outbox
    rows follow with it. A row the new id got meanwhile (its first message, registered before this
    one) is folded in: its topics and pending messages move over unless the old row has them.
    """
    old = (await session.execute(select(Chat).where(Chat.telegram_id == old_id))).scalar_one_or_none()
    new = (await session.execute(select(Chat).where(Chat.telegram_id == new_id))).scalar_one_or_none()
    moved_chat = False
    if old is not None:
        if new is not None and new.id != old.id:
            await _fold_into(session, new.id, old.id)
            await session.delete(new)
            await session.flush()
        old.telegram_id = new_id
        old.kind = ChatKind.SUPERGROUP
        moved_chat = True
        session.add(
            AuditLog(action="chat_migrated", detail={"from": old_id, "to": new_id, "chat_id": old.id})
        )
    row = await get_setup(session)
    moved_network = False
    if row is not None and row.group_telegram_id == old_id:
        row.group_telegram_id, row.moved_from_telegram_id = new_id, old_id
        moved_network = True
    elif network_group == old_id:  # the group named by FOUI_GROUP_CHAT_ID: remember where it went
        if row is None:
            row = NetworkSetup(id=SETUP_ROW)
            session.add(row)
        row.moved_from_telegram_id, row.group_telegram_id = old_id, new_id
        moved_network = True
    await session.flush()
    return Moved(moved_chat, moved_network)


async def _fold_into(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Move the topics and pending messages of chat ``source_id`` to ``target_id`` (no duplicates)."""
    have = set(
        (
            await session.execute(select(Subscription.topic_id).where(Subscription.chat_id == target_id))
        ).scalars()
    )
    await session.execute(
        update(Subscription)
        .where(Subscription.chat_id == source_id, Subscription.topic_id.not_in(have or {-1}))
        .values(chat_id=target_id)
        .execution_options(synchronize_session=False)
    )
    keys = set(
        (
            await session.execute(select(Outbox.kind, Outbox.subject).where(Outbox.chat_id == target_id))
        ).tuples()
    )
    pending = await session.execute(
        select(Outbox).where(Outbox.chat_id == source_id, Outbox.status == OutboxStatus.PENDING)
    )
    for row in pending.scalars():
        if (row.kind, row.subject) not in keys:
            row.chat_id = target_id
    await session.flush()


async def current_group_id(session: AsyncSession, group_id: int) -> int:
    """The id a group known as ``group_id`` has now, if it became a supergroup.

    Both ways Telegram tells it are followed: the service message (``follow_group``) and a send that
    answered ``ChatMigrated`` (the sender records it, ``storage.outbox.migrate_chat``).
    """
    row = await get_setup(session)
    if row is not None and row.moved_from_telegram_id == group_id and row.group_telegram_id is not None:
        group_id = row.group_telegram_id
    return await current_telegram_id(session, group_id)


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any] | None:
    """For /minedata: whether the person is a coordinator added in the chat, and since when."""
    row = await session.get(Coordinator, telegram_id)
    if row is None:
        return None
    return {"name": row.name, "since": row.added_at.isoformat()}


async def forget_person(session: AsyncSession, telegram_id: int) -> dict[str, int]:
    """For /slettmeg: no longer a coordinator here; who added others or connected the group, forgotten."""
    removed = await remove_coordinator(session, telegram_id)
    added = await session.execute(
        update(Coordinator)
        .where(Coordinator.added_by == telegram_id)
        .values(added_by=None)
        .execution_options(synchronize_session=False)
    )
    connected = await session.execute(
        update(NetworkSetup)
        .where(NetworkSetup.connected_by == telegram_id)
        .values(connected_by=None)
        .execution_options(synchronize_session=False)
    )
    return {
        "coordinator": int(removed),
        "coordinators_added_anonymised": int(getattr(added, "rowcount", 0) or 0)
        + int(getattr(connected, "rowcount", 0) or 0),
    }
