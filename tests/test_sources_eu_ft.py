"""The eu_ft kind: the EU Funding & Tenders search API asked by POST as the portal asks it, with a
query a coordinator sets in the URL; a recorded-shape JSON answer served on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from feeds.adapters import adapter_for
from feeds.eu_ft import build_request
from feeds.fetch import Fetcher, fetch_source
from feeds.items import ParseError, Status
from tests.fixtures.feeds.loopback import FIXTURES, LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
QUERY = (
    "?apiKey=SEDIA&text=***&programme=horizon&keywords=municipal,local authorities,public sector innovation"
)


async def test_an_eu_query_gives_calls_with_machine_readable_deadlines(loopback: LoopbackServer) -> None:
    body = (FIXTURES / "eu_ft_search.json").read_bytes()
    url = (
        loopback.add("/search-api/prod/rest/search", Route(body=body, content_type="application/json"))
        + QUERY
    )
    async with Fetcher(user_agent="FoUI-boten/test", allow_private=True) as fetcher:
        result = await fetch_source(fetcher, "eu_ft", url, now=NOW)
    [(path, ctype, sent)] = loopback.posted
    params = parse_qs(urlsplit(path).query)
    assert params["apiKey"] == ["SEDIA"] and params["text"] == ["***"] and "keywords" not in params
    assert ctype.startswith("multipart/form-data; boundary=")
    assert b'name="query"\r\nContent-Type: application/json' in sent and b'"43108390"' in sent
    items = {i.facts["identifier"]: i for i in result.items}
    assert set(items) == {
        "HORIZON-CL6-2025-COMMUNITIES-02-1",
        "HORIZON-MISS-2025-CIT-01-1",
    }  # quantum left out, no duplicate
    rural = items["HORIZON-CL6-2025-COMMUNITIES-02-1"]
    assert rural.deadline is not None and rural.deadline.certain and not rural.deadline.has_time
    assert rural.deadline.at == datetime(2025, 9, 16, tzinfo=OSLO)
    assert rural.status == Status.OPEN and rural.facts["programme"] == "Horizon Europe"
    assert "<b>" not in rural.title and "local authorities" in rural.title
    assert rural.summary.startswith("Proposals should support rural municipalities")
    cities = items["HORIZON-MISS-2025-CIT-01-1"]
    assert cities.status == Status.PLANNED
    assert cities.deadline is not None and cities.deadline.at == datetime(
        2025, 9, 24, 17, 0, tzinfo=OSLO
    )  # the next stage
    assert cities.url is not None and cities.url.endswith("/topic-details/horizon-miss-2025-cit-01-1")


def test_the_request_carries_status_and_programme() -> None:
    spec = build_request(
        "https://api.tech.ec.europa.eu/search-api/prod/rest/search?status=open&programme=43152860"
    )
    parts = spec.body.decode().split("\r\n")
    query = json.loads(parts[parts.index('Content-Disposition: form-data; name="query"') + 3])
    assert {"terms": {"status": ["31094502"]}} in query["bool"]["must"]
    assert {"terms": {"frameworkProgramme": ["43152860"]}} in query["bool"]["must"]
    assert spec.url.startswith("https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=")


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html>", "ikke JSON"), (b'{"type": "throwable", "message": "bad"}', "feil: bad"), (b"{}", "results")],
)
def test_bad_answers_are_reasons(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        adapter_for("eu_ft").parse(body, url="https://x.invalid/s", content_type="application/json", now=NOW)
