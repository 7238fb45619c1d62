"""/registrer: a member says which municipality they are the FoUI contact for, and their role.

The municipality is chosen with buttons (paged) or found by typing part of its name; then the role
is typed. Coordinators get a notice with approve/reject buttons (handlers.register_decide); the
member is told the outcome. This module registers the conversation and the decision buttons.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.region.municipalities import Municipalities
from bot.texts.i18n import use_language
from handlers.common import (
    Button,
    answer,
    current_chat,
    edit,
    edit_markup,
    esc,
    is_private,
    keyboard,
    reply,
    services,
)
from handlers.network import coordinator_user_ids, municipality_list, named_rows, notify_grouped, private_only
from handlers.register_decide import DECIDE, decide_registration, decision_rows, render_line, render_notice
from handlers.registry import PRIVATE, Command
from storage import audit, registry
from storage.registry import RegistrationStatus, Submitted

MUNICIPALITY, ROLE = range(2)
END = ConversationHandler.END
PREFIX = "nw.r"
PAGE_SIZE = 10  # handlers.paging.PAGE_SIZE: every list with buttons pages at 10
COLUMNS = 3
MAX_CHOICES = 24
DRAFT = "nw.registration"
TIMEOUT_SECONDS = 30 * 60

ACTION_SUBMITTED = "registration.submitted"

STATUS_TEXT = {
    RegistrationStatus.PENDING: texts.REG_STATUS_PENDING,
    RegistrationStatus.APPROVED: texts.REG_STATUS_APPROVED,
    RegistrationStatus.REJECTED: texts.REG_STATUS_REJECTED,
}


# ---- the picker --------------------------------------------------------------------------------


def _grid(names: Sequence[str]) -> list[list[Button]]:
    buttons = [(name, f"{PREFIX}:k:{name}") for name in names]
    return [buttons[i : i + COLUMNS] for i in range(0, len(buttons), COLUMNS)]


def picker_markup(municipalities: Municipalities, page: int) -> InlineKeyboardMarkup | None:
    names, pages = municipalities.page(page, PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    rows = _grid(names)
    nav: list[Button] = []
    if page > 0:
        nav.append((texts.REG_PREV_BUTTON, f"{PREFIX}:p:{page - 1}"))
    if page < pages - 1:
        nav.append((texts.REG_NEXT_BUTTON, f"{PREFIX}:p:{page + 1}"))
    rows.append(nav)
    rows.append([(texts.NW_CANCEL_BUTTON, f"{PREFIX}:x")])
    return keyboard(rows)


def picker_text(municipalities: Municipalities, page: int, current: str = "") -> str:
    _, pages = municipalities.page(page, PAGE_SIZE)
    parts = [texts.REG_ASK_MUNICIPALITY]
    if current:
        parts.append(current)
    if pages > 1:
        parts.append(texts.REG_PAGE.format(page=min(max(page, 0), pages - 1) + 1, pages=pages))
    return "\n\n".join(parts)


def choices_markup(names: Sequence[str]) -> InlineKeyboardMarkup | None:
    rows = _grid(names[:MAX_CHOICES])
    rows.append([(texts.NW_CANCEL_BUTTON, f"{PREFIX}:x")])
    return keyboard(rows)


def cancel_markup() -> InlineKeyboardMarkup | None:
    return keyboard([[(texts.NW_CANCEL_BUTTON, f"{PREFIX}:x")]])


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    value: dict[str, Any] = context.user_data.setdefault(DRAFT, {})
    return value


def _drop_draft(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


# ---- the conversation --------------------------------------------------------------------------


async def registrer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/registrer: choose the municipality you are the FoUI contact for."""
    if not is_private(update):
        await private_only(update, context, "registrer")
        return END
    await answer(update)
    _drop_draft(context)
    svc = services(context)
    current = ""
    async with svc.session() as session:
        await current_chat(session, update, svc.now())
        user = update.effective_user
        existing = await registry.registration_of(session, user.id) if user else None
        if existing is not None:
            current = texts.REG_CURRENT.format(
                municipality=esc(existing.municipality), status=texts.tr(STATUS_TEXT.get(existing.status, ""))
            )
    municipalities = municipality_list(context)
    await reply(update, context, picker_text(municipalities, 0, current), picker_markup(municipalities, 0))
    return MUNICIPALITY


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A page button in the municipality picker."""
    await answer(update)
    data = update.callback_query.data if update.callback_query else ""
    try:
        page = int(str(data).rsplit(":", 1)[-1])
    except ValueError:
        page = 0
    municipalities = municipality_list(context)
    await edit(update, context, picker_text(municipalities, page), picker_markup(municipalities, page))
    return MUNICIPALITY


async def _ask_role(
    update: Update, context: ContextTypes.DEFAULT_TYPE, municipality: str, *, by_edit: bool
) -> int:
    _draft(context)["municipality"] = municipality
    text = texts.REG_ASK_ROLE.format(municipality=esc(municipality))
    if by_edit:
        await edit(update, context, text, cancel_markup())
    else:
        await reply(update, context, text, cancel_markup())
    return ROLE


async def choose_municipality(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A municipality button: go on to the role."""
    await answer(update)
    data = str(update.callback_query.data if update.callback_query else "")
    name = municipality_list(context).canonical(data.split(":", 2)[-1])
    if name is None:
        municipalities = municipality_list(context)
        await edit(
            update,
            context,
            texts.REG_UNKNOWN_MUNICIPALITY + "\n\n" + picker_text(municipalities, 0),
            picker_markup(municipalities, 0),
        )
        return MUNICIPALITY
    return await _ask_role(update, context, name, by_edit=True)


