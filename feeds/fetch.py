"""Fetching sources over HTTP: the one part of ``feeds`` that does I/O.

``Fetcher.get`` is polite and defensive: a User-Agent naming the bot and a contact URL; conditional
GET (ETag, Last-Modified), so an unchanged source costs one 304; a time budget per request (also
against a server that drips bytes); at most ``max_bytes`` read (the body is streamed and the
request aborted when it grows past it); a bounded number of redirects, with loops detected; and at
most ``per_host`` requests at a time to one host, ``min_interval`` seconds apart. Every failure
becomes a ``FetchError`` with a short Norwegian ``reason`` for the source's health.

Every hop's address is checked (``feeds.netguard``: literal spellings before the request, every
resolved address at connect time), unless ``allow_private``.

``fetch_source`` runs one source: the listing, then (for two-step kinds) each new or changed item's
own page, only on the listing's own site. Every adapter's parse runs off the event loop in a small
pool of worker threads, bounded in time (``parse_seconds``), so a hostile page never holds the
bot's replies. Adapters stay pure (bytes in, items out) and need nothing for it. A transport or
client can be injected (tests use loopback servers or httpx.MockTransport).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from feeds.adapters import adapter_for
from feeds.errors import PARSE_SECONDS, FetchError, parse_off_loop
from feeds.items import FeedItem, Parsed, ParseError
from feeds.netguard import BlockedAddressError, GuardedBackend, NetGuard

log = logging.getLogger(__name__)

__all__ = ["FetchError", "Fetcher", "Response", "SourceFetch", "fetch_source", "parse_off_loop", "same_site"]

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
RETRY_AFTER_MIN = 60.0  # a Retry-After is honoured within [a minute, a day]
RETRY_AFTER_MAX = 24 * 3600.0


@dataclass
class Response:
    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return min(RETRY_AFTER_MAX, max(RETRY_AFTER_MIN, seconds))


def same_site(a: str, b: str) -> bool:
    """Two URLs on one host (``www.`` aside): a listing's call pages must stay on its site."""

    def host(url: str) -> str:
        name = (urlsplit(url).hostname or "").lower().rstrip(".")
        return name.removeprefix("www.")

    return bool(host(a)) and host(a) == host(b)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


