"""Conversation state kept in the database (``bot.persistence`` is python-telegram-bot's side)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.replica_models import BotState


async def load(session: AsyncSession, kind: str, name: str = "") -> dict[str, str]:
    """Every stored piece of one kind (and name): key -> JSON text."""
    rows = await session.execute(
        select(BotState.key, BotState.data).where(BotState.kind == kind, BotState.name == name)
    )
    return dict(rows.tuples().all())


async def load_one(session: AsyncSession, kind: str, name: str, key: str) -> str | None:
    return (
        await session.execute(
            select(BotState.data).where(BotState.kind == kind, BotState.name == name, BotState.key == key)
        )
    ).scalar_one_or_none()


async def load_keys(session: AsyncSession, kind: str, keys: list[str]) -> list[tuple[str, str, str]]:
    """The stored pieces of one kind under any of ``keys``: (name, key, JSON text)."""
    if not keys:
        return []
    rows = await session.execute(
        select(BotState.name, BotState.key, BotState.data).where(
            BotState.kind == kind, BotState.key.in_(keys)
        )
    )
    return list(rows.tuples().all())


async def save(
    session: AsyncSession, kind: str, name: str, key: str, data: str | None, *, now: datetime
) -> None:
    """Store one piece (``None``: forget it)."""
    if data is None:
        await session.execute(
            delete(BotState).where(BotState.kind == kind, BotState.name == name, BotState.key == key)
        )
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(BotState).values(kind=kind, name=name, key=key, data=data, updated_at=now)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[BotState.kind, BotState.name, BotState.key],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
        )
    )
