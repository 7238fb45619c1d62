"""Events: /nyttarrangement (coordinators), /arrangementer (everyone), RSVP buttons with counts,
the attendee list with a CSV file, an .ics per event, and cancelling an event."""

from __future__ import annotations

import csv
import html
import io
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from bot.calendar.events import event_to_ics
from handlers import registry
from handlers.auth import is_coordinator
from handlers.coordinator import (
    END,
    action_row,
    answer,
    ask_topics,
    button_step,
    callback_arg,
    conversation,
    coordinator_only,
    date_in_past,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    keyboard,
    looks_like_url,
    message_text,
    pressed,
    say,
    services_of,
    show_preview,
    text_step,
    toggle_topic,
    topic_names,
    topics_chosen,
)
from handlers.typed_dates import parse_end, parse_typed_datetime
from storage import announcements, audit, events
from storage.models import Event, Topic
from storage.outbox import enqueue
from storage.topics import topics_by_slug

log = logging.getLogger(__name__)

TITLE, START, END_TIME, PLACE, DESCRIPTION, TOPICS, CONFIRM = (
    "arrangement:tittel",
    "arrangement:start",
    "arrangement:slutt",
    "arrangement:sted",
    "arrangement:beskrivelse",
    "arrangement:emner",
    "arrangement:bekreft",
)
NEW = "na"
EV = "ev"
DRAFT = "draft:nyttarrangement"
OUTBOX_KIND = "event"
MAX_TITLE = 200
MAX_PLACE = 300
MAX_DESCRIPTION = 2000


# ---- rendering (plain functions) --------------------------------------------------------------
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


def event_card(event: Event, tz: ZoneInfo, now: datetime) -> str:
    """The invitation, as it arrives and as /arrangementer shows it."""
    if event.video_url:
        place = texts.EVENT_VIDEO.format(url=html.escape(event.video_url))
        if event.location:
            place = f"{html.escape(event.location)} · {place}"
    else:
        place = html.escape(event.location)
    description = f"\n\n{html.escape(event.description)}\n" if event.description else ""
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


# ---- /nyttarrangement -------------------------------------------------------------------------
def _skip_row() -> list[tuple[str, str]]:
    return action_row(NEW, texts.BTN_SKIP, "skip")


@coordinator_only
async def nyttarrangement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/nyttarrangement: create a webinar or gathering."""
    fresh_draft(context, DRAFT)
    await say(update, context, texts.NE_ASK_TITLE)
    return TITLE


async def new_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The event's title."""
    title = message_text(update)
    if not await fits(update, context, title, MAX_TITLE):
        return TITLE
    draft(context, DRAFT)["title"] = title
    await say(update, context, texts.NE_ASK_START + texts.CANCEL_HINT)
    return START


async def new_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """When it starts: a date and a time."""
    services = services_of(context)
    typed, now, tz = message_text(update), services.now(), services.settings.tz
    parsed = parse_typed_datetime(typed, now=now, tz=tz)
    if parsed is None:
        await say(update, context, texts.DATE_NOT_UNDERSTOOD.format(text=html.escape(typed[:100])))
        return START
    if not parsed.has_time:
        await say(update, context, texts.DATE_NEEDS_TIME.format(text=html.escape(typed[:100])))
        return START
    if parsed.at <= now:
        await say(update, context, date_in_past(parsed.at, True, tz, now))
        return START
    draft(context, DRAFT)["start"] = parsed.at.isoformat()
    await say(update, context, texts.NE_ASK_END, keyboard([_skip_row()]))
    return END_TIME


async def _ask_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    await say(update, context, texts.NE_ASK_PLACE + texts.CANCEL_HINT)
    return PLACE


async def new_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """When it ends (or skipped)."""
    data = draft(context, DRAFT)
    if update.callback_query is not None:
        await pressed(update)
        data["end"] = None
        return await _ask_place(update, context)
    services = services_of(context)
    typed, tz = message_text(update), services.settings.tz
    start = datetime.fromisoformat(data["start"])
    end = parse_end(typed, start=start, now=services.now(), tz=tz)
    if end is None:
        await say(update, context, texts.DATE_NOT_UNDERSTOOD.format(text=html.escape(typed[:100])))
        return END_TIME
    if end <= start:
        await say(
            update, context, texts.NE_END_BEFORE_START.format(start=texts.format_datetime(start, tz=tz))
        )
        return END_TIME
    data["end"] = end.isoformat()
    return await _ask_place(update, context)


