"""/nyttarrangement: create a webinar or gathering step by step, preview the invitation, save it and
send it through the outbox. This module registers every event handler and the event commands."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from bot.texts.book import languages_for
from bot.texts.i18n import use_language
from handlers import event_edit, registry
from handlers.broadcast import typed_html
from handlers.conversation import (
    as_url,
    ask_topics,
    button_step,
    conversation,
    date_in_past,
    draft,
    drop_draft,
    edit_text_step,
    editing,
    fits,
    fresh_draft,
    looks_like_url,
    text_step,
    toggle_topic,
    topics_chosen,
)
from handlers.coordinator import (
    EDIT_TEXT,
    END,
    action_row,
    callback_arg,
    coordinator_only,
    keyboard,
    message_text,
    pressed,
    say,
    services_of,
    show_preview,
)
from handlers.event_admin import event_attendees, event_cancel, event_cancel_confirm, event_keep
from handlers.event_buttons import arrangementer, event_ics, rsvp, show_event
from handlers.event_cards import EV, event_card, rsvp_markup
from handlers.typed_dates import parse_end, parse_typed_datetime
from storage import announcements, audit, events
from storage.models import Event, Topic
from storage.outbox import enqueue

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
DRAFT = "draft:nyttarrangement"
OUTBOX_KIND = "event"
MAX_TITLE = 200
MAX_PLACE = 300
MAX_DESCRIPTION = 2000


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
        data["video_url"], data["location"] = as_url(typed), ""
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
        # Bold, italics and links kept as typed (Telegram's entities as safe HTML).
        data["description"] = typed_html(update)
    if editing(context, DRAFT):
        return await _ne_preview(update, context)
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


async def _invitees(session: Any, services: Any, topics: list[str], now: datetime) -> list[int]:
    """Who is invited: the network's group and the members who follow the topics."""
    audience = announcements.Audience(group=True, topics=tuple(topics))
    chat_ids, _ = await announcements.audience_chat_ids(
        session,
        audience,
        group_telegram_id=services.settings.group_chat_id,
        now=now,
        coordinator_ids=services.settings.coordinator_ids,
    )
    return chat_ids


async def new_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen: show the invitation exactly as it will arrive, then ask."""
    if await topics_chosen(update, context, DRAFT) is None:
        return TOPICS
    return await _ne_preview(update, context)


async def _ne_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = draft(context, DRAFT)
    services = services_of(context)
    async with services.session() as session:
        count = len(await _invitees(session, services, data["topics"], services.now()))
    await show_preview(
        update,
        context,
        texts.NE_PREVIEW,
        event_card(_draft_event(data), services.settings.tz, services.now()),
        texts.NE_CONFIRM.format(audience=texts.AUDIENCE_GROUP_AND_TOPICS.format(count=count)),
        keyboard(
            [
                [(texts.BTN_SAVE_AND_SEND, f"{NEW}:send"), (texts.BTN_EDIT_TEXT, f"{NEW}:{EDIT_TEXT}")],
                action_row(NEW, texts.BTN_SAVE_ONLY, "save"),
            ]
        ),
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
            chat_ids = await _invitees(session, services, data.get("topics", []), now)
            readers = await languages_for(services, session, chat_ids)
            for chat_id in chat_ids:
                with use_language(readers[chat_id]):  # the invitation in each reader's language
                    payload = {
                        "text": event_card(event, tz, now),
                        "reply_markup": rsvp_markup(event.id, 0, 0).to_dict(),
                    }
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
                CONFIRM: [
                    *button_step(NEW, new_save, "(send|save)$"),
                    *edit_text_step(NEW, DRAFT, texts.ASK_NEW_DESCRIPTION, DESCRIPTION),
                ],
            },
        ),
        *event_edit.build_handlers(),
        CallbackQueryHandler(show_event, pattern=rf"^{EV}:show:\d+$"),
        CallbackQueryHandler(arrangementer, pattern=rf"^{EV}:page:\d+$"),
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
