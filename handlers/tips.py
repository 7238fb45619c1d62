"""/tips: a short tip with a link and topics, posted in the group and pushed to the topics' subscribers.
Tips are announcements of kind "tip": they can be corrected or withdrawn for 24 hours the same way."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from handlers import registry
from handlers.broadcast import manage_markup, publish, recipients, tip_text, typed_html
from handlers.conversation import (
    ask_topics,
    button_step,
    chosen_topic_names,
    conversation,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    link_keyboard,
    read_link,
    stale_button,
    text_step,
    toggle_topic,
    topics_chosen,
)
from handlers.coordinator import END, action_row, coordinator_only, keyboard, pressed, say, show_preview
from storage.announcements import Audience

TEXT, LINK, TOPICS, CONFIRM = "tips:tekst", "tips:lenke", "tips:emner", "tips:bekreft"
TI = "ti"
DRAFT = "draft:tips"
MAX_TIP = 600


@coordinator_only
async def tips(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/tips: share a short tip."""
    fresh_draft(context, DRAFT)
    await say(update, context, texts.TI_ASK_TEXT.format(limit=MAX_TIP))
    return TEXT


async def ti_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The tip itself."""
    text_html = typed_html(update)
    if not await fits(update, context, text_html, MAX_TIP):
        return TEXT
    draft(context, DRAFT)["text"] = text_html
    await say(update, context, texts.TI_ASK_LINK, link_keyboard(TI))
    return LINK


async def ti_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The link, or none."""
    url = await read_link(update, context, TI)
    if url is None:
        return LINK
    draft(context, DRAFT)["url"] = url or None
    await ask_topics(update, context, DRAFT, TI, texts.TI_ASK_TOPICS)
    return TOPICS


async def ti_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle one topic."""
    await toggle_topic(update, context, DRAFT, TI)
    return TOPICS


async def ti_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen: the preview exactly as it arrives, then confirm."""
    if await topics_chosen(update, context, DRAFT) is None:
        return TOPICS
    data = draft(context, DRAFT)
    chat_ids, label = await recipients(context, Audience(group=True, topics=tuple(data["topics"])))
    await show_preview(
        update,
        context,
        texts.TI_PREVIEW,
        tip_text(data["text"], data.get("url"), chosen_topic_names(data)),
        texts.KU_CONFIRM.format(audience=label, recipients=texts.recipients(len(chat_ids))),
        keyboard([action_row(TI, texts.BTN_SEND, "send")]),
    )
    return CONFIRM


async def ti_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send the tip through the outbox."""
    await pressed(update)
    data = draft(context, DRAFT)
    names = chosen_topic_names(data)
    announcement_id, queued = await publish(
        update,
        context,
        kind="tip",
        text_html=data["text"],
        payload_text=tip_text(data["text"], data.get("url"), names),
        audience=Audience(group=True, topics=tuple(data["topics"])),
        pin=False,
        extra={"link": data.get("url"), "topic_names": names},
    )
    drop_draft(context, DRAFT)
    await say(
        update,
        context,
        texts.TI_QUEUED.format(recipients=texts.recipients(queued)),
        manage_markup(announcement_id),
    )
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The /tips conversation."""
    return [
        conversation(
            "tips",
            TI,
            [CommandHandler("tips", tips)],
            {
                TEXT: text_step(ti_text),
                LINK: [*text_step(ti_link), *button_step(TI, ti_link, "nolink$")],
                TOPICS: [*button_step(TI, ti_topic, "t:"), *button_step(TI, ti_topics_done, "done$")],
                CONFIRM: button_step(TI, ti_send, "send$"),
            },
        ),
        CallbackQueryHandler(stale_button, pattern=rf"^{TI}:"),
    ]


COMMANDS = [
    registry.Command("tips", "Del et tips med gruppa og abonnentene", frozenset({registry.COORDINATOR}))
]
