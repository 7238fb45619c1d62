"""The coordinators' event buttons: who is coming (list and CSV), and cancelling with a notice."""

from __future__ import annotations

import html
import io

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.texts.book import languages_for
from bot.texts.i18n import use_language
from handlers.coordinator import answer, callback_arg, coordinator_only, keyboard, pressed, say, services_of
from handlers.event_cards import EV, attendees_csv, event_when
from storage import audit, events
from storage.outbox import enqueue


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
        texts.EVENT_CANCEL_CONFIRM.format(title=html.escape(event.title), count=texts.cancel_will_tell(yes)),
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
        event = await events.cancel_event(session, event_id, now=now)
        if event is None:
            await say(update, context, texts.EVENT_GONE)
            return
        coming = await events.coming_chat_ids(session, event_id)
        readers = await languages_for(services, session, coming)
        for chat_id in coming:
            with use_language(readers[chat_id]):  # in each reader's language
                notice = texts.EVENT_CANCELLED_NOTICE.format(
                    title=html.escape(event.title), when=event_when(event, tz, now)
                )
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
        update,
        context,
        texts.EVENT_CANCELLED_DONE.format(
            title=html.escape(event.title), count=texts.cancel_told(len(coming))
        ),
    )


async def event_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Nei' to cancelling: nothing happens."""
    await pressed(update)
