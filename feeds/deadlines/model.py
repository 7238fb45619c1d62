"""The deadline as the finder returns it, and the conversions around it (no reading of text here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Deadline:
    """A deadline: rolling, or a moment in Norwegian time (``has_time`` False: the whole day).

    ``certain`` is True only when the date stands under or beside a deadline label of the call
    itself, or in the one sentence that states it unambiguously; ``evidence`` is that label or
    sentence, as the page writes it. Neither takes part in equality: two readings of the same
    moment are the same deadline.
    """

    at: datetime | None = None
    has_time: bool = False
    rolling: bool = False
    evidence: str = field(default="", compare=False)
    certain: bool = field(default=False, compare=False)

    @property
    def ends_at(self) -> datetime | None:
        """The last moment the deadline is still open (end of the day when no time is known)."""
        if self.at is None:
            return None
        if self.has_time:
            return self.at
        return datetime.combine(self.at.date() + timedelta(days=1), time(0), OSLO) - timedelta(seconds=1)

    def __str__(self) -> str:
        if self.rolling:
            return "løpende"
        if self.at is None:
            return "ingen frist"
        return self.at.strftime("%Y-%m-%d %H:%M") if self.has_time else self.at.strftime("%Y-%m-%d")


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def normalise(text: str) -> str:
    """One space between words, one newline between lines, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def as_date(value: date | datetime) -> date:
    """A day in Norwegian time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(OSLO).date()
    return value


def as_moment(value: date | datetime) -> datetime:
    """An aware moment (a day: its first moment in Norwegian time)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=OSLO)
    return datetime.combine(value, time(0), OSLO)


def deadline_from_parts(day: date, clock: time | None, *, evidence: str = "") -> Deadline:
    """A deadline a person typed (a known date and optional time): certain, in Norwegian time."""
    at = datetime.combine(day, clock or time(0), OSLO)
    return Deadline(at=at, has_time=clock is not None, evidence=evidence, certain=True)


def to_utc(deadline: Deadline | None) -> datetime | None:
    """The deadline's moment in UTC (None for none or rolling)."""
    if deadline is None or deadline.at is None:
        return None
    return deadline.at.astimezone(UTC)
