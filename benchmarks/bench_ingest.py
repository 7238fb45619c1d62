"""Ingest speed: a 1,000-item RSS feed and a 200-call Forskningsrådet-style listing on loopback.

Each is polled end to end (HTTP on 127.0.0.1, parse, deadlines, topics, ingest into a fresh SQLite
database, commit) and reported as items per second and as a ratio to feedparser parsing the same
bytes alone. The RSS feed is measured side by side in one run: each round times feedparser on the
bytes and a poll of a fresh copy of the feed (new GUIDs, so all 1,000 are new), in CPU time of the
whole process (every thread: the parse pool, SQLite's thread, and the fixture server's, which only
sends bytes), which other work on a shared machine disturbs less than wall time (shown too). The
ratio is the median of the rounds after a warm-up, lower is better, the goal is at most 2. The
fixture server sets TCP_NODELAY, so Nagle's delays are not counted. Then the listing is polled again
unchanged (a 304) and timed in ms.
Run: ``.venv/bin/python -m benchmarks ingest`` (``--quick``: 3 rounds)
"""

from __future__ import annotations

import asyncio
import html
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser

from bot.config import load_settings
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.db import migrate
from storage.models import Source
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import LoopbackServer, Route

TITLES = [
    "Innovasjonsprosjekt i offentlig sektor",
    "Forprosjekt til førkommersiell anskaffelse i offentlig sektor",
    "Forskning og innovasjon for å styrke bærekraften i kommunale helse- og omsorgstjenester",
    "Regionalt innovasjonsprosjekt i kommunal sektor",
    "Skjønnsmidler til fornying og innovasjon",
    "Tilskudd til velferdsteknologi og digitalisering",
]
TEXT = (
    "Et innovasjonsprosjekt i offentlig sektor skal bidra til at offentlig sektor innoverer tjenester, "
    "infrastruktur og forvaltning på en bærekraftig, systematisk og effektiv måte. Søknadsfrist: {d}."
)


