"""Which language a chat reads, with a short cache: for each update (``language_for_update``) and
for each recipient of the outbox (``language_for_chat``).

A person: the language chosen with /sprak, else their Telegram client's (``nn`` → nynorsk,
``nb``/``no`` → bokmål, others → English), else bokmål. A group: its choice, else ``FOUI_LANGUAGE``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.services import Services
from bot.texts.i18n import SOURCE, language_of_code, valid
from storage import languages
from storage.languages import ChatLanguage

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0  # another replica's /sprak is seen within this


def resolve(stored: ChatLanguage | None, *, client: str | None, is_group: bool, group_default: str) -> str:
    if stored is not None and valid(stored.chosen):
        return str(stored.chosen)
    if is_group:
        return valid(group_default) or SOURCE
    return valid(client) or (valid(stored.client) if stored is not None else None) or SOURCE


class LanguageBook:
    """Stored languages by Telegram chat id and by database chat id, kept for ``CACHE_SECONDS``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._by_telegram: dict[int, tuple[float, ChatLanguage | None]] = {}
        self._by_chat: dict[int, tuple[float, ChatLanguage | None]] = {}

    def forget(self, telegram_id: int | None = None) -> None:
        if telegram_id is None:
            self._by_telegram.clear()
        else:
            self._by_telegram.pop(telegram_id, None)
        self._by_chat.clear()

    async def stored(self, telegram_id: int) -> ChatLanguage | None:
        hit = self._by_telegram.get(telegram_id)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        async with self.services.session() as session:
            found = await languages.language_of(session, telegram_id)
        self._by_telegram[telegram_id] = (time.monotonic(), found)
        return found

    async def for_update(self, update: Any) -> str:
        """The language to answer ``update`` in (and remember the person's client language)."""
        chat = getattr(update, "effective_chat", None)
        user = getattr(update, "effective_user", None)
        client = language_of_code(getattr(user, "language_code", None)) if user is not None else None
        if chat is None:
            return client or SOURCE
        is_group = chat.type != "private"
        if getattr(update, "chat_join_request", None) is not None and user is not None:
            # Asking to join the group: what the bot writes goes to the person, in their language.
            return resolve(await self.stored(user.id), client=client, is_group=False, group_default=SOURCE)
        stored = await self.stored(chat.id)
        if not is_group and client is not None and stored is not None and stored.client != client:
            await self._note_client(chat.id, client)
        return resolve(
            stored, client=client, is_group=is_group, group_default=self.services.settings.language
        )

    async def after_update(self, update: Any) -> None:
        """A chat first registered by this update: remember the person's client language now."""
        chat = getattr(update, "effective_chat", None)
        user = getattr(update, "effective_user", None)
        client = language_of_code(getattr(user, "language_code", None)) if user is not None else None
        if chat is None or chat.type != "private" or client is None:
            return
        hit = self._by_telegram.get(chat.id)
        if hit is not None and hit[1] is None:
            await self._note_client(chat.id, client)

    async def _note_client(self, telegram_id: int, client: str) -> None:
        try:
            async with self.services.session() as session:
                written = await languages.note_client_language(session, telegram_id, client)
        except Exception:  # a language not remembered must not lose the update
            log.warning("could not store the client language of chat %s", telegram_id, exc_info=True)
            return
        if written:
            self.forget(telegram_id)

    async def for_telegram_chat(self, telegram_id: int) -> str:
        """The language of a chat by its Telegram id (a copy already delivered there)."""
        stored = await self.stored(telegram_id)
        return resolve(
            stored,
            client=None,
            is_group=stored.is_group if stored is not None else telegram_id < 0,
            group_default=self.services.settings.language,
        )

    async def for_chats(self, chat_ids: list[int]) -> dict[int, str]:
        """The languages of a batch of outbox recipients (database chat ids; one query at most).
        Never raises: a language that cannot be read is bokmål, and the message goes all the same."""
        now = time.monotonic()
        wanted = [
            c for c in set(chat_ids) if (hit := self._by_chat.get(c)) is None or now - hit[0] >= CACHE_SECONDS
        ]
        if wanted:
            try:
                async with self.services.session() as session:
                    found = await languages.languages_of_chats(session, wanted)
            except Exception:
                log.warning("could not read the languages of %d chats", len(wanted), exc_info=True)
                found = {}
            for chat_id in wanted:
                self._by_chat[chat_id] = (now, found.get(chat_id))
        return {
            chat_id: self._resolve_stored(self._by_chat[chat_id][1])
            for chat_id in chat_ids
            if chat_id in self._by_chat
        }

    async def for_chat(self, chat_id: int) -> str:
        """The language of one outbox recipient (database chat id)."""
        return (await self.for_chats([chat_id])).get(chat_id, SOURCE)

    def _resolve_stored(self, stored: ChatLanguage | None) -> str:
        return resolve(
            stored,
            client=None,
            is_group=stored.is_group if stored is not None else False,
            group_default=self.services.settings.language,
        )


def language_book(services: Services) -> LanguageBook:
    book = services.extras.get("languages")
    if not isinstance(book, LanguageBook):
        book = services.extras["languages"] = LanguageBook(services)
    return book


async def languages_for(services: Services, session: Any, chat_ids: Any) -> dict[int, str]:
    """The language of each recipient (database chat ids), read in the caller's session: a notice
    written in a handler for others is written in each reader's language, not the writer's."""
    ids = list(chat_ids)
    found = await languages.languages_of_chats(session, ids)
    default = services.settings.language
    return {
        chat_id: resolve(
            found.get(chat_id),
            client=None,
            is_group=bool(found.get(chat_id) and found[chat_id].is_group),
            group_default=default,
        )
        for chat_id in ids
    }
