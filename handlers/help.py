"""/hjelp and /help: the commands, short, from the same list that builds the menus."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers import registry
from handlers.auth import is_coordinator
from handlers.common import deep_link, esc, is_private, reply
from handlers.errors import friendly
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
            lines.append(texts.HELP_LINE.format(name=command.name, description=esc(command.description)))
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


COMMANDS = [
    Command("hjelp", texts.CMD_HJELP, callback=hjelp, aliases=("help",)),
    # Telegram's global /help: in the menu too; the handler is the alias above.
    Command("help", texts.CMD_HELP),
]
