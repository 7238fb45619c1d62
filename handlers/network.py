"""What registration, contacts, membership and privacy share: municipalities, coordinators, private-only."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.region.municipalities import Municipalities, from_settings
from bot.region.presets import region
from handlers.auth import chat_admin_ids
from handlers.common import answer, deep_link, edit, esc, keyboard, reply, services, shorten
from handlers.coordinator import refuse
from storage import network_notices, outbox, registry

log = logging.getLogger(__name__)


def municipality_list(context: ContextTypes.DEFAULT_TYPE) -> Municipalities:
    """The configured municipalities (read once per Application)."""
    svc = services(context)
    cached = svc.extras.get("municipalities")
    if not isinstance(cached, Municipalities):
        preset = region(svc.settings.region).municipalities
        cached = from_settings(svc.settings.municipalities, svc.settings.municipalities_file, preset)
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


def named_rows(rows: list[list[tuple[str, str]]], name: str) -> list[list[dict[str, str]]]:
    """Buttons that say whom they are about ("✅ Godkjenn Kari Nordmann"), as Bot API dicts."""
    short = shorten(name or "?", 24)
    return [
        [
            {"text": texts.BATCH_BUTTON.format(action=label, name=short), "callback_data": data}
            for label, data in row
        ]
        for row in rows
    ]


async def notify_grouped(
    context: ContextTypes.DEFAULT_TYPE,
    session: Any,
    coordinator_ids: Iterable[int],
    *,
    kind: str,
    key: str,
    about: int,
    line: str,
    notice: str,
    rows: list[list[dict[str, str]]],
) -> int:
    """Put a request in every coordinator's grouped notice (``storage.network_notices``): one
    message per few minutes lists the new ones, each with its buttons."""
    wanted = set(coordinator_ids)
    chats = await registry.private_chat_ids(session, wanted)
    if wanted - set(chats):
        log.info("coordinators %s have not started the bot; they get no notice", sorted(wanted - set(chats)))
    item = {"key": key, "about": about, "line": line, "notice": notice, "rows": rows}
    return await network_notices.add_to_batch(
        session, chats.values(), kind=kind, item=item, header=texts.BATCH_HEADER, now=services(context).now()
    )


async def settle(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: str) -> bool:
    """In a notice that lists several requests: take this request's buttons away and add the
    outcome under the list. False when the notice holds this request only (the caller redraws it)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return False
    suffix = ":" + str(query.data or "").split(":", 2)[-1]
    rows = message.reply_markup.inline_keyboard
    keep = [row for row in rows if not any(str(b.callback_data or "").endswith(suffix) for b in row)]
    if not keep:
        return False
    await edit(update, context, f"{message.text_html}\n{outcome}", InlineKeyboardMarkup(keep))
    return True
