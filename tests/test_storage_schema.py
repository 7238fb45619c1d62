"""The schema: migrations agree with the models, and the basic constraints hold on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import make_engine
from storage.models import Base, Call, Chat, Outbox


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sc: compare_metadata(
                MigrationContext.configure(sc, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == []


async def test_datetimes_round_trip_as_aware_utc(session: AsyncSession) -> None:
    oslo = timezone(timedelta(hours=1))
    deadline = datetime(2027, 3, 5, 13, 0, tzinfo=oslo)
    session.add(Call(key="k1", title="Utlysning", deadline_at=deadline, deadline_has_time=True))
    await session.commit()
    session.expunge_all()
    call = (await session.execute(select(Call))).scalar_one()
    assert call.deadline_at == deadline
    assert call.deadline_at is not None and call.deadline_at.tzinfo is not None
    assert call.deadline_at.utcoffset() == timedelta(0)


async def test_naive_datetime_is_refused(session: AsyncSession) -> None:
    session.add(Call(key="k2", title="x", deadline_at=datetime(2027, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        await session.commit()


async def test_outbox_refuses_duplicate_key(session: AsyncSession) -> None:
    chat = Chat(telegram_id=42, name="Kari")
    session.add(chat)
    await session.flush()
    session.add(Outbox(chat_id=chat.id, kind="new_call", subject="call:1", payload={"text": "a"}))
    await session.commit()
    session.add(Outbox(chat_id=chat.id, kind="new_call", subject="call:1", payload={"text": "b"}))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()
    rows = (await session.execute(select(Outbox))).scalars().all()
    assert [r.payload["text"] for r in rows] == ["a"]


async def test_chat_telegram_id_is_unique_and_big(session: AsyncSession) -> None:
    big = -1001234567890  # supergroup ids do not fit in 32 bits
    session.add(Chat(telegram_id=big, kind="supergroup", name="FoUI Trøndelag"))
    await session.commit()
    session.add(Chat(telegram_id=big, kind="supergroup", name="dup"))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()
    found = (await session.execute(select(Chat).where(Chat.telegram_id == big))).scalar_one()
    assert found.name == "FoUI Trøndelag"
    assert found.created_at.tzinfo == UTC


async def test_concurrent_starts_migrate_and_seed_once(pg_url: str | None) -> None:
    """Two bots starting at once on PostgreSQL both come up: the advisory lock lets one seed first.

    (On SQLite a second `foui-bot run` is refused by the file lock instead; see test_crash_lock.)
    """
    import asyncio

    if pg_url is None:
        pytest.skip("PostgreSQL not configured: set FOUI_TEST_DATABASE_URL")
    engine = make_engine(pg_url)
    async with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    db_url = pg_url

    from bot.app import prepare_database
    from bot.config import load_settings
    from bot.services import Services
    from storage.models import Source, Topic

    settings = load_settings(database_url=db_url, _env_file=None)
    first, second = Services.create(settings), Services.create(settings)
    try:
        await asyncio.gather(prepare_database(first), prepare_database(second))
        async with first.session() as s:
            slugs = (await s.execute(select(Topic.slug))).scalars().all()
            urls = (await s.execute(select(Source.url))).scalars().all()
        assert len(slugs) == len(set(slugs)) >= 10
        assert len(urls) == len(set(urls)) >= 4
    finally:
        await first.engine.dispose()
        await second.engine.dispose()
