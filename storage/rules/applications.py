"""The rules of "Vi søker", without a database: status values, who is shown what, milestones.

- A municipality's status on a call is one of ``STATUSES``; "vurderer" and "soker" are active (they
  bring partner questions), "soker" alone brings a plan back from the deadline.
- A milestone ``weeks`` before the deadline is due at MILESTONE_HOUR Norwegian time on that day; one
  that had passed when the plan was made is never sent, and none is sent once the deadline is over.
- The eligibility filter ("bare det kommunen kan søke på eller delta i") hides only calls whose
  verdict is "ikke": an unknown verdict is shown, since hiding a call someone could use is worse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "ACTIVE",
    "APPLYING",
    "CONSIDERING",
    "DEFAULT_MILESTONES",
    "KIND_HELP",
    "KIND_MILESTONE",
    "KIND_PARTNER_ASK",
    "KIND_PARTNER_INTRO",
    "MILESTONE_HOUR",
    "NOT_RELEVANT",
    "PERSON_KINDS",
    "STATUSES",
    "VERDICT_NOT_FOR",
    "Milestone",
    "hidden_by_filter",
    "milestone_due",
    "milestones_due",
    "milestones_from_json",
    "parse_milestones",
]

CONSIDERING = "vurderer"
APPLYING = "soker"
NOT_RELEVANT = "ikke_aktuelt"
STATUSES = (CONSIDERING, APPLYING, NOT_RELEVANT)
ACTIVE = (CONSIDERING, APPLYING)

VERDICT_NOT_FOR = "ikke"

MILESTONE_HOUR = 9
MAX_MILESTONES = 8
MAX_WEEKS = 52
MAX_LABEL = 200

# Outbox kinds; the subjects of the two partner kinds start with the Telegram id of the person the
# message is about (as storage.registry does), so /slettmeg finds and deletes what names them.
KIND_PARTNER_ASK = "apply.partner_ask"
KIND_PARTNER_INTRO = "apply.partner_intro"
KIND_MILESTONE = "apply.milestone"
KIND_HELP = "apply.help"
PERSON_KINDS = (KIND_PARTNER_ASK, KIND_PARTNER_INTRO, KIND_HELP)


_MILESTONE = re.compile(r"^(\d{1,3})\s*(?:uker|uke|u)?\.?(?:\s+før)?\s*[:–-]?\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Milestone:
    weeks: int
    label: str


DEFAULT_MILESTONES = (
    Milestone(6, "Forankring i ledelsen"),
    Milestone(3, "Partnere og intensjonsbrev"),
    Milestone(1, "Godkjenning og siste gjennomlesing"),
)


def hidden_by_filter(verdict: str | None) -> bool:
    """Is a call left out when a member wants only what the municipality can apply for or join?"""
    return verdict == VERDICT_NOT_FOR


def milestone_due(deadline_at: datetime, weeks: int, tz: ZoneInfo) -> datetime:
    """When the milestone ``weeks`` before the deadline is due: MILESTONE_HOUR on that day, local time."""
    day = deadline_at.astimezone(tz).date() - timedelta(weeks=weeks)
    return datetime.combine(day, time(MILESTONE_HOUR), tz)


def milestones_due(
    deadline_at: datetime,
    deadline_end: datetime,
    milestones: Iterable[Milestone],
    *,
    made_at: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> list[tuple[Milestone, datetime]]:
    """The milestones due now: their moment has come, it came after the plan was made, and the
    deadline is not over. The latest one only, when several are due at once (a stopped bot)."""
    if now >= deadline_end:
        return []
    due = [(m, at) for m in milestones if made_at <= (at := milestone_due(deadline_at, m.weeks, tz)) <= now]
    return sorted(due, key=lambda d: d[1])[-1:]


def parse_milestones(text: str) -> list[Milestone]:
    """ "6 Forankring i ledelsen; 3 Partnere og intensjonsbrev; 1 Godkjenning" -> milestones.

    One per ";" or line: whole weeks first (1–52), then the label. Raises ValueError with a short
    reason (in Norwegian, shown to the coordinator) for anything else.
    """
    parts = [p.strip() for chunk in text.split("\n") for p in chunk.split(";") if p.strip()]
    if not parts:
        raise ValueError("ingen milepæler")
    if len(parts) > MAX_MILESTONES:
        raise ValueError(f"høyst {MAX_MILESTONES} milepæler")
    found: list[Milestone] = []
    for part in parts:
        m = _MILESTONE.match(part)
        if m is None:
            raise ValueError(f"«{part[:40]}» begynner ikke med et antall uker")
        weeks, label = int(m.group(1)), " ".join(m.group(2).split())
        if not 1 <= weeks <= MAX_WEEKS:
            raise ValueError(f"{weeks} uker er utenfor 1–{MAX_WEEKS}")
        if not label:
            raise ValueError(f"milepælen {weeks} uker før mangler tekst")
        found.append(Milestone(weeks, label[:MAX_LABEL]))
    if len({m.weeks for m in found}) != len(found):
        raise ValueError("to milepæler har samme antall uker")
    return sorted(found, key=lambda m: -m.weeks)


def milestones_from_json(raw: Sequence[object] | None) -> list[Milestone]:
    """A plan's stored milestones ([[weeks, label], ...]); malformed entries are skipped."""
    found = []
    for item in raw or ():
        if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], int):
            found.append(Milestone(int(item[0]), str(item[1])))
    return found
