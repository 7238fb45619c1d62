"""Fixtures for end-to-end tests: the real Application against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings, load_settings
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person, running_harness

COORDINATOR = Person(id=9001, first_name="Kristin", last_name="Koordinator", username="kristin_ks")
MEMBER = Person(id=1001, first_name="Kari", last_name="Nordmann", username="kari")
OTHER = Person(id=1002, first_name="Ola", last_name="Hansen", username=None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        database_url=db_url,
        coordinator_ids=[COORDINATOR.id],
        group_chat_id=GROUP_ID,
        _env_file=None,
    )


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    async with running_harness(settings, clock=clock) as h:
        yield h
