"""Several bot processes on one database: a source is polled by one of them at a time, the planners
run in one leader, and a second long-poller is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.app import build_application, prepare_database, start_services, stop_services
from bot.config import load_settings
from bot.console.botapi import InProcessRequest
from bot.locks import LEADER_KEY, AdvisoryLock, AlreadyRunningError, source_lease
from bot.poll import poll as polling
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.models import Call, Source
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import FIXTURES, LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.fakebot import FakeBotApi
from tests.support.harness import FakeClock
from tests.web_helpers import free_port

NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def two(db_url: str) -> AsyncIterator[tuple[Services, Services]]:
    """Two processes' services (each its own engine and lease holder) on one database."""
    settings = load_settings(database_url=db_url, _env_file=None, http_timeout_seconds=5)
    clock = FakeClock(NOW)
    a, b = Services.create(settings, clock=clock), Services.create(settings, clock=clock)
    async with a.session() as s:
        await seed_topics(s, DEFAULT_TOPICS)
    yield a, b
    await a.engine.dispose()
    await b.engine.dispose()


async def test_two_pollers_poll_a_source_once(
    two: tuple[Services, Services], loopback: LoopbackServer
) -> None:
    a, b = two
    body = (FIXTURES / "kdd_rss.xml").read_bytes()
    # A slow feed: both processes find the source due while the first one is still fetching it.
    url = loopback.add("/slow.rss", Route(body=body, content_type="application/rss+xml", delay=0.5))
    async with a.session() as s:
        s.add(Source(name="KDD", kind="rss", url=url, topics=[], interval_minutes=60))
    first, second = await asyncio.gather(polling.poll_due(a), polling.poll_due(b))
    assert loopback.hits["/slow.rss"] == 1, "the source was fetched twice at once"
    assert len(first) + len(second) == 1 and (first or second)[0].ok
    assert a.counters["polls_skipped"] + b.counters["polls_skipped"] == 1
    async with a.session() as s:
        calls = (await s.execute(select(func.count()).select_from(Call))).scalar_one()
    assert calls > 0
    # Later, when it is due again, either process polls it (the lease was given back).
    a.clock.advance(hours=2)  # type: ignore[attr-defined]
    again = await polling.poll_due(b)
    assert len(again) == 1 and loopback.hits["/slow.rss"] == 2


async def test_a_dead_pollers_lease_expires(two: tuple[Services, Services], loopback: LoopbackServer) -> None:
    a, b = two
    url = loopback.add("/feed.rss", Route(body=b"<rss/>", content_type="application/rss+xml"))
    async with a.session() as s:
        source = Source(name="X", kind="rss", url=url, topics=[], interval_minutes=60)
        s.add(source)
        await s.flush()
        sid = source.id
    lease = source_lease(a, sid, due_only=True)
    assert await lease.__aenter__() is True  # a takes the lease, then "dies" without giving it back
    async with source_lease(b, sid, due_only=True) as mine:
        assert mine is False
    a.clock.advance(minutes=16)  # type: ignore[attr-defined]
    async with source_lease(b, sid, due_only=True) as mine:
        assert mine is True


async def test_one_leader_at_a_time(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's (SQLite runs one process per file)")
    settings = load_settings(database_url=db_url, _env_file=None)
    a, b = Services.create(settings), Services.create(settings)
    first, second = AdvisoryLock(a.engine, LEADER_KEY), AdvisoryLock(b.engine, LEADER_KEY)
    try:
        assert await first.try_acquire() is True
        assert await first.try_acquire() is True  # still held
        assert await second.try_acquire() is False
        await first.release()  # the leader stops: the other takes over at its next tick
        assert await second.try_acquire() is True
        assert await first.try_acquire() is False
    finally:
        await first.release()
        await second.release()
        await a.engine.dispose()
        await b.engine.dispose()


async def test_planners_run_only_in_the_leader(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's")
    settings = load_settings(database_url=db_url, http_port=0, _env_file=None)
    apps = [build_application(settings, request=InProcessRequest(FakeBotApi())) for _ in range(2)]
    for app in apps:
        await app.initialize()
    try:
        for app in apps:
            await start_services(app)
        leaders = [await app.bot_data["services"].is_leader() for app in apps]
        assert sorted(leaders) == [False, True]
    finally:
        for app in apps:
            await app.shutdown()
            await stop_services(app)


async def test_a_second_long_poller_is_refused(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("on SQLite the file lock refuses any second process (tests/test_crash_lock.py)")
    settings = load_settings(database_url=db_url, http_port=0, _env_file=None)
    first = build_application(settings, request=InProcessRequest(FakeBotApi()), serve_http=True)
    second = build_application(settings, request=InProcessRequest(FakeBotApi()), serve_http=True)
    await first.initialize()
    await second.initialize()
    try:
        await start_services(first)
        with pytest.raises(AlreadyRunningError) as refused:
            await start_services(second)
        assert str(refused.value) == texts.ALREADY_POLLING
    finally:
        for app in (first, second):
            await app.shutdown()
            await stop_services(app)


async def test_webhook_replicas_are_not_refused(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL replicas")
    apps = []
    for _ in range(2):
        settings = load_settings(
            database_url=db_url,
            http_port=free_port(),
            webhook_url="https://bot.example.org/hook",
            webhook_secret="s",
            _env_file=None,
        )
        apps.append(build_application(settings, request=InProcessRequest(FakeBotApi()), serve_http=True))
    for app in apps:
        await app.initialize()
    try:
        for app in apps:
            await start_services(app)  # both replicas start: only long polling is one per token
    finally:
        for app in apps:
            await app.shutdown()
            await stop_services(app)


async def test_prepare_database_still_works(db_url: str) -> None:
    settings = load_settings(database_url=db_url, _env_file=None)
    services = Services.create(settings)
    try:
        await prepare_database(services)
    finally:
        await services.engine.dispose()
