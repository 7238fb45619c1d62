"""The closed group: join requests and who is in the group.

With the group set to approve new members, Telegram asks the bot about each join request. An
approved contact (or a coordinator) is let in at once. Anyone else is asked, in a private message,
to /registrer, and the coordinators get a notice with a button that lets the person in. A member
who leaves or is removed loses /kontakter and the group-only pushes (``Chat.in_group``).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import ChatInviteLink, ChatMember, ChatMemberUpdated, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    ContextTypes,
)

from bot import texts
from bot.texts.i18n import use_language
from handlers.auth import forget_admins, is_coordinator
from handlers.common import answer, edit, edit_markup, esc, keyboard, services
from handlers.invite import build_handlers as invite_handlers
from handlers.invite import used_invite
from handlers.network import (
    coordinator_user_ids,
    named_rows,
    notify_coordinators,
    notify_grouped,
    refuse_button,
    settle,
    username_part,
)
from handlers.register import PREFIX as REGISTER_PREFIX
from handlers.registry import Command
from storage import audit, members, network_notices, registry
from storage.models import ChatKind, Registration
from storage.registry import RegistrationStatus

log = logging.getLogger(__name__)

JOIN = "nw.j"
ACTION_JOIN_AUTO = "join_request.approved_auto"
ACTION_JOIN_APPROVED = "join_request.approved"
ACTION_JOIN_DECLINED = "join_request.declined"
ACTION_JOIN_ASKED = "join_request.asked_to_register"

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_ADMINS = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}

COMMANDS: list[Command] = []


def _is_network_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """The configured group; with none configured, every group the bot administers."""
    group = services(context).settings.group_chat_id
    return group is None or group == chat_id


def join_rows(chat_id: int, user_id: int) -> list[list[tuple[str, str]]]:
    return [
        [
            (texts.JOIN_APPROVE_BUTTON, f"{JOIN}:a:{chat_id}:{user_id}"),
            (texts.JOIN_DECLINE_BUTTON, f"{JOIN}:d:{chat_id}:{user_id}"),
        ]
    ]


def join_markup(chat_id: int, user_id: int) -> InlineKeyboardMarkup | None:
    return keyboard(join_rows(chat_id, user_id))


async def join_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone asks to join the group: let approved contacts in, ask the rest to register."""
    request = update.chat_join_request
    if request is None or not _is_network_group(context, request.chat.id):
        return
    user = request.from_user
    svc = services(context)
    coordinators = await coordinator_user_ids(context)
    async with svc.session() as session:
        # Whoever asks to join is not in the group (yet), whatever else an update may have said.
        await registry.set_in_group(session, user.id, False)
        registration = await registry.registration_of(session, user.id)
        approved = user.id in svc.settings.coordinator_ids or (
            registration is not None and registration.status == RegistrationStatus.APPROVED
        )
        if approved:
            await audit.record(
                session, actor_id=None, action=ACTION_JOIN_AUTO, detail={"user_id": user.id}, at=svc.now()
            )
        else:
            with use_language(svc.settings.language):  # the coordinators' notice in the network's language
                if registration is None:
                    status = texts.JOIN_STATUS_UNKNOWN
                elif registration.status == RegistrationStatus.PENDING:
                    status = texts.JOIN_STATUS_PENDING.format(
                        municipality=esc(registration.municipality), role=esc(registration.role)
                    )
                else:
                    status = texts.JOIN_STATUS_REJECTED.format(municipality=esc(registration.municipality))
                link = request.invite_link.invite_link if request.invite_link else None
                owner = await registry.invite_owner(session, link) if link else None
                if owner is not None and owner != user.id:
                    status += "\n" + texts.JOIN_STATUS_OTHERS_LINK
                values = {
                    "name": esc(user.full_name),
                    "username": username_part(user.username),
                    "status": status,
                }
                await notify_grouped(
                    context,
                    session,
                    coordinators,
                    kind=registry.KIND_JOIN_REQUEST,
                    key=f"join:{user.id}",
                    about=user.id,
                    line=texts.BATCH_JOIN.format(**values),
                    notice=texts.JOIN_NOTIFY.format(**values),
                    rows=named_rows(join_rows(request.chat.id, user.id), user.full_name),
                )
            await audit.record(
                session, actor_id=None, action=ACTION_JOIN_ASKED, detail={"user_id": user.id}, at=svc.now()
            )
            pending_for = (
                registration.municipality
                if registration is not None and registration.status == RegistrationStatus.PENDING
                else None
            )
    if approved:
        try:
            await request.approve()
        except BadRequest as error:  # already handled by an admin, or withdrawn
            log.info("could not approve a join request: %s", error)
            return
        await _let_in(context, user, registration, request.invite_link)
        return
    await _ask_to_register(context, request.user_chat_id, user.first_name, pending_for)