async def type_municipality(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Part of a municipality's name, typed: one match goes on, several are offered as buttons."""
    message = update.effective_message
    query = (message.text or "").strip() if message else ""
    municipalities = municipality_list(context)
    found = municipalities.find(query)
    if len(found) == 1:
        return await _ask_role(update, context, found[0], by_edit=False)
    if found:
        await reply(update, context, texts.REG_SEVERAL.format(query=esc(query)), choices_markup(found))
        return MUNICIPALITY
    await reply(
        update,
        context,
        texts.REG_NO_MATCH.format(query=esc(query[:100])) + "\n\n" + picker_text(municipalities, 0),
        picker_markup(municipalities, 0),
    )
    return MUNICIPALITY


async def type_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The role, typed: the registration is sent to the coordinators."""
    message = update.effective_message
    user = update.effective_user
    role = " ".join((message.text or "").split()) if message else ""
    municipality = _draft(context).get("municipality")
    if user is None or not municipality:
        return await cancel(update, context)
    if not role:
        await reply(update, context, texts.REG_ROLE_EMPTY, cancel_markup())
        return ROLE
    if len(role) > registry.MAX_ROLE:
        await reply(update, context, texts.REG_ROLE_TOO_LONG.format(limit=registry.MAX_ROLE), cancel_markup())
        return ROLE
    coordinators = await coordinator_user_ids(context)
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        registration, outcome = await registry.submit(session, chat, municipality, role, svc.now())
        if outcome == Submitted.NEW:
            await audit.record(
                session,
                actor_id=user.id,
                action=ACTION_SUBMITTED,
                detail={"registration_id": registration.id, "user_id": user.id, "municipality": municipality},
                at=svc.now(),
            )
            with use_language(svc.settings.language):  # the coordinators' notice in the network's language
                await notify_grouped(
                    context,
                    session,
                    coordinators,
                    kind=registry.KIND_REGISTRATION,
                    key=f"reg:{user.id}",
                    about=user.id,
                    line=render_line(chat.name, chat.username, registration),
                    notice=render_notice(chat.name, chat.username, registration),
                    rows=named_rows(decision_rows(registration), chat.name),
                )
        status = texts.tr(STATUS_TEXT.get(registration.status, ""))
    _drop_draft(context)
    values = {
        "municipality": esc(registration.municipality),
        "role": esc(registration.role),
        "status": status,
    }
    if outcome == Submitted.NEW:
        text = texts.REG_SENT.format(**values)
    elif outcome == Submitted.ROLE_UPDATED:
        text = texts.REG_ROLE_UPDATED.format(**values)
    else:
        text = texts.REG_UNCHANGED.format(**values)
    await reply(update, context, text)
    return END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/avbryt or the cancel button: stop registering, nothing saved."""
    _drop_draft(context)
    await answer(update)
    if update.callback_query is not None:
        await edit(update, context, texts.REG_CANCELLED)
    else:
        await reply(update, context, texts.REG_CANCELLED)
    return END


async def timed_out(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The conversation was left half done: forget the draft."""
    _drop_draft(context)


# ---- registration ------------------------------------------------------------------------------


COMMANDS: list[Command] = [Command("registrer", texts.CMD_REGISTRER, frozenset({PRIVATE}))]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # per_message=False is what we want: one registration per person, buttons or typing.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[
                CommandHandler("registrer", registrer),
                CommandHandler("start", registrer, filters.Regex(r"^/start(@\w+)?\s+registrer\s*$")),
                CallbackQueryHandler(registrer, pattern=rf"^{PREFIX}:start$"),
            ],
            states={
                MUNICIPALITY: [
                    CallbackQueryHandler(turn_page, pattern=rf"^{PREFIX}:p:\d+$"),
                    CallbackQueryHandler(choose_municipality, pattern=rf"^{PREFIX}:k:"),
                    MessageHandler(text & filters.ChatType.PRIVATE, type_municipality),
                ],
                ROLE: [MessageHandler(text & filters.ChatType.PRIVATE, type_role)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("avbryt", cancel),
                CallbackQueryHandler(cancel, pattern=rf"^{PREFIX}:x$"),
            ],
            name="registrer",
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
            persistent=True,  # kept in the database: a restart or another replica continues it
        )
    return [
        conversation,
        CallbackQueryHandler(decide_registration, pattern=rf"^{DECIDE}:[ar]:\d+:[0-9a-f]+$"),
        # A picker button from a conversation that is over (or from before a restart).
        CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"),
    ]


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A registration button whose conversation has ended: start again."""
    await answer(update, texts.REG_TIMED_OUT, alert=True)
    await edit_markup(update, context, None)
