"""The way into the closed group: a personal invite link for each approved contact.

When a coordinator approves a registration, the bot makes an invite link to the group
(``createChatInviteLink`` with ``creates_join_request``, expiring) and sends it. Telegram refuses a
``member_limit`` on links that create join requests, so "one use" is kept by the bot: a join request
is let in only for an approved contact (whoever made the link), and the link is revoked as soon
as its owner has used it. An approved contact can ask for a fresh link («Få en lenke»).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.common import answer, keyboard, reply, services
from storage import membership, registry
from storage.registry import RegistrationStatus

log = logging.getLogger(__name__)

INVITE = "nw.inv"
INVITE_VALID = timedelta(days=7)
LINK_NAME = "FoUI-kontakt {registration_id}"


def invite_markup(link: str) -> InlineKeyboardMarkup | None:
    return keyboard([[(texts.INVITE_BUTTON, "url:" + link)]])


def ask_invite_markup() -> InlineKeyboardMarkup | None:
    return keyboard([[(texts.INVITE_ASK_BUTTON, INVITE)]])


def valid_days() -> str:
    return texts.days(INVITE_VALID.days)


async def personal_invite(
    context: ContextTypes.DEFAULT_TYPE, session: Any, registration_id: int
) -> str | None:
    """Make a personal invite link to the network's group and keep it with the registration;
    None when no group is configured or Telegram refuses (the bot is not an administrator)."""
    svc = services(context)
    group = svc.settings.group_chat_id
    if group is None:
        return None
    expires = svc.now() + INVITE_VALID
    try:
        link = await context.bot.create_chat_invite_link(
            group,
            name=LINK_NAME.format(registration_id=registration_id)[:32],
            expire_date=expires,
            creates_join_request=True,
        )
    except TelegramError as error:
        log.warning("could not make an invite link to the network group: %s", error)
        return None
    await registry.set_invite(session, registration_id, link.invite_link, expires)
    return link.invite_link


async def used_invite(
    context: ContextTypes.DEFAULT_TYPE, session: Any, registration_id: int, link: str
) -> None:
    """Its owner used the personal link: revoke it, so it is good for one use only."""
    group = services(context).settings.group_chat_id
    await registry.set_invite(session, registration_id, None, None)
    if group is None:
        return
    try:
        await context.bot.revoke_chat_invite_link(group, link)
    except TelegramError as error:
        log.info("could not revoke a used invite link: %s", error)


async def ask_invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Få en lenke til FoUI-gruppen»: a fresh personal link, for approved contacts only."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != "private":
        await answer(update, texts.BUTTON_NOT_YOURS, alert=True)
        return
    svc = services(context)
    link: str | None = None
    async with svc.session() as session:
        registration = await registry.registration_of(session, user.id)
        standing = await membership.standing_of(session, user.id)
        if registration is None or registration.status != RegistrationStatus.APPROVED:
            text = texts.INVITE_NOT_APPROVED
        elif standing.in_group:
            text = texts.INVITE_ALREADY_IN
        else:
            link = await personal_invite(context, session, registration.id)
            text = texts.INVITE_SENT.format(days=valid_days()) if link else texts.INVITE_UNAVAILABLE
    await answer(update)
    await reply(update, context, text, invite_markup(link) if link else None)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(ask_invite, pattern=rf"^{INVITE}$")]
