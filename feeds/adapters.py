"""Source kinds: which parser reads a listing, and which reads an item's own page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from feeds import eu_ft, forskningsradet, rss, statsforvalteren, statsforvalteren_grants, web
from feeds.items import FeedItem, Parsed, RequestSpec

__all__ = ["ADAPTERS", "KINDS", "Adapter", "UnknownKindError", "adapter_for"]

ListingParser = Callable[..., Parsed]
DetailParser = Callable[..., FeedItem]


@dataclass(frozen=True)
class Adapter:
    kind: str
    parse: ListingParser  # (body, *, url, content_type, now) -> Parsed
    parse_detail: DetailParser | None  # (item, body, *, url, content_type, now) -> FeedItem
    accept: str
    description: str
    request: Callable[[str], RequestSpec] | None = None  # an API asked by POST (eu_ft): url -> request


ADAPTERS: dict[str, Adapter] = {
    "rss": Adapter(
        "rss",
        rss.parse_feed,
        None,
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
        "RSS eller Atom",
    ),
    "rss_tilskudd": Adapter(
        "rss_tilskudd",
        rss.parse_funding_feed,
        None,
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
        "RSS eller Atom med nyheter, der bare sakene om tilskudd og utlysninger tas med",
    ),
    "forskningsradet": Adapter(
        "forskningsradet",
        forskningsradet.parse_listing,
        forskningsradet.parse_call_page,
        "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
        "Forskningsrådets (og Regionale forskningsfonds) utlysningsside",
    ),
    "statsforvalteren": Adapter(
        "statsforvalteren",
        statsforvalteren.parse_news,
        statsforvalteren.parse_article,
        "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
        "Statsforvalterens nyhetsliste",
    ),
    "statsforvalteren_tilskudd": Adapter(
        "statsforvalteren_tilskudd",
        statsforvalteren_grants.parse_grants,
        statsforvalteren_grants.parse_grant,
        "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
        "Statsforvalterens tilskuddsside (Tilskudd) med søknadsfrist, målgruppe og hvem som kan søke",
    ),
    "eu_ft": Adapter(
        "eu_ft",
        eu_ft.parse_results,
        None,
        "application/json",
        "EUs Funding & Tenders-portal (søke-API-et), med program og søkeord i adressen",
        eu_ft.build_request,
    ),
    "web": Adapter(
        "web",
        web.parse_web,
        None,
        "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
        "En vanlig nettside, lest med CSS-velgere (adresse#foui:items=…&title=…&link=…&date=…)",
    ),
}
KINDS = tuple(ADAPTERS)


class UnknownKindError(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"ukjent kildetype {kind!r}; bruk {', '.join(KINDS)}")
        self.kind = kind


def adapter_for(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind.strip().lower()]
    except KeyError:
        raise UnknownKindError(kind) from None
