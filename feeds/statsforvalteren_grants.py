"""The ``statsforvalteren_tilskudd`` adapter: a region's grant pages ("Tilskudd"), where its calls are.

The listing (``https://www.statsforvalteren.no/nb/<region>/tilskudd/``) is read by its most stable
signal: links on the same host to grant articles, ``…/tilskudd/YYYY/MM/slug/`` (older pages:
``…/tilskuddskalender/slug/``). Each new or changed article is then read: its label/value list
("Søknadsfrist:", "Målgruppe:", "Ansvarlig:", "Hvem kan søke:"; nynorsk "Kven kan søke:"), then
"Publisert dd.mm.yyyy". "Hvem kan søke" and "Målgruppe" are kept as the call's facts, so who may
apply is read from the page's own fields (``feeds.eligibility``).
"""

from __future__ import annotations

import re
from datetime import datetime

from feeds import statsforvalteren
from feeds.deadlines import find_deadline
from feeds.html import Node, decode_html, parse_html
from feeds.items import FeedItem, Parsed, ParseError, fingerprint, normalise_url

__all__ = ["GRANT_PATH", "grant_facts", "parse_grant", "parse_grants"]

GRANT_PATH = re.compile(
    r"/tilskudd/(?:19|20)\d\d/\d\d?/[^/?#]+/?$|/tilskuddskalender/[^/?#]+/?$|/tilskot/(?:19|20)\d\d/\d\d?/[^/?#]+/?$",
    re.IGNORECASE,
)
FACT_LABELS = {
    "hvem kan søke": "eligible",
    "kven kan søke": "eligible",
    "kven kan søkje": "eligible",
    "målgruppe": "audience",
    "ansvarlig": "responsible",
    "ansvarleg": "responsible",
}
ALL_LABELS = {*FACT_LABELS, "søknadsfrist", "rapporteringsfrist", "søknadsfrist og rapportering"}
TITLE_MIN = 6
SUMMARY_MAX = 600


def _grant_links(root: Node, base_url: str) -> list[tuple[Node, str]]:
    return statsforvalteren.site_links(
        root, base_url, lambda _a, parts: bool(GRANT_PATH.search(parts.path)), drop_fragment=True
    )


def parse_grants(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """The grants on a region's "Tilskudd" listing, one per article link; ParseError when none."""
    if not body.strip():
        raise ParseError("tomt svar fra tilskuddssiden")
    root = parse_html(decode_html(body, content_type))
    links = _grant_links(root, url)
    if not links:
        raise ParseError(
            "fant ingen tilskudd på siden (ingen lenker til …/tilskudd/ÅÅÅÅ/MM/…); "
            "kanskje er sidens oppbygging endret, eller adressen er ikke tilskuddssiden"
        )
    keys_of = {id(a): normalise_url(href) for a, href in links}
    result = Parsed()
    seen: set[str] = set()
    for a, href in links:
        key = keys_of[id(a)]
        title = " ".join(a.inner_text().split())
        if key in seen or len(title) < TITLE_MIN:
            continue
        seen.add(key)
        card = a
        for ancestor in a.ancestors():
            if (
                ancestor.tag == "#root"
                or len({keys_of[id(x)] for x in ancestor.iter("a") if id(x) in keys_of}) > 1
            ):
                break
            card = ancestor
        lines = [ln for ln in card.text().split("\n") if ln.strip() and ln.strip() != title]
        text = "\n".join(lines)
        deadline = find_deadline(
            f"{title}\n{text}", reference=now, source_kind="statsforvalteren", url=href, now=now
        )
        result.items.append(
            FeedItem(
                key=key,
                title=title,
                url=href,
                summary="",
                deadline=deadline,
                fingerprint=fingerprint(title, text),
                detail_url=href,
            )
        )
    return result


def grant_facts(lines: list[str]) -> dict[str, str]:
    """ "Hvem kan søke", "Målgruppe" and "Ansvarlig" from a label/value list (the value after the
    colon, or on the next line as a <dt>/<dd> pair reads)."""
    facts: dict[str, str] = {}
    for i, line in enumerate(lines):
        head, colon, rest = line.partition(":")
        label = head.strip().lower()
        if label not in FACT_LABELS or FACT_LABELS[label] in facts:
            continue
        value = rest.strip() if colon else ""
        if not value and i + 1 < len(lines):
            following = lines[i + 1].strip()
            if following.rstrip(":").strip().lower() not in ALL_LABELS:
                value = following
        if value:
            facts[FACT_LABELS[label]] = value[:300]
    return facts


def parse_grant(
    item: FeedItem, body: bytes, *, url: str, content_type: str | None, now: datetime
) -> FeedItem:
    """The item completed from its grant article: title, lead, published, deadline and its facts."""
    done = statsforvalteren.parse_article(item, body, url=url, content_type=content_type, now=now)
    root = parse_html(decode_html(body, content_type))
    main = next((n for t in ("main", "article", "body") for n in root.iter(t)), root)
    facts = grant_facts(main.text(skip=statsforvalteren.NOISE).split("\n"))
    summary = done.summary
    if summary and any(summary.startswith(v) for v in facts.values()):
        summary = ""
    return done.with_detail(facts={**item.facts, **facts}, summary=summary[:SUMMARY_MAX])
