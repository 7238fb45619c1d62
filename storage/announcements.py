"""Announcements and tips: who gets them, their copies in the outbox, correction and withdrawal.

Each copy is one outbox row (kind "announcement", subject "announcement:<id>"), so the database
refuses a second copy to the same chat. The sender records each copy's Telegram message id;
correcting edits those copies and withdrawing deletes them, within 24 hours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.events import topic_subscriber_ids
from storage.membership import member_chat_ids, only_members
from storage.models import Announcement, Chat, ChatKind, Outbox, OutboxStatus
from storage.outbox import enqueue
from storage.topics import topics_by_slug

OUTBOX_KIND = "announcement"
EDIT_WINDOW = timedelta(hours=24)


def subject_for(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


async def group_chat(session: AsyncSession, telegram_id: int, *, now: datetime) -> Chat:
    """The network group's chat row (made if the bot has not seen the group yet)."""
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    if chat is None:
        chat = Chat(
            telegram_id=telegram_id,
            kind=ChatKind.SUPERGROUP,
            name="FoUI-gruppa",
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(chat)
        await session.flush()
    return chat


@dataclass(frozen=True)
class Audience:
    """Who gets it: the group, every member, and/or the subscribers of some topics."""

    group: bool = False
    members: bool = False
    topics: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "members": self.members, "topics": list(self.topics)}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Audience:
        return cls(bool(value.get("group")), bool(value.get("members")), tuple(value.get("topics") or ()))

    @property
    def empty(self) -> bool:
        return not (self.group or self.members or self.topics)


async def audience_chat_ids(
    session: AsyncSession,
    audience: Audience,
    *,
    group_telegram_id: int | None,
    now: datetime,
    coordinator_ids: Collection[int] = (),
) -> tuple[list[int], int | None]:
    """The recipients' chat ids (no duplicates, group first) and the group's chat id if included.

    This is the network's own material: only members (``storage.membership``) and the network's
    group get it, whoever else follows the topics.
    """
    ids: list[int] = []
    group_id: int | None = None
    if audience.group and group_telegram_id is not None:
        group = await group_chat(session, group_telegram_id, now=now)
        if group.active:
            group_id = group.id
            ids.append(group.id)
    if audience.members:
        ids.extend(await member_chat_ids(session, coordinator_ids=coordinator_ids))
    if audience.topics:
        topic_ids = [t.id for t in await topics_by_slug(session, audience.topics)]
        ids.extend(await topic_subscriber_ids(session, topic_ids))
    # The network's group only when it was chosen (it may follow the topics too).
    ids = await only_members(session, ids, network_group_id=group_id, coordinator_ids=coordinator_ids)
    return ids, group_id


async def create_announcement(
    session: AsyncSession,
    *,
    kind: str,
    author_id: int | None,
    text_html: str,
    audience: Audience,
    pin: bool,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> Announcement:
    """``extra`` is kept with the audience (a tip's link and topic names, to redraw a correction)."""
    announcement = Announcement(
        kind=kind,
        author_id=author_id,
        text_html=text_html,
        audience={**audience.as_dict(), **(extra or {})},
        pin=pin,
        created_at=now,
    )
    session.add(announcement)
    await session.flush()
    return announcement


async def enqueue_copies(
    session: AsyncSession,
    announcement: Announcement,
    chat_ids: Iterable[int],
    *,
    payload: dict[str, Any],
    now: datetime,
    pin_chat_id: int | None = None,
) -> int:
    """One outbox row per chat; the group's copy may be pinned. Returns how many were queued."""
    queued = 0
    for chat_id in chat_ids:
        body = dict(payload)
        body["pin"] = bool(announcement.pin and chat_id == pin_chat_id)
        if await enqueue(
            session,
            chat_id=chat_id,
            kind=OUTBOX_KIND,
            subject=subject_for(announcement.id),
            payload=body,
            not_before=now,
        ):
            queued += 1
    return queued


async def get_announcement(session: AsyncSession, announcement_id: int) -> Announcement | None:
    return await session.get(Announcement, announcement_id)


async def editable_announcements(
    session: AsyncSession, *, now: datetime, limit: int = 10
) -> Sequence[Announcement]:
    """Sent in the last 24 hours and not withdrawn: these can still be corrected or withdrawn."""
    query = (
        select(Announcement)
        .where(Announcement.created_at > now - EDIT_WINDOW, Announcement.withdrawn_at.is_(None))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


def can_change(announcement: Announcement, now: datetime) -> bool:
    return announcement.withdrawn_at is None and now - announcement.created_at < EDIT_WINDOW


@dataclass(frozen=True)
class Copy:
    outbox_id: int
    telegram_chat_id: int
    message_id: int | None
    status: str


async def copies(session: AsyncSession, announcement_id: int) -> list[Copy]:
    query = (
        select(Outbox.id, Chat.telegram_id, Outbox.telegram_message_id, Outbox.status)
        .join(Chat, Chat.id == Outbox.chat_id)
        .where(Outbox.kind == OUTBOX_KIND, Outbox.subject == subject_for(announcement_id))
        .order_by(Outbox.id)
    )
    return [Copy(*row) for row in (await session.execute(query)).tuples().all()]


async def cancel_pending(session: AsyncSession, announcement_id: int) -> int:
    """Stop the copies not yet sent. Returns how many."""
    result = await session.execute(
        update(Outbox)
        .where(
            Outbox.kind == OUTBOX_KIND,
            Outbox.subject == subject_for(announcement_id),
            Outbox.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def set_pending_text(
    session: AsyncSession, announcement_id: int, text: str, extra: dict[str, Any] | None = None
) -> int:
    """Copies not yet sent go out with the corrected text (and ``extra``, which replaces what the
    payload said about writing it again in its reader's language). Returns how many."""
    rows = (
        await session.execute(
            select(Outbox).where(
                Outbox.kind == OUTBOX_KIND,
                Outbox.subject == subject_for(announcement_id),
                Outbox.status == OutboxStatus.PENDING,
            )
        )
    ).scalars()
    changed = 0
    for row in rows:
        kept = {k: v for k, v in row.payload.items() if k not in ("i18n", "lang")}
        row.payload = {**kept, "text": text, **(extra or {})}
        changed += 1
    await session.flush()
    return changed


async def mark_corrected(
    session: AsyncSession, announcement: Announcement, text_html: str, now: datetime
) -> None:
    announcement.text_html = text_html
    announcement.edited_at = now
    await session.flush()


async def mark_withdrawn(session: AsyncSession, announcement: Announcement, now: datetime) -> None:
    announcement.withdrawn_at = now
    await session.flush()
