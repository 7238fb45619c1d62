"""The timeline pictures: «Vis som bilde» under /frister (``handlers.arshjul``) and under the weekly
overview and the weekly digest (``tl:uke:<scope>:<day>``, ``bot.push.render.picture_button``): the
next 8 weeks' deadlines drawn off the event loop and sent next to the text, never instead of it.

A picture is drawn one at a time (a burst of presses never takes every core from the bot) and the
last few are kept: pressing again, or the next chat with the same deadlines, costs no drawing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from telegram import InputFile, Update
from telegram.error import Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.calendar.timeline import WEEKS, Mark, render_timeline
from bot.push.render import WEEKLY_PICTURE
from bot.services import Services
from bot.texts.i18n import current_language
from handlers.button_guard import refuse_forged
from handlers.common import answer, current_chat, is_private, reply, services
from handlers.errors import friendly
from handlers.frister_query import day_bounds
from handlers.registry import Command
from storage import deadlines, members

log = logging.getLogger(__name__)

COMMANDS: list[Command] = []
PATTERN = re.compile(rf"^{WEEKLY_PICTURE}:(alle|mine):(\d{{8}})$")
CACHE_KEY = "timeline_pictures"
LOCK_KEY = "timeline_lock"
CACHE_SIZE = 16


async def deadline_marks(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, everything: bool
) -> tuple[list[Mark], str]:
    """The next WEEKS weeks' deadlines of this chat's topics (all of them when it follows none, or
    with ``everything``), and the words for whose they are."""
    svc = services(context)
    now, tz = svc.now(), svc.settings.tz
    async with svc.session() as session:
        topic_ids = None
        if not everything:
            chat = await current_chat(session, update, now)
            topic_ids = await members.subscribed_topic_ids(session, chat.id) or None
        day_start, until = day_bounds(now, WEEKS * 7, tz)
        page = await deadlines.upcoming(
            session, now=now, day_start=day_start, until=until, topic_ids=topic_ids, limit=200
        )
    marks = [
        Mark(c.deadline_at.astimezone(tz).date(), c.title) for c in page.calls if c.deadline_at is not None
    ]
    if topic_ids is None:
        scope = texts.CALENDAR_SCOPE_ALL
    else:
        scope = texts.CALENDAR_SCOPE_MINE if is_private(update) else texts.CALENDAR_SCOPE_GROUP
    return marks, scope


async def draw(svc: Services, marks: Sequence[Mark], today: date) -> bytes:
    """The PNG of these marks, drawn in a thread (one at a time), or kept from a moment ago."""
    key = (today, current_language(), tuple(marks))
    cache = svc.extras.setdefault(CACHE_KEY, OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return bytes(cache[key])
    lock = svc.extras.setdefault(LOCK_KEY, asyncio.Lock())
    async with lock:
        if key not in cache:
            cache[key] = await asyncio.to_thread(render_timeline, list(marks), today=today, weeks=WEEKS)
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return bytes(cache[key])


async def send_picture(
    update: Update, context: ContextTypes.DEFAULT_TYPE, picture: bytes, caption: str
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await context.bot.send_photo(
            chat.id, photo=InputFile(picture, filename=texts.TIMELINE_FILENAME), caption=caption
        )
    except Forbidden:
        log.info("chat %s cannot be reached for the timeline", chat.id)


def button_day(data: str) -> tuple[str, date] | None:
    """``tl:uke:<scope>:<YYYYMMDD>`` -> (scope, day), or None when it is no such button."""
    match = PATTERN.match(data)
    if match is None:
        return None
    try:
        return match.group(1), datetime.strptime(match.group(2), "%Y%m%d").date()
    except ValueError:
        return None


@friendly
async def weekly_picture_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Vis som bilde» under the weekly overview or a weekly digest: the next 8 weeks as a picture."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    svc = services(context)
    today = svc.now().astimezone(svc.settings.tz).date()
    parsed = button_day(str(query.data or ""))
    if parsed is None or parsed[1] > today:
        await refuse_forged(update, context, "bad_picture_data")
        return
    scope_key, written = parsed
    if (today - written).days > WEEKS * 7:
        await answer(update)
        await reply(update, context, texts.WEEKLY_PICTURE_STALE.format(weeks=WEEKS))
        return
    marks, scope = await deadline_marks(update, context, everything=scope_key == "alle")
    await answer(update)
    if not marks:
        await reply(update, context, texts.WEEKLY_PICTURE_EMPTY.format(weeks=WEEKS, scope=scope))
        return
    picture = await draw(svc, marks, today)
    await send_picture(
        update, context, picture, texts.WEEKLY_PICTURE_CAPTION.format(weeks=WEEKS, scope=scope)
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(weekly_picture_button, pattern=f"^{WEEKLY_PICTURE}:")]
