"""What registration, contacts, membership and privacy share: municipalities, coordinators, private-only."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.region.municipalities import Municipalities, from_settings
from handlers.auth import chat_admin_ids
from handlers.common import answer, deep_link, esc, keyboard, reply, services
from handlers.coordinator import refuse
from storage import outbox, registry

log = logging.getLogger(__name__)


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


async def refuse_button(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    """Someone who is not a coordinator pressed a coordinator's button: audit it, say no (the one
    refusal every coordinator command and button gives)."""
    await refuse(update, context, action)
