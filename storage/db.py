"""Engine, sessions and migrations. Nothing is created at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# SQLite's own lower() and LIKE fold ASCII only ("Æ" stays "Æ"): searches call this instead.
CASEFOLD = "casefold"


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


# A search's words against a call's text in one call per row, whatever the number of words.
CONTAINS_ALL = "contains_all"
NEEDLE_SEPARATOR = "\x1f"


def _contains_all(title: object, summary: object, source: object, needles: object) -> int:
    """1 when every casefolded needle (joined by NEEDLE_SEPARATOR) is in the casefolded text."""
    haystack = "\n".join(str(v) for v in (title, summary, source) if v is not None).casefold()
    return int(all(n in haystack for n in str(needles or "").split(NEEDLE_SEPARATOR) if n))


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            dbapi_connection.create_function(CASEFOLD, 1, _casefold, deterministic=True)
            dbapi_connection.create_function(CONTAINS_ALL, 4, _contains_all, deterministic=True)

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # The most recently used connection first: the sender's claim every second and the handlers
    # keep reusing a few warm connections (their prepared statements and catalog caches ready;
    # the first claim on a cold one costs tens of milliseconds), and the rest can idle.
    kwargs.setdefault("pool_use_lifo", True)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from storage.cache_generation import WatchedSession  # bumps cached views' generations

    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=WatchedSession)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session, committed at the end or rolled back on error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# An arbitrary, fixed key for pg_advisory_lock: "FoUI" in ASCII.
STARTUP_LOCK_KEY = 0x466F5549


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """One process at a time migrates and seeds (PostgreSQL advisory lock; SQLite has its own lock).

    Two processes starting together (two bots, or a bot and ``foui-bot poll``) would otherwise both
    insert the seed rows, and the second would fail on a unique constraint.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            await conn.commit()


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic), on the engine's own connection."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def migrate_sync(url: str, revision: str = "head") -> None:
    """For the command line: create an engine, migrate, dispose."""

    async def _run() -> None:
        engine = make_engine(url)
        try:
            await migrate(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(_run())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for PostgreSQL and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)
