"""Coordinator conversation pieces: drafts, length checks, topic and link steps, /avbryt, stale buttons."""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
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
from handlers.coordinator import (
    EDIT_TEXT,
    END,
    Handler,
    answer,
    callback_arg,
    cancel_row,
    close_buttons,
    coordinator_only,
    keyboard,
    message_text,
    pressed,
    say,
    services_of,
)
from storage.topics import list_topics


async def fits(
    update: Update, context: ContextTypes.DEFAULT_TYPE, value: str, limit: int, *, required: bool = True
) -> bool:
    """True when the typed ``value`` is there (if ``required``) and not over ``limit``; else says so."""
    if (value or not required) and len(value) <= limit:
        return True
    await say(update, context, texts.CONV_TOO_LONG.format(length=len(value), limit=limit))
    return False


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


def as_url(value: str) -> str:
    """The address as typed, with https:// in front of one that starts with «www.» (www.ks.no/fou)."""
    value = value.strip()
    return "https://" + value if value.lower().startswith("www.") else value


def looks_like_url(value: str) -> bool:
    value = as_url(value)
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
        return as_url(typed)
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
            persistent=True,  # kept in the database: a restart continues where the person was
        )


def edit_text_step(prefix: str, key: str, question: str, state: str) -> list[BaseHandler[Any, Any, Any]]:
    """«Endre tekst» under a preview: ask for the text again (the text step, seeing the draft's
    ``editing`` mark, goes straight back to the preview)."""

    async def edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        await pressed(update)
        draft(context, key)["editing"] = True
        await say(update, context, question + texts.CANCEL_HINT)
        return state

    return button_step(prefix, edit_text, f"{EDIT_TEXT}$")


def editing(context: ContextTypes.DEFAULT_TYPE, key: str) -> bool:
    """Whether the text was typed again from a preview's «Endre tekst» (the mark is taken)."""
    return bool(draft(context, key).pop("editing", False))


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
