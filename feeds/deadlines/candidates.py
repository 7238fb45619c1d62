"""One date as the finder read it: what it is, where it stands, and what the sentence says about it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.deadlines.dates import DateMention

# Where a date stands.
BLOCK = "block"  # under or beside a label: "Viktige datoer", "Søknadsfrist:" lists, "Søknadsfrist 5. mars"
SENTENCE = "sentence"  # inside running text
CALENDAR = "calendar"  # the date of a calendar entry whose title is a deadline ("Søknadsfrist: <ordning>")

# What it is (cues.STRONG and cues.WEAK are deadlines; OTHER is anything else).
OTHER = "other"

EVIDENCE_MAX = 160


@dataclass
class Candidate:
    """A date mention with its reading."""

    mention: DateMention
    kind: str | None  # cues.STRONG | cues.WEAK | OTHER | None
    tier: str
    evidence: str
    labelled: bool = False  # a deadline label or word, not softened by "innen" (Forskningsrådet's 13:00)
    sentence: int = -1  # the sentence it stands in (a list of rounds shares one)
    self_ref: bool = False  # the sentence names the call itself ("Denne utlysningen har frist ...")
    moved: bool = False  # the new date of a moved deadline
    recurring: bool = False  # a yearly rule ("hvert år", "årleg"): the year is ours, not the page's
    tentative: bool = False  # a plan ("foreløpig", "vil bli utlyst")
    year: int | None = None  # a year the sentence gives ("søknadsfrister i 2014")
    list_kind: str | None = None  # the reading a list shares, before a date's own purpose ("for skisser")

    @property
    def is_deadline(self) -> bool:
        return self.kind in ("strong", "weak")


_BULLETS = re.compile(r"^[\s•·\-–—*>]+")


def strip_bullets(line: str) -> str:
    """A line without list bullets in front."""
    return _BULLETS.sub("", line).strip()


def trim_evidence(text: str, start: int | None = None) -> str:
    """One short line of evidence: whitespace folded, at most EVIDENCE_MAX characters around ``start``."""
    flat = " ".join(text.split())
    if len(flat) <= EVIDENCE_MAX:
        return flat
    if start is None:
        return flat[: EVIDENCE_MAX - 1].rstrip() + "…"
    lead = max(0, min(start - EVIDENCE_MAX // 2, len(flat) - EVIDENCE_MAX + 2))
    window = flat[lead : lead + EVIDENCE_MAX - 2].strip()
    return ("…" if lead > 0 else "") + window + ("…" if lead + EVIDENCE_MAX - 2 < len(flat) else "")
