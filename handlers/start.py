"""/start: welcome, register the chat, and in a private chat offer the topic picker at once.

A deep link (t.me/<bot>?start=innstillinger) opens straight on the settings; ?start=varsle on the
keyword alerts; ?start=emner on the topics.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, filters

from bot import texts
from handlers.alerts import show as show_alerts
from handlers.common import args_of, current_chat, deep_link, display_name, esc, is_private, reply, services
from handlers.errors import friendly
from handlers.registry import Command
from handlers.settings import show as show_settings
from handlers.topics import picker
from storage import members
from storage import topics as topic_store


@friendly
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the person (or the group) and register the chat."""
    payload = (args_of(context) or [""])[0].casefold()
    if not is_private(update):
        await reply(update, context, texts.WELCOME_GROUP.format(link=esc(deep_link(context, "start"))))
        return
    if payload == "innstillinger":
        await show_settings(update, context)
        return
    if payload == "varsle":
        await show_alerts(update, context)
        return
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        selected = await members.subscribed_topic_ids(session, chat.id)
        catalogue = await topic_store.list_topics(session)
    name = esc(display_name(update))
    if selected and payload != "emner":
        text = texts.WELCOME_BACK.format(name=name, count=texts.topics_count(len(selected)))
    else:
        text = texts.WELCOME_PRIVATE.format(name=name)
    await reply(update, context, text, picker(catalogue, selected))


# ?start=registrer belongs to the registration conversation (handlers.register).
_NOT_REGISTRER = ~filters.Regex(r"^/start(@\w+)?\s+registrer\s*$")

COMMANDS = [Command("start", texts.CMD_START, callback=start, filters=_NOT_REGISTRER)]
