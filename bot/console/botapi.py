"""The Telegram Bot API answered inside the process, for ``foui-bot console``.

The real python-telegram-bot ``Application`` talks to ``InProcessRequest`` instead of the network;
``InProcessBotApi`` answers each method as Telegram would for a bot that may do everything, and
records every call with its full payload (``calls``), which the console shows as text.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "FoUI-boten",
    "username": "FoUIbot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class ApiCall:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = 0.0

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return list(markup.get("inline_keyboard") or [])

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button(self, text_part: str) -> dict[str, Any]:
        """The first button whose text contains ``text_part``."""
        for row in self.buttons:
            for b in row:
                if text_part in b["text"]:
                    return b
        raise KeyError(f"no button containing {text_part!r} in {self.button_texts}")


class InProcessBotApi:
    """The Bot API answered in the process: recorded calls, sent messages, admins and members."""

    def __init__(self, bot_user: dict[str, Any] | None = None) -> None:
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.admins: dict[int, list[int]] = {}
        self.members: dict[int, dict[int, str]] = {}
        self.updates: asyncio.Queue[dict[str, Any]] | None = None
        self.hooks: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)

    # ---- set-up ----------------------------------------------------------------------------
    def set_admins(self, chat_id: int, user_ids: list[int]) -> None:
        self.admins[chat_id] = list(user_ids)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        self.members.setdefault(chat_id, {})[user_id] = status

    def next_update_id(self) -> int:
        return next(self._update_ids)

    # ---- queries for tests -----------------------------------------------------------------
    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.chat_id == chat_id)]

    def last(self, method: str = "sendMessage", chat_id: int | None = None) -> ApiCall:
        found = self.sent(method, chat_id)
        if not found:
            raise AssertionError(
                f"no {method} call (chat {chat_id}); calls: {[c.method for c in self.calls]}"
            )
        return found[-1]

    def clear(self) -> None:
        self.calls.clear()

    # ---- the API ---------------------------------------------------------------------------
    def _message(self, chat_id: Any, params: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._message_ids)
        cid = int(chat_id) if str(chat_id).lstrip("-").isdigit() else 0
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": cid, "type": "private" if cid > 0 else "supergroup"},
            "from": self.bot_user,
        }
        if "text" in params:
            message["text"] = params["text"]
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # as Telegram: only inline keyboards
            message["reply_markup"] = markup
        replied = params.get("reply_parameters")
        if isinstance(replied, str):
            replied = json.loads(replied)
        if isinstance(replied, dict) and (cid, int(replied.get("message_id") or 0)) in self.messages:
            message["reply_to_message"] = self.messages[(cid, int(replied["message_id"]))]
        message.update(extra)
        self.messages[(cid, message_id)] = message
        return message

    def record(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> ApiCall:
        call = ApiCall(method, params, files, time.monotonic())
        self.calls.append(call)
        return call

    async def handle(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        """Answer one Bot API call: returns the ``result`` or raises ``BotApiError``."""
        self.record(method, params, files)
        return await self.answer(method, params, files)

    async def answer(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        """The result of a call, as Telegram would give it for a bot that may do everything."""
        hook = self.hooks.get(method)
        if hook is not None:
            return hook(params)
        chat_id = params.get("chat_id")
        if method == "getMe":
            return self.bot_user
        if method in {"sendMessage", "copyMessage", "forwardMessage"}:
            return self._message(chat_id, params, {})
        if method in {"sendDocument", "sendPhoto"}:
            name = next(iter(files.values()))[0] if files else "file"
            return self._message(
                chat_id, params, {"document": {"file_id": "f1", "file_unique_id": "u1", "file_name": name}}
            )
        if method in {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}:
            key = (int(chat_id or 0), int(params.get("message_id") or 0))
            message = self.messages.get(key) or self._message(chat_id, params, {})
            if "text" in params:
                message["text"] = params["text"]
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "getChatAdministrators":
            return [
                {
                    "status": "administrator" if i else "creator",
                    "user": {"id": uid, "is_bot": False, "first_name": f"Admin {uid}"},
                    "is_anonymous": False,
                    "can_be_edited": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": True,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": True,
                    "can_edit_stories": True,
                    "can_delete_stories": True,
                }
                for i, uid in enumerate(self.admins.get(int(chat_id or 0), []))
            ]
        if method == "getChatMember":
            uid = int(params.get("user_id") or 0)
            status = self.members.get(int(chat_id or 0), {}).get(uid)
            if status is None:
                status = "administrator" if uid in self.admins.get(int(chat_id or 0), []) else "left"
            member: dict[str, Any] = {
                "status": status,
                "user": {"id": uid, "is_bot": False, "first_name": "X"},
            }
            if status == "administrator":
                member.update(
                    {
                        "can_be_edited": False,
                        "is_anonymous": False,
                        "can_manage_chat": True,
                        "can_delete_messages": True,
                        "can_manage_video_chats": True,
                        "can_restrict_members": True,
                        "can_promote_members": True,
                        "can_change_info": True,
                        "can_invite_users": True,
                        "can_post_stories": True,
                        "can_edit_stories": True,
                        "can_delete_stories": True,
                    }
                )
            if status == "restricted":
                member.update(
                    {
                        "is_member": True,
                        "until_date": 0,
                        **{
                            k: True
                            for k in (
                                "can_send_messages",
                                "can_send_audios",
                                "can_send_documents",
                                "can_send_photos",
                                "can_send_videos",
                                "can_send_video_notes",
                                "can_send_voice_notes",
                                "can_send_polls",
                                "can_send_other_messages",
                                "can_add_web_page_previews",
                                "can_change_info",
                                "can_invite_users",
                                "can_pin_messages",
                                "can_manage_topics",
                            )
                        },
                    }
                )
            return member
        if method == "getChat":
            cid = int(chat_id or 0)
            return {
                "id": cid,
                "type": "private" if cid > 0 else "supergroup",
                "title": "FoUI Trøndelag",
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                },
            }
        if method in {"createChatInviteLink", "revokeChatInviteLink"}:
            return self._invite_link(method, params)
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in {"getMyCommands"}:
            return []
        # setMyCommands, deleteMyCommands, answerCallbackQuery, deleteMessage, pinChatMessage,
        # approveChatJoinRequest, declineChatJoinRequest, setWebhook, deleteWebhook, sendChatAction, ...
        return True

    def _invite_link(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """A ChatInviteLink, as Telegram answers createChatInviteLink and revokeChatInviteLink."""
        link = str(params.get("invite_link") or f"https://t.me/+fake{next(self._message_ids)}")
        answer: dict[str, Any] = {
            "invite_link": link,
            "creator": self.bot_user,
            "creates_join_request": bool(params.get("creates_join_request", False)),
            "is_primary": False,
            "is_revoked": method == "revokeChatInviteLink",
        }
        for key in ("name", "expire_date", "member_limit"):
            if params.get(key) is not None:
                answer[key] = params[key]
        return answer

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.updates is None:
            self.updates = asyncio.Queue()
        timeout = float(params.get("timeout") or 0)
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01))
        except TimeoutError:
            return []
        batch = [first]
        while not self.updates.empty():
            batch.append(self.updates.get_nowait())
        return batch

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for a bot that runs real long polling against this fake."""
        if self.updates is None:
            self.updates = asyncio.Queue()
        update.setdefault("update_id", self.next_update_id())
        self.updates.put_nowait(update)


class BotApiError(Exception):
    """An error answer (``ok: false``) of the Bot API."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any]) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class InProcessRequest(BaseRequest):
    """A python-telegram-bot request class answered in-process by an ``InProcessBotApi``."""

    def __init__(self, api: InProcessBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 30.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None and request_data.contains_files:
            for name, part in request_data.multipart_data.items():
                filename, content = part[0], part[1]
                data = content if isinstance(content, bytes) else content.read()
                files[name] = (str(filename), data)
        try:
            result = await self.api.handle(api_method, params, files)
        except BotApiError as err:
            body: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            return err.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()
