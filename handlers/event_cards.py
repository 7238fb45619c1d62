"""How an event looks: its time, the invitation card, its buttons, the attendee CSV (plain functions)."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import texts
from handlers.conversation import topic_names
from handlers.coordinator import keyboard
from storage import events
from storage.models import Event

EV = "ev"  # the buttons under an invitation (handlers.event_buttons and handlers.event_admin answer them)


def event_when(event: Event, tz: ZoneInfo, now: datetime) -> str:
    """'fredag 5. mars kl. 13:00–15:00', or a span across days."""
    today = now.astimezone(tz).date()
    start = texts.format_datetime(event.starts_at, tz=tz, today=today)
    if event.ends_at is None:
        return start
    if event.ends_at.astimezone(tz).date() == event.starts_at.astimezone(tz).date():
        return texts.EVENT_TIME_SAME_DAY.format(start=start, end=f"{event.ends_at.astimezone(tz):%H:%M}")
    return texts.EVENT_TIME_SPAN.format(
        start=start, end=texts.format_datetime(event.ends_at, tz=tz, today=today)
    )


def event_card(event: Event, tz: ZoneInfo, now: datetime, *, link: bool = True) -> str:
    """The invitation, as it arrives and as /arrangementer shows it; the meeting link only for the
    network's members (``link``)."""
    if event.video_url and not link:
        place = texts.EVENT_LINK_FOR_MEMBERS
        if event.location:
            place = f"{html.escape(event.location)} · {place}"
    elif event.video_url:
        place = texts.EVENT_VIDEO.format(url=html.escape(event.video_url))
        if event.location:
            place = f"{html.escape(event.location)} · {place}"
    else:
        place = html.escape(event.location)
    # The description is kept as safe HTML (the coordinator's formatting, escaped by Telegram's entities).
    description = f"\n\n{event.description}\n" if event.description else ""
    card = texts.EVENT_CARD.format(
        title=html.escape(event.title),
        when=event_when(event, tz, now),
        place=place,
        description=description,
        topics=topic_names(event.topics),
    )
    return (texts.EVENT_CARD_CANCELLED + card) if event.cancelled else card


def rsvp_rows(event_id: int, yes: int, no: int) -> list[list[tuple[str, str]]]:
    return [
        [
            (texts.BTN_RSVP_YES.format(count=yes), f"{EV}:y:{event_id}"),
            (texts.BTN_RSVP_NO.format(count=no), f"{EV}:n:{event_id}"),
        ],
        [(texts.BTN_EVENT_ICS, f"{EV}:ics:{event_id}")],
    ]


def admin_row(event_id: int) -> list[tuple[str, str]]:
    return [
        (texts.BTN_EVENT_ATTENDEES, f"{EV}:list:{event_id}"),
        (texts.BTN_EVENT_EDIT, f"{EV}:edit:{event_id}"),
        (texts.BTN_EVENT_CANCEL, f"{EV}:cancel:{event_id}"),
    ]


def rsvp_markup(event_id: int, yes: int, no: int, *, admin: bool = False) -> InlineKeyboardMarkup:
    rows = rsvp_rows(event_id, yes, no)
    return keyboard([*rows, admin_row(event_id)] if admin else rows)


def attendees_csv(rows: list[events.Attendee], tz: ZoneInfo) -> bytes:
    """Name, username, municipality, answer and when; UTF-8 with BOM so Excel reads æøå."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["navn", "brukernavn", "kommune", "svar", "svart"])
    for a in rows:
        writer.writerow(
            [
                a.name,
                f"@{a.username}" if a.username else "",
                a.municipality or "",
                "kommer" if a.answer == events.YES else "kan ikke",
                a.answered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
