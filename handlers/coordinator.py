"""What every coordinator command shares: the server-side guard, replies, the topic picker and
the conversation plumbing (/avbryt at every step, stale buttons answered)."""

from __future__ import annotations

import functools
import html
import logging
import warnings
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.services import Services, get_services
from handlers.auth import is_coordinator
from storage import audit
from storage.topics import list_topics

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


async def fits(
    update: Update, context: ContextTypes.DEFAULT_TYPE, value: str, limit: int, *, required: bool = True
) -> bool:
    """True when the typed ``value`` is there (if ``required``) and not over ``limit``; else says so."""
    if (value or not required) and len(value) <= limit:
        return True
    await say(update, context, texts.CONV_TOO_LONG.format(length=len(value), limit=limit))
    return False


def callback_arg(update: Update) -> str:
    """The last part of the button's callback data ('nf:t:helse' -> 'helse')."""
    data = update.callback_query.data if update.callback_query else None
    return str(data or "").rsplit(":", 1)[-1]


def draft(context: ContextTypes.DEFAULT_TYPE, key: str) -> dict[str, Any]:
    """The conversation's draft in the person's user_data."""
    assert context.user_data is not None
    value: dict[str, Any] = context.user_data.setdefault(key, {})
    return value


def fresh_draft(context: ContextTypes.DEFAULT_TYPE, key: str) -> dict[str, Any]:
    """A new, empty draft: starting a conversation again forgets what was typed before."""
    drop_draft(context, key)
    return draft(context, key)


def drop_draft(context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    if context.user_data is not None:
        context.user_data.pop(key, None)


def message_text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services(context)


# ---- topics -----------------------------------------------------------------------------------
def topic_keyboard(
    topics: Sequence[tuple[str, str]],
    chosen: Sequence[str],
    prefix: str,
    *,
    extra: Sequence[tuple[str, str]] = (),
) -> InlineKeyboardMarkup:
    """Toggle buttons for (slug, name) topics, two a row, ✅ on the chosen, and 'Ferdig'."""
    buttons = [(("✅ " if slug in chosen else "") + name, f"{prefix}:t:{slug}") for slug, name in topics]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(texts.BTN_DONE, f"{prefix}:done"), *extra])
    return keyboard(rows)


def toggle(chosen: list[str], slug: str) -> list[str]:
    return [s for s in chosen if s != slug] if slug in chosen else [*chosen, slug]


def topic_names(topics: Sequence[Any]) -> str:
    """'Helse, Oppvekst' escaped, or 'ingen'."""
    return html.escape(", ".join(t.name for t in topics)) if topics else texts.NO_TOPICS


def chosen_topic_names(data: dict[str, Any]) -> str:
    """The draft's chosen topics by name, in the order chosen, escaped ('' when none)."""
    names = dict(data.get("topic_choices", []))
    return html.escape(", ".join(names.get(s, s) for s in data.get("topics", [])))


async def ask_topics(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    prefix: str,
    text: str,
    *,
    chosen: Sequence[str] = (),
    extra: Sequence[tuple[str, str]] = (),
) -> None:
    """The topic step: every topic as a toggle button (``chosen`` ticked) under ``text``."""
    data = draft(context, key)
    async with services_of(context).session() as session:
        data["topic_choices"] = [(t.slug, t.name) for t in await list_topics(session)]
    data["topics"] = list(chosen)
    await say(
        update, context, text, topic_keyboard(data["topic_choices"], data["topics"], prefix, extra=extra)
    )


async def toggle_topic(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    prefix: str,
    *,
    extra: Sequence[tuple[str, str]] = (),
) -> None:
    """A topic button pressed: tick or untick it and redraw the buttons."""
    data = draft(context, key)
    data["topics"] = toggle(list(data.get("topics", [])), callback_arg(update))
    await answer(update)
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(
        reply_markup=topic_keyboard(data.get("topic_choices", []), data["topics"], prefix, extra=extra)
    )


async def topics_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> list[str] | None:
    """«Ferdig» pressed: the chosen topics (buttons closed), or None and an alert when none is chosen."""
    chosen = list(draft(context, key).get("topics", []))
    if not chosen:
        await answer(update, texts.TOPICS_PICK_ONE, alert=True)
        return None
    await pressed(update)
    return chosen


def looks_like_url(value: str) -> bool:
    value = value.strip()
    return (
        value.startswith(("https://", "http://")) and "." in value and " " not in value and len(value) <= 2000
    )


# ---- links --------------------------------------------------------------------------------------
NO_LINK = ""


def link_keyboard(prefix: str) -> InlineKeyboardMarkup:
    """Under a question for a link: «Uten lenke» and «Avbryt»."""
    return keyboard([[(texts.BTN_NO_LINK, f"{prefix}:nolink")], cancel_row(prefix)])


async def read_link(update: Update, context: ContextTypes.DEFAULT_TYPE, prefix: str) -> str | None:
    """A link step's answer: the typed address, NO_LINK for «Uten lenke», or None when the text is
    not a link (the person is told so, with the same buttons again)."""
    if update.callback_query is not None:
        await pressed(update)
        return NO_LINK
    typed = message_text(update)
    if looks_like_url(typed):
        return typed
    await say(
        update, context, texts.LINK_INVALID.format(text=html.escape(typed[:100])), link_keyboard(prefix)
    )
    return None


# ---- conversations ----------------------------------------------------------------------------
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/avbryt: end the conversation, nothing saved."""
    if context.user_data is not None:
        for key in [k for k in context.user_data if str(k).startswith("draft:")]:
            context.user_data.pop(key, None)
    await pressed(update)
    await say(update, context, texts.CONV_CANCELLED)
    return END


async def use_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text where a button was expected."""
    await say(update, context, texts.CONV_USE_BUTTONS)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button from a conversation that is over (or from before a restart)."""
    await answer(update, texts.CONV_STALE_BUTTON, alert=True)
    await close_buttons(update)


def conversation(
    name: str,
    prefix: str,
    entry_points: list[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
) -> ConversationHandler[Any]:
    """A conversation with /avbryt and a cancel button at every step, stale buttons answered."""
    fallbacks: list[BaseHandler[Any, Any, Any]] = [
        CommandHandler("avbryt", cancel),
        CallbackQueryHandler(cancel, pattern=rf"^{prefix}:cancel$"),
        MessageHandler(filters.TEXT & ~filters.COMMAND, use_buttons),
        CallbackQueryHandler(stale_button, pattern=rf"^{prefix}:"),
    ]
    with warnings.catch_warnings():
        # per_message=False is what we want: one conversation per person and chat.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=fallbacks,
            name=name,
            allow_reentry=True,
        )


def text_step(callback: Handler) -> list[BaseHandler[Any, Any, Any]]:
    """A state that waits for typed text (guarded)."""
    return [MessageHandler(filters.TEXT & ~filters.COMMAND, coordinator_only(callback))]


def button_step(prefix: str, callback: Handler, pattern: str) -> list[BaseHandler[Any, Any, Any]]:
    """A state that waits for a button (guarded)."""
    return [CallbackQueryHandler(coordinator_only(callback), pattern=rf"^{prefix}:{pattern}")]


def date_in_past(at: datetime, has_time: bool, tz: ZoneInfo, now: datetime) -> str:
    """ "Onsdag 1. januar 2020 kl. 10:00 har allerede vært …" (the year when it is not this year)."""
    when = texts.format_datetime(at, has_time=has_time, tz=tz, today=now.astimezone(tz).date())
    return texts.DATE_IN_PAST.format(when=when[:1].upper() + when[1:])
