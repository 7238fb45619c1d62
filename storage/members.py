"""Members and groups: chats, topic subscriptions, keyword alerts and personal settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatKind, KeywordAlert, NotifyMode, Subscription, Topic

# last_seen_at is written at most this often, so an update does not always cost a write.
SEEN_RESOLUTION = timedelta(minutes=5)
MAX_ALERTS = 20
MIN_KEYWORD = 2
MAX_KEYWORD = 100
NOT_STARTED = "har ikke startet boten i privat chat"
BLOCKED = "har blokkert boten"
NOTIFY_MODES = (NotifyMode.INSTANT, NotifyMode.DAILY, NotifyMode.WEEKLY)


async def get_chat(session: AsyncSession, telegram_id: int) -> Chat | None:
    return (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()


async def touch_chat(
    session: AsyncSession,
    telegram_id: int,
    *,
    kind: str,
    name: str,
    username: str | None,
    now: datetime,
    active: bool | None = True,
    in_group: bool | None = None,
) -> Chat:
    """Register or update a chat; ``active`` True revives it, None leaves a known chat as it is.

    A chat first seen with ``active=None`` (a person who only wrote in the group) starts inactive:
    the bot cannot write to a person who never started it.
    """
    chat = await get_chat(session, telegram_id)
    name = name[:200]
    username = username[:64] if username else None
    if chat is None:
        chat = Chat(
            telegram_id=telegram_id,
            kind=kind,
            name=name,
            username=username,
            active=bool(active),
            inactive_reason=None if active else NOT_STARTED,
            in_group=bool(in_group),
            last_seen_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(chat)
        await session.flush()
        return chat
    if chat.name != name and name:
        chat.name = name
    if chat.username != username:
        chat.username = username
    if chat.kind != kind:
        chat.kind = kind
    if active and not chat.active:
        chat.active = True
        chat.inactive_reason = None
    if in_group is not None and chat.in_group != in_group:
        chat.in_group = in_group
    if in_group and chat.left_group_at is not None:
        chat.left_group_at = None
    if chat.last_seen_at is None or now - chat.last_seen_at >= SEEN_RESOLUTION:
        chat.last_seen_at = now
    await session.flush()
    return chat


async def set_inactive(session: AsyncSession, telegram_id: int, reason: str) -> bool:
    """Mark a chat inactive (blocked the bot, removed the bot from a group); False if unknown."""
    chat = await get_chat(session, telegram_id)
    if chat is None:
        return False
    chat.active = False
    chat.inactive_reason = reason[:200]
    await session.flush()
    return True


# ---- subscriptions ---------------------------------------------------------------------------


async def subscribed_topic_ids(session: AsyncSession, chat_id: int) -> set[int]:
    query = select(Subscription.topic_id).where(Subscription.chat_id == chat_id)
    return set((await session.execute(query)).scalars())


async def subscribed_topics(session: AsyncSession, chat_id: int) -> list[Topic]:
    query = (
        select(Topic)
        .join(Subscription, Subscription.topic_id == Topic.id)
        .where(Subscription.chat_id == chat_id, Topic.active.is_(True))
        .order_by(Topic.position, Topic.id)
    )
    return list((await session.execute(query)).scalars())


async def set_subscription(session: AsyncSession, chat_id: int, topic_id: int, on: bool) -> bool:
    """Follow or unfollow one topic; True if something changed."""
    existing = (
        await session.execute(
            select(Subscription).where(Subscription.chat_id == chat_id, Subscription.topic_id == topic_id)
        )
    ).scalar_one_or_none()
    if on and existing is None:
        session.add(Subscription(chat_id=chat_id, topic_id=topic_id))
        await session.flush()
        return True
    if not on and existing is not None:
        await session.delete(existing)
        await session.flush()
        return True
    return False


async def toggle_subscription(session: AsyncSession, chat_id: int, topic_id: int) -> bool:
    """Flip one topic; returns the new state (True = followed)."""
    on = topic_id not in await subscribed_topic_ids(session, chat_id)
    await set_subscription(session, chat_id, topic_id, on)
    return on


async def set_all_subscriptions(session: AsyncSession, chat_id: int, topic_ids: Iterable[int]) -> None:
    """Follow exactly these topics."""
    wanted = set(topic_ids)
    have = await subscribed_topic_ids(session, chat_id)
    if have - wanted:
        await session.execute(
            delete(Subscription).where(
                Subscription.chat_id == chat_id, Subscription.topic_id.in_(have - wanted)
            )
        )
    for topic_id in sorted(wanted - have):
        session.add(Subscription(chat_id=chat_id, topic_id=topic_id))
    await session.flush()


# ---- keyword alerts --------------------------------------------------------------------------


def normalise_keyword(keyword: str) -> str:
    return " ".join(keyword.split()).casefold()


async def list_alerts(session: AsyncSession, chat_id: int) -> Sequence[KeywordAlert]:
    query = select(KeywordAlert).where(KeywordAlert.chat_id == chat_id).order_by(KeywordAlert.keyword)
    return (await session.execute(query)).scalars().all()


async def count_alerts(session: AsyncSession, chat_id: int) -> int:
    query = select(func.count()).select_from(KeywordAlert).where(KeywordAlert.chat_id == chat_id)
    return int((await session.execute(query)).scalar_one())


async def add_alert(session: AsyncSession, chat_id: int, keyword: str) -> bool:
    """Add a keyword alert (normalised); False if the chat already has it."""
    keyword = normalise_keyword(keyword)
    existing = (
        await session.execute(
            select(KeywordAlert.id).where(KeywordAlert.chat_id == chat_id, KeywordAlert.keyword == keyword)
        )
    ).scalar_one_or_none()
    if existing is not None:
        return False
    session.add(KeywordAlert(chat_id=chat_id, keyword=keyword))
    await session.flush()
    return True


async def remove_alert(session: AsyncSession, chat_id: int, alert_id: int) -> str | None:
    """Remove one of the chat's alerts; returns its keyword, None if it was not there."""
    alert = (
        await session.execute(
            select(KeywordAlert).where(KeywordAlert.chat_id == chat_id, KeywordAlert.id == alert_id)
        )
    ).scalar_one_or_none()
    if alert is None:
        return None
    keyword = alert.keyword
    await session.delete(alert)
    await session.flush()
    return keyword


