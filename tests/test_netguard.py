"""Outbound fetches never reach private addresses (issue 12, point 2), with the setting off.

The fixture site is on 127.0.0.1, so where a test needs a "public" site it exempts exactly that
address; everything else on loopback (127.0.0.2, localhost, every other spelling) stays refused.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import texts
from bot.config import load_settings
from bot.poll.poll import poll_source
from bot.services import Services
from feeds.fetch import Fetcher, FetchError, fetch_source
from feeds.netguard import BlockedAddressError, NetGuard, is_public, literal_address
from storage.models import Source
from tests.fixtures.feeds.loopback import FIXTURES, LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.harness import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RSS = (FIXTURES / "kdd_rss.xml").read_bytes()
SPELLINGS = [
    "127.1",
    "0x7f.0.0.1",
    "0177.1",
    "0177.0.0.01",
    "2130706433",
    "169.254.43518",  # 169.254.169.254, the cloud metadata address
    "１２７.０.０.１",  # full-width digits
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::1]",
    "[::]",
    "0",
    "0.0.0.0",
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "localhost",
    "LOCALHOST.",
]


def test_every_spelling_of_a_private_address_is_read_as_that_address() -> None:
    assert str(literal_address("127.1")) == "127.0.0.1"
    assert str(literal_address("0x7f.0.0.1")) == "127.0.0.1"
    assert str(literal_address("0177.1")) == "127.0.0.1"
    assert str(literal_address("169.254.43518")) == "169.254.169.254"
    assert str(literal_address("１２７.０.０.１")) == "127.0.0.1"
    assert literal_address("www.forskningsradet.no") is None
    assert literal_address("cafe.be") is None
    guard = NetGuard()
    for host in SPELLINGS:
        with pytest.raises(BlockedAddressError):
            guard.check_host(host.strip("[]"))
    guard.check_host("www.forskningsradet.no")  # names are judged by what they resolve to
    assert is_public(literal_address("8.8.8.8"))  # type: ignore[arg-type]


@pytest.mark.parametrize("host", SPELLINGS)
async def test_the_fetcher_refuses_every_spelling(loopback: LoopbackServer, host: str) -> None:
    loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    port = loopback.httpd.server_address[1]
    async with Fetcher(user_agent="t") as fetcher:
        with pytest.raises(FetchError) as err:
            await fetch_source(fetcher, "rss", f"http://{host}:{port}/feed.rss", now=NOW)
    assert err.value.code == "private_address"
    assert "Error" not in texts.fetch_reason(err.value)
    assert loopback.hits["/feed.rss"] == 0


async def test_a_name_is_judged_by_every_address_it_resolves_to(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A harmless-looking name that resolves to loopback (or rebinds to it) is refused at connect."""
    loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    port = loopback.httpd.server_address[1]
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "kilde.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    async with Fetcher(user_agent="t") as fetcher:
        with pytest.raises(FetchError) as err:
            await fetch_source(fetcher, "rss", f"http://kilde.example:{port}/feed.rss", now=NOW)
    assert err.value.code == "private_address"
    assert loopback.hits["/feed.rss"] == 0


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/feed.rss", "http://0x7f.0.0.2:{port}/feed.rss"])
async def test_a_redirect_to_a_private_address_is_refused(loopback: LoopbackServer, target: str) -> None:
    port = loopback.httpd.server_address[1]
    loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    loopback.add("/old.rss", Route(status=302, location=target.format(port=port)))
    async with Fetcher(user_agent="t", exempt=("127.0.0.1/32",)) as fetcher:
        assert len((await fetch_source(fetcher, "rss", loopback.url("/feed.rss"), now=NOW)).items) == 3
        with pytest.raises(FetchError) as err:
            await fetch_source(fetcher, "rss", loopback.url("/old.rss"), now=NOW)
    assert err.value.code == "private_address"
    assert loopback.hits["/feed.rss"] == 1  # only the direct fetch


async def test_call_pages_stay_on_the_listings_site(loopback: LoopbackServer) -> None:
    port = loopback.httpd.server_address[1]
    cards = "".join(
        f'<div class="proposal"><a class="proposal--link" href="{href}"><h3>Utlysning nummer {i}</h3></a>'
        f"<dl><dt>Søknadsfrist</dt><dd>1. okt. 2026</dd></dl></div>"
        for i, href in enumerate(["/utlysninger/2026/her/", f"http://127.0.0.2:{port}/utlysninger/2026/der/"])
    )
    loopback.add("/utlysninger/", Route(body=f"<html><body><main>{cards}</main></body></html>".encode()))
    page = b"<html><body><main><h1>Utlysning</h1><p>Tekst</p></main></body></html>"
    loopback.add("/utlysninger/2026/her/", Route(body=page))
    loopback.add("/utlysninger/2026/der/", Route(body=page))
    async with Fetcher(user_agent="t", exempt=("127.0.0.1/32", "127.0.0.2/32")) as fetcher:
        fetched = await fetch_source(fetcher, "forskningsradet", loopback.url("/utlysninger/"), now=NOW)
    assert len(fetched.items) == 2
    assert loopback.hits["/utlysninger/2026/her/"] == 1
    assert loopback.hits["/utlysninger/2026/der/"] == 0  # another host: never fetched
    assert any("annet nettsted" in w for w in fetched.warnings)


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None, sources_allow_private_urls=False)
    svc = Services.create(settings, clock=FakeClock(NOW))
    yield svc
    await svc.engine.dispose()


async def test_a_source_on_a_private_address_fails_with_a_norwegian_sentence(
    services: Services, loopback: LoopbackServer
) -> None:
    port = loopback.httpd.server_address[1]
    loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    async with services.session() as s:
        source = Source(name="Lokal", kind="rss", url=f"http://0177.1:{port}/feed.rss", interval_minutes=60)
        s.add(source)
        await s.flush()
        source_id = source.id
    outcome = await poll_source(services, source_id)
    assert not outcome.ok
    assert outcome.reason == texts.SOURCE_REASON_PRIVATE.format(host="0177.1")
    async with services.session() as s:
        stored = await s.get(Source, source_id)
        assert stored is not None and stored.last_error == outcome.reason
    assert loopback.hits["/feed.rss"] == 0
