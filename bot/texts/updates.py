"""Each update is handled in its chat's language: the Application sets the current language
(``bot.texts.i18n``) around everything an update causes, its error handler included."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application

from bot.services import get_services
from bot.texts.book import language_book
from bot.texts.i18n import SOURCE, use_language

log = logging.getLogger(__name__)


class LanguageApplication(Application):
    """``ApplicationBuilder().application_class(LanguageApplication)``."""

    async def process_update(self, update: object) -> None:
        language = SOURCE
        book = None
        if isinstance(update, Update) and "services" in self.bot_data:
            book = language_book(get_services(self))
            try:
                language = await book.for_update(update)
            except Exception:  # a language that could not be read: bokmål, and the update is handled
                log.warning("could not read the language of an update", exc_info=True)
        with use_language(language):
            await super().process_update(update)
        if book is not None:
            try:
                await book.after_update(update)
            except Exception:
                log.warning("could not store the client language of an update", exc_info=True)
