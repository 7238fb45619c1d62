"""/oppsett: connect the network's group without looking up ids; and a group that becomes a supergroup.

``/oppsett <kode>`` in the group connects it (the code is printed once by ``foui-bot run``, or set with
FOUI_SETUP_CODE) and makes the person who sent it the first coordinator. When the group becomes a
supergroup, Telegram sends ``migrate_to_chat_id`` (in the old group) and ``migrate_from_chat_id`` (in
the new one): the group's chat row, topics and queued messages follow, and so does the network's group.
"""

from __future__ import annotations

import html
import logging
import time
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot import network, texts
from handlers import registry
from handlers.auth import forget_admins
from handlers.common import args_of, reply, services
from handlers.registry import Command
from storage import audit, network_setup

log = logging.getLogger(__name__)

MAX_WRONG = 5
WRONG_WINDOW_SECONDS = 3600.0
_WRONG_KEY = "oppsett_wrong"


def _too_many(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> bool:
    tries: dict[int, list[float]] = context.bot_data.setdefault(_WRONG_KEY, {})
    now = time.monotonic()
    recent = [t for t in tries.get(user_id, []) if now - t < WRONG_WINDOW_SECONDS]
    tries[user_id] = recent
    return len(recent) >= MAX_WRONG


def _wrong(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    context.bot_data.setdefault(_WRONG_KEY, {}).setdefault(user_id, []).append(time.monotonic())


async def oppsett(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/oppsett <kode> in a group: connect it, and make the sender the first coordinator."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None:
        return
    svc = services(context)
    if chat.type == "private":
        await reply(update, context, texts.OPPSETT_IN_GROUP_ONLY)
        return
    if network.group_from_settings(svc):
        await reply(update, context, texts.OPPSETT_FROM_SETTINGS)
        return
    code = "".join(args_of(context))
    if not code:
        await reply(update, context, texts.OPPSETT_HOW)
        return
    if _too_many(context, user.id):
        await reply(update, context, texts.OPPSETT_TOO_MANY)
        return
    configured = svc.settings.setup_code
    extra = network_setup.code_hash(configured.get_secret_value()) if configured else None
    async with svc.session() as session:
        outcome = await network_setup.connect_group(
            session,
            code=code,
            extra_hash=extra,
            group_id=chat.id,
            title=chat.title or "",
            user_id=user.id,
            user_name=user.full_name,
            now=svc.now(),
        )
        await audit.record(
            session,
            actor_id=user.id,
            action="oppsett",
            detail={"chat_id": chat.id, "outcome": str(outcome)},
            at=svc.now(),
        )
    if outcome == network_setup.Connect.WRONG_CODE:
        _wrong(context, user.id)
        log.warning("wrong /oppsett code from user %s in chat %s", user.id, chat.id)
        await reply(update, context, texts.OPPSETT_WRONG_CODE)
        return
    if outcome != network_setup.Connect.DONE:
        same = outcome == network_setup.Connect.SAME_GROUP
        await reply(update, context, texts.OPPSETT_SAME_GROUP if same else texts.OPPSETT_OTHER_GROUP)
        return
    await network.load(svc)
    forget_admins(context.bot_data)
    log.info("the network's group is now chat %s, connected by user %s", chat.id, user.id)
    try:  # the code has done its work: take it out of the group's history if the bot may
        await message.delete()
    except TelegramError:
        pass
    await reply(
        update,
        context,
        texts.OPPSETT_DONE.format(title=html.escape(chat.title or ""), name=html.escape(user.full_name)),
    )
    await refresh_menus(context, [user.id])


async def refresh_menus(context: ContextTypes.DEFAULT_TYPE, coordinator_ids: list[int]) -> None:
    """Give new coordinators their menu; a person who never started the bot simply gets it later."""
    try:
        await registry.set_menus(context.application, coordinator_ids)
    except TelegramError as exc:
        log.info("could not set the coordinators' menu: %s", exc)


async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The group became a supergroup: its chat, topics, queued messages and the network's group follow."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat.id, int(message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        old_id, new_id = int(message.migrate_from_chat_id), message.chat.id
    else:
        return
    svc = services(context)
    async with svc.session() as session:
        moved = await network_setup.follow_group(
            session, old_id, new_id, network_group=svc.settings.group_chat_id
        )
    forget_admins(context.bot_data, old_id)
    forget_admins(context.bot_data, new_id)
    if moved.network_group:
        await network.load(svc)
    log.info("chat %s became the supergroup %s (chat moved: %s)", old_id, new_id, moved.chat)


COMMANDS: list[Command] = [
    Command("oppsett", texts.OPPSETT_DESCRIPTION, frozenset({registry.GROUP}), oppsett, menu=False),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [MessageHandler(filters.StatusUpdate.MIGRATE, migrated)]
