"""/nyfrist: a deadline entered by hand, for schemes without a feed (title, deadline, link, topics,
source, preview). /endrefrist and /slettfrist are handlers.manual_edit; this module registers all three."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from bot.push.confirm import PREFIX as CHECK_PREFIX
from bot.push.fanout import notify_new_calls
from bot.push.wake import wake_sender
from bot.region.presets import region
from handlers import registry
from handlers.conversation import (
    ask_topics,
    button_step,
    chosen_topic_names,
    conversation,
    draft,
    drop_draft,
    edit_text_step,
    editing,
    fits,
    fresh_draft,
    link_keyboard,
    read_link,
    stale_button,
    text_step,
    toggle_topic,
    topics_chosen,
)
from handlers.coordinator import (
    END,
    callback_arg,
    cancel_row,
    coordinator_only,
    keyboard,
    message_text,
    pressed,
    preview_row,
    say,
    services_of,
)
from handlers.manual_cards import MAX_SOURCE, MAX_TITLE, call_card, read_deadline, render_card
from handlers.manual_duplicates import DUP_NEXT, open_existing, warn_if_same
from handlers.manual_edit import (
    DELETE,
    DELETE_CONFIRM,
    DELETE_PICK,
    EDIT,
    EDIT_FIELD,
    EDIT_PICK,
    EDIT_TOPICS,
    EDIT_VALUE,
    delete_confirm,
    delete_pick,
    delete_pick_page,
    edit_field,
    edit_from_check,
    edit_pick,
    edit_pick_page,
    edit_topic,
    edit_topics_done,
    edit_value,
    endrefrist,
    slettfrist,
)
from storage import audit, manual

NEW_TITLE, NEW_DEADLINE, NEW_LINK, NEW_TOPICS, NEW_SOURCE, NEW_CONFIRM = (
    "nyfrist:tittel",
    "nyfrist:frist",
    "nyfrist:lenke",
    "nyfrist:emner",
    "nyfrist:kilde",
    "nyfrist:bekreft",
)
NEW_DUPLICATE = "nyfrist:finnes"
NEW = "nf"
DRAFT_NEW = "draft:nyfrist"


# ---- /nyfrist ---------------------------------------------------------------------------------
@coordinator_only
async def nyfrist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/nyfrist: start entering a deadline by hand."""
    fresh_draft(context, DRAFT_NEW)
    await say(update, context, texts.NF_ASK_TITLE)
    return NEW_TITLE


async def new_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The title of the new deadline."""
    title = message_text(update)
    if not await fits(update, context, title, MAX_TITLE):
        return NEW_TITLE
    data = draft(context, DRAFT_NEW)
    data["title"] = title
    if editing(context, DRAFT_NEW):
        return await _nf_preview(update, context)
    if await warn_if_same(update, context, NEW, data, next_step=NEW_DEADLINE, title=title):
        return NEW_DUPLICATE
    await say(update, context, texts.NF_ASK_DEADLINE + texts.CANCEL_HINT)
    return NEW_DEADLINE


async def new_deadline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The deadline, typed the Norwegian way."""
    parsed = await read_deadline(update, context)
    if parsed is None:
        return NEW_DEADLINE
    data = draft(context, DRAFT_NEW)
    data["deadline"], data["has_time"] = parsed[0].isoformat(), parsed[1]
    await say(
        update,
        context,
        texts.NF_ASK_LINK,
        link_keyboard(NEW),
    )
    return NEW_LINK


async def new_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The link (typed) or none (button)."""
    url = await read_link(update, context, NEW)
    if url is None:
        return NEW_LINK
    data = draft(context, DRAFT_NEW)
    data["url"] = url or None
    deadline_at = datetime.fromisoformat(data["deadline"])
    if url and await warn_if_same(
        update, context, NEW, data, next_step=NEW_TOPICS, url=url, deadline_at=deadline_at
    ):
        return NEW_DUPLICATE
    await ask_topics(update, context, DRAFT_NEW, NEW, texts.NF_ASK_TOPICS)
    return NEW_TOPICS


async def new_add_anyway(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """«Legg inn likevel»: on to the next step."""
    await pressed(update)
    if draft(context, DRAFT_NEW).pop(DUP_NEXT, NEW_DEADLINE) == NEW_TOPICS:
        await ask_topics(update, context, DRAFT_NEW, NEW, texts.NF_ASK_TOPICS)
        return NEW_TOPICS
    await say(update, context, texts.NF_ASK_DEADLINE + texts.CANCEL_HINT)
    return NEW_DEADLINE


async def new_open_existing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """«Åpne den»: the call already there, and nothing new."""
    return await open_existing(update, context, DRAFT_NEW)


async def new_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle a topic of the new deadline."""
    await toggle_topic(update, context, DRAFT_NEW, NEW)
    return NEW_TOPICS


