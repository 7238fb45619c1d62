"""Ingest speed: a 1,000-item RSS feed and a 200-call Forskningsrådet-style listing on loopback.

Each is polled end to end (HTTP on 127.0.0.1, parse, deadlines, topics, ingest into a fresh SQLite
database, commit) and reported as items per second and as a ratio to feedparser parsing the same
bytes alone. Then both sources are polled again unchanged (each answers 304) and timed in ms.
Run: ``.venv/bin/python -m benchmarks ingest``
"""

from __future__ import annotations

import asyncio
import html
import statistics
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


async def run() -> None:
    from bot.poll import poll as polling

    server = LoopbackServer()
    server.start()
    feed = rss(1000)
    page = listing(200)
    server.add("/feed.rss", Route(body=feed, content_type="application/rss+xml", etag='"f1"'))
    server.add("/utlysninger/", Route(body=page, etag='"l1"'))
    for i in range(200):
        server.add(f"/utlysninger/2026/call-{i}/", Route(body=call_page(i)))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", _env_file=None)
        now = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        services = Services.create(settings, clock=lambda: now)
        await migrate(services.engine)
        async with services.session() as s:
            await seed_topics(s, DEFAULT_TOPICS)
            rss_src = Source(name="RSS", kind="rss", url=server.url("/feed.rss"), interval_minutes=60)
            fr_src = Source(
                name="FR", kind="forskningsradet", url=server.url("/utlysninger/"), interval_minutes=60
            )
            s.add_all([rss_src, fr_src])
            await s.flush()
            ids = (rss_src.id, fr_src.id)
        fp_rss = best_of(lambda: feedparser.parse(feed))
        fp_listing = best_of(lambda: feedparser.parse(page))
        async with polling.make_fetcher(settings) as fetcher:
            t0 = time.perf_counter()
            o1 = await polling.poll_source(services, ids[0], fetcher=fetcher)
            t_rss = time.perf_counter() - t0
            t0 = time.perf_counter()
            o2 = await polling.poll_source(services, ids[1], fetcher=fetcher)
            t_fr = time.perf_counter() - t0
            assert o1.result is not None and len(o1.result.new) + len(o1.result.new_closed) == 1000, o1
            assert o2.result is not None and len(o2.result.new) == 200, o2
            repoll = []
            for _ in range(10):
                t0 = time.perf_counter()
                a = await polling.poll_source(services, ids[0], fetcher=fetcher)
                b = await polling.poll_source(services, ids[1], fetcher=fetcher)
                repoll.append(time.perf_counter() - t0)
                assert a.not_modified and b.not_modified
        await services.engine.dispose()
    server.stop()
    print(
        f"RSS, 1,000 items: {1000 / t_rss:,.0f} items/s end to end ({t_rss * 1000:,.0f} ms); "
        f"feedparser alone {fp_rss * 1000:,.0f} ms -> ratio {t_rss / fp_rss:.1f}x"
    )
    print(
        f"Forskningsrådet-style, 200 calls (listing + 200 call pages): {200 / t_fr:,.0f} calls/s "
        f"({t_fr * 1000:,.0f} ms); feedparser on the listing bytes alone {fp_listing * 1000:,.0f} ms "
        f"-> ratio {t_fr / fp_listing:.1f}x"
    )
    print(
        f"Re-poll of both unchanged sources (two 304s): median {statistics.median(repoll) * 1000:.1f} ms, "
        f"best {min(repoll) * 1000:.1f} ms"
    )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
