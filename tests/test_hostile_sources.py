"""Nothing a source sends can stall the bot (issue 12, point 1), reproduced on loopback.

A page of 50,000 nested tags, a listing whose call pages drip one byte a second, a 503 with an
absurd Retry-After, an adapter that never finishes, and one slow source among quick ones.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.config import load_settings
from bot.poll.poll import poll_due, poll_source
from bot.poll.workers import Poller
from bot.services import Services
from feeds import adapters
from feeds.fetch import Fetcher, FetchError, _retry_after, fetch_source
from feeds.html import MAX_DEPTH, parse_html
from feeds.items import Parsed
from storage import sources as source_store
from storage.models import Source
from tests.fixtures.feeds.loopback import FIXTURES, LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.harness import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RSS = (FIXTURES / "kdd_rss.xml").read_bytes()
DEEP = b"<html><body>" + b"<div>" * 50_000 + b"innerst" + b"</div>" * 50_000 + b"</body></html>"


def depth(node: Any) -> int:
    deepest, stack = 0, [(node, 0)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in n.children if not isinstance(c, str))
    return deepest


def test_a_page_of_50000_nested_tags_is_read_quickly_and_bounded() -> None:
    """html.parser took 49 s here and built a tree 50,000 deep; lxml stops at a bounded depth."""
    root = parse_html(DEEP.decode())  # how long it takes: python -m benchmarks (not a timed test)
    assert depth(root) <= MAX_DEPTH + 1
    assert "innerst" in root.text()  # the text inside stays; only the tags too deep are left out


def test_what_follows_deep_nesting_is_still_read() -> None:
    """libxml2 alone gives up past 256 levels and drops the rest of the page: the cards after it."""
    cards = "".join(
        f'<div class="proposal"><a class="proposal--link" href="/utlysninger/2026/call-{i}/">'
        f"<h3>Utlysning nummer {i}</h3></a><dl><dt>Søknadsfrist</dt><dd>1. okt. 2026</dd></dl></div>"
        for i in range(3)
    )
    page = f"<html><body>{'<div>' * 50_000}dypt{'</div>' * 50_000}{cards}</body></html>"
    parsed = adapters.adapter_for("forskningsradet").parse(
        page.encode(), url="https://www.forskningsradet.no/utlysninger/", content_type="text/html", now=NOW
    )
    assert [i.title for i in parsed.items] == [f"Utlysning nummer {i}" for i in range(3)]


async def run(url: str, kind: str = "rss", **kw: Any) -> Any:
    async with Fetcher(user_agent="t", allow_private=True, **kw) as fetcher:
        return await fetch_source(fetcher, kind, url, now=NOW)


async def test_every_adapter_parses_off_the_event_loop(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole adapter call runs in a worker thread, whatever the adapter (no change to it)."""
    threads: list[str] = []
    real = adapters.ADAPTERS["rss"]

    def spy(body: bytes, **kw: Any) -> Parsed:
        threads.append(threading.current_thread().name)
        return real.parse(body, **kw)

    monkeypatch.setitem(adapters.ADAPTERS, "rss", adapters.Adapter("rss", spy, None, real.accept, ""))
    fetched = await run(loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml")))
    assert len(fetched.items) == 3
    assert threads and threads[0] != threading.main_thread().name
    assert threads[0].startswith("foui-parse")


async def test_a_parse_that_never_finishes_is_abandoned_within_its_time(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    finished = threading.Event()

    def stuck(body: bytes, **kw: Any) -> Parsed:
        time.sleep(1.5)
        finished.set()
        return Parsed(items=[])

    monkeypatch.setitem(adapters.ADAPTERS, "rss", adapters.Adapter("rss", stuck, None, "*/*", ""))
    with pytest.raises(FetchError) as err:
        await run(loopback.add("/feed.rss", Route(body=RSS)), parse_seconds=0.2)
    assert err.value.code == "parse_timeout"
    assert not finished.is_set()  # given up on while the stuck parse was still running
    assert texts.fetch_reason(err.value) == texts.SOURCE_REASON_PARSE_TIMEOUT


def test_retry_after_is_clamped_to_a_minute_and_a_day() -> None:
    assert _retry_after("9" * 30) == 24 * 3600
    assert _retry_after("9" * 400) == 24 * 3600  # inf
    assert _retry_after("0") == 60
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 60  # in the past
    assert _retry_after("120") == 120
    assert _retry_after("rubbish") is None


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(
        database_url=db_url, _env_file=None, http_timeout_seconds=5, poll_budget_seconds=1.5
    )
    svc = Services.create(settings, clock=FakeClock(NOW))
    yield svc
    await svc.engine.dispose()


async def add(services: Services, name: str, kind: str, url: str, interval: float = 60) -> int:
    async with services.session() as s:
        source = Source(name=name, kind=kind, url=url, interval_minutes=interval)
        s.add(source)
        await s.flush()
        return source.id


async def get(services: Services, source_id: int) -> Source:
    async with services.session() as s:
        source = await s.get(Source, source_id)
        assert source is not None
        return source


async def test_a_503_with_an_absurd_retry_after_is_not_fetched_again_and_again(
    services: Services, loopback: LoopbackServer
) -> None:
    """The Retry-After overflowed the date, the failure was never recorded, the source polled 52×/min."""
    url = loopback.add("/busy.rss", Route(body=b"busy", status=503, headers={"Retry-After": "9" * 30}))
    source_id = await add(services, "Travel", "rss", url, interval=0.02)
    outcome = await poll_source(services, source_id)
    assert not outcome.ok
    source = await get(services, source_id)
    assert source.consecutive_failures == 1
    assert source.next_poll_at is not None
    assert source.next_poll_at.replace(tzinfo=UTC) == NOW + timedelta(days=1)
    assert await poll_due(services) == []  # not due again until then
    assert loopback.hits["/busy.rss"] == 1


async def test_backoff_is_at_least_a_minute_and_at_most_a_day(services: Services) -> None:
    source_id = await add(services, "Rask", "rss", "http://127.0.0.1:1/x.rss", interval=0.01)
    async with services.session() as s:
        source = await s.get(Source, source_id)
        assert source is not None
        await source_store.record_failure(s, source, now=NOW, reason="x", retry_after=0.0)
        assert source.next_poll_at == NOW + timedelta(minutes=1)
        source.interval_minutes = 10_000
        await source_store.record_failure(s, source, now=NOW, reason="x")
        assert source.next_poll_at == NOW + timedelta(days=1)
        await source_store.record_failure(s, source, now=NOW, reason="x", retry_after=float("inf"))
        assert source.next_poll_at == NOW + timedelta(days=1)


def dripping_listing(loopback: LoopbackServer, n: int = 6) -> str:
    cards = "".join(
        f'<div class="proposal"><a class="proposal--link" href="/drypp/utlysninger/2026/call-{i}/">'
        f"<h3>Utlysning {i}</h3></a><dl><dt>Søknadsfrist</dt><dd>1. okt. 2026</dd></dl></div>"
        for i in range(n)
    )
    body = f"<html><body><main><section>{cards}</section></main></body></html>".encode()
    for i in range(n):
        loopback.add(
            f"/drypp/utlysninger/2026/call-{i}/",
            Route(body=b"<html>" + b" " * 200 + b"</html>", drip_seconds=1),
        )
    return loopback.add("/drypp/", Route(body=body))


async def test_a_listing_whose_call_pages_drip_is_stopped_at_its_budget_and_the_others_go_on(
    services: Services, loopback: LoopbackServer
) -> None:
    """Each call page stayed within the per-request timeout, so the source held polling for minutes."""
    slow = await add(services, "Drypp", "forskningsradet", dripping_listing(loopback))
    # Another site (per-host politeness would otherwise make it queue behind the dripping one).
    feed = loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    quick = await add(services, "Rask", "rss", feed.replace("127.0.0.1", "localhost"))
    outcomes = {o.source_id: o for o in await poll_due(services)}
    assert outcomes[quick].ok and outcomes[quick].found == 3
    assert not outcomes[slow].ok
    assert outcomes[slow].reason == texts.SOURCE_REASON_BUDGET.format(seconds="1.5")
    source = await get(services, slow)
    assert source.last_error == texts.SOURCE_REASON_BUDGET.format(seconds="1.5")
    assert source.consecutive_failures == 1 and "Error" not in (source.last_error or "")


async def test_the_poller_never_waits_for_a_slow_source(services: Services, loopback: LoopbackServer) -> None:
    """A tick starts the due sources and returns; a source due later starts while the slow one runs."""
    slow = await add(services, "Drypp", "forskningsradet", dripping_listing(loopback))
    poller = Poller(services)
    try:
        assert await poller.tick() == [slow]
        assert not poller.running[slow].done()  # the tick returned while the slow source runs on
        await asyncio.sleep(0.2)
        feed = loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
        quick = await add(services, "Rask", "rss", feed.replace("127.0.0.1", "localhost"))
        assert await poller.tick() == [quick]  # the slow one is still running and not started twice
        assert slow in poller.running
        running = poller.running.get(quick)
        if running is not None:
            await running
        assert (await get(services, quick)).last_success_at is not None
        assert slow in poller.running  # still dripping: the quick one did not wait for it
        done = {o.source_id: o for o in await poller.drain()}
        assert done[slow].reason == texts.SOURCE_REASON_BUDGET.format(seconds="1.5")
    finally:
        await poller.aclose()


async def test_workers_are_bounded(db_url: str, loopback: LoopbackServer) -> None:
    settings = load_settings(database_url=db_url, _env_file=None, poll_workers=2, poll_budget_seconds=5)
    svc = Services.create(settings, clock=FakeClock(NOW))
    try:
        for i in range(5):
            feed = (
                f'<rss version="2.0"><channel><title>K{i}</title><item><title>Utlysning {i}</title>'
                f"<link>https://k{i}.example/u</link><guid>k{i}</guid></item></channel></rss>"
            ).encode()
            await add(svc, f"K{i}", "rss", loopback.add(f"/k{i}.rss", Route(body=feed, delay=0.3)))
        poller = Poller(svc)
        try:
            assert len(await poller.tick()) == 5
            await asyncio.sleep(0.15)
            assert poller.gate.locked()  # two fetching, three waiting for a worker
            outcomes = await poller.drain()
            assert len(outcomes) == 5 and all(o.ok for o in outcomes)
        finally:
            await poller.aclose()
    finally:
        await svc.engine.dispose()


async def test_a_network_failure_is_recorded_as_a_norwegian_sentence(services: Services) -> None:
    """Not "nettverksfeil: ConnectError: [Errno 111] …": that stays in the operator's log."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source_id = await add(services, "Stengt", "rss", f"http://127.0.0.1:{port}/feed.rss")
    outcome = await poll_source(services, source_id)
    assert outcome.reason == texts.SOURCE_REASON_NO_CONNECT
    assert (await get(services, source_id)).last_error == texts.SOURCE_REASON_NO_CONNECT
