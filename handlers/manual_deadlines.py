"""/nyfrist, /endrefrist, /slettfrist: deadlines entered by hand, for schemes without a feed."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from bot.push.fanout import notify_deadline_changes, notify_new_calls
from bot.push.wake import wake_sender
from handlers import registry
from handlers.coordinator import (
    END,
    action_row,
    ask_topics,
    button_step,
    callback_arg,
    cancel_row,
    chosen_topic_names,
    conversation,
    coordinator_only,
    date_in_past,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    keyboard,
    link_keyboard,
    message_text,
    pressed,
    read_link,
    say,
    services_of,
    stale_button,
    text_step,
    toggle_topic,
    topic_names,
    topics_chosen,
)
from handlers.typed_dates import parse_typed_datetime
from storage import audit, manual, pushes
from storage.models import Call

NEW_TITLE, NEW_DEADLINE, NEW_LINK, NEW_TOPICS, NEW_SOURCE, NEW_CONFIRM = (
    "nyfrist:tittel",
    "nyfrist:frist",
    "nyfrist:lenke",
    "nyfrist:emner",
    "nyfrist:kilde",
    "nyfrist:bekreft",
)
EDIT_PICK, EDIT_FIELD, EDIT_VALUE, EDIT_TOPICS = (
    "endrefrist:velg",
    "endrefrist:felt",
    "endrefrist:verdi",
    "endrefrist:emner",
)
DELETE_PICK, DELETE_CONFIRM = "slettfrist:velg", "slettfrist:bekreft"

NEW, EDIT, DELETE = "nf", "ef", "sf"
DRAFT_NEW, DRAFT_EDIT = "draft:nyfrist", "draft:endrefrist"
DEFAULT_SOURCES = ("KS", "Statsforvalteren i Trøndelag", "Trøndelag fylkeskommune")
MAX_TITLE = 300
MAX_SOURCE = 120


# ---- rendering (plain functions) --------------------------------------------------------------
def render_card(
    *,
    title: str,
    deadline_at: datetime,
    has_time: bool,
    source: str,
    topics: str,
    url: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> str:
    """One call as the coordinator sees it before and after saving (topics already escaped)."""
    link = texts.CALL_CARD_LINK.format(url=html.escape(url), url_text=html.escape(url[:80])) if url else ""
    return texts.CALL_CARD.format(
        title=html.escape(title),
        deadline=format_when(deadline_at, has_time, tz, now),
        days_left=texts.format_days_left(texts.days_left(deadline_at, now, tz)),
        source=html.escape(source),
        topics=topics,
        link=link,
    )


def format_when(at: datetime, has_time: bool, tz: ZoneInfo, now: datetime) -> str:
    return texts.format_datetime(at, has_time=has_time, tz=tz, today=now.astimezone(tz).date())


def call_card(call: Call, now: datetime, tz: ZoneInfo) -> str:
    assert call.deadline_at is not None
    return render_card(
        title=call.title,
        deadline_at=call.deadline_at,
        has_time=call.deadline_has_time,
        source=call.source_name,
        topics=topic_names(call.topics),
        url=call.url,
        now=now,
        tz=tz,
    )


def call_button_label(call: Call, tz: ZoneInfo) -> str:
    when = (
        texts.format_date(call.deadline_at.astimezone(tz).date(), weekday=False) if call.deadline_at else ""
    )
    title = call.title if len(call.title) <= 40 else call.title[:39] + "…"
    return f"{title} · {when}"


async def read_deadline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[datetime, bool] | None:
    """Parse the typed deadline; tell the person clearly when it cannot be used."""
    services = services_of(context)
    typed = message_text(update)
    now = services.now()
    tz = services.settings.tz
    parsed = parse_typed_datetime(typed, now=now, tz=tz)
    if parsed is None:
        await say(update, context, texts.DATE_NOT_UNDERSTOOD.format(text=html.escape(typed[:100])))
        return None
    if parsed.ends_at <= now:
        await say(update, context, date_in_past(parsed.at, parsed.has_time, tz, now))
        return None
    return parsed.at, parsed.has_time


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
    draft(context, DRAFT_NEW)["title"] = title
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
    draft(context, DRAFT_NEW)["url"] = url or None
    await ask_topics(update, context, DRAFT_NEW, NEW, texts.NF_ASK_TOPICS)
    return NEW_TOPICS


async def new_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle a topic of the new deadline."""
    await toggle_topic(update, context, DRAFT_NEW, NEW)
    return NEW_TOPICS


