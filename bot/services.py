"""What handlers and jobs share: settings, the database and the clock. Built once per Application."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from storage.db import make_engine, make_sessionmaker, session_scope

IngestHook = Callable[[AsyncSession, Any, "Services"], Awaitable[None]]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = system_clock
    started_at: datetime = field(default_factory=system_clock)
    extras: dict[str, Any] = field(default_factory=dict)
    # Run inside a poll's transaction, right after ingest and before commit (the composition root
    # puts the push wing's fan-out here): (session, storage.calls.IngestResult, services).
    ingest_hooks: list[IngestHook] = field(default_factory=list)
    # Figures for /metrics, counted where things happen (updates, replies, 429s, polls).
    counters: Counter[str] = field(default_factory=Counter)
    # Whether this process runs the scheduled planners now: the composition root puts the
    # leader lock here (PostgreSQL: one process at a time); alone on SQLite, always.
    is_leader: Callable[[], Awaitable[bool]] = field(default=lambda: _always())

    def now(self) -> datetime:
        """The current time, timezone-aware UTC (tests pass a controllable clock)."""
        return self.clock()

    def session(self) -> Any:
        """One session for one update or job, committed at the end (``async with``)."""
        return session_scope(self.sessions)

    @classmethod
    def create(cls, settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Services:
        engine = make_engine(settings.database_url)
        return cls(settings, engine, make_sessionmaker(engine), clock or system_clock)


async def _always() -> bool:
    return True


def get_services(app_or_context: Any) -> Services:
    """The Services of an Application or a handler's or job's context (put there by ``bot.app``)."""
    return cast(Services, app_or_context.bot_data["services"])
