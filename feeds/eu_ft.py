"""The ``eu_ft`` adapter: the EU Funding & Tenders portal's public search API (SEDIA), the one the
portal itself calls, with machine-readable deadlines.

A source's URL is the API address with a query a coordinator can set in it::

    https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***
        &programme=43108390&keywords=municipal,local authorities,public sector innovation

``text`` goes to the API as its full-text search (``***``: everything); ``programme`` (the portal's
programme ids, comma separated; ``horizon`` for Horizon Europe) and ``status`` (``open``,
``forthcoming``; both by default) become the API's query; ``keywords`` (comma separated) keep only
the calls whose title, summary or keywords name one of them. The API is asked by POST with the
query as multipart JSON parts (``build_request``); its answer is JSON whose ``results`` carry
``metadata.identifier``, ``title``, ``deadlineDate`` (one per stage), ``status`` and
``frameworkProgramme`` as one-element lists (``parse_results``).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.deadlines import OSLO, Deadline
from feeds.items import FeedItem, Parsed, ParseError, RequestSpec, Status, fingerprint, normalise_url

__all__ = ["PROGRAMMES", "build_request", "parse_results"]

OWN_PARAMS = ("programme", "keywords", "status")
PROGRAMMES = {"horizon": "43108390", "horizon europe": "43108390"}
PROGRAMME_NAMES = {"43108390": "Horizon Europe"}
STATUSES = {"forthcoming": "31094501", "open": "31094502", "closed": "31094503"}
STATUS_OF = {"31094501": Status.PLANNED, "31094502": Status.OPEN, "31094503": Status.CLOSED}
TYPES = ["1", "8"]  # calls for proposals (grants) and cascade funding
PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"
SUMMARY_MAX = 600
_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_TAGS = re.compile(r"<[^>]+>")


def _params(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(the API's own parameters, ours) of a source URL."""
    api: dict[str, str] = {}
    own: dict[str, str] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        (own if key in OWN_PARAMS else api)[key] = value
    return api, own


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _part(boundary: str, name: str, value: Any) -> bytes:
    return (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{name}"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(value, ensure_ascii=False)}\r\n"
    ).encode()


def build_request(url: str) -> RequestSpec:
    """The POST the portal itself sends: the API address with apiKey, text and paging; the query,
    languages and sort as multipart parts of type application/json."""
    api, own = _params(url)
    api.setdefault("apiKey", "SEDIA")
    api.setdefault("text", "***")
    api.setdefault("pageSize", "100")
    api.setdefault("pageNumber", "1")
    statuses = [STATUSES.get(s.lower(), s) for s in _split(own.get("status", ""))] or [
        STATUSES["open"],
        STATUSES["forthcoming"],
    ]
    must: list[dict[str, Any]] = [{"terms": {"type": TYPES}}, {"terms": {"status": statuses}}]
    programmes = [PROGRAMMES.get(p.lower(), p) for p in _split(own.get("programme", ""))]
    if programmes:
        must.append({"terms": {"frameworkProgramme": programmes}})
    boundary = uuid.uuid4().hex
    body = (
        _part(boundary, "query", {"bool": {"must": must}})
        + _part(boundary, "languages", ["en"])
        + _part(boundary, "sort", {"field": "deadlineDate", "order": "ASC"})
        + f"--{boundary}--\r\n".encode()
    )
    parts = urlsplit(url)
    api_url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(api), ""))
    return RequestSpec(api_url, body, f"multipart/form-data; boundary={boundary}")


def _one(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).strip()


def _all(meta: dict[str, Any], key: str) -> list[str]:
    value = meta.get(key)
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _text(value: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", value)).split())


def _moment(value: str) -> Deadline | None:
    """A deadlineDate ("2025-09-16T17:00:00.000+0200") as a deadline in Norwegian time; a midnight
    in its own offset is the whole day."""
    text = _OFFSET.sub(r"\1:\2", value.strip().replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    evidence = f"deadlineDate {value.strip()} (EU Funding & Tenders)"
    if moment.tzinfo is None or (moment.hour, moment.minute) == (0, 0):
        day = moment.date()
        return Deadline(
            at=datetime(day.year, day.month, day.day, tzinfo=OSLO), evidence=evidence, certain=True
        )
    return Deadline(at=moment.astimezone(OSLO), has_time=True, evidence=evidence, certain=True)


def _deadline(values: list[str], now: datetime) -> Deadline | None:
    """Of a call's stage deadlines, the next one to come, else the last."""
    dated = [(d.at, d) for d in map(_moment, values) if d is not None and d.at is not None]
    found = [d for _, d in sorted(dated, key=lambda pair: pair[0])]
    upcoming = [d for d in found if d.ends_at is not None and d.ends_at >= now]
    return upcoming[0] if upcoming else (found[-1] if found else None)


def parse_results(body: bytes, *, url: str, content_type: str | None, now: datetime) -> Parsed:
    """The calls in one answer of the search API, kept to the source's keywords."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise ParseError("svaret fra EU-portalen er ikke JSON") from None
    if not isinstance(data, dict) or data.get("type") == "throwable":
        message = data.get("message") if isinstance(data, dict) else None
        raise ParseError(f"EU-portalen svarte med en feil: {str(message or '')[:200]}".rstrip(": "))
    results = data.get("results")
    if not isinstance(results, list):
        raise ParseError("svaret fra EU-portalen har ingen «results»; kanskje er API-et endret")
    keywords = [k.lower() for k in _split(_params(url)[1].get("keywords", ""))]
    parsed = Parsed()
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict):
            continue
        meta = result.get("metadata") if isinstance(result.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        identifier = (
            _one(meta, "identifier") or _one(meta, "callIdentifier") or str(result.get("reference") or "")
        )
        title = _text(_one(meta, "title") or str(result.get("title") or result.get("summary") or ""))
        if not identifier or not title:
            continue
        summary = _text(
            _one(meta, "description") or str(result.get("content") or result.get("summary") or "")
        )
        words = " ".join([title, summary, *_all(meta, "keywords"), *_all(meta, "tags")]).lower()
        if keywords and not any(k in words for k in keywords):
            continue
        if identifier in seen:  # the same call in another language
            continue
        seen.add(identifier)
        page = _one(meta, "url")  # the result's own "url" is the data behind the page, not the page
        link = page if page.startswith("http") and not page.endswith(".json") else PORTAL + identifier.lower()
        programme = _one(meta, "frameworkProgramme")
        deadlines = _all(meta, "deadlineDate")
        status = STATUS_OF.get(_one(meta, "status"))
        facts = {"identifier": identifier}
        if programme:
            facts["programme"] = PROGRAMME_NAMES.get(programme, programme)
        parsed.items.append(
            FeedItem(
                key=normalise_url(link),
                title=f"{title} ({identifier})" if identifier not in title else title,
                url=link,
                summary=summary[:SUMMARY_MAX],
                deadline=_deadline(deadlines, now),
                status=status,
                topic_text=" ".join(_all(meta, "keywords")),
                fingerprint=fingerprint(title, status, *deadlines, summary),
                facts=facts,
            )
        )
    return parsed