async def new_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Where: a place, or a video meeting link."""
    typed = message_text(update)
    if not await fits(update, context, typed, MAX_PLACE):
        return PLACE
    data = draft(context, DRAFT)
    if looks_like_url(typed):
        data["video_url"], data["location"] = typed, ""
    else:
        data["video_url"], data["location"] = None, typed
    await say(update, context, texts.NE_ASK_DESCRIPTION, keyboard([_skip_row()]))
    return DESCRIPTION


async def new_description(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A short description (or skipped); then the topics."""
    data = draft(context, DRAFT)
    if update.callback_query is not None:
        await pressed(update)
        data["description"] = ""
    else:
        typed = message_text(update)
        if not await fits(update, context, typed, MAX_DESCRIPTION, required=False):
            return DESCRIPTION
        data["description"] = typed
    await ask_topics(update, context, DRAFT, NEW, texts.NE_ASK_TOPICS)
    return TOPICS


async def new_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle one topic."""
    await toggle_topic(update, context, DRAFT, NEW)
    return TOPICS


def _draft_event(data: dict[str, Any]) -> Event:
    """An unsaved Event from the draft, to render the preview exactly as the invitation."""
    names = dict(data.get("topic_choices", []))
    event = Event(
        id=0,
        title=data["title"],
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]) if data.get("end") else None,
        location=data.get("location", ""),
        video_url=data.get("video_url"),
        description=data.get("description", ""),
        cancelled=False,
    )
    event.topics = [Topic(slug=s, name=names.get(s, s)) for s in data.get("topics", [])]
    return event


async def new_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen: show the invitation exactly as it will arrive, then ask."""
    if await topics_chosen(update, context, DRAFT) is None:
        return TOPICS
    data = draft(context, DRAFT)
    services = services_of(context)
    async with services.session() as session:
        topic_ids = [t.id for t in await topics_by_slug(session, data["topics"])]
        subscribers = await events.topic_subscriber_ids(session, topic_ids)
    count = len(subscribers) + (1 if services.settings.group_chat_id is not None else 0)
    await show_preview(
        update,
        context,
        texts.NE_PREVIEW,
        event_card(_draft_event(data), services.settings.tz, services.now()),
        texts.NE_CONFIRM.format(audience=texts.AUDIENCE_GROUP_AND_TOPICS.format(count=count)),
        keyboard([[(texts.BTN_SAVE_AND_SEND, f"{NEW}:send")], action_row(NEW, texts.BTN_SAVE_ONLY, "save")]),
        body_markup=rsvp_markup(0, 0, 0),
    )
    return CONFIRM


async def new_save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Save the event, and send the invitation through the outbox if asked."""
    data = draft(context, DRAFT)
    send = callback_arg(update) == "send"
    await pressed(update)
    services = services_of(context)
    user = update.effective_user
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        event = await events.create_event(
            session,
            title=data["title"],
            starts_at=datetime.fromisoformat(data["start"]),
            ends_at=datetime.fromisoformat(data["end"]) if data.get("end") else None,
            location=data.get("location", ""),
            video_url=data.get("video_url"),
            description=data.get("description", ""),
            topic_slugs=data.get("topics", []),
            created_by=user.id if user else None,
            now=now,
        )
        queued = 0
        if send:
            audience = announcements.Audience(group=True, topics=tuple(data.get("topics", [])))
            chat_ids, _ = await announcements.audience_chat_ids(
                session, audience, group_telegram_id=services.settings.group_chat_id, now=now
            )
            payload = {
                "text": event_card(event, tz, now),
                "reply_markup": rsvp_markup(event.id, 0, 0).to_dict(),
            }
            for chat_id in chat_ids:
                if await enqueue(
                    session,
                    chat_id=chat_id,
                    kind=OUTBOX_KIND,
                    subject=f"event:{event.id}",
                    payload=payload,
                    not_before=now,
                ):
                    queued += 1
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="event_created",
            detail={"event_id": event.id, "title": event.title[:200], "queued": queued},
            at=now,
        )
    drop_draft(context, DRAFT)
    await say(
        update,
        context,
        texts.NE_SAVED_SENT.format(recipients=texts.recipients(queued)) if send else texts.NE_SAVED_ONLY,
    )
    return END


# ---- /arrangementer and the buttons -----------------------------------------------------------
async def arrangementer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/arrangementer: the coming webinars and gatherings."""
    services = services_of(context)
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        found = await events.upcoming_events(session, now=now, limit=15)
    if not found:
        await say(update, context, texts.EVENTS_NONE)
        return
    lines = [texts.EVENTS_HEADER, ""]
    lines += [
        texts.EVENTS_LINE.format(title=html.escape(e.title), when=event_when(e, tz, now)) for e in found
    ]
    rows = [[(f"📅 {e.title[:50]}", f"{EV}:show:{e.id}")] for e in found]
    await say(update, context, "\n".join(lines), keyboard(rows))


