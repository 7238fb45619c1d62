"""Who may do what: coordinators and group administrators, checked on the server side every time.

A coordinator is a user id in FOUI_COORDINATOR_IDS or an administrator of the network's group
(FOUI_GROUP_CHAT_ID). Administrator lists come from getChatAdministrators and are cached for
``admin_cache_seconds`` per chat.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.services import get_services

log = logging.getLogger(__name__)

_CACHE_KEY = "admin_cache"


async def chat_admin_ids(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> frozenset[int]:
    """The user ids of a group's administrators (cached; empty if Telegram cannot tell)."""
    services = get_services(context)
    cache: dict[int, tuple[float, frozenset[int]]] = context.bot_data.setdefault(_CACHE_KEY, {})
    ttl = services.settings.admin_cache_seconds
    hit = cache.get(chat_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    try:
        admins = await context.bot.get_chat_administrators(chat_id)
    except TelegramError as exc:
        log.warning("getChatAdministrators failed for chat %s: %s", chat_id, exc)
        return hit[1] if hit is not None else frozenset()
    ids = frozenset(member.user.id for member in admins)
    cache[chat_id] = (now, ids)
    return ids


def forget_admins(bot_data: dict[str, Any], chat_id: int | None = None) -> None:
    """Drop the cached administrator list (all chats when chat_id is None)."""
    cache: dict[int, Any] = bot_data.setdefault(_CACHE_KEY, {})
    if chat_id is None:
        cache.clear()
    else:
        cache.pop(chat_id, None)


async def is_coordinator(context: ContextTypes.DEFAULT_TYPE, user_id: int | None) -> bool:
    """True for FOUI_COORDINATOR_IDS and the administrators of the network's group."""
    if user_id is None:
        return False
    settings = get_services(context).settings
    if user_id in settings.coordinator_ids:
        return True
    if settings.group_chat_id is None:
        return False
    return user_id in await chat_admin_ids(context, settings.group_chat_id)


async def is_group_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int | None) -> bool:
    """True if the user administers this group chat."""
    if user_id is None:
        return False
    return user_id in await chat_admin_ids(context, chat_id)


async def may_manage_chat(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str, user_id: int | None
) -> bool:
    """Private chats belong to their person; a group's settings to its admins and the coordinators."""
    if chat_type == "private":
        return user_id == chat_id
    return await is_group_admin(context, chat_id, user_id) or await is_coordinator(context, user_id)
