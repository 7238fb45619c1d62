"""«Endre» on an event (coordinators): title, time, place, video link or description. Those who
said they are coming are told of a changed time or place, once per change; reminders follow the
new time."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.push.wake import wake_sender
from bot.texts.book import languages_for
from bot.texts.i18n import use_language
from handlers.broadcast import typed_html
from handlers.conversation import (
    as_url,
    button_step,
    conversation,
    date_in_past,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    looks_like_url,
    text_step,
)
from handlers.coordinator import (
    END,
    answer,
    callback_arg,
    cancel_row,
    coordinator_only,
    keyboard,
    message_text,
    pressed,
    say,
    services_of,
)
from handlers.event_cards import EV, event_card, event_when
from handlers.typed_dates import parse_typed_datetime
from storage import audit, events
from storage.outbox import enqueue

EE = "ee"
DRAFT = "draft:endrearrangement"
FIELD, VALUE = "endrearrangement:felt", "endrearrangement:verdi"
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = 200, 300, 2000
KIND_CHANGED = "event_changed"

FIELDS = (
    ("title", texts.BTN_FIELD_TITLE),
    ("start", texts.BTN_EE_TIME),
    ("place", texts.BTN_EE_PLACE),
    ("link", texts.BTN_EE_LINK),
    ("description", texts.BTN_EE_DESCRIPTION),
)
QUESTIONS = {
    "title": texts.EE_ASK_TITLE,
    "start": texts.EE_ASK_START,
    "place": texts.EE_ASK_PLACE,
    "link": texts.EE_ASK_LINK,
    "description": texts.EE_ASK_DESCRIPTION,
}


def place_of(event: Any) -> str:
    if event.video_url:
        link = texts.EVENT_VIDEO.format(url=html.escape(event.video_url))
        return f"{html.escape(event.location)} · {link}" if event.location else link
    return html.escape(event.location)


@coordinator_only
async def edit_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """«Endre» under an event: what to change."""
    await answer(update)
    services = services_of(context)
    event_id = int(callback_arg(update))
    async with services.session() as session:
        event = await events.get_event(session, event_id)
    if event is None or event.cancelled:
        await say(update, context, texts.EVENT_GONE if event is None else texts.RSVP_CANCELLED)
        return END
    fresh_draft(context, DRAFT)["id"] = event_id
    rows = [[(texts.tr(label), f"{EE}:f:{name}")] for name, label in FIELDS]
    card = event_card(event, services.settings.tz, services.now())
    await say(update, context, texts.EE_WHAT.format(card=card), keyboard([*rows, cancel_row(EE)]))
    return FIELD


async def edit_field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The field: ask for its new value."""
    await pressed(update)
    field = callback_arg(update)
    draft(context, DRAFT)["field"] = field
    await say(update, context, texts.tr(QUESTIONS.get(field, texts.EE_ASK_TITLE)) + texts.CANCEL_HINT)
    return VALUE


async def _values(
    update: Update, context: ContextTypes.DEFAULT_TYPE, field: str, event: Any
) -> dict[str, Any] | None:
    """The new value(s) from what was typed, or None (the person was told why)."""
    typed = message_text(update)
    services = services_of(context)
    if field == "title":
        return {"title": typed} if await fits(update, context, typed, MAX_TITLE) else None
    if field == "description":
        return (
            {"description": typed_html(update)}
            if await fits(update, context, typed, MAX_DESCRIPTION)
            else None
        )
    if field == "link":
        if not looks_like_url(typed):
            await say(update, context, texts.LINK_INVALID.format(text=html.escape(typed[:100])))
            return None
        return {"video_url": as_url(typed)}
    if field == "place":
        if not await fits(update, context, typed, MAX_PLACE):
            return None
        return {"video_url": as_url(typed)} if looks_like_url(typed) else {"location": typed}
    now, tz = services.now(), services.settings.tz
    parsed = parse_typed_datetime(typed, now=now, tz=tz)
    if parsed is None or not parsed.has_time:
        await say(update, context, texts.DATE_NEEDS_TIME.format(text=html.escape(typed[:100])))
        return None
    if parsed.at <= now:
        await say(update, context, date_in_past(parsed.at, True, tz, now))
        return None
    values: dict[str, Any] = {"starts_at": parsed.at}
    if event.ends_at is not None:  # the same length as before
        values["ends_at"] = parsed.at + (event.ends_at - event.starts_at)
    return values


async def edit_value(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Save the change; tell those coming of a new time or place, once."""
    data = draft(context, DRAFT)
    services = services_of(context)
    user = update.effective_user
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        event = await events.get_event(session, int(data["id"]))
        if event is None or event.cancelled:
            await say(update, context, texts.EVENT_GONE)
            return END
        old_start: datetime = event.starts_at
        values = await _values(update, context, str(data.get("field")), event)
        if values is None:
            return VALUE
        result = await events.update_event(session, event.id, now=now, **values)
        if result is None:
            await say(update, context, texts.EVENT_GONE)
            return END
        event, changed = result
        if "starts_at" in changed:
            await events.cancel_old_reminders(session, event.id, old_start)
        told = 0
        if changed & set(events.TOLD):
            coming = await events.coming_chat_ids(session, event.id)
            readers = await languages_for(services, session, coming)
            for chat_id in coming:
                with use_language(readers[chat_id]):  # in each reader's language
                    notice = texts.EVENT_CHANGED_NOTICE.format(
                        title=html.escape(event.title), when=event_when(event, tz, now), place=place_of(event)
                    )
                told += await enqueue(
                    session,
                    chat_id=chat_id,
                    kind=KIND_CHANGED,
                    subject=events.change_subject(event),
                    payload={"text": notice, "disable_web_page_preview": True},
                    not_before=now,
                )
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="event_changed",
            detail={"event_id": event.id, "fields": sorted(changed), "told": told},
            at=now,
        )
        card = event_card(event, tz, now)
    drop_draft(context, DRAFT)
    if told:
        wake_sender(services)
    await say(update, context, texts.EE_SAVED.format(card=card, told=texts.told_count(told)))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        conversation(
            "endrearrangement",
            EE,
            [CallbackQueryHandler(coordinator_only(edit_start), pattern=rf"^{EV}:edit:\d+$")],
            {
                FIELD: button_step(EE, edit_field, r"f:\w+$"),
                VALUE: text_step(edit_value),
            },
        )
    ]