async def _show_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None
        and chat.type == "private"
        and await is_coordinator(context, user.id if user else None)
    )


async def show_event(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One event with its RSVP buttons (and the coordinators' buttons in their private chat)."""
    await answer(update)
    services = services_of(context)
    event_id = int(callback_arg(update))
    async with services.session() as session:
        event = await events.get_event(session, event_id)
        counts = await events.rsvp_counts(session, event_id)
    if event is None:
        await say(update, context, texts.EVENT_GONE)
        return
    card = event_card(event, services.settings.tz, services.now())
    await say(update, context, card, rsvp_markup(event.id, *counts, admin=await _show_admin(update, context)))


async def rsvp(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Jeg kommer' / 'Kan ikke': record the answer and update the counts on the message."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    parts = str(query.data).split(":")
    choice = events.YES if parts[1] == "y" else events.NO
    event_id = int(parts[2])
    services = services_of(context)
    now = services.now()
    async with services.session() as session:
        event = await events.get_event(session, event_id)
        if event is None or event.cancelled:
            await answer(update, texts.RSVP_CANCELLED if event else texts.EVENT_GONE, alert=True)
            return
        if (event.ends_at or event.starts_at) < now:
            await answer(update, texts.RSVP_OVER, alert=True)
            return
        person = await events.person_chat(
            session,
            user.id,
            name=user.full_name,
            username=user.username,
            now=now,
            private=chat.type == "private",
        )
        await events.set_rsvp(session, event_id=event_id, chat_id=person.id, answer=choice, now=now)
        yes, no = await events.rsvp_counts(session, event_id)
    await answer(update, texts.RSVP_YES_THANKS if choice == events.YES else texts.RSVP_NO_THANKS)
    admin = await _show_admin(update, context)
    try:
        await query.edit_message_reply_markup(reply_markup=rsvp_markup(event_id, yes, no, admin=admin))
    except BadRequest as exc:  # the counts did not change ("message is not modified")
        log.debug("RSVP counts not redrawn: %s", exc)


async def event_ics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Legg i kalender': the event as an .ics file (in private, also when pressed in the group)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = services_of(context)
    async with services.session() as session:
        event = await events.get_event(session, int(callback_arg(update)))
    if event is None:
        await answer(update, texts.EVENT_GONE, alert=True)
        return
    data = event_to_ics(event, now=services.now())
    try:
        await context.bot.send_document(
            user.id,
            InputFile(io.BytesIO(data), filename=f"arrangement-{event.id}.ics"),
            caption=texts.EVENT_ICS_CAPTION.format(title=html.escape(event.title)),
            parse_mode=ParseMode.HTML,
        )
    except Forbidden:
        await answer(update, texts.EVENT_ICS_START_FIRST, alert=True)
        return
    await answer(update, texts.EVENT_ICS_SENT_PRIVATE if chat.type != "private" else None)


@coordinator_only
async def event_attendees(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Who is coming (coordinators): a list, and the same as a CSV file."""
    await answer(update)
    services = services_of(context)
    event_id = int(callback_arg(update))
    async with services.session() as session:
        event = await events.get_event(session, event_id)
        rows = await events.attendees(session, event_id)
    if event is None:
        await say(update, context, texts.EVENT_GONE)
        return
    coming = [a for a in rows if a.answer == events.YES]
    not_coming = [a for a in rows if a.answer != events.YES]
    lines = [
        texts.ATTENDEES_HEADER.format(title=html.escape(event.title), yes=len(coming), no=len(not_coming))
    ]
    for heading, group in ((texts.ATTENDEES_COMING, coming), (texts.ATTENDEES_NOT_COMING, not_coming)):
        if group:
            lines.append(heading)
            for a in group:
                extra = ", ".join(
                    x for x in (f"@{a.username}" if a.username else "", a.municipality or "") if x
                )
                lines.append(
                    texts.ATTENDEES_LINE.format(
                        name=html.escape(a.name or str(a.telegram_id)),
                        extra=f" ({html.escape(extra)})" if extra else "",
                    )
                )
    if not rows:
        lines.append(texts.ATTENDEES_NONE)
    await say(update, context, "\n".join(lines))
    chat = update.effective_chat
    if rows and chat is not None:
        await context.bot.send_document(
            chat.id,
            InputFile(
                io.BytesIO(attendees_csv(rows, services.settings.tz)), filename=f"deltakere-{event_id}.csv"
            ),
            caption=texts.ATTENDEES_CSV_CAPTION,
        )


@coordinator_only
async def event_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Avlys': ask to confirm."""
    await answer(update)
    services = services_of(context)
    event_id = int(callback_arg(update))
    async with services.session() as session:
        event = await events.get_event(session, event_id)
        yes, _ = await events.rsvp_counts(session, event_id)
    if event is None or event.cancelled:
        await say(update, context, texts.EVENT_GONE if event is None else texts.RSVP_CANCELLED)
        return
    await say(
        update,
        context,
        texts.EVENT_CANCEL_CONFIRM.format(title=html.escape(event.title), count=yes),
        keyboard(
            [[(texts.BTN_EVENT_CANCEL_CONFIRM, f"{EV}:cancelyes:{event_id}"), (texts.BTN_NO, f"{EV}:keep")]]
        ),
    )


@coordinator_only
async def event_cancel_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel the event and tell those who said they were coming (through the outbox)."""
    await pressed(update)
    services = services_of(context)
    user = update.effective_user
    now, tz = services.now(), services.settings.tz
    event_id = int(callback_arg(update))
    async with services.session() as session:
        event = await events.cancel_event(session, event_id)
        if event is None:
            await say(update, context, texts.EVENT_GONE)
            return
        notice = texts.EVENT_CANCELLED_NOTICE.format(
            title=html.escape(event.title), when=event_when(event, tz, now)
        )
        coming = await events.coming_chat_ids(session, event_id)
        for chat_id in coming:
            await enqueue(
                session,
                chat_id=chat_id,
                kind="event_cancelled",
                not_before=now,
                subject=f"event:{event_id}",
                payload={"text": notice},
            )
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="event_cancelled",
            detail={"event_id": event_id, "notified": len(coming)},
            at=now,
        )
    await say(
        update, context, texts.EVENT_CANCELLED_DONE.format(title=html.escape(event.title), count=len(coming))
    )


async def event_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Nei' to cancelling: nothing happens."""
    await pressed(update)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The /nyttarrangement conversation and the event buttons."""
    return [
        conversation(
            "nyttarrangement",
            NEW,
            [CommandHandler("nyttarrangement", nyttarrangement)],
            {
                TITLE: text_step(new_title),
                START: text_step(new_start),
                END_TIME: [*text_step(new_end), *button_step(NEW, new_end, "skip$")],
                PLACE: text_step(new_place),
                DESCRIPTION: [*text_step(new_description), *button_step(NEW, new_description, "skip$")],
                TOPICS: [*button_step(NEW, new_topic, "t:"), *button_step(NEW, new_topics_done, "done$")],
                CONFIRM: button_step(NEW, new_save, "(send|save)$"),
            },
        ),
        CallbackQueryHandler(show_event, pattern=rf"^{EV}:show:\d+$"),
        CallbackQueryHandler(rsvp, pattern=rf"^{EV}:[yn]:\d+$"),
        CallbackQueryHandler(event_ics, pattern=rf"^{EV}:ics:\d+$"),
        CallbackQueryHandler(event_attendees, pattern=rf"^{EV}:list:\d+$"),
        CallbackQueryHandler(event_cancel, pattern=rf"^{EV}:cancel:\d+$"),
        CallbackQueryHandler(event_cancel_confirm, pattern=rf"^{EV}:cancelyes:\d+$"),
        CallbackQueryHandler(event_keep, pattern=rf"^{EV}:keep$"),
    ]


COMMANDS = [
    registry.Command("arrangementer", "Kommende webinarer og samlinger", callback=arrangementer),
    registry.Command(
        "nyttarrangement", "Legg ut et webinar eller en samling", frozenset({registry.COORDINATOR})
    ),
]
