"""The fan-out hooked into the real poll (the ingest hook the composition root wires), against
fixture feeds on loopback: the poll notes a fan-out per new call, the fan-out job queues the notices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.app import wire
from bot.config import load_settings
from bot.poll import poll as polling
from bot.push.fanout import notify_new_calls, on_ingest
from bot.push.fanout_job import FanoutWorker
from bot.push.jobs import plan_pushes
from bot.push.wake import FANOUT_KEY
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.fanouts import FANOUT_NEW_CALL, Fanout, prune_fanouts
from storage.models import Chat, Outbox, Source, Subscription, Topic
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import LoopbackServer, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.fanout import fan_out
from tests.support.harness import FakeClock

NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None, http_timeout_seconds=5, quiet_hours="")
    svc = Services.create(settings, clock=FakeClock(NOW))
    async with svc.session() as s:
        await seed_topics(s, DEFAULT_TOPICS)
    wire(svc)
    yield svc
    await svc.engine.dispose()


async def _world(services: Services, loopback: LoopbackServer) -> tuple[int, int]:
    """Two followers of «forskning» (one since before the calls were seen) and Forskningsrådet."""
    urls = serve_sites(loopback)
    async with services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "forskning"))).scalar_one()
        early = Chat(telegram_id=1001)
        late = Chat(telegram_id=1002)
        s.add_all([early, late])
        await s.flush()
        s.add(Subscription(chat_id=early.id, topic_id=topic.id, created_at=NOW - timedelta(days=1)))
        s.add(Subscription(chat_id=late.id, topic_id=topic.id, created_at=NOW + timedelta(hours=1)))
        src = Source(
            name="Forskningsrådet", kind="forskningsradet", url=urls["forskningsradet"], topics=["forskning"]
        )
        s.add(src)
        await s.flush()
        return src.id, early.id


async def _outbox(services: Services) -> list[tuple[int, str, str]]:
    async with services.session() as s:
        return list((await s.execute(select(Outbox.chat_id, Outbox.kind, Outbox.subject))).tuples())


async def _pending_fanouts(services: Services) -> list[tuple[int, str]]:
    async with services.session() as s:
        found = await s.execute(select(Fanout.call_id, Fanout.kind).where(Fanout.done_at.is_(None)))
        return list(found.tuples())


async def test_a_poll_notes_fan_outs_and_the_job_queues_the_notices(
    services: Services, loopback: LoopbackServer
) -> None:
    sid, early = await _world(services, loopback)
    outcome = await polling.poll_source(services, sid)
    assert outcome.ok and outcome.result is not None and len(outcome.result.new) == 3
    assert services.ingest_hooks.count(on_ingest) == 1
    wire(services)
    assert services.ingest_hooks.count(on_ingest) == 1  # wiring twice adds it once
    # The poll's transaction queued no notice: it noted one fan-out per new call, and committed.
    assert await _outbox(services) == []
    assert sorted(await _pending_fanouts(services)) == sorted(
        (c, FANOUT_NEW_CALL) for c in outcome.result.new
    )
    assert await fan_out(services) == 3  # the job, in transactions of its own
    rows = await _outbox(services)
    assert len(rows) == 3 and {r[0] for r in rows} == {early} and {r[1] for r in rows} == {"new_call"}
    assert await _pending_fanouts(services) == []
    assert (await polling.poll_source(services, sid)).ok
    assert await _pending_fanouts(services) == []  # a second poll notes nothing again
    assert await fan_out(services) == 0
    assert len(await _outbox(services)) == 3


async def test_a_fan_out_left_by_a_crash_is_done_once_by_the_planner(
    services: Services, loopback: LoopbackServer
) -> None:
    sid, _early = await _world(services, loopback)
    assert (await polling.poll_source(services, sid)).ok  # then the process "died": no job ran
    async with services.session() as s:  # and a half-done earlier attempt had queued one notice
        call_id = (await s.execute(select(Fanout.call_id).order_by(Fanout.id))).scalars().first()
    async with services.session() as s:
        await notify_new_calls(s, services, [call_id])
    assert len(await _outbox(services)) == 1

    # The minute planner job, as the JobQueue runs it.
    await plan_pushes(SimpleNamespace(application=SimpleNamespace(bot_data={"services": services})))  # type: ignore[arg-type]
    rows = await _outbox(services)
    assert len(rows) == 3 and len(set(rows)) == 3  # no duplicate, nothing lost
    assert await _pending_fanouts(services) == []


async def test_the_worker_is_woken_after_the_polls_commit(
    services: Services, loopback: LoopbackServer
) -> None:
    sid, early = await _world(services, loopback)
    worker = FanoutWorker(services)
    services.extras[FANOUT_KEY] = worker
    assert (await polling.poll_source(services, sid)).ok
    await worker.idle()
    assert {r[0] for r in await _outbox(services)} == {early} and len(await _outbox(services)) == 3
    assert await _pending_fanouts(services) == []


async def test_done_fan_outs_are_forgotten_after_the_retention(
    services: Services, loopback: LoopbackServer
) -> None:
    sid, _early = await _world(services, loopback)
    assert (await polling.poll_source(services, sid)).ok
    async with services.session() as s:
        assert await prune_fanouts(s, before=NOW + timedelta(days=1)) == 0  # pending ones are kept
    await fan_out(services)
    async with services.session() as s:
        assert await prune_fanouts(s, before=NOW - timedelta(days=1)) == 0  # done, not old enough
        assert await prune_fanouts(s, before=NOW + timedelta(days=1)) == 3
    assert (await polling.poll_source(services, sid)).ok  # the calls are known: nothing new again
    assert await fan_out(services) == 0
