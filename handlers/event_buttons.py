"""/arrangementer and an invitation's buttons: the event shown, RSVP with counts, .ics to the calendar."""

from __future__ import annotations

import html
import io
import logging

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot import texts
from bot.calendar.events import event_to_ics
from handlers.auth import is_coordinator
from handlers.common import edit
from handlers.coordinator import answer, callback_arg, keyboard, say, services_of
from handlers.event_cards import EV, event_card, event_when, rsvp_markup
from handlers.paging import nav_row, page_arg, page_note, page_of
from storage import calendar_feeds, events, membership

log = logging.getLogger(__name__)


# ---- /arrangementer and the buttons -----------------------------------------------------------
async def arrangementer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/arrangementer: the coming webinars and gatherings."""
    services = services_of(context)
    now, tz = services.now(), services.settings.tz
    query = update.callback_query
    async with services.session() as session:
        everything = await events.upcoming_events(session, now=now, limit=100)
    if not everything:
        await say(update, context, texts.EVENTS_NONE)
        return
    found, page, pages = page_of(everything, page_arg(query.data) if query else 0)
    lines = [f"{texts.EVENTS_HEADER} {page_note(page, pages)}".strip(), ""]
    lines += [
        texts.EVENTS_LINE.format(title=html.escape(e.title), when=event_when(e, tz, now)) for e in found
    ]
    rows = [[(f"📅 {e.title[:50]}", f"{EV}:show:{e.id}")] for e in found]
    rows.append(nav_row(f"{EV}:page:", page, pages))
    if query is not None:  # ◀ ▶: another page of the same list
        await answer(update)
        await edit(update, context, "\n".join(lines), keyboard(rows))
        return
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
    link = await _sees_links(update, context)
    card = event_card(event, services.settings.tz, services.now(), link=link)
    await say(update, context, card, rsvp_markup(event.id, *counts, admin=await _show_admin(update, context)))


async def _sees_links(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Meeting links are the network's own: for members, coordinators and the group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != "private":
        return True
    services = services_of(context)
    if await is_coordinator(context, user.id):
        return True
    async with services.session() as session:
        return await membership.is_member_now(
            session, user.id, coordinator_ids=services.settings.coordinator_ids
        )


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
        domain = await calendar_feeds.uid_domain(session)
    if event is None:
        await answer(update, texts.EVENT_GONE, alert=True)
        return
    link = await _sees_links(update, context)
    data = event_to_ics(event, now=services.now(), link=link, host=domain, tz_name=services.settings.timezone)
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
