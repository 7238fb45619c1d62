"""The ``web`` adapter: any page a coordinator points at, read with CSS selectors they choose
(after the way changedetection.io watches pages that have no feed).

The selectors travel in the source's URL, after ``#foui:`` (a fragment is never sent to the site)::

    https://www.kommune.no/tilskudd/#foui:items=.card&title=h3&link=a&date=.frist

``items`` (required) selects one element per call; ``title``, ``link`` and ``date`` (optional) are
looked for inside it. Without them the title is the element's first heading (else its first link,
else its text), the link its first ``<a href>``, and the deadline is read from the element's text.
The ``date`` element's text is read first, as a deadline label. Pure: text in, items out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from feeds.deadlines import find_deadline
from feeds.html import decode_html
from feeds.items import FeedItem, Parsed, ParseError, fingerprint, normalise_url

__all__ = ["Selectors", "check_selector", "parse_web", "selectors_of", "with_selectors"]

PREFIX = "foui:"
FIELDS = ("items", "title", "link", "date")
MAX_ITEMS = 200
MAX_SELECTOR = 300
SUMMARY_MAX = 600
TITLE_MAX = 300


@dataclass(frozen=True)
class Selectors:
    items: str
    title: str = ""
    link: str = ""
    date: str = ""


def selectors_of(url: str) -> Selectors | None:
    """The selectors in a source URL's ``#foui:`` fragment, or None."""
    fragment = urlsplit(url).fragment
    if not fragment.startswith(PREFIX):
        return None
    found = {
        k: v.strip() for k, v in parse_qsl(fragment[len(PREFIX) :], keep_blank_values=True) if k in FIELDS
    }
    if not found.get("items"):
        return None
    return Selectors(found["items"], found.get("title", ""), found.get("link", ""), found.get("date", ""))


def with_selectors(url: str, selectors: Selectors) -> str:
    """The page's URL with the selectors after ``#foui:``."""
    base = urldefrag(url).url
    pairs = [(name, getattr(selectors, name)) for name in FIELDS if getattr(selectors, name)]
    return base + "#" + PREFIX + "&".join(f"{k}={quote(v, safe=' .#>:[]=()-_*,')}" for k, v in pairs)


def check_selector(selector: str) -> str | None:
    """None when ``selector`` is a CSS selector lxml can use; else why not (Norwegian)."""
    if not selector.strip() or len(selector) > MAX_SELECTOR:
        return f"en CSS-velger må ha mellom 1 og {MAX_SELECTOR} tegn"
    try:
        CSSSelector(selector)
    except (SelectorError, SyntaxError, ValueError) as exc:
        return f"«{selector}» er ikke en CSS-velger boten forstår ({exc})"
    return None


def _first(node: Any, selector: str) -> Any | None:
    found = node.cssselect(selector)
    return found[0] if found else None


def _text(node: Any) -> str:
    return " ".join(" ".join(node.itertext()).split())


def _lines(node: Any) -> list[str]:
    lines = []
    for part in node.itertext():
        text = " ".join(part.split())
        if text:
            lines.append(text)
    return lines


def _title(node: Any, selectors: Selectors) -> str:
    if selectors.title:
        found = _first(node, selectors.title)
        return _text(found) if found is not None else ""
    for tag in ("h1", "h2", "h3", "h4", "a"):
        found = _first(node, tag)
        if found is not None and _text(found):
            return _text(found)
    return _text(node)


def _link(node: Any, selectors: Selectors, base: str) -> str | None:
    if selectors.link:
        found = _first(node, selectors.link)
    else:
        found = node if node.tag == "a" else _first(node, "a[href]")
    href = (found.get("href") or "").strip() if found is not None else ""
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    absolute = urldefrag(urljoin(base, href)).url
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def parse_web(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """One item per element the ``items`` selector finds; ParseError when it finds none."""
    selectors = selectors_of(url)
    if selectors is None:
        raise ParseError(
            "kilden mangler en CSS-velger for utlysningene (adressen må slutte med #foui:items=…)"
        )
    for selector in (selectors.items, selectors.title, selectors.link, selectors.date):
        problem = check_selector(selector) if selector else None
        if problem:
            raise ParseError(problem)
    if not body.strip():
        raise ParseError("tomt svar fra siden")
    base = urldefrag(url).url
    try:
        root = lxml.html.document_fromstring(decode_html(body, content_type))
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ParseError(f"siden kunne ikke leses som HTML ({exc})") from None
    nodes = root.cssselect(selectors.items)
    if not nodes:
        raise ParseError(
            f"fant ingen elementer med velgeren «{selectors.items}» på siden; kanskje er sidens oppbygging endret"
        )
    parsed = Parsed()
    if len(nodes) > MAX_ITEMS:
        parsed.warnings.append(f"velgeren fant {len(nodes)} elementer; bare de første {MAX_ITEMS} er lest")
    seen: set[str] = set()
    for node in nodes[:MAX_ITEMS]:
        title = _title(node, selectors)[:TITLE_MAX]
        if not title:
            continue
        link = _link(node, selectors, base)
        key = normalise_url(link) if link else f"{normalise_url(base)}#{fingerprint(title)}"
        if key in seen:
            continue
        seen.add(key)
        lines = _lines(node)
        label_node = _first(node, selectors.date) if selectors.date else None
        label = _text(label_node) if label_node is not None else ""
        deadline = None
        kw: dict[str, Any] = {"reference": now, "url": link or base, "now": now}
        if label:
            deadline = find_deadline(label, **kw) or find_deadline(f"Søknadsfrist: {label}", **kw)
        if deadline is None:
            deadline = find_deadline("\n".join(lines), **kw)
        summary = " ".join(line for line in lines if line not in (title, label))[:SUMMARY_MAX]
        parsed.items.append(
            FeedItem(
                key=key,
                title=title,
                url=link or base,
                summary=summary,
                deadline=deadline,
                fingerprint=fingerprint(title, label, summary, link),
            )
        )
    if not parsed.items:
        raise ParseError(f"elementene velgeren «{selectors.items}» fant har ingen tekst")
    return parsed