def rss(n: int) -> bytes:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    items = []
    for i in range(n):
        d = start + timedelta(days=i % 300)
        desc = html.escape(
            TEXT.format(
                d=f"{d.day}. {['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'][d.month - 1]} {d.year} kl. 13.00"
            )
        )
        items.append(
            f"<item><title>{TITLES[i % len(TITLES)]} {i}</title><link>https://bench.test/c/{i}</link>"
            f"<guid>bench-{i}</guid><description>{desc}</description>"
            f"<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def listing(n: int) -> bytes:
    cards = []
    for i in range(n):
        cards.append(
            f'<div class="proposal"><span class="status">Søk nå</span>'
            f'<a class="proposal--link" href="/utlysninger/2026/call-{i}/"><h3>{TITLES[i % len(TITLES)]} {i}</h3></a>'
            f"<dl><dt>Søknadsfrist</dt><dd>{1 + i % 28}. okt. 2026</dd><dt>Formål</dt><dd>{TEXT.format(d='')}</dd></dl></div>"
        )
    return (
        '<html><body><main><form class="proposal-list-page"><section class="proposal-group">'
        "<h2>Innovasjonsprosjekt (200 utlysninger)</h2>"
        + "".join(cards)
        + "</section></form></main></body></html>"
    ).encode()


def call_page(i: int) -> bytes:
    return (
        f"<html><body><main><div>Søk nå</div><h1>{TITLES[i % len(TITLES)]} {i}</h1><h2>Viktige datoer</h2>"
        f"<p>5. mai 2026</p><p>Åpen for søknad</p><p>{1 + i % 28}. okt. 2026</p><p>Søknadsfrist</p>"
        f"<p>1. jan. 2027</p><p>Tidligste tillatte prosjektstart</p><h2>Formål</h2><p>{TEXT.format(d='')}</p>"
        "</main></body></html>"
    ).encode()


def best_of(fn: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


class Clock:
    """Wall time and this process's CPU time (every thread: parse, SQLite, the fixture server)."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


async def rss_rounds(services: Services, server: LoopbackServer, rounds: int) -> list[tuple[Clock, Clock]]:
    """Each round: feedparser on the feed's bytes and a fresh 1,000-item feed polled end to end, one
    after the other (which goes first alternates, so neither always runs on a warmer cache). Round 0
    is a warm-up (regexes compiled, month names loaded) and is not returned."""
    from bot.poll import poll as polling

    out = []
    async with polling.make_fetcher(services.settings) as fetcher:
        for r in range(rounds + 1):
            feed = rss(1000).replace(b"<guid>bench-", f"<guid>r{r}-".encode())
            server.add(f"/feed{r}.rss", Route(body=feed, content_type="application/rss+xml"))
            async with services.session() as s:
                source = Source(
                    name=f"RSS {r}", kind="rss", url=server.url(f"/feed{r}.rss"), interval_minutes=60
                )
                s.add(source)
                await s.flush()
                source_id = source.id
            if r % 2:
                with Clock() as parse:
                    feedparser.parse(feed)
            with Clock() as ingest:
                outcome = await polling.poll_source(services, source_id, fetcher=fetcher)
            if not r % 2:
                with Clock() as parse:
                    feedparser.parse(feed)
            assert outcome.result is not None
            assert len(outcome.result.new) + len(outcome.result.new_closed) == 1000, outcome
            if r:
                out.append((parse, ingest))
    return out


async def run(rounds: int) -> None:
    from bot.poll import poll as polling

    server = LoopbackServer()
    server.start()
    page = listing(200)
    server.add("/utlysninger/", Route(body=page, etag='"l1"'))
    for i in range(200):
        server.add(f"/utlysninger/2026/call-{i}/", Route(body=call_page(i)))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            sources_allow_private_urls=True,  # the fixture server is on 127.0.0.1
            _env_file=None,
        )
        now = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        services = Services.create(settings, clock=lambda: now)
        await migrate(services.engine)
        async with services.session() as s:
            await seed_topics(s, DEFAULT_TOPICS)
            fr_src = Source(
                name="FR", kind="forskningsradet", url=server.url("/utlysninger/"), interval_minutes=60
            )
            s.add(fr_src)
            await s.flush()
            fr_id = fr_src.id
        measured = await rss_rounds(services, server, rounds)
        fp_listing = best_of(lambda: feedparser.parse(page))
        async with polling.make_fetcher(settings) as fetcher:
            t0 = time.perf_counter()
            o2 = await polling.poll_source(services, fr_id, fetcher=fetcher)
            t_fr = time.perf_counter() - t0
            assert o2.result is not None and len(o2.result.new) == 200, o2
            repoll = []
            for _ in range(10):
                t0 = time.perf_counter()
                b = await polling.poll_source(services, fr_id, fetcher=fetcher)
                repoll.append(time.perf_counter() - t0)
                assert b.not_modified
        await services.engine.dispose()
    server.stop()
    ratios = sorted(i.cpu / p.cpu for p, i in measured)
    wall = statistics.median(i.wall / p.wall for p, i in measured)
    ingest_cpu = statistics.median(i.cpu for _, i in measured)
    ingest_wall = statistics.median(i.wall for _, i in measured)
    parse_cpu = statistics.median(p.cpu for p, _ in measured)
    print(
        f"RSS, 1,000 items, {rounds} rounds side by side after a warm-up (each: feedparser.parse on the "
        f"bytes, and a fresh feed polled end to end: HTTP, parse, deadlines, topics, ingest, commit)"
    )
    print(
        f"  ingest ÷ feedparser parse = {statistics.median(ratios):.2f}× CPU time, median of {rounds} rounds "
        f"(lower is better; goal ≤ 2); rounds from {ratios[0]:.2f}× to {ratios[-1]:.2f}×"
    )
    print(
        f"  ingest ÷ feedparser parse = {wall:.2f}× wall time, median (lower is better; noisy on a shared machine)"
    )
    print(
        f"  medians: ingest {ingest_cpu * 1000:,.0f} ms CPU ({ingest_wall * 1000:,.0f} ms wall, "
        f"{1000 / ingest_wall:,.0f} items/s); feedparser {parse_cpu * 1000:,.0f} ms CPU"
    )
    print(
        f"Forskningsrådet-style, 200 calls (listing + 200 call pages): {200 / t_fr:,.0f} calls/s "
        f"({t_fr * 1000:,.0f} ms); feedparser on the listing bytes alone {fp_listing * 1000:,.0f} ms "
        f"-> ratio {t_fr / fp_listing:.1f}x (lower is better)"
    )
    print(
        f"Re-poll of the listing unchanged (a 304): median {statistics.median(repoll) * 1000:.1f} ms, "
        f"best {min(repoll) * 1000:.1f} ms"
    )


def main() -> None:
    rounds = 3 if "--quick" in sys.argv else 7
    asyncio.run(run(rounds))


if __name__ == "__main__":
    main()
