"""Conversations and drafts in the database (python-telegram-bot's ``BasePersistence``), so a
restart continues a coordinator's half-written /kunngjoring where it was.

Kept: each persistent conversation's step per chat and person, and each person's ``user_data`` (the
drafts). Not kept: ``bot_data`` (the services live there), ``chat_data`` (only a marker for the
update being handled) and callback data. Everything is written right after each update
(``bot.app.BotApplication``), not once a minute, so a crash loses at most the update in hand.
Values are JSON; datetimes, dates, tuples and sets keep their type. A draft value that is none of
these is left out (and logged) rather than stopping the save.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.services import Services
from storage import bot_state

log = logging.getLogger(__name__)

CONVERSATION, USER = "conversation", "user"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"__set__": [_encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, inner),) = value.items()
            if tag == "__dt__":
                return datetime.fromisoformat(inner)
            if tag == "__date__":
                return date.fromisoformat(inner)
            if tag == "__tuple__":
                return tuple(_decode(v) for v in inner)
            if tag == "__set__":
                return {_decode(v) for v in inner}
        return {k: _decode(v) for k, v in value.items()}
    return value


def dumps(data: dict[Any, Any]) -> str:
    """A dict as JSON; values that cannot be stored are left out (logged)."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        try:
            kept[str(key)] = _encode(value)
        except TypeError as exc:
            log.warning("not keeping %s in the conversation state: a %s cannot be stored", key, exc)
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> dict[str, Any]:
    value = _decode(json.loads(text))
    return value if isinstance(value, dict) else {}


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, services: Services, *, shared: bool = False) -> None:
        """``shared``: other processes use the same database (PostgreSQL): read each person's state
        before each of their updates."""
        self.shared = shared
        self._load_failed = False
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=60,
        )
        self.services = services

    async def _load(self, kind: str, name: str = "") -> dict[str, str]:
        try:
            async with self.services.session() as session:
                return await bot_state.load(session, kind, name)
        except SQLAlchemyError as exc:  # a database not migrated yet (first start): nothing to load
            if not self._load_failed:
                log.warning(
                    "could not read the stored conversations (%s); starting without them", type(exc).__name__
                )
            self._load_failed = True
            return {}

    async def _save(self, kind: str, name: str, key: str, data: str | None) -> None:
        async with self.services.session() as session:
            await bot_state.save(session, kind, name, key, data, now=self.services.now())

    # ---- conversations ------------------------------------------------------------------------
    async def get_conversations(self, name: str) -> ConversationDict:
        found: dict[ConversationKey, object] = {}
        for key, data in (await self._load(CONVERSATION, name)).items():
            found[tuple(json.loads(key))] = _decode(json.loads(data))
        return found

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        data = None if new_state is None else json.dumps(_encode(new_state))
        await self._save(CONVERSATION, name, json.dumps(list(key)), data)

    async def refresh_conversations(
        self, app: Application[Any, Any, Any, Any, Any, Any], update: Update
    ) -> None:
        """Before an update, when replicas share the database: the person's step in each persistent
        conversation as stored (another process may have taken the previous step). One query.

        python-telegram-bot reads conversations only at start, so this sets them on the handlers."""
        handlers: dict[str, tuple[ConversationHandler[Any], Any]] = {}
        for group in app.handlers.values():
            for handler in group:
                if isinstance(handler, ConversationHandler) and handler.persistent and handler.name:
                    try:
                        key = handler._get_key(update)
                    except RuntimeError:  # an update without a chat or a person
                        continue
                    handlers[handler.name] = (handler, key)
        keys = sorted({json.dumps(list(key)) for _, key in handlers.values()})
        try:
            async with self.services.session() as session:
                rows = await bot_state.load_keys(session, CONVERSATION, keys)
        except SQLAlchemyError:
            log.warning("could not refresh the conversations; using this process's copy")
            return
        stored = {(name, key): data for name, key, data in rows}
        for name, (handler, key) in handlers.items():
            data = stored.get((name, json.dumps(list(key))))
            conversations = handler._conversations
            if data is None:
                conversations.pop(key, None)  # over, or never started (as the database says)
            else:
                state = _decode(json.loads(data))
                update_no_track = getattr(conversations, "update_no_track", None)
                if update_no_track is not None:
                    update_no_track({key: state})
                else:
                    conversations[key] = state

    # ---- user data (drafts) ---------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): loads(data) for key, data in (await self._load(USER)).items()}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._save(USER, "", str(user_id), dumps(data) if data else None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(USER, "", str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Before each update: what another process (a replica) wrote for this person wins."""
        if not self.shared:  # alone on the database: memory is the truth
            return
        try:
            async with self.services.session() as session:
                stored = await bot_state.load_one(session, USER, "", str(user_id))
        except SQLAlchemyError:
            log.warning("could not refresh the drafts of a person; using this process's copy")
            return
        user_data.clear()
        if stored is not None:
            user_data.update(loads(stored))

    # ---- not kept ---------------------------------------------------------------------------------
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
