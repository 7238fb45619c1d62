"""A source failing for 24 hours is reported once to the coordinators, and again when it recovers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.poll.health import report_source_health
from storage.models import Outbox, Source
from tests.coord_helpers import drain
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import BotHarness, FakeClock

URL = "https://example.no/rss"


async def _outbox(harness: BotHarness) -> list[Outbox]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def _fail(harness: BotHarness, *, success_ago: timedelta, error_ago: timedelta, now: datetime) -> int:
    async with harness.services.session() as s:
        source = (await s.execute(select(Source).where(Source.url == URL))).scalar_one_or_none()
        if source is None:
            source = Source(
                name="Regjeringen <KDD>",
                kind="rss",
                url=URL,
                created_at=now - timedelta(days=10),
            )
            s.add(source)
        source.last_success_at = now - success_ago
        source.last_error_at = now - error_ago
        source.last_error = "HTTP 500"
        await s.flush()
        return source.id


async def test_reported_once_after_24_hours_and_again_on_recovery(
    harness: BotHarness, clock: FakeClock
) -> None:
    services = harness.services
    await _fail(harness, success_ago=timedelta(hours=20), error_ago=timedelta(minutes=5), now=clock.now)
    assert await report_source_health(services) == (0, 0)  # failing, but not for a day yet
    clock.advance(hours=5)
    assert await report_source_health(services) == (1, 0)
    assert await report_source_health(services) == (0, 0)  # once only
    [notice] = await _outbox(harness)
    assert notice.kind == "source_health"
    assert "Regjeringen &lt;KDD&gt;" in notice.payload["text"] and "HTTP 500" in notice.payload["text"]
    await drain(harness, clock)
    assert "har feilet i over et døgn" in harness.api.last("sendMessage", COORDINATOR.id).text
    # It works again: one recovery notice, then quiet.
    async with services.session() as s:
        source = (await s.execute(select(Source).where(Source.url == URL))).scalar_one()
        source.last_success_at = clock.now
    assert await report_source_health(services) == (0, 1)
    assert await report_source_health(services) == (0, 0)
    await drain(harness, clock)
    assert "virker igjen" in harness.api.last("sendMessage", COORDINATOR.id).text
    # Failing again later is a new episode, reported again.
    clock.advance(days=2)
    await _fail(harness, success_ago=timedelta(days=2), error_ago=timedelta(minutes=1), now=clock.now)
    assert await report_source_health(services) == (1, 0)
    assert len(await _outbox(harness)) == 3


async def test_paused_sources_are_not_reported(harness: BotHarness, clock: FakeClock) -> None:
    await _fail(harness, success_ago=timedelta(days=3), error_ago=timedelta(minutes=5), now=clock.now)
    async with harness.services.session() as s:
        (await s.execute(select(Source).where(Source.url == URL))).scalar_one().enabled = False
    assert await report_source_health(harness.services) == (0, 0)
