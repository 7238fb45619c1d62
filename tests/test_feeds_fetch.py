"""A broken source gives a clear reason, never a crash: every failure of issue item 7, on loopback."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import httpx
import pytest

from feeds.fetch import Fetcher, FetchError, fetch_source
from feeds.items import ParseError
from tests.fixtures.feeds.loopback import FIXTURES, LoopbackServer, Route, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback

NOW = datetime(2025, 11, 23, 9, 0, tzinfo=UTC)
UA = "FoUI-boten/0.1 (+https://github.com/foui-trondelag/foui-bot)"
RSS = (FIXTURES / "kdd_rss.xml").read_bytes()
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""


async def run(server: LoopbackServer, path: str, kind: str = "rss", **fetcher_kw: object):  # type: ignore[no-untyped-def]
    kw: dict[str, object] = {"user_agent": UA, "timeout": 5.0, "allow_private": True}
    kw.update(fetcher_kw)
    async with Fetcher(**kw) as fetcher:  # type: ignore[arg-type]
        return await fetch_source(fetcher, kind, server.url(path), now=NOW)


async def test_timeout(loopback: LoopbackServer) -> None:
    loopback.add("/slow.rss", Route(body=RSS, delay=30))
    with pytest.raises(FetchError, match="tidsavbrudd"):
        await run(loopback, "/slow.rss", timeout=0.3)


@pytest.mark.parametrize(("status", "text"), [(404, "HTTP 404"), (410, "HTTP 410"), (403, "HTTP 403")])
async def test_client_errors(loopback: LoopbackServer, status: int, text: str) -> None:
    loopback.add("/x.rss", Route(body=b"nope", status=status))
    with pytest.raises(FetchError, match=text) as err:
        await run(loopback, "/x.rss")
    assert err.value.status == status


async def test_server_errors_with_retry_after(loopback: LoopbackServer) -> None:
    loopback.add("/500.rss", Route(body=b"boom", status=500))
    with pytest.raises(FetchError, match="HTTP 500"):
        await run(loopback, "/500.rss")
    loopback.add("/503.rss", Route(body=b"busy", status=503, headers={"Retry-After": "120"}))
    with pytest.raises(FetchError, match="HTTP 503") as err:
        await run(loopback, "/503.rss")
    assert err.value.retry_after == 120


async def test_redirects_followed_loops_and_chains_refused(loopback: LoopbackServer) -> None:
    loopback.add("/feed.rss", Route(body=RSS, content_type="application/rss+xml"))
    loopback.add("/old.rss", Route(status=301, location="/feed.rss"))
    assert len((await run(loopback, "/old.rss")).items) == 3
    loopback.add("/a", Route(status=302, location="/b"))
    loopback.add("/b", Route(status=302, location="/a"))
    with pytest.raises(FetchError, match="omdirigeringsløkke"):
        await run(loopback, "/a")
    for i in range(10):
        loopback.add(f"/hop{i}", Route(status=307, location=f"/hop{i + 1}"))
    with pytest.raises(FetchError, match="for mange omdirigeringer"):
        await run(loopback, "/hop0")


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [
        (
            b"<rss version='2.0'><channel><title>Brutt</title><foo></bar>",
            "application/rss+xml",
            "ugyldig XML",
        ),
        (b"\x00\x01\x02 binary", "application/octet-stream", "ugyldig XML|ikke en RSS"),
        (BOMB, "application/rss+xml", "entiteter"),
        (
            b"<!DOCTYPE html><html><head><title>Forside</title></head><body>Hei</body></html>",
            "text/html",
            "HTML-side",
        ),
        (b"", "application/rss+xml", "tomt svar"),
        (b"   \n  ", "application/rss+xml", "tomt svar"),
    ],
    ids=["invalid-xml", "binary", "entity-bomb", "html-not-feed", "empty", "whitespace"],
)
async def test_unusable_feeds(loopback: LoopbackServer, body: bytes, ctype: str, reason: str) -> None:
    loopback.add("/bad.rss", Route(body=body, content_type=ctype))
    with pytest.raises(ParseError, match=reason):
        await run(loopback, "/bad.rss")


async def test_malformed_xml_with_items_is_read_with_a_warning(loopback: LoopbackServer) -> None:
    body = b"<rss version='2.0'><channel><item><title>Tilskudd &amp; midler</title><link>http://a.no/1</link></item><item><title>Brutt"
    loopback.add("/broken.rss", Route(body=body, content_type="application/rss+xml"))
    result = await run(loopback, "/broken.rss")
    assert result.items and result.items[0].title == "Tilskudd & midler"
    assert any("ugyldig XML" in w for w in result.warnings)


async def test_entity_bomb_is_refused_fast_without_expansion(loopback: LoopbackServer) -> None:
    loopback.add("/bomb.rss", Route(body=BOMB * 1, content_type="application/xml"))
    with pytest.raises(ParseError) as err:
        await run(loopback, "/bomb.rss")
    assert "lol" not in err.value.reason


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (RSS.decode("utf-8").encode("latin-1"), "application/rss+xml; charset=utf-8"),  # wrong charset
        (RSS.decode("utf-8").replace(' encoding="utf-8"', "").encode("latin-1"), "text/xml"),  # missing
        (RSS, "text/plain"),  # a wrong content type with a right body
    ],
    ids=["wrong-charset", "missing-charset", "text-plain"],
)
async def test_wrong_or_missing_charset(loopback: LoopbackServer, body: bytes, ctype: str) -> None:
    loopback.add("/cs.rss", Route(body=body, content_type=ctype))
    items = (await run(loopback, "/cs.rss")).items
    assert items[0].title == "Skjønnsmidlar til fornying og innovasjon for 2026"


async def test_wrong_charset_html_page(loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    page = (FIXTURES / "sf_prosjektskjonn---fornying-og-innovasjon-2021.html").read_bytes()
    latin = page.decode("utf-8").encode("cp1252")
    path = "/nb/Trondelag/Tilskudd/2020/09/prosjektskjonn---fornying-og-innovasjon-2021/"
    loopback.add(path, Route(body=latin, content_type="text/html; charset=utf-8"))
    async with Fetcher(user_agent=UA, allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "statsforvalteren", urls["statsforvalteren"], now=NOW)
    titles = [i.title for i in result.items]
    assert "Prosjektskjønn - fornying og innovasjon 2021" in titles


async def test_fifty_megabytes_are_cut_at_five(loopback: LoopbackServer) -> None:
    loopback.add("/huge.rss", Route(stream_bytes=50 * 1024 * 1024, content_type="application/rss+xml"))
    with pytest.raises(FetchError, match="for stort"):
        await run(loopback, "/huge.rss", max_bytes=5 * 1024 * 1024)


async def test_declared_length_over_the_cap_is_refused_before_reading(loopback: LoopbackServer) -> None:
    loopback.add("/big.rss", Route(body=b"x" * (2 * 1024 * 1024), content_type="application/rss+xml"))
    with pytest.raises(FetchError, match=r"for stort \(2 MB"):
        await run(loopback, "/big.rss", max_bytes=1024 * 1024)


async def test_duplicate_guids_and_items_without_dates(loopback: LoopbackServer) -> None:
    loopback.add("/kdd.rss", Route(body=RSS, content_type="application/rss+xml"))
    result = await run(loopback, "/kdd.rss")
    assert [i.key for i in result.items].count("https://www.regjeringen.no/id3001/") == 1
    assert any("GUID" in w for w in result.warnings)
    assert sum(1 for i in result.items if i.published is None) == 1


async def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with Fetcher(user_agent=UA, timeout=2, allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="nettverksfeil"):
            await fetcher.get(f"http://127.0.0.1:{port}/feed.rss")


async def test_user_agent_and_conditional_get(loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    async with Fetcher(user_agent=UA, allow_private=True) as fetcher:
        first = await fetch_source(fetcher, "rss", urls["rss"], now=NOW)
        assert first.etag == '"kdd-1"' and len(first.items) == 3
        second = await fetch_source(fetcher, "rss", urls["rss"], now=NOW, etag=first.etag)
        assert second.not_modified and second.items == [] and second.etag == '"kdd-1"'
        rff = await fetch_source(fetcher, "forskningsradet", urls["rff"], now=NOW)
        before = fetcher.requests
        again = await fetch_source(
            fetcher, "forskningsradet", urls["rff"], now=NOW, last_modified=rff.last_modified
        )
        assert again.not_modified and fetcher.requests == before + 1  # one request, no call pages
    assert loopback.request_headers[0]["user-agent"] == UA
    assert loopback.request_headers[1]["if-none-match"] == '"kdd-1"'


async def test_per_host_limit() -> None:
    inflight = {"now": 0, "max": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        inflight["now"] += 1
        inflight["max"] = max(inflight["max"], inflight["now"])
        await asyncio.sleep(0.01)  # simulated latency
        inflight["now"] -= 1
        return httpx.Response(200, content=RSS, headers={"content-type": "application/rss+xml"})

    async with Fetcher(user_agent=UA, per_host=2, transport=httpx.MockTransport(handler)) as fetcher:
        await asyncio.gather(*(fetcher.get(f"http://feeds.test/{i}") for i in range(8)))
    assert inflight["max"] == 2


async def test_invalid_url() -> None:
    async with Fetcher(user_agent=UA, allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="ugyldig adresse"):
            await fetcher.get("ftp://example.invalid/feed")
