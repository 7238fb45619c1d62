"""Drift alarms: a source that used to yield calls yields none, or none with a deadline, or loses a
field; the coordinators get ONE message, and /kilder shows it until fixed or acknowledged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot import texts
from bot.config import Settings, load_settings
from bot.poll import poll as polling
from bot.poll.drift import KIND
from storage import sources as source_store
from storage.models import Outbox
from storage.rules.drift import EMPTY, NO_DEADLINES, SHAPE, Yield, judge, next_baseline, yield_of
from tests.coord_helpers import last_message
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures.feeds.proposal import listing, page
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, running_harness


def test_rules() -> None:
    dated = [(True, {"status", "summary", "url"})] * 3
    base = yield_of(3, dated)
    assert base == Yield(3, 3, 3, ("status", "summary", "url"), ("status", "summary", "url"))
    assert judge(base, base) is None
    assert judge(base, Yield(0)) == judge(base, yield_of(0, [])) and judge(base, Yield(0)).kind == EMPTY  # type: ignore[union-attr]
    assert judge(Yield(1, 1, 1), Yield(0)) is None  # one call that went away is not a drift
    undated = yield_of(3, [(False, {"status", "summary", "url"})] * 3)
    assert judge(base, undated).kind == NO_DEADLINES  # type: ignore[union-attr]
    no_status = yield_of(3, [(True, {"summary", "url"})] * 3)
    drift = judge(base, no_status)
    assert drift is not None and drift.kind == SHAPE and drift.missing == ("status",)
    half = yield_of(3, [(True, {"summary", "url"}), (True, {"status", "summary", "url"})])
    assert judge(base, half) is None  # some still carry it
    unchanged = yield_of(3, [])  # a two-step source that read no page again says nothing of deadlines
    assert judge(base, unchanged) is None and next_baseline(base, unchanged).dated == 3


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        database_url=db_url,
        coordinator_ids=[COORDINATOR.id],
        group_chat_id=GROUP_ID,
        http_timeout_seconds=5,
        sources_allow_private_urls=True,
        quiet_hours="",
        _env_file=None,
    )


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    async with running_harness(settings, clock=clock) as h:
        async with h.services.session() as s:
            for source in await source_store.list_sources(s):
                await source_store.remove_source(s, source.id)
        yield h


def serve(server: LoopbackServer, cards: int, *, dated: bool = True, empty: bool = False) -> str:
    rows = []
    for n in range(cards):
        path = f"/utlysninger/2099/utlysning-{n}/"
        visible = (
            f"<h1>Utlysning nummer {n}</h1><p>{'Søknadsfrist: 5. mars 2099' if dated else 'Mer kommer.'}</p>"
        )
        server.add(path, Route(body=page({}, visible)))
        rows.append(("Søk nå", path, f"Utlysning nummer {n}", "", f"{n + 1}. mars 2099" if dated else ""))
    body = b"<html><body><h1>Vi har nye nettsider</h1></body></html>" if empty else listing(rows)
    return server.add("/utlysninger/", Route(body=body))


async def drift_rows(harness: BotHarness) -> list[Outbox]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Outbox).where(Outbox.kind == KIND))).scalars())


async def test_a_listing_that_suddenly_yields_nothing(harness: BotHarness, loopback: LoopbackServer) -> None:
    url = serve(loopback, 3)
    async with harness.services.session() as s:
        sid = (
            await source_store.add_source(
                s, name="Forskningsrådet", kind="forskningsradet", url=url, topics=[]
            )
        ).id
    assert (await polling.poll_source(harness.services, sid)).ok
    assert await drift_rows(harness) == []
    serve(loopback, 0, empty=True)
    assert not (await polling.poll_source(harness.services, sid)).ok
    assert not (await polling.poll_source(harness.services, sid)).ok
    [row] = await drift_rows(harness)  # one message, however often it is polled
    text = row.payload["text"]
    assert "Forskningsrådet" in text and "Før ga den 3 utlysninger; nå ga den ingen" in text
    assert url in text and "--dry-run" in text
    listing_msg = last_message(await harness.send("/kilder", COORDINATOR))
    assert "⚠️ Endret? Før ga den 3 utlysninger" in listing_msg.text
    card = last_message(await harness.press(listing_msg, "Forskningsrådet", COORDINATOR))
    assert "⚠️ <b>Varsel</b>" in card.text and card.button_texts[0] == texts.BTN_KI_DRIFT_ACK
    done = last_message(await harness.press(card, texts.BTN_KI_DRIFT_ACK, COORDINATOR))
    assert done.text.startswith(texts.KI_DRIFT_ACKED.format(name="Forskningsrådet"))
    assert texts.BTN_KI_DRIFT_ACK not in done.button_texts
    assert "⚠️" not in last_message(await harness.send("/kilder", COORDINATOR)).text
    assert not (await polling.poll_source(harness.services, sid)).ok
    assert len(await drift_rows(harness)) == 1  # acknowledged: not told again


async def test_no_deadlines_any_more_then_fixed(harness: BotHarness, loopback: LoopbackServer) -> None:
    url = serve(loopback, 3)
    async with harness.services.session() as s:
        sid = (await source_store.add_source(s, name="RFF", kind="forskningsradet", url=url, topics=[])).id
    assert (await polling.poll_source(harness.services, sid)).ok
    serve(loopback, 3, dated=False)
    assert (await polling.poll_source(harness.services, sid)).ok
    [row] = await drift_rows(harness)
    assert "Ingen av de 3 utlysningene" in row.payload["text"] and "(før: 3 av 3)" in row.payload["text"]
    assert "⚠️ Endret?" in last_message(await harness.send("/kilder", COORDINATOR)).text
    serve(loopback, 3)
    assert (await polling.poll_source(harness.services, sid)).ok
    assert "⚠️" not in last_message(await harness.send("/kilder", COORDINATOR)).text  # fixed


async def test_a_news_feed_that_keeps_no_funding_item_is_not_drift(
    harness: BotHarness, loopback: LoopbackServer
) -> None:
    def feed(titles: list[str]) -> bytes:
        items = "".join(
            f"<item><title>{t}</title><link>http://127.0.0.1/{n}</link></item>" for n, t in enumerate(titles)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>KDD</title>{items}</channel></rss>'.encode()

    url = loopback.add(
        "/kdd.rss",
        Route(
            body=feed(["Tilskudd til kommuner", "Søk om midler til fornying"]),
            content_type="application/rss+xml",
        ),
    )
    async with harness.services.session() as s:
        sid = (await source_store.add_source(s, name="KDD", kind="rss_tilskudd", url=url, topics=[])).id
    assert (await polling.poll_source(harness.services, sid)).found == 2
    loopback.add(
        "/kdd.rss",
        Route(
            body=feed(["Statsråden besøkte Lom", "Ny rapport om kommunene"]),
            content_type="application/rss+xml",
        ),
    )
    assert (await polling.poll_source(harness.services, sid)).ok
    assert await drift_rows(harness) == []
