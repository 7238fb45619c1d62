"""Statsforvalteren's grant pages ("Tilskudd"), not its front page, are where the calls are: the listing's
grant links, and each article's "Søknadsfrist:", "Målgruppe:" and "Hvem kan søke:" (loopback)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from feeds.eligibility import Verdict, extract
from feeds.fetch import Fetcher, fetch_source
from feeds.sources import DEFAULT_SOURCES
from feeds.statsforvalteren_grants import grant_facts
from tests.fixtures.feeds.loopback import LoopbackServer, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2020, 6, 1, 8, 0, tzinfo=UTC)


def test_the_default_statsforvalteren_source_reads_the_grant_pages() -> None:
    [source] = [s for s in DEFAULT_SOURCES if s.name.startswith("Statsforvalteren")]
    assert source.kind == "statsforvalteren_tilskudd"
    assert source.url.rstrip("/").lower().endswith("/tilskudd")


async def test_grant_listing_and_articles(loopback: LoopbackServer) -> None:
    serve_sites(loopback)
    url = loopback.file("/nb/Trondelag/Tilskudd/", "sf_tilskudd_listing.html")
    async with Fetcher(user_agent="FoUI-boten/test", allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "statsforvalteren_tilskudd", url, now=NOW)
    items = {i.title: i for i in result.items}
    assert set(items) == {
        "Prosjektskjønn - fornying og innovasjon 2021",
        "Skjønnsmidler uforutsette og særskilte forhold",
    }  # not the news link, not the footer's archive
    assert result.details_fetched == 2 and result.warnings == []
    skjonn = items["Prosjektskjønn - fornying og innovasjon 2021"]
    assert skjonn.deadline is not None and skjonn.deadline.at == datetime(2020, 9, 1, 23, 59, tzinfo=OSLO)
    assert skjonn.deadline.certain
    assert skjonn.facts == {
        "eligible": "Kommuner",
        "audience": "Kommuner i Trøndelag",
        "responsible": "Fylkesmannen i Trøndelag",
    }
    assert skjonn.published == datetime(2020, 2, 19, tzinfo=OSLO)
    assert skjonn.summary.startswith("Fylkesmannen fordeler en del av skjønnsrammen")
    reading = extract(skjonn.summary, title=skjonn.title, facts=skjonn.facts)
    assert reading.verdict is Verdict.CAN_APPLY


def test_facts_on_one_line_and_in_nynorsk() -> None:
    lines = [
        "Søknadsfrist: 1. februar 2018 16:00",
        "Målgruppe: Kommuner i Trøndelag",
        "Kven kan søke:",
        "Kommuner",
    ]
    assert grant_facts(lines) == {"audience": "Kommuner i Trøndelag", "eligible": "Kommuner"}
    assert grant_facts(["Hvem kan søke:", "Søknadsfrist:", "1. mars"]) == {}
