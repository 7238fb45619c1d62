"""The municipalities a FoUI contact can speak for: Trøndelag's 38 by default, or a configured list.

``FOUI_MUNICIPALITIES`` (comma separated) or ``FOUI_MUNICIPALITIES_FILE`` (one per line, ``#``
starts a comment) replaces the default, so another region (for example the six municipalities of
Nord-Gudbrandsdal) can run a bot of its own. Finding a municipality by a typed part of its name is
forgiving: case, spaces, hyphens and æ/ø/å written as ae/o/aa all match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# The 38 municipalities of Trøndelag as of 1 January 2024 (Kartverket / SSB).
TRONDELAG_2024: tuple[str, ...] = (
    "Flatanger",
    "Frosta",
    "Frøya",
    "Grong",
    "Heim",
    "Hitra",
    "Holtålen",
    "Høylandet",
    "Indre Fosen",
    "Inderøy",
    "Leka",
    "Levanger",
    "Lierne",
    "Malvik",
    "Melhus",
    "Meråker",
    "Midtre Gauldal",
    "Namsos",
    "Namsskogan",
    "Nærøysund",
    "Oppdal",
    "Orkland",
    "Osen",
    "Overhalla",
    "Rennebu",
    "Rindal",
    "Røros",
    "Røyrvik",
    "Selbu",
    "Skaun",
    "Snåsa",
    "Steinkjer",
    "Stjørdal",
    "Trondheim",
    "Tydal",
    "Verdal",
    "Ørland",
    "Åfjord",
)

# For the README and .env.example: the six municipalities of Nord-Gudbrandsdal (Innlandet).
NORD_GUDBRANDSDAL: tuple[str, ...] = ("Dovre", "Lesja", "Lom", "Sel", "Skjåk", "Vågå")

# A name is carried in a button's callback data (at most 64 bytes with its prefix).
MAX_NAME_BYTES = 48

_NORWEGIAN_ORDER = "abcdefghijklmnopqrstuvwxyzæøå"


class MunicipalityListError(ValueError):
    """The configured list of municipalities cannot be used."""


def sort_key(name: str) -> tuple[int, ...]:
    """Norwegian alphabetical order: æ, ø and å come after z."""
    folded = unicodedata.normalize("NFC", name).casefold()
    return tuple(
        _NORWEGIAN_ORDER.index(ch) if ch in _NORWEGIAN_ORDER else len(_NORWEGIAN_ORDER) + ord(ch)
        for ch in folded
    )


def fold(text: str) -> str:
    """A loose form for matching: lower case, no spaces or hyphens, æ/ø/å as ae/o/a."""
    value = unicodedata.normalize("NFC", text).casefold().strip()
    for old, new in (("æ", "ae"), ("ø", "o"), ("ö", "o"), ("å", "a"), ("aa", "a")):
        value = value.replace(old, new)
    return "".join(ch for ch in value if ch.isalnum())


@dataclass(frozen=True)
class Municipalities:
    """An ordered, de-duplicated list of municipality names."""

    names: tuple[str, ...]

    @classmethod
    def of(cls, names: Iterable[str]) -> Municipalities:
        seen: dict[str, str] = {}
        for raw in names:
            name = " ".join(unicodedata.normalize("NFC", raw).split())
            if not name:
                continue
            if len(name.encode()) > MAX_NAME_BYTES:
                raise MunicipalityListError(
                    f"kommunenavnet er for langt (høyst {MAX_NAME_BYTES} byte): {name}"
                )
            seen.setdefault(name.casefold(), name)
        if not seen:
            raise MunicipalityListError("listen over kommuner er tom")
        return cls(tuple(sorted(seen.values(), key=sort_key)))

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return self.canonical(str(name)) is not None

    def canonical(self, name: str) -> str | None:
        """The listed spelling of ``name`` (case and spacing ignored), or None."""
        wanted = " ".join(name.split()).casefold()
        for listed in self.names:
            if listed.casefold() == wanted:
                return listed
        return None

    def find(self, query: str) -> list[str]:
        """Municipalities matching a typed name: an exact match alone, else all containing the text.

        Names starting with the text come first; an empty query matches nothing.
        """
        wanted = fold(query)
        if not wanted:
            return []
        exact = [name for name in self.names if fold(name) == wanted]
        if exact:
            return exact
        starts = [name for name in self.names if fold(name).startswith(wanted)]
        inside = [name for name in self.names if wanted in fold(name) and name not in starts]
        return starts + inside

    def page(self, number: int, size: int) -> tuple[Sequence[str], int]:
        """One page of names (0-based, clamped) and the number of pages."""
        pages = max(1, -(-len(self.names) // size))
        number = min(max(number, 0), pages - 1)
        return self.names[number * size : (number + 1) * size], pages


DEFAULT = Municipalities.of(TRONDELAG_2024)


def read_file(path: Path) -> list[str]:
    """One name per line; blank lines and ``#`` comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MunicipalityListError(f"kan ikke lese {path}: {exc.strerror or exc}") from exc
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def from_settings(
    names: Sequence[str] | None, path: Path | None, preset: Sequence[str] | None = None
) -> Municipalities:
    """The configured list: the setting, else the file, else the region's (``FOUI_REGION``; by
    default Trøndelag's 38)."""
    if names:
        return Municipalities.of(names)
    if path is not None:
        return Municipalities.of(read_file(path))
    return Municipalities.of(preset) if preset else DEFAULT


def check_setting(value: list[str] | Path | None) -> list[str] | Path | None:
    """Validate FOUI_MUNICIPALITIES or FOUI_MUNICIPALITIES_FILE as settings are loaded."""
    if isinstance(value, Path):
        if not value.is_file():
            raise MunicipalityListError(f"finner ingen fil {value}")
        Municipalities.of(read_file(value))
    elif value:
        Municipalities.of(value)
    return value
