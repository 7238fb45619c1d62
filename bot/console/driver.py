"""Driving the real Application inside the process: a person's message or button press goes in
with ``process_update``, and the Bot API calls it caused come back with their full payloads.

The console reads them as text; the tests build their harness on the same driver.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Update

from bot.app import build_application, prepare_database, start_services, stop_services
from bot.config import Settings
from bot.console.botapi import ApiCall, InProcessBotApi, InProcessRequest
from bot.services import Services, get_services

GROUP_ID = -1001234567890


@dataclass
class Person:
    id: int
    first_name: str = "Kari"
    last_name: str | None = "Nordmann"
    username: str | None = "kari"
    language_code: str | None = "nb"  # the Telegram client's language (nn, en, ...; None: not sent)

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
        }
        if self.language_code:
            user["language_code"] = self.language_code
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        return user


class InProcessBot:
    """The real Application with the in-process Bot API behind it."""

    def __init__(self, app: Any, api: InProcessBotApi) -> None:
        self.app = app
        self.api = api
        self._message_ids = itertools.count(1)

    @property
    def services(self) -> Services:
        return get_services(self.app)

    @property
    def bot_username(self) -> str:
        return str(self.api.bot_user["username"])

    async def process(self, update: dict[str, Any]) -> list[ApiCall]:
        """Feed one raw update; return the Bot API calls it caused."""
        update.setdefault("update_id", self.api.next_update_id())
        before = len(self.api.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.calls[before:]

    def message_update(
        self,
        text: str,
        person: Person,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str = "FoUI Trøndelag",
        **extra: Any,
    ) -> dict[str, Any]:
        chat: dict[str, Any]
        if chat_type == "private":
            chat = {"id": person.id, "type": "private", "first_name": person.first_name}
        else:
            chat = {
                "id": chat_id if chat_id is not None else GROUP_ID,
                "type": chat_type,
                "title": chat_title,
            }
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": person.as_user(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        # Kept like Telegram keeps it: the bot's answers name it as the message they reply to.
        self.api.messages[(int(chat["id"]), int(message["message_id"]))] = message
        return {"message": message}

    async def send(
        self, text: str, person: Person, *, group: bool = False, chat_id: int | None = None, **extra: Any
    ) -> list[ApiCall]:
        """A person writes ``text`` in a private chat (or in the group with ``group=True``)."""
        chat_type = "supergroup" if group or (chat_id is not None and chat_id < 0) else "private"
        return await self.process(
            self.message_update(text, person, chat_id=chat_id, chat_type=chat_type, **extra)
        )

    async def press(self, reply: ApiCall, button_text: str, person: Person) -> list[ApiCall]:
        """A person presses the button containing ``button_text`` under the message ``reply``."""
        button = reply.button(button_text)
        if "callback_data" not in button:
            raise AssertionError(f"button {button_text!r} has no callback data: {button}")
        return await self.press_data(button["callback_data"], person, reply)

    async def press_data(self, data: str, person: Person, reply: ApiCall | None = None) -> list[ApiCall]:
        chat_id = reply.chat_id if reply is not None and reply.chat_id is not None else person.id
        message: dict[str, Any] = {
            "message_id": 999999,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "FoUI"},
            "from": self.api.bot_user,
            "text": reply.text if reply is not None else "",
        }
        if reply is not None and reply.buttons:  # as Telegram sends it: the buttons the press came from
            message["reply_markup"] = {"inline_keyboard": reply.buttons}
        if reply is not None and reply.params.get("message_id") is not None:
            # An edit names its message: the buttons sit under that one.
            message["message_id"] = int(reply.params["message_id"])
        elif reply is not None:
            # The message the button sits under: the id the fake gave it when it was sent.
            found = [
                m
                for (cid, _), m in self.api.messages.items()
                if cid == chat_id and m.get("text") == reply.text
            ]
            if found:
                message["message_id"] = found[-1]["message_id"]
        if reply is not None:
            # Telegram sends the message the button sits under with its real keyboard (and what it
            # replies to), whatever data a client claims.
            shown = self.api.messages.get((chat_id, int(message["message_id"]))) or {}
            markup = reply.params.get("reply_markup") or shown.get("reply_markup")
            if isinstance(markup, str):
                markup = json.loads(markup)
            if markup:
                message["reply_markup"] = markup
            if shown.get("reply_to_message"):
                message["reply_to_message"] = shown["reply_to_message"]
        update = {
            "callback_query": {
                "id": str(self.api.next_update_id()),
                "from": person.as_user(),
                "chat_instance": "ci",
                "data": data,
                "message": message,
            }
        }
        return await self.process(update)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    api: InProcessBotApi | None = None,
    clock: Callable[[], datetime] | None = None,
    start_jobs: bool = False,
) -> AsyncIterator[InProcessBot]:
    """Build, initialize and prepare the Application (migrations, seeds); shut it down afterwards."""
    api = api or InProcessBotApi()
    app = build_application(settings, request=InProcessRequest(api), clock=clock)
    await app.initialize()
    try:
        if start_jobs:
            await start_services(app)
        else:
            await prepare_database(get_services(app))
        yield InProcessBot(app, api)
    finally:
        await app.shutdown()
        await stop_services(app)
