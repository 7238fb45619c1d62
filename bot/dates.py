"""Dates and times typed by a person, the Norwegian way: "5. mars kl. 13", "05.03.2027 13:00", "i morgen kl 10".

Pure functions, strict on purpose: what cannot be read with certainty is refused (None), so the
person is asked again rather than a wrong deadline being stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

# Month names and abbreviations in bokmål, nynorsk and English.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januar", "jan", "january"),
        ("februar", "feb", "february", "febr"),
        ("mars", "mar", "march"),
        ("april", "apr"),
        ("mai", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov"),
        ("desember", "des", "dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

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
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[t ]+(?P<rest>.*))?$")
_NUMERIC = re.compile(
    r"^(?P<d>\d{1,2})[./](?P<mo>\d{1,2})(?:[./](?P<y>\d{2}|\d{4}))?\.?(?:\s+(?P<rest>.*))?$"
)
_TEXTUAL = re.compile(r"^(?P<d>\d{1,2})\.?\s*(?P<mon>[a-zæøå]+)\.?(?:\s+(?P<y>\d{4}))?(?:\s+(?P<rest>.*))?$")


@dataclass(frozen=True)
class TypedDate:
    """A moment read from a person's text: aware (in the local zone), with or without a time of day."""

    at: datetime
    has_time: bool


def _normalise(text: str) -> tuple[str, int | None]:
    """Lower case, fillers ("kl.", "den") removed; a weekday in front of a date split off."""
    value = text.strip().lower()
    value = value.replace(",", " ").replace("–", "-")
    value = re.sub(r"\b(klokka|klokken|kl\.?|den|at)(?=\s|$|\d)", " ", value)
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
    return bool(re.match(r"^\d{1,2}\.?$", first)) and len(words) > 1 and words[1].strip(".") in _MONTHS


def parse_time(text: str) -> time | None:
    """'13', '13:00', '13.30', 'kl 9' -> a time of day; None when it is not one."""
    value, _ = _normalise(text)
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _year(two_or_four: str | None, day: int, month: int, today: date) -> int | None:
    if two_or_four is None:
        # No year: the next time this date comes (today counts).
        try:
            candidate = date(today.year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return today.year
        return today.year + 1
    year = int(two_or_four)
    return 2000 + year if year < 100 else year


def _date_and_rest(value: str, today: date) -> tuple[date, str] | None:
    for word, offset in _RELATIVE.items():
        if value == word or value.startswith(word + " "):
            return today + timedelta(days=offset), value[len(word) :].strip()
    first, _, rest = value.partition(" ")
    if first in _WEEKDAYS:
        ahead = (_WEEKDAYS[first] - today.weekday()) % 7
        return today + timedelta(days=ahead), rest.strip()
    day: int
    month: int
    year: int | None
    if match := _ISO.match(value):
        day, month, year = int(match["d"]), int(match["mo"]), int(match["y"])
    elif match := _NUMERIC.match(value):
        day, month = int(match["d"]), int(match["mo"])
        year = _year(match["y"], day, month, today)
    elif (match := _TEXTUAL.match(value)) and match["mon"] in _MONTHS:
        day, month = int(match["d"]), _MONTHS[match["mon"]]
        year = _year(match["y"], day, month, today)
    else:
        return None
    if year is None:
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found, (match["rest"] or "").strip()


def parse_typed_datetime(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo = OSLO,
    default_time: time | None = None,
) -> TypedDate | None:
    """Read a date with an optional time; None when it cannot be read with certainty.

    Without a time of day the result has ``has_time`` False and the time ``default_time``
    (23:59 if not given, so a deadline "5. mars" lasts the whole day).
    """
    value, weekday = _normalise(text)
    if not value:
        return None
    today = now.astimezone(tz).date()
    found = _date_and_rest(value, today)
    if found is None:
        return None
    day, rest = found
    if weekday is not None and day.weekday() != weekday:
        return None  # "fredag 6. mars" when the 6th is a Saturday: a typo somewhere, ask again
    if rest:
        at_time = parse_time(rest)
        if at_time is None:
            return None
        return TypedDate(datetime.combine(day, at_time, tzinfo=tz), True)
    fallback = default_time or time(23, 59)
    return TypedDate(datetime.combine(day, fallback, tzinfo=tz), False)


def parse_end(text: str, *, start: datetime, now: datetime, tz: ZoneInfo = OSLO) -> datetime | None:
    """An event's end: a time on the start's day ('15:30') or a full date and time; None if unreadable."""
    at_time = parse_time(text)
    if at_time is not None:
        return datetime.combine(start.astimezone(tz).date(), at_time, tzinfo=tz)
    typed = parse_typed_datetime(text, now=now, tz=tz)
    if typed is None or not typed.has_time:
        return None
    return typed.at
