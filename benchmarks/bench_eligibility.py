"""Precision and recall of the eligibility reader per field on the labelled call texts.

``python -m benchmarks eligibility`` prints the table the README quotes (``-v`` also lists the rows
it got wrong). Nothing is timed: this is a measure of correctness, kept with the other figures.
"""

from __future__ import annotations

import sys

from tests.eligibility_scoring import LABELLED, load_rows, score, table


def main() -> None:
    rows = load_rows()
    scores = score(rows)
    print(f"{len(rows)} labelled texts from {LABELLED.relative_to(LABELLED.parents[3])}")
    print(table(scores))
    if "-v" in sys.argv[1:]:
        for name, s in scores.items():
            for miss in s.misses:
                print(f"  {name}: {miss}")


if __name__ == "__main__":
    main()
