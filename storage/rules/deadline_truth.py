"""Deadline truth, without a database: whose word a call's deadline stands on, and what a new reading does.

A call keeps two readings of its deadline: the *source's* (what its page said at the last poll,
with the finder's certainty and evidence) and the *effective* one (what members see, remind and
put in calendars). They are the same until a coordinator sets another. ``DeadlineState``:

- ``certain``: the finder was certain (a deadline label of the call, or the one sentence that
  states it), or there is nothing to confirm; members are told and reminded as usual.
- ``waiting``: not certain; the coordinators are asked (one message per call and reading, with the
  evidence, the page and the buttons Riktig / Endre frist / Løpende / Ingen frist). Members get the
  new-call notice marked "frist ikke bekreftet", no reminders, and no change notice until someone
  answers.
- ``confirmed``: a coordinator pressed Riktig.
- ``set``: a coordinator set the deadline (Endre frist, Løpende, Ingen frist, /endrefrist, /nyfrist).

A coordinator's word is kept across polls: a later poll that shows the same source reading changes
nothing; one that shows a *different* reading asks the coordinators again (``waiting``) and keeps
the coordinator's deadline, instead of telling members of a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class DeadlineState:
    CERTAIN = "certain"
    WAITING = "waiting"
    CONFIRMED = "confirmed"
    SET = "set"


# A coordinator's word stands on these.
DECIDED = (DeadlineState.CONFIRMED, DeadlineState.SET)
# Reminders and digests of a call's deadline only in these states.
REMINDABLE = (DeadlineState.CERTAIN, DeadlineState.CONFIRMED, DeadlineState.SET)


@dataclass(frozen=True)
class Reading:
    """A deadline as someone states it: a moment (``has_time`` False: the whole day), rolling, or none."""

    at: datetime | None = None
    has_time: bool = False
    rolling: bool = False

    @property
    def empty(self) -> bool:
        return self.at is None and not self.rolling

    def same(self, other: Reading) -> bool:
        """The same deadline (rolling is rolling; a moment is the same moment)."""
        if self.rolling or other.rolling:
            return self.rolling == other.rolling
        return self.at == other.at and (self.at is None or self.has_time == other.has_time)

    def key(self) -> str:
        """A short stable name ("r", "n", "28939140d"): in outbox subjects and button data."""
        if self.rolling:
            return "r"
        if self.at is None:
            return "n"
        return f"{int(self.at.timestamp()) // 60}{'t' if self.has_time else 'd'}"


@dataclass(frozen=True)
class Decision:
    """What a poll's reading does to a call.

    ``effective``: the deadline members see from now on (None: keep the one they have);
    ``state``: the new state; ``ask``: ask the coordinators now; ``tell``: members are told of the
    changed deadline now (else the change waits for a coordinator, if it changed at all).
    """

    effective: Reading | None
    state: str
    ask: bool = False
    tell: bool = False


def on_new_call(reading: Reading, *, certain: bool, label_without_date: bool) -> Decision:
    """A call seen for the first time."""
    if reading.empty:
        # No deadline read: nothing to confirm, unless the page has a deadline label we could not read.
        return Decision(
            reading,
            DeadlineState.WAITING if label_without_date else DeadlineState.CERTAIN,
            ask=label_without_date,
        )
    if certain:
        return Decision(reading, DeadlineState.CERTAIN)
    return Decision(reading, DeadlineState.WAITING, ask=True)


def on_reading(
    state: str,
    effective: Reading,
    source: Reading,
    new: Reading,
    *,
    certain: bool,
    label_without_date: bool = False,
) -> Decision:
    """A poll's reading of a call already known.

    ``effective`` is what members see, ``source`` what the source said last time, ``new`` what it
    says now (empty when no deadline could be read this time: the call keeps the one it has).
    """
    if new.empty:
        if effective.empty and label_without_date and state == DeadlineState.CERTAIN:
            return Decision(None, DeadlineState.WAITING, ask=True)
        return Decision(None, state)
    if new.same(source):
        if state == DeadlineState.WAITING and certain and effective.same(source):
            return Decision(None, DeadlineState.CERTAIN)  # the page now states it plainly
        return Decision(None, state)
    if state in DECIDED:
        if new.same(effective):
            return Decision(None, state)  # the source now agrees with the coordinator
        return Decision(None, DeadlineState.WAITING, ask=True)
    if state == DeadlineState.WAITING and not effective.same(source):
        return Decision(None, DeadlineState.WAITING, ask=True)  # a coordinator's deadline, asked again
    if certain:
        return Decision(new, DeadlineState.CERTAIN, tell=not new.same(effective))
    return Decision(new, DeadlineState.WAITING, ask=True)


def told_reading(pending: list[tuple[Reading, Reading]], effective: Reading) -> Reading:
    """What members were last told: the old side of the first change not told yet, else the effective."""
    return pending[0][0] if pending else effective
