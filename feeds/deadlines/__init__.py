"""Finding a call's application deadline in free Norwegian (bokmål, nynorsk) or English text.

``find_deadline(text, reference=...)`` returns None when the text states no deadline, a rolling
``Deadline`` for "løpende", "uten fast søknadsfrist" and the like, or a ``Deadline`` with ``at``
(timezone-aware, Europe/Oslo) and ``has_time``. When ``has_time`` is False, ``at`` is midnight at
the start of the deadline day and the whole day counts (see ``Deadline.ends_at``). Every deadline
carries ``certain`` and its ``evidence`` (the label or sentence it came from).

The package, in reading order:
- ``dates``: date mentions, month names (nb, nn, en), times, periods, month ends;
- ``cues``: the words that say what a date is (deadline, decoy) and what a sentence says about it;
- ``blocks``: dates under or beside a label (Viktige datoer, "Søknadsfrist:" lists, calendar entries);
- ``sentences``: dates in running text (lists, ranges, moved deadlines, earlier rounds);
- ``rolling``: rolling intake;
- ``choose``: the call's deadline among them, and how certain it is;
- ``scan``: how the patterns are written so that ``re`` scans texts quickly, with the same matches.

A wrong deadline is worse than none: a date with no deadline cue is never taken, and a date
that is taken without a label or an unambiguous sentence is returned with ``certain=False``.
"""

from feeds.deadlines.choose import (
    FORSKNINGSRADET_DEADLINE_TIME,
    find_deadline,
    find_deadlines,
    unread_deadline_label,
)
from feeds.deadlines.dates import PASSED_GRACE_DAYS, DateMention, find_dates, month_names
from feeds.deadlines.model import OSLO, Deadline, deadline_from_parts, normalise, to_utc
from feeds.deadlines.rolling import is_rolling

__all__ = [
    "FORSKNINGSRADET_DEADLINE_TIME",
    "OSLO",
    "PASSED_GRACE_DAYS",
    "DateMention",
    "Deadline",
    "deadline_from_parts",
    "find_dates",
    "find_deadline",
    "find_deadlines",
    "is_rolling",
    "month_names",
    "normalise",
    "to_utc",
    "unread_deadline_label",
]
