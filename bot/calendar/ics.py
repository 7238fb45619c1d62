"""Deadlines as an iCalendar file (.ics) for Outlook, Google Calendar and the iPhone.

``calls_to_ics`` takes any objects with a call's fields, one or many: /kalender sends every
upcoming deadline, and a push's "Legg i kalender" button sends one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from icalendar import Alarm, Calendar, Event

from bot import texts

PRODID = "-//FoUI-nettverket i Trøndelag//FoUI-boten//NO"
UID_DOMAIN = "foui-bot"


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


def call_event(call: CallLike, *, now: datetime, tz_name: str = "Europe/Oslo") -> Event | None:
    """One VEVENT for a call's deadline; None when it has none."""
    if call.deadline_at is None:
        return None
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    event = Event()
    event.add("uid", f"call-{call.id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", texts.CALENDAR_EVENT.format(title=" ".join(call.title.split())))
    deadline = call.deadline_at.astimezone(tz)
    if call.deadline_has_time:
        # A short block that ends at the deadline, in UTC (every calendar reads it the same way).
        event.add("dtstart", (deadline - timedelta(minutes=30)).astimezone(UTC))
        event.add("dtend", deadline.astimezone(UTC))
    else:
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
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", texts.CALENDAR_ALARM.format(title=" ".join(call.title.split())))
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def calls_to_ics(
    calls: Iterable[CallLike] | CallLike,
    *,
    now: datetime | None = None,
    name: str = texts.CALENDAR_NAME,
    tz_name: str = "Europe/Oslo",
) -> bytes:
    """An .ics file with one event per deadline (calls without a deadline are left out)."""
    items: Sequence[CallLike] = [calls] if hasattr(calls, "deadline_at") else list(calls)  # type: ignore[list-item]
    stamp = now or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz_name)
    for call in items:
        event = call_event(call, now=stamp, tz_name=tz_name)
        if event is not None:
            calendar.add_component(event)
    return bytes(calendar.to_ical())
