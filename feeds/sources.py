"""The default sources of each region (Trøndelag, Innlandet), and reading a FOUI_SOURCES_FILE (TOML) that replaces them.

A sources file has one ``[[source]]`` table per source::

    [[source]]
    name = "Forskningsrådet"
    kind = "forskningsradet"          # see feeds.adapters.KINDS
    url = "https://www.forskningsradet.no/utlysninger/"
    topics = ["forskning"]            # optional: topic slugs added to every call from it
    interval_minutes = 60             # optional; fractions allowed (0.5 = every 30 seconds)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from feeds.adapters import KINDS

__all__ = ["DEFAULT_SOURCES", "INNLANDET_SOURCES", "SourceDef", "SourcesFileError", "parse_sources_toml"]


@dataclass(frozen=True)
class SourceDef:
    name: str
    kind: str
    url: str
    topics: tuple[str, ...] = ()
    interval_minutes: float | None = None


FORSKNINGSRADET = SourceDef(
    "Forskningsrådet",
    "forskningsradet",
    "https://www.forskningsradet.no/utlysninger/",
    ("forskning",),
    60.0,
)
KDD = SourceDef(
    "Kommunal- og distriktsdepartementet (regjeringen.no)",
    "rss_tilskudd",
    "https://www.regjeringen.no/no/rss/Rss/2581966/?documentType=aktuelt/nyheter&owner=504",
    (),
    60.0,
)

# Trøndelag (FOUI_REGION=trondelag, the default).
DEFAULT_SOURCES: tuple[SourceDef, ...] = (
    FORSKNINGSRADET,
    SourceDef(
        "Regionale forskningsfond Trøndelag",
        "forskningsradet",
        "https://www.regionaleforskningsfond.no/trondelag/",
        ("forskning",),
        120.0,
    ),
    SourceDef(
        "Statsforvalteren i Trøndelag",
        "statsforvalteren_tilskudd",
        "https://www.statsforvalteren.no/nb/trondelag/tilskudd/",
        (),
        120.0,
    ),
    KDD,
)

# Innlandet (FOUI_REGION=innlandet: the Nord-Gudbrandsdal network). Innlandet fylkeskommune has no
# source of its own here: no feed or listing of its grants is known for certain (add one through
# FOUI_SOURCES_FILE or /kilder, e.g. as a `web` source).
INNLANDET_SOURCES: tuple[SourceDef, ...] = (
    FORSKNINGSRADET,
    SourceDef(
        "Regionale forskningsfond Innlandet",
        "forskningsradet",
        "https://www.regionaleforskningsfond.no/innlandet/",
        ("forskning",),
        120.0,
    ),
    SourceDef(
        "Statsforvalteren i Innlandet",
        "statsforvalteren_tilskudd",
        "https://www.statsforvalteren.no/nb/innlandet/tilskudd/",
        (),
        120.0,
    ),
    KDD,
)


@dataclass
class SourcesFileError(Exception):
    """A sources file that cannot be used; ``lines`` has one readable line per problem."""

    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.lines)


def parse_sources_toml(text: str) -> list[SourceDef]:
    """The sources of a TOML text; SourcesFileError naming every problem (in Norwegian)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError([f"kildefilen er ikke gyldig TOML: {exc}"]) from None
    tables = data.get("source")
    if not isinstance(tables, list) or not tables:
        raise SourcesFileError(["kildefilen har ingen [[source]]-tabeller"])
    problems: list[str] = []
    sources: list[SourceDef] = []
    seen: set[str] = set()
    for n, table in enumerate(tables, start=1):
        where = f"kilde {n}"
        if not isinstance(table, dict):
            problems.append(f"{where}: må være en [[source]]-tabell")
            continue
        name, kind, url = table.get("name"), table.get("kind"), table.get("url")
        topics = table.get("topics", [])
        interval = table.get("interval_minutes")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: mangler name")
        else:
            where = f"kilde {n} ({name})"
        if kind not in KINDS:
            problems.append(f"{where}: kind må være en av {', '.join(KINDS)} (fikk {kind!r})")
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            problems.append(f"{where}: url må begynne med http:// eller https:// (fikk {url!r})")
        elif url in seen:
            problems.append(f"{where}: url {url} står to ganger")
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            problems.append(f'{where}: topics må være en liste med emne-slugs, for eksempel ["helse"]')
        if interval is not None and (
            isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0
        ):
            problems.append(f"{where}: interval_minutes må være et positivt tall (fikk {interval!r})")
        unknown = set(table) - {"name", "kind", "url", "topics", "interval_minutes"}
        if unknown:
            problems.append(f"{where}: ukjente felt {', '.join(sorted(unknown))}")
        if isinstance(url, str):
            seen.add(url)
        if not problems:
            sources.append(
                SourceDef(
                    str(name).strip(),
                    str(kind),
                    str(url).strip(),
                    tuple(topics),
                    float(interval) if interval is not None else None,
                )
            )
    if problems:
        raise SourcesFileError(problems)
    return sources
