"""Both example files, row by row: right, or uncertain with the right date; never certain and wrong.

``deadline_real_examples.tsv`` holds 55 real passages from Norwegian funders' pages with the answer
a careful reader gives (decoys on purpose); ``deadline_examples.tsv`` real phrasings. A row passes
when the finder gives exactly the expected answer, or when it says it is not certain
(``Deadline.certain`` False) and the date is right (then a coordinator confirms it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.deadlines import Deadline, find_deadline

OSLO = ZoneInfo("Europe/Oslo")
FIXTURES = Path(__file__).parent / "fixtures"
FILES = ("deadline_examples.tsv", "deadline_real_examples.tsv")


@dataclass(frozen=True)
class Row:
    name: str
    text: str
    reference: date
    source_kind: str
    expected: str
    url: str


def rows(name: str) -> list[Row]:
    lines = [
        ln for ln in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
    ]
    out = []
    for i, rec in enumerate(csv.DictReader(lines, delimiter="\t")):
        out.append(
            Row(
                name=f"{name.split('.')[0]}-{i}",
                text=rec["text"].replace("\\n", "\n"),
                reference=date.fromisoformat(rec["reference"]),
                source_kind=rec["source_kind"],
                expected=rec["expected"],
                url=rec.get("url") or rec.get("note") or "",
            )
        )
    return out


ROWS = [row for name in FILES for row in rows(name)]


def render(deadline: Deadline | None) -> str:
    """The files' notation: NONE, ROLLING, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Europe/Oslo)."""
    if deadline is None:
        return "NONE"
    if deadline.rolling:
        return "ROLLING"
    assert deadline.at is not None and deadline.at.tzinfo is not None
    local = deadline.at.astimezone(OSLO)
    return local.strftime("%Y-%m-%dT%H:%M") if deadline.has_time else local.strftime("%Y-%m-%d")


def verdict(row: Row) -> str:
    """right | uncertain-right | uncertain-wrong | certain-wrong (None counts as a certain answer)."""
    found = find_deadline(row.text, reference=row.reference, source_kind=row.source_kind, url=row.url)
    got = render(found)
    certain = found is None or bool(getattr(found, "certain", True))
    if got == row.expected:
        return "right" if certain else "uncertain-right"
    same_day = got[:10] == row.expected[:10] and row.expected[:1].isdigit()
    if certain:
        return "certain-wrong"
    return "uncertain-right" if same_day else "uncertain-wrong"


def test_the_fixtures_are_the_shared_files() -> None:
    for name in FILES:
        shared = Path("/work/shared/data") / name
        if shared.exists():
            assert shared.read_text(encoding="utf-8") == (FIXTURES / name).read_text(encoding="utf-8")
    assert len(rows("deadline_real_examples.tsv")) == 55


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.name}-{r.expected}" for r in ROWS])
def test_every_row_right_or_uncertain_with_the_right_date(row: Row) -> None:
    assert verdict(row) in ("right", "uncertain-right")
