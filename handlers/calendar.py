"""/kalender: a live calendar subscription (a secret webcal:// link) when FOUI_PUBLIC_URL is set, and
the upcoming deadlines as an .ics file (sendDocument) always on request.

A member's link is theirs; a group's link is made, renewed and stopped by its administrators and
the coordinators. Only the token's hash is stored, so a link is shown once: «Ny lenke» makes a new
one and the old stops working at once.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.calendar.feed import public_links
from bot.calendar.ics import calls_to_ics
from handlers.auth import may_manage_chat
from handlers.common import answer, current_chat, edit, is_private, keyboard, reply, send_document, services
from handlers.errors import friendly
from handlers.frister_query import day_bounds
from handlers.registry import Command
from storage import calendar_feeds, deadlines, members

MAX_EVENTS = 500
PREFIX = "kal:"
RENEW, STOP, FILE = f"{PREFIX}ny", f"{PREFIX}stopp", f"{PREFIX}fil"


async def _may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    return await may_manage_chat(context, chat.id, chat.type, user.id)


async def send_file(update: Update, context: ContextTypes.DEFAULT_TYPE, *, note: str = "") -> None:
    """The upcoming deadlines in the chat's topics as one .ics file (a copy that never changes)."""
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
        domain = await calendar_feeds.uid_domain(session)
    if topic_ids is None:
        scope = texts.CALENDAR_SCOPE_ALL
    else:
        scope = texts.CALENDAR_SCOPE_MINE if private else texts.CALENDAR_SCOPE_GROUP
    suffix = f"\n\n{note}" if note else ""
    if not page.calls:
        await reply(update, context, texts.CALENDAR_NONE.format(scope=scope) + suffix)
        return
    # Up to 500 events are a third of a second of CPU: drawn in a thread, off the event loop.
    content = await asyncio.to_thread(
        calls_to_ics, page.calls, now=now, tz_name=svc.settings.timezone, domain=domain
    )
    caption = texts.CALENDAR_CAPTION.format(count=texts.deadlines_count(len(page.calls)), scope=scope)
    await send_document(update, context, texts.CALENDAR_FILENAME, content, caption + suffix)


def _link_text(base_url: str, token: str, *, private: bool) -> str:
    webcal, https = public_links(base_url, token)
    whose = texts.CALENDAR_SUB_WHOSE_MINE if private else texts.CALENDAR_SUB_WHOSE_GROUP
    return texts.CALENDAR_SUB_NEW.format(whose=whose, webcal=html.escape(webcal), https=html.escape(https))


@friendly
async def kalender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's calendar link (made on first use), or the deadlines as a file when links are off."""
    svc = services(context)
    base_url = svc.settings.public_url
    if base_url is None:
        await send_file(update, context, note=texts.CALENDAR_SUB_OFF)
        return
    private, now = is_private(update), svc.now()
    manager = await _may_manage(update, context)
    token = None
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        feed = await calendar_feeds.feed_of(session, chat.id)
        made_at = feed.created_at if feed is not None else None
        if feed is None and manager:
            token = await calendar_feeds.new_token(session, chat.id, now)
    file_row = [(texts.BTN_CAL_FILE, FILE)]
    if token is not None:
        rows = [[(texts.BTN_CAL_RENEW, RENEW), (texts.BTN_CAL_STOP, STOP)], file_row]
        await reply(update, context, _link_text(base_url, token, private=private), keyboard(rows))
    elif made_at is not None:
        who = texts.CALENDAR_SUB_WHO_MINE if private else texts.CALENDAR_SUB_WHO_GROUP
        date = texts.format_date(made_at.astimezone(svc.settings.tz).date(), weekday=False, year=True)
        text = texts.CALENDAR_SUB_EXISTS.format(whose=who, date=date)
        rows = (
            [[(texts.BTN_CAL_RENEW, RENEW), (texts.BTN_CAL_STOP, STOP)], file_row] if manager else [file_row]
        )
        await reply(update, context, text, keyboard(rows))
    else:
        await reply(update, context, texts.CALENDAR_SUB_ADMINS_ONLY, keyboard([file_row]))


@friendly
async def calendar_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Ny lenke», «Stopp abonnementet» and «Send som fil» under a /kalender answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data == FILE:
        await answer(update)
        await send_file(update, context)
        return
    svc = services(context)
    base_url = svc.settings.public_url
    if not await _may_manage(update, context):
        await answer(update, texts.CALENDAR_SUB_ADMINS_ONLY, alert=True)
        return
    now, private = svc.now(), is_private(update)
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        if query.data == STOP or base_url is None:
            stopped = await calendar_feeds.remove(session, chat.id)
            token = None
        else:
            token = await calendar_feeds.new_token(session, chat.id, now)
    await answer(update)
    if token is None or base_url is None:
        text = texts.CALENDAR_SUB_STOPPED if stopped else texts.CALENDAR_SUB_NONE
        await edit(update, context, text, keyboard([[(texts.BTN_CAL_SUBSCRIBE, RENEW)]] if base_url else []))
        return
    rows = [[(texts.BTN_CAL_RENEW, RENEW), (texts.BTN_CAL_STOP, STOP)], [(texts.BTN_CAL_FILE, FILE)]]
    await edit(update, context, _link_text(base_url, token, private=private), keyboard(rows))


COMMANDS = [Command("kalender", texts.CMD_KALENDER, callback=kalender)]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(calendar_button, pattern=f"^{PREFIX}(ny|stopp|fil)$")]
