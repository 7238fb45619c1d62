"""The fan-out hooked into the real poll (the ingest hook the composition root wires), against fixture feeds on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import wire
from bot.config import load_settings
from bot.poll import poll as polling
from bot.push.fanout import on_ingest
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.models import Chat, Outbox, Source, Subscription, Topic
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import LoopbackServer, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback
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


async def test_a_poll_queues_notices_for_followers_in_the_same_transaction(
    services: Services, loopback: LoopbackServer
) -> None:
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
        sid = src.id
    outcome = await polling.poll_source(services, sid)
    assert outcome.ok and outcome.result is not None and len(outcome.result.new) == 3
    assert services.ingest_hooks.count(on_ingest) == 1
    wire(services)
    assert services.ingest_hooks.count(on_ingest) == 1  # wiring twice adds it once
    async with services.session() as s:
        rows = (await s.execute(select(Outbox.chat_id, Outbox.kind, Outbox.subject))).tuples().all()
    assert len(rows) == 3 and {r[0] for r in rows} == {early.id} and {r[1] for r in rows} == {"new_call"}
    again = await polling.poll_source(services, sid)
    assert again.ok
    async with services.session() as s:
        assert len((await s.execute(select(Outbox.id))).all()) == 3
