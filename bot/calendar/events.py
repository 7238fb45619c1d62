"""An event as an .ics file (icalendar), for Outlook, Google Calendar and Apple Calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from icalendar import Event as IcsEvent

from bot.texts.markup import html_to_plain
from storage.models import Event

DEFAULT_LENGTH = timedelta(hours=1)


def event_to_ics(event: Event, *, now: datetime, host: str = "foui-bot", link: bool = True) -> bytes:
    """One VEVENT with a stable UID, so importing it twice updates rather than duplicates; the
    meeting link only when ``link`` (for the network's members)."""
    calendar = Calendar()
    calendar.add("prodid", "-//FoUI-boten//foui-bot//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = IcsEvent()
    item.add("uid", f"event-{event.id}@{host}")
    item.add("dtstamp", now.astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", (event.ends_at or event.starts_at + DEFAULT_LENGTH).astimezone(UTC))
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
    calendar.add_component(item)
    return calendar.to_ical()