async def _let_in(
    context: ContextTypes.DEFAULT_TYPE,
    user: User,
    registration: Registration | None,
    link: ChatInviteLink | None,
) -> None:
    """An approved join request makes a member at once; the owner's personal link is used up."""
    svc = services(context)
    async with svc.session() as session:
        await members.touch_chat(
            session,
            user.id,
            kind=ChatKind.PRIVATE,
            name=user.full_name,
            username=user.username,
            now=svc.now(),
            active=None,
            in_group=True,
        )
        if registration is not None and registration.invite_link:
            used = link is not None and link.invite_link == registration.invite_link
            if used:
                await used_invite(context, session, registration.id, registration.invite_link)


async def _ask_to_register(
    context: ContextTypes.DEFAULT_TYPE, user_chat_id: int, first_name: str, pending_for: str | None
) -> None:
    """Write to the person (Telegram allows it for a while after a join request)."""
    if pending_for is not None:
        text = texts.JOIN_PENDING.format(name=esc(first_name), municipality=esc(pending_for))
        markup = None
    else:
        text = texts.JOIN_ASK_REGISTER.format(name=esc(first_name))
        markup = keyboard([[(texts.JOIN_REGISTER_BUTTON, f"{REGISTER_PREFIX}:start")]])
    try:
        await context.bot.send_message(user_chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except (Forbidden, BadRequest) as error:
        log.info("could not write to a person who asked to join: %s", error)


async def decide_join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator's button under a join request notice: let the person in, or not."""
    user = update.effective_user
    if user is None or not await is_coordinator(context, user.id):
        await refuse_button(update, context, "decide_join")
        return
    data = str(update.callback_query.data if update.callback_query else "")
    _, verdict, raw_chat, raw_user = data.split(":")
    chat_id, user_id = int(raw_chat), int(raw_user)
    approve = verdict == "a"
    try:
        if approve:
            await context.bot.approve_chat_join_request(chat_id, user_id)
        else:
            await context.bot.decline_chat_join_request(chat_id, user_id)
    except BadRequest as error:
        log.info("join request already handled: %s", error)
        await answer(update, texts.JOIN_ALREADY_HANDLED, alert=True)
        await edit_markup(update, context, None)
        return
    svc = services(context)
    async with svc.session() as session:
        if approve:  # an approved join request: a member from now on
            await registry.set_in_group(session, user_id, True)
        await network_notices.drop_item(session, registry.KIND_JOIN_REQUEST, f"join:{user_id}")
        person = await members.get_chat(session, user_id)
        name = person.name if person is not None and person.name else str(user_id)
        await audit.record(
            session,
            actor_id=user.id,
            action=ACTION_JOIN_APPROVED if approve else ACTION_JOIN_DECLINED,
            detail={"user_id": user_id},
            at=svc.now(),
        )
    await answer(update)
    message = update.effective_message
    original = html.escape(message.text or "") if message is not None else ""
    outcome = (texts.JOIN_APPROVED_BY if approve else texts.JOIN_DECLINED_BY).format(
        coordinator=esc(user.full_name)
    )
    if await settle(update, context, texts.BATCH_SETTLED.format(outcome=outcome.rstrip("."), name=esc(name))):
        return
    await edit(update, context, f"{original}\n\n{outcome}" if original else outcome)


def _present(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _PRESENT


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone joined, left or was removed from the group: keep ``in_group`` true to Telegram."""
    change: ChatMemberUpdated | None = update.chat_member
    if change is None or not _is_network_group(context, change.chat.id):
        return
    old, new = change.old_chat_member, change.new_chat_member
    if {old.status, new.status} & _ADMINS:
        forget_admins(context.bot_data, change.chat.id)
    person = new.user
    if person.is_bot:
        return
    was, now_in = _present(old), _present(new)
    if was == now_in:
        return
    svc = services(context)
    coordinators = await coordinator_user_ids(context) if not now_in else set()
    async with svc.session() as session:
        if now_in:
            await members.touch_chat(
                session,
                person.id,
                kind=ChatKind.PRIVATE,
                name=person.full_name,
                username=person.username,
                now=svc.now(),
                active=None,
                in_group=True,
            )
            return
        await registry.set_in_group(session, person.id, False, left_at=svc.now())
        registration = await registry.registration_of(session, person.id)
        if registration is not None and registration.status == RegistrationStatus.APPROVED:
            chat = await registry.chat_of(session, registration)
            await notify_coordinators(
                session,
                coordinators,
                kind=registry.KIND_LEFT,
                subject=registry.subject_about(person.id, "left", int(change.date.timestamp())),
                text=texts.LEFT_NOTIFY.format(
                    name=esc(chat.name or person.full_name),
                    username=username_part(chat.username),
                    municipality=esc(registration.municipality),
                ),
            )
    log.info("a member left the network group; in_group cleared")


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        ChatJoinRequestHandler(join_request),
        ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER),
        CallbackQueryHandler(decide_join, pattern=rf"^{JOIN}:[ad]:-?\d+:\d+$"),
        *invite_handlers(),
    ]
