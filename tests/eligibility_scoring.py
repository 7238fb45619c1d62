"""Precision and recall of ``feeds.eligibility`` per field on a labelled set of call texts.

A labelled row holds the text and, per field, what a careful reader finds (empty or null: the text
does not say). Counting, per field:

- set fields (applicants, participants, excluded): one decision per (row, type); a type found and
  labelled is a true positive, found and not labelled a false positive, labelled and not found a
  false negative. ``applicants`` is also reported per type.
- value fields (verdict, research partner, several municipalities, amounts, co-funding): a row
  where the reader found something (not "ukjent"/null) counts towards recall; a row where the
  extractor said something counts towards precision; a hit is an exact match (amounts within 0.5 %).

Used by ``tests/test_eligibility_labelled.py`` (floors) and ``benchmarks/bench_eligibility.py``
(the table in the README).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feeds.eligibility import Applicant, Conditions, extract

LABELLED = Path(__file__).parent / "fixtures" / "eligibility" / "labelled.json"
SET_FIELDS = ("applicants", "participants", "excluded")
VALUE_FIELDS = (
    "verdict",
    "research_partner",
    "several_municipalities",
    "amount_min",
    "amount_max",
    "amount_total",
    "cofunding",
    "cofunding_percent",
)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0  # rows (or row/type pairs) the reader labelled
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def load_rows(path: Path = LABELLED) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["rows"])


def predicted(c: Conditions) -> dict[str, Any]:
    """The extractor's answer in the labelled set's terms."""
    return {
        "applicants": sorted(t.value for t in c.applicants.types),
        "participants": sorted(t.value for t in c.participants.types),
        "excluded": sorted(t.value for t in c.excluded.types),
        "verdict": c.verdict.value,
        "research_partner": c.research_partner.need.value if c.research_partner else None,
        "several_municipalities": c.several_municipalities.need.value if c.several_municipalities else None,
        "amount_min": c.amount_min.value if c.amount_min else None,
        "amount_max": c.amount_max.value if c.amount_max else None,
        "amount_total": c.amount_total.value if c.amount_total else None,
        "cofunding": c.cofunding.required if c.cofunding else None,
        "cofunding_percent": c.cofunding.own_share_percent if c.cofunding else None,
    }


def _same(label: Any, got: Any) -> bool:
    if isinstance(label, int) and isinstance(got, int) and not isinstance(label, bool):
        return abs(label - got) <= 0.005 * max(abs(label), 1)
    return bool(label == got)


def _unknown(value: Any) -> bool:
    return value is None or value == "ukjent"


def score(rows: Iterable[dict[str, Any]]) -> dict[str, Score]:
    """Scores per field (and ``applicants:<type>`` per applicant type)."""
    scores: dict[str, Score] = {}
    for row in rows:
        got = predicted(extract(row["text"], title=row.get("title", "")))
        for name in SET_FIELDS:
            wanted, found = set(row[name]), set(got[name])
            for key in (name, *(f"{name}:{t}" for t in (wanted | found) if name == "applicants")):
                s = scores.setdefault(key, Score())
                scope = wanted if key == name else wanted & {key.split(":")[1]}
                seen = found if key == name else found & {key.split(":")[1]}
                s.tp += len(scope & seen)
                s.fp += len(seen - scope)
                s.fn += len(scope - seen)
                s.support += len(scope)
                if scope != seen and key == name:
                    s.misses.append(f"{row['id']}: {sorted(scope)} != {sorted(seen)}")
        for name in VALUE_FIELDS:
            s = scores.setdefault(name, Score())
            label, value = row[name], got[name]
            if not _unknown(label):
                s.support += 1
            if _unknown(label) and _unknown(value):
                continue
            if not _unknown(label) and not _unknown(value) and _same(label, value):
                s.tp += 1
                continue
            s.misses.append(f"{row['id']}: {label!r} != {value!r}")
            if not _unknown(value):
                s.fp += 1
            if not _unknown(label):
                s.fn += 1
    for t in Applicant:
        scores.setdefault(f"applicants:{t.value}", Score())
    return scores


def table(scores: dict[str, Score]) -> str:
    """A Markdown table: field, support, precision, recall."""

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f} %"

    lines = ["| field | labelled | found right | precision | recall |", "|---|---:|---:|---:|---:|"]
    for name in (
        *SET_FIELDS[:1],
        *sorted(k for k in scores if k.startswith("applicants:")),
        *SET_FIELDS[1:],
        *VALUE_FIELDS,
    ):
        s = scores[name]
        lines.append(f"| {name} | {s.support} | {s.tp} | {pct(s.precision)} | {pct(s.recall)} |")
    return "\n".join(lines)