class Fetcher:
    """An HTTP client for sources; use ``async with Fetcher(...) as f: await f.get(url)``."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = MAX_REDIRECTS,
        per_host: int = 2,
        min_interval: float = 0.0,
        allow_private: bool = False,
        exempt: tuple[str, ...] = (),
        parse_seconds: float = PARSE_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.min_interval = min_interval
        self.parse_seconds = parse_seconds
        self.guard = NetGuard(allow_private=allow_private, exempt=exempt)
        self._own_client = client is None
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
        if transport is None and client is None:
            guarded = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
            # Every connection resolves and checks its host first (redirects and call pages too).
            guarded._pool._network_backend = GuardedBackend(self.guard)
            transport = guarded
        self.client = client or httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            headers={"User-Agent": user_agent},
            limits=limits,
            trust_env=False,
        )
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._last: dict[str, float] = {}
        self._pace: dict[str, asyncio.Lock] = {}
        self.requests = 0

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def _polite(self, host: str) -> None:
        if self.min_interval <= 0:
            return
        lock = self._pace.setdefault(host, asyncio.Lock())
        async with lock:
            wait = self._last.get(host, 0.0) + self.min_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last[host] = time.monotonic()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Response:
        """GET ``url`` (following redirects); a 304 when ETag/Last-Modified say nothing changed.
        With ``body``: POST it (``content_type``) to ``url`` first (an API such as eu_ft's)."""
        seen = {url}
        current = url
        for _hop in range(self.max_redirects + 1):
            response = await self._one(
                current,
                etag=etag,
                last_modified=last_modified,
                accept=accept,
                body=body,
                content_type=content_type,
            )
            body = content_type = None  # a redirect is followed with GET
            if response.status not in REDIRECTS:
                return response
            location = response.body.decode("utf-8", "replace")
            target = urljoin(current, location)
            if target in seen:
                raise FetchError(f"omdirigeringsløkke ({current} → {target})", status=response.status)
            seen.add(target)
            current = target
        raise FetchError(f"for mange omdirigeringer (mer enn {self.max_redirects})")

    async def _one(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        accept: str | None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Response:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise FetchError(f"ugyldig adresse: {url}"[:300], code="invalid_url") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"ugyldig adresse: {url}"[:300], code="invalid_url")
        host = parts.hostname.lower()
        try:
            self.guard.check_host(host)
        except BlockedAddressError as exc:
            raise _blocked(exc) from None
        headers = {"Accept": accept or "*/*", "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if content_type:
            headers["Content-Type"] = content_type
        slot = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with slot:
            await self._polite(host)
            self.requests += 1
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._stream(url, headers, body)
            except TimeoutError:
                raise FetchError(f"tidsavbrudd: ikke ferdig svar etter {self.timeout:g} s") from None
            except httpx.TimeoutException:
                raise FetchError(f"tidsavbrudd: ikke svar innen {self.timeout:g} s") from None
            except httpx.TooManyRedirects:
                raise FetchError("for mange omdirigeringer") from None
            except BlockedAddressError as exc:
                raise _blocked(exc) from None
            except httpx.InvalidURL:
                raise FetchError(f"ugyldig adresse: {url}"[:300], code="invalid_url") from None
            except httpx.HTTPError as exc:
                # The technical reason for the operator; bot.texts words it for people (code).
                raise FetchError(
                    f"nettverksfeil: {type(exc).__name__}: {exc}"[:300], code="network"
                ) from None

    async def _stream(self, url: str, headers: dict[str, str], body: bytes | None = None) -> Response:
        method = "GET" if body is None else "POST"
        async with self.client.stream(method, url, headers=headers, content=body) as r:
            if r.status_code in REDIRECTS:
                location = r.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {r.status_code} uten Location", status=r.status_code)
                return Response(url, r.status_code, location.encode())
            if r.status_code == 304:
                return Response(
                    url, 304, etag=r.headers.get("etag"), last_modified=r.headers.get("last-modified")
                )
            if r.status_code >= 400:
                phrase = r.reason_phrase or ""
                raise FetchError(
                    f"HTTP {r.status_code} {phrase}".strip(),
                    status=r.status_code,
                    retry_after=_retry_after(r.headers.get("retry-after")),
                )
            if r.status_code != 200:
                raise FetchError(f"uventet HTTP {r.status_code}", status=r.status_code)
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(
                    f"svaret er for stort ({_mb(int(declared))}, grensen er {_mb(self.max_bytes)})"
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"svaret er for stort (over {_mb(self.max_bytes)}); avbrutt")
                chunks.append(chunk)
            return Response(
                str(r.url),
                200,
                b"".join(chunks),
                content_type=r.headers.get("content-type"),
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
            )


def _blocked(exc: BlockedAddressError) -> FetchError:
    log.warning("refused a fetch: %s resolves to %s, not a public address", exc.host, exc.address)
    return FetchError(
        f"adressen {exc.host} peker til en privat eller lokal adresse, og den hentes ikke",
        code="private_address",
        host=exc.host,
    )


@dataclass
class SourceFetch:
    """One source, polled: its items (empty when not modified), warnings and validators."""

    url: str
    kind: str
    not_modified: bool = False
    items: list[FeedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    details_fetched: int = 0
    details_failed: int = 0


async def fetch_source(
    fetcher: Fetcher,
    kind: str,
    url: str,
    *,
    now: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    known: Mapping[str, str] | None = None,
    fetch_details: bool = True,
) -> SourceFetch:
    """Fetch and parse one source. Raises FetchError or ParseError when the listing is unusable.

    ``known`` maps item keys to the fingerprint stored last time: a two-step source fetches the
    page of each item that is new or whose fingerprint differs, and marks the others ``unchanged``.
    """
    adapter = adapter_for(kind)
    spec = adapter.request(url) if adapter.request is not None else None  # an API asked by POST (eu_ft)
    response = await fetcher.get(
        spec.url if spec else url,
        etag=etag,
        last_modified=last_modified,
        accept=adapter.accept,
        body=spec.body if spec else None,
        content_type=spec.content_type if spec else None,
    )
    result = SourceFetch(url=url, kind=adapter.kind, etag=response.etag, last_modified=response.last_modified)
    if response.not_modified:
        result.not_modified = True
        result.etag = response.etag or etag
        result.last_modified = response.last_modified or last_modified
        return result
    read_as = url if spec else response.url
    if "#" in url and "#" not in read_as:  # a web source's selectors (#foui:…) outlive redirects
        read_as += "#" + url.split("#", 1)[1]
    parsed = await parse_off_loop(
        adapter.parse,
        response.body,
        url=read_as,
        content_type=response.content_type,
        now=now,
        seconds=fetcher.parse_seconds,
    )
    assert isinstance(parsed, Parsed)
    result.items = parsed.items
    result.warnings.extend(parsed.warnings)
    if adapter.parse_detail is None or not fetch_details:
        return result
    known = known or {}
    todo = []
    for item in result.items:
        if item.detail_url is None:
            continue
        if not (same_site(item.detail_url, url) or same_site(item.detail_url, response.url)):
            log.warning("source %s: %s is on another site; its page is not read", url, item.detail_url)
            result.warnings.append(f"{item.detail_url}: lenken går til et annet nettsted og leses ikke")
            item.detail_url = None
            continue
        if known.get(item.key) == item.fingerprint and item.fingerprint:
            item.unchanged = True
        else:
            todo.append(item)

    async def detail(item: FeedItem) -> FeedItem:
        assert adapter.parse_detail is not None and item.detail_url is not None
        try:
            page = await fetcher.get(item.detail_url, accept=adapter.accept)
            done = await parse_off_loop(
                adapter.parse_detail,
                item,
                page.body,
                url=page.url,
                content_type=page.content_type,
                now=now,
                seconds=fetcher.parse_seconds,
            )
            assert isinstance(done, FeedItem)
            result.details_fetched += 1
            return done
        except (FetchError, ParseError) as exc:
            result.details_failed += 1
            log.warning("source %s: could not read %s: %s", url, item.detail_url, exc)
            result.warnings.append(f"{item.detail_url}: {exc}")
            item.fingerprint = ""  # try the page again next time
            return item

    done = dict(zip((id(i) for i in todo), await asyncio.gather(*(detail(i) for i in todo)), strict=True))
    result.items = [done.get(id(i), i) for i in result.items]
    return result
