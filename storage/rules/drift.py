"""Drift: a source whose yield suddenly looks wrong (pure rules, no database).

A source is compared with its own baseline, the last poll that looked normal:
- ``empty``: it used to yield at least ``MIN_CALLS`` calls and now yields none;
- ``no_deadlines``: at least ``MIN_CALLS`` of its freshly read calls had a deadline, and now none of
  at least ``MIN_CALLS`` freshly read calls has one;
- ``shape``: a field that most of its calls carried (status, summary, publication date, link,
  facts) is now missing from every one.
Calls a two-step source did not read again (unchanged cards) are counted, but say nothing about
deadlines or shape. While a drift holds, the baseline is kept, so the comparison stays with the
last good poll.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EMPTY",
    "MIN_CALLS",
    "NO_DEADLINES",
    "SHAPE",
    "SHAPE_FIELDS",
    "Drift",
    "Yield",
    "judge",
    "next_baseline",
    "yield_of",
]

EMPTY, NO_DEADLINES, SHAPE = "empty", "no_deadlines", "shape"
MIN_CALLS = 2
SHAPE_FIELDS = ("status", "summary", "published", "url", "facts")


@dataclass(frozen=True)
class Yield:
    """What one poll yielded: calls found, calls read afresh, of those how many had a deadline,
    and the fields most of the fresh ones carried."""

    found: int
    fresh: int = 0
    dated: int = 0
    shape: tuple[str, ...] = ()  # the fields at least half of the fresh calls carry
    seen: tuple[str, ...] = ()  # the fields at least one fresh call carries


@dataclass(frozen=True)
class Drift:
    kind: str
    missing: tuple[str, ...] = ()  # for ``shape``: the fields no call carries any more


def yield_of(found: int, fresh: list[tuple[bool, set[str]]]) -> Yield:
    """A poll's yield: ``found`` calls, and for each freshly read one whether it has a deadline and
    the fields it carries."""
    shape = tuple(f for f in SHAPE_FIELDS if fresh and sum(f in p for _, p in fresh) * 2 >= len(fresh))
    seen = tuple(f for f in SHAPE_FIELDS if any(f in p for _, p in fresh))
    return Yield(found, len(fresh), sum(1 for dated, _ in fresh if dated), shape, seen)


def next_baseline(baseline: Yield, now: Yield) -> Yield:
    """The baseline after a normal poll: its count, and its deadlines and shape when enough calls
    were read afresh to say anything about them."""
    if now.fresh >= MIN_CALLS:
        return now
    return Yield(now.found, baseline.fresh, baseline.dated, baseline.shape, baseline.seen)


def judge(baseline: Yield, now: Yield) -> Drift | None:
    """The drift between the baseline and this poll, or None when it looks normal."""
    if now.found == 0:
        return Drift(EMPTY) if baseline.found >= MIN_CALLS else None
    if now.fresh < MIN_CALLS:
        return None
    if now.dated == 0 and baseline.dated >= MIN_CALLS:
        return Drift(NO_DEADLINES)
    missing = tuple(f for f in baseline.shape if f not in now.seen)
    if missing:
        return Drift(SHAPE, missing)
    return None
