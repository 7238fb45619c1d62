"""The three source kinds read fixture pages (built from the real pages' text) served on loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feeds.adapters import KINDS, UnknownKindError, adapter_for
from feeds.fetch import Fetcher, SourceFetch, fetch_source
from feeds.items import FeedItem, ParseError, Status, normalise_url
from feeds.statsforvalteren import is_funding
from tests.fixtures.feeds.loopback import LoopbackServer, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)  # type: ignore[misc]


async def poll(server: LoopbackServer, name: str, kind: str, **kw: object) -> SourceFetch:
    urls = serve_sites(server)
    async with Fetcher(
        user_agent="FoUI-boten/test (+https://example.invalid)", allow_private=True
    ) as fetcher:
        return await fetch_source(fetcher, kind, urls[name], now=kw.pop("now", NOW), **kw)  # type: ignore[arg-type]


def by_title(items: list[FeedItem]) -> dict[str, FeedItem]:
    return {i.title: i for i in items}


async def test_forskningsradet_listing_and_call_pages(loopback: LoopbackServer) -> None:
    result = await poll(loopback, "forskningsradet", "forskningsradet")
    assert result.warnings == [] and result.details_fetched == 5
    items = by_title(result.items)
    assert len(items) == 5  # the hidden card's two links are one call
    fornyelse = items["Forskerprosjekt for fornyelse (tematisk utlysning)"]
    assert fornyelse.status == Status.OPEN
    assert fornyelse.deadline is not None and fornyelse.deadline.at == at(2025, 3, 5, 13, 0)
    assert fornyelse.deadline.has_time  # Forskningsrådet's 13:00 rule
    assert fornyelse.summary.startswith("Forskerprosjekt for fornyelse skal gi forskere")
    assert "Forskerprosjekt" in fornyelse.topic_text
    pilot = items["Pilot Helse"]
    assert pilot.status == Status.CLOSED and pilot.deadline is not None
    assert pilot.deadline.at == at(2023, 9, 13, 13, 0)
    assert pilot.key == normalise_url(loopback.url("/utlysninger/2023/pilot-helse/"))
    planned = items["Midler til forskning på forsknings- og innovasjonspolitikk"]
    assert planned.status == Status.PLANNED
    assert planned.deadline is not None and planned.deadline.at == at(2024, 6, 5, 13, 0)
    rolling = items["Innovasjonsprosjekt i næringslivet"]
    assert rolling.status == Status.ROLLING and rolling.deadline is not None and rolling.deadline.rolling
    pcp = items["Forprosjekt til førkommersiell anskaffelse i offentlig sektor"]
    assert pcp.deadline is not None and pcp.deadline.at == at(2022, 9, 21, 13, 0)
    assert pcp.status == Status.CLOSED  # the page says Gjennomført; the card still said Søk nå


async def test_rff_trondelag_same_template_own_times(loopback: LoopbackServer) -> None:
    result = await poll(loopback, "rff", "forskningsradet")
    items = by_title(result.items)
    assert set(items) == {
        "Regional kvalifiseringsstøtte 2024",
        "Regionalt innovasjonsprosjekt i næringslivet 2023",
        "DistriktForsk Forprosjekt",
        "Regionalt innovasjonsprosjekt i kommunal sektor 2021",
    }  # the news link under /nyheter/ is not a call
    kval = items["Regional kvalifiseringsstøtte 2024"].deadline
    assert kval is not None and kval.at == at(2024, 10, 2, 23, 59)  # two rounds; June: the second
    sentence = items["Regionalt innovasjonsprosjekt i næringslivet 2023"]
    assert sentence.deadline is not None and sentence.deadline.at == at(2023, 5, 31, 13, 0)
    assert sentence.status == Status.CLOSED
    distrikt = items["DistriktForsk Forprosjekt"].deadline
    assert distrikt is not None and distrikt.rolling
    kommunal = items["Regionalt innovasjonsprosjekt i kommunal sektor 2021"].deadline
    assert kommunal is not None and kommunal.at == at(2021, 10, 20) and not kommunal.has_time


async def test_rff_two_rounds_before_the_first(loopback: LoopbackServer) -> None:
    result = await poll(loopback, "rff", "forskningsradet", now=datetime(2024, 2, 1, tzinfo=UTC))
    kval = by_title(result.items)["Regional kvalifiseringsstøtte 2024"].deadline
    assert kval is not None and kval.at == at(2024, 3, 20, 23, 59)


async def test_statsforvalteren_keeps_funding_news_and_reads_deadlines(loopback: LoopbackServer) -> None:
    result = await poll(loopback, "statsforvalteren", "statsforvalteren")
    items = by_title(result.items)
    assert set(items) == {
        "Prosjektskjønn - fornying og innovasjon 2021",
        "Søk om midler mot sosial isolasjon blant eldre",
        "Skjønnsmidler uforutsette og særskilte forhold",
    }
    skjonn = items["Prosjektskjønn - fornying og innovasjon 2021"]
    assert skjonn.deadline is not None and skjonn.deadline.at == at(2020, 9, 1, 23, 59)
    assert skjonn.published == at(2020, 2, 19)
    isolasjon = items["Søk om midler mot sosial isolasjon blant eldre"]
    assert isolasjon.deadline is not None and isolasjon.deadline.at == at(2020, 9, 1)
    # windows-1252 page without a charset header; a <dt> without a colon
    forhold = items["Skjønnsmidler uforutsette og særskilte forhold"]
    assert forhold.deadline is not None and forhold.deadline.at == at(2021, 9, 1, 23, 59)
    assert "særskilte" in forhold.title


@pytest.mark.parametrize(
    ("title", "funding"),
    [
        ("Skjønnsmidler til fornyingsprosjekter", True),
        ("Skjønnsmidlar til fornying og innovasjon", True),
        ("Tilskudd til frivillige organisasjoner", True),
        ("Korona i Trøndelag", False),
        ("128 millioner i reformstøtte til Trøndelag", False),
    ],
)
def test_funding_filter(title: str, funding: bool) -> None:
    assert is_funding(title) is funding


async def test_rss_atom_and_rss1(loopback: LoopbackServer) -> None:
    rss = await poll(loopback, "rss", "rss")
    items = by_title(rss.items)
    assert len(rss.items) == 3  # the duplicate GUID is dropped, with a warning
    assert rss.warnings and "GUID" in rss.warnings[0]
    skjonn = items["Skjønnsmidlar til fornying og innovasjon for 2026"]
    assert skjonn.key == "https://www.regjeringen.no/id3001/"
    assert skjonn.deadline is not None and skjonn.deadline.at == at(2026, 1, 15, 12, 0)
    assert skjonn.published == datetime(2025, 11, 18, 8, 0, tzinfo=UTC)
    assert skjonn.topic_text == "Kommuneøkonomi"
    rolling = items["Regionale utviklingsmidler til distriktene"].deadline
    assert rolling is not None and rolling.rolling
    visit = items["Statsråden besøkte Trøndelag"]
    assert visit.deadline is None and visit.published is None  # an event date is not a deadline

    atom = by_title((await poll(loopback, "atom", "rss")).items)
    ks = atom["KS lyser ut 27 FoU-prosjekter i 2024"]
    assert ks.deadline is not None and ks.deadline.at == at(2025, 12, 20, 12, 0)
    undated = atom["Uten dato"]
    assert undated.published is None and undated.deadline is None
    assert undated.key == "https://ks.no/fagomrader/uten-dato"

    rss1 = (await poll(loopback, "rss1", "rss")).items
    assert [i.title for i in rss1] == ["Tilskudd til velferdsteknologi"]
    assert rss1[0].deadline is not None and rss1[0].deadline.at == at(2026, 3, 1)


async def test_unchanged_cards_skip_their_pages(loopback: LoopbackServer) -> None:
    first = await poll(loopback, "forskningsradet", "forskningsradet")
    known = {i.key: i.fingerprint for i in first.items}
    pilot_key = next(i.key for i in first.items if i.title == "Pilot Helse")
    known[pilot_key] = "stale"
    before = loopback.hits["/utlysninger/2023/pilot-helse/"]
    urls = serve_sites(loopback)
    async with Fetcher(user_agent="t", allow_private=True) as fetcher:
        second = await fetch_source(fetcher, "forskningsradet", urls["forskningsradet"], now=NOW, known=known)
    assert second.details_fetched == 1
    assert loopback.hits["/utlysninger/2023/pilot-helse/"] == before + 1
    assert sum(1 for i in second.items if i.unchanged) == 4


async def test_a_call_page_that_fails_keeps_the_card(loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    del loopback.routes["/utlysninger/2023/pilot-helse/"]
    async with Fetcher(user_agent="t", allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "forskningsradet", urls["forskningsradet"], now=NOW)
    assert result.details_failed == 1 and "HTTP 404" in result.warnings[0]
    pilot = by_title(result.items)["Pilot Helse"]
    assert pilot.deadline is not None and pilot.deadline.at == at(2023, 9, 13, 13, 0)  # from the card
    assert pilot.fingerprint == ""  # so the page is tried again next time


async def test_rss_tilskudd_keeps_only_funding_news(loopback: LoopbackServer) -> None:
    everything = {i.title for i in (await poll(loopback, "rss", "rss")).items}
    funding = {i.title for i in (await poll(loopback, "rss", "rss_tilskudd")).items}
    assert "Statsråden besøkte Trøndelag" in everything
    assert funding == everything - {"Statsråden besøkte Trøndelag"}
    assert "Skjønnsmidlar til fornying og innovasjon for 2026" in funding


def test_kinds() -> None:
    assert set(KINDS) == {
        "rss",
        "rss_tilskudd",
        "forskningsradet",
        "statsforvalteren",
        "statsforvalteren_tilskudd",
        "eu_ft",
        "web",
    }
    assert adapter_for(" RSS ").kind == "rss"
    with pytest.raises(UnknownKindError, match="ukjent kildetype"):
        adapter_for("ftp")


@pytest.mark.parametrize("kind", ["forskningsradet", "statsforvalteren", "statsforvalteren_tilskudd"])
def test_a_page_without_the_expected_signals_is_an_error(kind: str) -> None:
    body = "<html><body><h1>Vi har fått nye nettsider</h1><p>Velkommen!</p></body></html>".encode()
    with pytest.raises(ParseError, match="fant ingen"):
        adapter_for(kind).parse(body, url="http://127.0.0.1/x/", content_type="text/html", now=NOW)


def test_normalise_url() -> None:
    assert normalise_url("HTTP://WWW.Forskningsradet.no/utlysninger/2023/pilot-helse/?tab=1#x") == (
        "https://forskningsradet.no/utlysninger/2023/pilot-helse"
    )
    assert normalise_url("https://a.no/x/?utm_source=rss&b=2&a=1") == "https://a.no/x?a=1&b=2"
    assert normalise_url("https://a.no/x?tab=2") == "https://a.no/x?tab=2"
