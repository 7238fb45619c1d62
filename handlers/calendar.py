"""/kalender: an .ics file with the upcoming deadlines in the chat's topics (sendDocument)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.calendar.ics import calls_to_ics
from handlers.common import current_chat, is_private, reply, send_document, services
from handlers.errors import friendly
from handlers.frister_query import day_bounds
from handlers.registry import Command
from storage import deadlines, members

MAX_EVENTS = 500


@friendly
async def kalender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the upcoming deadlines as a calendar file."""
    svc = services(context)
    now, tz = svc.now(), svc.settings.tz
    private = is_private(update)
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        topic_ids = await members.subscribed_topic_ids(session, chat.id) or None
        day_start, _ = day_bounds(now, None, tz)
        page = await deadlines.upcoming(
            session, now=now, day_start=day_start, topic_ids=topic_ids, limit=MAX_EVENTS
        )
    if topic_ids is None:
        scope = texts.CALENDAR_SCOPE_ALL
    else:
        scope = texts.CALENDAR_SCOPE_MINE if private else texts.CALENDAR_SCOPE_GROUP
    if not page.calls:
        await reply(update, context, texts.CALENDAR_NONE.format(scope=scope))
        return
    content = calls_to_ics(page.calls, now=now, tz_name=svc.settings.timezone)
    caption = texts.CALENDAR_CAPTION.format(count=len(page.calls), scope=scope)
    await send_document(update, context, texts.CALENDAR_FILENAME, content, caption)


COMMANDS = [Command("kalender", texts.CMD_KALENDER, callback=kalender)]
