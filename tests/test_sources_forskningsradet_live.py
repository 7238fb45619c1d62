"""Forskningsrådet as the live site is known to be: group headers in ``div.proposal-group--header``,
call pages whose data sits in ``ProposalPage`` JSON (ticks beside a display value), "Planlagt" kept."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from feeds.fetch import Fetcher, fetch_source
from feeds.items import FeedItem, Status
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures.feeds.proposal import page, ticks

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)

LISTING = """<!DOCTYPE html><html lang="nb"><body><main>
<form class="proposal-list-page">
 <div class="proposal-group">
  <div class="proposal-group--header">Kvalifiseringsstøtte (1 utlysning)</div>
  <div class="proposal-group--body">
   <div class="proposal"><span class="status">Planlagt</span>
    <a class="proposal--link" href="/utlysninger/2025/kvalifisering-kommune/"><span>Kvalifiseringsstøtte for kommuner</span></a>
    <div>Søknadsfrist</div><div>5. mars 2025</div>
    <div>Antatt tilgjengelige midler</div><div>20 millioner kroner</div></div>
  </div>
 </div>
 <div class="proposal-group">
  <div class="proposal-group--header">Innovasjonsprosjekt i offentlig sektor (2 utlysninger)</div>
  <div class="proposal-group--body">
   <div class="proposal"><span class="status">Søk nå</span>
    <a class="proposal--link" href="/utlysninger/2025/ipos-2025/"><span>Innovasjonsprosjekt i offentlig sektor</span></a></div>
   <div class="proposal"><span class="status status--is-completed">Gjennomført</span>
    <a class="proposal--link" href="/utlysninger/2024/ipos-2024/#results"><span>Innovasjonsprosjekt i offentlig sektor 2024</span></a></div>
  </div>
 </div>
</form></main></body></html>"""


JSON_ONLY = {
    "title": "Kvalifiseringsstøtte for kommuner",
    "status": "Planlagt",
    "intro": "<p>Kommuner kan søke om støtte til å utvikle prosjekter sammen med forskningsmiljøer, og få hjelp til søknaden.</p>",
    "importantDates": {
        "heading": "Viktige datoer",
        "items": [
            {
                "label": "Åpen for søknad",
                "date": {"ticks": ticks(2025, 1, 22), "displayValue": "22. jan. 2025"},
            },
            {
                "label": "Søknadsfrist",
                "date": {"ticks": ticks(2025, 3, 5, 13), "displayValue": "5. mars 2025"},
            },
            {"label": "Tidligste tillatte prosjektstart", "date": {"ticks": ticks(2025, 10, 1)}},
        ],
    },
}


def serve(server: LoopbackServer, pages: dict[str, bytes]) -> str:
    for path, body in pages.items():
        server.add(path, Route(body=body))
    return server.add("/utlysninger/", Route(body=LISTING.encode()))


async def read(server: LoopbackServer, pages: dict[str, bytes]) -> dict[str, FeedItem]:
    url = serve(server, pages)
    async with Fetcher(user_agent="FoUI-boten/test", allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "forskningsradet", url, now=NOW)
    return {i.url.split("/utlysninger/")[1] if i.url else "": i for i in result.items}


DEFAULT_PAGES = {
    "/utlysninger/2025/kvalifisering-kommune/": page(JSON_ONLY),
    "/utlysninger/2025/ipos-2025/": page(
        {"title": "Innovasjonsprosjekt i offentlig sektor"},
        "<h1>Innovasjonsprosjekt i offentlig sektor</h1><h2>Viktige datoer</h2>"
        "<div><p>10. sep. 2025</p><p>Søknadsfrist</p></div>",
    ),
    "/utlysninger/2024/ipos-2024/": page(
        {}, "<h1>Innovasjonsprosjekt i offentlig sektor 2024</h1><p>Gjennomført</p>"
    ),
}


async def test_every_call_gets_its_group_from_the_group_header(loopback: LoopbackServer) -> None:
    items = await read(loopback, DEFAULT_PAGES)
    groups = {k: i.facts.get("group") for k, i in items.items()}
    assert groups == {
        "2025/kvalifisering-kommune/": "Kvalifiseringsstøtte",
        "2025/ipos-2025/": "Innovasjonsprosjekt i offentlig sektor",
        "2024/ipos-2024/": "Innovasjonsprosjekt i offentlig sektor",
    }
    assert "Kvalifiseringsstøtte" in items["2025/kvalifisering-kommune/"].topic_text
    assert items["2025/kvalifisering-kommune/"].facts["amount"] == "20 millioner kroner"


async def test_a_call_page_with_only_the_json_gives_its_deadline_and_keeps_planned(
    loopback: LoopbackServer,
) -> None:
    items = await read(loopback, DEFAULT_PAGES)
    call = items["2025/kvalifisering-kommune/"]
    assert call.detail_fetched and call.status == Status.PLANNED
    assert call.deadline is not None and call.deadline.at == datetime(2025, 3, 5, 13, 0, tzinfo=OSLO)
    assert call.deadline.certain and "Søknadsfrist" in call.deadline.evidence
    assert call.summary.startswith("Kommuner kan søke om støtte")
    assert items["2024/ipos-2024/"].status == Status.CLOSED


async def test_iso_dates_and_keys_that_name_the_date(loopback: LoopbackServer) -> None:
    props = {
        "title": "X-utlysning",
        "proposal": {"applicationDeadline": "2025-04-02T11:00:00Z", "openDate": "2025-02-01"},
    }
    pages = dict(DEFAULT_PAGES)
    pages["/utlysninger/2025/kvalifisering-kommune/"] = page(props)
    call = (await read(loopback, pages))["2025/kvalifisering-kommune/"]
    assert call.deadline is not None and call.deadline.at == datetime(2025, 4, 2, 13, 0, tzinfo=OSLO)


async def test_json_and_visible_block_that_disagree_are_not_certain(loopback: LoopbackServer) -> None:
    pages = dict(DEFAULT_PAGES)
    pages["/utlysninger/2025/kvalifisering-kommune/"] = page(
        JSON_ONLY,
        "<h1>Kvalifiseringsstøtte for kommuner</h1><h2>Viktige datoer</h2>"
        "<div><p>12. mars 2025</p><p>Søknadsfrist</p></div>",
    )
    call = (await read(loopback, pages))["2025/kvalifisering-kommune/"]
    assert call.deadline is not None and call.deadline.at == datetime(2025, 3, 12, 13, 0, tzinfo=OSLO)
    assert not call.deadline.certain and "05.03.2025" in call.deadline.evidence
    pages["/utlysninger/2025/kvalifisering-kommune/"] = page(
        JSON_ONLY,
        "<h1>Kvalifiseringsstøtte for kommuner</h1><h2>Viktige datoer</h2>"
        "<div><p>5. mars 2025</p><p>Søknadsfrist</p></div>",
    )
    agreed = (await read(loopback, pages))["2025/kvalifisering-kommune/"]
    assert agreed.deadline is not None and agreed.deadline.certain
