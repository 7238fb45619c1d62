"""The ``statsforvalteren`` adapter: a region's news list, keeping the items about funding.

News lists show a "dd.mm.yyyy" date line, the title (a link) and a lead paragraph. A news item is
a link with a headline-length text whose largest ancestor holding no other headline link also
holds a date. Items about funding (skjønnsmidler, fornying og innovasjon, tilskudd, ...) are kept;
their article is then read for its deadline ("Søknadsfrist:" with the value on the next line).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from urllib.parse import SplitResult, urldefrag, urljoin, urlsplit

from feeds.deadlines import OSLO, find_deadline, unread_deadline_label
from feeds.html import Node, decode_html, parse_html
from feeds.items import FeedItem, Parsed, ParseError, fingerprint, normalise_url

__all__ = ["FUNDING", "is_funding", "parse_article", "parse_news"]

FUNDING = re.compile(
    r"skjønnsmid|skjønnsmidl|prosjektskjønn|fornying|fornyings|innovasjon|tilskudd|tilskot|tilskott"
    r"|\bmidler\b|\bmidlar\b|utlys|\bsøk\w*\s+om\b|søknadsfrist|stimuleringsmid|utviklingsmid"
    r"|kompetansemid|prosjektmid",
    re.IGNORECASE,
)
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?!\d)")
_PUBLISHED = re.compile(r"publisert\s+(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)", re.IGNORECASE)
HEADLINE_MIN = 12
SUMMARY_MAX = 600
NOISE = frozenset({"nav", "footer"})
BANNERS = re.compile(r"kjønnsnøytralt|mer enn ett år gammelt|meir enn eitt år gammalt|skrevet før 1\.1", re.I)


def is_funding(text: str) -> bool:
    """Whether a news item is about money municipalities can apply for."""
    return bool(FUNDING.search(text))


def _to_datetime(m: re.Match[str]) -> datetime | None:
    try:
        return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)), tzinfo=OSLO)
    except ValueError:
        return None


def site_links(
    root: Node, base_url: str, keep: Callable[[Node, SplitResult], bool], *, drop_fragment: bool = False
) -> list[tuple[Node, str]]:
    """The links of a page that stay on its own site, outside nav, header and footer, and that
    ``keep`` accepts: (the link, its absolute address)."""
    base_host = (urlsplit(base_url).hostname or "").removeprefix("www.")
    out = []
    for a in root.iter("a"):
        href = a.attrs.get("href", "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        absolute = urljoin(base_url, href)
        if drop_fragment:
            absolute = urldefrag(absolute).url
        parts = urlsplit(absolute)
        host = (parts.hostname or "").removeprefix("www.")
        if parts.scheme not in ("http", "https") or (base_host and host != base_host):
            continue
        if not keep(a, parts):
            continue
        if any(anc.tag in ("nav", "footer", "header") for anc in a.ancestors()):
            continue
        out.append((a, absolute))
    return out


def _headline_links(root: Node, base_url: str) -> list[tuple[Node, str]]:
    return site_links(
        root,
        base_url,
        lambda a, parts: len(a.inner_text()) >= HEADLINE_MIN and parts.path.strip("/").count("/") >= 1,
    )


def parse_news(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """The funding items of a news list; ParseError when the page holds no news items at all."""
    if not body.strip():
        raise ParseError("tomt svar fra nyhetssiden")
    root = parse_html(decode_html(body, content_type))
    links = _headline_links(root, url)
    keys_of = {id(a): normalise_url(href) for a, href in links}
    news = 0
    result = Parsed()
    seen: set[str] = set()
    for a, href in links:
        key = keys_of[id(a)]
        card: Node | None = None
        node = a
        for ancestor in a.ancestors():
            if ancestor.tag == "#root":
                break
            others = {keys_of[id(x)] for x in ancestor.iter("a") if id(x) in keys_of}
            if len(others) > 1:
                break
            node = ancestor
            if _DATE.search(ancestor.text()):
                card = ancestor
        if card is None or key in seen:
            continue
        # Take the largest single-item block (it may hold the lead after the date).
        card = node if _DATE.search(node.text()) else card
        seen.add(key)
        news += 1
        lines = card.text().split("\n")
        title = a.inner_text()
        date_match = next((m for m in (_DATE.search(ln) for ln in lines) if m), None)
        published = _to_datetime(date_match) if date_match else None
        lead_lines = [
            ln
            for ln in lines
            if ln != title and not _DATE.fullmatch(ln.strip()) and not ln.startswith("Publisert")
        ]
        lead = " ".join(lead_lines)[:SUMMARY_MAX]
        if not is_funding(f"{title}\n{lead}"):
            continue
        deadline = find_deadline(
            f"{title}\n{lead}", reference=published or now, source_kind="statsforvalteren", url=href, now=now
        )
        result.items.append(
            FeedItem(
                key=key,
                title=title,
                url=href,
                summary=lead,
                published=published,
                deadline=deadline,
                fingerprint=fingerprint(title, lead, published),
                detail_url=href,
            )
        )
    if news == 0:
        raise ParseError(
            "fant ingen nyhetssaker på siden (dato, tittel og lenke); kanskje er sidens oppbygging endret"
        )
    return result


def parse_article(
    item: FeedItem, body: bytes, *, url: str, content_type: str | None, now: datetime
) -> FeedItem:
    """The item completed from its article: title, lead, published date and deadline."""
    if not body.strip():
        raise ParseError("tom artikkelside")
    root = parse_html(decode_html(body, content_type))
    main = next((n for t in ("main", "article", "body") for n in root.iter(t)), root)
    text = main.text(skip=NOISE)
    if len(text) < 20:
        raise ParseError("artikkelsiden har ingen tekst")
    lines = text.split("\n")
    h1 = next((h.inner_text() for h in main.iter("h1")), "")
    published = item.published
    m = _PUBLISHED.search(text)
    if m:
        published = _to_datetime(m) or published
    reference = published or datetime.combine(now.astimezone(OSLO).date(), time(0), OSLO)
    deadline = find_deadline(text, reference=reference, source_kind="statsforvalteren", url=url, now=now)
    lead = item.summary or next(
        (ln for ln in lines if len(ln) >= 60 and not BANNERS.search(ln) and ln != h1), ""
    )
    return item.with_detail(
        title=h1 or item.title,
        summary=lead[:SUMMARY_MAX],
        published=published,
        deadline=deadline or item.deadline,
        deadline_label=unread_deadline_label(text) if (deadline or item.deadline) is None else "",
    )
