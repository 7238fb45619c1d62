"""/endrefrist and /slettfrist: change a field of a deadline entered by hand, or remove it."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.push.confirm import after_answer
from bot.push.fanout import notify_deadline_changes
from bot.push.wake import wake_sender
from handlers.conversation import (
    ask_topics,
    draft,
    drop_draft,
    fits,
    link_keyboard,
    read_link,
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
    message_text,
    pressed,
    say,
    services_of,
)
from handlers.manual_cards import (
    MAX_SOURCE,
    MAX_TITLE,
    call_card,
    editable_card,
    pick_editable,
    pick_list,
    read_deadline,
)
from storage import audit, manual, truth
from storage.rules.deadline_truth import Reading
from storage.rules.kinds import KIND_DEADLINE_CHANGED, KIND_NEW_CALL, KIND_REMINDER

EDIT_PICK, EDIT_FIELD, EDIT_VALUE, EDIT_TOPICS = (
    "endrefrist:velg",
    "endrefrist:felt",
    "endrefrist:verdi",
    "endrefrist:emner",
)
DELETE_PICK, DELETE_CONFIRM = "slettfrist:velg", "slettfrist:bekreft"
EDIT, DELETE = "ef", "sf"
DRAFT_EDIT = "draft:endrefrist"
# ---- /endrefrist ------------------------------------------------------------------------------


@coordinator_only
async def endrefrist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """/endrefrist [ord]: change a deadline, one entered by hand or a polled call's."""
    drop_draft(context, DRAFT_EDIT)
    words = " ".join(context.args or [])
    return EDIT_PICK if await pick_editable(update, context, EDIT, words) else END


@coordinator_only
async def edit_from_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """ "Endre frist" under the coordinators' question: straight to typing the deadline."""
    await pressed(update)
    parts = str(update.callback_query.data if update.callback_query else "").split(":")
    if len(parts) < 3 or not parts[2].isdigit():
        return END
    data = draft(context, DRAFT_EDIT)
    data.update(call_id=int(parts[2]), field="deadline")
    await say(update, context, texts.EF_ASK_DEADLINE + texts.CANCEL_HINT)
    return EDIT_VALUE


async def _show_fields(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int) -> bool:
    services = services_of(context)
    async with services.session() as session:
        call = await truth.get_call(session, call_id)
        polled = call is not None and not call.manual
        card = editable_card(call, services.now(), services.settings.tz) if call else None
    if card is None:
        await say(update, context, texts.EF_GONE)
        return False
    if polled:
        rows = [
            [(texts.BTN_FIELD_DEADLINE, f"{EDIT}:f:deadline")],
            [(texts.BTN_FIELD_ROLLING, f"{EDIT}:f:rolling"), (texts.BTN_FIELD_NONE, f"{EDIT}:f:none")],
            cancel_row(EDIT),
        ]
        await say(update, context, texts.EF_WHAT_POLLED.format(card=card), keyboard(rows))
        return True
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


async def edit_field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Which field to change."""
    await pressed(update)
    field = callback_arg(update)
    data = draft(context, DRAFT_EDIT)
    data["field"] = field
    if field in ("rolling", "none"):
        return await _save_edit(update, context, reading=Reading(rolling=field == "rolling"))
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


async def _save_polled(update: Update, context: ContextTypes.DEFAULT_TYPE, reading: Reading) -> int:
    """A coordinator's deadline for a polled call: kept across polls (``storage.truth.override``)."""
    services = services_of(context)
    call_id = int(draft(context, DRAFT_EDIT)["call_id"])
    user = update.effective_user
    now = services.now()
    queued = 0
    async with services.session() as session:
        result = await truth.override(session, call_id, reading, by=user.id if user else None, now=now)
        if isinstance(result, truth.Answer):
            queued = await after_answer(session, services, result)
            await audit.record(
                session,
                actor_id=user.id if user else None,
                action="deadline_set",
                detail={"call_id": call_id, "reading": reading.key()},
                at=now,
            )
            card = editable_card(result.call, now, services.settings.tz)
    if queued:
        wake_sender(services)
    drop_draft(context, DRAFT_EDIT)
    await say(
        update,
        context,
        texts.EF_SAVED.format(card=card) if isinstance(result, truth.Answer) else texts.EF_GONE,
    )
    return END


async def _save_edit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, reading: Reading | None = None, **changes: Any
) -> int:
    services = services_of(context)
    data = draft(context, DRAFT_EDIT)
    async with services.session() as session:
        call = await truth.get_call(session, int(data["call_id"]))
        polled = call is not None and not call.manual
    if polled or reading is not None:
        if reading is None:
            at, has_time = changes["deadline"]
            reading = Reading(at, has_time)
        return await _save_polled(update, context, reading)
    user = update.effective_user
    now = services.now()
    queued = 0
    async with services.session() as session:
        change = await manual.update_manual_call(session, int(data["call_id"]), now=now, **changes)
        if change is not None and change.deadline_changed:
            # As for a polled call: reminders follow the new date, those who were told hear of it.
            await manual.cancel_pending_pushes(
                session, change.call.id, kinds=(KIND_REMINDER, KIND_DEADLINE_CHANGED)
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
    return DELETE_PICK if await pick_list(update, context, DELETE, texts.SF_PICK) else END


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
                kinds=(KIND_NEW_CALL, KIND_REMINDER, KIND_DEADLINE_CHANGED),
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
