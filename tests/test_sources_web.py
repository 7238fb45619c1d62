"""The `web` kind: a coordinator's page and CSS selectors (loopback), and setting it up in /kilder with a
preview of what it finds before it is saved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.config import Settings, load_settings
from feeds.adapters import adapter_for
from feeds.fetch import Fetcher, fetch_source
from feeds.items import ParseError
from feeds.web import Selectors, selectors_of, with_selectors
from handlers.source_web import read_selectors
from storage import sources as source_store
from tests.coord_helpers import last_message
from tests.fixtures.feeds.loopback import LoopbackServer
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, running_harness

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


async def read(url: str) -> dict[str, object]:
    async with Fetcher(user_agent="FoUI-boten/test", allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "web", url, now=NOW)
    return {i.title: i for i in result.items}


async def test_selectors_for_items_title_link_and_date(loopback: LoopbackServer) -> None:
    page = loopback.file("/tilskot/", "web_kommune.html")
    url = with_selectors(page, Selectors(".card", "h3", "h3 a", ".frist"))
    assert selectors_of(url) == Selectors(".card", "h3", "h3 a", ".frist")
    items = await read(url)
    assert list(items) == [
        "Næringsfondet – tilskot til bedrifter og lag",
        "Kulturmidlar 2026",
        "Folkehelsemidlar (Innlandet fylkeskommune)",
    ]
    fond = items["Næringsfondet – tilskot til bedrifter og lag"]
    assert fond.deadline is not None and fond.deadline.at == datetime(2026, 3, 15, tzinfo=OSLO)  # type: ignore[attr-defined]
    assert fond.url == loopback.url("/tilskot/naeringsfond/")  # type: ignore[attr-defined]
    assert fond.summary == "Næringsfondet gir tilskot til utviklingsprosjekt i Lom."  # type: ignore[attr-defined]
    kultur = items["Kulturmidlar 2026"]
    assert kultur.deadline is not None and kultur.deadline.at == datetime(2026, 4, 1, tzinfo=OSLO)  # type: ignore[attr-defined]
    rolling = items["Folkehelsemidlar (Innlandet fylkeskommune)"]
    assert rolling.deadline is not None and rolling.deadline.rolling  # type: ignore[attr-defined]
    only_items = await read(with_selectors(page, Selectors("article.card")))
    assert set(only_items) == set(items)


def test_no_match_and_bad_selectors_are_reasons() -> None:
    body = b"<html><body><p>Ny nettside</p></body></html>"
    parse = adapter_for("web").parse
    with pytest.raises(ParseError, match=r"fant ingen elementer med velgeren «\.card»"):
        parse(body, url="https://x.invalid/#foui:items=.card", content_type="text/html", now=NOW)
    with pytest.raises(ParseError, match="ikke en CSS-velger"):
        parse(body, url="https://x.invalid/#foui:items=..card[", content_type="text/html", now=NOW)
    with pytest.raises(ParseError, match="mangler en CSS-velger"):
        parse(body, url="https://x.invalid/", content_type="text/html", now=NOW)


def test_reading_the_coordinators_message() -> None:
    assert read_selectors(".card") == Selectors(".card")
    assert read_selectors("utlysning: .card\ntittel: h3\nFrist: .frist") == Selectors(
        ".card", "h3", "", ".frist"
    )
    assert read_selectors("tittel: h3") == texts.KI_WEB_NO_ITEMS
    assert "Forstod ikke linjen" in str(read_selectors("utlysning: .card\nhva er dette"))
    assert "ikke en CSS-velger" in str(read_selectors("utlysning: ..x["))


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


async def test_kilder_sets_up_a_web_source_with_a_preview(
    harness: BotHarness, loopback: LoopbackServer
) -> None:
    page = loopback.file("/tilskot/", "web_kommune.html")
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    last_message(await harness.press(listing, texts.BTN_KI_ADD, COORDINATOR))
    kind = last_message(await harness.send(page, COORDINATOR))
    ask = last_message(await harness.press(kind, texts.KI_KIND_WEB, COORDINATOR))
    assert ask.text.startswith(texts.KI_WEB_ASK.split("\n")[0])
    assert loopback.hits["/tilskot/"] == 0  # nothing fetched before the selectors
    nothing = last_message(await harness.send("utlysning: .finnes-ikke", COORDINATOR))
    assert nothing.text.startswith("Fant ingenting med de velgerne")
    preview = last_message(await harness.send("utlysning: .card\ntittel: h3\nfrist: .frist", COORDINATOR))
    assert preview.text.startswith("✅ Med de velgerne finner boten 3 utlysninger")
    assert (
        "<b>Næringsfondet – tilskot til bedrifter og lag</b>" in preview.text and "15. mars" in preview.text
    )
    async with harness.services.session() as s:
        assert list(await source_store.list_sources(s)) == []  # previewed, not saved
    name = last_message(await harness.press(preview, texts.BTN_KI_WEB_OK, COORDINATOR))
    assert name.text.startswith(texts.KI_WEB_ASK_NAME)
    topics = last_message(await harness.send("Lom kommune – tilskot", COORDINATOR))
    saved = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    assert saved.text == texts.KI_ADD_SAVED.format(
        name="Lom kommune – tilskot", kind=texts.KI_KIND_WEB, minutes="60"
    )
    async with harness.services.session() as s:
        [source] = list(await source_store.list_sources(s))
    assert source.kind == "web" and selectors_of(source.url) == Selectors(".card", "h3", "", ".frist")