async def new_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen: ask who is behind it."""
    if await topics_chosen(update, context, DRAFT_NEW) is None:
        return NEW_TOPICS
    data = draft(context, DRAFT_NEW)
    async with services_of(context).session() as session:
        names = await manual.manual_source_names(session)
    suggestions = list(dict.fromkeys([*names, *DEFAULT_SOURCES]))[:6]
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
    await say(
        update,
        context,
        texts.NF_PREVIEW.format(card=_draft_card(data, context)),
        keyboard([action_row(NEW, texts.BTN_SAVE, "save")]),
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


# ---- /endrefrist ------------------------------------------------------------------------------
async def _pick_list(update: Update, context: ContextTypes.DEFAULT_TYPE, prefix: str, prompt: str) -> bool:
    services = services_of(context)
    async with services.session() as session:
        calls = await manual.list_manual_calls(session, limit=40)
    if not calls:
        await say(update, context, texts.EF_NONE)
        return False
    tz = services.settings.tz
    rows = [[(call_button_label(c, tz), f"{prefix}:c:{c.id}")] for c in calls]
    await say(update, context, prompt, keyboard([*rows, cancel_row(prefix)]))
    return True


@coordinator_only
async def endrefrist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """/endrefrist: change a deadline entered by hand."""
    drop_draft(context, DRAFT_EDIT)
    return EDIT_PICK if await _pick_list(update, context, EDIT, texts.EF_PICK) else END


async def _show_fields(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int) -> bool:
    services = services_of(context)
    async with services.session() as session:
        call = await manual.get_manual_call(session, call_id)
        card = call_card(call, services.now(), services.settings.tz) if call else None
    if card is None:
        await say(update, context, texts.EF_GONE)
        return False
    fields = [
        (texts.BTN_FIELD_TITLE, "title"),
        (texts.BTN_FIELD_DEADLINE, "deadline"),
        (texts.BTN_FIELD_LINK, "link"),
        (texts.BTN_FIELD_TOPICS, "topics"),
        (texts.BTN_FIELD_SOURCE, "source"),
    ]
    buttons = [(label, f"{EDIT}:f:{name}") for label, name in fields]
    await say(
        update,
        context,
        texts.EF_WHAT.format(card=card),
        keyboard([buttons[:3], buttons[3:], cancel_row(EDIT)]),
    )
    return True


async def edit_pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """The deadline to change."""
    await pressed(update)
    call_id = int(callback_arg(update))
    draft(context, DRAFT_EDIT)["call_id"] = call_id
    return EDIT_FIELD if await _show_fields(update, context, call_id) else END


async def edit_field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Which field to change."""
    await pressed(update)
    field = callback_arg(update)
    data = draft(context, DRAFT_EDIT)
    data["field"] = field
    if field == "topics":
        services = services_of(context)
        async with services.session() as session:
            call = await manual.get_manual_call(session, int(data["call_id"]))
            chosen = [t.slug for t in call.topics] if call else []
        await ask_topics(update, context, DRAFT_EDIT, EDIT, texts.EF_ASK_TOPICS, chosen=chosen)
        return EDIT_TOPICS
    prompts = {
        "title": texts.EF_ASK_TITLE,
        "deadline": texts.EF_ASK_DEADLINE,
        "link": texts.EF_ASK_LINK,
        "source": texts.EF_ASK_SOURCE,
    }
    markup: InlineKeyboardMarkup | None = None
    if field == "link":
        markup = link_keyboard(EDIT)
    await say(update, context, prompts.get(field, texts.EF_ASK_TITLE) + texts.CANCEL_HINT, markup)
    return EDIT_VALUE


async def _save_edit(update: Update, context: ContextTypes.DEFAULT_TYPE, **changes: Any) -> int:
    services = services_of(context)
    data = draft(context, DRAFT_EDIT)
    user = update.effective_user
    now = services.now()
    queued = 0
    async with services.session() as session:
        change = await manual.update_manual_call(session, int(data["call_id"]), now=now, **changes)
        if change is not None and change.deadline_changed:
            # As for a polled call: reminders follow the new date, those who were told hear of it.
            await manual.cancel_pending_pushes(
                session, change.call.id, kinds=(pushes.KIND_REMINDER, pushes.KIND_DEADLINE_CHANGED)
            )
            queued = await notify_deadline_changes(
                session,
                services,
                [(change.call.id, change.old_deadline_at, change.call.deadline_at, False, False)],
            )
        if change is not None:
            await audit.record(
                session,
                actor_id=user.id if user else None,
                action="manual_deadline_changed",
                detail={"call_id": change.call.id, "field": data.get("field")},
                at=now,
            )
            card = call_card(change.call, now, services.settings.tz)
    if queued:
        wake_sender(services)
    drop_draft(context, DRAFT_EDIT)
    await say(update, context, texts.EF_SAVED.format(card=card) if change is not None else texts.EF_GONE)
    return END