async def new_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen: ask who is behind it."""
    if await topics_chosen(update, context, DRAFT_NEW) is None:
        return NEW_TOPICS
    data = draft(context, DRAFT_NEW)
    services = services_of(context)
    async with services.session() as session:
        names = await manual.manual_source_names(session)
    funders = region(services.settings.region).funders  # FOUI_REGION's (bot.region.presets)
    suggestions = list(dict.fromkeys([*names, *funders]))[:6]
    data["sources"] = suggestions
    rows = [[(name, f"{NEW}:s:{i}")] for i, name in enumerate(suggestions)]
    await say(update, context, texts.NF_ASK_SOURCE + texts.CANCEL_HINT, keyboard([*rows, cancel_row(NEW)]))
    return NEW_SOURCE


def _draft_card(data: dict[str, Any], context: ContextTypes.DEFAULT_TYPE) -> str:
    services = services_of(context)
    return render_card(
        title=data["title"],
        deadline_at=datetime.fromisoformat(data["deadline"]),
        has_time=bool(data["has_time"]),
        source=data["source"],
        topics=chosen_topic_names(data) or texts.NO_TOPICS,
        url=data.get("url"),
        now=services.now(),
        tz=services.settings.tz,
    )


async def new_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The source name (typed or a suggestion): show the preview."""
    data = draft(context, DRAFT_NEW)
    if update.callback_query is not None:
        await pressed(update)
        index = int(callback_arg(update))
        suggestions = data.get("sources", [])
        if not 0 <= index < len(suggestions):
            return NEW_SOURCE
        data["source"] = suggestions[index]
    else:
        source = message_text(update)
        if not await fits(update, context, source, MAX_SOURCE):
            return NEW_SOURCE
        data["source"] = source
    return await _nf_preview(update, context)


async def _nf_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    await say(
        update,
        context,
        texts.NF_PREVIEW.format(card=_draft_card(draft(context, DRAFT_NEW), context)),
        keyboard([preview_row(NEW, texts.BTN_SAVE, "save")]),
    )
    return NEW_CONFIRM


async def new_save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Save the new deadline: from now on it is a call like the polled ones."""
    data = draft(context, DRAFT_NEW)
    await pressed(update)
    services = services_of(context)
    user = update.effective_user
    now = services.now()
    async with services.session() as session:
        call = await manual.create_manual_call(
            session,
            title=data["title"],
            deadline_at=datetime.fromisoformat(data["deadline"]),
            has_time=bool(data["has_time"]),
            url=data.get("url"),
            topic_slugs=data.get("topics", []),
            source_name=data["source"],
            created_by=user.id if user else None,
            now=now,
        )
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="manual_deadline_created",
            detail={"call_id": call.id, "title": call.title[:200]},
            at=now,
        )
        # The same notice as a polled call, queued in this transaction.
        queued = await notify_new_calls(session, services, [call.id])
        card = call_card(call, now, services.settings.tz)
    if queued:
        wake_sender(services)
    drop_draft(context, DRAFT_NEW)
    await say(update, context, f"{texts.NF_SAVED}\n\n{card}")
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The three conversations, and an answer for their buttons once they are over."""
    return [
        conversation(
            "nyfrist",
            NEW,
            [CommandHandler("nyfrist", nyfrist)],
            {
                NEW_TITLE: text_step(new_title),
                NEW_DUPLICATE: [
                    *button_step(NEW, new_open_existing, r"open:\d+$"),
                    *button_step(NEW, new_add_anyway, "dupok$"),
                ],
                NEW_DEADLINE: text_step(new_deadline),
                NEW_LINK: [*text_step(new_link), *button_step(NEW, new_link, "nolink$")],
                NEW_TOPICS: [*button_step(NEW, new_topic, "t:"), *button_step(NEW, new_topics_done, "done$")],
                NEW_SOURCE: [*text_step(new_source), *button_step(NEW, new_source, r"s:\d+$")],
                NEW_CONFIRM: [
                    *button_step(NEW, new_save, "save$"),
                    *edit_text_step(NEW, DRAFT_NEW, texts.ASK_NEW_TITLE, NEW_TITLE),
                ],
            },
        ),
        conversation(
            "endrefrist",
            EDIT,
            [
                CommandHandler("endrefrist", endrefrist),
                CallbackQueryHandler(edit_from_check, pattern=rf"^{CHECK_PREFIX}:edit:\d+:\w+$"),
            ],
            {
                EDIT_PICK: [
                    *button_step(EDIT, edit_pick, r"c:\d+$"),
                    *button_step(EDIT, edit_pick_page, r"pg:\d+$"),
                ],
                EDIT_FIELD: button_step(EDIT, edit_field, "f:"),
                EDIT_VALUE: [*text_step(edit_value), *button_step(EDIT, edit_value, "nolink$")],
                EDIT_TOPICS: [
                    *button_step(EDIT, edit_topic, "t:"),
                    *button_step(EDIT, edit_topics_done, "done$"),
                ],
            },
        ),
        conversation(
            "slettfrist",
            DELETE,
            [CommandHandler("slettfrist", slettfrist)],
            {
                DELETE_PICK: [
                    *button_step(DELETE, delete_pick, r"c:\d+$"),
                    *button_step(DELETE, delete_pick_page, r"pg:\d+$"),
                ],
                DELETE_CONFIRM: button_step(DELETE, delete_confirm, r"del:\d+$"),
            },
        ),
        CallbackQueryHandler(stale_button, pattern=rf"^({NEW}|{EDIT}|{DELETE}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [
    registry.Command("nyfrist", "Legg inn en frist for hånd", COORD),
    registry.Command("endrefrist", "Endre en frist, også for hentede utlysninger", COORD),
    registry.Command("slettfrist", "Slett en frist du har lagt inn", COORD),
]
