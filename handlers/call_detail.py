"""/utlysning <nummer> and the "Detaljer" button: one call in full, with who may apply (and the
text's own words for it), what it requires, how much, and which municipalities are on it.

The network's statuses are shown to approved contacts and coordinators in their private chats,
and in the network's group; to nobody else (the network stays closed)."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot import texts
from bot.config import Settings
from bot.push.apply_render import (
    WORDS,
    eligibility_line,
    evidence_line,
    network_summary,
    requirement_lines,
    status_rows,
)
from bot.push.render import deadline_line
from handlers.auth import is_coordinator
from handlers.common import MAX_TEXT, NO_PREVIEW, answer, args_of, keyboard, reply, services, shorten
from handlers.errors import friendly
from handlers.registry import Command
from storage.applications import Contact, contact_of, statuses_of
from storage.conditions import conditions_of
from storage.following import load_call
from storage.models import Call

log = logging.getLogger(__name__)


def render_detail(
    call: Call,
    reading: dict[str, Any] | None,
    statuses: list[tuple[str, str]] | None,
    me: Contact | None,
    now: datetime,
    settings: Settings,
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The detail view's text and buttons; ``statuses`` None: not shown (not in the network)."""
    title = html.escape(shorten(call.title, 300))
    if call.url and call.url.startswith(("http://", "https://")):
        title = texts.CALL_TITLE_LINK.format(url=html.escape(call.url, quote=True), title=title)
    else:
        title = texts.CALL_TITLE_PLAIN.format(title=title)
    lines = [texts.DETAIL_HEADER.format(title=title), "", deadline_line(call, now, settings)]
    if call.source_name:
        lines.append(texts.CALL_SOURCE.format(source=html.escape(call.source_name)))
    lines += ["", eligibility_line(reading)]
    evidence = evidence_line(reading)
    if evidence:
        lines.append(evidence)
    lines += requirement_lines(reading)
    if reading and (evidence or requirement_lines(reading)):
        lines.append(texts.COND_READ_FROM)
    own = None
    if statuses is not None:
        lines += ["", texts.NETWORK_LINE.format(summary=network_summary(statuses))]
        if me is not None:
            own = next((s for m, s in statuses if m == me.municipality), None)
            template = texts.OWN_STATUS if own else texts.OWN_STATUS_NONE
            lines.append(
                template.format(
                    municipality=html.escape(me.municipality),
                    status=html.escape(texts.tr(WORDS.get(own or "", ""))),
                )
            )
    lines += ["", texts.DETAIL_NUMBER.format(number=call.id)]
    rows = [[(b["text"], b["callback_data"]) for b in status_rows(call.id, own)[0]]]
    text = "\n".join(lines)
    return (text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1]), rows


async def detail_for(
    context: ContextTypes.DEFAULT_TYPE, call_id: int, user_id: int | None, *, in_group: bool
) -> tuple[str, Any] | None:
    """The detail view of a call for a person (or, ``in_group``, for the network's group)."""
    svc = services(context)
    async with svc.session() as session:
        call = await load_call(session, call_id)
        if call is None:
            return None
        me = await contact_of(session, user_id) if user_id is not None and not in_group else None
        reading = (await conditions_of(session, [call_id])).get(call_id)
        network = in_group or me is not None or await is_coordinator(context, user_id)
        statuses = (await statuses_of(session, [call_id]))[call_id] if network else None
    text, rows = render_detail(call, reading.data if reading else None, statuses, me, svc.now(), svc.settings)
    return text, keyboard(rows)


def _in_network_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != "private" and chat.id == services(context).settings.group_chat_id


@friendly
async def utlysning(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/utlysning <nummer>: one call in detail."""
    words = args_of(context)
    if len(words) != 1 or not words[0].lstrip("#").isdigit():
        await reply(update, context, texts.DETAIL_USAGE)
        return
    number = int(words[0].lstrip("#"))
    user = update.effective_user
    found = await detail_for(
        context, number, user.id if user else None, in_group=_in_network_group(update, context)
    )
    if found is None:
        await reply(update, context, texts.DETAIL_NOT_FOUND.format(number=number))
        return
    await reply(update, context, *found)


async def show_detail(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int) -> None:
    """The "Detaljer" button: in a private chat here, from a group in the presser's private chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    found = await detail_for(context, call_id, user.id, in_group=False)
    if found is None:
        await answer(update, texts.AP_CALL_GONE, alert=True)
        return
    if chat.type == "private":
        await answer(update)
        await reply(update, context, *found)
        return
    try:
        await context.bot.send_message(
            user.id,
            found[0],
            parse_mode=ParseMode.HTML,
            reply_markup=found[1],
            link_preview_options=NO_PREVIEW,
        )
    except Forbidden:
        await answer(update, texts.DETAIL_START_FIRST, alert=True)
        return
    await answer(update, texts.DETAIL_PRIVATE)


COMMANDS = [Command("utlysning", texts.CMD_UTLYSNING, callback=utlysning)]
