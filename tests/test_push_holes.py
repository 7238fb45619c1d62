"""Holes in the push chain, closed: each test is a way a message could be wrong, lost or late."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from telegram import Bot

from bot.config import load_settings
from bot.fakebot import FakeBotApi, FakeRequest
from bot.harness import FakeClock
from bot.jobs import SENDER_KEY
from bot.notify import wake_after_commit
from bot.sender import Sender
from bot.services import Services

TOKEN = "123456789:FAKE_TOKEN_for_offline_use_only_000000"
NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Oslo


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None)
    svc = Services.create(settings, clock=FakeClock(NOON))
    yield svc
    await svc.engine.dispose()


async def test_the_sender_is_woken_only_when_the_queued_rows_are_committed(services: Services) -> None:
    """Woken before the commit, it would look, find nothing yet, and wait a whole outbox poll."""
    api = FakeBotApi()
    sender = Sender(services, Bot(TOKEN, request=FakeRequest(api)))
    services.extras[SENDER_KEY] = sender
    sender._wake = asyncio.Event()  # as ``Sender.run`` sets it up

    async with services.session() as session:
        wake_after_commit(session, services)
        await session.flush()
        assert not sender._wake.is_set()
    assert sender._wake.is_set()

    sender._wake.clear()
    with pytest.raises(RuntimeError):
        async with services.session() as session:
            wake_after_commit(session, services)
            raise RuntimeError("the poll failed")
    assert not sender._wake.is_set()  # rolled back: nothing was queued
