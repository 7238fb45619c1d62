"""/kunngjoring: write, choose the audience, preview exactly as it arrives, send through the outbox.
Correcting and withdrawing (/kunngjoringer) live in handlers.corrections; this module registers both."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from handlers import corrections, registry
from handlers.broadcast import KR, MAX_TEXT, announcement_text, manage_markup, publish, recipients, typed_html
from handlers.conversation import (
    ask_topics,
    button_step,
    conversation,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    stale_button,
    text_step,
    toggle_topic,
    topics_chosen,
)
from handlers.coordinator import (
    END,
    action_row,
    callback_arg,
    cancel_row,
    coordinator_only,
    keyboard,
    pressed,
    say,
    show_preview,
)
from handlers.corrections import kunngjoringer
from storage.announcements import Audience

TEXT, AUDIENCE, TOPICS, PIN, CONFIRM = (
    "kunngjoring:tekst",
    "kunngjoring:mottakere",
    "kunngjoring:emner",
    "kunngjoring:feste",
    "kunngjoring:bekreft",
)
KU = "ku"
DRAFT = "draft:kunngjoring"


def audience_keyboard() -> InlineKeyboardMarkup:
    """The audiences to choose from (and «Avbryt»)."""
    return keyboard(
        [
            [(texts.BTN_AUD_GROUP, f"{KU}:a:group"), (texts.BTN_AUD_MEMBERS, f"{KU}:a:members")],
            [(texts.BTN_AUD_BOTH, f"{KU}:a:both")],
            [(texts.BTN_AUD_TOPICS, f"{KU}:a:topics")],
            cancel_row(KU),
        ]
    )


# ---- /kunngjoring -----------------------------------------------------------------------------
@coordinator_only
async def kunngjoring(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/kunngjoring: write an announcement."""
    fresh_draft(context, DRAFT)
    await say(update, context, texts.KU_ASK_TEXT)
    return TEXT


async def ku_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The text, formatting kept."""
    text_html = typed_html(update)
    if not await fits(update, context, text_html, MAX_TEXT):
        return TEXT
    draft(context, DRAFT)["text"] = text_html
    await say(update, context, texts.KU_ASK_AUDIENCE, audience_keyboard())
    return AUDIENCE


async def ku_audience(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The audience: the group, all members, both, or topics."""
    await pressed(update)
    choice = callback_arg(update)
    data = draft(context, DRAFT)
    if choice == "topics":
        await ask_topics(update, context, DRAFT, KU, texts.KU_ASK_TOPICS)
        return TOPICS
    data["audience"] = Audience(
        group=choice in ("group", "both"), members=choice in ("members", "both")
    ).as_dict()
    return await _ask_pin_or_preview(update, context)


async def ku_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle one topic."""
    await toggle_topic(update, context, DRAFT, KU)
    return TOPICS


async def ku_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen."""
    topics = await topics_chosen(update, context, DRAFT)
    if topics is None:
        return TOPICS
    draft(context, DRAFT)["audience"] = Audience(topics=tuple(topics)).as_dict()
    return await _ask_pin_or_preview(update, context)


async def _ask_pin_or_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = draft(context, DRAFT)
    if Audience.from_dict(data["audience"]).group:
        rows = [[(texts.BTN_PIN_YES, f"{KU}:pin:yes"), (texts.BTN_PIN_NO, f"{KU}:pin:no")]]
        await say(update, context, texts.KU_ASK_PIN, keyboard(rows))
        return PIN
    data["pin"] = False
    return await _preview(update, context)


async def ku_pin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Pin it in the group, or not."""
    await pressed(update)
    draft(context, DRAFT)["pin"] = callback_arg(update) == "yes"
    return await _preview(update, context)


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = draft(context, DRAFT)
    audience = Audience.from_dict(data["audience"])
    chat_ids, label = await recipients(context, audience)
    if not chat_ids:
        await say(update, context, texts.KU_NO_RECIPIENTS, audience_keyboard())
        return AUDIENCE
    await show_preview(
        update,
        context,
        texts.KU_PREVIEW,
        announcement_text(data["text"]),
        texts.KU_CONFIRM.format(audience=label, recipients=texts.recipients(len(chat_ids))),
        keyboard([action_row(KU, texts.BTN_SEND, "send")]),
    )
    return CONFIRM


async def ku_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send: into the outbox, one copy per recipient."""
    await pressed(update)
    data = draft(context, DRAFT)
    announcement_id, queued = await publish(
        update,
        context,
        kind="announcement",
        text_html=data["text"],
        payload_text=announcement_text(data["text"]),
        audience=Audience.from_dict(data["audience"]),
        pin=bool(data.get("pin")),
    )
    drop_draft(context, DRAFT)
    await say(
        update,
        context,
        texts.KU_QUEUED.format(recipients=texts.recipients(queued)),
        manage_markup(announcement_id),
    )
    return END


async def ku_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A photo or file where text was expected."""
    await say(update, context, texts.KU_TEXT_ONLY)
    return TEXT


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The /kunngjoring conversation, and correcting/withdrawing as a second one."""
    return [
        conversation(
            "kunngjoring",
            KU,
            [CommandHandler("kunngjoring", kunngjoring)],
            {
                TEXT: [
                    *text_step(ku_text),
                    MessageHandler(~filters.TEXT & ~filters.COMMAND, coordinator_only(ku_not_text)),
                ],
                AUDIENCE: button_step(KU, ku_audience, "a:"),
                TOPICS: [*button_step(KU, ku_topic, "t:"), *button_step(KU, ku_topics_done, "done$")],
                PIN: button_step(KU, ku_pin, "pin:"),
                CONFIRM: button_step(KU, ku_send, "send$"),
            },
        ),
        corrections.build_conversation(),
        CallbackQueryHandler(stale_button, pattern=rf"^({KU}|{KR}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [
    registry.Command("kunngjoring", "Send en kunngjøring", COORD),
    registry.Command(
        "kunngjoringer", "Rett eller trekk tilbake det du har sendt", COORD, callback=kunngjoringer
    ),
]
