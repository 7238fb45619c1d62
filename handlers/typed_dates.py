"""Dates and times typed by a person, the Norwegian way: "5. mars kl. 13", "05.03.2027 13:00", "i morgen kl 10".

Dates themselves are read with ``feeds.deadlines.find_dates`` (the same reader as for polled
calls, with Babel's month names); this module adds what only a person types: "i morgen",
"fredag kl 12", "5.3", "5. mars 13". Strict on purpose: the whole text must be one date, or it is
refused (None) and the person is asked again, rather than a wrong deadline being stored.
A date without a time is midnight with ``has_time`` False, the whole day, as for polled calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from feeds.deadlines import DateMention, find_dates, month_names

OSLO = ZoneInfo("Europe/Oslo")

_WEEKDAYS = {
    "mandag": 0,
    "måndag": 0,
    "tirsdag": 1,
    "tysdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "laurdag": 5,
    "søndag": 6,
    "sundag": 6,
}
_RELATIVE = {"i dag": 0, "idag": 0, "i morgen": 1, "imorgen": 1, "i overmorgen": 2, "iovermorgen": 2}

_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?:[:.]\d{2})?)?$")
_SHORT_NUMERIC = re.compile(r"^(?P<d>\d{1,2})[./](?P<mo>\d{1,2})\.?(?:\s+(?P<rest>.*))?$")
_BARE_HOUR = re.compile(r"^(?P<date>\d{1,2}\.?\s*[a-zæøå]+\.?)\s+(?P<hour>\d{1,2}(?:[:.]\d{2})?)$")


@dataclass(frozen=True)
class TypedDate:
    """A moment read from a person's text: aware (in the local zone), with or without a time of day."""

    at: datetime
    has_time: bool

    @property
    def ends_at(self) -> datetime:
        """The last moment it still holds: the time itself, or the end of the day."""
        if self.has_time:
            return self.at
        next_day = datetime.combine(self.at.date() + timedelta(days=1), time(0), self.at.tzinfo)
        return next_day - timedelta(seconds=1)


def _normalise(text: str) -> tuple[str, int | None]:
    """Lower case, fillers ("kl.", "den") removed; a weekday in front of a date split off."""
    value = text.strip().lower()
    value = value.replace(",", " ").replace("–", "-")
    value = re.sub(r"\b(klokka|klokken|kl\.?)(?=\s|$|\d)", " kl ", value)
    value = re.sub(r"\b(den|at)(?=\s|$)", " ", value)
    value = re.sub(r"\s+", " ", value).strip()
    # A weekday in front of a date says nothing more ("fredag 5. mars"); alone it is handled below.
    words = value.split(" ")
    if len(words) > 1 and words[0] in _WEEKDAYS and _looks_like_date(words[1:]):
        return " ".join(words[1:]), _WEEKDAYS[words[0]]
    return value, None


def _looks_like_date(words: list[str]) -> bool:
    first = words[0]
    if re.match(r"^\d{1,2}[./]\d{1,2}", first) or re.match(r"^\d{4}-", first):
        return True
    return bool(re.match(r"^\d{1,2}\.?$", first)) and len(words) > 1 and words[1].strip(".") in month_names()


def parse_time(text: str) -> time | None:
    """'13', '13:00', '13.30', 'kl 9' -> a time of day; None when it is not one."""
    value, _ = _normalise(text)
    value = value.removeprefix("kl ").strip()
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _resolve(day: int, month: int, year: int | None, today: date) -> date | None:
    """A calendar date; a missing year resolved as feeds.deadlines does for deadlines."""
    return DateMention(0, 0, day, month, year).resolve(today)


def _date_and_rest(value: str, today: date) -> tuple[date, str] | None:
    """The date at the start of ``value`` and the rest (the time, if any); None if unreadable."""
    for word, offset in _RELATIVE.items():
        if value == word or value.startswith(word + " "):
            return today + timedelta(days=offset), value[len(word) :].strip()
    first, _, rest = value.partition(" ")
    if first in _WEEKDAYS:
        ahead = (_WEEKDAYS[first] - today.weekday()) % 7
        return today + timedelta(days=ahead), rest.strip()
    if match := _SHORT_NUMERIC.match(value):
        # "5.3" and "20.11 kl 13": day and month only, which feeds.deadlines does not read in prose.
        found = _resolve(int(match["d"]), int(match["mo"]), None, today)
        return (found, (match["rest"] or "").strip()) if found else None
    return None


def _from_mention(value: str, today: date) -> tuple[date, time | None] | None:
    """One date mention (feeds.deadlines.find_dates) that covers the whole text, or None."""
    # "5. mars 13" means 13:00 to a person typing, not the year 2013.
    value = _BARE_HOUR.sub(r"\g<date> kl \g<hour>", value)
    mentions = find_dates(value)
    if len(mentions) != 1:
        return None
    mention = mentions[0]
    if value[: mention.start].strip() or value[mention.end :].strip(" ."):
        return None  # something else was typed too: ask rather than guess
    found = mention.resolve(today)
    if found is None:
        return None
    clock = time(mention.hour, mention.minute or 0) if mention.hour is not None else None
    return found, clock


def parse_typed_datetime(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo = OSLO,
    default_time: time | None = None,
) -> TypedDate | None:
    """Read a date with an optional time; None when it cannot be read with certainty.

    Without a time of day the result has ``has_time`` False and the time ``default_time``
    (midnight if not given: the whole day counts, as for polled calls).
    """
    value, weekday = _normalise(text)
    if not value:
        return None
    today = now.astimezone(tz).date()
    day: date
    clock: time | None
    found = _date_and_rest(value, today)
    if found is not None:
        day, rest = found
        clock = parse_time(rest) if rest else None
        if rest and clock is None:
            return None
    else:
        mention = _from_mention(value, today)
        if mention is None:
            return None
        day, clock = mention
    if weekday is not None and day.weekday() != weekday:
        return None  # "fredag 6. mars" when the 6th is a Saturday: a typo somewhere, ask again
    if clock is not None:
        return TypedDate(datetime.combine(day, clock, tzinfo=tz), True)
    return TypedDate(datetime.combine(day, default_time or time(0), tzinfo=tz), False)


def parse_end(text: str, *, start: datetime, now: datetime, tz: ZoneInfo = OSLO) -> datetime | None:
    """An event's end: a time on the start's day ('15:30') or a full date and time; None if unreadable."""
    at_time = parse_time(text)
    if at_time is not None:
        return datetime.combine(start.astimezone(tz).date(), at_time, tzinfo=tz)
    typed = parse_typed_datetime(text, now=now, tz=tz)
    if typed is None or not typed.has_time:
        return None
    return typed.at
