"""Every update first passes here (group -1): the chat and the person are registered or updated.

A person who writes to the bot in private is active again, even after having blocked it once.
A person seen only in a group is registered too, but stays inactive until they start the bot:
Telegram does not let a bot write first.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ContextTypes, TypeHandler

from handlers.common import current_chat, services
from handlers.help import note_if_unhandled
from handlers.registry import Command
from storage import members

log = logging.getLogger(__name__)

HANDLER_GROUP = -1
COMMANDS: list[Command] = []

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register or update the chat and the person behind this update."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or update.chat_join_request is not None:
        # A join request is not membership: handlers.membership decides what it means.
        return
    note_if_unhandled(update, context)
    svc = services(context)
    when = svc.now()
    async with svc.session() as session:
        if update.my_chat_member is not None:
            await _membership(session, update, when)
            return
        await current_chat(session, update, when)
        if chat.type != "private" and user is not None and not user.is_bot:
            in_group = True if chat.id == svc.settings.group_chat_id else None
            await members.touch_chat(
                session,
                user.id,
                kind="private",
                name=user.full_name,
                username=user.username,
                now=when,
                active=None,
                in_group=in_group,
            )


async def _membership(session: Any, update: Update, when: Any) -> None:
    """The bot was blocked, unblocked, added to or removed from a chat."""
    change = update.my_chat_member
    chat = update.effective_chat
    if change is None or chat is None:
        return
    status = change.new_chat_member.status
    if status in _PRESENT:
        await current_chat(session, update, when)
        log.info("chat %s can be reached again (%s)", chat.id, status)
    else:
        await members.set_inactive(session, chat.id, members.BLOCKED)
        log.info("chat %s can no longer be reached (%s)", chat.id, status)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [TypeHandler(Update, track)]
