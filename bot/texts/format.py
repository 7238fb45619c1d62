"""How dates, times and counts read to a person: "fredag 5. mars kl. 13:00"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def format_date(
    value: date, *, weekday: bool = True, year: bool | None = None, today: date | None = None
) -> str:
    """'fredag 5. mars' (the year only when it is not this year, unless told)."""
    text = f"{value.day}. {MONTHS[value.month - 1]}"
    show_year = year if year is not None else (today is not None and value.year != today.year)
    if show_year:
        text += f" {value.year}"
    if weekday:
        text = f"{WEEKDAYS[value.weekday()]} {text}"
    return text


def format_datetime(
    value: datetime,
    *,
    has_time: bool = True,
    tz: ZoneInfo = OSLO,
    weekday: bool = True,
    today: date | None = None,
) -> str:
    """'fredag 5. mars kl. 13:00' in Norwegian time; without the time when it is not known."""
    local = value.astimezone(tz)
    text = format_date(local.date(), weekday=weekday, today=today)
    if has_time:
        text += f" kl. {local:%H:%M}"
    return text


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo = OSLO) -> int:
    """Whole calendar days from today to the deadline's date, in Norwegian time."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def format_days_left(days: int) -> str:
    if days < 0:
        return "fristen er ute"
    if days == 0:
        return "i dag"
    if days == 1:
        return "i morgen"
    return f"om {days} dager"
