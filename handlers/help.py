"""/hjelp and /help: the commands, short, from the same list that builds the menus."""

from __future__ import annotations

import difflib
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot import texts
from handlers import registry
from handlers.auth import is_coordinator
from handlers.common import deep_link, esc, is_private, reply
from handlers.errors import friendly
from handlers.plain_text import answer_plain_text
from handlers.registry import Command


def help_lines(scopes: set[str], commands: list[Command]) -> list[str]:
    """One line per command for these scopes; an alias (/help for /hjelp) is listed once."""
    aliases = {alias for c in commands for alias in c.aliases}
    seen: set[str] = set()
    lines = []
    for command in commands:
        if command.name in aliases or command.name in seen or not command.menu:
            continue
        if command.scopes & scopes:
            seen.add(command.name)
            lines.append(
                texts.HELP_LINE.format(name=command.name, description=esc(texts.tr(command.description)))
            )
    return lines


@friendly
async def hjelp(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List what the bot can do here."""
    user = update.effective_user
    if is_private(update):
        scopes = {registry.PRIVATE}
        if await is_coordinator(context, user.id if user else None):
            scopes.add(registry.COORDINATOR)
        footer = texts.HELP_FOOTER_PRIVATE
    else:
        scopes = {registry.GROUP}
        footer = texts.HELP_FOOTER_GROUP.format(link=esc(deep_link(context, "start")))
    lines = help_lines(scopes, registry.all_commands())
    await reply(update, context, "\n".join([texts.HELP_HEADER, *lines, "", footer]))


def guess_command(word: str, commands: list[Command]) -> str | None:
    """The known command nearest to a mistyped one ("fristr" -> "frister")."""
    names = [n for c in commands for n in (c.name, *c.aliases)]
    close = difflib.get_close_matches(word.casefold(), names, n=1, cutoff=0.6)
    return close[0] if close else None


_UNHANDLED = "unhandled_update_id"


def note_if_unhandled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler runs (called by the tracker): remember an update no handler will take.

    Deciding afterwards would be wrong: a conversation that just ended no longer claims its
    last message.
    """
    chat, message = update.effective_chat, update.message
    if chat is None or chat.type != "private" or message is None or not (message.text or "").strip():
        return
    for group, handlers in context.application.handlers.items():
        if group < 0:
            continue
        for handler in handlers:
            if getattr(handler, "callback", None) is not fallback and handler.check_update(update):
                return
    if context.chat_data is not None:
        context.chat_data[_UNHANDLED] = update.update_id


async def fallback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat: answer a command no handler took (with the nearest known one; /avbryt:
    nothing to cancel), and plain text no conversation took (``handlers.plain_text``)."""
    if context.chat_data is None or context.chat_data.pop(_UNHANDLED, None) != update.update_id:
        return
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    if not text.startswith("/"):  # plain text no conversation took: never silence
        await answer_plain_text(update, context)
        return
    word = text[1:].split()[0].split("@")[0] if len(text) > 1 else ""
    if word.casefold() == "avbryt":  # no conversation is going on
        await reply(update, context, texts.CONV_NOTHING_TO_CANCEL)
        return
    guess = guess_command(word, registry.all_commands()) if word else None
    if guess:
        await reply(update, context, texts.UNKNOWN_COMMAND_GUESS.format(guess=esc(guess)))
    else:
        await reply(update, context, texts.UNKNOWN_COMMAND)


# The fallback runs after the commands and conversations of group 0 (see registry.register).
HANDLER_GROUP = 1

COMMANDS = [
    Command("hjelp", texts.CMD_HJELP, callback=hjelp, aliases=("help",)),
    # Telegram's global /help: in the menu too; the handler is the alias above.
    Command("help", texts.CMD_HELP),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.UpdateType.EDITED, fallback)]
