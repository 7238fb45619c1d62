"""/registrer: a member says which municipality they are the FoUI contact for, and their role.

The municipality is chosen with buttons (paged) or found by typing part of its name; then the role
is typed. Coordinators get a notice with approve/reject buttons (checked on the server side at
every press); the member is told the outcome.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
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
from bot.region.municipalities import Municipalities, from_settings
from handlers.auth import chat_admin_ids, is_coordinator
from handlers.common import (
    Button,
    answer,
    current_chat,
    deep_link,
    edit,
    edit_markup,
    esc,
    is_private,
    keyboard,
    reply,
    services,
)
from handlers.coordinator import refuse
from handlers.registry import PRIVATE, Command
from storage import audit, outbox, registry
from storage.models import Registration
from storage.registry import RegistrationStatus, Submitted

log = logging.getLogger(__name__)

MUNICIPALITY, ROLE = range(2)
END = ConversationHandler.END
PREFIX = "nw.r"
DECIDE = "nw.d"
PAGE_SIZE = 12
COLUMNS = 3
MAX_CHOICES = 24
DRAFT = "nw.registration"
TIMEOUT_SECONDS = 30 * 60

ACTION_SUBMITTED = "registration.submitted"
ACTION_APPROVED = "registration.approved"
ACTION_REJECTED = "registration.rejected"

STATUS_TEXT = {
    RegistrationStatus.PENDING: texts.REG_STATUS_PENDING,
    RegistrationStatus.APPROVED: texts.REG_STATUS_APPROVED,
    RegistrationStatus.REJECTED: texts.REG_STATUS_REJECTED,
}


# ---- shared with contacts and membership -------------------------------------------------------


def municipality_list(context: ContextTypes.DEFAULT_TYPE) -> Municipalities:
    """The configured municipalities (read once per Application)."""
    svc = services(context)
    cached = svc.extras.get("municipalities")
    if not isinstance(cached, Municipalities):
        cached = from_settings(svc.settings.municipalities, svc.settings.municipalities_file)
        svc.extras["municipalities"] = cached
    return cached


def username_part(username: str | None) -> str:
    return texts.CONTACTS_USERNAME.format(username=esc(username)) if username else ""


async def coordinator_user_ids(context: ContextTypes.DEFAULT_TYPE) -> set[int]:
    """The configured coordinators and the network group's administrators (not the bot)."""
    settings = services(context).settings
    ids = set(settings.coordinator_ids)
    if settings.group_chat_id is not None:
        ids |= await chat_admin_ids(context, settings.group_chat_id)
    ids.discard(context.bot.id)
    return ids


