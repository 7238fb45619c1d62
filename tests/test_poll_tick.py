"""When the poll job looks again: when the next source is due, between MIN_TICK and TICK seconds.

A fixed tick equal to the shortest interval would poll a source only every second tick (its next
time is recorded a little after the tick that polled it), so the job plans its own next run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings, load_settings
from bot.poll.jobs import MIN_TICK_SECONDS, TICK_SECONDS, next_tick, tick_after
from bot.services import Services
from storage import sources as source_store
from storage.models import Source
from tests.support.harness import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_tick_is_the_time_to_the_next_due_source_within_bounds() -> None:
    assert tick_after(NOW, None) == TICK_SECONDS
    assert tick_after(NOW, NOW - timedelta(minutes=5)) == MIN_TICK_SECONDS
    assert tick_after(NOW, NOW + timedelta(seconds=0.3)) == MIN_TICK_SECONDS
    assert tick_after(NOW, NOW + timedelta(seconds=7.5)) == 7.5
    assert tick_after(NOW, NOW + timedelta(hours=1)) == TICK_SECONDS


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None)
    svc = Services.create(settings, clock=FakeClock(NOW))
    yield svc
    await svc.engine.dispose()


async def test_next_tick_follows_the_shortest_interval(services: Services) -> None:
    assert await next_tick(services) == TICK_SECONDS  # no sources: look again now and then
    async with services.session() as s:
        fast = Source(name="Rask", kind="rss", url="http://127.0.0.1:1/rask.rss", interval_minutes=0.02)
        slow = Source(name="Treg", kind="rss", url="http://127.0.0.1:1/treg.rss", interval_minutes=60)
        off = Source(
            name="Av", kind="rss", url="http://127.0.0.1:1/av.rss", interval_minutes=0.01, enabled=False
        )
        s.add_all([fast, slow, off])
    assert await next_tick(services) == MIN_TICK_SECONDS  # never polled: due now
    async with services.session() as s:
        for source in await source_store.list_sources(s):
            await source_store.record_success(s, source, now=NOW)
    # 0.02 minutes after the poll; the disabled source's shorter interval does not count.
    assert await next_tick(services) == pytest.approx(1.2)
    async with services.session() as s:
        for source in await source_store.list_sources(s):
            if source.name == "Rask":
                source.enabled = False
    assert await next_tick(services) == TICK_SECONDS  # the slow one is an hour away


async def test_planning_the_poll_job_again_replaces_the_planned_run(settings: Settings) -> None:
    """A tick and a finished poll may both plan the next look: there is still one chain of jobs."""
    from bot.poll import jobs
    from tests.support.harness import running_harness

    async with running_harness(settings, start_jobs=True) as bot:
        queue = bot.app.job_queue
        assert queue is not None
        assert len(queue.get_jobs_by_name(jobs.JOB_NAME)) == 1
        jobs._schedule(bot.app, 3)
        jobs._schedule(bot.app, 7)
        assert len(queue.get_jobs_by_name(jobs.JOB_NAME)) == 1
