"""An event as iCalendar (icalendar), for Outlook, Google Calendar and Apple Calendar: the single
file behind «Legg i kalender» and the events in a live subscription."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Event as IcsEvent

from bot import texts
from bot.calendar.ics import UID_DOMAIN, finish, new_calendar, work_alarm
from bot.texts.markup import html_to_plain
from storage.models import Event

DEFAULT_LENGTH = timedelta(hours=1)


def event_component(
    event: Event, *, now: datetime, link: bool = True, domain: str = UID_DOMAIN, tz_name: str = "Europe/Oslo"
) -> IcsEvent:
    """One VEVENT with a stable UID per event and deployment, in local time with a morning alarm;
    a new time or place raises SEQUENCE (and any change LAST-MODIFIED), so a calendar that holds it
    takes the new one; a cancelled event stays, as STATUS:CANCELLED with a higher SEQUENCE, so
    calendars strike it out. The meeting link only when ``link`` (for the network's members)."""
    tz = ZoneInfo(tz_name)
    item = IcsEvent()
    stamp = (event.changed_at or event.created_at or now).astimezone(UTC).replace(microsecond=0)
    item.add("uid", f"event-{event.id}@{domain}")
    item.add("dtstamp", stamp)
    item.add("last-modified", stamp)
    item.add("sequence", (event.sequence or 0) + (1 if event.cancelled else 0))
    start = event.starts_at.astimezone(tz)
    item.add("dtstart", start)
    item.add("dtend", (event.ends_at or event.starts_at + DEFAULT_LENGTH).astimezone(tz))
    item.add("summary", event.title)
    video_url = event.video_url if link else None
    location = event.location or video_url or ""
    if location:
        item.add("location", location)
    # The description is HTML: in a calendar it is plain text with the links written out.
    plain = html_to_plain(event.description) if event.description else ""
    description = "\n\n".join(part for part in (plain, video_url or "") if part)
    if description:
        item.add("description", description)
    if video_url:
        item.add("url", video_url)
    if event.cancelled:
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
        alarm_text = texts.CALENDAR_EVENT_ALARM.format(title=" ".join(event.title.split()))
        item.add_component(work_alarm(start, start.date(), tz, alarm_text))
    return item


def event_to_ics(
    event: Event, *, now: datetime, host: str = UID_DOMAIN, link: bool = True, tz_name: str = "Europe/Oslo"
) -> bytes:
    """One event as a file; importing it twice updates rather than duplicates."""
    calendar = new_calendar(event.title, tz_name)
    calendar.add_component(event_component(event, now=now, link=link, domain=host, tz_name=tz_name))
    return finish(calendar)
