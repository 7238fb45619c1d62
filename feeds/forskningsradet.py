"""The ``forskningsradet`` adapter: Forskningsrådet's calls, and Regionale forskningsfond's (same template).

The listing (https://www.forskningsradet.no/utlysninger/) is read by its most stable signal: links
to ``/utlysninger/YYYY/slug/`` (RFF: ``/rfftrondelag/YYYY/slug/``). A link's card is its largest
ancestor that links to no other call; the card's lines give the status ("Søk nå", "Planlagt",
"Løpende", "Gjennomført", "Se Resultat"), the title and "Søknadsfrist" with its value. Each new or
changed call's page is then read whole: its "Viktige datoer" block (a date line, then its label
line), deadline sentences ("Denne utlysningen har frist 31. mai kl. 13:00"), two rounds, rolling
calls. When a page's visible text has no dates, the data embedded for its React components
(``window.__REACT_COMPONENTS__``) is read instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from feeds.deadlines import OSLO, Deadline, find_deadline, unread_deadline_label
from feeds.html import Node, decode_html, parse_html
from feeds.items import FeedItem, Parsed, ParseError, Status, fingerprint, normalise_url
from feeds.proposal_json import Embedded, date_block, read_embedded

__all__ = ["CALL_PATH", "parse_call_page", "parse_listing", "status_from_text"]

CALL_PATH = re.compile(
    r"/(?:utlysninger|call-for-proposals|calls|rff[a-z-]*)/(?P<year>(?:19|20)\d\d)/(?P<slug>[^/?#]+)/?$",
    re.IGNORECASE,
)
STATUSES = {
    "søk nå": Status.OPEN,
    "apply now": Status.OPEN,
    "åpen": Status.OPEN,
    "planlagt": Status.PLANNED,
    "planned": Status.PLANNED,
    "løpende": Status.ROLLING,
    "rolling": Status.ROLLING,
    "ongoing": Status.ROLLING,
    "gjennomført": Status.CLOSED,
    "se resultat": Status.CLOSED,
    "avsluttet": Status.CLOSED,
    "completed": Status.CLOSED,
    "closed": Status.CLOSED,
    "see results": Status.CLOSED,
}
CARD_LABELS = {
    "søknadsfrist",
    "application deadline",
    "antatt tilgjengelige midler",
    "støttegrenser",
    "prosjektvarighet",
    "formål",
    "purpose",
}
GENERIC_LINK_TEXT = re.compile(r"^(?:les mer|mer|read more|se utlysning(?:en)?|til utlysning(?:en)?)$", re.I)
SUMMARY_MAX = 600
NOISE = frozenset({"nav", "footer"})


def status_from_text(lines: list[str]) -> str | None:
    """The first line that is a known status ("Søk nå", "Gjennomført", ...)."""
    for line in lines:
        status = STATUSES.get(line.strip().lower().rstrip("."))
        if status:
            return status
    return None


def _year_reference(url: str, now: datetime) -> date:
    """Dates without a year on a call page: read from the start of the call's year (from its URL)."""
    m = CALL_PATH.search(urlsplit(url).path)
    if m:
        return date(int(m.group("year")), 1, 1)
    return now.astimezone(OSLO).date()


