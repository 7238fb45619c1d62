"""/sprak (also /språk and /language): the bot's language, per person and per group."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import texts
from bot.texts.book import language_book
from bot.texts.i18n import LANGUAGES, NATIVE_NAMES, current_language, language_of_code, use_language
from handlers import registry
from handlers.auth import is_coordinator, may_manage_chat
from handlers.common import answer, current_chat, edit, is_private, keyboard, reply, services
from handlers.errors import friendly
from handlers.registry import Command
from storage import languages

log = logging.getLogger(__name__)

PREFIX = "lang:"
DEFAULT = "auto"
# Telegram commands are ASCII: in «/språk» only «/spr» is a command, so the text is matched instead.
SPRAK_TEXT = filters.Regex(r"^/språk(@\w+)?(\s|$)")


def _markup(private: bool) -> InlineKeyboardMarkup | None:
    chosen = current_language()
    buttons = [
        ((f"✅ {NATIVE_NAMES[code]}" if code == chosen else NATIVE_NAMES[code]), f"{PREFIX}{code}")
        for code in LANGUAGES
    ]
    rows = [buttons]
    if private:
        rows.append([(texts.LANGUAGE_DEFAULT, f"{PREFIX}{DEFAULT}")])
    return keyboard(rows)


def _menu_text(private: bool) -> str:
    name = html.escape(NATIVE_NAMES[current_language()])
    return (texts.LANGUAGE_MENU if private else texts.LANGUAGE_MENU_GROUP).format(language=name)


@friendly
async def sprak(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the languages as buttons."""
    svc = services(context)
    async with svc.session() as session:
        await current_chat(session, update, svc.now())
    private = is_private(update)
    await reply(update, context, _menu_text(private), _markup(private))


@friendly
async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language pressed: stored for the person, or for the group by an admin or coordinator."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    choice = query.data.removeprefix(PREFIX)
    private = is_private(update)
    if choice not in LANGUAGES and not (private and choice == DEFAULT):
        await answer(update, texts.LANGUAGE_UNKNOWN, alert=True)
        return
    user = update.effective_user
    if not await may_manage_chat(context, chat.id, chat.type, user.id if user else None):
        await answer(update, texts.LANGUAGE_NOT_ADMIN, alert=True)
        return
    svc = services(context)
    async with svc.session() as session:
        await current_chat(session, update, svc.now())
        await languages.choose_language(session, chat.id, None if choice == DEFAULT else choice)
    book = language_book(svc)
    book.forget(chat.id)
    if private:
        await _personal_menu(context, chat.id, None if choice == DEFAULT else choice)
    language = await book.for_update(update)
    with use_language(language):  # the answer in the language just chosen
        if choice == DEFAULT:
            client = language_of_code(user.language_code if user else None) or language
            done = texts.LANGUAGE_SET_DEFAULT.format(language=html.escape(NATIVE_NAMES[client]))
        else:
            done = texts.LANGUAGE_SET if private else texts.LANGUAGE_SET_GROUP
        await answer(update)
        await edit(update, context, f"{done}\n\n{_menu_text(private)}", _markup(private))


async def _personal_menu(context: ContextTypes.DEFAULT_TYPE, chat_id: int, language: str | None) -> None:
    """The command menu in the chosen language, whatever the app's; a menu not set is only logged."""
    try:
        coordinator = await is_coordinator(context, chat_id)
        await registry.set_chat_menu(context.application, chat_id, language, coordinator=coordinator)
    except TelegramError:
        log.warning("could not set the menu of chat %s", chat_id, exc_info=True)


COMMANDS = [Command("sprak", texts.CMD_SPRAK, callback=sprak, aliases=("language", "lang"))]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        MessageHandler(SPRAK_TEXT, sprak),
        CallbackQueryHandler(language_button, pattern=f"^{PREFIX}"),
    ]
