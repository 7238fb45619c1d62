"""The test harness: the console's in-process driver with the tests' fake Bot API (scripted
failures) and a controllable clock.

``BotHarness`` pushes an update in with ``process_update`` and returns the Bot API calls it caused,
with their full payloads: text, parse mode, buttons and chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.console.driver import GROUP_ID, InProcessBot, Person, running_bot
from tests.support.fakebot import FakeBotApi

__all__ = ["GROUP_ID", "BotHarness", "FakeClock", "Person", "running_harness"]


@dataclass
class FakeClock:
    """A controllable clock: timezone-aware UTC, moved by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.now = value.astimezone(UTC)

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class BotHarness(InProcessBot):
    """The real Application with the tests' fake Bot API behind it."""

    api: FakeBotApi


@asynccontextmanager
async def running_harness(
    settings: Settings,
    *,
    api: FakeBotApi | None = None,
    clock: Callable[[], datetime] | None = None,
    start_jobs: bool = False,
) -> AsyncIterator[BotHarness]:
    """Build, initialize and prepare the Application against a ``FakeBotApi``; shut it down afterwards."""
    async with running_bot(settings, api=api or FakeBotApi(), clock=clock, start_jobs=start_jobs) as bot:
        yield BotHarness(bot.app, bot.api)