async def notify_coordinators(
    session: Any,
    coordinator_ids: Iterable[int],
    *,
    kind: str,
    subject: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Queue a notice to every coordinator the bot can write to; returns how many were queued.

    A coordinator who has never started the bot cannot be written to and is skipped (logged).
    """
    wanted = set(coordinator_ids)
    chats = await registry.private_chat_ids(session, wanted)
    if wanted - set(chats):
        log.info("coordinators %s have not started the bot; they get no notice", sorted(wanted - set(chats)))
    payload: dict[str, Any] = {"text": text}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    queued = 0
    for chat_id in sorted(chats.values()):
        queued += await outbox.enqueue(session, chat_id=chat_id, kind=kind, subject=subject, payload=payload)
    return queued


def open_private_markup(context: ContextTypes.DEFAULT_TYPE, payload: str) -> InlineKeyboardMarkup | None:
    return keyboard([[(texts.NW_OPEN_PRIVATE_BUTTON, "url:" + deep_link(context, payload))]])


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Personal things happen in a private chat: say so, with a button that opens one."""
    await answer(update)
    await reply(
        update,
        context,
        texts.NW_PRIVATE_ONLY.format(command=esc("/" + command)),
        open_private_markup(context, command),
    )


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
                municipality=esc(existing.municipality), status=STATUS_TEXT.get(existing.status, "")
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
            await notify_coordinators(
                session,
                coordinators,
                kind=registry.KIND_REGISTRATION,
                subject=registry.subject_about(
                    user.id, registration.id, registry.request_token(registration)
                ),
                text=render_notice(chat.name, chat.username, registration),
                markup=decision_markup(registration),
            )
        status = STATUS_TEXT.get(registration.status, "")
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


# ---- the coordinators' decision ----------------------------------------------------------------


def render_notice(name: str, username: str | None, registration: Registration) -> str:
    return texts.REG_NOTIFY.format(
        name=esc(name or "?"),
        username=username_part(username),
        municipality=esc(registration.municipality),
        role=esc(registration.role),
    )


def decision_markup(registration: Registration) -> InlineKeyboardMarkup | None:
    """Approve/reject buttons for exactly this request (its id and token)."""
    key = f"{registration.id}:{registry.request_token(registration)}"
    return keyboard(
        [[(texts.REG_APPROVE_BUTTON, f"{DECIDE}:a:{key}"), (texts.REG_REJECT_BUTTON, f"{DECIDE}:r:{key}")]]
    )


async def refuse_button(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    """Someone who is not a coordinator pressed a coordinator's button: audit it, say no (the one
    refusal every coordinator command and button gives)."""
    await refuse(update, context, action)


async def decide_registration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator's approve/reject button (the coordinator is checked at every press)."""
    user = update.effective_user
    if user is None or not await is_coordinator(context, user.id):
        await refuse_button(update, context, "decide_registration")
        return
    data = str(update.callback_query.data if update.callback_query else "")
    _, verdict, raw_id, token = data.split(":")
    approve = verdict == "a"
    svc = services(context)
    async with svc.session() as session:
        registration = await registry.decide(
            session, int(raw_id), approve=approve, decided_by=user.id, now=svc.now(), token=token
        )
        if registration is None:
            member = None
        else:
            member = await registry.chat_of(session, registration)
            await audit.record(
                session,
                actor_id=user.id,
                action=ACTION_APPROVED if approve else ACTION_REJECTED,
                detail={
                    "registration_id": registration.id,
                    "user_id": member.telegram_id,
                    "municipality": registration.municipality,
                },
                at=svc.now(),
            )
            values = {"municipality": esc(registration.municipality)}
            if approve:
                text = texts.REG_MEMBER_APPROVED.format(**values)
                if svc.settings.group_chat_id is not None and not member.in_group:
                    text += "\n\n" + texts.REG_MEMBER_APPROVED_GROUP
            else:
                text = texts.REG_MEMBER_REJECTED.format(**values)
            await outbox.enqueue(
                session,
                chat_id=member.id,
                kind=registry.KIND_DECISION,
                subject=registry.subject_about(
                    member.telegram_id, registration.id, registry.request_token(registration)
                ),
                payload={"text": text},
            )
    if registration is None or member is None:
        await answer(update, texts.REG_ALREADY_DECIDED, alert=True)
        await edit_markup(update, context, None)
        return
    await answer(update)
    outcome = texts.REG_DECIDED_APPROVED if approve else texts.REG_DECIDED_REJECTED
    await edit(
        update,
        context,
        render_notice(member.name, member.username, registration)
        + "\n\n"
        + outcome.format(coordinator=esc(user.full_name)),
    )
    group = svc.settings.group_chat_id
    if approve and group is not None and not member.in_group:
        await _let_in(context, group, member.telegram_id)


async def _let_in(context: ContextTypes.DEFAULT_TYPE, group: int, user_id: int) -> None:
    """Approve a join request the new contact may have waiting (Telegram says no if there is none)."""
    try:
        await context.bot.approve_chat_join_request(group, user_id)
        log.info("approved the waiting join request of a newly approved contact")
    except TelegramError as error:
        log.debug("no join request to approve for the new contact: %s", error)


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
