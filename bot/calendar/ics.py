"""Deadlines as iCalendar (RFC 5545) for Outlook, Google Calendar and the iPhone.

``calls_to_ics`` takes any objects with a call's fields, one or many: /kalender's file holds every
upcoming deadline, and a push's "Legg i kalender" button sends one. The live subscription
(``bot.calendar.feed``) builds on ``call_event`` too.

What keeps a calendar true: the UID is stable per call *and per deployment* (``domain``, a random id
stored once, so two regions' files never collide); SEQUENCE counts how often the deadline moved
and LAST-MODIFIED says when, so a client replaces its copy; a deadline without a time is a whole day
(DATE), one with a time is in Europe/Oslo with its VTIMEZONE; the alarm rings a few days ahead at a
working hour, not at midnight. DTSTAMP is the item's last change, so the same data gives the same
bytes (the feed's ETag).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot import texts

PRODID = "-//FoUI-nettverket i Trøndelag//FoUI-boten//NO"
UID_DOMAIN = "foui-bot"
ALARM_DAYS = 3  # the alarm rings this many days before the deadline ...
ALARM_HOUR = 9  # ... at 09:00 local time
TIMED_LENGTH = timedelta(minutes=30)
TZ_FROM = date(
    2000, 1, 1
)  # the VTIMEZONE's transitions from here (to 2038): short, and the same every time  # a timed deadline is a short block that ends at the deadline


class CallLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def source_name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def deadline_at(self) -> datetime | None: ...
    @property
    def deadline_has_time(self) -> bool: ...


def new_calendar(name: str = texts.CALENDAR_NAME, tz_name: str = "Europe/Oslo") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz_name)
    return calendar


def finish(calendar: Calendar) -> bytes:
    """The calendar's bytes, with a VTIMEZONE for every TZID its events use."""
    calendar.add_missing_timezones(first_date=TZ_FROM)
    return bytes(calendar.to_ical())


def work_alarm(start: datetime | None, day: date, tz: ZoneInfo, description: str) -> Alarm:
    """A DISPLAY alarm ALARM_DAYS before ``day`` at ALARM_HOUR local time, as a trigger relative to
    the event's start (``start``, or the start of ``day`` for a whole-day event) so it moves with it."""
    ring = datetime.combine(day - timedelta(days=ALARM_DAYS), time(ALARM_HOUR), tz)
    start = start if start is not None else datetime.combine(day, time(0), tz)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", ring - start)
    return alarm


def call_event(
    call: CallLike,
    *,
    now: datetime,
    tz_name: str = "Europe/Oslo",
    domain: str = UID_DOMAIN,
    sequence: int = 0,
    last_modified: datetime | None = None,
) -> Event | None:
    """One VEVENT for a call's deadline; None when it has none."""
    if call.deadline_at is None:
        return None
    tz = ZoneInfo(tz_name)
    title = " ".join(call.title.split())
    stamp = (last_modified or now).astimezone(UTC).replace(microsecond=0)
    event = Event()
    event.add("uid", f"call-{call.id}@{domain}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", sequence)
    event.add("summary", texts.CALENDAR_EVENT.format(title=title))
    deadline = call.deadline_at.astimezone(tz)
    if call.deadline_has_time:
        start: datetime | None = deadline - TIMED_LENGTH
        event.add("dtstart", start)
        event.add("dtend", deadline)
    else:
        start = None
        event.add("dtstart", deadline.date())
        event.add("dtend", deadline.date() + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    lines = []
    if call.source_name:
        lines.append(texts.CALENDAR_DESCRIPTION_SOURCE.format(source=call.source_name))
    if call.summary:
        lines.append(call.summary.strip())
    if call.url:
        lines.append(call.url)
        event.add("url", call.url)
    if lines:
        event.add("description", "\n\n".join(lines))
    alarm_text = texts.CALENDAR_ALARM.format(days=ALARM_DAYS, title=title)
    event.add_component(work_alarm(start, deadline.date(), tz, alarm_text))
    return event


def calls_to_ics(
    calls: Iterable[CallLike] | CallLike,
    *,
    now: datetime | None = None,
    name: str = texts.CALENDAR_NAME,
    tz_name: str = "Europe/Oslo",
    domain: str = UID_DOMAIN,
) -> bytes:
    """An .ics file with one event per deadline (calls without a deadline are left out)."""
    items: Sequence[CallLike] = [calls] if hasattr(calls, "deadline_at") else list(calls)  # type: ignore[list-item]
    stamp = now or datetime.now(UTC)
    calendar = new_calendar(name, tz_name)
    for call in items:
        event = call_event(call, now=stamp, tz_name=tz_name, domain=domain)
        if event is not None:
            calendar.add_component(event)
    return finish(calendar)
