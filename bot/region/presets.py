"""Region presets (``FOUI_REGION``): the municipalities and default sources of a region.

``trondelag`` is today's defaults (Trøndelag's 38 municipalities; Forskningsrådet, RFF Trøndelag,
Statsforvalteren i Trøndelag's grant pages, KDD). ``innlandet`` is the Nord-Gudbrandsdal network:
its six municipalities (Dovre, Lesja, Lom, Sel, Skjåk, Vågå) are the ones a contact speaks for, and
Innlandet's 46 are the county they sit in; Forskningsrådet, RFF Innlandet, Statsforvalteren i
Innlandet's grant pages, KDD. ``FOUI_MUNICIPALITIES``/``_FILE`` and ``FOUI_SOURCES_FILE`` still
replace a preset's lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.region.municipalities import NORD_GUDBRANDSDAL, TRONDELAG_2024
from feeds.sources import DEFAULT_SOURCES, INNLANDET_SOURCES, SourceDef

__all__ = ["INNLANDET_2024", "REGIONS", "Region", "UnknownRegionError", "region"]

# The 46 municipalities of Innlandet as of 1 January 2024 (Kartverket / SSB).
INNLANDET_2024: tuple[str, ...] = (
    "Alvdal", "Dovre", "Eidskog", "Elverum", "Engerdal", "Etnedal", "Folldal", "Gausdal", "Gjøvik",
    "Gran", "Grue", "Hamar", "Kongsvinger", "Lesja", "Lillehammer", "Lom", "Løten", "Nord-Aurdal",
    "Nord-Fron", "Nord-Odal", "Nordre Land", "Os", "Rendalen", "Ringebu", "Ringsaker", "Sel", "Skjåk",
    "Stange", "Stor-Elvdal", "Søndre Land", "Sør-Aurdal", "Sør-Fron", "Sør-Odal", "Tolga", "Trysil",
    "Tynset", "Vang", "Vestre Slidre", "Vestre Toten", "Vågå", "Våler", "Åmot", "Åsnes", "Østre Toten",
    "Øyer", "Øystre Slidre",
)  # fmt: skip


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    municipalities: tuple[str, ...]  # the ones a FoUI contact can speak for
    county: tuple[str, ...]  # the county's municipalities (the network's lie within them)
    sources: tuple[SourceDef, ...]
    funders: tuple[str, ...] = ()  # suggested as "who is behind it" for a coordinator's own deadline


REGIONS: dict[str, Region] = {
    "trondelag": Region(
        "trondelag",
        "Trøndelag",
        TRONDELAG_2024,
        TRONDELAG_2024,
        DEFAULT_SOURCES,
        ("KS", "Statsforvalteren i Trøndelag", "Trøndelag fylkeskommune"),
    ),
    "innlandet": Region(
        "innlandet",
        "Nord-Gudbrandsdal (Innlandet)",
        NORD_GUDBRANDSDAL,
        INNLANDET_2024,
        INNLANDET_SOURCES,
        ("KS", "Statsforvalteren i Innlandet", "Innlandet fylkeskommune"),
    ),
}


class UnknownRegionError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"ukjent region {key!r}; bruk {', '.join(REGIONS)}")


def region(key: str | None) -> Region:
    """The preset named ``key`` (case and spaces ignored; empty: trondelag)."""
    wanted = (key or "trondelag").strip().lower().replace("ø", "o")
    try:
        return REGIONS[wanted]
    except KeyError:
        raise UnknownRegionError(key or "") from None
