"""/kontakter: the approved FoUI contacts (for approved members in the group, and coordinators);
/dekning: which municipalities have a contact (coordinators)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import ChatMember, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.auth import is_coordinator
from handlers.common import answer, args_of, edit, esc, is_private, keyboard, reply, services
from handlers.coverage import build_handlers as coverage_handlers
from handlers.coverage import dekning
from handlers.invite import ask_invite_markup
from handlers.network import municipality_list, private_only, username_part
from handlers.paging import nav_row, page_arg, page_note, page_of
from handlers.registry import COORDINATOR, PRIVATE, Command
from storage import membership, registry
from storage.registry import Contact, RegistrationStatus

log = logging.getLogger(__name__)

PAGE = "ko"
QUERY_KEY = "kontakter_query"
PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


async def in_group_now(context: ContextTypes.DEFAULT_TYPE, group: int, user_id: int) -> bool | None:
    """Whether the person is in the group, asked of Telegram; None if Telegram cannot tell."""
    try:
        member = await context.bot.get_chat_member(group, user_id)
    except TelegramError as error:
        log.warning("getChatMember failed for the network group: %s", error)
        return None
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT


async def contacts_refusal(
    context: ContextTypes.DEFAULT_TYPE, user_id: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """Why this person may not see the contacts (and the way in), or None if they may.

    Coordinators may; so may members (``storage.membership``) with an approved registration: an
    approved contact is a member until seen leaving the group. For one seen leaving, Telegram is
    asked (``getChatMember``) whether they are back; if not, they get a button for a fresh link.
    """
    if await is_coordinator(context, user_id):
        return None
    svc = services(context)
    async with svc.session() as session:
        registration = await registry.registration_of(session, user_id)
        if registration is None or registration.status == RegistrationStatus.REJECTED:
            return texts.CONTACTS_REFUSED_UNREGISTERED, None
        if registration.status != RegistrationStatus.APPROVED:
            return texts.CONTACTS_REFUSED_PENDING, None
        if await membership.is_member_now(session, user_id):
            return None
    group = svc.settings.group_chat_id
    if group is None:
        return None
    if await in_group_now(context, group, user_id):
        async with svc.session() as session:
            await registry.set_in_group(session, user_id, True)
        return None
    return texts.CONTACTS_REFUSED_LEFT, ask_invite_markup()


def render_contacts(contacts: Sequence[Contact], total: int | None = None, note: str = "") -> str:
    """Contacts grouped by municipality (escaped HTML); ``total`` and ``note`` for one page of them."""
    header = texts.CONTACTS_HEADER.format(count=len(contacts) if total is None else total)
    lines = [f"{header} {note}" if note else header]
    current = None
    for contact in contacts:
        if contact.municipality != current:
            current = contact.municipality
            lines.append("")
            lines.append(texts.CONTACTS_MUNICIPALITY.format(municipality=esc(current)))
        template = texts.CONTACTS_LINE if contact.role else texts.CONTACTS_LINE_NO_ROLE
        lines.append(
            template.format(
                name=esc(contact.name or "?"),
                username=username_part(contact.username),
                role=esc(contact.role),
            )
        )
    return "\n".join(lines)


async def kontakter(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kontakter [kommune]: the approved FoUI contacts, all or for one municipality (10 a page)."""
    user = update.effective_user
    if user is None:
        return
    if not is_private(update):
        await private_only(update, context, "kontakter")
        return
    query = " ".join(args_of(context))
    if context.user_data is not None:
        context.user_data[QUERY_KEY] = query[:100]
    await _show_contacts(update, context, user.id, query, 0)


async def contacts_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under /kontakter: another page (the person is checked again)."""
    user = update.effective_user
    if user is None or not is_private(update):
        return
    await answer(update)
    query = str((context.user_data or {}).get(QUERY_KEY) or "")
    await _show_contacts(
        update, context, user.id, query, page_arg(update.callback_query.data if update.callback_query else "")
    )


async def _show_contacts(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int, query: str, page: int
) -> None:
    refusal = await contacts_refusal(context, user_id)
    if refusal is not None:
        await reply(update, context, *refusal)
        return
    wanted: list[str] | None = None
    if query:
        wanted = municipality_list(context).find(query)
        if not wanted:
            await reply(update, context, texts.CONTACTS_NO_MATCH.format(query=esc(query[:100])))
            return
    async with services(context).session() as session:
        contacts = await registry.approved_contacts(session, wanted)
    if not contacts:
        text = (
            texts.CONTACTS_NONE_FOR.format(municipalities=esc(", ".join(wanted)))
            if wanted
            else texts.CONTACTS_NONE
        )
        await reply(update, context, text)
        return
    shown, page, pages = page_of(contacts, page)
    text = render_contacts(shown, len(contacts), page_note(page, pages))
    markup = keyboard([nav_row(f"{PAGE}:", page, pages)])
    if update.callback_query is not None:
        await edit(update, context, text, markup)
    else:
        await reply(update, context, text, markup)


COMMANDS: list[Command] = [
    Command("kontakter", texts.CMD_KONTAKTER, frozenset({PRIVATE}), kontakter),
    Command("dekning", texts.CMD_DEKNING, frozenset({COORDINATOR}), dekning),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(contacts_page, pattern=rf"^{PAGE}:\d+$"), *coverage_handlers()]