def _call_links(root: Node, base_url: str) -> list[tuple[Node, str]]:
    links = []
    for a in root.iter("a"):
        href = a.attrs.get("href", "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        absolute = urldefrag(urljoin(base_url, href)).url  # "/utlysninger/2024/x/#results"
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not CALL_PATH.search(parts.path):
            continue
        if "/nyheter/" in parts.path or "/news/" in parts.path:
            continue
        links.append((a, absolute))
    return links


def _keys_below(root: Node, keys_of: dict[int, str]) -> dict[int, frozenset[str]]:
    """For every element: the call keys linked below it (at most two are kept: one or many)."""
    below: dict[int, frozenset[str]] = {}

    def visit(node: Node) -> frozenset[str]:
        found: set[str] = set()
        if id(node) in keys_of:
            found.add(keys_of[id(node)])
        for child in node.children:
            if isinstance(child, Node) and len(found) < 2:
                found |= visit(child)
            elif isinstance(child, Node):
                visit(child)
        result = frozenset(sorted(found)[:2])
        below[id(node)] = result
        return result

    visit(root)
    return below


def _card_of(link: Node, below: dict[int, frozenset[str]]) -> Node:
    """The link's largest ancestor that links to no other call."""
    card = link
    for ancestor in link.ancestors():
        if ancestor.tag == "#root" or len(below.get(id(ancestor), frozenset())) > 1:
            break
        card = ancestor
    return card


def _joined_labels(lines: list[str]) -> list[str]:
    """Card layout "Søknadsfrist" / "5. mars 2025" as "Søknadsfrist: 5. mars 2025"."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip(":").strip().lower() in CARD_LABELS and i + 1 < len(lines):
            out.append(f"{line.rstrip(':').strip()}: {lines[i + 1]}")
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _label_value(lines: list[str], labels: set[str]) -> str:
    for line in lines:
        head, _, value = line.partition(":")
        if head.strip().lower() in labels and value.strip():
            return value.strip()
    return ""


def parse_listing(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """The calls on a listing page, one per distinct call link; ParseError when there are none."""
    if not body.strip():
        raise ParseError("tomt svar fra utlysningssiden")
    root = parse_html(decode_html(body, content_type))
    links = _call_links(root, url)
    if not links:
        raise ParseError(
            "fant ingen utlysninger på siden (ingen lenker til /utlysninger/ÅÅÅÅ/…); "
            "kanskje er sidens oppbygging endret"
        )
    keys_of = {id(a): normalise_url(href) for a, href in links}
    below = _keys_below(root, keys_of)
    groups = _Groups(root)
    result = Parsed()
    seen: set[str] = set()
    for a, href in links:
        key = keys_of[id(a)]
        if key in seen:
            continue
        seen.add(key)
        card = _card_of(a, below)
        lines = card.text(skip=NOISE).split("\n")
        status = status_from_text(lines)
        if status is None:
            status = _status_from_classes(card)
        title = a.inner_text()
        if len(title) < 6 or GENERIC_LINK_TEXT.match(title):
            heading = next((h.inner_text() for t in ("h2", "h3", "h4", "h1") for h in card.iter(t)), "")
            title = heading or next((ln for ln in lines if ln.lower() not in STATUSES), title)
        joined = _joined_labels(lines)
        text = "\n".join(joined)
        deadline = find_deadline(
            text, reference=_year_reference(href, now), source_kind="forskningsradet", url=href, now=now
        )
        if deadline is None and status == Status.ROLLING:
            deadline = Deadline(rolling=True, evidence="Løpende", certain=True)
        purpose = _label_value(joined, {"formål", "purpose"})
        amount = _label_value(joined, {"antatt tilgjengelige midler"})
        group = groups.of(card)
        facts = {k: v for k, v in (("group", group), ("amount", amount)) if v}
        result.items.append(
            FeedItem(
                key=key,
                title=title,
                url=href,
                summary=purpose[:SUMMARY_MAX],
                deadline=deadline,
                status=status,
                topic_text=group,
                fingerprint=fingerprint(title, status, text, group),
                detail_url=href,
                facts=facts,
            )
        )
    return result


def _status_from_classes(card: Node) -> str | None:
    for node in card.iter():
        for cls in node.classes:
            if "completed" in cls or "result" in cls:
                return Status.CLOSED
    return None


_GROUP_COUNT = re.compile(r"\(\s*\d+\s+(?:utlysning(?:er)?|calls?)\s*\)", re.IGNORECASE)


def _is_group_header(node: Node) -> bool:
    """A group's header: ``div.proposal-group--header`` on the live page, or a heading (or a
    header-like element) whose text ends in "(N utlysninger)" (older or other layouts)."""
    classes = node.classes
    if any(cls.endswith(("group--header", "group__header")) for cls in classes):
        return True
    headerish = node.tag in ("h2", "h3", "h4") or any("header" in c or "title" in c for c in classes)
    return headerish and bool(_GROUP_COUNT.search(node.inner_text()))


class _Groups:
    """The group headers of a listing, found once; ``of(card)`` is the nearest header before it in
    the nearest block that holds one ("Innovasjonsprosjekt (3 utlysninger)" gives
    "Innovasjonsprosjekt")."""

    def __init__(self, root: Node) -> None:
        self.position: dict[int, int] = {}
        self.owned: dict[int, list[Node]] = {}
        for n, node in enumerate(root.iter()):
            self.position[id(node)] = n
            if _is_group_header(node):
                for ancestor in node.ancestors():
                    self.owned.setdefault(id(ancestor), []).append(node)

    def of(self, card: Node) -> str:
        at = self.position.get(id(card), 0)
        inside = self.owned.get(id(card), [])[:1]  # a group with one card: the card is the group
        for ancestor in card.ancestors():
            before = inside or [h for h in self.owned.get(id(ancestor), []) if self.position[id(h)] < at]
            if before:
                return _GROUP_COUNT.sub("", before[-1].inner_text()).strip(" :-–")[:120]
        return ""


# ---------------------------------------------------------------------------------------------
# The call page
# ---------------------------------------------------------------------------------------------


def _main(root: Node) -> Node:
    for tag in ("main", "article", "body"):
        for node in root.iter(tag):
            return node
    return root


def _summary(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        if line.strip().lower() in ("formål", "purpose") and i + 1 < len(lines):
            candidate = lines[i + 1]
            if len(candidate) > 40 and candidate != "...":
                return candidate[:SUMMARY_MAX]
    for line in lines:
        if len(line) >= 80:
            return line[:SUMMARY_MAX]
    return ""


def parse_call_page(
    item: FeedItem, body: bytes, *, url: str, content_type: str | None, now: datetime
) -> FeedItem:
    """The item completed from its call page: title, purpose, deadline and status.

    The deadline is read from the page's embedded ``ProposalPage`` data (date-and-label pairs) and
    from its visible text ("Viktige datoer", sentences); when both state a deadline and they
    disagree, the visible one is kept but not certain, so the coordinators are asked.
    """
    if not body.strip():
        raise ParseError("tom utlysningsside")
    root = parse_html(decode_html(body, content_type))
    main = _main(root)
    text = main.text(skip=NOISE)
    lines = text.split("\n")
    h1 = next((h.inner_text() for h in main.iter("h1")), "") or next(
        (h.inner_text() for h in root.iter("h1")), ""
    )
    embedded = read_embedded(root)
    h1 = h1 or embedded.title
    if not h1 and len(text) + len(" ".join(embedded.lines)) < 40:
        raise ParseError("utlysningssiden har verken tittel eller tekst")
    head_lines = lines[: lines.index(h1) + 1] if h1 in lines else lines[:6]
    status = status_from_text(head_lines) or status_from_text([embedded.status]) or item.status
    reference = _year_reference(url, now)
    deadline = _page_deadline(text, embedded, reference=reference, url=url, now=now)
    if deadline is None:
        deadline = item.deadline
    if deadline is None and status == Status.ROLLING:
        deadline = Deadline(rolling=True, evidence="Løpende", certain=True)
    summary = _summary(lines) or _summary(embedded.lines) or item.summary
    full = "\n".join([text, *embedded.lines])
    return item.with_detail(
        title=h1 or item.title,
        summary=summary,
        deadline=deadline,
        deadline_label=unread_deadline_label(full) if deadline is None else "",
        status=status,
        topic_text=" ".join(p for p in (item.topic_text, summary) if p),
    )


def _page_deadline(
    text: str, embedded: Embedded, *, reference: date, url: str, now: datetime
) -> Deadline | None:
    """The visible text's deadline cross-checked with the embedded data's (see ``parse_call_page``)."""
    kw: dict[str, Any] = {"reference": reference, "source_kind": "forskningsradet", "url": url, "now": now}
    visible = find_deadline(text, **kw)
    data = find_deadline(date_block(embedded.pairs), **kw) if embedded.pairs else None
    if visible is None and data is None and embedded.lines:
        # No dates anywhere labelled: the embedded text's sentences, as running text.
        return find_deadline(text + "\n" + "\n".join(embedded.lines), **kw)
    if visible is None or data is None:
        return visible or data
    if visible.rolling or data.rolling or visible.at is None or data.at is None:
        return visible
    if visible.at.date() == data.at.date():
        return visible
    shown = f"{data.at:%d.%m.%Y}" + (f" kl. {data.at:%H:%M}" if data.has_time else "")
    return replace(visible, certain=False, evidence=f"{visible.evidence} (sidens data sier {shown})"[:500])