async def remove_alert_by_keyword(session: AsyncSession, chat_id: int, keyword: str) -> bool:
    result = await session.execute(
        delete(KeywordAlert).where(
            KeywordAlert.chat_id == chat_id, KeywordAlert.keyword == normalise_keyword(keyword)
        )
    )
    return bool(getattr(result, "rowcount", 0))


# ---- personal settings -----------------------------------------------------------------------

_SETTING_FIELDS = {"notify_mode", "digest_hour", "reminder_days", "quiet_hours"}


async def update_settings(session: AsyncSession, chat_id: int, **values: Any) -> Chat:
    """Change notify_mode, digest_hour, reminder_days and/or quiet_hours of one chat."""
    unknown = set(values) - _SETTING_FIELDS
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    if "notify_mode" in values and values["notify_mode"] not in NOTIFY_MODES:
        raise ValueError(f"unknown notify mode {values['notify_mode']!r}")
    if values.get("digest_hour") is not None and not 0 <= int(values["digest_hour"]) <= 23:
        raise ValueError("digest_hour must be 0-23")
    if values.get("reminder_days") is not None:
        values["reminder_days"] = sorted({int(d) for d in values["reminder_days"]}, reverse=True)
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise LookupError(f"no chat {chat_id}")
    for name, value in values.items():
        setattr(chat, name, value)
    await session.flush()
    return chat


def is_group_kind(kind: str) -> bool:
    return kind in (ChatKind.GROUP, ChatKind.SUPERGROUP)
