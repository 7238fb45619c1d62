"""The eligibility reader on the labelled set of real call texts (../shared/data, labelled by hand).

Floors rather than exact figures, so that a better reader passes too; the worst mistake (telling a
municipality a call is not for it when the text says it may apply) must never happen.
"""

from __future__ import annotations

import pytest

from feeds.eligibility import Verdict, extract
from tests.eligibility_scoring import load_rows, score

ROWS = load_rows()


def test_the_set_is_what_the_readme_says() -> None:
    assert len(ROWS) == 87
    assert sum(1 for r in ROWS if r["verdict"] != "ukjent") >= 30
    sources = {r["source"] for r in ROWS}
    assert {"deadline_real_examples.tsv", "call_examples.txt"} <= sources
    assert any(s.startswith("pages/") for s in sources)


@pytest.mark.parametrize(
    ("field", "precision", "recall"),
    [
        ("applicants", 0.95, 0.9),
        ("applicants:kommune", 0.95, 0.9),
        ("verdict", 0.95, 0.9),
        ("amount_total", 0.9, 0.9),
        ("excluded", 0.95, 0.9),
    ],
)
def test_precision_and_recall_floors(field: str, precision: float, recall: float) -> None:
    s = score(ROWS)[field]
    assert s.precision is not None and s.precision >= precision, s.misses
    assert s.recall is not None and s.recall >= recall, s.misses


def test_no_field_says_something_wrong_where_the_reader_found_nothing() -> None:
    """Every value field: nothing invented (precision 100 % on this set)."""
    scores = score(ROWS)
    wrong = {name: s.misses for name, s in scores.items() if ":" not in name and s.fp}
    assert wrong == {}


def test_never_not_for_municipalities_when_they_may_apply() -> None:
    for row in ROWS:
        got = extract(row["text"], title=row["title"]).verdict
        if row["verdict"] in ("kan_soke", "kan_delta"):
            assert got is not Verdict.NOT_FOR, row["id"]


def test_every_finding_quotes_its_text() -> None:
    """The evidence is the text's own words (whitespace aside), never made up."""
    for row in ROWS:
        c = extract(row["text"], title=row["title"])
        flat = " ".join((row["title"] + " " + row["text"]).split())
        sentences = [*c.applicants.found.values(), *c.participants.found.values(), *c.excluded.found.values()]
        sentences += [a.sentence for a in (c.amount_min, c.amount_max, c.amount_total) if a]
        sentences += [r.sentence for r in (c.research_partner, c.several_municipalities) if r]
        sentences += [c.cofunding.sentence] if c.cofunding else []
        for s in sentences:
            words = s.removesuffix("…").replace(": ", " ").replace("; ", " ").split()
            assert all(w.strip(":;") in flat for w in words), (row["id"], s)
