"""The buttons under a pushed call: "Legg i kalender" (.ics) and "Ikke interessert" (and "Angre")."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.push.render import call_buttons
from bot.services import get_services
from handlers.auth import chat_admin_ids
from handlers.registry import Command
from storage import calendar_feeds, pushes
from storage.following import load_call

log = logging.getLogger(__name__)

PATTERN = re.compile(r"^push:(ics|mute|unmute):(\d+)$")

COMMANDS: list[Command] = []


def toggled_markup(markup: InlineKeyboardMarkup | None, call_id: int, *, muted: bool) -> InlineKeyboardMarkup:
    """The same buttons, with "Ikke interessert" and "Angre" swapped."""
    old, new = ("mute", "unmute") if muted else ("unmute", "mute")
    label = texts.BUTTON_UNMUTE if muted else texts.BUTTON_MUTE
    rows = []
    for row in markup.inline_keyboard if markup else ():
        rows.append(
            [
                InlineKeyboardButton(label, callback_data=f"push:{new}:{call_id}")
                if b.callback_data == f"push:{old}:{call_id}"
                else b
                for b in row
            ]
        )
    return InlineKeyboardMarkup(rows)


async def push_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button under a pushed call."""
    query = update.callback_query
    chat = update.effective_chat
    user = update.effective_user
    if query is None or chat is None or user is None:
        return
    match = PATTERN.match(query.data or "")
    if match is None:
        return
    action, call_id = match.group(1), int(match.group(2))
    svc = get_services(context)
    if action == "ics":
        await send_calendar(update, context, call_id)
        return
    if chat.type != "private" and user.id not in await chat_admin_ids(context, chat.id):
        await query.answer(texts.PUSH_MUTE_ADMINS_ONLY, show_alert=True)
        return
    async with svc.session() as session:
        call = await load_call(session, call_id)
        if action == "mute":
            ok = await pushes.mute_call(session, telegram_id=chat.id, call_id=call_id, now=svc.now())
        else:
            ok = await pushes.unmute_call(session, telegram_id=chat.id, call_id=call_id)
    if not ok or call is None:
        await query.answer(texts.PUSH_CALL_GONE)
        return
    await query.answer(texts.PUSH_MUTED if action == "mute" else texts.PUSH_UNMUTED)
    message = update.effective_message
    if message is not None:
        current = message.reply_markup or InlineKeyboardMarkup.de_json(call_buttons(call), context.bot)
        try:
            await message.edit_reply_markup(toggled_markup(current, call_id, muted=action == "mute"))
        except TelegramError as exc:  # the message may be too old to edit; the mute holds anyway
            log.info("could not update the buttons: %s", exc)


async def send_calendar(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int) -> None:
    """Send one call's deadline as an .ics file."""
    from bot.calendar.ics import calls_to_ics

    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    svc = get_services(context)
    async with svc.session() as session:
        call = await load_call(session, call_id)
        domain = await calendar_feeds.uid_domain(session)
    if call is None:
        await query.answer(texts.PUSH_CALL_GONE)
        return
    if call.deadline_at is None or call.rolling:
        await query.answer(texts.PUSH_CALENDAR_NO_DEADLINE, show_alert=True)
        return
    content = calls_to_ics(call, now=svc.now(), tz_name=svc.settings.timezone, domain=domain)
    await query.answer()
    await context.bot.send_document(
        chat.id,
        InputFile(content, filename=texts.PUSH_CALENDAR_FILENAME.format(call_id=call_id)),
        caption=texts.PUSH_CALENDAR_CAPTION,
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(push_button, pattern=PATTERN)]
