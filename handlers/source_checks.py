"""Checking a source before it is added: address rules, a trial fetch, failures in plain Norwegian."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot import texts
from bot.poll.poll import make_fetcher
from bot.services import Services
from feeds.adapters import UnknownKindError
from feeds.fetch import FetchError, fetch_source
from feeds.items import FeedItem, ParseError

log = logging.getLogger(__name__)

MAX_URL = 2000
KIND_LABELS = {
    "rss": texts.KI_KIND_RSS,
    "rss_tilskudd": texts.KI_KIND_RSS_TILSKUDD,
    "forskningsradet": texts.KI_KIND_FORSKNINGSRADET,
    "statsforvalteren": texts.KI_KIND_STATSFORVALTEREN,
    "statsforvalteren_tilskudd": texts.KI_KIND_STATSFORVALTEREN_TILSKUDD,
    "eu_ft": texts.KI_KIND_EU_FT,
    "web": texts.KI_KIND_WEB,
}


# ---- plain functions ----------------------------------------------------------------------------
def check_source_url(url: str, *, allow_private: bool) -> str | None:
    """None when ``url`` may be a source; else the Norwegian reason (HTML, escaped)."""
    shown = html.escape(url[:100])
    if not url or len(url) > MAX_URL or any(c.isspace() for c in url):
        return texts.KI_URL_INVALID.format(url=shown)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return texts.KI_URL_INVALID.format(url=shown)
    if parts.scheme.lower() not in ("http", "https"):
        return texts.KI_URL_SCHEME.format(url=shown)
    if not host or parts.username is not None or parts.password is not None:
        return texts.KI_URL_INVALID.format(url=shown)
    if not allow_private and is_private_host(host):
        return texts.KI_URL_PRIVATE.format(host=html.escape(host))
    if "." not in host and ":" not in host and not allow_private:
        return texts.KI_URL_INVALID.format(url=shown)
    return None


def is_private_host(host: str) -> bool:
    """localhost, *.local, or an IP literal that is not a public address (no DNS lookup)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


# What the network library says in English, as a coordinator would say it (the raw text is logged).
_PLAIN_REASONS = (
    (
        (
            "name or service not known",
            "temporary failure in name resolution",
            "nodename nor servname",
            "no address associated",
            "getaddrinfo failed",
        ),
        texts.KI_REASON_NO_HOST,
    ),
    (
        ("connection refused", "connect call failed", "all connection attempts failed"),
        texts.KI_REASON_NO_CONNECT,
    ),
)


def plain_reason(reason: str) -> str:
    """Why a source failed, in Norwegian: known network errors explained, anything else as it is."""
    lowered = reason.lower()
    for markers, plain in _PLAIN_REASONS:
        if any(marker in lowered for marker in markers):
            return plain
    return reason


def kind_label(kind: str) -> str:
    """A source's kind as people call it ('RSS / Atom'), not its slug."""
    return KIND_LABELS.get(kind, kind)


@dataclass
class Trial:
    """A source tried without saving anything: the items' titles, or the reason it was refused."""

    titles: list[str] = field(default_factory=list)
    reason: str | None = None
    items: list[FeedItem] = field(default_factory=list)  # what a preview shows (a web source's)

    @property
    def ok(self) -> bool:
        return self.reason is None


async def try_source(services: Services, kind: str, url: str) -> Trial:
    """Fetch and parse the listing once (``foui-bot poll --dry-run``'s path); nothing is stored."""
    settings = services.settings
    try:
        async with make_fetcher(settings) as fetcher, asyncio.timeout(settings.http_timeout_seconds + 5):
            fetched = await fetch_source(fetcher, kind, url, now=services.now(), fetch_details=False)
    except (FetchError, ParseError, UnknownKindError) as exc:
        return Trial(reason=str(getattr(exc, "reason", None) or exc))
    except TimeoutError:
        return Trial(reason=texts.KI_REASON_TIMEOUT)
    except Exception as exc:
        log.exception("trying source %s (%s) failed", url, kind)
        return Trial(reason=texts.SOURCE_REASON_UNEXPECTED.format(error=type(exc).__name__))
    if not fetched.items:
        return Trial(reason=texts.SOURCE_REASON_NOTHING)
    return Trial(titles=[item.title for item in fetched.items], items=list(fetched.items))
