"""What every coordinator command shares: the server-side guard (refused politely and audited),
replies that split when long, button rows, and the press of a button answered."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes, ConversationHandler

from bot import texts
from bot.services import Services, get_services
from handlers.auth import is_coordinator
from storage import audit

log = logging.getLogger(__name__)

END = ConversationHandler.END
MAX_MESSAGE = 4096
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


def command_name(update: Update) -> str:
    """'/nyfrist' for a command, the callback data for a button, '' otherwise."""
    if update.callback_query is not None:
        return str(update.callback_query.data or "")
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        return message.text.split()[0].split("@")[0]
    return ""


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    """A short, polite no, and an audit-log entry saying who tried what."""
    user = update.effective_user
    chat = update.effective_chat
    services = get_services(context)
    async with services.session() as session:
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action=audit.REFUSED,
            detail={
                "handler": action,
                "command": command_name(update)[:100],
                "chat_id": chat.id if chat else None,
            },
            at=services.now(),
        )
    log.info("refused coordinator action %s for user %s", action, user.id if user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.COORD_REFUSED_ALERT, show_alert=True)
    elif chat is not None:
        await context.bot.send_message(chat.id, texts.COORD_REFUSED, parse_mode=ParseMode.HTML)


def coordinator_only(func: Handler) -> Handler:
    """Run the handler only for a coordinator, checked on the server side on every call.

    Anyone else is refused politely and audited. Coordinator work happens in a private chat;
    in a group the coordinator gets a button to open one. Returns END for conversations.
    """

    @functools.wraps(func)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        user = update.effective_user
        if not await is_coordinator(context, user.id if user else None):
            await refuse(update, context, func.__name__)
            return END
        chat = update.effective_chat
        if chat is not None and chat.type != "private":
            name = command_name(update).lstrip("/") or "start"
            if update.callback_query is not None:
                await update.callback_query.answer()
            await context.bot.send_message(
                chat.id,
                texts.COORD_PRIVATE_ONLY.format(command=html.escape(name)),
                parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                texts.BTN_OPEN_PRIVATE, url=f"https://t.me/{context.bot.username}"
                            )
                        ]
                    ]
                ),
            )
            return END
        return await func(update, context)

    return guarded


# ---- replies ----------------------------------------------------------------------------------
def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from rows of (text, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows if row]
    )


def cancel_row(prefix: str) -> list[tuple[str, str]]:
    """«Avbryt» as a row of its own (the conversation's fallback ends it)."""
    return [(texts.BTN_CANCEL, f"{prefix}:cancel")]


def action_row(prefix: str, label: str, action: str) -> list[tuple[str, str]]:
    """One step's button with «Avbryt» beside it ("Send | Avbryt", "Lagre | Avbryt")."""
    return [(label, f"{prefix}:{action}"), *cancel_row(prefix)]


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line breaks so that no part is longer than Telegram allows."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    preview: bool = False,
) -> Message:
    """Send HTML to the update's chat (split when long; buttons go under the last part)."""
    chat = update.effective_chat
    assert chat is not None
    parts = split_text(text)
    message: Message | None = None
    for index, part in enumerate(parts):
        message = await context.bot.send_message(
            chat.id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if index == len(parts) - 1 else None,
            link_preview_options=None if preview else NO_PREVIEW,
        )
    assert message is not None
    return message


async def show_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    heading: str,
    body: str,
    question: str,
    buttons: InlineKeyboardMarkup,
    *,
    body_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Before anything goes out: a heading, the message exactly as it will arrive, the question."""
    await say(update, context, heading)
    await say(update, context, body, body_markup)
    await say(update, context, question, buttons)


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (stops the spinner)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


async def close_buttons(update: Update) -> None:
    """Remove the buttons of the pressed message, so a step cannot be taken twice."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:  # already removed, or the message is too old to edit
        log.debug("could not remove buttons: %s", exc)


async def pressed(update: Update) -> None:
    """A button step taken: the press answered and the buttons removed, so it cannot be taken twice."""
    await answer(update)
    await close_buttons(update)


def callback_arg(update: Update) -> str:
    """The last part of the button's callback data ('nf:t:helse' -> 'helse')."""
    data = update.callback_query.data if update.callback_query else None
    return str(data or "").rsplit(":", 1)[-1]


def message_text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services(context)