async def edit_value(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """The new value for the chosen field (typed, or 'Uten lenke')."""
    field = draft(context, DRAFT_EDIT).get("field")
    if field == "link" or update.callback_query is not None:
        url = await read_link(update, context, EDIT)
        if url is None:
            return EDIT_VALUE
        changes: dict[str, Any] = {"url": url} if url else {"clear_url": True}
        return await _save_edit(update, context, **changes)
    typed = message_text(update)
    if field == "deadline":
        parsed = await read_deadline(update, context)
        if parsed is None:
            return EDIT_VALUE
        return await _save_edit(update, context, deadline=parsed)
    limit = MAX_SOURCE if field == "source" else MAX_TITLE
    if not await fits(update, context, typed, limit):
        return EDIT_VALUE
    if field == "source":
        return await _save_edit(update, context, source_name=typed)
    return await _save_edit(update, context, title=typed)


async def edit_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle a topic of the deadline being changed."""
    await toggle_topic(update, context, DRAFT_EDIT, EDIT)
    return EDIT_TOPICS


async def edit_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Save the changed topics."""
    topics = await topics_chosen(update, context, DRAFT_EDIT)
    if topics is None:
        return EDIT_TOPICS
    return await _save_edit(update, context, topic_slugs=topics)


# ---- /slettfrist ------------------------------------------------------------------------------
@coordinator_only
async def slettfrist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """/slettfrist: remove a deadline entered by hand."""
    return DELETE_PICK if await _pick_list(update, context, DELETE, texts.SF_PICK) else END


async def delete_pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """The deadline to remove: ask to confirm."""
    await pressed(update)
    call_id = int(callback_arg(update))
    services = services_of(context)
    async with services.session() as session:
        call = await manual.get_manual_call(session, call_id)
        card = call_card(call, services.now(), services.settings.tz) if call else None
    if card is None:
        await say(update, context, texts.EF_GONE)
        return END
    await say(
        update,
        context,
        texts.SF_CONFIRM.format(card=card),
        keyboard([action_row(DELETE, texts.BTN_DELETE, f"del:{call_id}")]),
    )
    return DELETE_CONFIRM


async def delete_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remove it."""
    await pressed(update)
    services = services_of(context)
    user = update.effective_user
    now = services.now()
    async with services.session() as session:
        call = await manual.remove_manual_call(session, int(callback_arg(update)), now=now)
        if call is not None:
            await manual.cancel_pending_pushes(
                session,
                call.id,
                kinds=(pushes.KIND_NEW_CALL, pushes.KIND_REMINDER, pushes.KIND_DEADLINE_CHANGED),
            )
            await audit.record(
                session,
                actor_id=user.id if user else None,
                action="manual_deadline_removed",
                detail={"call_id": call.id, "title": call.title[:200]},
                at=now,
            )
    await say(update, context, texts.SF_DONE.format(title=html.escape(call.title)) if call else texts.EF_GONE)
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
                NEW_DEADLINE: text_step(new_deadline),
                NEW_LINK: [*text_step(new_link), *button_step(NEW, new_link, "nolink$")],
                NEW_TOPICS: [*button_step(NEW, new_topic, "t:"), *button_step(NEW, new_topics_done, "done$")],
                NEW_SOURCE: [*text_step(new_source), *button_step(NEW, new_source, r"s:\d+$")],
                NEW_CONFIRM: button_step(NEW, new_save, "save$"),
            },
        ),
        conversation(
            "endrefrist",
            EDIT,
            [CommandHandler("endrefrist", endrefrist)],
            {
                EDIT_PICK: button_step(EDIT, edit_pick, r"c:\d+$"),
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
                DELETE_PICK: button_step(DELETE, delete_pick, r"c:\d+$"),
                DELETE_CONFIRM: button_step(DELETE, delete_confirm, r"del:\d+$"),
            },
        ),
        CallbackQueryHandler(stale_button, pattern=rf"^({NEW}|{EDIT}|{DELETE}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [
    registry.Command("nyfrist", "Legg inn en frist for hånd", COORD),
    registry.Command("endrefrist", "Endre en frist du har lagt inn", COORD),
    registry.Command("slettfrist", "Slett en frist du har lagt inn", COORD),
]
