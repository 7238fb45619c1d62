"""Every update first passes here (group -1): the chat and the person are registered or updated.

A person who writes to the bot in private is active again, even after having blocked it once.
A person seen only in a group is registered too, but stays inactive until they start the bot:
Telegram does not let a bot write first.

From memory when nothing changed: a chat whose name, username and kind this process wrote less
than ``REMEMBER`` ago (``storage.members.SEEN_RESOLUTION``, the resolution of ``last_seen_at``) is
not written again, and the update opens no session here. Any change of the bot's membership
(blocked, unblocked, added, removed) forgets the chat, and a person joining or leaving the group
forgets the person, so a revival is never skipped; a change made
by another process is written by this one at the latest ``REMEMBER`` later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ContextTypes, TypeHandler

from handlers.common import current_chat, services
from handlers.help import note_if_unhandled
from handlers.registry import Command
from storage import members

log = logging.getLogger(__name__)

HANDLER_GROUP = -1
REMEMBER = members.SEEN_RESOLUTION
REMEMBER_CHATS = 50_000
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
    seen = _memory(svc.extras)
    if update.chat_member is not None:  # someone joined or left: handlers.membership writes it
        seen.pop(update.chat_member.new_chat_member.user.id, None)
    if update.my_chat_member is not None:
        seen.pop(chat.id, None)
        async with svc.session() as session:
            await _membership(session, update, when)
        return
    person = chat.type != "private" and user is not None and not user.is_bot
    in_group = True if chat.id == svc.settings.group_chat_id else None
    marks = [(chat.id, _mark(update))]
    if person and user is not None:
        marks.append((user.id, ("private", user.full_name, user.username, in_group, None)))
    if all(_fresh(seen.get(key), mark, when) for key, mark in marks):
        return
    async with svc.session() as session:
        await current_chat(session, update, when)
        if person and user is not None:
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
    for key, mark in marks:
        seen[key] = (when, mark)
    while len(seen) > REMEMBER_CHATS:
        seen.pop(next(iter(seen)))


def _mark(update: Update) -> tuple[Any, ...]:
    """What ``current_chat`` writes for this update's chat (kind, name, username, in_group, active)."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    if chat.type == "private":
        name = user.full_name if user is not None else (chat.first_name or "")
        return (chat.type, name, user.username if user is not None else chat.username, None, True)
    return (chat.type, chat.title or "", chat.username, None, True)


def _fresh(memory: tuple[datetime, tuple[Any, ...]] | None, mark: tuple[Any, ...], when: datetime) -> bool:
    return memory is not None and memory[1] == mark and timedelta(0) <= when - memory[0] < REMEMBER


def _memory(extras: dict[str, Any]) -> dict[int, tuple[datetime, tuple[Any, ...]]]:
    """Telegram chat id → (when written, what was written), oldest first; this process only."""
    found = extras.get("seen_chats")
    if not isinstance(found, dict):
        found = extras["seen_chats"] = {}
    return found


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
