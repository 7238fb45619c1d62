"""What an adapter turns a response into: plain items, no database, no Telegram."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.deadlines import Deadline

__all__ = ["FeedItem", "ParseError", "Parsed", "RequestSpec", "Status", "fingerprint", "normalise_url"]


class Status:
    """A call's status as a source states it (None on an item: the source does not say)."""

    OPEN = "open"
    PLANNED = "planned"
    ROLLING = "rolling"
    CLOSED = "closed"


class ParseError(Exception):
    """A response that yields no usable items; ``reason`` is recorded on the source's health."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class FeedItem:
    """One call (or news item) found at a source.

    ``key`` is stable across polls (the GUID, else the normalised URL). ``fingerprint`` is what
    the source showed in its listing; when it is unchanged, a two-step source (Forskningsrådet,
    Statsforvalteren) does not fetch the call page again. ``topic_text`` is extra text for tagging
    (a card's category, the page's purpose paragraph).
    """

    key: str
    title: str
    url: str | None = None
    summary: str = ""
    published: datetime | None = None
    deadline: Deadline | None = None
    status: str | None = None
    topic_text: str = ""
    fingerprint: str = ""
    detail_url: str | None = None
    detail_fetched: bool = False
    unchanged: bool = False  # a two-step source's listing shows it exactly as last time
    deadline_label: str = ""  # a deadline label without a readable date (shown to the coordinators)
    # Label/value pairs read off the page ("group": the listing's group, "eligible": "Hvem kan søke",
    # "audience": "Målgruppe", "amount": "Antatt tilgjengelige midler"); read by feeds.eligibility.
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def rolling(self) -> bool:
        return bool(self.deadline and self.deadline.rolling)

    def with_detail(self, **changes: object) -> FeedItem:
        return replace(self, detail_fetched=True, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RequestSpec:
    """How a source that is an API is asked: ``body`` POSTed to ``url`` as ``content_type``."""

    url: str
    body: bytes
    content_type: str


@dataclass
class Parsed:
    """What one response yielded: items, and warnings worth recording on the source's health."""

    items: list[FeedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga)$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """A URL as a stable key: lower-case scheme and host, no fragment, no tracking parameters,
    no "www.", no trailing slash (``?tab=1`` and the like are kept: they may name another page)."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.hostname or ""
    host = host.lower().removeprefix("www.")
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    query = [(k, v) for k, v in query if not (k == "tab" and v in ("", "0", "1"))]
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def fingerprint(*parts: object) -> str:
    """A short, stable hash of what a listing showed."""
    text = "\x1f".join("" if p is None else " ".join(str(p).split()) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
