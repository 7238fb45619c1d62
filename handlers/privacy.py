"""/minedata: everything stored about you, as a JSON file; /slettmeg: delete it, after a confirmation."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.common import answer, edit, forget_chat, is_private, keyboard, reply, send_document, services
from handlers.network import private_only
from handlers.register import DRAFT
from handlers.registry import PRIVATE, Command
from storage import audit, privacy

log = logging.getLogger(__name__)

PREFIX = "nw.p"
CONFIRM_VALID = timedelta(minutes=10)
ACTION_EXPORTED = "privacy.exported"


async def minedata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/minedata: everything the bot stores about you, as a JSON file (private chat only)."""
    user = update.effective_user
    if user is None:
        return
    if not is_private(update):
        await private_only(update, context, "minedata")
        return
    svc = services(context)
    now = svc.now()
    async with svc.session() as session:
        data = await privacy.export(session, user.id, now)
        await audit.record(session, actor_id=user.id, action=ACTION_EXPORTED, at=now)
    content = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    local = now.astimezone(svc.settings.tz)
    await send_document(
        update, context, texts.MYDATA_FILENAME.format(date=f"{local:%Y-%m-%d}"), content, texts.MYDATA_CAPTION
    )


async def slettmeg(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/slettmeg: ask for a confirmation before deleting everything about you."""
    if not is_private(update):
        await private_only(update, context, "slettmeg")
        return
    stamp = int(services(context).now().timestamp())
    markup = keyboard(
        [
            [
                (texts.DELETE_YES_BUTTON, f"{PREFIX}:yes:{stamp}"),
                (texts.NW_CANCEL_BUTTON, f"{PREFIX}:no"),
            ]
        ]
    )
    await reply(update, context, texts.DELETE_CONFIRM, markup)


async def confirm_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation button: delete, unless it is stale or pressed outside the person's own chat."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    if query is None or user is None or chat is None:
        return
    if chat.type != "private" or chat.id != user.id:
        await answer(update)
        return
    svc = services(context)
    now = svc.now()
    stamp = int(str(query.data).rsplit(":", 1)[-1])
    if now.timestamp() - stamp > CONFIRM_VALID.total_seconds() or stamp > now.timestamp() + 60:
        await answer(update)
        await edit(update, context, texts.DELETE_EXPIRED)
        return
    async with svc.session() as session:
        deleted = await privacy.delete_person(session, user.id, now)
    forget_chat(context, user.id)
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    log.info("a person deleted their data (%s)", {k: v for k, v in deleted.counts.items() if v})
    await answer(update)
    await edit(update, context, texts.DELETE_DONE if deleted.anything else texts.DELETE_NOTHING)


async def cancel_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The cancel button: nothing is deleted."""
    await answer(update)
    await edit(update, context, texts.DELETE_CANCELLED)


COMMANDS: list[Command] = [
    Command("minedata", texts.CMD_MINEDATA, frozenset({PRIVATE}), minedata),
    Command("slettmeg", texts.CMD_SLETTMEG, frozenset({PRIVATE}), slettmeg),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(confirm_delete, pattern=rf"^{PREFIX}:yes:\d+$"),
        CallbackQueryHandler(cancel_delete, pattern=rf"^{PREFIX}:no$"),
    ]
