"""The ``rss`` adapter: RSS 0.9x/1.0/2.0 and Atom, defensively (plain RSS 2.0 and Atom through
``feeds.rss_fast`` on lxml, everything else through feedparser).

Refused with a reason (recorded on the source's health): an empty body, a document with DTD
entity declarations (the "billion laughs" entity bomb), HTML where a feed was expected, and XML
that feedparser cannot read at all. A feed with a wrong or missing charset is read as well as
feedparser can (it tries the declared, then other encodings). Duplicate GUIDs keep the first
item; items without dates have ``published`` None.
"""

from __future__ import annotations

import calendar
import html
import logging
import re
from datetime import UTC, datetime
from typing import Any

import feedparser

from feeds.deadlines import find_deadline, unread_deadline_label
from feeds.html import parse_html
from feeds.items import FeedItem, Parsed, ParseError, fingerprint, normalise_url
from feeds.rss_fast import read_entries

log = logging.getLogger(__name__)

__all__ = ["parse_feed"]

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_LOOKS_HTML = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html)", re.I | re.S
)
SUMMARY_MAX = 1500


def _aware(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def strip_html(value: str) -> str:
    """Text of an HTML fragment (feed summaries), with line breaks at block elements."""
    if "<" not in value:
        return html.unescape(value).strip()
    return parse_html(value).text()


def parse_feed(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """The items of an RSS or Atom feed; ParseError when the body is not a usable feed."""
    if not body or not body.strip():
        raise ParseError("tomt svar (ingen feed)")
    if _ENTITY_DECL.search(body[:65536]):
        raise ParseError("feeden inneholder DTD-entiteter og er avvist (mulig «entity bomb»)")
    if _LOOKS_HTML.match(body[:2048]):
        raise ParseError("fikk en HTML-side der det skulle være en RSS/Atom-feed")
    fast = read_entries(body)
    if fast is not None:
        entries: list[Any] = fast
        result = Parsed()
    else:
        entries, result = _feedparser_entries(body, url=url, content_type=content_type)
    items = result.items
    seen: set[str] = set()
    duplicates = 0
    for entry in entries:
        item = _item(entry, url=url, now=now)
        if item is None:
            continue
        if item.key in seen:
            duplicates += 1
            continue
        seen.add(item.key)
        items.append(item)
    if duplicates:
        log.warning("feed %s has %d items with a GUID seen before; kept the first of each", url, duplicates)
        result.warnings.append(f"{duplicates} elementer med en GUID som alt var med, er hoppet over")
    undated = sum(1 for i in items if i.published is None)
    if undated:
        log.info("feed %s: %d items without a date", url, undated)
    return result


def _feedparser_entries(body: bytes, *, url: str, content_type: str | None) -> tuple[list[Any], Parsed]:
    """feedparser's reading, for every feed the fast path leaves to it; ParseError when unusable."""
    headers = {"content-type": content_type} if content_type else {}
    # The HTML in summaries is turned into plain text by our own reader (scripts and styles left
    # out), so feedparser need not sanitize it or resolve its links: that halves the parse.
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = list(parsed.get("entries") or [])
    version = parsed.get("version") or ""
    error = parsed.get("bozo_exception")
    if not entries and (not version or (parsed.get("bozo") and error is not None)):
        reason = f"ugyldig XML: {error}" if error else "ikke en RSS/Atom-feed"
        raise ParseError(reason[:300])
    result = Parsed()
    if parsed.get("bozo") and entries:
        name = type(error).__name__
        if "Encoding" in name or "NonXMLContentType" in name:
            log.info("feed %s: %s: %s", url, name, error)
        else:
            log.warning("feed %s is not well-formed XML, read leniently: %s", url, error)
            result.warnings.append(f"ugyldig XML, lest så godt det gikk: {error}"[:300])
    return entries, result


def _item(entry: Any, *, url: str, now: datetime) -> FeedItem | None:
    title = " ".join(strip_html(entry.get("title") or "").split())
    link = (entry.get("link") or "").strip() or None
    summary_html = entry.get("summary") or ""
    contents = entry.get("content") or []
    if contents and len(contents[0].get("value") or "") > len(summary_html):
        summary_html = contents[0].get("value") or ""
    summary = strip_html(summary_html)
    if not title and not summary:
        return None
    guid = (entry.get("id") or "").strip()
    if guid:
        key = guid
    elif link:
        key = normalise_url(link)
    else:
        key = "hash:" + fingerprint(url, title, summary[:200])
    published = _aware(entry.get("published_parsed")) or _aware(entry.get("updated_parsed"))
    text = f"{title}\n{summary}"
    deadline = find_deadline(text, reference=published or now, source_kind="rss", url=link, now=now)
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    tags = " ".join(t.get("term") or "" for t in entry.get("tags") or [])
    return FeedItem(
        key=key[:2000],
        title=title or summary[:120],
        url=link,
        summary=summary,
        published=published,
        deadline=deadline,
        deadline_label=unread_deadline_label(text) if deadline is None else "",
        topic_text=tags,
        fingerprint=fingerprint(title, link, summary, published),
    )


def parse_funding_feed(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """A news feed (for example a ministry's) where only the items about funding are calls."""
    from feeds.statsforvalteren import is_funding

    parsed = parse_feed(body, url=url, content_type=content_type, now=now)
    parsed.items = [item for item in parsed.items if is_funding(f"{item.title}\n{item.summary}")]
    return parsed
