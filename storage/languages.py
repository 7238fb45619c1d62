"""Which language each chat reads: the one chosen with /sprak, and a person's Telegram client's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatKind

GROUP_KINDS = (ChatKind.GROUP, ChatKind.SUPERGROUP, ChatKind.CHANNEL)


@dataclass(frozen=True)
class ChatLanguage:
    chosen: str | None  # picked with /sprak
    client: str | None  # from the person's Telegram client
    is_group: bool


def _of(chat_kind: str, telegram_id: int, chosen: str | None, client: str | None) -> ChatLanguage:
    return ChatLanguage(chosen, client, chat_kind in GROUP_KINDS or telegram_id < 0)


async def language_of(session: AsyncSession, telegram_id: int) -> ChatLanguage | None:
    row = (
        await session.execute(
            select(Chat.kind, Chat.telegram_id, Chat.language, Chat.client_language).where(
                Chat.telegram_id == telegram_id
            )
        )
    ).first()
    return _of(*row) if row is not None else None


async def languages_of_chats(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, ChatLanguage]:
    """By database chat id (the outbox's recipients)."""
    ids = sorted(set(chat_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Chat.id, Chat.kind, Chat.telegram_id, Chat.language, Chat.client_language).where(
            Chat.id.in_(ids)
        )
    )
    return {chat_id: _of(kind, tid, chosen, client) for chat_id, kind, tid, chosen, client in rows}


async def choose_language(session: AsyncSession, telegram_id: int, language: str | None) -> bool:
    """Store a chat's choice (None: back to the default). False when the chat is not known."""
    result = await session.execute(
        update(Chat).where(Chat.telegram_id == telegram_id).values(language=language)
    )
    return bool(getattr(result, "rowcount", 0))


async def note_client_language(session: AsyncSession, telegram_id: int, language: str) -> bool:
    """Remember a person's client language (written only when it changed)."""
    result = await session.execute(
        update(Chat)
        .where(Chat.telegram_id == telegram_id)
        .where((Chat.client_language.is_(None)) | (Chat.client_language != language))
        .values(client_language=language)
    )
    return bool(getattr(result, "rowcount", 0))
